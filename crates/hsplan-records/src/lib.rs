//! Record-level data of the regional health information platform (全民健康信息平台):
//! encounters, referrals, family-doctor contracts, chronic-disease management and
//! electronic health records, read from Parquet and CSV by Apache DataFusion, checked
//! record by record (errors located by file, row group, row and column) and counted into
//! utilisation totals per unit and year ([`hsplan_model::Utilisation`]), which the
//! indicator library sums up the hierarchy like every other measure.
//!
//! Also: a seeded generator of SYNTHETIC records consistent with a service system's
//! facility-year totals ([`generate`]), for the demo and benchmarks.

pub mod count;
pub mod error;
pub mod files;
pub mod generate;
pub mod locate;
pub mod schema;

pub use count::{CountRequest, Counted, Duplicates, Engine, TableRun, count, query, service_level};
pub use error::{Location, Reason, RecordsError};
pub use generate::{GenerateRequest, Generated, generate};
