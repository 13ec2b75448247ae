//! The store's behaviour, run unchanged against both backends: SQLite (a temporary
//! file) and PostgreSQL (a fresh database on the server named by `HSPLAN_TEST_PG`).

use hsplan_model::{
    AdminCode, AdminUnit, Capability, Count, DatasetNote, Facility, FacilityId, FacilityYear,
    Grade, InstitutionType, NoteKind, Origin, Ownership, Persons, PopulationRecord,
    PopulationSource, Quantity, ServiceSystem, Sourced, Year,
};
use hsplan_store::testdb::TestDb;
use hsplan_store::{ImportBatch, PgStore, SqliteStore, Store, StoreError};

/// A store and whatever keeps it alive.
struct Backend {
    store: Box<dyn Store>,
    _keep: Box<dyn std::any::Any>,
}

fn sqlite() -> Backend {
    let (path, dir) = temp_store_path("suite");
    Backend {
        store: Box::new(SqliteStore::open(&path).unwrap()),
        _keep: Box::new(dir),
    }
}

fn postgres() -> Backend {
    let db = TestDb::new();
    Backend {
        store: Box::new(PgStore::open(db.url()).unwrap()),
        _keep: Box::new(db),
    }
}

fn sourced<T>(value: T, row: usize) -> Sourced<T> {
    Sourced {
        origin: Origin {
            file: "t.csv".into(),
            row,
        },
        value,
    }
}

fn code(s: &str) -> AdminCode {
    AdminCode::parse(s).unwrap()
}

fn unit(c: &str, name: &str) -> AdminUnit {
    AdminUnit::new(code(c), name)
}

fn year(y: i64) -> Year {
    Year::new(y).unwrap()
}

fn facility(id: &str, unit: &str) -> Facility {
    Facility {
        id: FacilityId::new(id).unwrap(),
        name: format!("{id} 卫生院"),
        kind: InstitutionType::TownshipHealthCentre,
        specialty: None,
        grade: Grade::parse("一级甲等").unwrap(),
        ownership: {
            use hsplan_model::Labelled;
            Ownership::all()[0]
        },
        for_profit: Some(false),
        unit: code(unit),
        location: Some(hsplan_model::LonLat::new(106.4, 29.8).unwrap()),
        opened: Some(year(1990)),
        closed: None,
    }
}

fn resources(id: &str, y: i64, beds: u64) -> FacilityYear {
    let mut fy = FacilityYear::new(FacilityId::new(id).unwrap(), year(y));
    fy.quantities.insert(Quantity::Beds, Count(beds));
    fy.quantities
        .insert(Quantity::RegisteredNurses, Count(beds / 2));
    fy.capabilities
        .insert(Capability::parse_label_any("fever_clinic"));
    fy
}

trait ParseAny {
    fn parse_label_any(s: &str) -> Self;
}
impl ParseAny for Capability {
    fn parse_label_any(s: &str) -> Self {
        use hsplan_model::Labelled;
        Capability::parse_label(s).unwrap_or(Capability::all()[0])
    }
}

fn small_batch() -> ImportBatch {
    ImportBatch {
        units: vec![
            sourced(unit("500109001", "天生街道"), 2),
            sourced(unit("500109", "北碚区"), 3),
            sourced(unit("5001", "市辖区"), 4),
            sourced(unit("50", "重庆市"), 5),
        ],
        population: vec![sourced(
            PopulationRecord {
                unit: code("500109"),
                year: year(2024),
                source: {
                    use hsplan_model::Labelled;
                    PopulationSource::all()[0]
                },
                resident: Persons(850_000),
                male: Some(Persons(420_000)),
                female: None,
                ages: Default::default(),
                live_births: Some(Persons(6_000)),
                deaths: None,
            },
            2,
        )],
        facilities: vec![sourced(facility("F1", "500109001"), 2)],
        facility_years: vec![sourced(resources("F1", 2024, 40), 2)],
        notes: vec![DatasetNote {
            kind: NoteKind::Remark,
            zh: "测试".into(),
            en: "test".into(),
        }],
        ..Default::default()
    }
}

