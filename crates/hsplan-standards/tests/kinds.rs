//! Each rule kind on a small fixture, passing and failing at its boundaries; and malformed
//! rule files rejected with file:line:column.

use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Capability, Count, Facility, FacilityId, FacilityYear, Grade,
    InstitutionType, Ownership, Persons, PopulationRecord, PopulationSource, Quantity,
    ServiceSystem, Year,
};
use hsplan_standards::{check, load};

fn y() -> Year {
    Year::new(2023).unwrap()
}

fn code(s: &str) -> AdminCode {
    AdminCode::parse(s).unwrap()
}

/// A county with a town (甲镇, villages 一村 and 二村) and a street (乙街道, one community).
fn system() -> ServiceSystem {
    let mut s = ServiceSystem::default();
    for (c, n) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500109", "北碚区"),
        ("500109101", "甲镇"),
        ("500109101201", "一村"),
        ("500109101202", "二村"),
        ("500109001", "乙街道"),
        ("500109001001", "丙社区"),
    ] {
        let u = AdminUnit::new(code(c), n);
        s.units.insert(u.code, u);
    }
    for (c, p) in [
        ("500109101201", 700),
        ("500109101202", 3000),
        ("500109001001", 100_000),
    ] {
        s.population.insert(
            (code(c), y()),
            PopulationRecord {
                unit: code(c),
                year: y(),
                source: PopulationSource::Estimate,
                resident: Persons(p),
                male: None,
                female: None,
                ages: AgeBands::default(),
                live_births: None,
                deaths: None,
            },
        );
    }
    s
}

fn add(
    s: &mut ServiceSystem,
    id: &str,
    kind: InstitutionType,
    grade: &str,
    unit: &str,
    quantities: &[(Quantity, u64)],
    caps: &[Capability],
) {
    let fid = FacilityId::new(id).unwrap();
    s.facilities.insert(
        fid.clone(),
        Facility {
            id: fid.clone(),
            name: id.into(),
            kind,
            specialty: None,
            grade: Grade::parse(grade).unwrap(),
            ownership: Ownership::Government,
            for_profit: None,
            unit: code(unit),
            location: None,
            opened: None,
            closed: None,
        },
    );
    let mut fy = FacilityYear::new(fid.clone(), y());
    for (q, v) in quantities {
        fy.quantities.insert(*q, Count(*v));
    }
    fy.capabilities.extend(caps.iter().copied());
    s.facility_years.insert((fid, y()), fy);
}

const HEAD: &str = r#"
[standards]
id = "test"
title_zh = "测试"
title_en = "Test"
"#;

fn rules(body: &str) -> hsplan_standards::RuleSet {
    load("test.toml", &format!("{HEAD}{body}")).unwrap()
}

fn rule(kind_and_params: &str) -> String {
    format!(
        r#"
[[rule]]
id = "r"
statement_zh = "规则"
statement_en = "rule"
source = {{ document = "test" }}
severity = "high"
remedy_zh = "缺 {{n}}"
remedy_en = "{{n}} missing"
{kind_and_params}
"#
    )
}

#[test]
fn presence_per_unit_and_per_residents() {
    let mut s = system();
    add(
        &mut s,
        "THC",
        InstitutionType::TownshipHealthCentre,
        "1",
        "500109101",
        &[],
        &[],
    );
    let r = rules(&rule(
        r#"kind = "presence"
min = 1
scope = { level = "town", unit_kinds = ["town"] }
facilities = { types = ["township_health_centre"], ownership = ["government"] }"#,
    ));
    let out = check(&s, &r, y(), None);
    assert_eq!(out.rules[0].checked, 1, "only the town, not the street");
    assert!(out.violations.is_empty());
    // One CHC per street, or one per 100,000 residents: exactly 100,000 needs 1.
    let per = rule(
        r#"kind = "presence"
min = 1
per_residents = 100000
scope = { level = "town", unit_kinds = ["street"] }
facilities = { types = ["community_health_centre"] }"#,
    );
    let out = check(&s, &rules(&per), y(), None);
    assert_eq!(out.violations.len(), 1, "the street has no CHC");
    assert_eq!(out.violations[0].shortfall, 1);
    assert_eq!(out.violations[0].place.name, "乙街道");
    assert_eq!(out.violations[0].shortfall_zh, "缺 1");
    add(
        &mut s,
        "CHC",
        InstitutionType::CommunityHealthCentre,
        "ungraded",
        "500109001001",
        &[],
        &[],
    );
    assert!(check(&s, &rules(&per), y(), None).violations.is_empty());
    // 100,001 residents need a second one.
    s.population
        .get_mut(&(code("500109001001"), y()))
        .unwrap()
        .resident = Persons(100_001);
    let out = check(&s, &rules(&per), y(), None);
    assert_eq!(out.violations[0].shortfall, 1);
    assert_eq!(out.violations[0].required, "≥ 2");
}

