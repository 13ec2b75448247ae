//! `hsplan quality` on the demo store: every fault the synthetic registry plants is found
//! in its year, the downloads are written, and bad requests get a clear message.

mod common;
use common::*;

fn review(db: &std::path::Path, year: i64) -> serde_json::Value {
    let out = hsplan(db)
        // the demo district, whose registry carries the planted faults
        .args([
            "quality",
            "--format",
            "json",
            "--unit",
            "500109",
            "--year",
            &year.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn checks(r: &serde_json::Value) -> Vec<(String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["facility_type"].as_str().unwrap_or("").to_string(),
                f["quantity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_review_finds_every_planted_fault_of_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(demo.status.success());
    let stdout = String::from_utf8(demo.stdout).unwrap();
    assert_eq!(
        stdout.matches("合成数据有意设置的问题").count(),
        5,
        "{stdout}"
    );
    let db = dir.path().join("demo.db");

    let has = |r: &serde_json::Value, check: &str, kind: &str, quantity: &str| {
        checks(r)
            .iter()
            .any(|(c, k, q)| c == check && k == kind && q == quantity)
    };
    let y2021 = review(&db, 2021);
    assert_eq!(
        y2021["unit"], "500109000000",
        "the unit holding every facility"
    );
    assert!(has(&y2021, "not_reporting", "clinic", ""));
    let y2022 = review(&db, 2022);
    assert!(has(&y2022, "population_children", "", ""));
    let y2023 = review(&db, 2023);
    assert!(has(
        &y2023,
        "outlier",
        "township_health_centre",
        "outpatient_visits"
    ));
    assert!(has(
        &y2023,
        "year_jump",
        "township_health_centre",
        "outpatient_visits"
    ));
    assert!(has(
        &y2023,
        "bed_occupancy",
        "general_hospital",
        "inpatient_bed_days"
    ));
    let y2024 = review(&db, 2024);
    assert!(has(
        &y2024,
        "staff_sum",
        "general_hospital",
        "staff_health_technical"
    ));
    // the seed's own contradictions show as plan-baseline findings, every year
    for r in [&y2021, &y2022, &y2023, &y2024] {
        assert!(has(r, "plan_baseline", "", ""));
        assert_eq!(r["plans_compared"][0], "beibei-14th-fyp");
        assert_eq!(r["synthetic_data"], true);
        let score = r["scores"][0]["score"].as_f64().unwrap();
        assert!((90.0..100.0).contains(&score), "{score}");
    }
    // the evaluation marks the rows that read a doubted value
    let plan = repo_root().join("data/plans/beibei.toml");
    let e: serde_json::Value = serde_json::from_slice(
        &hsplan(&db)
            .args(["evaluate", "--year", "2023", "--format", "json", "--plan"])
            .arg(&plan)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let doubted: Vec<&str> = e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["doubt"].is_null())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(doubted.contains(&"beds_per_1000"), "{doubted:?}");
    assert!(
        !doubted.contains(&"share_secondary_general_hospitals_with_infectious_dept"),
        "{doubted:?}"
    );
    assert!(e["quality"]["findings"].as_array().unwrap().len() >= 3);

    // the table, and every download
    let table = hsplan(&db)
        .args(["quality", "--unit", "500109", "--year", "2023"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("Data-quality review") && text.contains("Implausible bed occupancy"),
        "{text}"
    );
    for (format, needle) in [
        ("csv", "finding_zh"),
        ("html", "Data-quality review"),
        ("xlsx", ""),
    ] {
        let out = dir.path().join(format!("q.{format}"));
        hsplan(&db)
            .args([
                "quality", "--unit", "500109", "--year", "2023", "--format", format, "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        let bytes = std::fs::read(&out).unwrap();
        assert!(!bytes.is_empty());
        if !needle.is_empty() {
            assert!(String::from_utf8(bytes).unwrap().contains(needle));
        }
    }
    let findings = hsplan_io::read_table(&dir.path().join("q.xlsx"), "findings").unwrap();
    assert_eq!(
        findings.rows.len(),
        y2023["findings"].as_array().unwrap().len()
    );

    // bad requests: a located message, no panic
    for (args, says) in [
        (
            vec!["quality", "--unit", "500109", "--year", "1800"],
            "year",
        ),
        // the demo holds two trees (Chongqing, Sichuan): which one must be said
        (vec!["quality", "--year", "2023"], "unit"),
        (vec!["quality", "--year", "2023", "--unit", "5001x"], "unit"),
        (
            vec!["quality", "--year", "2023", "--unit", "110101"],
            "110101",
        ),
        (
            vec![
                "quality", "--unit", "500109", "--year", "2023", "--format", "csv",
            ],
            "--out",
        ),
    ] {
        let out = hsplan(&db).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}
