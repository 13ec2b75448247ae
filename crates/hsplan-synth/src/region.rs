//! The whole demo region: all 38 districts of Chongqing and Leshan's Shizhong district,
//! each with a **synthetic**, seeded registry calibrated to what its plan publishes for 2020.
//!
//! - Beibei: [`crate::beibei`] (its 专栏1 2020 column, as before).
//! - Tongliang: its 专栏1 2020 column (执业（助理）医师 2.85 per 1,000, 托位 1.03 per 1,000,
//!   老年医学科 66.67 % of secondary-or-above general hospitals).
//! - Dadukou: the institutions its text names (重钢总医院, 区人民医院, 区中医院, 重医附属康复医院,
//!   万家燕医院, 红楼医院), no mental-health centre and fewer than 4 tertiary hospitals yet.
//! - Leshan Shizhong: its text (8,433 beds, 8 beds, 2.77 doctors and 4.06 nurses per 1,000,
//!   5 general and 13 specialised secondary-or-above hospitals, 587 institutions).
//! - The other 35 districts share what is left of the municipal totals, so that the whole
//!   municipality reproduces Chongqing's 专栏1 2020 column (2.77 doctors per 1,000, 0.35
//!   clinical pharmacists per 100 beds, 1.03 childcare places per 1,000, 47.65 % of
//!   secondary-or-above general hospitals with geriatrics) and its text (3.41 nurses per
//!   1,000, 3.12 GPs per 10,000), with Beibei, Tongliang and Dadukou as consistent parts.
//!
//! Where a plan states no population the generator assumes one ([`Assumed`]); so it does
//! for densities no plan states. Those 35 districts carry hospitals, health centres and
//! public-health institutions only (no village clinics or private clinics), to keep the
//! demo small.

use crate::district::{HospitalSpec, Profile, Totals, generate, geriatrics_2020, totals_2020};
use crate::{
    Note, Openings, Rng, SCHEMATIC_BOX, SyntheticRegistry, allocate, rectangle, split_box,
};
use hsplan_model::{
    AdminCode, AdminLevel, AdminUnit, InstitutionType as T, Ownership, Specialty, UnitGeometry,
    UnitKind,
};
use std::collections::BTreeMap;

/// Values the calibration needs and no seed states — assumptions of the synthetic registry.
pub mod assumed {
    /// Chongqing's residents in 2020 (the 7th census total; the municipal plan states none).
    pub const CHONGQING_RESIDENTS: u64 = 32_054_159;
    /// Chongqing's beds per 1,000 residents in 2020.
    pub const CHONGQING_BEDS_PER_1000: f64 = 7.3;
    /// Chongqing's TCM doctors per 1,000 residents in 2020.
    pub const CHONGQING_TCM_PER_1000: f64 = 0.7;
    /// Chongqing's psychiatrists per 100,000 residents in 2020.
    pub const CHONGQING_PSYCHIATRISTS_PER_100K: f64 = 4.5;
    /// Tongliang's residents in 2020.
    pub const TONGLIANG_RESIDENTS: u64 = 686_000;
    /// Dadukou's residents in 2020.
    pub const DADUKOU_RESIDENTS: u64 = 422_000;
    /// Leshan Shizhong's residents in 2020: its 8,433 beds at 8 per 1,000, with 2.77
    /// doctors and 4.06 nurses per 1,000 all holding to the published precision.
    pub const LESHAN_SHIZHONG_RESIDENTS: u64 = 1_054_100;
}

/// Chongqing's code.
pub const CHONGQING: &str = "50";
/// Beibei's code.
pub const BEIBEI: &str = "500109";
/// Tongliang's code.
pub const TONGLIANG: &str = "500151";
/// Dadukou's code.
pub const DADUKOU: &str = "500104";
/// Leshan Shizhong's code.
pub const LESHAN_SHIZHONG: &str = "511102";

/// Box of the municipality's schematic map (west, south, east, north); Beibei's box lies
/// inside it. Synthetic.
pub const CHONGQING_BOX: [f64; 4] = [105.28, 28.16, 110.20, 32.20];
/// Box of Leshan Shizhong's schematic map. Synthetic.
pub const LESHAN_SHIZHONG_BOX: [f64; 4] = [103.55, 29.42, 103.92, 29.72];

