//! # hsplan-app — the application layer
//!
//! Every workflow of hsplan as a library function: a typed request in, a typed,
//! serialisable result out, in the planner's vocabulary (a unit, a year, an indicator row
//! with its status, a violation with its place, a scenario with before → after per unit).
//! The CLI, the HTTP server and the web app are thin renderers of these values: a number
//! shown in the browser and in the terminal comes from the same call.
//!
//! Must not: print, exit the process, know about HTTP or clap. IO happens only where a
//! workflow is about files (reading a graph file, writing a demo folder); computations take
//! a [`Snapshot`] of the store and return values. Long runs take a [`progress::Progress`]
//! sink and a [`progress::Cancel`] token.

pub mod access;
pub mod catalog;
pub mod data;
pub mod demo;
pub mod evaluation;
pub mod geo;
pub mod governance;
pub mod inputs;
pub mod interop;
pub mod parent_child;
pub mod plan_files;
pub mod plans;
pub mod progress;
pub mod quality;
#[cfg(feature = "records")]
pub mod records;
pub mod region;
pub mod siting;
pub mod standards;
pub mod targets;
pub mod tasks;

pub use hsplan_report::messages::{self, Lang, Mode};

use hsplan_model::ServiceSystem;
use hsplan_store::{SqliteStore, Store};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// What can go wrong in a workflow. Messages are the located, user-facing ones
/// (file/row/column for inputs) and say nothing about data outside the request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is invalid (a field out of range, an unknown code…).
    #[error("{field}: {message}")]
    Invalid {
        /// The request field (or input file) at fault.
        field: String,
        /// What is wrong and what was expected.
        message: String,
        /// The same in Chinese, where the check says it.
        message_zh: Option<String>,
    },
    /// An uploaded or named input file is malformed; every problem is located.
    #[error("{}{}", .problems.join("\n"), if *.more > 0 { format!("\n… and {} more problems", .more) } else { String::new() })]
    Input {
        /// One located message per problem (file, row, column, value, expectation).
        problems: Vec<String>,
        /// Problems found beyond those listed.
        more: usize,
    },
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
    /// A file could not be read or written.
    #[error("{0}")]
    File(String),
    /// An engine refused the problem (e.g. an infeasible siting instance).
    #[error("{0}")]
    Engine(String),
    /// No valid session (or wrong credentials).
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the user's roles do not allow this here.
    #[error("{0}")]
    Forbidden(String),
    /// The change conflicts with the current state (a stale version, a locked year).
    #[error("{0}")]
    Conflict(String),
    /// The feature needs the shared (PostgreSQL) store.
    #[error("{0}")]
    NeedsServerStore(String),
}

impl AppError {
    /// An invalid request field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
            message_zh: None,
        }
    }

    /// An invalid request field, said in both languages.
    pub fn invalid_said(
        field: impl Into<String>,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: en.into(),
            message_zh: Some(zh.into()),
        }
    }

    /// The message in `lang` (Chinese where the check says it in Chinese).
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                AppError::Invalid {
                    field,
                    message_zh: Some(zh),
                    ..
                },
                Lang::Zh,
            ) => format!("{field}：{zh}"),
            _ => self.to_string(),
        }
    }
}

/// Whole numbers in JSON request bodies: `3` and `3.0` alike (JSON Schema calls both an
/// integer, and clients such as spreadsheets and JavaScript send the second).
pub mod whole {
    use serde::{Deserialize, Deserializer, de::Error};
    use std::collections::BTreeMap;

