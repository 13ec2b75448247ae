//! CSV → store → CSV and XLSX → store → XLSX round trips.

mod common;
use common::*;
use hsplan_store::{SqliteStore, Store};

#[test]
fn units_csv_round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    hsplan(&db)
        .args(["import", "units"])
        .arg(example("units.csv"))
        .assert()
        .success();
    let out = dir.path().join("units.csv");
    hsplan(&db)
        .args(["export", "units", "--out"])
        .arg(&out)
        .assert()
        .success();
    let exported = std::fs::read_to_string(&out).unwrap();
    let original = std::fs::read_to_string(example("units.csv")).unwrap();
    assert_eq!(exported, original);
}

#[test]
fn all_tables_csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.db");
    load_examples(&first);
    let second = dir.path().join("b.db");
    for kind in ["units", "geojson", "population", "facilities", "resources"] {
        let ext = if kind == "geojson" { "geojson" } else { "csv" };
        let file = dir.path().join(format!("{kind}.{ext}"));
        hsplan(&first)
            .args(["export", kind, "--out"])
            .arg(&file)
            .assert()
            .success();
        hsplan(&second)
            .args(["import", kind])
            .arg(&file)
            .assert()
            .success();
    }
    let a = SqliteStore::open(&first).unwrap().load().unwrap();
    let b = SqliteStore::open(&second).unwrap().load().unwrap();
    assert_eq!(a, b);
    assert_eq!(a.facility_years.len(), 4);
    assert!(a.units.values().any(|u| u.boundary.is_some()));
    assert_eq!(dump(&first, dir.path()), dump(&second, dir.path()));
}

#[test]
fn all_tables_xlsx_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.db");
    load_examples(&first);
    let second = dir.path().join("b.db");
    hsplan(&second)
        .args(["import", "units", "--builtin", "chongqing"])
        .assert()
        .success();
    for kind in ["population", "facilities", "resources"] {
        let file = dir.path().join(format!("{kind}.xlsx"));
        hsplan(&first)
            .args(["export", kind, "--out"])
            .arg(&file)
            .assert()
            .success();
        hsplan(&second)
            .args(["import", kind])
            .arg(&file)
            .assert()
            .success();
    }
    let a = SqliteStore::open(&first).unwrap().load().unwrap();
    let b = SqliteStore::open(&second).unwrap().load().unwrap();
    assert_eq!(a.population, b.population);
    assert_eq!(a.facilities, b.facilities);
    assert_eq!(a.facility_years, b.facility_years);
    // And the XLSX itself survives a second trip unchanged.
    let units = dir.path().join("units.xlsx");
    hsplan(&first)
        .args(["export", "units", "--out"])
        .arg(&units)
        .assert()
        .success();
    let third = dir.path().join("c.db");
    hsplan(&third)
        .args(["import", "units"])
        .arg(&units)
        .assert()
        .success();
    let c = SqliteStore::open(&third).unwrap().load().unwrap();
    let a_units: Vec<_> = a
        .units
        .values()
        .map(|u| (u.code, u.name.clone(), u.kind, u.urban_rural, u.point))
        .collect();
    let c_units: Vec<_> = c
        .units
        .values()
        .map(|u| (u.code, u.name.clone(), u.kind, u.urban_rural, u.point))
        .collect();
    assert_eq!(a_units, c_units);
}
