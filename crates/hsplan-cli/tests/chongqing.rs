//! The real Chongqing hierarchy loads with its exact counts per level.

mod common;
use common::*;
use hsplan_model::{AdminCode, AdminLevel, UnitKind};
use hsplan_store::{SqliteStore, Store};

#[test]
fn chongqing_hierarchy_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cq.db");
    hsplan(&db)
        .args(["import", "units", "--builtin", "chongqing"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Imported: 12342 units"));
    let store = SqliteStore::open(&db).unwrap();
    let counts = store.counts().unwrap().units_by_level;
    assert_eq!(counts[&AdminLevel::Province], 1);
    assert_eq!(counts[&AdminLevel::Prefecture], 2);
    assert_eq!(counts[&AdminLevel::County], 38);
    assert_eq!(counts[&AdminLevel::Town], 1031);
    assert_eq!(counts[&AdminLevel::Village], 11270);

    let sys = store.load().unwrap();
    assert_eq!(
        sys.validate(),
        vec![],
        "the real hierarchy satisfies the model invariants"
    );
    let beibei = AdminCode::parse("500109").unwrap();
    let count = |kind| {
        sys.descendants(beibei)
            .filter(|u| u.kind == Some(kind))
            .count()
    };
    assert_eq!(count(UnitKind::Street), 9, "Beibei: 9 streets");
    assert_eq!(count(UnitKind::Town), 8, "Beibei: 8 towns");
    assert_eq!(
        sys.descendants(beibei)
            .filter(|u| u.level() == AdminLevel::Village)
            .count(),
        192,
        "Beibei: 192 villages/communities"
    );

    // Loading twice replaces, it does not duplicate.
    hsplan(&db)
        .args(["import", "units", "--builtin", "chongqing"])
        .assert()
        .success();
    assert_eq!(
        SqliteStore::open(&db).unwrap().load().unwrap().units.len(),
        12342
    );
}

/// Leshan city (Sichuan) is built in the same way, so the Leshan Shizhong plan has its
/// jurisdiction to be evaluated on.
#[test]
fn leshan_hierarchy_loads_and_its_district_plan_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ls.db");
    hsplan(&db)
        .args(["import", "units", "--builtin", "leshan"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Imported: 1516 units"));
    let sys = SqliteStore::open(&db).unwrap().load().unwrap();
    assert_eq!(sys.validate(), vec![]);
    let shizhong = AdminCode::parse("511102").unwrap();
    assert_eq!(sys.units[&shizhong].name, "市中区");
    assert_eq!(sys.children(shizhong).count(), 17);
    hsplan(&db)
        .args(["evaluate", "--year", "2024", "--plan"])
        .arg(repo_root().join("data/plans/leshan.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("Shizhong"));
}
