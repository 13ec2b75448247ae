//! # hsplan-store — where a region's service system is kept
//!
//! Owns persistence: the [`Store`] trait (imports are all-or-nothing; loading
//! returns a [`ServiceSystem`]) and its embedded SQLite implementation
//! [`SqliteStore`] (one file, schema migrations by `PRAGMA user_version`).
//! Referential checks (a unit's parent, a facility's unit, a resource row's
//! facility) happen here, inside the import transaction, and name the file and
//! row the offending record came from.
//!
//! Must not: parse user files (that is `hsplan-io`), compute indicators, or
//! print.
//!
//! [`PgStore`] is the second implementation, for a shared server: the same records and
//! import semantics (bulk loads through COPY), plus users, grants, sessions, data approval,
//! record versions and the hash-chained audit log (see its module).

mod decode;
pub mod postgres;
mod sqlite;
pub mod testdb;

pub use postgres::{PgStore, PlanVersion};
pub use sqlite::SqliteStore;

use hsplan_model::{
    AdminCode, AdminLevel, AdminUnit, DatasetNote, Facility, FacilityYear, Origin,
    PopulationRecord, ServiceSystem, Sourced, UnitGeometry,
};
use std::collections::BTreeMap;

/// Records to import together: either all are stored, or none.
#[derive(Debug, Default, Clone)]
pub struct ImportBatch {
    /// Units (any order; parents are stored before children).
    pub units: Vec<Sourced<AdminUnit>>,
    /// Geometries for units already stored or in this batch.
    pub geometries: Vec<Sourced<UnitGeometry>>,
    /// Population records.
    pub population: Vec<Sourced<PopulationRecord>>,
    /// Facilities.
    pub facilities: Vec<Sourced<Facility>>,
    /// Facility resources.
    pub facility_years: Vec<Sourced<FacilityYear>>,
    /// Notes about the data (kept once each; e.g. "synthetic").
    pub notes: Vec<DatasetNote>,
    /// Utilisation counted from records, each replacing what is stored for its unit's
    /// subtree and year.
    pub utilisation: Vec<UtilisationBatch>,
}

/// Utilisation totals counted from records for a unit (and everything below it) and a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtilisationBatch {
    /// The unit the records cover.
    pub unit: AdminCode,
    /// The year.
    pub year: hsplan_model::Year,
    /// The totals and coverage (every unit in them lies in `unit`'s subtree).
    pub utilisation: hsplan_model::Utilisation,
}

impl UtilisationBatch {
    /// Totals as rows (unit, count code, value), units within the subtree only.
    pub fn rows(&self) -> Vec<(AdminCode, String, u64)> {
        let mut out = Vec::new();
        for ((unit, year), counts) in &self.utilisation.totals {
            if *year != self.year || !hsplan_model::utilisation::within(*unit, self.unit) {
                continue;
            }
            for (c, v) in counts {
                out.push((*unit, c.to_string(), *v));
            }
        }
        out
    }

    /// Coverage as rows (unit, table name), units within the subtree only.
    pub fn coverage(&self) -> Vec<(AdminCode, &'static str)> {
        self.utilisation
            .coverage
            .iter()
            .filter(|(u, y, _)| *y == self.year && hsplan_model::utilisation::within(*u, self.unit))
            .map(|(u, _, t)| (*u, t.name()))
            .collect()
    }
}

/// What an import stored (rows inserted or replaced).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Units.
    pub units: usize,
    /// Geometries.
    pub geometries: usize,
    /// Population records.
    pub population: usize,
    /// Facilities.
    pub facilities: usize,
    /// Facility-years.
    pub facility_years: usize,
    /// Utilisation totals (unit, year, count).
    pub utilisation: usize,
}

/// How much a store holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreCounts {
    /// NBS-coded units per level.
    pub units_by_level: BTreeMap<AdminLevel, usize>,
    /// Units of other hierarchies (assigned codes) per level, with the source's name for the
    /// level (empty when the source gave none).
    pub source_levels: BTreeMap<(AdminLevel, String), usize>,
    /// Population records.
    pub population: usize,
    /// Facilities.
    pub facilities: usize,
    /// Facility-years.
    pub facility_years: usize,
}

impl StoreCounts {
    /// Counts one unit: an NBS-coded one by its level, another by its level and the
    /// source's name for that level.
    pub fn add_unit(&mut self, code: AdminCode, level_name: Option<&str>) {
        if code.is_nbs() {
            *self.units_by_level.entry(code.level()).or_insert(0) += 1;
        } else {
            *self
                .source_levels
                .entry((code.level(), level_name.unwrap_or("").to_string()))
                .or_insert(0) += 1;
        }
    }
}

/// The `column` of a reference made by a GeoJSON feature's code property.
pub const FEATURE_CODE: &str = "feature code";

/// A record that refers to something the store does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ReferenceError {
    /// Where the record came from.
    pub origin: Origin,
    /// The referring column.
    pub column: &'static str,
    /// The value.
    pub value: String,
    /// What was expected.
    pub expected: String,
}

impl std::fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (file, n) = (&self.origin.file, self.origin.row);
        if self.column == FEATURE_CODE {
            write!(f, "{file}, feature {n}, code `{}`", self.value)?;
        } else {
            write!(
                f,
                "{file}, row {n}, column `{}`: value `{}`",
                self.column, self.value
            )?;
        }
        write!(f, ": expected {}", self.expected)
    }
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database itself failed.
    #[error("database error: {0}")]
    Database(rusqlite::Error),
    /// The PostgreSQL server failed or refused a statement.
    #[error("database error: {}", postgres::pg_message(.0))]
    Postgres(::postgres::Error),
    /// No connection to the PostgreSQL server.
    #[error("cannot connect to PostgreSQL at {0}")]
    Connect(String),
    /// A change that the rules do not allow (the message says which and why).
    #[error("{0}")]
    Refused(String),
    /// Something named does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Records refer to missing units or facilities; nothing was imported.
    #[error("{}\nnothing was imported", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    References(Vec<ReferenceError>),
    /// The file was written by a newer hsplan.
    #[error(
        "the store has schema version {found}, newer than this hsplan supports ({supported}); upgrade hsplan"
    )]
    NewerSchema {
        /// Version found.
        found: i64,
        /// Latest known.
        supported: i64,
    },
    /// A stored value no longer parses (the file was edited by hand?).
    #[error("corrupt store: {0}")]
    Corrupt(String),
}

// The driver's error is the message, not a cause behind it: a cause would print the same
// text twice ("database is locked: database is locked").
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

/// A place where service systems are kept.
pub trait Store {
    /// Stores the batch in one transaction: on any error nothing changes.
    /// Records with an existing key replace the stored ones.
    fn import(&mut self, batch: &ImportBatch) -> Result<ImportSummary, StoreError>;
    /// Everything stored, as one model value.
    fn load(&self) -> Result<ServiceSystem, StoreError>;
    /// Row counts.
    fn counts(&self) -> Result<StoreCounts, StoreError>;
}
