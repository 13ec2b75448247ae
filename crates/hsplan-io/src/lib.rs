//! # hsplan-io — files in and out
//!
//! Owns the file formats planners use: CSV and XLSX tables (English or Chinese
//! headers), GeoJSON unit geometries, and the NBS division hierarchy (with the
//! built-in Chongqing copy). Parsing turns files into model records tagged with
//! their [`Origin`](hsplan_model::Origin); every error names file, row, column,
//! value and what was expected.
//!
//! Must not: open a database or decide what is stored (that is `hsplan-store`),
//! or compute indicators. It reads whole files and returns values; it never
//! leaves anything half-written except the output file it was asked to write.

pub mod dhis2;
pub mod error;
pub mod fhir;
pub mod geojson;
pub mod nbs;
pub mod table;
pub mod tables;

pub use error::{ImportErrors, IoError};
pub use table::{RawTable, TableFormat, read_table, read_table_bytes, table_bytes, write_table};
pub use tables::TableKind;
