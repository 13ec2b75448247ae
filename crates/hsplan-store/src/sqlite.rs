//! The embedded SQLite store.

use crate::decode::{corrupt, parse_opt, point, year};
use crate::{ImportBatch, ImportSummary, ReferenceError, Store, StoreCounts, StoreError};
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Capability, Count, DatasetNote, Facility, FacilityId,
    FacilityYear, Grade, InstitutionType, Labelled, MultiPolygon, NoteKind, Origin, Ownership,
    Persons, PopulationRecord, PopulationSource, Quantity, RecordTable, ServiceSystem, Specialty,
    UnitKind, UrbanRuralClass, UsageCount, Year,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE admin_units (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    parent_code INTEGER,
    kind TEXT,
    urban_rural TEXT,
    lon REAL,
    lat REAL,
    boundary TEXT
);
CREATE INDEX admin_units_parent ON admin_units(parent_code);
CREATE TABLE population (
    unit_code INTEGER NOT NULL,
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    resident INTEGER NOT NULL,
    male INTEGER, female INTEGER,
    age_0_2 INTEGER, age_0_4 INTEGER, age_0_14 INTEGER, age_15_64 INTEGER,
    age_60_plus INTEGER, age_65_plus INTEGER,
    live_births INTEGER, deaths INTEGER,
    PRIMARY KEY (unit_code, year)
);
CREATE TABLE facilities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    specialty TEXT,
    grade TEXT NOT NULL,
    ownership TEXT NOT NULL,
    for_profit INTEGER,
    unit_code INTEGER NOT NULL,
    lon REAL, lat REAL,
    opened INTEGER, closed INTEGER
);
CREATE INDEX facilities_unit ON facilities(unit_code);
CREATE TABLE facility_years (
    facility_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    PRIMARY KEY (facility_id, year)
);
CREATE TABLE facility_quantities (
    facility_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    quantity TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (facility_id, year, quantity)
) WITHOUT ROWID;
CREATE TABLE facility_capabilities (
    facility_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    capability TEXT NOT NULL,
    PRIMARY KEY (facility_id, year, capability)
) WITHOUT ROWID;
"#,
    r#"
CREATE TABLE dataset_notes (
    kind TEXT NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    UNIQUE (kind, zh)
);
"#,
    // units of hierarchies that are not NBS-coded: the source's id and level name
    r#"
ALTER TABLE admin_units ADD COLUMN source_id TEXT;
ALTER TABLE admin_units ADD COLUMN level_name TEXT;
"#,
    // utilisation counted from record-level data
    r#"
CREATE TABLE utilisation (
    unit_code INTEGER NOT NULL REFERENCES admin_units(code),
    year INTEGER NOT NULL,
    count TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (unit_code, year, count)
);
CREATE TABLE utilisation_coverage (
    unit_code INTEGER NOT NULL REFERENCES admin_units(code),
    year INTEGER NOT NULL,
    record_table TEXT NOT NULL,
    PRIMARY KEY (unit_code, year, record_table)
);
"#,
];

/// A store in one SQLite file (or in memory).
pub struct SqliteStore {
    conn: Connection,
}

