//! The demo registry reproduces the 2020 column of Beibei's 专栏1 wherever it is
//! computable, to the published precision, and the institution counts by type.

use hsplan_eval::{Form, compute, find};
use hsplan_model::{AdminCode, InstitutionType, ServiceSystem, Year};
use hsplan_plan::PublishedValue;
use std::path::Path;

fn demo_system() -> (ServiceSystem, Vec<hsplan_synth::Note>) {
    let units: Vec<_> = hsplan_io::nbs::chongqing_hierarchy()
        .unwrap()
        .into_iter()
        .map(|s| s.value)
        .collect();
    let reg = hsplan_synth::beibei(&units, 2020);
    let mut sys = ServiceSystem::default();
    for u in units {
        sys.units.insert(u.code, u);
    }
    for p in reg.population {
        sys.population.insert((p.unit, p.year), p);
    }
    for f in reg.facilities {
        sys.facilities.insert(f.id.clone(), f);
    }
    for fy in reg.facility_years {
        sys.facility_years
            .insert((fy.facility.clone(), fy.year), fy);
    }
    (sys, reg.notes)
}

#[test]
fn computed_2020_values_equal_the_seed() {
    let (sys, notes) = demo_system();
    assert_eq!(
        sys.validate(),
        vec![],
        "the synthetic registry satisfies the model invariants"
    );
    let plan = hsplan_plan::load_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/plans/beibei.toml"),
    )
    .unwrap();
    let beibei = AdminCode::parse("500109").unwrap();
    let y2020 = Year::new(2020).unwrap();
    // Conflicts in the seed's own 2020 column, explained in the registry's notes.
    let conflicting = ["gps_per_10k", "doctor_nurse_ratio", "bed_staff_ratio"];
    let mut checked = 0;
    for ind in &plan.data.indicators {
        let (Some(formula), Some(baseline)) = (&ind.formula, &ind.baseline) else {
            continue;
        };
        let Some(published) = PublishedValue::parse(baseline.get_ref()).number() else {
            continue;
        };
        let def = find(formula).unwrap_or_else(|| panic!("{formula} is not in the library"));
        let value = compute(&sys, def, beibei, y2020)
            .value
            .unwrap_or_else(|g| panic!("{formula}: {g:?}"));
        let decimals = PublishedValue::decimals(baseline.get_ref()) as i32;
        let scale = 10f64.powi(decimals);
        let rounded = (value * scale).round() / scale;
        if conflicting.contains(&formula.as_str()) {
            assert_ne!(
                rounded, published,
                "{formula} was expected to conflict; update the notes"
            );
            assert!(
                notes.iter().any(|n| n
                    .zh
                    .contains(&ind.name_zh[..ind.name_zh.find('（').unwrap_or(ind.name_zh.len())])),
                "{formula}: the conflict is explained"
            );
            continue;
        }
        assert_eq!(
            rounded,
            published,
            "{formula}: computed {value} (form {:?})",
            def.form == Form::OneTo
        );
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} indicators checked");
}

#[test]
fn institution_counts_by_type() {
    let (sys, _) = demo_system();
    let count = |k: InstitutionType| sys.facilities.values().filter(|f| f.kind == k).count();
    assert_eq!(sys.facilities.len(), 478);
    assert_eq!(
        sys.facilities
            .values()
            .filter(|f| f.kind.family() == hsplan_model::InstitutionFamily::Hospital)
            .count(),
        29
    );
    assert_eq!(count(InstitutionType::TownshipHealthCentre), 8);
    assert_eq!(
        count(InstitutionType::CommunityHealthCentre)
            + count(InstitutionType::CommunityHealthStation),
        14
    );
    assert_eq!(count(InstitutionType::OutpatientDepartment), 14);
    assert_eq!(count(InstitutionType::Clinic), 224);
    assert_eq!(count(InstitutionType::Infirmary), 67);
    assert_eq!(count(InstitutionType::VillageClinic), 110);
    assert_eq!(count(InstitutionType::Sanatorium), 3);
    assert_eq!(count(InstitutionType::IndependentLab), 4);
    assert_eq!(count(InstitutionType::Other), 2);
    assert_eq!(
        sys.facilities
            .values()
            .filter(|f| f.kind.family() == hsplan_model::InstitutionFamily::PublicHealth)
            .count(),
        3
    );
    assert!(
        sys.facilities.values().all(|f| f.name.contains("合成")),
        "every synthetic facility is labelled"
    );
}

#[test]
fn the_generator_is_deterministic() {
    let units: Vec<_> = hsplan_io::nbs::chongqing_hierarchy()
        .unwrap()
        .into_iter()
        .map(|s| s.value)
        .collect();
    let a = hsplan_synth::beibei(&units, 7);
    let b = hsplan_synth::beibei(&units, 7);
    assert_eq!(a.facility_years, b.facility_years);
    assert_eq!(a.population, b.population);
}
