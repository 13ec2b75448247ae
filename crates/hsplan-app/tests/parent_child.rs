//! The municipal plan beside its district plans: targets side by side, and each district's
//! gap to the municipal target and its share of the whole, checked on hand-computed values.

use hsplan_app::parent_child::compare;
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Count, Facility, FacilityId, FacilityYear, Grade,
    InstitutionType, Labelled, Ownership, Persons, PopulationRecord, PopulationSource, Quantity,
    ServiceSystem, Year,
};

fn code(s: &str) -> AdminCode {
    AdminCode::parse(s).unwrap()
}

/// Three districts of Chongqing in 2024: residents and licensed doctors.
fn three_districts() -> ServiceSystem {
    let y = Year::new(2024).unwrap();
    let mut s = ServiceSystem::default();
    for (c, n) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500101", "万州区"),
        ("500104", "大渡口区"),
        ("500109", "北碚区"),
    ] {
        let u = AdminUnit::new(code(c), n);
        s.units.insert(u.code, u);
    }
    for (unit, residents, doctors) in [
        ("500101", 200_000, 500),
        ("500104", 50_000, 200),
        ("500109", 100_000, 300),
    ] {
        s.population.insert(
            (code(unit), y),
            PopulationRecord {
                unit: code(unit),
                year: y,
                source: PopulationSource::Estimate,
                resident: Persons(residents),
                male: None,
                female: None,
                ages: AgeBands::default(),
                live_births: None,
                deaths: None,
            },
        );
        let id = FacilityId::new(&format!("H{unit}")).unwrap();
        s.facilities.insert(
            id.clone(),
            Facility {
                id: id.clone(),
                name: format!("{unit} hospital"),
                kind: InstitutionType::GeneralHospital,
                specialty: None,
                grade: Grade::parse("2a").unwrap(),
                ownership: Ownership::Government,
                for_profit: None,
                unit: code(unit),
                location: None,
                opened: None,
                closed: None,
            },
        );
        let mut fy = FacilityYear::new(id.clone(), y);
        for &q in Quantity::all() {
            fy.quantities.insert(q, Count(0));
        }
        fy.quantities
            .insert(Quantity::LicensedDoctors, Count(doctors));
        s.facility_years.insert((id, y), fy);
    }
    s
}

#[test]
fn each_district_has_its_share_of_the_municipal_gap() {
    let parent = hsplan_app::catalog::plan("chongqing-14th-fyp").unwrap();
    let beibei = hsplan_app::catalog::plan("beibei-14th-fyp").unwrap();
    let dadukou = hsplan_app::catalog::plan("dadukou-service-system-2027").unwrap();
    let c = compare(&three_districts(), parent, &[beibei, dadukou], 2024).unwrap();
    let doctors = c
        .indicators
        .iter()
        .find(|i| i.id == "licensed_doctors_per_1000")
        .unwrap();
    // the targets side by side: 3.6 in the municipality, 3.9 in Beibei, 3.65 in Dadukou
    assert_eq!(doctors.parent.target, "3.6");
    let stated: Vec<(&str, &str, &str)> = doctors
        .children
        .iter()
        .map(|s| (s.plan.as_str(), s.target.as_str(), s.ambition.as_str()))
        .collect();
    assert_eq!(
        stated,
        [
            ("beibei-14th-fyp", "3.9", "more"),
            ("dadukou-service-system-2027", "3.65", "more")
        ]
    );
    // against 3.6 per 1,000: Wanzhou needs 720 (has 500), Dadukou 180 (has 200), Beibei
    // 360 (has 300): gaps 220, 0, 60 of 280
    let gaps: Vec<(&str, f64, f64, bool)> = doctors
        .units
        .iter()
        .map(|u| {
            (
                u.name.as_str(),
                u.gap.unwrap(),
                u.share_pct.unwrap(),
                u.has_plan,
            )
        })
        .collect();
    let expect = [
        ("万州区", 220.0, 220.0 / 280.0 * 100.0, false),
        ("大渡口区", 0.0, 0.0, true),
        ("北碚区", 60.0, 60.0 / 280.0 * 100.0, true),
    ];
    for (g, e) in gaps.iter().zip(expect) {
        assert_eq!((g.0, g.3), (e.0, e.3));
        assert!(
            (g.1 - e.1).abs() < 1e-6 && (g.2 - e.2).abs() < 1e-6,
            "{g:?}"
        );
    }
    assert!((doctors.total_gap.unwrap() - 280.0).abs() < 1e-6);
    assert_eq!(doctors.units_without_data, 0);
    // a child that does not name the parent is refused
    let leshan = hsplan_app::catalog::plan("leshan-shizhong-14th-fyp").unwrap();
    assert!(compare(&three_districts(), parent, &[leshan], 2024).is_err());
}