/// The published (or assumed) 2020 municipal totals the 38 districts add up to.
pub fn chongqing_totals() -> Totals {
    let r = assumed::CHONGQING_RESIDENTS;
    let per = |rate: f64, base: f64| (rate * r as f64 / base).round() as u64;
    let beds = per(assumed::CHONGQING_BEDS_PER_1000, 1000.0);
    Totals {
        residents: r,
        beds,
        doctors: per(2.77, 1000.0),
        nurses: per(3.41, 1000.0),
        gps: per(3.12, 10_000.0),
        tcm_doctors: per(assumed::CHONGQING_TCM_PER_1000, 1000.0),
        clinical_pharmacists: (0.35 * beds as f64 / 100.0).round() as u64,
        childcare_places: per(1.03, 1000.0),
        psychiatrists: per(assumed::CHONGQING_PSYCHIATRISTS_PER_100K, 100_000.0),
    }
}

/// Secondary-or-above general hospitals of the municipality in 2020, and how many have a
/// geriatrics department: 81 of 170 = 47.65 %.
pub const CHONGQING_GERIATRICS: (usize, usize) = (170, 81);

fn code(text: &str) -> AdminCode {
    AdminCode::parse(text).expect("valid code")
}

fn totals(residents: u64, beds: f64, doctors: f64, nurses: f64, gps_10k: f64) -> Totals {
    let per = |rate: f64, base: f64| (rate * residents as f64 / base).round() as u64;
    let beds = per(beds, 1000.0);
    Totals {
        residents,
        beds,
        doctors: per(doctors, 1000.0),
        nurses: per(nurses, 1000.0),
        gps: per(gps_10k, 10_000.0),
        tcm_doctors: per(0.55, 1000.0),
        clinical_pharmacists: (0.3 * beds as f64 / 100.0).round() as u64,
        childcare_places: per(0.8, 1000.0),
        psychiatrists: per(3.0, 100_000.0),
    }
}

fn gov(name: &str, kind: T, grade: &'static str, weight: f64) -> HospitalSpec {
    HospitalSpec::new(name, kind, grade, Ownership::Government, weight)
}

fn private(name: &str, kind: T, grade: &'static str, weight: f64) -> HospitalSpec {
    HospitalSpec::new(name, kind, grade, Ownership::Private, weight)
}

/// Tongliang, calibrated to its 专栏1 2020 column; institutions its text names.
pub fn tongliang_profile(area: [f64; 4]) -> Profile {
    let mut t = totals(assumed::TONGLIANG_RESIDENTS, 6.5, 2.85, 3.2, 3.0);
    t.childcare_places = (1.03 * assumed::TONGLIANG_RESIDENTS as f64 / 1000.0).round() as u64;
    let g = T::GeneralHospital;
    Profile {
        county: code(TONGLIANG),
        name: "铜梁区".into(),
        id_prefix: "SYN500151-".into(),
        totals: t,
        // 4 of 6 secondary-or-above general hospitals with geriatrics (66.67 %).
        hospitals: vec![
            gov("铜梁区人民医院", g, "3b", 1.0).with_geriatrics(),
            gov("铜梁区中医院", T::TcmHospital, "3a", 0.8),
            gov("铜梁区第二人民医院", g, "2", 0.3).with_geriatrics(),
            gov("铜梁区第三人民医院", g, "2", 0.25),
            private("铜仁医院", g, "2", 0.3).with_geriatrics(),
            private("民营二级综合医院1", g, "2", 0.15).with_geriatrics(),
            private("民营二级综合医院2", g, "2", 0.12),
            gov("铜梁区精神卫生中心", T::SpecialisedHospital, "2", 0.3)
                .specialised(Specialty::Psychiatric),
            private("民营专科医院1", T::SpecialisedHospital, "ungraded", 0.08)
                .specialised(Specialty::Stomatology),
            private("民营专科医院2", T::SpecialisedHospital, "ungraded", 0.08)
                .specialised(Specialty::Ophthalmology),
        ],
        village_clinics: true,
        clinics: 120,
        population_growth: 0.003,
        resource_growth: 1.1,
        infectious_2020: 2,
        openings: Openings {
            geriatrics: 0.5,
            infectious: 1.0,
        },
        childcare_growth: 1.2,
        area,
    }
}

