//! A calibrated synthetic registry for any district: population of its villages and
//! communities, the hospitals a profile names, a health centre per town and street, the
//! district's public-health institutions, village clinics and private clinics, with 2020
//! resources allocated so that the district's 2020 totals are exactly the profile's (and
//! so every density computed from them reproduces a published value), grown to 2024.
//!
//! **Everything it makes is synthetic**; only the administrative units are real.

use crate::{
    Calibrated, Openings, Rng, SyntheticRegistry, allocate, configuration_details,
    place_facilities, schematic_geometry, trajectories,
};
use hsplan_model::{
    AdminCode, AdminLevel, AdminUnit, AgeBands, Capability as C, Facility, FacilityId, Grade,
    InstitutionFamily, InstitutionType as T, Ownership, Persons, PopulationRecord,
    PopulationSource, Quantity as Q, Specialty, Tier, UnitKind, Year,
};
use std::collections::BTreeMap;

/// A hospital a profile names (its own name, or a generic one).
#[derive(Debug, Clone, PartialEq)]
pub struct HospitalSpec {
    /// Name (marked synthetic by the generator).
    pub name: String,
    /// Type.
    pub kind: T,
    /// Grade code ("3a", "2", "ungraded").
    pub grade: &'static str,
    /// Ownership.
    pub ownership: Ownership,
    /// Specialty of a specialised hospital.
    pub specialty: Option<Specialty>,
    /// Relative size (its share of the hospitals' beds).
    pub weight: f64,
    /// Whether it has a geriatrics department in 2020.
    pub geriatrics: bool,
}

impl HospitalSpec {
    /// A hospital without a geriatrics department.
    pub fn new(
        name: impl Into<String>,
        kind: T,
        grade: &'static str,
        ownership: Ownership,
        weight: f64,
    ) -> HospitalSpec {
        HospitalSpec {
            name: name.into(),
            kind,
            grade,
            ownership,
            specialty: None,
            weight,
            geriatrics: false,
        }
    }

    /// The same hospital with a geriatrics department.
    pub fn with_geriatrics(mut self) -> HospitalSpec {
        self.geriatrics = true;
        self
    }

    /// The same hospital as a specialised one.
    pub fn specialised(mut self, specialty: Specialty) -> HospitalSpec {
        self.specialty = Some(specialty);
        self
    }

    fn is_secondary_general(&self) -> bool {
        self.kind == T::GeneralHospital
            && Grade::parse(self.grade).is_ok_and(|g| g.is_secondary_or_above())
    }
}

/// A district's 2020 totals, to which its registry is calibrated exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Resident population.
    pub residents: u64,
    /// Beds of all institutions.
    pub beds: u64,
    /// Licensed and assistant doctors.
    pub doctors: u64,
    /// Registered nurses.
    pub nurses: u64,
    /// General practitioners.
    pub gps: u64,
    /// TCM doctors.
    pub tcm_doctors: u64,
    /// Clinical pharmacists.
    pub clinical_pharmacists: u64,
    /// Childcare places for children under 3.
    pub childcare_places: u64,
    /// Psychiatrists.
    pub psychiatrists: u64,
}

impl std::ops::Sub for Totals {
    type Output = Totals;
    fn sub(self, o: Totals) -> Totals {
        let d = |a: u64, b: u64| {
            a.checked_sub(b)
                .expect("the parts of a calibrated total stay within it")
        };
        Totals {
            residents: d(self.residents, o.residents),
            beds: d(self.beds, o.beds),
            doctors: d(self.doctors, o.doctors),
            nurses: d(self.nurses, o.nurses),
            gps: d(self.gps, o.gps),
            tcm_doctors: d(self.tcm_doctors, o.tcm_doctors),
            clinical_pharmacists: d(self.clinical_pharmacists, o.clinical_pharmacists),
            childcare_places: d(self.childcare_places, o.childcare_places),
            psychiatrists: d(self.psychiatrists, o.psychiatrists),
        }
    }
}

