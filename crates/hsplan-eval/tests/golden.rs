//! Every formula of the library on a small hand-computed fixture (the sums are
//! written out next to each expectation), plus missing-data behaviour.

use hsplan_eval::{Gap, INDICATORS, compute, find};
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Capability as C, Count, Facility, FacilityId, FacilityYear,
    Grade, InstitutionType as T, Labelled, Ownership, Persons, PopulationRecord, PopulationSource,
    Quantity as Q, ServiceSystem, Specialty, Year,
};

fn code(s: &str) -> AdminCode {
    AdminCode::parse(s).unwrap()
}

fn y(v: i64) -> Year {
    Year::new(v).unwrap()
}

fn facility(id: &str, kind: T, grade: &str, ownership: Ownership, unit: &str) -> Facility {
    Facility {
        id: FacilityId::new(id).unwrap(),
        name: id.into(),
        kind,
        specialty: None,
        grade: Grade::parse(grade).unwrap(),
        ownership,
        for_profit: None,
        unit: code(unit),
        location: None,
        opened: None,
        closed: None,
    }
}

/// A facility-year reporting every quantity: 0 unless given.
fn report(id: &str, values: &[(Q, u64)], caps: &[C]) -> FacilityYear {
    let mut fy = FacilityYear::new(FacilityId::new(id).unwrap(), y(2020));
    for &q in Q::all() {
        fy.quantities.insert(q, Count(0));
    }
    for &(q, v) in values {
        fy.quantities.insert(q, Count(v));
    }
    fy.capabilities.extend(caps.iter().copied());
    fy
}

fn pop(unit: &str, resident: u64, children: u64) -> PopulationRecord {
    PopulationRecord {
        unit: code(unit),
        year: y(2020),
        source: PopulationSource::Census,
        resident: Persons(resident),
        male: None,
        female: None,
        ages: AgeBands {
            age_0_14: Some(Persons(children)),
            ..Default::default()
        },
        live_births: None,
        deaths: None,
    }
}

