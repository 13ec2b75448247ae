//! Snapshot tests of CLI output.

mod common;
use common::*;

#[test]
fn status_after_examples() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    load_examples(&db);
    let out = hsplan(&db).arg("status").output().unwrap();
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&db.display().to_string(), "[DB]");
    insta::assert_snapshot!(text);
}

#[test]
fn demo_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&dir.path().display().to_string(), "[OUT]");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("耗时"))
        .map(|l| format!("{}\n", without_seconds(l)))
        .collect();
    insta::assert_snapshot!(text);
}

/// Replaces every `<number> 秒` (a timing) by `[t] 秒`, so snapshots do not churn.
fn without_seconds(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(k) = rest.find(" 秒") {
        let head = &rest[..k];
        let start = head
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map(|i| i + head[i..].chars().next().unwrap().len_utf8())
            .unwrap_or(0);
        if start < head.len() {
            out.push_str(&head[..start]);
            out.push_str("[t]");
        } else {
            out.push_str(head);
        }
        out.push_str(" 秒");
        rest = &rest[k + " 秒".len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn indicators_on_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    load_examples(&db);
    let out = hsplan(&db)
        .args(["indicators", "--unit", "500109", "--year", "2020"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
    let out = hsplan(&db)
        .args(["indicators", "--unit", "500109", "--year", "2020", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["indicators"].as_array().unwrap();
    assert_eq!(rows.len(), hsplan_eval::INDICATORS.len());
    let doctors = rows
        .iter()
        .find(|r| r["id"] == "licensed_doctors_per_1000")
        .unwrap();
    // Examples: (520+20) + (230+10) + (24+6) + (1+1) = 812 doctors over 834,700 residents.
    assert!((doctors["value"].as_f64().unwrap() - 812.0 / 834.7).abs() < 1e-9);
    let beds = rows.iter().find(|r| r["id"] == "beds_per_1000").unwrap();
    assert!(
        beds["value"].is_null(),
        "the example clinic reports no beds: missing, not zero"
    );
}

#[test]
fn broken_pipe_is_not_a_panic() {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} --help | head -1",
            assert_cmd::cargo::cargo_bin("hsplan").display()
        ))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn evaluate_the_demo_store_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let demo = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(demo.status.success());
    let db = dir.path().join("demo.db");
    let plan = repo_root().join("data/plans/beibei.toml");
    let table = hsplan(&db)
        .args(["evaluate", "--mode", "midterm", "--year", "2023", "--plan"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("mid-term evaluation") && text.contains("Equity (Gini by population)"));
    let csv = dir.path().join("e.csv");
    hsplan(&db)
        .args(["evaluate", "--year", "2023", "--format", "csv", "--out"])
        .arg(&csv)
        .arg("--plan")
        .arg(&plan)
        .assert()
        .success();
    let rows = hsplan_io::read_table(&csv, "").unwrap();
    assert_eq!(
        rows.rows.len(),
        26 + 5,
        "every Beibei table row with a formula and a numeric target, and the five text \
         targets with a formula that no table row has (bed–nurse, bed–doctor, pharmacists, \
         rehabilitation doctors, negative-pressure ambulances)"
    );
    assert!(rows.rows.iter().all(|r| !r.cells[9].is_empty()));
    let xlsx = dir.path().join("e.xlsx");
    hsplan(&db)
        .args(["evaluate", "--year", "2024", "--format", "xlsx", "--out"])
        .arg(&xlsx)
        .arg("--plan")
        .arg(&plan)
        .assert()
        .success();
    assert_eq!(
        hsplan_io::read_table(&xlsx, "evaluation")
            .unwrap()
            .rows
            .len(),
        26 + 5
    );
    // Dadukou's targets live in its text: those with a library formula are evaluated, due in
    // their own year, with their words (the demo has no Dadukou registry: no data yet)
    let dadukou: serde_json::Value = serde_json::from_slice(
        &hsplan(&db)
            .args([
                "evaluate", "--year", "2024", "--format", "json", "--unit", "500104",
            ])
            .arg("--plan")
            .arg(repo_root().join("data/plans/dadukou.toml"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rows = dadukou["indicators"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "tier3_hospitals",
            "beds_per_1000",
            "licensed_doctors_per_1000",
            "registered_nurses_per_1000",
            "clinical_pharmacists_per_100_beds",
            // 重点人群签约覆盖率 81%: counted from contract records (none for Dadukou: no data)
            "family_doctor_priority_group_coverage_pct",
            "nursing_homes",
            "share_secondary_general_hospitals_with_geriatrics_pct"
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["quote"].as_str().is_some_and(|q| !q.is_empty()))
    );
    assert_eq!(rows[0]["target"], "4");
    assert_eq!(rows[1]["target"], "7.9");
    let json: serde_json::Value = serde_json::from_slice(
        &hsplan(&db)
            .args(["evaluate", "--year", "2020", "--format", "json", "--plan"])
            .arg(&plan)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // In the calibrated base year every reproducible indicator sits exactly at its baseline.
    let beds = json["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "beds_per_1000")
        .unwrap();
    assert!((beds["actual"].as_f64().unwrap() - 6.57).abs() < 0.005);
    // Projections and gaps from the observed years: shares stay within 100 %, densities get a gap.
    let json: serde_json::Value = serde_json::from_slice(
        &hsplan(&db)
            .args(["evaluate", "--year", "2024", "--format", "json", "--plan"])
            .arg(&plan)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rows = json["indicators"].as_array().unwrap();
    let fever = rows
        .iter()
        .find(|r| r["id"] == "share_primary_centres_with_fever_clinic_pct")
        .unwrap();
    assert!(fever["projection"]["linear"].as_f64().unwrap() <= 100.0);
    let nurses = rows
        .iter()
        .find(|r| r["id"] == "registered_nurses_per_1000")
        .unwrap();
    assert_eq!(nurses["will_reach"], false);
    assert!(
        nurses["gap"].as_u64().unwrap() > 0,
        "nurses fall short of 4.7 per 1,000"
    );
    assert_eq!(
        json["synthetic_data"], true,
        "the store remembers the data are synthetic"
    );
    assert!(
        json["equity"][0]["gini_by_area"].as_f64().is_some(),
        "schematic areas give a Gini by area"
    );
    // The demo's report: both evaluations, maps, labelled synthetic and schematic.
    let report = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for needle in [
        "id=\"y2023\"",
        "id=\"y2024\"",
        "中期评估",
        "<path d=\"M",
        "合成",
        "示意图",
        "六、发现的问题",
    ] {
        assert!(
            report.contains(needle),
            "{needle} missing from the demo report"
        );
    }
    assert!(!report.contains("http:") && !report.contains("<script"));
    // The same from `evaluate --format html`, in English; the store's notes still label it.
    let html = dir.path().join("e.html");
    hsplan(&db)
        .args(["evaluate", "--year", "2024", "--format", "html", "--out"])
        .arg(&html)
        .arg("--plan")
        .arg(&plan)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("SYNTHETIC")
            && html.contains("Schematic map")
            && html.contains("<path d=\"M")
    );
    // Standards: the seed library on the demo store, located violations in every format.
    let rules = repo_root().join("data/standards/seeds.toml");
    let table = hsplan(&db)
        .args([
            "standards",
            "check",
            "--year",
            "2023",
            "--unit",
            "500109",
            "--rules",
        ])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let text = String::from_utf8(table.stdout).unwrap();
    insta::assert_snapshot!("standards_check_demo_2023", text);
    let json: serde_json::Value = serde_json::from_slice(
        &hsplan(&db)
            .args([
                "standards",
                "check",
                "--year",
                "2023",
                "--unit",
                "500109",
                "--format",
                "json",
                "--rules",
            ])
            .arg(&rules)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let violations = json["violations"].as_array().unwrap();
    assert!(
        violations.len() > 20,
        "the demo data break rules by construction"
    );
    assert!(
        violations
            .iter()
            .any(|v| v["rule"] == "ambulances-per-10k" && v["place"]["name"] == "北碚区")
    );
    assert!(
        violations
            .iter()
            .all(|v| v["place"]["district"][1] == "北碚区")
    );
    let csv = dir.path().join("s.csv");
    hsplan(&db)
        .args([
            "standards",
            "check",
            "--year",
            "2024",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&csv)
        .arg("--rules")
        .arg(&rules)
        .assert()
        .success();
    assert!(hsplan_io::read_table(&csv, "").unwrap().rows.len() > 20);
    assert!(report.contains("七、配置标准核查") && report.contains("需增加救护车"));
    // A malformed rule file: file, line, column and a caret.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&rules).unwrap().replacen(
            "kind = \"capability\"",
            "kind = \"capabilty\"",
            1,
        ),
    )
    .unwrap();
    let out = hsplan(&db)
        .args(["standards", "check", "--year", "2023", "--rules"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.toml:") && err.contains("capabilty") && err.contains('^'),
        "{err}"
    );
}
