//! The SQLite store under stress from outside: `kill -9` of an import at several points
//! leaves the store whole (integrity check) and either as before or as after the import;
//! a store file the user may not write is read.

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

fn facility_years(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "integrity check of {}", db.display());
    c.query_row("SELECT COUNT(*) FROM facility_years", [], |r| r.get(0))
        .unwrap()
}

/// Every demo facility for every year from 1950 to 2019: rows the demo does not have.
fn big_resources(db: &std::path::Path, out: &std::path::Path) -> usize {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c.prepare("SELECT id FROM facilities ORDER BY id").unwrap();
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut csv = String::from("facility_id,year,beds,licensed_doctors,registered_nurses\n");
    let mut rows = 0;
    for year in 1950..2020 {
        for id in &ids {
            csv.push_str(&format!(
                "{id},{year},{},{},{}\n",
                rows % 50,
                rows % 7,
                rows % 11
            ));
            rows += 1;
        }
    }
    std::fs::write(out, csv).unwrap();
    rows
}

#[test]
fn kill_9_during_an_sqlite_import_leaves_the_store_before_or_after() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    hsplan(&base).args(["import", "demo"]).assert().success();
    let csv = dir.path().join("big.csv");
    let rows = big_resources(&base, &csv) as i64;
    let before = facility_years(&base);
    let after = before + rows;
    let mut outcomes = (0, 0);
    for (round, delay_ms) in [5u64, 40, 120, 300, 700, 1500, 3000]
        .into_iter()
        .enumerate()
    {
        let db = dir.path().join(format!("round{round}.db"));
        std::fs::copy(&base, &db).unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hsplan"))
            .arg("--db")
            .arg(&db)
            .args(["--lang", "en", "import", "resources"])
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let n = facility_years(&db);
        assert!(
            n == before || n == after,
            "round {round} (kill after {delay_ms} ms): {n} facility-years, expected {before} or {after}"
        );
        if n == before {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
        // and the store still takes the import
        hsplan(&db)
            .arg("import")
            .arg("resources")
            .arg(&csv)
            .assert()
            .success();
        assert_eq!(facility_years(&db), after);
    }
    eprintln!(
        "kill -9 rounds: {} left as before, {} as after",
        outcomes.0, outcomes.1
    );
}

#[test]
fn a_store_the_user_may_not_write_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("demo.db");
    hsplan(&db).args(["import", "demo"]).assert().success();
    let before = std::fs::read(&db).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("hsplan");
    // as root, permissions do not bind: read as the unprivileged user `nobody`
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "status"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("facilities: 2929"), "{stdout}");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(std::fs::read(&db).unwrap() == before, "the file changed");
}
