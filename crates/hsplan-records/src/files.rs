//! Where a folder's record tables are, and their columns checked before any query.
//!
//! A table is `<name>.parquet`, `<name>.csv`, or a folder `<name>/` of `.parquet` files
//! (read in name order), `<name>` one of `encounters`, `referrals`, `contracts`,
//! `chronic_disease`, `health_records`.

use crate::error::RecordsError;
use crate::schema::columns;
use datafusion::datasource::file_format::options::{CsvReadOptions, ParquetReadOptions};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::prelude::SessionContext;
use hsplan_model::RecordTable;
use std::path::{Path, PathBuf};

/// The storage format of a table's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Apache Parquet.
    Parquet,
    /// Comma-separated values with a header line.
    Csv,
}

/// One table's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFiles {
    /// The table.
    pub table: RecordTable,
    /// Its format.
    pub format: Format,
    /// What to register: the file, or the folder of Parquet files.
    pub source: PathBuf,
    /// The files, in read order.
    pub paths: Vec<PathBuf>,
}

fn file_error(file: &Path, e: impl std::fmt::Display) -> RecordsError {
    RecordsError::File {
        file: file.to_path_buf(),
        message: e.to_string(),
    }
}

/// The record tables in `dir`, in [`RecordTable::ALL`] order.
pub fn discover(dir: &Path) -> Result<Vec<TableFiles>, RecordsError> {
    if !dir.is_dir() {
        return Err(file_error(dir, "not a folder"));
    }
    let mut out = Vec::new();
    for table in RecordTable::ALL {
        let name = table.name();
        let parquet = dir.join(format!("{name}.parquet"));
        let csv = dir.join(format!("{name}.csv"));
        let folder = dir.join(name);
        let found: Vec<TableFiles> = [
            parquet.is_file().then(|| TableFiles {
                table,
                format: Format::Parquet,
                source: parquet.clone(),
                paths: vec![parquet.clone()],
            }),
            csv.is_file().then(|| TableFiles {
                table,
                format: Format::Csv,
                source: csv.clone(),
                paths: vec![csv.clone()],
            }),
            if folder.is_dir() {
                let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
                    .map_err(|e| file_error(&folder, e))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
                    .collect();
                paths.sort();
                (!paths.is_empty()).then(|| TableFiles {
                    table,
                    format: Format::Parquet,
                    source: folder.clone(),
                    paths,
                })
            } else {
                None
            },
        ]
        .into_iter()
        .flatten()
        .collect();
        match found.len() {
            0 => {}
            1 => out.extend(found),
            _ => {
                return Err(file_error(
                    dir,
                    format!(
                        "table `{name}` is given more than once (as .parquet, .csv or a folder): keep one"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Checks that every file has the table's columns with readable types.
pub fn check_columns(files: &TableFiles) -> Result<(), RecordsError> {
    for path in &files.paths {
        match files.format {
            Format::Parquet => {
                let file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
                let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                    .map_err(|e| file_error(path, format!("not a readable Parquet file: {e}")))?;
                let schema = builder.schema();
                for c in columns(files.table) {
                    match schema.field_with_name(c.name) {
                        Err(_) => {
                            return Err(RecordsError::MissingColumn {
                                file: path.clone(),
                                column: c.name.into(),
                                expected: c.kind.name(),
                            });
                        }
                        Ok(f) if !c.kind.accepts(f.data_type()) => {
                            return Err(RecordsError::ColumnType {
                                file: path.clone(),
                                column: c.name.into(),
                                found: f.data_type().to_string(),
                                expected: c.kind.name(),
                            });
                        }
                        Ok(_) => {}
                    }
                }
            }
            Format::Csv => {
                let text = std::fs::read(path).map_err(|e| file_error(path, e))?;
                let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
                let header = String::from_utf8_lossy(first);
                let names: Vec<&str> = header
                    .trim_end_matches('\r')
                    .trim_start_matches('\u{feff}')
                    .split(',')
                    .map(|h| h.trim().trim_matches('"'))
                    .collect();
                let expected: Vec<&str> = columns(files.table).iter().map(|c| c.name).collect();
                for c in columns(files.table) {
                    if !names.contains(&c.name) {
                        return Err(RecordsError::MissingColumn {
                            file: path.clone(),
                            column: c.name.into(),
                            expected: c.kind.name(),
                        });
                    }
                }
                if names != expected {
                    return Err(file_error(
                        path,
                        format!(
                            "line 1: the header must list the columns in this order: {}",
                            expected.join(",")
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Registers the table with the query engine under its name.
pub async fn register(ctx: &SessionContext, files: &TableFiles) -> Result<(), RecordsError> {
    let name = files.table.name();
    // Absolute: a cluster's executors resolve the path, not this process.
    let source = std::path::absolute(&files.source)
        .unwrap_or_else(|_| files.source.clone())
        .to_string_lossy()
        .to_string();
    match files.format {
        Format::Parquet => {
            ctx.register_parquet(name, &source, ParquetReadOptions::default())
                .await?
        }
        Format::Csv => {
            let schema = crate::schema::schema(files.table);
            ctx.register_csv(
                name,
                &source,
                CsvReadOptions::new().has_header(true).schema(&schema),
            )
            .await?
        }
    }
    Ok(())
}