fn each_backend(mut test: impl FnMut(&mut dyn Store, &str)) {
    for (name, make) in [
        ("sqlite", sqlite as fn() -> Backend),
        ("postgres", postgres),
    ] {
        let mut b = make();
        test(b.store.as_mut(), name);
    }
}

#[test]
fn parents_first_whatever_the_order_and_a_round_trip() {
    each_backend(|s, name| {
        let summary = s.import(&small_batch()).unwrap();
        assert_eq!(summary.units, 4, "{name}");
        assert_eq!(summary.facility_years, 1, "{name}");
        let sys = s.load().unwrap();
        assert!(sys.validate().is_empty(), "{name}");
        assert_eq!(sys.units.len(), 4, "{name}");
        let fy = &sys.facility_years[&(FacilityId::new("F1").unwrap(), year(2024))];
        assert_eq!(fy, &resources("F1", 2024, 40), "{name}");
        assert_eq!(sys.notes.len(), 1, "{name}");
        let counts = s.counts().unwrap();
        assert_eq!(
            (counts.population, counts.facilities, counts.facility_years),
            (1, 1, 1),
            "{name}"
        );
    });
}

#[test]
fn a_failed_import_changes_nothing_and_names_file_row_column() {
    each_backend(|s, name| {
        s.import(&small_batch()).unwrap();
        let before = s.load().unwrap();
        let batch = ImportBatch {
            units: vec![sourced(unit("500110001", "古南街道"), 7)],
            facility_years: vec![
                sourced(resources("F1", 2023, 10), 2),
                sourced(resources("NOPE", 2023, 10), 3),
            ],
            ..Default::default()
        };
        let err = s.import(&batch).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, StoreError::References(ref r) if r.len() == 2),
            "{name}: {text}"
        );
        assert!(
            text.contains("t.csv, row 7, column `code`: value `500110001000`"),
            "{name}: {text}"
        );
        assert!(
            text.contains("t.csv, row 3, column `facility_id`: value `NOPE`"),
            "{name}: {text}"
        );
        assert_eq!(s.load().unwrap(), before, "{name}");
    });
}

#[test]
fn later_rows_replace_earlier_ones_and_reimports_replace_stored_ones() {
    each_backend(|s, name| {
        s.import(&small_batch()).unwrap();
        let mut renamed = unit("500109001", "天生街道（新）");
        renamed.point = Some(hsplan_model::LonLat::new(106.41, 29.82).unwrap());
        let mut smaller = resources("F1", 2024, 30);
        smaller.capabilities.clear();
        let batch = ImportBatch {
            units: vec![
                sourced(unit("500109001", "旧名"), 2),
                sourced(renamed.clone(), 3),
            ],
            facility_years: vec![
                sourced(resources("F1", 2024, 99), 2),
                sourced(smaller.clone(), 3),
            ],
            ..Default::default()
        };
        s.import(&batch).unwrap();
        let sys = s.load().unwrap();
        assert_eq!(sys.units[&code("500109001")], renamed, "{name}");
        assert_eq!(
            sys.facility_years[&(FacilityId::new("F1").unwrap(), year(2024))],
            smaller,
            "{name}"
        );
        assert_eq!(s.counts().unwrap().facility_years, 1, "{name}");
    });
}

fn demo_batch() -> ImportBatch {
    let units = hsplan_io::nbs::chongqing_hierarchy().unwrap();
    let plain: Vec<_> = units.iter().map(|u| u.value.clone()).collect();
    let r = hsplan_synth::beibei(&plain, 2020);
    fn rows<T>(v: Vec<T>) -> Vec<Sourced<T>> {
        v.into_iter()
            .enumerate()
            .map(|(i, v)| sourced(v, i + 2))
            .collect()
    }
    ImportBatch {
        units,
        geometries: rows(r.geometries),
        population: rows(r.population),
        facilities: rows(r.facilities),
        facility_years: rows(r.facility_years),
        notes: Vec::new(),
        utilisation: Vec::new(),
    }
}

