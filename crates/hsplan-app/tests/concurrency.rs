//! Many users saving at once on the shared store: 100 simulated data clerks each save
//! their own facility's year over and over for `HSPLAN_CONCURRENCY_SECS` seconds (default
//! 5; CI runs 60), then every count is verified — no lost update, no error, a version per
//! save, the audit chain intact with one record per save. Two users saving the same record
//! from the same version: one is stored, the other refused with both values shown.

use hsplan_app::governance::{self, SaveOutcome, SaveRequest};
use hsplan_app::{StoreLocation, Workspace};
use hsplan_govern::{Grant, Principal, Role};
use hsplan_store::testdb::TestDb;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn request(version: i64, beds: i64) -> SaveRequest {
    SaveRequest {
        version,
        quantities: BTreeMap::from([("beds".to_string(), beds)]),
        capabilities: Vec::new(),
        confirm_jumps: true,
    }
}

#[test]
fn a_hundred_clerks_lose_nothing() {
    let db = TestDb::new();
    let ws = Arc::new(Workspace::open_at(&StoreLocation::Postgres(db.url().into())).unwrap());
    ws.import(&hsplan_app::demo::batch().unwrap()).unwrap();
    let secs: u64 = std::env::var("HSPLAN_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let facilities: Vec<(String, hsplan_model::AdminCode)> = ws
        .snapshot()
        .sys
        .facilities
        .values()
        .take(100)
        .map(|f| (f.id.to_string(), f.unit))
        .collect();
    assert_eq!(facilities.len(), 100);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let workers: Vec<_> = facilities
        .iter()
        .enumerate()
        .map(|(i, (id, unit))| {
            let ws = ws.clone();
            let id = id.clone();
            let clerk = Principal {
                user: format!("clerk{i}"),
                grants: vec![Grant {
                    role: Role::DataEntry,
                    unit: *unit,
                }],
            };
            std::thread::spawn(move || {
                let (mut version, mut saves, mut errors) = (1i64, 0u64, 0u64);
                let mut beds = 0;
                while Instant::now() < deadline {
                    beds += 1;
                    match governance::save(
                        &ws,
                        &clerk,
                        "10.0.0.1",
                        &id,
                        2024,
                        &request(version, beds),
                    ) {
                        Ok(SaveOutcome::Saved { version: v }) => {
                            assert_eq!(v, version + 1);
                            version = v;
                            saves += 1;
                        }
                        other => {
                            errors += 1;
                            eprintln!("{id}: {other:?}");
                        }
                    }
                }
                (id, version, beds, saves, errors)
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = start.elapsed().as_secs_f64();
    let total: u64 = results.iter().map(|r| r.3).sum();
    let errors: u64 = results.iter().map(|r| r.4).sum();
    assert_eq!(errors, 0);
    let store = ws.server_store().unwrap();
    let snap = ws.snapshot_now();
    for (id, version, beds, saves, _) in &results {
        let fid = hsplan_model::FacilityId::new(id).unwrap();
        let year = hsplan_model::Year::new(2024).unwrap();
        let (stored, v) = store.facility_year(&fid, year).unwrap().unwrap();
        assert_eq!(v, *version, "{id}");
        assert_eq!(v as u64, saves + 1, "{id}: every save is one version");
        assert_eq!(
            stored.get(hsplan_model::Quantity::Beds).map(|c| c.0),
            Some(*beds as u64),
            "{id}"
        );
        // the published snapshot agrees with the store
        assert_eq!(snap.sys.facility_years[&(fid, year)], stored, "{id}");
    }
    let records = governance::verify_audit(&ws).unwrap().records;
    let saves_logged = store
        .audit_records(&hsplan_store::postgres::AuditQuery {
            after: 0,
            limit: i64::MAX,
            within: None,
        })
        .unwrap()
        .iter()
        .filter(|r| r.action == "facility_year.save")
        .count() as u64;
    assert_eq!(saves_logged, total);
    eprintln!(
        "100 clerks × {secs} s: {total} saves ({:.0}/s), 0 lost, 0 errors; audit chain of {records} records verified",
        total as f64 / elapsed
    );
}

#[test]
fn two_users_on_one_record_one_is_refused_and_nothing_is_lost() {
    let db = TestDb::new();
    let ws = Arc::new(Workspace::open_at(&StoreLocation::Postgres(db.url().into())).unwrap());
    ws.import(&hsplan_app::demo::batch().unwrap()).unwrap();
    let f = ws
        .snapshot()
        .sys
        .facilities
        .values()
        .next()
        .unwrap()
        .clone();
    let who = |n: &str| Principal {
        user: n.into(),
        grants: vec![Grant {
            role: Role::DataEntry,
            unit: f.unit,
        }],
    };
    let (a, b) = (who("a"), who("b"));
    let id = f.id.to_string();
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let run = |p: Principal, beds: i64| {
        let (ws, id, barrier) = (ws.clone(), id.clone(), barrier.clone());
        std::thread::spawn(move || {
            barrier.wait();
            governance::save(&ws, &p, "x", &id, 2024, &request(1, beds)).unwrap()
        })
    };
    let (ra, rb) = (run(a, 111), run(b, 222));
    let outcomes = [ra.join().unwrap(), rb.join().unwrap()];
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, SaveOutcome::Saved { version: 2 }))
        .count();
    assert_eq!(saved, 1, "{outcomes:?}");
    let stale = outcomes
        .iter()
        .find_map(|o| match o {
            SaveOutcome::Stale { version, changes } => Some((*version, changes.clone())),
            _ => None,
        })
        .expect("the other is refused");
    assert_eq!(stale.0, 2);
    let beds = stale.1.iter().find(|c| c.field == "beds").unwrap();
    // the refused user sees what is stored and what they typed: nothing is lost
    let pair = (beds.stored.clone().unwrap(), beds.yours.clone().unwrap());
    assert!(
        pair == ("111".into(), "222".into()) || pair == ("222".into(), "111".into()),
        "{pair:?}"
    );
}
