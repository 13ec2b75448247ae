//! # hsplan-synth — the synthetic Beibei registry behind the demo
//!
//! Owns the committed, seeded generator of the demo region's population and
//! facility registry for 2020–2024. **Everything it makes is synthetic** and is
//! labelled so wherever shown; only the administrative units are real.
//!
//! The 2020 registry is calibrated so that the indicators computed from it
//! reproduce the 2020 column of Beibei's 专栏1 to the published precision, and the
//! institution counts by type stated in the plan (478 institutions). Where the
//! seed's own 2020 values cannot all hold at once, the generator keeps the
//! underlying counts and lists the conflict in [`SyntheticRegistry::notes`].
//!
//! [`national`] makes a national-scale synthetic system for benchmarks.
//!
//! Must not: read files, touch the store, or depend on anything but the model (and the
//! evaluation crate's column layout, for the benchmark).

use hsplan_model::{
    AdminCode, AdminLevel, AdminUnit, AgeBands, Capability as C, Count, Facility, FacilityId,
    FacilityYear, Grade, InstitutionType as T, Labelled, Ownership, Persons, PopulationRecord,
    PopulationSource, Quantity as Q, ServiceSystem, Specialty, UnitGeometry, UnitKind, Year,
};
use hsplan_model::{LonLat, MultiPolygon};
use std::collections::BTreeMap;

pub mod district;
pub mod national;
pub mod region;

/// Box of the schematic map: west, south, east, north (degrees); about 755 km². Synthetic.
pub const SCHEMATIC_BOX: [f64; 4] = [106.30, 29.75, 106.58, 30.00];

/// A rectangle as a closed ring.
fn rectangle([w, s, e, n]: [f64; 4]) -> MultiPolygon {
    let p = |lon, lat| LonLat::new(lon, lat).expect("inside the schematic box");
    MultiPolygon(vec![vec![vec![
        p(w, s),
        p(e, s),
        p(e, n),
        p(w, n),
        p(w, s),
    ]]])
}

/// Splits `area` among `weights` (indices into the caller's list) by recursive halving
/// along the longer side, so rectangles stay compact.
fn split_box(area: [f64; 4], items: &[(usize, f64)], out: &mut Vec<(usize, [f64; 4])>) {
    match items {
        [] => {}
        [(i, _)] => out.push((*i, area)),
        _ => {
            let total: f64 = items.iter().map(|x| x.1).sum();
            let (mut k, mut acc) = (0, 0.0);
            while k < items.len() - 1 && acc + items[k].1 <= total / 2.0 {
                acc += items[k].1;
                k += 1;
            }
            let k = k.max(1);
            let share = items[..k].iter().map(|x| x.1).sum::<f64>() / total;
            let [w, s, e, n] = area;
            let wide = (e - w) * (s.to_radians().cos()) > (n - s);
            let (a, b) = if wide {
                let x = w + (e - w) * share;
                ([w, s, x, n], [x, s, e, n])
            } else {
                let y = s + (n - s) * share;
                ([w, s, e, y], [w, y, e, n])
            };
            split_box(a, &items[..k], out);
            split_box(b, &items[k..], out);
        }
    }
}

/// Details the standards check looks at and no calibrated indicator uses: which village
/// clinics meet the standardisation standard, negative-pressure rooms in infectious-disease
/// departments. Its own random stream, so the calibrated registry does not change; a few
/// shortfalls are left on purpose so the demo's standards check has something to locate.
fn configuration_details(facilities: &[Facility], years: &mut [FacilityYear], seed: u64) {
    let mut rng = Rng(seed ^ 0x7374_6463);
    let mut standardised = BTreeMap::new();
    let mut rooms = BTreeMap::new();
    for f in facilities {
        if f.kind == T::VillageClinic {
            standardised.insert(f.id.clone(), rng.range(0.0, 1.0) < 0.93);
        }
        if matches!(f.kind, T::GeneralHospital | T::TcmHospital) && f.grade.is_secondary_or_above()
        {
            // 0–6 rooms: some below the 2-room minimum.
            rooms.insert(f.id.clone(), (rng.range(0.0, 7.0)) as u64);
        }
    }
    for fy in years.iter_mut() {
        if standardised.get(&fy.facility) == Some(&true) {
            fy.capabilities.insert(C::StandardisedPrimaryCare);
        }
        if let Some(n) = rooms.get(&fy.facility)
            && fy.capabilities.contains(&C::InfectiousDiseaseDept)
        {
            fy.quantities.insert(Q::NegativePressureRooms, Count(*n));
        }
    }
}

/// Puts each facility near the point of its unit (its village, or its town's centre) on the
/// schematic map, within about 300 m. Synthetic, like the map.
fn place_facilities(facilities: &mut [Facility], geometries: &[UnitGeometry], seed: u64) {
    let mut rng = Rng(seed ^ 0x706c_6163);
    let points: BTreeMap<AdminCode, LonLat> = geometries
        .iter()
        .filter_map(|g| Some((g.code, g.point?)))
        .collect();
    for f in facilities.iter_mut() {
        let Some(p) = points
            .get(&f.unit)
            .or_else(|| f.unit.parent().and_then(|t| points.get(&t)))
        else {
            continue;
        };
        f.location = LonLat::new(
            p.lon() + rng.range(-0.003, 0.003),
            p.lat() + rng.range(-0.0027, 0.0027),
        )
        .ok();
    }
}