impl std::ops::Add for Totals {
    type Output = Totals;
    fn add(self, o: Totals) -> Totals {
        Totals {
            residents: self.residents + o.residents,
            beds: self.beds + o.beds,
            doctors: self.doctors + o.doctors,
            nurses: self.nurses + o.nurses,
            gps: self.gps + o.gps,
            tcm_doctors: self.tcm_doctors + o.tcm_doctors,
            clinical_pharmacists: self.clinical_pharmacists + o.clinical_pharmacists,
            childcare_places: self.childcare_places + o.childcare_places,
            psychiatrists: self.psychiatrists + o.psychiatrists,
        }
    }
}

/// Everything the generator needs to know about one district.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The district's code.
    pub county: AdminCode,
    /// Its name, used in the names of its institutions.
    pub name: String,
    /// Prefix of its facility ids (unique in a store).
    pub id_prefix: String,
    /// The 2020 totals.
    pub totals: Totals,
    /// Its hospitals.
    pub hospitals: Vec<HospitalSpec>,
    /// Whether every rural village gets a village clinic.
    pub village_clinics: bool,
    /// Private clinics.
    pub clinics: usize,
    /// Population growth per year (0.005 = 0.5 %).
    pub population_growth: f64,
    /// Scales the yearly growth of resources (1 = the demo district's rates).
    pub resource_growth: f64,
    /// Secondary-or-above general hospitals with an infectious-disease department in 2020.
    pub infectious_2020: usize,
    /// Departments opened each year after 2020.
    pub openings: Openings,
    /// Yearly growth of childcare places (1.25 = +25 %).
    pub childcare_growth: f64,
    /// Where its schematic map lies: west, south, east, north (degrees).
    pub area: [f64; 4],
}

/// The district's towns/townships, streets and villages/communities, in code order.
pub(crate) struct Parts<'a> {
    pub towns: Vec<&'a AdminUnit>,
    pub streets: Vec<&'a AdminUnit>,
    pub villages: Vec<&'a AdminUnit>,
}

pub(crate) fn parts(units: &[AdminUnit], county: AdminCode) -> Parts<'_> {
    let inside: Vec<&AdminUnit> = units
        .iter()
        .filter(|u| u.code.is_descendant_of(county))
        .collect();
    let at = |level| inside.iter().copied().filter(move |u| u.level() == level);
    Parts {
        towns: at(AdminLevel::Town)
            .filter(|u| u.kind != Some(UnitKind::Street))
            .collect(),
        streets: at(AdminLevel::Town)
            .filter(|u| u.kind == Some(UnitKind::Street))
            .collect(),
        villages: at(AdminLevel::Village).collect(),
    }
}

/// Splits `total` in proportion to `weights` with each share capped (`caps`), exactly:
/// what a capped share cannot take goes to the others. Panics when the caps cannot hold
/// the total (a profile asking for the impossible).
pub(crate) fn allocate_capped(total: u64, weights: &[f64], caps: &[u64]) -> Vec<u64> {
    assert!(
        caps.iter().sum::<u64>() >= total,
        "a calibrated total ({total}) exceeds what its institutions can hold ({})",
        caps.iter().sum::<u64>()
    );
    let mut out = vec![0u64; weights.len()];
    let mut left = total;
    while left > 0 {
        let w: Vec<f64> = weights
            .iter()
            .zip(caps)
            .zip(&out)
            .map(|((w, c), o)| if o < c { w.max(1e-9) } else { 0.0 })
            .collect();
        let share = allocate(left, &w);
        let mut given = 0;
        for ((o, s), c) in out.iter_mut().zip(share).zip(caps) {
            let take = s.min(c - *o);
            *o += take;
            given += take;
        }
        left -= given;
        if given == 0 {
            // only ties at the caps remain: one at a time
            for (o, c) in out.iter_mut().zip(caps) {
                if left > 0 && *o < *c {
                    *o += 1;
                    left -= 1;
                }
            }
        }
    }
    out
}