#[test]
fn presence_exempts_small_villages() {
    let s = system();
    let r = rules(&rule(
        r#"kind = "presence"
min = 1
exempt_below_residents = 800
scope = { level = "village", unit_kinds = ["village"] }
facilities = { types = ["village_clinic"] }"#,
    ));
    let out = check(&s, &r, y(), None);
    assert_eq!(out.rules[0].checked, 2);
    assert_eq!(out.rules[0].exempt, 1, "一村 has 700 residents");
    assert_eq!(out.violations.len(), 1);
    assert_eq!(out.violations[0].place.name, "二村");
    assert_eq!(
        out.violations[0].place.district.as_ref().unwrap().1,
        "北碚区"
    );
}

#[test]
fn capability_every_facility() {
    let mut s = system();
    add(
        &mut s,
        "A",
        InstitutionType::TownshipHealthCentre,
        "1",
        "500109101",
        &[],
        &[Capability::FeverRoom],
    );
    add(
        &mut s,
        "B",
        InstitutionType::CommunityHealthCentre,
        "ungraded",
        "500109001",
        &[],
        &[],
    );
    let r = rules(&rule(
        r#"kind = "capability"
any_of = ["fever_clinic", "fever_room", "fever_sentinel"]
facilities = { types = ["township_health_centre", "community_health_centre"] }"#,
    ));
    let out = check(&s, &r, y(), None);
    assert_eq!(out.rules[0].checked, 2);
    assert_eq!(out.violations.len(), 1);
    assert_eq!(out.violations[0].place.id, "B");
}

#[test]
fn quantity_minimum_per_facility_and_quota_per_unit() {
    let mut s = system();
    add(
        &mut s,
        "A",
        InstitutionType::TownshipHealthCentre,
        "1",
        "500109101",
        &[(Quantity::PublicHealthPhysicians, 1)],
        &[],
    );
    add(
        &mut s,
        "B",
        InstitutionType::CommunityHealthCentre,
        "ungraded",
        "500109001",
        &[(Quantity::PublicHealthPhysicians, 0)],
        &[],
    );
    add(
        &mut s,
        "C",
        InstitutionType::CommunityHealthCentre,
        "ungraded",
        "500109001",
        &[],
        &[],
    );
    let r = rules(&rule(
        r#"kind = "quantity"
of = ["public_health_physicians"]
min = 1
facilities = { types = ["township_health_centre", "community_health_centre"] }"#,
    ));
    let out = check(&s, &r, y(), None);
    assert_eq!(out.rules[0].checked, 3);
    assert_eq!(
        out.rules[0].not_assessable, 1,
        "C did not report the quantity"
    );
    assert_eq!(out.violations.len(), 1);
    assert_eq!(
        (
            out.violations[0].place.id.as_str(),
            out.violations[0].shortfall
        ),
        ("B", 1)
    );
    // Quota: at most 2 CT scanners in the district; 2 passes, 3 fails by 1.
    let mut s = system();
    add(
        &mut s,
        "H1",
        InstitutionType::GeneralHospital,
        "3a",
        "500109001",
        &[(Quantity::Ct64Plus, 2)],
        &[],
    );
    let quota = rule(
        r#"kind = "quota"
of = ["ct_64_plus"]
max = 2
scope = { level = "county" }"#,
    );
    assert!(check(&s, &rules(&quota), y(), None).violations.is_empty());
    add(
        &mut s,
        "H2",
        InstitutionType::GeneralHospital,
        "2",
        "500109101",
        &[(Quantity::Ct64Plus, 1)],
        &[],
    );
    let out = check(&s, &rules(&quota), y(), None);
    assert_eq!(out.violations.len(), 1);
    assert!(out.violations[0].excess);
    assert_eq!(out.violations[0].shortfall, 1);
    assert_eq!(out.violations[0].shortfall_zh, "超出上限 1");
}

