//! DHIS2 metadata (organisationUnits): another instance's export read through a mapping;
//! hierarchies of uids given assigned codes; bad hierarchies refused with their place.

use hsplan_io::dhis2::{MetadataMapping, import_metadata, uid};
use hsplan_model::{AdminCode, AdminUnit, InstitutionType};
use std::collections::BTreeMap;

fn none() -> BTreeMap<AdminCode, AdminUnit> {
    BTreeMap::new()
}

const METADATA: &str = r#"{
  "system": {"version": "2.40.3"},
  "organisationUnits": [
    {"id": "ImspTQPwCqd", "code": "500109", "name": "北碚区", "shortName": "北碚区", "level": 3, "path": "/x/y/ImspTQPwCqd", "openingDate": "1994-01-01T00:00:00.000",
     "geometry": {"type": "Point", "coordinates": [106.39, 29.8]}},
    {"id": "O6uvpzGd5pu", "code": "500109001", "name": "天生街道", "level": 4, "parent": {"id": "ImspTQPwCqd"}, "openingDate": "1994-01-01T00:00:00.000"},
    {"id": "DiszpKrYNg8", "code": "OU_559", "name": "天生街道社区卫生服务中心", "level": 5, "parent": {"id": "O6uvpzGd5pu"},
     "openingDate": "2008-06-01T00:00:00.000", "closedDate": "2030-01-01T00:00:00.000",
     "geometry": {"type": "Point", "coordinates": [106.31, 29.77]}},
    {"id": "Rp268JB6Ne4", "name": "北碚区人民医院", "level": 4, "parent": {"id": "ImspTQPwCqd"}, "openingDate": "1951-01-01T00:00:00.000"}
  ],
  "organisationUnitGroups": [
    {"id": "tDZVQ1WtwpA", "code": "CHC", "name": "Community health centre", "organisationUnits": [{"id": "DiszpKrYNg8"}]},
    {"id": "RXL3lPSK8oG", "code": "HOSP", "name": "Hospital", "organisationUnits": [{"id": "Rp268JB6Ne4"}]}
  ]
}"#;

#[test]
fn another_instances_org_units_are_read_through_the_mapping() {
    let mapping = MetadataMapping {
        facility_levels: vec![5],
        facility_types: [("RXL3lPSK8oG".to_string(), "general_hospital".to_string())]
            .into_iter()
            .collect(),
        facility_id: "code".into(),
    };
    // level 5 only: the hospital at level 4 would be a unit without an NBS code below an
    // NBS-coded one, so it is refused, located
    let e = import_metadata("meta.json", METADATA, &mapping, &none())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "meta.json, organisation unit 4: `Rp268JB6Ne4` (北碚区人民医院), field `parent`: `Rp268JB6Ne4`: its parent 500109000000 is NBS-coded"
        ),
        "{e}"
    );
    // by default, org units without an NBS code are facilities
    let mapping = MetadataMapping {
        facility_levels: vec![],
        ..mapping
    };
    let r = import_metadata("meta.json", METADATA, &mapping, &none()).unwrap();
    let units: Vec<String> = r.units.iter().map(|u| u.value.code.to_string()).collect();
    assert_eq!(units, ["500109000000", "500109001000"]);
    assert!(r.units[0].value.point.is_some());
    let f: Vec<(&str, InstitutionType, String)> = r
        .facilities
        .iter()
        .map(|f| (f.value.id.as_str(), f.value.kind, f.value.unit.to_string()))
        .collect();
    assert_eq!(
        f,
        [
            // its code is its id; the CHC group code is an alias of the type
            (
                "OU_559",
                InstitutionType::CommunityHealthCentre,
                "500109001000".into()
            ),
            // no code: its uid; the mapping names its group
            (
                "Rp268JB6Ne4",
                InstitutionType::GeneralHospital,
                "500109000000".into()
            ),
        ]
    );
    let chc = &r.facilities[0].value;
    assert_eq!(chc.opened.map(|y| y.get()), Some(2008));
    assert_eq!(chc.closed.map(|y| y.get()), Some(2030));
    assert!(chc.location.is_some());
    assert_eq!(
        r.defaults
            .get("grade and ownership not in DHIS2 metadata → ungraded, other public"),
        Some(&2)
    );
}

