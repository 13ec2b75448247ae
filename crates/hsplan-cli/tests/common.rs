//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn example(name: &str) -> PathBuf {
    repo_root().join("examples").join(name)
}

pub fn hsplan(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hsplan").unwrap();
    cmd.arg("--db").arg(db).arg("--lang").arg("en");
    cmd
}

/// Imports every example file, in dependency order.
pub fn load_examples(db: &Path) {
    for (kind, file) in [
        ("units", "units.csv"),
        ("units", "units-zh.csv"),
        ("geojson", "boundaries.geojson"),
        ("population", "population.csv"),
        ("facilities", "facilities.csv"),
        ("resources", "resources.csv"),
    ] {
        hsplan(db)
            .args(["import", kind])
            .arg(example(file))
            .assert()
            .success();
    }
}

/// Everything in the store as text (all tables as CSV plus the GeoJSON).
pub fn dump(db: &Path, dir: &Path) -> String {
    let mut out = String::new();
    for (what, ext) in [
        ("units", "csv"),
        ("population", "csv"),
        ("facilities", "csv"),
        ("resources", "csv"),
        ("geojson", "geojson"),
    ] {
        let file = dir.join(format!("dump-{what}.{ext}"));
        hsplan(db)
            .args(["export", what, "--out"])
            .arg(&file)
            .assert()
            .success();
        out.push_str(&std::fs::read_to_string(&file).unwrap());
    }
    out
}
