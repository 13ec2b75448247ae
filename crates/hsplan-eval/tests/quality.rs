//! The data-quality review on a small hand-made district with one planted fault per check:
//! each fault is found where it was planted and nowhere else, the scores are the exact
//! shares of checks passed, and only the evaluation rows reading a faulty value are marked.
//! A property test checks the review's invariants on random systems.

use hsplan_eval::quality::{Check, Rules, doubt_for, review};
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Count, Facility, FacilityId, FacilityYear, Grade,
    InstitutionType as T, Ownership, Persons, PopulationRecord, PopulationSource, Quantity as Q,
    ServiceSystem, Year,
};
use proptest::prelude::*;

fn code(c: &str) -> AdminCode {
    AdminCode::parse(c).unwrap()
}

fn year(y: i64) -> Year {
    Year::new(y).unwrap()
}

fn person(unit: AdminCode, y: i64, n: u64) -> PopulationRecord {
    PopulationRecord {
        unit,
        year: year(y),
        source: PopulationSource::Estimate,
        resident: Persons(n),
        male: None,
        female: None,
        ages: AgeBands::default(),
        live_births: None,
        deaths: None,
    }
}

fn facility(id: &str, kind: T, grade: &str, ownership: Ownership, unit: &str) -> Facility {
    Facility {
        id: FacilityId::new(id).unwrap(),
        name: format!("机构{id}"),
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

fn put(s: &mut ServiceSystem, id: &str, y: i64, values: &[(Q, u64)]) {
    let id = FacilityId::new(id).unwrap();
    let mut fy = FacilityYear::new(id.clone(), year(y));
    for &(q, v) in values {
        fy.quantities.insert(q, Count(v));
    }
    s.facility_years.insert((id, year(y)), fy);
}

/// A district with two towns; 2022 and 2023; faults planted in 2023 (and the population).
fn district() -> ServiceSystem {
    let mut s = ServiceSystem::default();
    for (c, n) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500109", "北碚区"),
        ("500109001", "甲镇"),
        ("500109002", "乙镇"),
        ("500109001001", "甲村"),
        ("500109001002", "甲二村"),
        ("500109002001", "乙村"),
    ] {
        let u = AdminUnit::new(code(c), n);
        s.units.insert(u.code, u);
    }
    for y in [2022, 2023] {
        for (v, n) in [
            ("500109001001", 10_000),
            ("500109001002", 5_000),
            ("500109002001", 20_000),
        ] {
            s.population
                .insert((code(v), year(y)), person(code(v), y, n));
        }
    }
    // 甲镇's own 2023 record: 5 % above its villages' 15,000.
    s.population.insert(
        (code("500109001"), year(2023)),
        person(code("500109001"), 2023, 15_750),
    );
    // Six township health centres, visits about 30,000; T1 keyed ×10 in 2023.
    for i in 1..=6 {
        let id = format!("T{i}");
        let unit = if i <= 3 { "500109001" } else { "500109002" };
        s.facilities.insert(
            FacilityId::new(&id).unwrap(),
            facility(
                &id,
                T::TownshipHealthCentre,
                "ungraded",
                Ownership::Government,
                unit,
            ),
        );
        for y in [2022, 2023] {
            let visits = 30_000 + 1_000 * i as u64;
            let visits = if i == 1 && y == 2023 {
                visits * 10
            } else {
                visits
            };
            put(
                &mut s,
                &id,
                y,
                &[
                    (Q::OutpatientVisits, visits),
                    (Q::Beds, 40),
                    (Q::InpatientBedDays, 10_000),
                    (Q::StaffHealthTechnical, 60),
                    (Q::LicensedDoctors, 20),
                    (Q::RegisteredNurses, 25),
                ],
            );
        }
    }
    // H1: public hospital whose bed-days make 180 % occupancy in 2023.
    // H2: private hospital whose technical staff is keyed below doctors + nurses in 2023.
    for (id, ownership) in [("H1", Ownership::Government), ("H2", Ownership::Private)] {
        s.facilities.insert(
            FacilityId::new(id).unwrap(),
            facility(id, T::GeneralHospital, "2a", ownership, "500109002001"),
        );
    }
    put(
        &mut s,
        "H1",
        2022,
        &[(Q::Beds, 200), (Q::InpatientBedDays, 58_000)],
    );
    put(
        &mut s,
        "H1",
        2023,
        &[(Q::Beds, 200), (Q::InpatientBedDays, 131_400)],
    );
    put(
        &mut s,
        "H2",
        2022,
        &[
            (Q::StaffHealthTechnical, 300),
            (Q::LicensedDoctors, 100),
            (Q::RegisteredNurses, 150),
        ],
    );
    put(
        &mut s,
        "H2",
        2023,
        &[
            (Q::StaffHealthTechnical, 140),
            (Q::LicensedDoctors, 100),
            (Q::RegisteredNurses, 140),
        ],
    );
    // C1 sends no 2023 return; C2's 2023 return lacks the nurses it reported in 2022.
    for id in ["C1", "C2"] {
        s.facilities.insert(
            FacilityId::new(id).unwrap(),
            facility(
                id,
                T::Clinic,
                "ungraded",
                Ownership::Private,
                "500109001002",
            ),
        );
    }
    put(&mut s, "C1", 2022, &[(Q::LicensedDoctors, 2)]);
    put(
        &mut s,
        "C2",
        2022,
        &[(Q::LicensedDoctors, 1), (Q::RegisteredNurses, 1)],
    );
    put(&mut s, "C2", 2023, &[(Q::LicensedDoctors, 1)]);
    assert!(s.validate().is_empty(), "{:?}", s.validate());
    s
}

fn found(r: &hsplan_eval::quality::QualityReview, check: Check) -> Vec<(String, Option<String>)> {
    r.findings
        .iter()
        .filter(|f| f.check == check)
        .map(|f| (f.unit.clone(), f.facility.clone()))
        .collect()
}

#[test]
fn each_planted_fault_is_found_where_it_was_planted_and_nowhere_else() {
    let s = district();
    let r = review(&s, code("500109"), year(2023), &Rules::default());
    let fac = |u: &str, f: &str| (code(u).to_string(), Some(f.to_string()));
    assert_eq!(
        found(&r, Check::NotReporting),
        vec![fac("500109001002", "C1")]
    );
    assert_eq!(
        found(&r, Check::QuantityMissing),
        vec![fac("500109001002", "C2")]
    );
    assert_eq!(found(&r, Check::StaffSum), vec![fac("500109002001", "H2")]);
    assert_eq!(
        found(&r, Check::BedOccupancy),
        vec![fac("500109002001", "H1")]
    );
    assert_eq!(found(&r, Check::Outlier), vec![fac("500109001", "T1")]);
    // T1's visits ×10, H1's bed-days ×2.3 and H2's staff −53 % are jumps too.
    let mut jumps = found(&r, Check::YearJump);
    jumps.sort();
    assert_eq!(
        jumps,
        vec![
            fac("500109001", "T1"),
            fac("500109002001", "H1"),
            fac("500109002001", "H2")
        ]
    );
    assert_eq!(
        found(&r, Check::PopulationChildren),
        vec![(code("500109001").to_string(), None)]
    );
    let occupancy = r
        .findings
        .iter()
        .find(|f| f.check == Check::BedOccupancy)
        .unwrap();
    assert!((occupancy.statistic.unwrap() - 180.0).abs() < 1e-9);
    let pop = r
        .findings
        .iter()
        .find(|f| f.check == Check::PopulationChildren)
        .unwrap();
    assert_eq!(pop.value, Some(15_750.0));
    assert_eq!(pop.reference, Some(15_000.0));
    assert!((pop.statistic.unwrap() - 5.0).abs() < 1e-9);
    // The counts add up.
    assert_eq!(r.counts.values().sum::<usize>(), r.findings.len());

    // A clean year has none of the facility faults.
    let clean = review(&s, code("500109"), year(2022), &Rules::default());
    assert!(clean.findings.is_empty(), "{:#?}", clean.findings);
    assert_eq!(clean.scores[0].score, Some(100.0));
}

#[test]
fn scores_are_the_exact_shares_of_checks_passed() {
    let s = district();
    let r = review(&s, code("500109"), year(2023), &Rules::default());
    let top = &r.scores[0];
    assert_eq!(top.unit, code("500109").to_string());
    assert_eq!((top.facilities, top.reporting), (10, 9));
    // Expected values: 6 centres × 6 + H1 2 + H2 3 + C1 1 + C2 2 = 44; present: 44 − 1 (C1's
    // one value) − 1 (C2's nurses) = 42.
    assert_eq!(
        (top.completeness.checked, top.completeness.passed),
        (44, 42)
    );
    // Returns checked for consistency: 6 centres (staff and beds), H1 (beds), H2 (staff) —
    // C2 has neither pair; two fail.
    assert_eq!(
        (
            top.internal_consistency.checked,
            top.internal_consistency.passed
        ),
        (8, 6)
    );
    // External: 甲镇 (own record against its villages) only.
    assert_eq!(
        (
            top.external_consistency.checked,
            top.external_consistency.passed
        ),
        (1, 0)
    );
    let mean = [
        top.completeness.pct,
        top.internal_consistency.pct,
        top.outliers.pct,
        top.external_consistency.pct,
    ]
    .iter()
    .map(|p| p.unwrap())
    .sum::<f64>()
        / 4.0;
    assert!((top.score.unwrap() - mean).abs() < 1e-9);
    // Sub-units in code order, each summing only its own facilities.
    let names: Vec<&str> = r.scores.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["北碚区", "甲镇", "乙镇"]);
    assert_eq!(r.scores[1].facilities, 5);
    assert_eq!(r.scores[2].facilities, 5);
    assert_eq!(
        r.scores[1].findings + r.scores[2].findings,
        top.findings,
        "a district's findings are its towns'"
    );
    // Completeness rows per quantity: the nurses of 甲镇's clinics and centres.
    let nurses = r
        .completeness
        .iter()
        .find(|c| c.unit == code("500109001").to_string() && c.quantity == Q::RegisteredNurses)
        .unwrap();
    assert_eq!((nurses.expected, nurses.reported), (4, 3));
}