/// Dadukou: the institutions its text names; no mental-health centre yet.
pub fn dadukou_profile(area: [f64; 4]) -> Profile {
    let mut t = totals(assumed::DADUKOU_RESIDENTS, 6.8, 3.0, 3.9, 3.0);
    t.clinical_pharmacists = (0.4 * t.beds as f64 / 100.0).round() as u64;
    let g = T::GeneralHospital;
    let s = T::SpecialisedHospital;
    Profile {
        county: code(DADUKOU),
        name: "大渡口区".into(),
        id_prefix: "SYN500104-".into(),
        totals: t,
        hospitals: vec![
            HospitalSpec::new("重钢总医院", g, "3b", Ownership::OtherPublic, 1.0).with_geriatrics(),
            gov("大渡口区人民医院", g, "2", 0.6).with_geriatrics(),
            gov("大渡口区中医院", T::TcmHospital, "2", 0.4),
            HospitalSpec::new("重医附属康复医院", s, "3", Ownership::Government, 0.6)
                .specialised(Specialty::Rehabilitation),
            private("重庆万家燕医院", g, "2", 0.3),
            private("重庆红楼医院", s, "2", 0.2).specialised(Specialty::Other),
        ],
        village_clinics: true,
        clinics: 60,
        population_growth: 0.006,
        resource_growth: 0.9,
        infectious_2020: 1,
        openings: Openings {
            geriatrics: 0.25,
            infectious: 0.5,
        },
        childcare_growth: 1.15,
        area,
    }
}

/// Leshan Shizhong, calibrated to its text (8,433 beds; 8 beds, 2.77 doctors and 4.06
/// nurses per 1,000; 5 general and 13 specialised secondary-or-above hospitals; 587
/// institutions in all).
pub fn leshan_shizhong_profile(units: &[AdminUnit]) -> Profile {
    let residents = assumed::LESHAN_SHIZHONG_RESIDENTS;
    let mut t = totals(residents, 8.0, 2.77, 4.06, 3.2);
    t.beds = 8433;
    t.clinical_pharmacists = (0.4 * t.beds as f64 / 100.0).round() as u64;
    t.psychiatrists = (4.0 * residents as f64 / 100_000.0).round() as u64;
    let g = T::GeneralHospital;
    let s = T::SpecialisedHospital;
    let mut hospitals = vec![
        gov("市中区人民医院", g, "2a", 0.8).with_geriatrics(),
        HospitalSpec::new("综合医院1", g, "3a", Ownership::Government, 1.6).with_geriatrics(),
        HospitalSpec::new("综合医院2", g, "3b", Ownership::OtherPublic, 1.0),
        private("综合医院3", g, "2", 0.4),
        private("综合医院4", g, "2", 0.3),
        gov("市中区中医医院", T::TcmHospital, "3b", 0.8),
    ];
    for (i, specialty) in [
        Specialty::Psychiatric,
        Specialty::ObstetricsGynaecology,
        Specialty::Paediatric,
        Specialty::Stomatology,
        Specialty::Ophthalmology,
        Specialty::Rehabilitation,
        Specialty::Orthopaedic,
        Specialty::Oncology,
        Specialty::InfectiousDisease,
        Specialty::Cardiovascular,
        Specialty::Other,
        Specialty::Other,
        Specialty::Other,
    ]
    .into_iter()
    .enumerate()
    {
        let weight = if specialty == Specialty::Psychiatric {
            0.5
        } else {
            0.15
        };
        let ownership = if i < 3 {
            Ownership::Government
        } else {
            Ownership::Private
        };
        hospitals.push(
            HospitalSpec::new(format!("二级专科医院{}", i + 1), s, "2", ownership, weight)
                .specialised(specialty),
        );
    }
    let county = code(LESHAN_SHIZHONG);
    let parts = crate::district::parts(units, county);
    let rural = parts
        .villages
        .iter()
        .filter(|v| v.kind == Some(UnitKind::Village))
        .count();
    // 587 institutions: hospitals, 3 public-health institutions, a centre per town and
    // street, a clinic per village; private clinics the rest.
    let fixed = hospitals.len() + 3 + parts.towns.len() + parts.streets.len() + rural;
    Profile {
        county,
        name: "市中区".into(),
        id_prefix: "SYN511102-".into(),
        totals: t,
        hospitals,
        village_clinics: true,
        clinics: 587usize.saturating_sub(fixed),
        population_growth: 0.004,
        resource_growth: 1.2,
        infectious_2020: 2,
        openings: Openings {
            geriatrics: 0.5,
            infectious: 0.5,
        },
        childcare_growth: 1.2,
        area: LESHAN_SHIZHONG_BOX,
    }
}

