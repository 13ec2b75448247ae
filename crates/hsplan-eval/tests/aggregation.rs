//! Property: for every additive quantity, the value of a parent aggregates its
//! children exactly — numerators and denominators are sums, ratios are recomputed.

use hsplan_eval::{INDICATORS, compute};
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Count, Facility, FacilityId, FacilityYear, Grade,
    InstitutionType, Labelled, Ownership, Persons, PopulationRecord, PopulationSource, Quantity,
    ServiceSystem, Year,
};
use proptest::prelude::*;

const KINDS: [InstitutionType; 5] = [
    InstitutionType::GeneralHospital,
    InstitutionType::TcmHospital,
    InstitutionType::CommunityHealthCentre,
    InstitutionType::VillageClinic,
    InstitutionType::Cdc,
];

fn system(
    towns: usize,
    villages: &[u8],
    facilities: &[(u8, u8, u8, u32)],
    pops: &[u32],
) -> ServiceSystem {
    let year = Year::new(2020).unwrap();
    let mut s = ServiceSystem::default();
    for c in ["50", "5001", "500109"] {
        let u = AdminUnit::new(AdminCode::parse(c).unwrap(), "u");
        s.units.insert(u.code, u);
    }
    let mut village_codes = Vec::new();
    for t in 0..towns {
        let town = AdminCode::parse(&format!("500109{:03}", t + 1)).unwrap();
        s.units.insert(town, AdminUnit::new(town, "t"));
        for v in 0..villages[t % villages.len()].max(1) {
            let village = AdminCode::parse(&format!("500109{:03}{:03}", t + 1, v + 1)).unwrap();
            s.units.insert(village, AdminUnit::new(village, "v"));
            village_codes.push(village);
        }
    }
    for (i, v) in village_codes.iter().enumerate() {
        let p = PopulationRecord {
            unit: *v,
            year,
            source: PopulationSource::Estimate,
            resident: Persons(pops[i % pops.len()] as u64 + 1),
            male: None,
            female: None,
            ages: AgeBands {
                age_0_14: Some(Persons(pops[i % pops.len()] as u64 / 7)),
                ..Default::default()
            },
            live_births: None,
            deaths: None,
        };
        s.population.insert((*v, year), p);
    }
    for (i, &(village, kind, grade, amount)) in facilities.iter().enumerate() {
        let id = FacilityId::new(&format!("F{i}")).unwrap();
        let f = Facility {
            id: id.clone(),
            name: "f".into(),
            kind: KINDS[kind as usize % KINDS.len()],
            specialty: None,
            grade: Grade::parse(["3a", "2", "ungraded"][grade as usize % 3]).unwrap(),
            ownership: if amount % 2 == 0 {
                Ownership::Government
            } else {
                Ownership::Private
            },
            for_profit: None,
            unit: village_codes[village as usize % village_codes.len()],
            location: None,
            opened: None,
            closed: None,
        };
        s.facilities.insert(id.clone(), f);
        let mut fy = FacilityYear::new(id.clone(), year);
        for (j, &q) in Quantity::all().iter().enumerate() {
            fy.quantities
                .insert(q, Count(((amount as u64).wrapping_mul(j as u64 + 3)) % 997));
        }
        // Keep parts within wholes for the model's own invariants.
        let beds = fy.get(Quantity::Beds).unwrap();
        for q in [
            Quantity::BedsIcu,
            Quantity::BedsRehabilitation,
            Quantity::BedsPsychiatric,
        ] {
            fy.quantities.insert(q, Count(beds.0 / 10));
        }
        s.facility_years.insert((id, year), fy);
    }
    s
}

