//! Applying a count to a loaded system gives the system the store loads after importing it:
//! the demo counts its records once and evaluates without reading the store again.
#![cfg(feature = "records")]

use hsplan_app::records::{self, GenerateRequest, RecordsRequest};
use hsplan_model::{AdminCode, Year};
use hsplan_store::{SqliteStore, Store};

#[test]
fn applying_a_count_equals_importing_and_loading_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    store.import(&hsplan_app::demo::batch().unwrap()).unwrap();
    let mut sys = store.load().unwrap();
    let unit = AdminCode::parse(hsplan_app::demo::DISTRICT).unwrap();
    let year = Year::new(2024).unwrap();

    // a first count, then a recount of other records of the same unit-year (it replaces)
    for seed in [1, 2] {
        let out = dir.path().join(format!("records-{seed}"));
        records::generate(
            &sys,
            &GenerateRequest {
                unit,
                year,
                seed,
                scale: 0.002,
                out: out.clone(),
            },
        )
        .unwrap();
        let report = records::count(
            &sys,
            &RecordsRequest {
                dir: out,
                unit,
                year,
                skip_invalid: false,
                threads: 1,
                engine: records::Engine::Embedded,
            },
        )
        .unwrap();
        store.import(&records::batch(&report)).unwrap();
        let loaded = store.load().unwrap();
        assert_ne!(sys, loaded, "seed {seed}: the import changed nothing");
        records::apply(&mut sys, &report);
        assert_eq!(sys, loaded, "seed {seed}");
    }
}
