//! DHIS2 metadata (organisationUnits): another instance's export read through a mapping; org
//! units that are neither NBS-coded nor at a facility level refused with their place.

use hsplan_io::dhis2::{MetadataMapping, import_metadata, uid};
use hsplan_model::InstitutionType;

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
    };
    // level 5 only: the hospital at level 4 has no NBS code, so it is refused, located
    let e = import_metadata("meta.json", METADATA, &mapping)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "meta.json, organisation unit 4: `Rp268JB6Ne4` (北碚区人民医院, level 4), field `code`"
        ),
        "{e}"
    );
    // by default, org units without an NBS code are facilities
    let mapping = MetadataMapping {
        facility_levels: vec![],
        ..mapping
    };
    let r = import_metadata("meta.json", METADATA, &mapping).unwrap();
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