/// The schematic map of the demo district (see [`SyntheticRegistry::geometries`]).
fn schematic_geometry(
    county: AdminCode,
    area: [f64; 4],
    streets: &[&AdminUnit],
    towns: &[&AdminUnit],
    villages: &[&AdminUnit],
    seed: u64,
) -> Vec<UnitGeometry> {
    // Its own stream, so the registry above does not change with the map.
    let mut rng = Rng(seed ^ 0x6D61_7073);
    let mut parts: Vec<(&AdminUnit, f64)> = Vec::new();
    for u in streets {
        parts.push((u, rng.range(12.0, 35.0)));
    }
    for u in towns {
        parts.push((u, rng.range(50.0, 110.0)));
    }
    parts.sort_by_key(|(u, _)| u.code);
    let items: Vec<(usize, f64)> = parts.iter().enumerate().map(|(i, p)| (i, p.1)).collect();
    let mut boxes = Vec::new();
    split_box(area, &items, &mut boxes);
    boxes.sort_by_key(|b| b.0);
    let mut out = vec![UnitGeometry {
        code: county,
        point: None,
        boundary: Some(rectangle(area)),
    }];
    for (i, b) in boxes {
        let unit = parts[i].0;
        let [w, s, e, n] = b;
        out.push(UnitGeometry {
            code: unit.code,
            point: LonLat::new((w + e) / 2.0, (s + n) / 2.0).ok(),
            boundary: Some(rectangle(b)),
        });
        for v in villages
            .iter()
            .filter(|v| v.code.parent() == Some(unit.code))
        {
            let (dx, dy) = ((e - w) * 0.05, (n - s) * 0.05);
            out.push(UnitGeometry {
                code: v.code,
                point: LonLat::new(rng.range(w + dx, e - dx), rng.range(s + dy, n - dy)).ok(),
                boundary: None,
            });
        }
    }
    out
}

/// Realistic faults of routine data, put in on purpose (all after the calibrated 2020) so the
/// data-quality review has something to find: a return never sent, a value keyed with an
/// extra digit, doctors and nurses entered beyond the technical staff they belong to,
/// bed-days entered twice, and a town's own population estimate that disagrees with its
/// villages'. Its own random stream picks the facilities and the town. The notes name no
/// place: dataset notes are shown to every reader, whatever part of the region they may see
/// (the review locates the faults, within each reader's scope).
fn faults(
    facilities: &[Facility],
    years: &mut Vec<FacilityYear>,
    population: &mut Vec<PopulationRecord>,
    towns: &[&AdminUnit],
    seed: u64,
) -> Vec<Note> {
    let mut rng = Rng(seed ^ 0x6661_756c_7473);
    let mut pick = |p: &dyn Fn(&Facility) -> bool| -> Option<&Facility> {
        let all: Vec<&Facility> = facilities.iter().filter(|f| p(f)).collect();
        (!all.is_empty()).then(|| all[(rng.next_u64() % all.len() as u64) as usize])
    };
    let year = |y: i64| Year::new(y).expect("year");
    let mut notes = Vec::new();
    let value = |years: &Vec<FacilityYear>, i: usize, q: Q| years[i].get(q).map_or(0, |c| c.0);
    let find = |years: &Vec<FacilityYear>, id: &FacilityId, y: i64| {
        years
            .iter()
            .position(|fy| &fy.facility == id && fy.year == year(y))
    };
    let mut edits: Vec<(usize, Q, u64)> = Vec::new();
    let mut dropped: Option<usize> = None;
    if let Some(f) = pick(&|f| f.kind == T::Clinic)
        && let Some(i) = find(years, &f.id, 2021)
    {
        dropped = Some(i);
        notes.push(Note {
            zh: "合成数据有意设置的问题：一家诊所缺2021年报表。".into(),
            en: "Fault put in the synthetic data on purpose: a clinic sent no return for 2021."
                .into(),
        });
    }
    if let Some(f) = pick(&|f| f.kind == T::TownshipHealthCentre)
        && let Some(i) = find(years, &f.id, 2023)
    {
        let v = value(years, i, Q::OutpatientVisits);
        edits.push((i, Q::OutpatientVisits, v * 10));
        notes.push(Note {
            zh: "合成数据有意设置的问题：一家乡镇卫生院2023年诊疗人次多录一位。".into(),
            en: "Fault put in the synthetic data on purpose: a township health centre's 2023 visits keyed with an extra digit.".into(),
        });
    }
    if let Some(f) = pick(&|f| f.kind == T::GeneralHospital && f.ownership == Ownership::Private)
        && let Some(i) = find(years, &f.id, 2024)
    {
        let doctors = value(years, i, Q::LicensedDoctors) + value(years, i, Q::AssistantDoctors);
        let nurses = value(years, i, Q::RegisteredNurses);
        // the technical staff keyed as its largest part alone (no single part exceeds it,
        // so the import's part-of-whole check passes; doctors and nurses together do)
        let keyed = doctors.max(nurses).max(value(years, i, Q::Pharmacists));
        edits.push((i, Q::StaffHealthTechnical, keyed));
        notes.push(Note {
            zh: "合成数据有意设置的问题：一家民营综合医院2024年卫生技术人员少于执业（助理）医师与注册护士之和。".into(),
            en: "Fault put in the synthetic data on purpose: a private general hospital's 2024 health technical staff keyed below its doctors and nurses together.".into(),
        });
    }
    if let Some(f) = pick(&|f| {
        matches!(f.kind, T::GeneralHospital | T::TcmHospital) && f.grade.is_secondary_or_above()
    }) && let Some(i) = find(years, &f.id, 2023)
    {
        let beds = value(years, i, Q::Beds);
        // a bed-day total that puts occupancy near 180 % (entered twice, plus some)
        let days = (beds as f64 * 365.0 * 1.8).round() as u64;
        edits.push((i, Q::InpatientBedDays, days));
        notes.push(Note {
            zh: "合成数据有意设置的问题：一家二级及以上医院2023年出院者占用床日相当于病床使用率约180%。".into(),
            en: "Fault put in the synthetic data on purpose: a secondary-or-above hospital's 2023 bed-days of discharged patients amount to about 180 % occupancy.".into(),
        });
    }
    for (i, q, v) in edits {
        years[i].quantities.insert(q, Count(v));
    }
    if let Some(i) = dropped {
        years.remove(i);
    }
    // A town's own 2022 estimate, 4 % above the sum of its villages.
    if !towns.is_empty() {
        let town = towns[(rng.next_u64() % towns.len() as u64) as usize];
        let y = year(2022);
        let sum: u64 = population
            .iter()
            .filter(|r| r.year == y && r.unit.is_descendant_of(town.code))
            .map(|r| r.resident.0)
            .sum();
        let own = (sum as f64 * 1.04).round() as u64;
        population.push(PopulationRecord {
            unit: town.code,
            year: y,
            source: PopulationSource::Estimate,
            resident: Persons(own),
            male: None,
            female: None,
            ages: AgeBands::default(),
            live_births: None,
            deaths: None,
        });
        notes.push(Note {
            zh: "合成数据有意设置的问题：一个镇（街道）2022年另有一条本级人口估计，比所辖村（社区）合计多4%。".into(),
            en: "Fault put in the synthetic data on purpose: a town or street has its own 2022 population estimate, 4 % above the sum of its villages and communities.".into(),
        });
    }
    notes
}

