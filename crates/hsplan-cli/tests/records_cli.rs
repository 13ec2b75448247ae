//! `hsplan records …` end to end: generated SYNTHETIC records counted in the process and on a
//! Ballista cluster started in the process give the same output; a cluster given wrongly is
//! refused with the form it takes.

use assert_cmd::Command;

fn hsplan(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("hsplan").unwrap();
    c.args(["--lang", "en", "--db"]).arg(db);
    c
}

#[test]
fn records_counted_on_ballista_standalone_equal_the_embedded_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let records = dir.path().join("records");
    hsplan(&db).args(["import", "demo"]).assert().success();
    hsplan(&db)
        .args(["records", "generate", "--unit", "500109", "--year", "2024"])
        .args(["--seed", "3", "--scale", "0.002", "--out"])
        .arg(&records)
        .assert()
        .success();
    let count = |extra: &[&str]| {
        let out = hsplan(&db)
            .args(["records", "indicators"])
            .arg(&records)
            .args(["--unit", "500109", "--year", "2024", "--json"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let embedded = count(&[]);
    assert!(embedded.contains("local_care_rate_pct"), "{embedded}");
    assert_eq!(count(&["--cluster", "standalone"]), embedded);
}

#[test]
fn a_cluster_given_wrongly_is_refused_with_its_form() {
    let dir = tempfile::tempdir().unwrap();
    let out = hsplan(&dir.path().join("s.db"))
        .args(["records", "indicators", "."])
        .args([
            "--unit",
            "500109",
            "--year",
            "2024",
            "--cluster",
            "http://x:1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("df://host:port"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