fn get(m: &BTreeMap<Q, u64>, k: Q) -> u64 {
    m.get(&k).copied().unwrap_or(0)
}

fn doctors(m: &BTreeMap<Q, u64>) -> u64 {
    get(m, Q::LicensedDoctors) + get(m, Q::AssistantDoctors)
}

/// Generates the district's registry (population, institutions, resources 2020–2024, a
/// schematic map). The 2020 totals of the profile hold exactly.
pub fn generate(units: &[AdminUnit], p: &Profile, seed: u64) -> SyntheticRegistry {
    let mut rng = Rng(seed ^ p.county.get());
    let Parts {
        towns,
        streets,
        villages,
    } = parts(units, p.county);
    let mut out = SyntheticRegistry::default();

    // Population: villages weighted at random, communities denser.
    let weights: Vec<f64> = villages
        .iter()
        .map(|v| {
            rng.range(0.5, 1.5)
                * if v.kind == Some(UnitKind::Community) {
                    2.5
                } else {
                    1.0
                }
        })
        .collect();
    for year in 2020..=2024 {
        let total =
            (p.totals.residents as f64 * (1.0 + p.population_growth).powi(year - 2020)).round();
        for (v, n) in villages.iter().zip(allocate(total as u64, &weights)) {
            out.population.push(PopulationRecord {
                unit: v.code,
                year: Year::new(year as i64).expect("year"),
                source: if year == 2020 {
                    PopulationSource::Census
                } else {
                    PopulationSource::Estimate
                },
                resident: Persons(n),
                male: None,
                female: None,
                ages: AgeBands {
                    age_0_14: Some(Persons((n as f64 * 0.14).round() as u64)),
                    ..Default::default()
                },
                live_births: None,
                deaths: None,
            });
        }
    }

    // Institutions.
    let mut fs: Vec<Facility> = Vec::new();
    let push = |fs: &mut Vec<Facility>,
                name: String,
                kind: T,
                grade: &str,
                ownership: Ownership,
                specialty: Option<Specialty>,
                unit: AdminCode| {
        fs.push(Facility {
            id: FacilityId::new(&format!("{}{:04}", p.id_prefix, fs.len() + 1)).expect("id"),
            name: format!("{name}（合成）"),
            kind,
            specialty,
            grade: Grade::parse(grade).expect("grade"),
            ownership,
            for_profit: Some(ownership == Ownership::Private),
            unit,
            location: None,
            opened: Some(Year::new(2000).expect("year")),
            closed: None,
        });
    };
    let urban: Vec<&AdminUnit> = if streets.is_empty() {
        towns.clone()
    } else {
        streets.clone()
    };
    let mut urban_cycle = urban.iter().cycle();
    // Secondary general hospitals with geriatrics first: the order departments open in.
    let mut specs: Vec<&HospitalSpec> = p.hospitals.iter().collect();
    specs.sort_by_key(|h| {
        (
            !(h.is_secondary_general() && h.geriatrics),
            !h.is_secondary_general(),
        )
    });
    for h in &specs {
        let unit = urban_cycle.next().map_or(p.county, |u| u.code);
        push(
            &mut fs,
            h.name.clone(),
            h.kind,
            h.grade,
            h.ownership,
            h.specialty,
            unit,
        );
    }
    let n_hospitals = fs.len();
    for (kind, grade, what) in [
        (T::Cdc, "2a", "疾病预防控制中心"),
        (T::MaternalChildHealth, "2a", "妇幼保健院"),
        (T::HealthSupervision, "ungraded", "卫生健康综合行政执法支队"),
    ] {
        push(
            &mut fs,
            format!("{}{what}", p.name),
            kind,
            grade,
            Ownership::Government,
            None,
            p.county,
        );
    }
    for t in &towns {
        let grade = if rng.range(0.0, 1.0) < 0.4 { "a" } else { "b" };
        push(
            &mut fs,
            format!("{}卫生院", t.name),
            T::TownshipHealthCentre,
            grade,
            Ownership::Government,
            None,
            t.code,
        );
    }
    for s in &streets {
        push(
            &mut fs,
            format!("{}社区卫生服务中心", s.name),
            T::CommunityHealthCentre,
            "ungraded",
            Ownership::Government,
            None,
            s.code,
        );
    }
    if p.village_clinics {
        for v in villages
            .iter()
            .filter(|v| v.kind == Some(UnitKind::Village))
        {
            push(
                &mut fs,
                format!("{}卫生室", v.name),
                T::VillageClinic,
                "ungraded",
                Ownership::Government,
                None,
                v.code,
            );
        }
    }
    for i in 0..p.clinics {
        let unit = villages
            .get((rng.next_u64() % villages.len().max(1) as u64) as usize)
            .map_or(p.county, |u| u.code);
        push(
            &mut fs,
            format!("{}诊所{}", p.name, i + 1),
            T::Clinic,
            "ungraded",
            Ownership::Private,
            None,
            unit,
        );
    }

    let n = fs.len();
    let of = |k: T| -> Vec<usize> { (0..n).filter(|&i| fs[i].kind == k).collect() };
    let hospitals: Vec<usize> = (0..n_hospitals).collect();
    let centres: Vec<usize> = (0..n)
        .filter(|&i| {
            matches!(
                fs[i].kind,
                T::TownshipHealthCentre | T::CommunityHealthCentre
            )
        })
        .collect();
    let secondary_general: Vec<usize> = (0..n_hospitals)
        .filter(|&i| specs[i].is_secondary_general())
        .collect();
    let geriatrics_2020 = (0..n_hospitals)
        .filter(|&i| specs[i].is_secondary_general() && specs[i].geriatrics)
        .count();
    let psychiatric: Vec<usize> = (0..n_hospitals)
        .filter(|&i| fs[i].specialty == Some(Specialty::Psychiatric))
        .collect();
    let mch = of(T::MaternalChildHealth)[0];
    let cdc = of(T::Cdc)[0];
    let sup = of(T::HealthSupervision)[0];
    let t = &p.totals;
    let mut q: Vec<BTreeMap<Q, u64>> = vec![BTreeMap::new(); n];
    let mut caps: Vec<Vec<C>> = vec![Vec::new(); n];

    // Beds: centres a few each, hospitals the rest by size.
    let mut centre_beds = 0;
    for &i in &centres {
        let b = if fs[i].kind == T::TownshipHealthCentre {
            rng.range(20.0, 50.0)
        } else {
            rng.range(8.0, 30.0)
        } as u64;
        q[i].insert(Q::Beds, b);
        centre_beds += b;
    }
    let hospital_beds = t
        .beds
        .checked_sub(centre_beds)
        .expect("the district's beds cover its health centres'");
    // sizes vary around the profile's, as real hospitals of a kind do
    let weights: Vec<f64> = specs
        .iter()
        .map(|h| h.weight * rng.range(0.7, 1.4))
        .collect();
    for (i, b) in allocate(hospital_beds, &weights).into_iter().enumerate() {
        q[i].insert(Q::Beds, b);
    }
    for &i in &hospitals {
        let beds = get(&q[i], Q::Beds);
        if psychiatric.contains(&i) {
            q[i].insert(Q::BedsPsychiatric, beds);
        } else if fs[i].kind == T::GeneralHospital && fs[i].grade.is_secondary_or_above() {
            q[i].insert(Q::BedsIcu, beds / 50);
            q[i].insert(Q::BedsRehabilitation, beds / 25);
            q[i].insert(Q::BedsPsychiatric, beds / 40);
            q[i].insert(Q::BedsInfectious, beds / 30);
        } else if fs[i].kind == T::TcmHospital {
            q[i].insert(Q::BedsRehabilitation, beds / 10);
        }
    }

    // Doctors and nurses: fixed staffing outside hospitals, hospitals the rest by beds.
    let (mut fixed_doctors, mut fixed_nurses) = (0, 0);
    for (i, f) in fs.iter().enumerate() {
        let (d, nn) = match f.kind {
            T::Clinic => (1, 1),
            T::CommunityHealthCentre => (14, 12),
            T::TownshipHealthCentre => (10, 9),
            T::VillageClinic => (0, 0),
            T::Cdc => (12, 4),
            T::MaternalChildHealth => (30, 45),
            T::HealthSupervision => (8, 0),
            _ => (0, 0),
        };
        // staffing varies from one institution to the next, as it does
        let (d, nn) = if d > 1 {
            (
                (d as f64 * rng.range(0.6, 1.6)).round() as u64,
                (nn as f64 * rng.range(0.6, 1.6)).round() as u64,
            )
        } else {
            (d, nn)
        };
        q[i].insert(Q::LicensedDoctors, d);
        q[i].insert(Q::RegisteredNurses, nn);
        fixed_doctors += d;
        fixed_nurses += nn;
    }
    let bed_weights: Vec<f64> = hospitals
        .iter()
        .map(|&i| get(&q[i], Q::Beds) as f64 + 1.0)
        .collect();
    let hospital_doctors = t
        .doctors
        .checked_sub(fixed_doctors)
        .expect("the district's doctors cover its fixed staffing");
    let hospital_nurses = t
        .nurses
        .checked_sub(fixed_nurses)
        .expect("the district's nurses cover its fixed staffing");
    for ((&i, d), nn) in hospitals
        .iter()
        .zip(allocate(hospital_doctors, &bed_weights))
        .zip(allocate(hospital_nurses, &bed_weights))
    {
        q[i].insert(Q::LicensedDoctors, d);
        q[i].insert(Q::RegisteredNurses, nn);
    }
    for m in q.iter_mut() {
        let d = get(m, Q::LicensedDoctors);
        let assistant = (d as f64 * 0.12).round() as u64;
        m.insert(Q::LicensedDoctors, d - assistant);
        m.insert(Q::AssistantDoctors, assistant);
    }

    // Specialists, each a share of a facility's doctors, totals exact.
    let capped = |q: &[BTreeMap<Q, u64>], total: u64, weight: &dyn Fn(usize) -> f64| {
        let weights: Vec<f64> = (0..n).map(weight).collect();
        let caps: Vec<u64> = (0..n)
            .map(|i| if weights[i] > 0.0 { doctors(&q[i]) } else { 0 })
            .collect();
        allocate_capped(total, &weights, &caps)
    };
    let gps = capped(&q, t.gps, &|i| match fs[i].kind {
        T::TownshipHealthCentre | T::CommunityHealthCentre => 10.0,
        T::Clinic => 0.5,
        k if k.family() == InstitutionFamily::Hospital => doctors(&q[i]) as f64 * 0.02,
        _ => 0.0,
    });
    // how much of the district's TCM workforce its TCM hospital holds varies by district
    let tcm_hospital_share = rng.range(0.15, 0.45);
    let tcm = capped(&q, t.tcm_doctors, &|i| match fs[i].kind {
        T::TcmHospital => doctors(&q[i]) as f64 * tcm_hospital_share,
        T::TownshipHealthCentre | T::CommunityHealthCentre => 2.0,
        T::Clinic => 0.4,
        k if k.family() == InstitutionFamily::Hospital => doctors(&q[i]) as f64 * 0.05,
        _ => 0.0,
    });
    let psychiatrists = capped(&q, t.psychiatrists, &|i| {
        if psychiatric.contains(&i) {
            doctors(&q[i]) as f64
        } else if secondary_general.contains(&i) {
            doctors(&q[i]) as f64 * 0.02
        } else {
            0.0
        }
    });
    let secondary: Vec<usize> = hospitals
        .iter()
        .copied()
        .filter(|&i| fs[i].grade.is_secondary_or_above())
        .collect();
    let clinical = capped(&q, t.clinical_pharmacists, &|i| {
        if secondary.contains(&i) {
            get(&q[i], Q::Beds) as f64
        } else {
            0.0
        }
    });
    let doctor_weights: Vec<f64> = q.iter().map(|m| doctors(m) as f64).collect();
    let pharmacists = allocate(
        (t.residents as f64 * 0.00042).round() as u64,
        &doctor_weights,
    );
    for i in 0..n {
        let m = &mut q[i];
        m.insert(Q::GeneralPractitioners, gps[i]);
        m.insert(Q::TcmDoctors, tcm[i]);
        m.insert(Q::Psychiatrists, psychiatrists[i]);
        m.insert(Q::ClinicalPharmacists, clinical[i]);
        m.insert(Q::Pharmacists, pharmacists[i].max(clinical[i]));
        let paediatric = match fs[i].kind {
            T::GeneralHospital => 0.05,
            T::MaternalChildHealth => 0.3,
            _ => 0.0,
        };
        m.insert(
            Q::Paediatricians,
            (doctors(m) as f64 * paediatric).round() as u64,
        );
        let village_doctors = if fs[i].kind == T::VillageClinic {
            1 + rng.next_u64() % 2
        } else {
            0
        };
        m.insert(Q::VillageDoctors, village_doctors);
        let core = doctors(m) + get(m, Q::RegisteredNurses) + get(m, Q::Pharmacists);
        let technical = core + core / 10;
        m.insert(Q::StaffHealthTechnical, technical);
        m.insert(Q::StaffTotal, technical + technical / 5 + village_doctors);
    }
    q[mch].insert(Q::ChildcarePlaces, t.childcare_places);
    for (i, per_10k) in [(cdc, 0.8), (mch, 4.0), (sup, 0.5)] {
        let total = (t.residents as f64 / 10_000.0 * per_10k).round() as u64;
        let total = total.max(get(&q[i], Q::StaffHealthTechnical));
        q[i].insert(Q::StaffTotal, total);
        q[i].insert(Q::PublicHealthStaff, total);
    }
    for &i in &centres {
        q[i].insert(Q::PublicHealthPhysicians, 1);
        q[i].insert(Q::SeniorGeneralPractitioners, 1);
    }
    // Ambulances, stays, visits, large equipment.
    let stay = rng.range(8.0, 10.5);
    for &i in &hospitals {
        let beds = get(&q[i], Q::Beds);
        if fs[i].kind == T::GeneralHospital && fs[i].grade.is_secondary_or_above() {
            q[i].insert(Q::Ambulances, 2 + beds / 150);
        }
        let bed_days = (beds as f64 * 365.0 * rng.range(0.55, 0.7)).round() as u64;
        q[i].insert(Q::InpatientBedDays, bed_days);
        q[i].insert(Q::Discharges, (bed_days as f64 / stay).round() as u64);
        if fs[i].grade.tier() == Some(Tier::Tier3) {
            q[i].insert(Q::Ct64Plus, 1);
            q[i].insert(Q::Mr15TPlus, 1);
        }
    }
    q[mch].insert(Q::Ambulances, 1);
    if let Some(&first) = secondary_general.first() {
        q[first].insert(Q::AmbulancesNegativePressure, 1);
    }
    for (i, m) in q.iter_mut().enumerate() {
        let visits = doctors(m) * 2500 + u64::from(fs[i].kind == T::VillageClinic) * 3000;
        m.insert(Q::OutpatientVisits, visits);
    }

    // Departments.
    let infectious_2020 = p.infectious_2020.min(secondary_general.len());
    for (k, &i) in secondary_general.iter().enumerate() {
        caps[i].push(C::Emergency);
        if k < geriatrics_2020 {
            caps[i].push(C::Geriatrics);
        }
        if k < infectious_2020 {
            caps[i].extend([C::InfectiousDiseaseDept, C::FeverClinic]);
        }
    }
    for (k, &i) in centres.iter().enumerate() {
        caps[i].extend([C::StandardisedPrimaryCare, C::PublicHealthDept]);
        if k % 10 != 3 {
            caps[i].push(C::TcmHall);
        }
        if k % 4 == 0 {
            caps[i].push(C::FeverRoom);
        }
    }
    for &i in &hospitals {
        if fs[i].kind == T::TcmHospital {
            caps[i].extend([C::PreventiveTreatment, C::Rehabilitation]);
        }
    }
    for &i in &psychiatric {
        caps[i].push(C::MentalHealthDept);
    }

    let calibrated = Calibrated {
        quantities: q,
        capabilities: caps,
        secondary_general,
        centres,
        infectious_2020,
        geriatrics_2020,
        openings: p.openings,
        growth_scale: p.resource_growth,
        childcare_growth: p.childcare_growth,
    };
    out.facility_years = trajectories(&fs, &calibrated);
    out.geometries = schematic_geometry(p.county, p.area, &streets, &towns, &villages, seed);
    configuration_details(&fs, &mut out.facility_years, seed ^ p.county.get());
    place_facilities(&mut fs, &out.geometries, seed ^ p.county.get());
    out.facilities = fs;
    out
}

