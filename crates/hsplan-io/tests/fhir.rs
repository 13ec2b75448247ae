//! FHIR mCSD Bundles: ours read back to the same units and facilities; another system's
//! read with what hsplan does not know counted; broken ones refused with the entry and field.

use hsplan_io::fhir::{export_bundle, import_bundle};
use hsplan_model::{
    AdminCode, AdminUnit, Capability, Facility, FacilityId, FacilityYear, Grade, InstitutionType,
    Labelled, LonLat, MultiPolygon, Ownership, ServiceSystem, Specialty, Year,
};
use std::collections::BTreeMap;

fn code(c: &str) -> AdminCode {
    AdminCode::parse(c).unwrap()
}

fn system() -> ServiceSystem {
    let mut s = ServiceSystem::default();
    for (c, n) in [
        ("50", "重庆市"),
        ("5001", "市辖区"),
        ("500109", "北碚区"),
        ("500109001", "天生街道"),
    ] {
        let u = AdminUnit::new(code(c), n);
        s.units.insert(u.code, u);
    }
    let p = |x, y| LonLat::new(x, y).unwrap();
    let town = s.units.get_mut(&code("500109001")).unwrap();
    town.point = Some(p(106.41, 29.83));
    town.boundary = Some(MultiPolygon(vec![vec![vec![
        p(106.4, 29.8),
        p(106.5, 29.8),
        p(106.5, 29.9),
        p(106.4, 29.8),
    ]]]));
    for (id, kind, specialty, grade, ownership, unit, loc) in [
        (
            "H_1",
            InstitutionType::GeneralHospital,
            None,
            "3a",
            Ownership::Government,
            "500109001",
            Some(p(106.4123456789012, 29.8234567890123)),
        ),
        (
            "专科/2号",
            InstitutionType::SpecialisedHospital,
            Some(Specialty::parse_label("stomatology").unwrap()),
            "ungraded",
            Ownership::Private,
            "500109",
            None,
        ),
    ] {
        let f = Facility {
            id: FacilityId::new(id).unwrap(),
            name: format!("机构{id}"),
            kind,
            specialty,
            grade: Grade::parse(grade).unwrap(),
            ownership,
            for_profit: Some(ownership == Ownership::Private),
            unit: code(unit),
            location: loc,
            opened: Some(Year::new(1990).unwrap()),
            closed: None,
        };
        s.facilities.insert(f.id.clone(), f);
    }
    let mut fy = FacilityYear::new(FacilityId::new("H_1").unwrap(), Year::new(2024).unwrap());
    fy.capabilities.insert(Capability::FeverClinic);
    fy.capabilities.insert(Capability::InfectiousDiseaseDept);
    s.facility_years.insert((fy.facility.clone(), fy.year), fy);
    s
}

#[test]
fn our_bundle_reads_back_to_the_same_units_and_facilities() {
    let s = system();
    let doc = export_bundle(&s, None, Some(Year::new(2024).unwrap()));
    let entries = doc["entry"].as_array().unwrap();
    // 4 jurisdictions × 2 + 2 facilities × 2 + 2 services
    assert_eq!(entries.len(), 4 * 2 + 2 * 2 + 2);
    for e in entries {
        let id = e["resource"]["id"].as_str().unwrap();
        assert!(
            id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
            "{id} is not a FHIR id"
        );
        assert_eq!(
            e["request"]["url"],
            format!("{}/{id}", e["resource"]["resourceType"].as_str().unwrap())
        );
    }
    let text = serde_json::to_string(&doc).unwrap();
    let back = import_bundle("b.json", &text, &BTreeMap::new()).unwrap();
    let units: Vec<&AdminUnit> = back.units.iter().map(|u| &u.value).collect();
    assert_eq!(units, s.units.values().collect::<Vec<_>>());
    let facilities: Vec<&Facility> = back.facilities.iter().map(|f| &f.value).collect();
    let mut want: Vec<&Facility> = s.facilities.values().collect();
    want.sort_by_key(|f| f.id.as_str().to_string());
    let mut got = facilities.clone();
    got.sort_by_key(|f| f.id.as_str().to_string());
    assert_eq!(got, want);
    assert_eq!(
        back.services[&FacilityId::new("H_1").unwrap()],
        [Capability::FeverClinic, Capability::InfectiousDiseaseDept]
            .into_iter()
            .collect()
    );
    assert!(back.ignored_resources.is_empty() && back.ignored_extensions.is_empty());
    assert!(back.defaults.is_empty(), "{:?}", back.defaults);
    // a subtree: only what lies in it
    let part = export_bundle(&s, Some(code("500109001")), None);
    assert_eq!(part["entry"].as_array().unwrap().len(), 2 + 2);
}