pub fn fixture() -> ServiceSystem {
    let mut s = ServiceSystem::default();
    for (c, n) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500109", "北碚区"),
        ("500109001", "天生街道"),
        ("500109002", "静观镇"),
    ] {
        let u = AdminUnit::new(code(c), n);
        s.units.insert(u.code, u);
    }
    for p in [pop("500109001", 60000, 9000), pop("500109002", 40000, 6000)] {
        s.population.insert((p.unit, p.year), p);
    }
    let mut m1 = facility(
        "M1",
        T::SpecialisedHospital,
        "2",
        Ownership::Private,
        "500109002",
    );
    m1.specialty = Some(Specialty::Psychiatric);
    let mut k1 = facility("K1", T::Clinic, "ungraded", Ownership::Private, "500109002");
    k1.opened = Some(y(2021));
    let facilities = [
        facility(
            "H1",
            T::GeneralHospital,
            "3a",
            Ownership::Government,
            "500109001",
        ),
        facility(
            "H2",
            T::TcmHospital,
            "2a",
            Ownership::Government,
            "500109002",
        ),
        m1,
        facility(
            "C1",
            T::CommunityHealthCentre,
            "ungraded",
            Ownership::Government,
            "500109001",
        ),
        facility(
            "T1",
            T::TownshipHealthCentre,
            "a",
            Ownership::Government,
            "500109002",
        ),
        facility("P1", T::Cdc, "ungraded", Ownership::Government, "500109"),
        facility(
            "D1",
            T::Childcare,
            "ungraded",
            Ownership::Private,
            "500109001",
        ),
        k1,
    ];
    for f in facilities {
        s.facilities.insert(f.id.clone(), f);
    }
    use Q::*;
    let reports = [
        report(
            "H1",
            &[
                (Beds, 500),
                (BedsIcu, 10),
                (BedsRehabilitation, 20),
                (LicensedDoctors, 150),
                (AssistantDoctors, 10),
                (RegisteredNurses, 220),
                (StaffHealthTechnical, 600),
                (Pharmacists, 20),
                (ClinicalPharmacists, 4),
                (StaffTotal, 800),
                (TcmDoctors, 10),
                (Psychiatrists, 2),
                (RehabilitationDoctors, 3),
                (AmbulancesNegativePressure, 1),
                (Paediatricians, 12),
                (Ambulances, 5),
                (InpatientBedDays, 45000),
                (Discharges, 5000),
                (OutpatientVisits, 300000),
                (Ct64Plus, 2),
            ],
            &[C::Geriatrics, C::InfectiousDiseaseDept, C::FeverClinic],
        ),
        report(
            "H2",
            &[
                (Beds, 200),
                (BedsRehabilitation, 30),
                (LicensedDoctors, 50),
                (AssistantDoctors, 5),
                (RegisteredNurses, 70),
                (StaffHealthTechnical, 200),
                (Pharmacists, 10),
                (ClinicalPharmacists, 1),
                (StaffTotal, 300),
                (TcmDoctors, 40),
                (Paediatricians, 3),
                (Ambulances, 2),
                (InpatientBedDays, 18000),
                (Discharges, 2000),
                (OutpatientVisits, 100000),
                (Ct64Plus, 1),
            ],
            &[C::PreventiveTreatment],
        ),
        report(
            "M1",
            &[
                (Beds, 100),
                (BedsPsychiatric, 100),
                (LicensedDoctors, 20),
                (RegisteredNurses, 40),
                (StaffHealthTechnical, 80),
                (StaffTotal, 120),
                (Psychiatrists, 15),
                (InpatientBedDays, 30000),
                (Discharges, 300),
                (OutpatientVisits, 10000),
            ],
            &[],
        ),
        report(
            "C1",
            &[
                (Beds, 20),
                (LicensedDoctors, 10),
                (AssistantDoctors, 2),
                (RegisteredNurses, 12),
                (StaffHealthTechnical, 35),
                (Pharmacists, 2),
                (StaffTotal, 40),
                (GeneralPractitioners, 8),
                (TcmDoctors, 2),
                (Ambulances, 1),
                (OutpatientVisits, 80000),
            ],
            &[C::FeverRoom, C::TcmHall],
        ),
        report(
            "T1",
            &[
                (Beds, 30),
                (LicensedDoctors, 6),
                (AssistantDoctors, 4),
                (RegisteredNurses, 8),
                (StaffHealthTechnical, 25),
                (Pharmacists, 1),
                (StaffTotal, 30),
                (GeneralPractitioners, 4),
                (TcmDoctors, 1),
                (OutpatientVisits, 60000),
            ],
            &[C::FeverSentinel],
        ),
        report(
            "P1",
            &[
                (StaffTotal, 60),
                (StaffHealthTechnical, 50),
                (LicensedDoctors, 5),
            ],
            &[],
        ),
        report(
            "D1",
            &[
                (ChildcarePlaces, 90),
                (ChildcarePlacesPublicBenefit, 60),
                (StaffTotal, 10),
            ],
            &[],
        ),
    ];
    for r in reports {
        s.facility_years.insert((r.facility.clone(), r.year), r);
    }
    assert_eq!(s.validate(), vec![]);
    s
}

/// Utilisation counted from records for the two towns in 2020, every table covering the
/// district.
fn add_utilisation(s: &mut ServiceSystem) {
    use hsplan_model::{AdminLevel, Condition::*, RecordTable, UsageCount as U};
    let county = AdminLevel::County;
    let towns: [(&str, &[(U, u64)]); 2] = [
        (
            "500109001",
            &[
                (U::Visits, 300),
                (U::PrimaryCareVisits, 120),
                (U::TcmVisits, 60),
                (U::Admissions, 20),
                (U::ReferralsUp, 10),
                (U::ReferralsDown, 4),
                (U::ResidentEncounters, 400),
                (U::ResidentEncountersWithin(county), 360),
                (U::ResidentAdmissions, 30),
                (U::ResidentAdmissionsWithin(county), 24),
                (U::ContractedResidents, 30000),
                (U::ContractedKeyResidents, 8000),
                (U::KeyResidents, 10000),
                (U::HealthRecords, 50000),
                (U::ChronicManaged(Hypertension), 5000),
                (U::ChronicStandardised(Hypertension), 3500),
                (U::ChronicControlled(Hypertension), 3000),
                (U::ChronicManaged(Diabetes), 2000),
                (U::ChronicStandardised(Diabetes), 1300),
                (U::ChronicControlled(Diabetes), 1100),
            ],
        ),
        (
            "500109002",
            &[
                (U::Visits, 200),
                (U::PrimaryCareVisits, 100),
                (U::TcmVisits, 40),
                (U::ReferralsUp, 6),
                (U::ReferralsDown, 2),
                (U::ResidentEncounters, 100),
                (U::ResidentEncountersWithin(county), 90),
                (U::ResidentAdmissions, 10),
                (U::ResidentAdmissionsWithin(county), 6),
                (U::ContractedResidents, 20000),
                (U::ContractedKeyResidents, 5000),
                (U::KeyResidents, 7000),
                (U::HealthRecords, 30000),
                (U::ChronicManaged(Hypertension), 3000),
                (U::ChronicStandardised(Hypertension), 1900),
                (U::ChronicControlled(Hypertension), 1800),
                (U::ChronicManaged(Diabetes), 1000),
                (U::ChronicStandardised(Diabetes), 700),
                (U::ChronicControlled(Diabetes), 500),
            ],
        ),
    ];
    for (town, counts) in towns {
        for &(c, n) in counts {
            s.utilisation.add(code(town), y(2020), c, n);
        }
    }
    for t in RecordTable::ALL {
        s.utilisation.coverage.insert((code("500109"), y(2020), t));
    }
}