proptest! {
    #[test]
    fn parent_aggregates_children(
        towns in 1usize..5,
        villages in proptest::collection::vec(1u8..4, 1..5),
        facilities in proptest::collection::vec((0u8..20, 0u8..5, 0u8..3, 0u32..10_000), 0..25),
        pops in proptest::collection::vec(0u32..50_000, 1..8),
    ) {
        let s = system(towns, &villages, &facilities, &pops);
        let year = Year::new(2020).unwrap();
        let county = AdminCode::parse("500109").unwrap();
        let children: Vec<AdminCode> = s.children(county).map(|u| u.code).collect();
        for def in INDICATORS {
            let parent = compute(&s, def, county, year);
            let kids: Vec<_> = children.iter().map(|c| compute(&s, def, *c, year)).collect();
            let num: f64 = kids.iter().map(|k| k.numerator.value).sum();
            prop_assert!((parent.numerator.value - num).abs() < 1e-6, "{}: numerator {} vs children {}", def.id, parent.numerator.value, num);
            if let Some(d) = parent.denominator {
                let den: f64 = kids.iter().map(|k| k.denominator.unwrap().value).sum();
                prop_assert!((d.value - den).abs() < 1e-6, "{}: denominator {} vs children {}", def.id, d.value, den);
            }
            // The parent's ratio is the ratio of sums, never an average of ratios.
            if let (Ok(v), Some(d)) = (parent.value, parent.denominator) {
                let recomputed = parent.numerator.value / d.value * def.factor;
                prop_assert!((v - recomputed).abs() < 1e-9 * recomputed.abs().max(1.0));
            }
        }
    }
}

/// Knocks holes in a system: unreported facility-years and quantities, closed facilities,
/// villages without population, facilities with capabilities.
fn with_holes(mut s: ServiceSystem, holes: &[u8]) -> ServiceSystem {
    let year = Year::new(2020).unwrap();
    let ids: Vec<FacilityId> = s.facilities.keys().cloned().collect();
    for (i, id) in ids.iter().enumerate() {
        match holes[i % holes.len()] % 6 {
            0 => {
                s.facility_years.remove(&(id.clone(), year));
            }
            1 => {
                if let Some(fy) = s.facility_years.get_mut(&(id.clone(), year)) {
                    fy.quantities.remove(&Quantity::LicensedDoctors);
                    fy.quantities.remove(&Quantity::Beds);
                    fy.quantities.remove(&Quantity::BedsIcu);
                    fy.quantities.remove(&Quantity::BedsRehabilitation);
                    fy.quantities.remove(&Quantity::BedsPsychiatric);
                }
            }
            2 => s.facilities.get_mut(id).unwrap().closed = Some(year),
            3 => {
                if let Some(fy) = s.facility_years.get_mut(&(id.clone(), year)) {
                    fy.capabilities
                        .insert(hsplan_model::Capability::FeverClinic);
                    fy.capabilities.insert(hsplan_model::Capability::TcmHall);
                }
            }
            _ => {}
        }
    }
    let keys: Vec<_> = s.population.keys().copied().collect();
    for (i, k) in keys.iter().enumerate() {
        if holes[(i * 7) % holes.len()] % 9 == 0 {
            s.population.remove(k);
        }
    }
    s
}

proptest! {
    /// The columnar whole-system path equals `compute` for every indicator, unit and year,
    /// gaps included.
    #[test]
    fn columnar_equals_compute(
        towns in 1usize..5,
        villages in proptest::collection::vec(1u8..4, 1..5),
        facilities in proptest::collection::vec((0u8..20, 0u8..5, 0u8..3, 0u32..10_000), 0..25),
        pops in proptest::collection::vec(0u32..50_000, 1..8),
        holes in proptest::collection::vec(0u8..30, 1..10),
    ) {
        let s = with_holes(system(towns, &villages, &facilities, &pops), &holes);
        let columns = hsplan_eval::columnar::Columns::from_system(&s).unwrap();
        let defs: Vec<_> = INDICATORS.iter().collect();
        let result = columns.evaluate(&defs, 2);
        for def in INDICATORS {
            for &year in columns.years() {
                let col = &result.values[&(def.id, year)];
                for (u, code) in columns.units().iter().enumerate() {
                    let reference = compute(&s, def, *code, year).value;
                    match (reference, col[u]) {
                        (Ok(a), Ok(b)) => prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{} {code}: {a} vs {b}", def.id),
                        (a, b) => prop_assert_eq!(a, b, "{} {}", def.id, code),
                    }
                }
            }
        }
    }
}

#[test]
fn facility_set_indices_follow_all() {
    for (i, s) in hsplan_eval::FacilitySet::ALL.iter().enumerate() {
        assert_eq!(s.index(), i);
    }
}