/// Lays the counties out on the municipality's schematic map: Beibei keeps its box, the
/// others fill the four bands around it, each band split by the counties' weights.
fn layout(counties: &[(AdminCode, f64)]) -> BTreeMap<AdminCode, [f64; 4]> {
    let [w, s, e, n] = CHONGQING_BOX;
    let [bw, bs, be, bn] = SCHEMATIC_BOX;
    let beibei = code(BEIBEI);
    let bands = [
        [w, s, bw, n],   // west
        [be, s, e, n],   // east
        [bw, s, be, bs], // south
        [bw, bn, be, n], // north
    ];
    let area = |b: &[f64; 4]| (b[2] - b[0]) * (b[3] - b[1]);
    let band_areas: Vec<f64> = bands.iter().map(area).collect();
    let others: Vec<(AdminCode, f64)> = counties
        .iter()
        .copied()
        .filter(|(c, _)| *c != beibei)
        .collect();
    // How many counties each band holds: by its area, at least one.
    let mut counts = allocate(others.len() as u64 - 4, &band_areas);
    for c in &mut counts {
        *c += 1;
    }
    let mut out = BTreeMap::new();
    out.insert(beibei, SCHEMATIC_BOX);
    let mut at = 0;
    for (band, count) in bands.iter().zip(counts) {
        let members = &others[at..at + count as usize];
        at += count as usize;
        let items: Vec<(usize, f64)> = members
            .iter()
            .enumerate()
            .map(|(i, (_, wt))| (i, *wt))
            .collect();
        let mut boxes = Vec::new();
        split_box(*band, &items, &mut boxes);
        for (i, b) in boxes {
            out.insert(members[i].0, b);
        }
    }
    out
}

/// The other 35 districts' profiles: what is left of the municipal totals after `known`,
/// split by population weights.
fn other_profiles(
    units: &[AdminUnit],
    counties: &[&AdminUnit],
    known: Totals,
    known_geriatrics: (usize, usize),
    boxes: &BTreeMap<AdminCode, [f64; 4]>,
    seed: u64,
) -> Vec<Profile> {
    let mut rng = Rng(seed ^ 0x6f74_6865_7273);
    let rest = chongqing_totals() - known;
    let n = counties.len();
    let size: Vec<f64> = counties
        .iter()
        .map(|c| {
            let p = crate::district::parts(units, c.code);
            p.villages
                .iter()
                .map(|v| {
                    if v.kind == Some(UnitKind::Community) {
                        2.5
                    } else {
                        1.0
                    }
                })
                .sum::<f64>()
                * rng.range(0.8, 1.25)
        })
        .collect();
    let residents = allocate(rest.residents, &size);
    // Resources follow residents, each district richer or poorer at random.
    let mut share = |spread: f64| -> Vec<f64> {
        residents
            .iter()
            .map(|&r| r as f64 * rng.range(1.0 - spread, 1.0 + spread))
            .collect()
    };
    let beds = allocate(rest.beds, &share(0.25));
    let doctors = allocate(rest.doctors, &share(0.2));
    let nurses = allocate(rest.nurses, &share(0.2));
    let gps = allocate(rest.gps, &share(0.3));
    let tcm = allocate(rest.tcm_doctors, &share(0.3));
    let clinical = allocate(rest.clinical_pharmacists, &share(0.5));
    let childcare = allocate(rest.childcare_places, &share(0.5));
    let psychiatrists = allocate(rest.psychiatrists, &share(0.3));
    // Secondary-or-above general hospitals: 2 each, the rest by residents; geriatrics
    // departments in proportion, never more than a district's hospitals.
    let (all, with) = CHONGQING_GERIATRICS;
    let general_left = all - known_geriatrics.0;
    let geriatrics_left = with - known_geriatrics.1;
    let weights: Vec<f64> = residents.iter().map(|&r| r as f64).collect();
    let general: Vec<u64> = allocate((general_left - 2 * n) as u64, &weights)
        .into_iter()
        .map(|k| k + 2)
        .collect();
    let g_weights: Vec<f64> = general
        .iter()
        .map(|&k| k as f64 * rng.range(0.5, 1.5))
        .collect();
    let geriatrics = crate::district::allocate_capped(geriatrics_left as u64, &g_weights, &general);
    let g = T::GeneralHospital;
    counties
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let big = residents[i] > 800_000;
            let mut hospitals = vec![gov(
                &format!("{}人民医院", c.name),
                g,
                if big { "3a" } else { "2a" },
                1.0,
            )];
            for k in 1..general[i] as usize {
                let name = format!("{}第{}综合医院", c.name, k + 1);
                hospitals.push(if k < 3 {
                    gov(&name, g, "2", 0.35)
                } else {
                    private(&name, g, "2", 0.1)
                });
            }
            for h in hospitals.iter_mut().take(geriatrics[i] as usize) {
                h.geriatrics = true;
            }
            hospitals.push(gov(
                &format!("{}中医院", c.name),
                T::TcmHospital,
                if big { "3a" } else { "2a" },
                0.6,
            ));
            hospitals.push(
                gov(
                    &format!("{}精神卫生中心", c.name),
                    T::SpecialisedHospital,
                    "2",
                    0.25,
                )
                .specialised(Specialty::Psychiatric),
            );
            hospitals.push(private(&format!("{}民营医院", c.name), g, "ungraded", 0.1));
            Profile {
                county: c.code,
                name: c.name.clone(),
                id_prefix: format!("SYN{}-", c.code),
                totals: Totals {
                    residents: residents[i],
                    beds: beds[i],
                    doctors: doctors[i],
                    nurses: nurses[i],
                    gps: gps[i],
                    tcm_doctors: tcm[i],
                    clinical_pharmacists: clinical[i],
                    childcare_places: childcare[i],
                    psychiatrists: psychiatrists[i],
                },
                hospitals,
                village_clinics: false,
                clinics: 0,
                population_growth: rng.range(-0.004, 0.012),
                resource_growth: rng.range(0.6, 1.4),
                infectious_2020: (general[i] as usize * 3).div_ceil(10),
                openings: Openings {
                    geriatrics: rng.range(0.15, 0.45),
                    infectious: rng.range(0.2, 0.6),
                },
                childcare_growth: rng.range(1.08, 1.2),
                area: boxes.get(&c.code).copied().unwrap_or(CHONGQING_BOX),
            }
        })
        .collect()
}