fn value(s: &ServiceSystem, id: &str, unit: &str) -> f64 {
    compute(s, find(id).unwrap(), code(unit), y(2020))
        .value
        .unwrap_or_else(|g| panic!("{id}: {g:?}"))
}

#[test]
fn every_formula_on_the_fixture() {
    let mut s = fixture();
    add_utilisation(&mut s);
    // District 500109: resident 60000 + 40000 = 100000 (no own record: sum of towns); children 15000.
    let expected: &[(&str, f64)] = &[
        ("beds_per_1000", 8.5),                     // 500+200+100+20+30 = 850
        ("public_hospital_beds_per_1000", 7.0),     // H1 500 + H2 200 (M1 private)
        ("rehabilitation_beds_per_1000", 0.5),      // 20+30
        ("psychiatric_beds_per_1000", 1.0),         // 100
        ("public_tcm_hospital_beds_per_1000", 2.0), // H2 200
        ("icu_beds_per_1000", 0.1),                 // 10
        ("licensed_doctors_per_1000", 2.62),        // 160+55+20+12+10+5 = 262
        ("registered_nurses_per_1000", 3.5),        // 220+70+40+12+8 = 350
        ("pharmacists_per_1000", 0.33),             // 20+10+2+1
        ("tcm_doctors_per_1000", 0.53),             // 10+40+2+1
        ("gps_per_10k", 1.2),                       // 8+4
        ("psychiatrists_per_100k", 17.0),           // 2+15
        ("paediatricians_per_1000_children", 1.0),  // 15 / 15000
        ("clinical_pharmacists_per_100_beds", 5.0 / 850.0 * 100.0),
        ("public_health_staff_per_1000", 0.6), // CDC 60
        ("cdc_staff_per_1000", 0.6),
        ("doctor_nurse_ratio", 350.0 / 262.0),
        ("bed_staff_ratio", 1.6), // 800+300+120+40+30+60+10 = 1360 / 850
        ("bed_nurse_ratio", 350.0 / 850.0),
        ("bed_doctor_ratio", 262.0 / 850.0),
        ("ambulances_per_10k", 0.8), // 5+2+1
        ("childcare_places_per_1000", 0.9),
        ("public_benefit_childcare_places_per_1000", 0.6),
        ("hospital_average_length_of_stay", 93000.0 / 7300.0), // H1+H2+M1
        ("share_secondary_general_hospitals_with_geriatrics", 100.0), // H1 of H1
        (
            "share_secondary_general_hospitals_with_infectious_dept",
            100.0,
        ),
        ("share_primary_centres_with_fever_clinic", 100.0), // C1 room, T1 sentinel
        ("share_primary_centres_with_tcm_hall", 50.0),      // C1 yes, T1 no
        ("share_secondary_tcm_hospitals_with_preventive_dept", 100.0),
        ("primary_care_outpatient_share", 140000.0 / 550000.0 * 100.0),
        ("pet_ct", 0.0),
        ("surgical_robots", 0.0),
        ("ct_64_plus", 3.0),
        ("mr_1_5t_plus", 0.0),
        ("linear_accelerators", 0.0),
        ("tier3_hospitals", 1.0),                 // H1 (3a)
        ("nursing_homes", 0.0),                   // none in the fixture
        ("negative_pressure_ambulances", 1.0),    // H1
        ("rehabilitation_doctors_per_100k", 3.0), // 3 / 100000
        // Counted from records (add_utilisation): both towns summed.
        ("primary_care_visit_share_records", 44.0), // 220 / 500
        ("tcm_consultation_share_pct", 20.0),       // 100 / 500
        ("local_care_rate_pct", 90.0),              // (360 + 90) / (400 + 100)
        ("inpatient_outflow_rate_pct", 25.0),       // (40 - 30) / 40
        ("referrals_up", 16.0),
        ("referrals_down", 6.0),
        ("down_up_referral_ratio", 0.375),
        ("family_doctor_contract_coverage_pct", 50.0), // 50000 / 100000
        (
            "family_doctor_priority_group_coverage_pct",
            13000.0 / 17000.0 * 100.0,
        ),
        ("hypertension_management_rate_pct", 67.5), // 5400 / 8000
        ("hypertension_control_rate_pct", 60.0),    // 4800 / 8000
        ("diabetes_management_rate_pct", 2000.0 / 3000.0 * 100.0),
        ("diabetes_control_rate_pct", 1600.0 / 3000.0 * 100.0),
        ("ehr_coverage_pct", 80.0), // 80000 / 100000
    ];
    assert_eq!(
        expected.len(),
        INDICATORS.len(),
        "every formula has a golden value"
    );
    for (id, want) in expected {
        let got = value(&s, id, "500109");
        assert!((got - want).abs() < 1e-9, "{id}: got {got}, want {want}");
    }
    // Towns: beds 520 / 60000 and 330 / 40000 (the CDC sits at district level).
    assert!((value(&s, "beds_per_1000", "500109001") - 520.0 / 60.0).abs() < 1e-9);
    assert!((value(&s, "beds_per_1000", "500109002") - 8.25).abs() < 1e-9);
    // A town's own records: 40 TCM of 200 visits.
    assert!((value(&s, "tcm_consultation_share_pct", "500109002") - 20.0).abs() < 1e-9);
    // Outside the covered district the records say nothing: missing, never zero.
    let mut bare = fixture();
    add_utilisation(&mut bare);
    bare.utilisation.coverage.clear();
    assert!(
        compute(
            &bare,
            find("tcm_consultation_share_pct").unwrap(),
            code("500109"),
            y(2020)
        )
        .value
        .is_err()
    );
}

