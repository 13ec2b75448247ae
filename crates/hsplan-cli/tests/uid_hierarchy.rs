//! A hierarchy without NBS codes (DHIS2 org units named by uid) brought in from DHIS2's
//! published formats into a fresh store, and used in every analysis: indicators (a unit
//! named by its uid), plan evaluation, standards, the data-quality review, the HTML report;
//! sent back out to DHIS2 (uids kept) and FHIR, and read back identically.

mod common;
use common::*;
use std::path::Path;

fn run(db: &Path, args: &[&str]) -> String {
    let out = hsplan(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn example_path(name: &str) -> String {
    repo_root()
        .join("examples/dhis2/uid-hierarchy")
        .join(name)
        .display()
        .to_string()
}

fn load(db: &Path) {
    let mapping = example_path("mapping.toml");
    let text = run(
        db,
        &[
            "import",
            "dhis2-metadata",
            &example_path("metadata.json"),
            "--mapping",
            &mapping,
        ],
    );
    assert!(
        text.contains("code given to its top unit: X001000000000000 Sierra Leone (ImspTQPwCqd)"),
        "{text}"
    );
    assert!(text.contains("8 units, 7 facilities"), "{text}");
    let text = run(
        db,
        &[
            "import",
            "dhis2",
            &example_path("datavalues.json"),
            "--mapping",
            &mapping,
        ],
    );
    assert!(
        text.contains("8 population records, 14 facility-years"),
        "{text}"
    );
}

#[test]
fn a_dhis2_hierarchy_of_uids_works_in_every_analysis_and_goes_back_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sl.db");
    load(&db);

    // the source's level names
    let status = run(&db, &["status"]);
    assert!(status.contains("District*"), "{status}");
    assert!(status.contains("Chiefdom*"), "{status}");

    // a unit named by its uid: Bo has 30 beds and 41,200 residents in 2024
    let v: serde_json::Value = serde_json::from_str(&run(
        &db,
        &[
            "indicators",
            "--unit",
            "O6uvpzGd5pu",
            "--year",
            "2024",
            "--json",
        ],
    ))
    .unwrap();
    let beds = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "beds_per_1000")
        .unwrap();
    assert!(
        (beds["value"].as_f64().unwrap() - 30.0 / 41.2).abs() < 1e-9,
        "{beds}"
    );

    // the plan over the whole hierarchy: 246 beds for 191,200 residents
    let e: serde_json::Value = serde_json::from_str(&run(
        &db,
        &[
            "evaluate",
            "--plan",
            &example_path("plan.toml"),
            "--year",
            "2024",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let row = e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "beds_per_1000")
        .unwrap();
    assert!(
        (row["actual"].as_f64().unwrap() - 246.0 / 191.2).abs() < 1e-9,
        "{row}"
    );
    let html = dir.path().join("report.html");
    run(
        &db,
        &[
            "evaluate",
            "--plan",
            &example_path("plan.toml"),
            "--year",
            "2024",
            "--format",
            "html",
            "--out",
            &html.display().to_string(),
        ],
    );
    let report = std::fs::read_to_string(&html).unwrap();
    assert!(report.contains("Bombali") && report.contains("Kailahun"));

    // standards over the chiefdoms: two have no CHC
    let text = run(
        &db,
        &[
            "standards",
            "check",
            "--rules",
            &example_path("standards.toml"),
            "--year",
            "2024",
        ],
    );
    assert!(
        text.contains("1 rules checked on 4 subjects; 2 violations found"),
        "{text}"
    );

    // the data-quality review, by district
    let q: serde_json::Value = serde_json::from_str(&run(
        &db,
        &["quality", "--year", "2024", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(q["scores"][0]["unit"], "X001000000000000", "{q}");
    assert_eq!(q["scores"][0]["reporting"], 7, "{q}");

    // back out to DHIS2: the data values keep the uids they came with
    let dv = dir.path().join("dv.json");
    run(
        &db,
        &[
            "export",
            "dhis2",
            "--mapping",
            &example_path("mapping.toml"),
            "--year",
            "2024",
            "--out",
            &dv.display().to_string(),
        ],
    );
    let dv: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&dv).unwrap()).unwrap();
    let values = dv["dataValues"].as_array().unwrap();
    assert!(values.iter().any(|v| v["orgUnit"] == "DiszpKrYNg8"
        && v["dataElement"] == "hsBedsActual"
        && v["value"] == "13"));
    assert!(
        values
            .iter()
            .any(|v| v["orgUnit"] == "O6uvpzGd5pu" && v["dataElement"] == "hsBedsPer1000")
    );

    // metadata out and into a fresh store, FHIR out and into another: the same directory
    let fhir_of = |db: &Path, name: &str| {
        let out = dir.path().join(name);
        run(db, &["export", "fhir", "--out", &out.display().to_string()]);
        std::fs::read_to_string(out).unwrap()
    };
    let first = fhir_of(&db, "a.json");
    assert!(first.contains("urn:hsplan:source-id") && first.contains("ImspTQPwCqd"));
    let meta = dir.path().join("meta.json");
    run(
        &db,
        &[
            "export",
            "dhis2-metadata",
            "--out",
            &meta.display().to_string(),
        ],
    );
    let db2 = dir.path().join("again.db");
    run(
        &db2,
        &[
            "import",
            "dhis2-metadata",
            &meta.display().to_string(),
            "--mapping",
            &example_path("mapping.toml"),
        ],
    );
    assert_eq!(fhir_of(&db2, "b.json"), first);
    let db3 = dir.path().join("fhir.db");
    run(
        &db3,
        &[
            "import",
            "fhir",
            &dir.path().join("a.json").display().to_string(),
        ],
    );
    assert_eq!(fhir_of(&db3, "c.json"), first);
}

#[test]
fn bad_population_values_are_refused_row_by_row_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sl.db");
    load(&db);
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"dataValues": [
          {"dataElement": "WUg3MYWQ7pt", "period": "202401", "orgUnit": "O6uvpzGd5pu", "value": "10"},
          {"dataElement": "WUg3MYWQ7pt", "period": "2024", "orgUnit": "NoSuchUnit1", "value": "10"},
          {"dataElement": "WUg3MYWQ7pt", "period": "2024", "orgUnit": "YuQRtpLP10I", "value": "-3"},
          {"dataElement": "WUg3MYWQ7pt", "period": "2025", "orgUnit": "YuQRtpLP10I", "value": "100"},
          {"dataElement": "WUg3MYWQ7pt", "period": "2025", "orgUnit": "YuQRtpLP10I", "value": "200"}
        ]}"#,
    )
    .unwrap();
    let before = run(&db, &["status"]);
    let out = hsplan(&db)
        .args([
            "import",
            "dhis2",
            "--mapping",
            &example_path("mapping.toml"),
        ])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "bad.json, data value 1, period: `202401` is not a year",
        "bad.json, data value 2, orgUnit: `NoSuchUnit1` is no unit of the store",
        "bad.json, data value 3, value: `-3`: expected a whole number",
        "bad.json, data value 5: population resident of this unit and year again (first at data value 4)",
    ] {
        assert!(err.contains(needle), "{needle}\n{err}");
    }
    assert_eq!(run(&db, &["status"]), before);
}