#[test]
fn only_rows_reading_a_doubted_value_are_marked() {
    let s = district();
    let r = review(&s, code("500109"), year(2023), &Rules::default());
    let def = |id| hsplan_eval::find(id).unwrap();
    // Beds per 1,000 sums H1's beds: its occupancy finding and the population finding.
    let beds = doubt_for(&s, &r, "beds", def("beds_per_1000")).unwrap();
    assert_eq!(
        beds.checks,
        vec![Check::BedOccupancy, Check::PopulationChildren]
    );
    // Public-hospital beds hold H1 (public), not the private H2.
    let public = doubt_for(&s, &r, "pb", def("public_hospital_beds_per_1000")).unwrap();
    assert!(public.checks.contains(&Check::BedOccupancy));
    // Nurses per 1,000: H2's staff sum (nurses are part of it) and the population.
    let nurses = doubt_for(&s, &r, "n", def("registered_nurses_per_1000")).unwrap();
    assert!(nurses.checks.contains(&Check::StaffSum));
    // Counting facilities reads no doubted value.
    for d in hsplan_eval::INDICATORS {
        let uses_population = matches!(d.numerator, hsplan_eval::Measure::Population(_))
            || matches!(d.denominator, Some(hsplan_eval::Measure::Population(_)));
        let counts_only = matches!(
            d.numerator,
            hsplan_eval::Measure::Facilities(_) | hsplan_eval::Measure::FacilitiesWithAny(..)
        ) && d.denominator.is_none_or(|m| {
            matches!(
                m,
                hsplan_eval::Measure::Facilities(_) | hsplan_eval::Measure::FacilitiesWithAny(..)
            )
        });
        if counts_only && !uses_population {
            assert!(doubt_for(&s, &r, d.id, d).is_none(), "{}", d.id);
        }
    }
    // In the clean year nothing is marked.
    let clean = review(&s, code("500109"), year(2022), &Rules::default());
    for d in hsplan_eval::INDICATORS {
        assert!(doubt_for(&s, &clean, d.id, d).is_none(), "{}", d.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On any system: every share is within 0–100 and passed ≤ checked, the counts add up to
    /// the findings, every finding lies inside the reviewed unit, and the unit's findings
    /// are its sub-units' (none lie on the unit itself here).
    #[test]
    fn the_review_keeps_its_invariants(
        values in proptest::collection::vec((0u8..8, 0u8..3, 0u64..5_000, 0u64..5_000, 0u64..400), 1..40),
        drop_every in 2usize..9,
    ) {
        let mut s = district();
        s.facilities.clear();
        s.facility_years.clear();
        let units = ["500109001001", "500109001002", "500109002001"];
        let kinds = [T::Clinic, T::TownshipHealthCentre, T::GeneralHospital];
        for (i, &(u, k, a, b, c)) in values.iter().enumerate() {
            let id = format!("F{i}");
            s.facilities.insert(
                FacilityId::new(&id).unwrap(),
                facility(&id, kinds[k as usize], "ungraded", Ownership::Private, units[u as usize % 3]),
            );
            for y in [2022, 2023] {
                if (i + y as usize) % drop_every == 0 {
                    continue;
                }
                let tech = a + b + c;
                put(&mut s, &id, y, &[
                    (Q::OutpatientVisits, a * (y as u64 - 2020)),
                    (Q::Beds, c),
                    (Q::InpatientBedDays, b * 30),
                    (Q::StaffHealthTechnical, if i % 3 == 0 { a.max(b) } else { tech }),
                    (Q::LicensedDoctors, a),
                    (Q::RegisteredNurses, b),
                ]);
            }
        }
        let r = review(&s, code("500109"), year(2023), &Rules::default());
        prop_assert_eq!(r.counts.values().sum::<usize>(), r.findings.len());
        for sc in &r.scores {
            for d in hsplan_eval::quality::Dimension::ALL {
                let x = sc.of(d);
                prop_assert!(x.passed <= x.checked);
                if let Some(p) = x.pct {
                    prop_assert!((0.0..=100.0).contains(&p));
                }
            }
            if let Some(p) = sc.score {
                prop_assert!((0.0..=100.0).contains(&p));
            }
        }
        for f in &r.findings {
            let u = code(&f.unit);
            prop_assert!(u == code("500109") || u.is_descendant_of(code("500109")));
        }
        prop_assert_eq!(r.scores[1].findings + r.scores[2].findings, r.scores[0].findings);
    }
}