/// The 2020 totals of a generated registry, summed over `county`'s subtree.
pub fn totals_2020(r: &SyntheticRegistry, county: AdminCode) -> Totals {
    let y = Year::new(2020).expect("year");
    let inside: std::collections::BTreeSet<&FacilityId> = r
        .facilities
        .iter()
        .filter(|f| f.unit == county || f.unit.is_descendant_of(county))
        .map(|f| &f.id)
        .collect();
    let mut t = Totals {
        residents: r
            .population
            .iter()
            .filter(|p| p.year == y && p.unit.level() == AdminLevel::Village)
            .filter(|p| p.unit.is_descendant_of(county))
            .map(|p| p.resident.0)
            .sum(),
        ..Totals::default()
    };
    for fy in r
        .facility_years
        .iter()
        .filter(|fy| fy.year == y && inside.contains(&fy.facility))
    {
        let g = |k: Q| fy.get(k).map_or(0, |c| c.0);
        t.beds += g(Q::Beds);
        t.doctors += g(Q::LicensedDoctors) + g(Q::AssistantDoctors);
        t.nurses += g(Q::RegisteredNurses);
        t.gps += g(Q::GeneralPractitioners);
        t.tcm_doctors += g(Q::TcmDoctors);
        t.clinical_pharmacists += g(Q::ClinicalPharmacists);
        t.childcare_places += g(Q::ChildcarePlaces);
        t.psychiatrists += g(Q::Psychiatrists);
    }
    t
}