#[test]
fn another_systems_bundle_is_read_and_what_is_unknown_counted() {
    let text = include_str!("fixtures/foreign-mcsd.json");
    let r = import_bundle("foreign-mcsd.json", text, &BTreeMap::new()).unwrap();
    let codes: Vec<String> = r.units.iter().map(|u| u.value.code.to_string()).collect();
    assert_eq!(codes, ["500000000000", "500100000000", "500109000000"]);
    let bb = &r.units[2].value;
    assert!(
        bb.point.is_some() && bb.boundary.is_some(),
        "position and the mCSD boundary"
    );
    // the hospital (Organization, placed by partOf, its site's position) and the clinic
    // (a Location of its own, placed by its partOf)
    let ids: Vec<&str> = r.facilities.iter().map(|f| f.value.id.as_str()).collect();
    assert_eq!(ids, ["REG-0001", "REG-0002"]);
    let h = &r.facilities[0].value;
    assert_eq!(h.unit, code("500109"));
    assert_eq!(h.ownership, Ownership::Government, "organization-type govt");
    assert_eq!(h.location, Some(LonLat::new(106.40, 29.82).unwrap()));
    assert_eq!(r.facilities[1].value.unit, code("500109"));
    assert_eq!(r.ignored_resources.get("Practitioner"), Some(&1));
    assert_eq!(r.ignored_resources.get("PractitionerRole"), Some(&1));
    assert_eq!(r.ignored_resources.get("Endpoint"), Some(&1));
    assert_eq!(r.ignored_extensions.len(), 2, "{:?}", r.ignored_extensions);
    assert_eq!(
        r.defaults.get("institution type not stated → other"),
        Some(&2)
    );
    assert_eq!(
        r.defaults.get("ownership not stated → other public"),
        Some(&1)
    );
    assert_eq!(r.defaults.get("grade not stated → ungraded"), Some(&2));
    assert_eq!(r.services.len(), 1);
}

#[test]
fn broken_bundles_are_refused_with_the_entry_and_field() {
    let cases = [
        ("[]", "entry 0: expected a Bundle"),
        (
            "{\"resourceType\":\"Bundle\",\"entry\":{}}",
            "`entry` must be an array",
        ),
        (
            "{\"resourceType\":\"Bundle\",\"entry\":[{}]}",
            "entry 1: has no `resource` object",
        ),
        (
            r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Organization","id":"x","identifier":[{"system":"urn:hsplan:nbs-division-code","value":"5001x"}],"name":"x"}}]}"#,
            "entry 1: Organization `x`, field `identifier`",
        ),
        (
            r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Organization","id":"h","name":"医院"}}]}"#,
            "entry 1: Organization `h`, field `partOf`: not placed in a jurisdiction",
        ),
        (
            r#"{"resourceType":"Bundle","entry":[
              {"resource":{"resourceType":"Organization","id":"j","identifier":[{"system":"urn:hsplan:nbs-division-code","value":"50"}],"name":"重庆市"}},
              {"resource":{"resourceType":"Organization","id":"h","name":"医院","partOf":{"reference":"Organization/j"},"type":[{"coding":[{"system":"urn:hsplan:institution-type","code":"castle"}]}]}}]}"#,
            "entry 2: Organization `h`, field `type`",
        ),
        (
            r#"{"resourceType":"Bundle","entry":[
              {"resource":{"resourceType":"Location","id":"j","identifier":[{"system":"urn:hsplan:nbs-division-code","value":"50"}],"name":"重庆市","position":{"longitude":500,"latitude":29}}}]}"#,
            "entry 1: Location `j`, field `position`",
        ),
        (
            r#"{"resourceType":"Bundle","entry":[
              {"resource":{"resourceType":"Location","id":"j","identifier":[{"system":"urn:hsplan:nbs-division-code","value":"50"}],"name":"重庆市","extension":[{"url":"https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.GeoJSONExtension","valueAttachment":{"data":"!!"}}]}}]}"#,
            "entry 1: Location `j`, field `extension`: boundary is not base64",
        ),
    ];
    for (text, says) in cases {
        let e = import_bundle("b.json", text, &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("b.json, entry ") && e.contains(says),
            "{text}\n→ {e}"
        );
    }
}