/// `path` for a `file:` URI (percent-encoding what a URI reserves).
fn uri_path(path: &Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            '?' => "%3F".to_string(),
            '#' => "%23".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// How long a writer waits for another writer before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl SqliteStore {
    /// Opens (creating if needed) and migrates the store at `path` for reading and writing.
    /// Nothing is written unless the file is new or its schema older than this hsplan's.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::migrated(Connection::open(path)?)
    }

    /// Opens the store at `path` for reading only: nothing in the file changes, a writer
    /// working at the same time does not block it (WAL: it reads the last commit), and a
    /// file the user may not write can be read. A file that does not exist yet, or whose
    /// schema is older than this hsplan's, is opened as [`SqliteStore::open`] does.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        use rusqlite::OpenFlags;
        if !path.exists() {
            return Self::open(path);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let read_version = |conn: &Connection| -> Result<i64, rusqlite::Error> {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_query_value(None, "user_version", |r| r.get(0))
        };
        let (conn, version) = match Connection::open_with_flags(path, flags)
            .and_then(|c| read_version(&c).map(|v| (c, v)))
        {
            Ok(opened) => opened,
            // a WAL store in a directory the user may not write: its shared-memory file
            // cannot be made, and nobody can be writing it either, so it is read as it is
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
                    || e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) =>
            {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let c = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?;
                let v = read_version(&c)?;
                (c, v)
            }
            Err(e) => return Err(e.into()),
        };
        let supported = MIGRATIONS.len() as i64;
        match version.cmp(&supported) {
            std::cmp::Ordering::Equal => Ok(SqliteStore { conn }),
            std::cmp::Ordering::Greater => Err(StoreError::NewerSchema {
                found: version,
                supported,
            }),
            std::cmp::Ordering::Less => {
                drop(conn);
                Self::open(path)
            }
        }
    }

    /// A fresh in-memory store.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::migrated(Connection::open_in_memory()?)
    }

    fn migrated(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::NewerSchema {
                found: version,
                supported,
            });
        }
        if version < supported {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // another process may have migrated meanwhile
            let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            for sql in &MIGRATIONS[now.clamp(0, supported) as usize..] {
                tx.execute_batch(sql)?;
            }
            tx.pragma_update(None, "user_version", supported)?;
            tx.commit()?;
        }
        Ok(SqliteStore { conn })
    }

    /// Schema version of the open store.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

fn code_i64(c: AdminCode) -> i64 {
    c.get() as i64
}

fn unit_exists(tx: &Transaction, code: AdminCode) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM admin_units WHERE code = ?1")?
        .query_row([code_i64(code)], |_| Ok(()))
        .optional()?
        .is_some())
}