    fn of<E: Error>(n: serde_json::Number) -> Result<i64, E> {
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            _ => Err(E::custom(format!("`{n}`: expected a whole number"))),
        }
    }

    /// One whole number.
    pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        of(serde_json::Number::deserialize(d)?)
    }

    /// A map of whole numbers.
    pub fn map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, i64>, D::Error> {
        BTreeMap::<String, serde_json::Number>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| of(v).map(|v| (k, v)))
            .collect()
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "super::number")]
            n: i64,
        }

        #[test]
        fn integer_valued_floats_are_whole_numbers() {
            let t = |s: &str| serde_json::from_str::<T>(s).map(|t| t.n);
            assert_eq!(t(r#"{"n": 3}"#).unwrap(), 3);
            assert_eq!(t(r#"{"n": 2206691603.0}"#).unwrap(), 2_206_691_603);
            assert!(t(r#"{"n": 2.5}"#).is_err());
            assert!(t(r#"{"n": 1e300}"#).is_err());
            assert!(t(r#"{"n": "3"}"#).is_err());
        }
    }
}

/// A number checked at the edge: finite and within `range`, else an invalid field that
/// says, in both languages, what was expected (`what_en`/`what_zh` name the quantity and its
/// unit, e.g. "minutes" / "分钟").
pub fn check_number(
    field: &str,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
    what_en: &str,
    what_zh: &str,
) -> Result<f64> {
    if value.is_finite() && range.contains(&value) {
        return Ok(value);
    }
    let (lo, hi) = (range.start(), range.end());
    Err(AppError::invalid_said(
        field,
        format!("`{value}`: expected {what_en} from {lo} to {hi}"),
        format!("`{value}`：应为 {lo} 至 {hi} 之间的{what_zh}"),
    ))
}

/// The walking speed of off-network legs: above 0, at most 100 km/h.
pub fn check_walk_kmh(value: f64) -> Result<f64> {
    check_above(
        "walk_kmh",
        value,
        0.0,
        100.0,
        "a speed in km/h",
        "速度（千米/小时）",
    )
}

/// Like [`check_number`] for a number that must be above `lo` (0 is not a speed).
pub fn check_above(
    field: &str,
    value: f64,
    lo: f64,
    hi: f64,
    what_en: &str,
    what_zh: &str,
) -> Result<f64> {
    if value.is_finite() && value > lo && value <= hi {
        return Ok(value);
    }
    Err(AppError::invalid_said(
        field,
        format!("`{value}`: expected {what_en} above {lo} and at most {hi}"),
        format!("`{value}`：应为大于 {lo}、不超过 {hi} 的{what_zh}"),
    ))
}

impl From<hsplan_store::StoreError> for AppError {
    fn from(e: hsplan_store::StoreError) -> Self {
        match e {
            hsplan_store::StoreError::References(refs) => AppError::Input {
                problems: refs.iter().map(ToString::to_string).collect(),
                more: 0,
            },
            hsplan_store::StoreError::Refused(m) => AppError::Conflict(m),
            hsplan_store::StoreError::NotFound(m) => AppError::NotFound(m),
            other => AppError::Store(other.to_string()),
        }
    }
}

impl From<hsplan_io::ImportErrors> for AppError {
    fn from(e: hsplan_io::ImportErrors) -> Self {
        AppError::Input {
            problems: e.errors.iter().map(ToString::to_string).collect(),
            more: e.more,
        }
    }
}

impl From<hsplan_io::IoError> for AppError {
    fn from(e: hsplan_io::IoError) -> Self {
        AppError::Input {
            problems: vec![e.to_string()],
            more: 0,
        }
    }
}

impl From<hsplan_plan::PlanError> for AppError {
    fn from(e: hsplan_plan::PlanError) -> Self {
        AppError::Input {
            problems: vec![e.to_string()],
            more: 0,
        }
    }
}

/// Result of a workflow.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// One consistent view of the store: every read of a request works on one snapshot,
/// so a concurrent import is seen either wholly or not at all.
#[derive(Debug)]
pub struct Snapshot {
    /// The whole service system.
    pub sys: ServiceSystem,
    /// Counts as the store reports them.
    pub counts: hsplan_store::StoreCounts,
    /// Increases with every successful import.
    pub version: u64,
}

/// Where the store is: an SQLite file (one planner) or a PostgreSQL database (a shared
/// server with accounts, approval and audit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl StoreLocation {
    /// `postgres://…` or `postgresql://…` names a database; anything else a file.
    pub fn parse(text: &str) -> StoreLocation {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            StoreLocation::Postgres(text.to_string())
        } else {
            StoreLocation::Sqlite(PathBuf::from(text))
        }
    }

    /// A printable name (a URL without its password).
    pub fn display(&self) -> String {
        match self {
            StoreLocation::Sqlite(p) => p.display().to_string(),
            StoreLocation::Postgres(u) => hsplan_store::postgres::redacted(u),
        }
    }
}

impl From<&Path> for StoreLocation {
    fn from(p: &Path) -> Self {
        match p.to_str() {
            Some(t) => StoreLocation::parse(t),
            None => StoreLocation::Sqlite(p.to_path_buf()),
        }
    }
}

/// A store opened for a session of work (the CLI's one command, the server's lifetime):
/// reads take a [`Snapshot`], writes go through [`Workspace::import`] one at a time.
#[derive(Debug)]
pub struct Workspace {
    location: StoreLocation,
    pg: Option<hsplan_store::PgStore>,
    snapshot: RwLock<Arc<Snapshot>>,
    writer: Mutex<()>,
    scoped: Mutex<ScopedSnapshots>,
    /// Form saves committed to the store but not yet in the published snapshot; the next
    /// read applies them all with one copy of the system (so a burst of saves costs one
    /// copy, and every read sees every committed save). Publishing happens under this lock.
    pending: Mutex<Pending>,
    /// The plans, with a shared store's edited versions in place of the built-in ones.
    plans: RwLock<Arc<catalog::PlanSet>>,
}

/// Committed form saves waiting to be published, and when the last publication was.
#[derive(Debug)]
struct Pending {
    saves: Vec<hsplan_model::FacilityYear>,
    published: std::time::Instant,
}

impl Default for Pending {
    fn default() -> Self {
        let now = std::time::Instant::now();
        Pending {
            saves: Vec::new(),
            // the first save is published at once
            published: now.checked_sub(PUBLISH_EVERY).unwrap_or(now),
        }
    }
}

/// Form saves are published at most this often: a save after a quiet spell is visible at
/// once; during a burst, reads see the saves at most this much later (and the responses
/// cached for a snapshot are not thrown away with every save).
pub const PUBLISH_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Snapshots cut to a user's scope, for the current version.
#[derive(Debug, Default)]
struct ScopedSnapshots {
    version: u64,
    by_scope: std::collections::HashMap<String, Arc<Snapshot>>,
}

fn load_snapshot(store: &dyn Store, version: u64) -> Result<Snapshot> {
    Ok(Snapshot {
        sys: store.load()?,
        counts: store.counts()?,
        version,
    })
}

fn open_store(db: &Path) -> Result<SqliteStore> {
    SqliteStore::open(db)
        .map_err(|e| AppError::Store(format!("opening store {}: {e}", db.display())))
}

fn counts_of(sys: &ServiceSystem) -> hsplan_store::StoreCounts {
    let mut counts = hsplan_store::StoreCounts::default();
    for u in sys.units.values() {
        counts.add_unit(u.code, u.level_name.as_deref());
    }
    counts.population = sys.population.len();
    counts.facilities = sys.facilities.len();
    counts.facility_years = sys.facility_years.len();
    counts
}

impl Workspace {
    /// Opens (or creates) the SQLite store and takes its first snapshot.
    pub fn open(db: &Path) -> Result<Self> {
        Self::open_at(&StoreLocation::Sqlite(db.to_path_buf()))
    }

    /// Opens either kind of store and takes its first snapshot.
    pub fn open_at(location: &StoreLocation) -> Result<Self> {
        let (pg, snapshot, plans) = match location {
            StoreLocation::Sqlite(db) => (
                None,
                load_snapshot(
                    &SqliteStore::open_read_only(db).map_err(|e| {
                        AppError::Store(format!("opening store {}: {e}", db.display()))
                    })?,
                    1,
                )?,
                catalog::PlanSet::built_in(),
            ),
            StoreLocation::Postgres(url) => {
                let store = hsplan_store::PgStore::open(url).map_err(|e| {
                    AppError::Store(format!("opening store {}: {e}", location.display()))
                })?;
                let snapshot = load_snapshot(&store, 1)?;
                let plans = plan_files::stored_plans(&store)?;
                (Some(store), snapshot, plans)
            }
        };
        Ok(Workspace {
            plans: RwLock::new(Arc::new(plans)),
            location: location.clone(),
            pg,
            snapshot: RwLock::new(Arc::new(snapshot)),
            writer: Mutex::new(()),
            scoped: Mutex::default(),
            pending: Mutex::default(),
        })
    }

    /// The store's path (SQLite) or redacted URL.
    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// The store's path; for a PostgreSQL store, its redacted URL as a path.
    pub fn db(&self) -> PathBuf {
        match &self.location {
            StoreLocation::Sqlite(p) => p.clone(),
            other => PathBuf::from(other.display()),
        }
    }

    /// The shared store, when this is one (accounts, approval and audit live there).
    pub fn server_store(&self) -> Option<&hsplan_store::PgStore> {
        self.pg.as_ref()
    }

    /// Whether users must sign in (a shared store).
    pub fn governed(&self) -> bool {
        self.pg.is_some()
    }

    /// The plans as this workspace has them (a shared store's edits in place).
    pub fn plans(&self) -> Arc<catalog::PlanSet> {
        self.plans.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts an edited plan in place and publishes a new snapshot version (results that
    /// depend on the plan are computed anew).
    pub(crate) fn replace_plan(&self, plan: hsplan_plan::Plan, version: i64) {
        {
            let mut slot = self.plans.write().unwrap_or_else(|e| e.into_inner());
            // two saves may finish out of order: the newest version stays
            if slot.version(plan.data.plan.id.get_ref()) >= version {
                return;
            }
            *slot = Arc::new(slot.with(plan, version));
        }
        self.touch();
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.publish_pending(false);
        self.current()
    }

    /// The current snapshot with every committed save in it (no [`PUBLISH_EVERY`] wait).
    pub fn snapshot_now(&self) -> Arc<Snapshot> {
        self.publish_pending(true);
        self.current()
    }

    fn publish_pending(&self, now: bool) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.saves.is_empty() || !(now || pending.published.elapsed() >= PUBLISH_EVERY) {
            return;
        }
        let mut sys = self.current().sys.clone();
        for fy in pending.saves.drain(..) {
            sys.facility_years
                .insert((fy.facility.clone(), fy.year), fy);
        }
        pending.published = std::time::Instant::now();
        self.publish(sys);
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current snapshot as `who` may see it: only the units below their grants, with
    /// everything attached to them (None: the whole store, for a local single user).
    pub fn snapshot_for(&self, who: Option<&hsplan_govern::Principal>) -> Arc<Snapshot> {
        self.scoped(self.snapshot(), who)
    }

    /// Like [`Workspace::snapshot_for`] without applying pending form saves first: for a
    /// save's own checks (the facility and the year before), which the store re-checks.
    pub(crate) fn published_for(&self, who: Option<&hsplan_govern::Principal>) -> Arc<Snapshot> {
        self.scoped(self.current(), who)
    }

    fn scoped(&self, full: Arc<Snapshot>, who: Option<&hsplan_govern::Principal>) -> Arc<Snapshot> {
        let Some(p) = who else { return full };
        let key = p.scope_key();
        let mut scoped = self.scoped.lock().unwrap_or_else(|e| e.into_inner());
        if scoped.version < full.version {
            scoped.version = full.version;
            scoped.by_scope.clear();
        }
        if scoped.version > full.version {
            // an older snapshot than the cached ones: cut it without caching
            let sys =
                hsplan_govern::roles::restrict(&full.sys, &p.roots(hsplan_govern::Action::Read));
            return Arc::new(Snapshot {
                counts: counts_of(&sys),
                sys,
                version: full.version,
            });
        }
        scoped
            .by_scope
            .entry(key)
            .or_insert_with(|| {
                let sys = hsplan_govern::roles::restrict(
                    &full.sys,
                    &p.roots(hsplan_govern::Action::Read),
                );
                Arc::new(Snapshot {
                    counts: counts_of(&sys),
                    sys,
                    version: full.version,
                })
            })
            .clone()
    }

    /// Publishes `sys` as the next snapshot (after a change made through this workspace);
    /// callers hold the `pending` lock.
    fn publish(&self, sys: ServiceSystem) {
        let mut slot = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        let version = slot.version + 1;
        *slot = Arc::new(Snapshot {
            counts: counts_of(&sys),
            sys,
            version,
        });
    }

    /// Publishes the same data as a new snapshot version (after a change outside the
    /// records, such as an approval step, that results may depend on).
    pub fn touch(&self) {
        let _one_writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let sys = self.snapshot().sys.clone();
        let _publishing = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        self.publish(sys);
    }

    /// Imports a parsed batch all-or-nothing, then publishes a new snapshot.
    pub fn import(&self, batch: &hsplan_store::ImportBatch) -> Result<data::ImportReport> {
        self.import_as(
            batch,
            &hsplan_store::postgres::Actor::cli(),
            "import",
            "batch",
        )
    }

    /// [`Workspace::import`] on behalf of `actor` (recorded in a shared store's audit log).
    pub fn import_as(
        &self,
        batch: &hsplan_store::ImportBatch,
        actor: &hsplan_store::postgres::Actor,
        action: &str,
        target: &str,
    ) -> Result<data::ImportReport> {
        let _one_writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let summary = match (&self.pg, &self.location) {
            (Some(pg), _) => {
                let summary = pg.import_audited(batch, actor, action, target)?;
                let fresh = load_snapshot(pg, 0)?;
                // the fresh load holds every committed save
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                pending.saves.clear();
                self.publish(fresh.sys);
                summary
            }
            (None, StoreLocation::Sqlite(db)) => {
                let mut store = open_store(db)?;
                let summary = store.import(batch)?;
                let fresh = load_snapshot(&store, 0)?;
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                pending.saves.clear();
                self.publish(fresh.sys);
                summary
            }
            (None, StoreLocation::Postgres(_)) => {
                unreachable!("a PostgreSQL workspace has its store")
            }
        };
        Ok(data::ImportReport::from(&summary))
    }

    /// Runs a store write and, if it stored `Some(facility-year)`, publishes the snapshot
    /// with it — one writer at a time, so snapshots follow the store's order.
    fn write_facility_year<T>(
        &self,
        f: impl FnOnce() -> Result<(T, Option<hsplan_model::FacilityYear>)>,
    ) -> Result<T> {
        let _one_writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let (out, stored) = f()?;
        if let Some(fy) = stored {
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .saves
                .push(fy);
            // after a quiet spell the save is visible at once
            self.publish_pending(false);
        }
        Ok(out)
    }
}

/// Parses a unit code given in a request field.
pub fn parse_code(field: &str, text: &str) -> Result<hsplan_model::AdminCode> {
    hsplan_model::AdminCode::parse(text.trim()).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// Parses a year given in a request field.
pub fn parse_year(field: &str, year: i64) -> Result<hsplan_model::Year> {
    hsplan_model::Year::new(year).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// A unit that must be in the store, named by its code or its id in the system it came
/// from (a DHIS2 uid). Text that is neither is an invalid field; a well-formed code that
/// names no unit (in the store, or anywhere: one that skips a level) is not found.
pub fn known_unit<'a>(
    sys: &'a ServiceSystem,
    field: &str,
    text: &str,
) -> Result<&'a hsplan_model::AdminUnit> {
    if let Some(u) = sys.find_unit(text) {
        return Ok(u);
    }
    match hsplan_model::AdminCode::parse(text.trim()) {
        Ok(code) => Err(AppError::NotFound(format!("unit {code}"))),
        Err(e @ hsplan_model::AdminCodeError::Malformed(_)) => {
            Err(AppError::invalid(field, e.to_string()))
        }
        Err(e) => Err(AppError::NotFound(format!("unit {}: {e}", text.trim()))),
    }
}