#[test]
fn another_systems_jurisdictions_without_codes_get_codes_from_their_place() {
    let text = include_str!("fixtures/foreign-mcsd-uncoded.json");
    let r = import_bundle("uncoded.json", text, &BTreeMap::new()).unwrap();
    let units: Vec<(String, &str, Option<&str>)> = r
        .units
        .iter()
        .map(|u| {
            (
                u.value.code.to_string(),
                u.value.name.as_str(),
                u.value.source_id.as_deref(),
            )
        })
        .collect();
    // an Organization and the Location it manages are one unit, keyed by the Organization;
    // a Location alone by itself; children numbered in name order
    assert_eq!(
        units,
        [
            ("X001000000000000".to_string(), "Kenya", Some("org-ke")),
            ("X001001000000000".into(), "Mombasa", Some("org-mombasa")),
            ("X001002000000000".into(), "Nairobi", Some("org-nairobi")),
            ("X001002001000000".into(), "Kibra", Some("loc-kibra")),
        ]
    );
    assert!(
        r.units[2].value.point.is_some(),
        "the managed Location's position"
    );
    let placed: Vec<(&str, String)> = r
        .facilities
        .iter()
        .map(|f| (f.value.id.as_str(), f.value.unit.to_string()))
        .collect();
    assert_eq!(
        placed,
        [
            ("13074", "X001002000000000".to_string()),
            ("13156", "X001002001000000".into())
        ]
    );
    // read again beside what is stored: the same codes
    let held: BTreeMap<AdminCode, AdminUnit> = r
        .units
        .iter()
        .map(|u| (u.value.code, u.value.clone()))
        .collect();
    let again = import_bundle("uncoded.json", text, &held).unwrap();
    assert_eq!(again.units, r.units);
    // and hsplan's export of them reads back identically, source ids included
    let mut sys = ServiceSystem::default();
    for u in &r.units {
        let mut u = u.value.clone();
        u.level_name = Some(format!("Level {}", u.level() as u8));
        sys.units.insert(u.code, u);
    }
    let doc = export_bundle(&sys, None, None);
    let back = import_bundle("b.json", &doc.to_string(), &BTreeMap::new()).unwrap();
    let back: Vec<&AdminUnit> = back.units.iter().map(|u| &u.value).collect();
    assert_eq!(back, sys.units.values().collect::<Vec<_>>());
}

#[test]
fn a_cycle_or_a_missing_parent_among_uncoded_jurisdictions_is_refused() {
    let t = "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";
    let org = |id: &str, parent: &str| {
        format!(
            r#"{{"resource":{{"resourceType":"Organization","id":"{id}","name":"{id}","type":[{{"coding":[{{"system":"{t}","code":"jurisdiction"}}]}}],"partOf":{{"reference":"Organization/{parent}"}}}}}}"#
        )
    };
    let bundle =
        |e: Vec<String>| format!(r#"{{"resourceType":"Bundle","entry":[{}]}}"#, e.join(","));
    let e = import_bundle(
        "c.json",
        &bundle(vec![org("a", "b"), org("b", "a")]),
        &BTreeMap::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with(
            "c.json, entry 1: Organization `a`, field `partOf`: `a`: its parents form a cycle"
        ),
        "{e}"
    );
    let e = import_bundle("c.json", &bundle(vec![org("a", "zz")]), &BTreeMap::new())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "c.json, entry 1: Organization `a`, field `partOf`: `a`: its parent `zz` is neither in the file nor in the store"
    );
}