fn facility_exists(tx: &Transaction, id: &FacilityId) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM facilities WHERE id = ?1")?
        .query_row([id.as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

fn write_batch(
    tx: &Transaction,
    batch: &ImportBatch,
    missing: &mut Vec<ReferenceError>,
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let mut units: Vec<_> = batch.units.iter().collect();
    units.sort_by_key(|u| (u.value.level(), u.value.code));
    for u in units {
        let unit = &u.value;
        if let Some(parent) = unit.parent()
            && !unit_exists(tx, parent)?
        {
            missing.push(ReferenceError {
                origin: u.origin.clone(),
                column: "code",
                value: unit.code.to_string(),
                expected: format!(
                    "a unit whose parent {parent} is already in the store or in this import"
                ),
            });
            continue;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO admin_units (code, name, level, parent_code, kind, urban_rural, lon, lat, boundary, source_id, level_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                     COALESCE(?9, (SELECT boundary FROM admin_units WHERE code = ?1)), ?10, ?11)",
        )?
        .execute(params![
            code_i64(unit.code),
            unit.name,
            unit.level() as i64,
            unit.parent().map(code_i64),
            unit.kind.map(|k| k.code()),
            unit.urban_rural.map(|k| k.code()),
            unit.point.map(|p| p.lon()),
            unit.point.map(|p| p.lat()),
            unit.boundary.as_ref().map(|b| serde_json::to_string(b).expect("geometry serialises")),
            unit.source_id,
            unit.level_name,
        ])?;
        summary.units += 1;
    }
    for g in &batch.geometries {
        let geo = &g.value;
        if !unit_exists(tx, geo.code)? {
            missing.push(ReferenceError {
                origin: g.origin.clone(),
                column: crate::FEATURE_CODE,
                value: geo.code.to_string(),
                expected: "the code of a unit in the store".into(),
            });
            continue;
        }
        if let Some(p) = geo.point {
            tx.prepare_cached("UPDATE admin_units SET lon = ?2, lat = ?3 WHERE code = ?1")?
                .execute(params![code_i64(geo.code), p.lon(), p.lat()])?;
        }
        if let Some(b) = &geo.boundary {
            tx.prepare_cached("UPDATE admin_units SET boundary = ?2 WHERE code = ?1")?
                .execute(params![
                    code_i64(geo.code),
                    serde_json::to_string(b).expect("geometry serialises")
                ])?;
        }
        summary.geometries += 1;
    }
    for p in &batch.population {
        let r = &p.value;
        if !unit_exists(tx, r.unit)? {
            missing.push(ReferenceError {
                origin: p.origin.clone(),
                column: "unit_code",
                value: r.unit.to_string(),
                expected: "the code of a unit in the store".into(),
            });
            continue;
        }
        let o = |v: Option<Persons>| v.map(|x| x.0 as i64);
        tx.prepare_cached(
            "INSERT OR REPLACE INTO population VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            code_i64(r.unit),
            r.year.get(),
            r.source.code(),
            r.resident.0 as i64,
            o(r.male),
            o(r.female),
            o(r.ages.age_0_2),
            o(r.ages.age_0_4),
            o(r.ages.age_0_14),
            o(r.ages.age_15_64),
            o(r.ages.age_60_plus),
            o(r.ages.age_65_plus),
            o(r.live_births),
            o(r.deaths),
        ])?;
        summary.population += 1;
    }
    for f in &batch.facilities {
        let fac = &f.value;
        if !unit_exists(tx, fac.unit)? {
            missing.push(ReferenceError {
                origin: f.origin.clone(),
                column: "unit_code",
                value: fac.unit.to_string(),
                expected: "the code of a unit in the store".into(),
            });
            continue;
        }
        tx.prepare_cached("INSERT OR REPLACE INTO facilities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")?.execute(params![
            fac.id.as_str(),
            fac.name,
            fac.kind.code(),
            fac.specialty.map(|s| s.code()),
            fac.grade.code(),
            fac.ownership.code(),
            fac.for_profit,
            code_i64(fac.unit),
            fac.location.map(|p| p.lon()),
            fac.location.map(|p| p.lat()),
            fac.opened.map(Year::get),
            fac.closed.map(Year::get),
        ])?;
        summary.facilities += 1;
    }
    for r in &batch.facility_years {
        let fy = &r.value;
        if !facility_exists(tx, &fy.facility)? {
            missing.push(ReferenceError {
                origin: r.origin.clone(),
                column: "facility_id",
                value: fy.facility.to_string(),
                expected: "the id of a facility in the store".into(),
            });
            continue;
        }
        let key = params![fy.facility.as_str(), fy.year.get()];
        tx.prepare_cached("INSERT OR IGNORE INTO facility_years VALUES (?1, ?2)")?
            .execute(key)?;
        tx.prepare_cached("DELETE FROM facility_quantities WHERE facility_id = ?1 AND year = ?2")?
            .execute(key)?;
        tx.prepare_cached(
            "DELETE FROM facility_capabilities WHERE facility_id = ?1 AND year = ?2",
        )?
        .execute(key)?;
        let mut insert_q =
            tx.prepare_cached("INSERT INTO facility_quantities VALUES (?1, ?2, ?3, ?4)")?;
        for (q, v) in &fy.quantities {
            insert_q.execute(params![
                fy.facility.as_str(),
                fy.year.get(),
                q.code(),
                v.0 as i64
            ])?;
        }
        let mut insert_c =
            tx.prepare_cached("INSERT INTO facility_capabilities VALUES (?1, ?2, ?3)")?;
        for c in &fy.capabilities {
            insert_c.execute(params![fy.facility.as_str(), fy.year.get(), c.code()])?;
        }
        summary.facility_years += 1;
    }
    for n in &batch.notes {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO dataset_notes (kind, zh, en) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![n.kind.code(), n.zh, n.en])?;
    }
    for u in &batch.utilisation {
        if !unit_exists(tx, u.unit)? {
            missing.push(ReferenceError {
                origin: Origin {
                    file: "(utilisation)".into(),
                    row: 0,
                },
                column: "unit_code",
                value: u.unit.to_string(),
                expected: "the code of a unit in the store".into(),
            });
            continue;
        }
        let (lo, hi) = u.unit.subtree_range();
        for table in ["utilisation", "utilisation_coverage"] {
            tx.prepare_cached(&format!(
                "DELETE FROM {table} WHERE year = ?1 AND unit_code BETWEEN ?2 AND ?3"
            ))?
            .execute(params![u.year.get(), lo as i64, hi as i64])?;
        }
        for (i, (unit, count, value)) in u.rows().into_iter().enumerate() {
            if !unit_exists(tx, unit)? {
                missing.push(ReferenceError {
                    origin: Origin {
                        file: "(utilisation)".into(),
                        row: i + 1,
                    },
                    column: "unit_code",
                    value: unit.to_string(),
                    expected: "the code of a unit in the store".into(),
                });
                continue;
            }
            tx.prepare_cached("INSERT INTO utilisation VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![code_i64(unit), u.year.get(), count, value as i64])?;
            summary.utilisation += 1;
        }
        for (unit, table) in u.coverage() {
            tx.prepare_cached("INSERT OR IGNORE INTO utilisation_coverage VALUES (?1, ?2, ?3)")?
                .execute(params![code_i64(unit), u.year.get(), table])?;
        }
    }
    Ok(summary)
}

impl Store for SqliteStore {
    fn import(&mut self, batch: &ImportBatch) -> Result<ImportSummary, StoreError> {
        let tx = self.conn.transaction()?;
        let mut missing = Vec::new();
        let summary = write_batch(&tx, batch, &mut missing)?;
        if !missing.is_empty() {
            // Dropping the transaction rolls it back.
            return Err(StoreError::References(missing));
        }
        tx.commit()?;
        Ok(summary)
    }

    fn load(&self) -> Result<ServiceSystem, StoreError> {
        // one read transaction: every table as of the same commit
        let _snapshot = self.conn.unchecked_transaction()?;
        let mut sys = ServiceSystem::default();
        let mut stmt = self.conn.prepare("SELECT code, name, kind, urban_rural, lon, lat, boundary, source_id, level_name FROM admin_units ORDER BY code")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let code = AdminCode::from_u64(r.get::<_, i64>(0)? as u64)
                .map_err(|e| corrupt("unit code", e))?;
            let boundary: Option<String> = r.get(6)?;
            let unit = AdminUnit {
                code,
                name: r.get(1)?,
                kind: parse_opt::<UnitKind>("unit kind", r.get(2)?)?,
                urban_rural: parse_opt::<UrbanRuralClass>("urban-rural class", r.get(3)?)?,
                point: point("unit point", r.get(4)?, r.get(5)?)?,
                boundary: boundary
                    .map(|b| {
                        serde_json::from_str::<MultiPolygon>(&b).map_err(|e| corrupt("boundary", e))
                    })
                    .transpose()?,
                source_id: r.get(7)?,
                level_name: r.get(8)?,
            };
            sys.units.insert(code, unit);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT * FROM population ORDER BY unit_code, year")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let p = |i: usize| -> rusqlite::Result<Option<Persons>> {
                Ok(r.get::<_, Option<i64>>(i)?.map(|v| Persons(v as u64)))
            };
            let unit = AdminCode::from_u64(r.get::<_, i64>(0)? as u64)
                .map_err(|e| corrupt("population unit", e))?;
            let rec = PopulationRecord {
                unit,
                year: year("population year", r.get(1)?)?,
                source: PopulationSource::parse_label(&r.get::<_, String>(2)?)
                    .map_err(|e| corrupt("population source", e))?,
                resident: Persons(r.get::<_, i64>(3)? as u64),
                male: p(4)?,
                female: p(5)?,
                ages: AgeBands {
                    age_0_2: p(6)?,
                    age_0_4: p(7)?,
                    age_0_14: p(8)?,
                    age_15_64: p(9)?,
                    age_60_plus: p(10)?,
                    age_65_plus: p(11)?,
                },
                live_births: p(12)?,
                deaths: p(13)?,
            };
            sys.population.insert((rec.unit, rec.year), rec);
        }
        let mut stmt = self.conn.prepare("SELECT * FROM facilities ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id =
                FacilityId::new(&r.get::<_, String>(0)?).map_err(|e| corrupt("facility id", e))?;
            let f = Facility {
                id: id.clone(),
                name: r.get(1)?,
                kind: InstitutionType::parse_label(&r.get::<_, String>(2)?)
                    .map_err(|e| corrupt("institution type", e))?,
                specialty: parse_opt::<Specialty>("specialty", r.get(3)?)?,
                grade: Grade::parse(&r.get::<_, String>(4)?).map_err(|e| corrupt("grade", e))?,
                ownership: Ownership::parse_label(&r.get::<_, String>(5)?)
                    .map_err(|e| corrupt("ownership", e))?,
                for_profit: r.get(6)?,
                unit: AdminCode::from_u64(r.get::<_, i64>(7)? as u64)
                    .map_err(|e| corrupt("facility unit", e))?,
                location: point("facility location", r.get(8)?, r.get(9)?)?,
                opened: r
                    .get::<_, Option<i64>>(10)?
                    .map(|v| year("opened", v))
                    .transpose()?,
                closed: r
                    .get::<_, Option<i64>>(11)?
                    .map(|v| year("closed", v))
                    .transpose()?,
            };
            sys.facilities.insert(id, f);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT facility_id, year FROM facility_years")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id =
                FacilityId::new(&r.get::<_, String>(0)?).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get(1)?)?;
            sys.facility_years
                .insert((id.clone(), y), FacilityYear::new(id, y));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT facility_id, year, quantity, value FROM facility_quantities")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id =
                FacilityId::new(&r.get::<_, String>(0)?).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get(1)?)?;
            let q = Quantity::parse_label(&r.get::<_, String>(2)?)
                .map_err(|e| corrupt("quantity", e))?;
            let fy = sys
                .facility_years
                .get_mut(&(id, y))
                .ok_or_else(|| corrupt("quantity", "row without its facility-year"))?;
            fy.quantities.insert(q, Count(r.get::<_, i64>(3)? as u64));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT facility_id, year, capability FROM facility_capabilities")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id =
                FacilityId::new(&r.get::<_, String>(0)?).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get(1)?)?;
            let c = Capability::parse_label(&r.get::<_, String>(2)?)
                .map_err(|e| corrupt("capability", e))?;
            let fy = sys
                .facility_years
                .get_mut(&(id, y))
                .ok_or_else(|| corrupt("capability", "row without its facility-year"))?;
            fy.capabilities.insert(c);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT unit_code, year, count, value FROM utilisation")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let unit = AdminCode::from_u64(r.get::<_, i64>(0)? as u64)
                .map_err(|e| corrupt("utilisation unit", e))?;
            let y = year("utilisation year", r.get(1)?)?;
            let code: String = r.get(2)?;
            let count = UsageCount::parse(&code)
                .ok_or_else(|| corrupt("utilisation count", format!("unknown count {code}")))?;
            sys.utilisation
                .add(unit, y, count, r.get::<_, i64>(3)? as u64);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT unit_code, year, record_table FROM utilisation_coverage")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let unit = AdminCode::from_u64(r.get::<_, i64>(0)? as u64)
                .map_err(|e| corrupt("utilisation unit", e))?;
            let y = year("utilisation year", r.get(1)?)?;
            let name: String = r.get(2)?;
            let table = RecordTable::parse(&name)
                .ok_or_else(|| corrupt("record table", format!("unknown table {name}")))?;
            sys.utilisation.coverage.insert((unit, y, table));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT kind, zh, en FROM dataset_notes ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(0)?;
            let kind = NoteKind::from_code(&code)
                .ok_or_else(|| corrupt("note kind", format!("unknown kind {code}")))?;
            sys.notes.push(DatasetNote {
                kind,
                zh: r.get(1)?,
                en: r.get(2)?,
            });
        }
        Ok(sys)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        let mut counts = StoreCounts::default();
        let mut stmt = self
            .conn
            .prepare("SELECT code, level_name FROM admin_units")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let code = AdminCode::from_u64(r.get::<_, i64>(0)? as u64)
                .map_err(|e| corrupt("unit code", e))?;
            let name: Option<String> = r.get(1)?;
            counts.add_unit(code, name.as_deref());
        }
        let count = |table: &str| -> Result<usize, StoreError> {
            Ok(self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })? as usize)
        };
        counts.population = count("population")?;
        counts.facilities = count("facilities")?;
        counts.facility_years = count("facility_years")?;
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsplan_model::{Origin, Sourced};

    fn sourced<T>(value: T, row: usize) -> Sourced<T> {
        Sourced {
            origin: Origin {
                file: "t.csv".into(),
                row,
            },
            value,
        }
    }

    fn unit(code: &str, name: &str) -> AdminUnit {
        AdminUnit::new(AdminCode::parse(code).unwrap(), name)
    }

    #[test]
    fn parents_first_whatever_the_order() {
        let mut s = SqliteStore::in_memory().unwrap();
        let batch = ImportBatch {
            units: vec![
                sourced(unit("500109001", "天生街道"), 2),
                sourced(unit("500109", "北碚区"), 3),
                sourced(unit("5001", "市辖区"), 4),
                sourced(unit("50", "重庆市"), 5),
            ],
            ..Default::default()
        };
        assert_eq!(s.import(&batch).unwrap().units, 4);
        let sys = s.load().unwrap();
        assert_eq!(sys.units.len(), 4);
        assert!(sys.validate().is_empty());
    }

    #[test]
    fn failed_import_changes_nothing() {
        let mut s = SqliteStore::in_memory().unwrap();
        s.import(&ImportBatch {
            units: vec![sourced(unit("50", "重庆市"), 2)],
            ..Default::default()
        })
        .unwrap();
        let before = s.load().unwrap();
        let batch = ImportBatch {
            units: vec![
                sourced(unit("5001", "市辖区"), 2),
                sourced(unit("500109001", "天生街道"), 3),
            ],
            ..Default::default()
        };
        let err = s.import(&batch).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv, row 3, column `code`: value `500109001000`"),
            "{err}"
        );
        assert_eq!(s.load().unwrap(), before);
    }

    #[test]
    fn a_store_from_before_source_ids_migrates_and_keeps_its_units() {
        let dir = std::env::temp_dir().join(format!("hsplan-store-old-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            let old = MIGRATIONS.len() - 1;
            for sql in &MIGRATIONS[..old] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", old as i64)
                .unwrap();
            conn.execute(
                "INSERT INTO admin_units (code, name, level) VALUES (500109000000, '北碚区', 3)",
                [],
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let sys = s.load().unwrap();
        let u = &sys.units[&AdminCode::parse("500109").unwrap()];
        assert_eq!((u.name.as_str(), u.source_id.as_ref()), ("北碚区", None));
        // a unit of another hierarchy keeps its source id and level name
        let mut t = SqliteStore::open(&path).unwrap();
        let mut x = AdminUnit::new(AdminCode::assigned(&[1]).unwrap(), "Sierra Leone");
        x.source_id = Some("ImspTQPwCqd".into());
        x.level_name = Some("National".into());
        t.import(&ImportBatch {
            units: vec![sourced(x.clone(), 1)],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(t.load().unwrap().units[&x.code], x);
        drop((s, t));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = std::env::temp_dir().join(format!("hsplan-store-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        drop(SqliteStore::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::NewerSchema { found: 99, .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
