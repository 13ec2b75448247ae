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
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(text);
}
