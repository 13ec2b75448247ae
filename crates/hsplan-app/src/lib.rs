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
pub mod inputs;
pub mod plans;
pub mod progress;
pub mod region;
pub mod siting;
pub mod standards;

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
    },
    /// An uploaded or named input file is malformed; every problem is located.
    #[error("{}", .problems.join("\n"))]
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
}

impl AppError {
    /// An invalid request field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<hsplan_store::StoreError> for AppError {
    fn from(e: hsplan_store::StoreError) -> Self {
        match e {
            hsplan_store::StoreError::References(refs) => AppError::Input {
                problems: refs.iter().map(ToString::to_string).collect(),
                more: 0,
            },
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

/// A store opened for a session of work (the CLI's one command, the server's lifetime):
/// reads take a [`Snapshot`], writes go through [`Workspace::import`] one at a time.
#[derive(Debug)]
pub struct Workspace {
    db: PathBuf,
    snapshot: RwLock<Arc<Snapshot>>,
    writer: Mutex<()>,
}

fn load_snapshot(store: &SqliteStore, version: u64) -> Result<Snapshot> {
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

impl Workspace {
    /// Opens (or creates) the store and takes its first snapshot.
    pub fn open(db: &Path) -> Result<Self> {
        let store = open_store(db)?;
        let snapshot = load_snapshot(&store, 1)?;
        Ok(Workspace {
            db: db.to_path_buf(),
            snapshot: RwLock::new(Arc::new(snapshot)),
            writer: Mutex::new(()),
        })
    }

    /// The store's path.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Imports a parsed batch all-or-nothing, then publishes a new snapshot.
    pub fn import(&self, batch: &hsplan_store::ImportBatch) -> Result<data::ImportReport> {
        let _one_writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut store = open_store(&self.db)?;
        let summary = store.import(batch)?;
        let version = self.snapshot().version + 1;
        let fresh = Arc::new(load_snapshot(&store, version)?);
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(data::ImportReport::from(&summary))
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

/// A unit that must be in the store. Text that is not a code at all is an invalid field;
/// a well-formed code that names no unit (in the store, or anywhere: one that skips a
/// level) is not found.
pub fn known_unit<'a>(
    sys: &'a ServiceSystem,
    field: &str,
    text: &str,
) -> Result<&'a hsplan_model::AdminUnit> {
    let code = match hsplan_model::AdminCode::parse(text.trim()) {
        Ok(code) => code,
        Err(e @ hsplan_model::AdminCodeError::Malformed(_)) => {
            return Err(AppError::invalid(field, e.to_string()));
        }
        Err(e) => return Err(AppError::NotFound(format!("unit {}: {e}", text.trim()))),
    };
    sys.units
        .get(&code)
        .ok_or_else(|| AppError::NotFound(format!("unit {code}")))
}