/// Resident population of Beibei in 2020 as the plan states it (常住人口83.63万).
pub const RESIDENTS_2020: u64 = 836_300;

/// Deterministic pseudo-random numbers (SplitMix64): the one generator behind every
/// synthetic dataset (registries, national systems, record tables).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + self.unit() * (hi - lo)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n below 2^32).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Splits `total` in proportion to `weights`, exactly (largest remainder; ties to the lower index).
pub fn allocate(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut rest = total - out.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

/// The generated region.
#[derive(Debug, Clone, Default)]
pub struct SyntheticRegistry {
    /// Population of every village/community, 2020–2024.
    pub population: Vec<PopulationRecord>,
    /// The 478 institutions.
    pub facilities: Vec<Facility>,
    /// Their resources, 2020–2024.
    pub facility_years: Vec<FacilityYear>,
    /// Conflicts in the seed's 2020 column that the registry cannot satisfy at once.
    pub notes: Vec<Note>,
    /// Data-quality faults put in on purpose (after 2020, so the calibration holds) for the
    /// data-quality review to find, each described.
    pub faults: Vec<Note>,
    /// Schematic (synthetic) boundaries of the district and its towns/streets, and points
    /// for the villages/communities inside them. Not real geography: a partition of a box
    /// of about Beibei's area (755 km²), one rectangle per town/street, streets smaller.
    pub geometries: Vec<UnitGeometry>,
}

impl SyntheticRegistry {
    /// The registry on a hierarchy as one service system (units, population, facilities,
    /// facility-years; notes and geometries left out).
    pub fn into_system(self, units: Vec<AdminUnit>) -> ServiceSystem {
        let mut sys = ServiceSystem::default();
        for u in units {
            sys.units.insert(u.code, u);
        }
        for p in self.population {
            sys.population.insert((p.unit, p.year), p);
        }
        for f in self.facilities {
            sys.facilities.insert(f.id.clone(), f);
        }
        for fy in self.facility_years {
            sys.facility_years
                .insert((fy.facility.clone(), fy.year), fy);
        }
        sys
    }
}

/// A note for the reader, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

struct Plan {
    kind: T,
    grade: &'static str,
    ownership: Ownership,
    specialty: Option<Specialty>,
    name: String,
}

fn fac(kind: T, grade: &'static str, ownership: Ownership, name: impl Into<String>) -> Plan {
    Plan {
        kind,
        grade,
        ownership,
        specialty: None,
        name: name.into(),
    }
}

/// Generates the demo registry for the Beibei subtree in `units`.
pub fn beibei(units: &[AdminUnit], seed: u64) -> SyntheticRegistry {
    let mut rng = Rng(seed);
    let county = AdminCode::parse("500109").expect("valid code");
    let inside = |u: &&AdminUnit| u.code.is_descendant_of(county);
    let villages: Vec<&AdminUnit> = units
        .iter()
        .filter(inside)
        .filter(|u| u.level() == AdminLevel::Village)
        .collect();
    let streets: Vec<&AdminUnit> = units
        .iter()
        .filter(inside)
        .filter(|u| u.kind == Some(UnitKind::Street))
        .collect();
    let towns: Vec<&AdminUnit> = units
        .iter()
        .filter(inside)
        .filter(|u| u.kind == Some(UnitKind::Town))
        .collect();
    let mut out = SyntheticRegistry::default();

    // Population: villages weighted at random, communities denser; grows 0.5 % a year.
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
        let total = (RESIDENTS_2020 as f64 * 1.005f64.powi(year - 2020)).round() as u64;
        for (v, n) in villages.iter().zip(allocate(total, &weights)) {
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
                    age_0_14: Some(Persons((n as f64 * 0.135).round() as u64)),
                    ..Default::default()
                },
                live_births: None,
                deaths: None,
            });
        }
    }

    // The 478 institutions by type, as 一、（一）2. states them.
    let mut plans: Vec<Plan> = Vec::new();
    plans.push(fac(
        T::GeneralHospital,
        "3a",
        Ownership::Government,
        "区人民医院（合成）",
    ));
    plans.push(fac(
        T::GeneralHospital,
        "3a",
        Ownership::Government,
        "区第二综合医院（合成）",
    ));
    for i in 0..6 {
        plans.push(fac(
            T::GeneralHospital,
            "2",
            Ownership::OtherPublic,
            format!("公立二级综合医院{}（合成）", i + 1),
        ));
    }
    for i in 0..12 {
        plans.push(fac(
            T::GeneralHospital,
            "2",
            Ownership::Private,
            format!("民营二级综合医院{}（合成）", i + 1),
        ));
    }
    plans.push(fac(
        T::TcmHospital,
        "3a",
        Ownership::Government,
        "区中医院（合成）",
    ));
    plans.push(fac(
        T::TcmHospital,
        "1",
        Ownership::Private,
        "民营中医医院（合成）",
    ));
    plans.push(Plan {
        specialty: Some(Specialty::Psychiatric),
        ..fac(
            T::SpecialisedHospital,
            "2",
            Ownership::Government,
            "区精神卫生中心（合成）",
        )
    });
    for (i, s) in [
        Specialty::Stomatology,
        Specialty::Ophthalmology,
        Specialty::ObstetricsGynaecology,
    ]
    .into_iter()
    .enumerate()
    {
        plans.push(Plan {
            specialty: Some(s),
            ..fac(
                T::SpecialisedHospital,
                "ungraded",
                Ownership::Private,
                format!("民营专科医院{}（合成）", i + 1),
            )
        });
    }
    for i in 0..3 {
        plans.push(fac(
            T::GeneralHospital,
            "ungraded",
            Ownership::Private,
            format!("民营综合医院{}（合成）", i + 1),
        ));
    }
    for t in &towns {
        plans.push(fac(
            T::TownshipHealthCentre,
            "a",
            Ownership::Government,
            format!("{}卫生院（合成）", t.name),
        ));
    }
    for s in &streets {
        plans.push(fac(
            T::CommunityHealthCentre,
            "ungraded",
            Ownership::Government,
            format!("{}社区卫生服务中心（合成）", s.name),
        ));
    }
    for i in 0..5 {
        plans.push(fac(
            T::CommunityHealthStation,
            "ungraded",
            Ownership::Government,
            format!("社区卫生服务站{}（合成）", i + 1),
        ));
    }
    let counts = [
        (T::OutpatientDepartment, 14),
        (T::Clinic, 224),
        (T::Infirmary, 67),
        (T::VillageClinic, 110),
        (T::Sanatorium, 3),
        (T::IndependentLab, 4),
        (T::Other, 2),
    ];
    for (kind, n) in counts {
        for i in 0..n {
            plans.push(fac(
                kind,
                "ungraded",
                Ownership::Private,
                format!("{}{}（合成）", kind.zh(), i + 1),
            ));
        }
    }
    plans.push(fac(
        T::Cdc,
        "2a",
        Ownership::Government,
        "区疾病预防控制中心（合成）",
    ));
    plans.push(fac(
        T::MaternalChildHealth,
        "2a",
        Ownership::Government,
        "区妇幼保健院（合成）",
    ));
    plans.push(fac(
        T::HealthSupervision,
        "ungraded",
        Ownership::Government,
        "区卫生健康综合行政执法支队（合成）",
    ));
    debug_assert_eq!(plans.len(), 478);

    // Locations: hospitals and centres in streets, township centres in their town,
    // village clinics in villages, the rest anywhere.
    let mut town_iter = towns.iter().cycle();
    let mut street_iter = streets.iter().cycle();
    let rural_villages: Vec<&&AdminUnit> = villages
        .iter()
        .filter(|v| v.kind == Some(UnitKind::Village))
        .collect();
    let mut village_iter = rural_villages.iter().cycle();
    for (i, p) in plans.iter().enumerate() {
        let unit = match p.kind {
            T::TownshipHealthCentre => town_iter.next().map(|u| u.code),
            // a street's community health centre is in that street
            T::CommunityHealthCentre => streets
                .iter()
                .find(|s| p.name.starts_with(s.name.as_str()))
                .or_else(|| street_iter.next())
                .map(|u| u.code),
            T::VillageClinic => village_iter.next().map(|u| u.code),
            T::Cdc | T::MaternalChildHealth | T::HealthSupervision => Some(county),
            T::Clinic | T::Infirmary | T::OutpatientDepartment => villages
                .get((rng.next_u64() % villages.len().max(1) as u64) as usize)
                .map(|u| u.code),
            _ => street_iter.next().map(|u| u.code),
        }
        .unwrap_or(county);
        out.facilities.push(Facility {
            id: FacilityId::new(&format!("SYN{:03}", i + 1)).expect("id"),
            name: p.name.clone(),
            kind: p.kind,
            specialty: p.specialty,
            grade: Grade::parse(p.grade).expect("grade"),
            ownership: p.ownership,
            for_profit: Some(p.ownership == Ownership::Private),
            unit,
            location: None,
            opened: Some(Year::new(2000).expect("year")),
            closed: None,
        });
    }
    out.facility_years = resources(&out.facilities, &mut rng);
    out.geometries = schematic_geometry(county, SCHEMATIC_BOX, &streets, &towns, &villages, seed);
    configuration_details(&out.facilities, &mut out.facility_years, seed);
    out.faults = faults(
        &out.facilities,
        &mut out.facility_years,
        &mut out.population,
        &towns,
        seed,
    );
    place_facilities(&mut out.facilities, &out.geometries, seed);
    out.notes = vec![
        Note {
            zh: "2020年每万人口全科医生数4.49在常住人口836,300下无法成立：375名得4.48，376名得4.50；登记取375名（4.48）。".into(),
            en: "每万人口全科医生数 2020 = 4.49 cannot hold with 836,300 residents: 375 GPs give 4.48 and 376 give 4.50; the registry keeps 375 (4.48).".into(),
        },
        Note {
            zh: "2020年医护比1:1.1与同表密度矛盾（注册护士3.94 ÷ 执业（助理）医师3.88 = 1:1.02）；登记按密度生成。".into(),
            en: "医护比 2020 = 1:1.1 contradicts the densities beside it (nurses 3.94 / doctors 3.88 = 1:1.02); the registry reproduces the densities.".into(),
        },
        Note {
            zh: "2020年床人（卫生人员）比1:1.02与每千人口3.88名医师、3.94名护士、6.57张床位矛盾（仅医护即达每床1.19人）；登记保留医护人数。".into(),
            en: "床人（卫生人员）比 2020 = 1:1.02 cannot hold with 3.88 doctors and 3.94 nurses per 1,000 on 6.57 beds per 1,000 (doctors and nurses alone are 1.19 per bed); the registry reproduces the doctor and nurse counts.".into(),
        },
    ];

    out
}