#[test]
fn ratio_and_share_bounds() {
    let mut s = system();
    // Beds 100, staff 160: 1:1.6 exactly passes.
    add(
        &mut s,
        "H",
        InstitutionType::GeneralHospital,
        "2",
        "500109101",
        &[
            (Quantity::Beds, 100),
            (Quantity::StaffTotal, 160),
            (Quantity::BedsIcu, 2),
            (Quantity::Ambulances, 10),
        ],
        &[],
    );
    let ratio = rule(
        r#"kind = "ratio"
numerator = ["staff_total"]
denominator = ["beds"]
min = 1.6
scope = { level = "county" }"#,
    );
    assert!(check(&s, &rules(&ratio), y(), None).violations.is_empty());
    s.facility_years
        .get_mut(&(FacilityId::new("H").unwrap(), y()))
        .unwrap()
        .quantities
        .insert(Quantity::StaffTotal, Count(150));
    let out = check(&s, &rules(&ratio), y(), None);
    assert_eq!(out.violations[0].shortfall, 10, "10 more staff for 1:1.6");
    // ICU share 2–5 % per secondary+ general hospital: 2 % passes, 1 % fails.
    let share = rule(
        r#"kind = "share"
subject = "facility"
numerator = ["beds_icu"]
denominator = ["beds"]
min = 2
max = 5
facilities = { types = ["general_hospital"], grade_at_least = "2" }"#,
    );
    assert!(check(&s, &rules(&share), y(), None).violations.is_empty());
    s.facility_years
        .get_mut(&(FacilityId::new("H").unwrap(), y()))
        .unwrap()
        .quantities
        .insert(Quantity::BedsIcu, Count(1));
    let out = check(&s, &rules(&share), y(), None);
    assert_eq!(
        (
            out.violations[0].shortfall,
            out.violations[0].required.as_str()
        ),
        (1, "2–5")
    );
    // Ambulances per 10k residents: 103,700 residents need 11 (⌈10.37⌉), 10 fail by 1.
    let amb = rule(
        r#"kind = "ratio"
numerator = ["ambulances"]
denominator = ["residents"]
per = 10000
min = 1
scope = { level = "county" }"#,
    );
    let out = check(&s, &rules(&amb), y(), None);
    assert_eq!(out.violations.len(), 1);
    assert_eq!(out.violations[0].shortfall, 1);
}

#[test]
fn grade_filter_at_the_boundary() {
    let mut s = system();
    add(
        &mut s,
        "T2B",
        InstitutionType::TcmHospital,
        "2b",
        "500109101",
        &[],
        &[],
    );
    let r = rules(&rule(
        r#"kind = "presence"
min = 1
scope = { level = "county" }
facilities = { types = ["tcm_hospital"], public = true, grade_at_least = "2a" }"#,
    ));
    assert_eq!(
        check(&s, &r, y(), None).violations.len(),
        1,
        "2B is below 2A"
    );
    add(
        &mut s,
        "T2A",
        InstitutionType::TcmHospital,
        "2a",
        "500109101",
        &[],
        &[],
    );
    assert!(check(&s, &r, y(), None).violations.is_empty());
}

#[test]
fn malformed_rule_files_are_located() {
    let cases = [
        (
            rule(
                r#"kind = "presense"
min = 1
scope = { level = "town" }"#,
            ),
            "rule kind `presense`",
        ),
        (
            rule(
                r#"kind = "capability"
any_of = ["fever_clinc"]"#,
            ),
            "fever_clinc",
        ),
        (
            rule(
                r#"kind = "quantity"
of = ["beds"]"#,
            ),
            "needs `min`, `max`",
        ),
        (
            rule(
                r#"kind = "ratio"
numerator = ["beds"]
denominator = ["residents"]
subject = "facility"
min = 1"#,
            ),
            "residents belong to units",
        ),
        (
            rule(
                r#"kind = "quantity"
of = ["beds"]
min = 5
max = 2"#,
            ),
            "below min",
        ),
        (
            rule(
                r#"kind = "presence"
min = 1
scope = { level = "town" }
colour = "red""#,
            ),
            "unknown field `colour`",
        ),
        (
            // printed as "≥ 18446744073709551616 → 18446744073709551615 needed" before
            rule(
                r#"kind = "presence"
min = 18446744073709551616.0
scope = { level = "town" }"#,
            ),
            "a bound must be a number from 0 to 1e12",
        ),
    ];
    for (body, expected) in cases {
        let text = format!("{HEAD}{body}");
        let e = load("bad.toml", &text).unwrap_err().to_string();
        assert!(e.contains(expected), "{expected}: {e}");
        assert!(e.starts_with("bad.toml:"), "{e}");
        assert!(e.contains('^'), "a caret: {e}");
    }
}

#[test]
fn a_unit_without_any_data_is_not_assessable_rather_than_empty() {
    let mut s = system();
    let other = AdminUnit::new(code("500110"), "綦江区");
    s.units.insert(other.code, other);
    let r = rules(&rule(
        r#"kind = "presence"
min = 1
scope = { level = "county" }
facilities = { types = ["general_hospital"], grade_at_least = "3" }"#,
    ));
    let out = check(&s, &r, y(), None);
    assert_eq!(out.rules[0].checked, 2);
    assert_eq!(out.rules[0].not_assessable, 1, "綦江区 has no data");
    assert_eq!(
        out.violations.len(),
        1,
        "北碚区 has residents and no tier-3 hospital"
    );
    assert_eq!(out.violations[0].place.name, "北碚区");
}