#[test]
fn uids_are_dhis2_uids_and_stable() {
    for key in ["unit:500109000000", "facility:SYN001", "", "类型"] {
        let u = uid(key);
        assert_eq!(u.len(), 11);
        assert!(u.chars().next().unwrap().is_ascii_alphabetic());
        assert!(u.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(u, uid(key));
    }
    assert_ne!(uid("unit:500109000000"), uid("unit:500109001000"));
}

const UID_HIERARCHY: &str = include_str!("../../../examples/dhis2/uid-hierarchy/metadata.json");

fn uid_mapping() -> MetadataMapping {
    MetadataMapping {
        facility_levels: vec![],
        facility_types: [("CHC".to_string(), "community_health_centre".to_string())]
            .into_iter()
            .collect(),
        facility_id: "uid".into(),
    }
}

#[test]
fn a_hierarchy_of_uids_gets_codes_from_its_shape() {
    let r = import_metadata("sl.json", UID_HIERARCHY, &uid_mapping(), &none()).unwrap();
    let units: Vec<(String, &str, Option<&str>, Option<&str>)> = r
        .units
        .iter()
        .map(|u| {
            (
                u.value.code.to_string(),
                u.value.name.as_str(),
                u.value.source_id.as_deref(),
                u.value.level_name.as_deref(),
            )
        })
        .collect();
    // districts and chiefdoms numbered in name order under their parents
    assert_eq!(
        units[..4],
        [
            (
                "X001000000000000".to_string(),
                "Sierra Leone",
                Some("ImspTQPwCqd"),
                Some("National")
            ),
            (
                "X001001000000000".into(),
                "Bo",
                Some("O6uvpzGd5pu"),
                Some("District")
            ),
            (
                "X001002000000000".into(),
                "Bombali",
                Some("fdc6uOvgoji"),
                Some("District")
            ),
            (
                "X001003000000000".into(),
                "Kailahun",
                Some("jUb8gELQApl"),
                Some("District")
            ),
        ]
    );
    let baoma = r.units.iter().find(|u| u.value.name == "Baoma").unwrap();
    assert_eq!(baoma.value.code.to_string(), "X001001002000000");
    assert_eq!(
        baoma.value.code.parent().unwrap().to_string(),
        "X001001000000000"
    );
    // without facility_levels and without NBS codes: the deepest level is the facilities'
    assert_eq!(r.units.len(), 8);
    assert_eq!(r.facilities.len(), 7);
    let ngelehun = r
        .facilities
        .iter()
        .find(|f| f.value.id.as_str() == "DiszpKrYNg8")
        .unwrap();
    assert_eq!(ngelehun.value.unit.to_string(), "X001001001000000");
    assert_eq!(ngelehun.value.kind, InstitutionType::CommunityHealthCentre);

    // read again beside what is stored, with a new chiefdom: every code stays
    let held: BTreeMap<AdminCode, AdminUnit> = r
        .units
        .iter()
        .map(|u| (u.value.code, u.value.clone()))
        .collect();
    let grown = UID_HIERARCHY.replace(
        r#""organisationUnits": ["#,
        r#""organisationUnits": [
  {"id": "AaaaaaaaaA1", "name": "Aaa Chiefdom", "level": 3, "parent": {"id": "O6uvpzGd5pu"}},"#,
    );
    let again = import_metadata("sl.json", &grown, &uid_mapping(), &held).unwrap();
    for u in &r.units {
        let same = again
            .units
            .iter()
            .find(|a| a.value.source_id == u.value.source_id)
            .unwrap();
        assert_eq!(same.value.code, u.value.code, "{}", u.value.name);
    }
    let new = again
        .units
        .iter()
        .find(|a| a.value.name == "Aaa Chiefdom")
        .unwrap();
    assert_eq!(new.value.code.to_string(), "X001001003000000");
}

#[test]
fn bad_hierarchies_are_refused_where_they_fail() {
    let doc = |units: &str| format!(r#"{{"organisationUnits": [{units}]}}"#);
    let top = r#"{"id": "Top00000001", "name": "Top", "level": 1}"#;
    let fac = |id: &str, parent: &str| {
        format!(r#"{{"id": "{id}", "name": "F {id}", "level": 4, "parent": {{"id": "{parent}"}}}}"#)
    };
    let m = MetadataMapping {
        facility_levels: vec![4],
        ..uid_mapping()
    };
    let read = |units: String| {
        import_metadata("bad.json", &doc(&units), &m, &none())
            .unwrap_err()
            .to_string()
    };
    // a missing parent
    let e = read(format!(
        r#"{top}, {{"id": "Dist0000001", "name": "D", "level": 2, "parent": {{"id": "Gone0000001"}}}}"#
    ));
    assert_eq!(
        e,
        "bad.json, organisation unit 2: `Dist0000001` (D), field `parent`: `Dist0000001`: its parent `Gone0000001` is neither in the file nor in the store"
    );
    // a cycle of parents
    let e = read(
        r#"{"id": "A0000000001", "name": "A", "level": 2, "parent": {"id": "B0000000001"}},
           {"id": "B0000000001", "name": "B", "level": 2, "parent": {"id": "A0000000001"}}"#
            .into(),
    );
    assert!(
        e.starts_with("bad.json, organisation unit 1: `A0000000001` (A), field `parent`: `A0000000001`: its parents form a cycle (A0000000001 → B0000000001 → A0000000001)"),
        "{e}"
    );
    // six unit levels
    let mut chain = vec![top.to_string()];
    for i in 2..=6 {
        chain.push(format!(
            r#"{{"id": "L{i}000000000", "name": "L{i}", "level": {i}, "parent": {{"id": "{}"}}}}"#,
            if i == 2 {
                "Top00000001".to_string()
            } else {
                format!("L{}000000000", i - 1)
            }
        ));
    }
    let m6 = MetadataMapping {
        facility_levels: vec![7],
        ..uid_mapping()
    };
    let e = import_metadata("bad.json", &doc(&chain.join(",")), &m6, &none())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("bad.json, organisation unit 6: `L6000000000` (L6), field `level`: `L6000000000` is at unit level 6: hsplan holds at most five unit levels"),
        "{e}"
    );
    // a facility whose parent is nowhere
    let e = read(format!("{top}, {}", fac("F0000000001", "Nowhere0001")));
    assert_eq!(
        e,
        "bad.json, organisation unit 2: `F0000000001` (F F0000000001), field `parent`: `Nowhere0001` is no unit of the file or the store"
    );
    // one uid twice
    let e = read(format!("{top}, {top}"));
    assert!(
        e.contains(
            "organisation unit 2: `Top00000001` (Top), field `id`: `Top00000001` appears twice"
        ),
        "{e}"
    );
    // no level and no path, where levels decide
    let e = import_metadata(
        "bad.json",
        &doc(r#"{"id": "Top00000001", "name": "Top"}"#),
        &uid_mapping(),
        &none(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("field `level`: no level (nor path)"), "{e}");
}