/// Secondary-or-above general hospitals of `county` in 2020, and how many have a
/// geriatrics department.
pub fn geriatrics_2020(r: &SyntheticRegistry, county: AdminCode) -> (usize, usize) {
    let y = Year::new(2020).expect("year");
    let mut all = 0;
    let mut with = 0;
    for f in r.facilities.iter().filter(|f| {
        (f.unit == county || f.unit.is_descendant_of(county))
            && f.kind == T::GeneralHospital
            && f.grade.is_secondary_or_above()
    }) {
        all += 1;
        if r.facility_years.iter().any(|fy| {
            fy.facility == f.id && fy.year == y && fy.capabilities.contains(&C::Geriatrics)
        }) {
            with += 1;
        }
    }
    (all, with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_allocation_is_exact_and_respects_caps() {
        let out = allocate_capped(10, &[1.0, 1.0, 1.0], &[1, 10, 10]);
        assert_eq!(out.iter().sum::<u64>(), 10);
        assert!(out[0] <= 1);
        assert_eq!(allocate_capped(3, &[5.0, 0.0], &[2, 5]), vec![2, 1]);
        assert_eq!(allocate_capped(0, &[1.0], &[0]), vec![0]);
    }

    #[test]
    #[should_panic(expected = "exceeds")]
    fn capped_allocation_refuses_the_impossible() {
        allocate_capped(5, &[1.0, 1.0], &[1, 1]);
    }
}
