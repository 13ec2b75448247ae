//! # hsplan-io — files in and out
//!
//! Owns the file formats planners use: CSV and XLSX tables (English or Chinese
//! headers), GeoJSON unit geometries, and the NBS division hierarchy (with the
//! built-in Chongqing copy). Parsing turns files into model records tagged with
//! their [`Origin`](hsplan_model::Origin); every error names file, row, column,
//! value and what was expected.
//!
//! [`columns`] reads a whole national system from flat files straight into the
//! evaluation's columns (`hsplan_eval::columnar::Columns`), skipping model records.
//!
//! Must not: open a database or decide what is stored (that is `hsplan-store`),
//! or compute indicators. It reads whole files and returns values; it never
//! leaves anything half-written except the output file it was asked to write.

pub mod columns;
pub mod dhis2;
pub mod dhis2_api;
pub mod error;
pub mod fhir;
pub mod geojson;
pub mod nbs;
pub mod table;
pub mod tables;

pub use error::{ImportErrors, IoError};
pub use table::{RawTable, TableFormat, read_table, read_table_bytes, table_bytes, write_table};
pub use tables::TableKind;

/// Parses a JSON document, a byte order mark (as some Windows tools write) first left out;
/// the message locates a syntax error by line and column.
pub(crate) fn json_document(text: &str) -> Result<serde_json::Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        format!(
            "not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_documents_skip_a_byte_order_mark_and_locate_errors() {
        assert_eq!(super::json_document("\u{feff}{\"a\": 1}").unwrap()["a"], 1);
        let e = super::json_document("{\n  \"a\": }").unwrap_err();
        assert!(e.starts_with("not valid JSON at line 2, column 8:"), "{e}");
    }
}