fn get(m: &BTreeMap<Q, u64>, k: Q) -> u64 {
    m.get(&k).copied().unwrap_or(0)
}

fn add(q: &mut [BTreeMap<Q, u64>], i: usize, k: Q, v: u64) {
    *q[i].entry(k).or_insert(0) += v;
}

/// Indexes of facilities by a predicate.
fn idx(f: &[Facility], p: impl Fn(&Facility) -> bool) -> Vec<usize> {
    f.iter()
        .enumerate()
        .filter(|(_, x)| p(x))
        .map(|(i, _)| i)
        .collect()
}

fn resources(fs: &[Facility], rng: &mut Rng) -> Vec<FacilityYear> {
    let n = fs.len();
    let mut q: Vec<BTreeMap<Q, u64>> = vec![BTreeMap::new(); n];
    let mut caps: Vec<Vec<C>> = vec![Vec::new(); n];
    let find = |s: &str| fs.iter().position(|f| f.name == s).expect("named facility");
    let (h1, h2, tcm, psych) = (
        find("区人民医院（合成）"),
        find("区第二综合医院（合成）"),
        find("区中医院（合成）"),
        find("区精神卫生中心（合成）"),
    );
    let (cdc, mch, sup) = (
        find("区疾病预防控制中心（合成）"),
        find("区妇幼保健院（合成）"),
        find("区卫生健康综合行政执法支队（合成）"),
    );
    let public_general = idx(fs, |f| {
        f.kind == T::GeneralHospital && f.ownership != Ownership::Private
    });
    let other_public_general: Vec<usize> = public_general
        .iter()
        .copied()
        .filter(|&i| i != h1 && i != h2)
        .collect();
    let private_hospitals = idx(fs, |f| {
        f.kind.family() == hsplan_model::InstitutionFamily::Hospital
            && f.ownership == Ownership::Private
    });
    let hospitals = idx(fs, |f| {
        f.kind.family() == hsplan_model::InstitutionFamily::Hospital
    });
    let thc = idx(fs, |f| f.kind == T::TownshipHealthCentre);
    let chc = idx(fs, |f| f.kind == T::CommunityHealthCentre);
    let secondary_general = idx(fs, |f| {
        f.kind == T::GeneralHospital && f.grade.is_secondary_or_above()
    });
    // Beds 5,494 = 6.57 ‰ of 836,300: public hospitals 3,713 (4.44), of which the TCM hospital 802 (0.96)
    // and the psychiatric centre 500; THCs 8 × 40, CHCs 9 × 20; private hospitals the rest.
    add(&mut q, tcm, Q::Beds, 802);
    add(&mut q, psych, Q::Beds, 500);
    let mut w = vec![0.9, 0.8];
    w.extend(other_public_general.iter().map(|_| 0.12));
    let public_rest = allocate(3713 - 802 - 500, &w);
    let mut public_order = vec![h1, h2];
    public_order.extend(&other_public_general);
    for (&i, b) in public_order.iter().zip(&public_rest) {
        add(&mut q, i, Q::Beds, *b);
    }
    for &i in &thc {
        add(&mut q, i, Q::Beds, 40);
    }
    for &i in &chc {
        add(&mut q, i, Q::Beds, 20);
    }
    let private_weights: Vec<f64> = private_hospitals
        .iter()
        .map(|_| rng.range(0.5, 1.5))
        .collect();
    for (&i, b) in private_hospitals
        .iter()
        .zip(allocate(5494 - 3713 - 8 * 40 - 9 * 20, &private_weights))
    {
        add(&mut q, i, Q::Beds, b);
    }
    // Bed categories: psychiatric 727 (0.87), rehabilitation 200 (0.24), ICU 25 (0.03).
    add(&mut q, psych, Q::BedsPsychiatric, 500);
    add(&mut q, h1, Q::BedsPsychiatric, 120);
    add(&mut q, h2, Q::BedsPsychiatric, 107);
    add(&mut q, h1, Q::BedsRehabilitation, 60);
    add(&mut q, h2, Q::BedsRehabilitation, 60);
    add(&mut q, tcm, Q::BedsRehabilitation, 80);
    add(&mut q, h1, Q::BedsIcu, 15);
    add(&mut q, h2, Q::BedsIcu, 10);
    add(&mut q, h1, Q::BedsInfectious, 40);
    // Doctors 3,245 (3.88) and nurses 3,295 (3.94): fixed staffing outside hospitals, hospitals by beds.
    let mut fixed_doctors = 0;
    let mut fixed_nurses = 0;
    for (i, f) in fs.iter().enumerate() {
        let (d, nn) = match f.kind {
            T::Clinic | T::Infirmary => (1, 1),
            T::OutpatientDepartment => (4, 4),
            T::CommunityHealthCentre => (16, 14),
            T::CommunityHealthStation => (2, 2),
            T::TownshipHealthCentre => (12, 12),
            T::Sanatorium => (5, 8),
            T::IndependentLab => (2, 0),
            T::Other => (1, 0),
            T::Cdc => (15, 5),
            T::MaternalChildHealth => (40, 60),
            T::HealthSupervision => (10, 0),
            _ => (0, 0),
        };
        if d + nn > 0 {
            add(&mut q, i, Q::LicensedDoctors, d);
            add(&mut q, i, Q::RegisteredNurses, nn);
            fixed_doctors += d;
            fixed_nurses += nn;
        }
    }
    let bed_weights: Vec<f64> = hospitals
        .iter()
        .map(|&i| get(&q[i], Q::Beds) as f64)
        .collect();
    for (&i, d) in hospitals
        .iter()
        .zip(allocate(3245 - fixed_doctors, &bed_weights))
    {
        add(&mut q, i, Q::LicensedDoctors, d);
    }
    for (&i, nn) in hospitals
        .iter()
        .zip(allocate(3295 - fixed_nurses, &bed_weights))
    {
        add(&mut q, i, Q::RegisteredNurses, nn);
    }
    // Split doctors into licensed and assistant (12 %).
    for m in q.iter_mut() {
        let d = m.get(&Q::LicensedDoctors).copied().unwrap_or(0);
        let assistant = (d as f64 * 0.12).round() as u64;
        m.insert(Q::LicensedDoctors, d - assistant);
        m.insert(Q::AssistantDoctors, assistant);
    }
    let doctors = |q: &BTreeMap<Q, u64>| {
        q.get(&Q::LicensedDoctors).copied().unwrap_or(0)
            + q.get(&Q::AssistantDoctors).copied().unwrap_or(0)
    };
    // GPs 375 (4.48, see notes): CHC 9 × 15, THC 8 × 12, stations 5 × 2, 134 clinics × 1.
    let mut gps_left = 375u64;
    for (i, f) in fs.iter().enumerate() {
        let g = match f.kind {
            T::CommunityHealthCentre => 15,
            T::TownshipHealthCentre => 12,
            T::CommunityHealthStation => 2,
            T::Clinic => 1,
            _ => 0,
        }
        .min(gps_left)
        .min(doctors(&q[i]));
        q[i].insert(Q::GeneralPractitioners, g);
        gps_left -= g;
    }
    // TCM doctors 543 (0.65): TCM hospital 150, centres 3 each, 112 clinics 1 each, other hospitals by doctors.
    let mut tcm_fixed = 150u64;
    q[tcm].insert(Q::TcmDoctors, 150);
    for &i in thc.iter().chain(&chc) {
        q[i].insert(Q::TcmDoctors, 3);
        tcm_fixed += 3;
    }
    for i in idx(fs, |f| f.kind == T::Clinic).into_iter().take(112) {
        q[i].insert(Q::TcmDoctors, 1);
        tcm_fixed += 1;
    }
    let others: Vec<usize> = hospitals.iter().copied().filter(|&i| i != tcm).collect();
    let w: Vec<f64> = others.iter().map(|&i| doctors(&q[i]) as f64).collect();
    for (&i, t) in others.iter().zip(allocate(543 - tcm_fixed, &w)) {
        q[i].insert(Q::TcmDoctors, t);
    }
    // Psychiatrists 29 (3.5 per 100k), paediatricians 87 (0.77 per 1,000 children).
    for (i, v) in [(psych, 20), (h1, 5), (h2, 4)] {
        q[i].insert(Q::Psychiatrists, v);
    }
    for (i, v) in [(h1, 30), (h2, 25), (mch, 20)] {
        q[i].insert(Q::Paediatricians, v);
    }
    for &i in &other_public_general {
        q[i].insert(Q::Paediatricians, 2);
    }
    // Pharmacists (not in the 2020 column): 0.4 per 1,000, by doctors; clinical pharmacists 28 (0.51 per 100 beds).
    let w: Vec<f64> = q.iter().map(|m| doctors(m) as f64).collect();
    for (m, p) in q.iter_mut().zip(allocate(335, &w)) {
        m.insert(Q::Pharmacists, p);
    }
    for (i, v) in [
        (h1, 10),
        (h2, 8),
        (tcm, 5),
        (psych, 2),
        (other_public_general[0], 1),
        (other_public_general[1], 1),
        (other_public_general[2], 1),
    ] {
        let p = get(&q[i], Q::Pharmacists).max(v);
        q[i].insert(Q::Pharmacists, p);
        q[i].insert(Q::ClinicalPharmacists, v);
    }
    // Village doctors, technical and total staff; public-health institutions 711 staff (0.85), CDC 61 (0.073).
    for (i, f) in fs.iter().enumerate() {
        let m = &mut q[i];
        let village_doctors = if f.kind == T::VillageClinic {
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
    for (i, total) in [(cdc, 61u64), (mch, 600), (sup, 50)] {
        let technical = get(&q[i], Q::StaffHealthTechnical).min(total);
        q[i].insert(Q::StaffHealthTechnical, technical);
        q[i].insert(Q::StaffTotal, total);
        q[i].insert(Q::PublicHealthStaff, total);
    }
    for &i in thc.iter().chain(&chc) {
        q[i].insert(Q::PublicHealthPhysicians, 1);
        q[i].insert(Q::SeniorGeneralPractitioners, 1);
    }
    // Ambulances 30 (0.36 per 10k), childcare places 334 at the MCH institution (0.4 per 1,000).
    for (i, v) in [(h1, 8), (h2, 8), (mch, 2)] {
        q[i].insert(Q::Ambulances, v);
    }
    for &i in &other_public_general {
        q[i].insert(Q::Ambulances, 2);
    }
    q[h1].insert(Q::AmbulancesNegativePressure, 1);
    q[mch].insert(Q::ChildcarePlaces, 334);
    // Average stay 9.9 days in hospitals: 120,000 discharges, 1,188,000 bed-days, both by beds.
    let bed_weights: Vec<f64> = hospitals
        .iter()
        .map(|&i| get(&q[i], Q::Beds) as f64)
        .collect();
    for ((&i, d), b) in hospitals
        .iter()
        .zip(allocate(120_000, &bed_weights))
        .zip(allocate(1_188_000, &bed_weights))
    {
        q[i].insert(Q::Discharges, d);
        q[i].insert(Q::InpatientBedDays, b);
    }
    for (i, m) in q.iter_mut().enumerate() {
        let visits = doctors(m) * 2500 + u64::from(fs[i].kind == T::VillageClinic) * 3000;
        m.insert(Q::OutpatientVisits, visits);
    }
    // Large equipment (专栏2, 2020): 64-slice CT 2, 1.5 T MR 3.
    for (i, k, v) in [
        (h1, Q::Ct64Plus, 1),
        (h2, Q::Ct64Plus, 1),
        (h1, Q::Mr15TPlus, 1),
        (h2, Q::Mr15TPlus, 1),
        (tcm, Q::Mr15TPlus, 1),
    ] {
        q[i].insert(k, v);
    }
    // Capabilities: infectious-disease departments in 5 of 20 secondary+ general hospitals (25 %),
    // geriatrics in 11 (55 %), fever clinics in 4 of 17 centres (23.53 %), TCM halls in all,
    // 治未病 in the TCM hospital (100 %).
    for (k, &i) in secondary_general.iter().enumerate() {
        if k < 5 {
            caps[i].extend([C::InfectiousDiseaseDept, C::FeverClinic]);
        }
        if k < 11 {
            caps[i].push(C::Geriatrics);
        }
        caps[i].push(C::Emergency);
    }
    let centres: Vec<usize> = thc.iter().chain(&chc).copied().collect();
    for (k, &i) in centres.iter().enumerate() {
        caps[i].extend([C::TcmHall, C::StandardisedPrimaryCare, C::PublicHealthDept]);
        if k % 4 == 0 && k / 4 < 4 {
            caps[i].push(C::FeverRoom);
        }
    }
    caps[tcm].extend([C::PreventiveTreatment, C::Rehabilitation]);
    caps[psych].push(C::MentalHealthDept);
    let calibrated = Calibrated {
        quantities: q,
        capabilities: caps,
        secondary_general,
        centres,
        infectious_2020: 5,
        geriatrics_2020: 11,
        openings: Openings {
            geriatrics: 1.0,
            infectious: 2.0,
        },
        growth_scale: 1.0,
        childcare_growth: 1.6,
    };
    trajectories(fs, &calibrated)
}

/// A district's calibrated 2020 registry, before its years 2021–2024 are grown from it.
struct Calibrated {
    /// 2020 quantities per facility (index into the facility list).
    quantities: Vec<BTreeMap<Q, u64>>,
    /// 2020 capabilities per facility.
    capabilities: Vec<Vec<C>>,
    /// Secondary-or-above general hospitals, those with a geriatrics department in 2020
    /// first, then those with an infectious-disease department (the order departments open in).
    secondary_general: Vec<usize>,
    /// Community and township health centres.
    centres: Vec<usize>,
    /// Secondary-or-above general hospitals with an infectious-disease department in 2020.
    infectious_2020: usize,
    /// … with a geriatrics department in 2020.
    geriatrics_2020: usize,
    /// How many departments open each year.
    openings: Openings,
    /// Scales every yearly growth rate (1 = the demo district's rates).
    growth_scale: f64,
    /// Yearly growth of childcare places (not scaled).
    childcare_growth: f64,
}

/// How many secondary-or-above general hospitals open a department each year (on average:
/// 0.5 is one every other year).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Openings {
    /// Geriatrics departments.
    pub geriatrics: f64,
    /// Infectious-disease departments (with a fever clinic).
    pub infectious: f64,
}

/// Years 2021–2024: each group of quantities grows at its own synthetic rate, and
/// departments open over time, so that some indicators end on track and others lag.
fn trajectories(fs: &[Facility], calibrated: &Calibrated) -> Vec<FacilityYear> {
    let Calibrated {
        quantities: q,
        capabilities: caps,
        secondary_general,
        centres,
        infectious_2020,
        geriatrics_2020,
        openings,
        growth_scale,
        childcare_growth,
    } = calibrated;
    let rate = |k: Q| -> f64 {
        match k {
            Q::Beds
            | Q::BedsRehabilitation
            | Q::BedsPsychiatric
            | Q::BedsInfectious
            | Q::Discharges
            | Q::InpatientBedDays => 1.02,
            Q::BedsIcu => 1.15,
            Q::LicensedDoctors | Q::AssistantDoctors => 1.006,
            Q::RegisteredNurses => 1.03,
            Q::GeneralPractitioners => 1.01,
            Q::Ambulances => 1.12,
            Q::ChildcarePlaces => 1.6,
            Q::Psychiatrists => 1.1,
            Q::Paediatricians | Q::TcmDoctors | Q::ClinicalPharmacists => 1.04,
            Q::StaffHealthTechnical | Q::StaffTotal => 1.03,
            _ => 1.0,
        }
    };
    let growth = |k: Q| -> f64 {
        let r = rate(k);
        if k == Q::ChildcarePlaces {
            *childcare_growth
        } else if *growth_scale == 1.0 {
            r
        } else {
            1.0 + (r - 1.0) * growth_scale
        }
    };
    let mut out = Vec::new();
    for year in 2020..=2024i32 {
        let t = year - 2020;
        for (i, f) in fs.iter().enumerate() {
            let mut fy = FacilityYear::new(f.id.clone(), Year::new(year as i64).expect("year"));
            for &k in Q::all() {
                let base = q[i].get(&k).copied().unwrap_or(0) as f64;
                fy.quantities
                    .insert(k, Count((base * growth(k).powi(t)).round() as u64));
            }
            // Parts stay within wholes after rounding.
            for k in [
                Q::BedsIcu,
                Q::BedsRehabilitation,
                Q::BedsPsychiatric,
                Q::BedsInfectious,
            ] {
                let whole = fy.quantities[&Q::Beds];
                let part = fy.quantities[&k].min(whole);
                fy.quantities.insert(k, part);
            }
            let core = fy.quantities[&Q::LicensedDoctors].0
                + fy.quantities[&Q::AssistantDoctors].0
                + fy.quantities[&Q::RegisteredNurses].0
                + fy.quantities[&Q::Pharmacists].0;
            let technical = fy.quantities[&Q::StaffHealthTechnical].0.max(core);
            fy.quantities
                .insert(Q::StaffHealthTechnical, Count(technical));
            let total = fy.quantities[&Q::StaffTotal]
                .0
                .max(technical + fy.quantities[&Q::VillageDoctors].0);
            fy.quantities.insert(Q::StaffTotal, Count(total));
            let clinical =
                fy.quantities[&Q::ClinicalPharmacists].min(fy.quantities[&Q::Pharmacists]);
            fy.quantities.insert(Q::ClinicalPharmacists, clinical);
            fy.capabilities.extend(caps[i].iter().copied());
            if let Some(k) = secondary_general.iter().position(|&j| j == i) {
                // Two more infectious-disease departments and one more geriatrics department a year.
                if k < infectious_2020 + (openings.infectious * f64::from(t)) as usize {
                    fy.capabilities
                        .extend([C::InfectiousDiseaseDept, C::FeverClinic]);
                }
                if k < geriatrics_2020 + (openings.geriatrics * f64::from(t)) as usize {
                    fy.capabilities.insert(C::Geriatrics);
                }
            }
            if centres.contains(&i) && year >= 2022 {
                fy.capabilities.insert(C::FeverRoom);
            }
            out.push(fy);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_proportional() {
        assert_eq!(allocate(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(allocate(7, &[0.0, 2.0]), vec![0, 7]);
        assert_eq!(allocate(5, &[]), Vec::<u64>::new());
        assert_eq!(allocate(100, &[1.0, 3.0]).iter().sum::<u64>(), 100);
    }
}