#[test]
fn missing_reports_are_explicit_never_zero() {
    let mut s = fixture();
    s.facility_years
        .remove(&(FacilityId::new("T1").unwrap(), y(2020)));
    let v = compute(&s, find("beds_per_1000").unwrap(), code("500109"), y(2020));
    assert_eq!(v.value, Err(Gap::NumeratorIncomplete { missing: 1 }));
    assert_eq!(
        v.numerator.value, 820.0,
        "what was reported is kept for display"
    );
    // A quantity not reported by one facility.
    let mut s = fixture();
    s.facility_years
        .get_mut(&(FacilityId::new("H1").unwrap(), y(2020)))
        .unwrap()
        .quantities
        .remove(&Q::BedsIcu);
    assert!(
        compute(
            &s,
            find("icu_beds_per_1000").unwrap(),
            code("500109"),
            y(2020)
        )
        .value
        .is_err()
    );
    // No population for one town: the district's denominator is incomplete.
    let mut s = fixture();
    s.population.remove(&(code("500109002"), y(2020)));
    let v = compute(&s, find("beds_per_1000").unwrap(), code("500109"), y(2020));
    assert_eq!(v.value, Err(Gap::DenominatorIncomplete { missing: 1 }));
    // No secondary+ general hospital at all: a share has no denominator.
    let s = fixture();
    let v = compute(
        &s,
        find("share_secondary_general_hospitals_with_geriatrics").unwrap(),
        code("500109002"),
        y(2020),
    );
    assert_eq!(v.value, Err(Gap::ZeroDenominator));
}

#[test]
fn a_facility_not_yet_open_does_not_count() {
    let s = fixture();
    // K1 opens in 2021 and has no 2020 report; 2020 values are complete without it.
    assert!(
        compute(
            &s,
            find("beds_per_1000").unwrap(),
            code("500109002"),
            y(2020)
        )
        .value
        .is_ok()
    );
}