#[test]
fn the_demo_region_loads_identically_from_both_backends() {
    let batch = demo_batch();
    let mut loaded: Vec<(ServiceSystem, hsplan_store::StoreCounts)> = Vec::new();
    each_backend(|s, name| {
        let summary = s.import(&batch).unwrap();
        assert_eq!(summary.facility_years, batch.facility_years.len(), "{name}");
        loaded.push((s.load().unwrap(), s.counts().unwrap()));
    });
    assert!(loaded[0].0.facility_years.len() > 2000);
    assert_eq!(loaded[0], loaded[1]);
}

// ---- SQLite only: readers and writers side by side ----

/// A store file in a fresh temporary directory, removed when the second value drops.
fn temp_store_path(tag: &str) -> (std::path::PathBuf, impl Drop + 'static) {
    let dir = std::env::temp_dir().join(format!(
        "hsplan-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    struct Dir(std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    (dir.join("s.db"), Dir(dir))
}

#[test]
fn reading_an_sqlite_store_never_changes_its_file() {
    let (path, _dir) = temp_store_path("ro");
    SqliteStore::open(&path)
        .unwrap()
        .import(&small_batch())
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    for _ in 0..2 {
        let s = SqliteStore::open_read_only(&path).unwrap();
        s.load().unwrap();
        s.counts().unwrap();
        // an up-to-date store opened for writing is not written either until a change
        let w = SqliteStore::open(&path).unwrap();
        w.load().unwrap();
    }
    assert!(std::fs::read(&path).unwrap() == before, "the file changed");
}

#[test]
fn a_writer_in_the_middle_of_an_import_does_not_block_readers() {
    let (path, _dir) = temp_store_path("wal");
    SqliteStore::open(&path)
        .unwrap()
        .import(&small_batch())
        .unwrap();
    let facilities = SqliteStore::open(&path)
        .unwrap()
        .counts()
        .unwrap()
        .facilities;
    // another process's import, holding the write lock with rows not yet committed
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM facility_quantities; DELETE FROM facility_capabilities;
             DELETE FROM facility_years; DELETE FROM facilities;",
        )
        .unwrap();
    // (were the reader blocked, it would fail with "database is locked")
    let reader = SqliteStore::open_read_only(&path).unwrap();
    let sys = reader.load().unwrap();
    assert_eq!(sys.facilities.len(), facilities, "reads the last commit");
    writer.execute_batch("ROLLBACK").unwrap();
}

/// Utilisation counted from records: stored and loaded back equal on both backends; a new
/// count of the same unit and year replaces the old one; a count naming a unit the hierarchy
/// does not hold is refused whole.
#[test]
fn utilisation_round_trips_and_a_recount_replaces_it() {
    use hsplan_model::{AdminLevel, Condition, RecordTable, UsageCount, Utilisation};
    let counted = |visits: u64| {
        let mut u = Utilisation::default();
        u.add(code("500109001"), year(2024), UsageCount::Visits, visits);
        u.add(
            code("500109001"),
            year(2024),
            UsageCount::ResidentEncountersWithin(AdminLevel::County),
            visits / 2,
        );
        u.add(
            code("500109001"),
            year(2024),
            UsageCount::ChronicStandardised(Condition::Diabetes),
            7,
        );
        for t in [RecordTable::Encounters, RecordTable::ChronicDisease] {
            u.coverage.insert((code("500109"), year(2024), t));
        }
        u
    };
    let batch = |visits: u64| ImportBatch {
        utilisation: vec![hsplan_store::UtilisationBatch {
            unit: code("500109"),
            year: year(2024),
            utilisation: counted(visits),
        }],
        ..Default::default()
    };
    each_backend(|s, name| {
        s.import(&small_batch()).unwrap();
        s.import(&batch(1000)).unwrap();
        assert_eq!(s.load().unwrap().utilisation, counted(1000), "{name}");
        s.import(&batch(40)).unwrap();
        assert_eq!(s.load().unwrap().utilisation, counted(40), "{name}");
        let mut outside = batch(5);
        outside.utilisation[0].utilisation.add(
            code("500109002"),
            year(2024),
            UsageCount::Visits,
            1,
        );
        assert!(s.import(&outside).is_err(), "{name}");
        assert_eq!(s.load().unwrap().utilisation, counted(40), "{name}");
    });
}