/// Appends one registry to another.
fn extend(into: &mut SyntheticRegistry, from: SyntheticRegistry) {
    into.population.extend(from.population);
    into.facilities.extend(from.facilities);
    into.facility_years.extend(from.facility_years);
    into.notes.extend(from.notes);
    into.faults.extend(from.faults);
    into.geometries.extend(from.geometries);
}

/// The whole demo region's registry: Chongqing's 38 districts (in `chongqing`, its NBS
/// hierarchy) and Leshan Shizhong (in `leshan`, Leshan city's hierarchy).
pub fn demo_region(chongqing: &[AdminUnit], leshan: &[AdminUnit], seed: u64) -> SyntheticRegistry {
    let counties: Vec<&AdminUnit> = chongqing
        .iter()
        .filter(|u| u.level() == AdminLevel::County)
        .collect();
    let weights: Vec<(AdminCode, f64)> = counties
        .iter()
        .map(|c| {
            let towns = chongqing
                .iter()
                .filter(|u| u.level() == AdminLevel::Town && u.code.is_descendant_of(c.code))
                .count();
            (c.code, towns.max(1) as f64)
        })
        .collect();
    let boxes = layout(&weights);
    let box_of = |c: &str| boxes[&code(c)];
    let mut out = crate::beibei(chongqing, seed);
    let tongliang = generate(chongqing, &tongliang_profile(box_of(TONGLIANG)), seed);
    let dadukou = generate(chongqing, &dadukou_profile(box_of(DADUKOU)), seed);
    let mut known = totals_2020(&out, code(BEIBEI));
    let mut known_geriatrics = geriatrics_2020(&out, code(BEIBEI));
    for (r, c) in [(&tongliang, TONGLIANG), (&dadukou, DADUKOU)] {
        known = known + totals_2020(r, code(c));
        let (a, b) = geriatrics_2020(r, code(c));
        known_geriatrics = (known_geriatrics.0 + a, known_geriatrics.1 + b);
    }
    extend(&mut out, tongliang);
    extend(&mut out, dadukou);
    let others: Vec<&AdminUnit> = counties
        .iter()
        .copied()
        .filter(|c| ![BEIBEI, TONGLIANG, DADUKOU].map(code).contains(&c.code))
        .collect();
    for p in other_profiles(chongqing, &others, known, known_geriatrics, &boxes, seed) {
        extend(&mut out, generate(chongqing, &p, seed));
    }
    out.geometries.push(UnitGeometry {
        code: code(CHONGQING),
        point: None,
        boundary: Some(rectangle(CHONGQING_BOX)),
    });
    extend(
        &mut out,
        generate(leshan, &leshan_shizhong_profile(leshan), seed),
    );
    out.notes.push(Note {
        zh: "演示区域各区县的登记数据均为合成数据：按各规划公布的2020年数值校准；规划未公布的人口和指标取假设值。".into(),
        en: "Every district's registry in the demo region is synthetic: calibrated to the 2020 values each plan publishes; populations and rates no plan states are assumptions.".into(),
    });
    out
}
