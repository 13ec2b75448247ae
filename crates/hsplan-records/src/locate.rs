//! Finding the record behind an error: the slow path, taken only when the query found
//! something wrong. Files are read in order (Parquet row group by row group, CSV line by
//! line) and each row is checked by the rule that failed, so the message can name the file,
//! row group, row, column and value.

use crate::error::{Location, Reason, RecordsError};
use crate::files::{Format, TableFiles};
use crate::schema::{ColumnType, columns};
use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use hsplan_model::{RecordTable, ServiceSystem, Year};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One row's values as text, by column position in [`columns`].
type Row<'a> = [Option<&'a str>];

/// Visits every row of the table's files in order; stops at the first `Some`.
fn scan<T>(
    files: &TableFiles,
    mut visit: impl FnMut(&Location, &Row) -> Option<T>,
) -> Result<Option<T>, RecordsError> {
    let cols = columns(files.table);
    for path in &files.paths {
        match files.format {
            Format::Parquet => {
                let open = || std::fs::File::open(path).map_err(|e| file_error(path, e));
                let groups = ParquetRecordBatchReaderBuilder::try_new(open()?)
                    .map_err(|e| file_error(path, e))?
                    .metadata()
                    .num_row_groups();
                let mut file_row = 0u64;
                for g in 0..groups {
                    let reader = ParquetRecordBatchReaderBuilder::try_new(open()?)
                        .map_err(|e| file_error(path, e))?
                        .with_row_groups(vec![g])
                        .build()
                        .map_err(|e| file_error(path, e))?;
                    let mut row = 0u64;
                    for batch in reader {
                        let batch = batch.map_err(|e| file_error(path, e))?;
                        let arrays: Vec<StringArray> = cols
                            .iter()
                            .map(|c| {
                                let a = batch.column_by_name(c.name).ok_or_else(|| {
                                    file_error(path, format!("column `{}` is missing", c.name))
                                })?;
                                let t =
                                    cast(a, &DataType::Utf8).map_err(|e| file_error(path, e))?;
                                Ok(t.as_any()
                                    .downcast_ref::<StringArray>()
                                    .expect("Utf8")
                                    .clone())
                            })
                            .collect::<Result<_, RecordsError>>()?;
                        let mut values: Vec<Option<&str>> = vec![None; cols.len()];
                        for r in 0..batch.num_rows() {
                            row += 1;
                            file_row += 1;
                            for (v, a) in values.iter_mut().zip(&arrays) {
                                *v = a.is_valid(r).then(|| a.value(r));
                            }
                            let at = Location {
                                file: path.clone(),
                                row_group: Some(g),
                                row,
                                file_row,
                            };
                            if let Some(t) = visit(&at, &values) {
                                return Ok(Some(t));
                            }
                        }
                    }
                }
            }
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_path(path)
                    .map_err(|e| file_error(path, e))?;
                let headers = reader.headers().map_err(|e| file_error(path, e))?.clone();
                let index: Vec<Option<usize>> = cols
                    .iter()
                    .map(|c| headers.iter().position(|h| h.trim() == c.name))
                    .collect();
                let mut record = csv::StringRecord::new();
                let mut n = 0u64;
                loop {
                    match reader.read_record(&mut record) {
                        Ok(false) => break,
                        Ok(true) => {}
                        Err(e) => return Err(file_error(path, e)),
                    }
                    n += 1;
                    let line = record.position().map_or(n + 1, |p| p.line());
                    let values: Vec<Option<&str>> = index
                        .iter()
                        .map(|i| i.and_then(|i| record.get(i)).filter(|v| !v.is_empty()))
                        .collect();
                    let at = Location {
                        file: path.clone(),
                        row_group: None,
                        row: line,
                        file_row: n,
                    };
                    if let Some(t) = visit(&at, &values) {
                        return Ok(Some(t));
                    }
                }
            }
        }
    }
    Ok(None)
}

fn file_error(file: &Path, e: impl std::fmt::Display) -> RecordsError {
    RecordsError::File {
        file: file.to_path_buf(),
        message: e.to_string(),
    }
}

/// The first CSV value that does not read as its column's type (the engine refused the
/// file); `None` when nothing is found (the engine's own message is then the best one).
pub fn value_error(files: &TableFiles) -> Option<RecordsError> {
    if files.format != Format::Csv {
        return None;
    }
    let cols = columns(files.table);
    scan(files, |at, row| {
        for (c, v) in cols.iter().zip(row) {
            let Some(v) = v else { continue };
            let ok = match c.kind {
                ColumnType::Integer => v.trim().parse::<i64>().is_ok(),
                ColumnType::Text => true,
                ColumnType::Date => parse_date(v).is_some(),
                ColumnType::Boolean => {
                    matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "false")
                }
            };
            if !ok {
                return Some(RecordsError::Value {
                    location: Box::new(at.clone()),
                    column: c.name.into(),
                    value: v.to_string(),
                    expected: c.kind.name(),
                });
            }
        }
        None
    })
    .unwrap_or_else(Some)
}

fn parse_date(v: &str) -> Option<(i32, u32, u32)> {
    let mut it = v.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.get(..2)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Locates the first record refused for `reason` and describes it (with how many records
/// in all were refused).
pub fn first_refused(
    files: &TableFiles,
    reason: Reason,
    sys: &ServiceSystem,
    year: Year,
    total: u64,
) -> Result<RecordsError, RecordsError> {
    let cols = columns(files.table);
    let pos = |name: &str| cols.iter().position(|c| c.name == name).expect("column");
    let units: HashSet<String> = sys.units.keys().map(|c| c.to_string()).collect();
    let facilities: HashSet<&str> = sys.facilities.keys().map(|k| k.as_str()).collect();
    let y = year.get() as i32;
    let last = format!("{y}-12-31");
    let mut seen: HashMap<String, u64> = HashMap::new();
    let t = files.table;
    let found = scan(files, |at, row| {
        let value = |name: &str| row[pos(name)];
        let hit = |name: &str| {
            Some((
                at.clone(),
                name.to_string(),
                value(name).unwrap_or("").to_string(),
            ))
        };
        match reason {
            Reason::MissingValue => cols
                .iter()
                .zip(row)
                .find(|(c, v)| !c.nullable && v.is_none())
                .and_then(|(c, _)| hit(c.name)),
            Reason::UnknownFacility => facility_columns(t)
                .iter()
                .find(|c| value(c).is_some_and(|v| !facilities.contains(v)))
                .and_then(|c| hit(c)),
            Reason::UnknownUnit => value("residence")
                .is_some_and(|v| !units.contains(v))
                .then(|| hit("residence"))
                .flatten(),
            Reason::UnknownValue => {
                let (col, allowed): (&str, &[&str]) = match t {
                    RecordTable::Encounters => ("kind", &["outpatient", "emergency", "inpatient"]),
                    RecordTable::ChronicDisease => ("condition", &["hypertension", "diabetes"]),
                    _ => return None,
                };
                value(col)
                    .is_some_and(|v| !allowed.contains(&v))
                    .then(|| hit(col))
                    .flatten()
            }
            Reason::DateOutsideYear => {
                let outside = |c: &str| value(c).and_then(parse_date).is_some_and(|d| d.0 != y);
                let after = |c: &str| value(c).is_some_and(|v| v.trim() > last.as_str());
                match t {
                    RecordTable::Encounters | RecordTable::Referrals => {
                        outside("date").then(|| hit("date")).flatten()
                    }
                    RecordTable::Contracts => {
                        after("start_date").then(|| hit("start_date")).flatten()
                    }
                    RecordTable::ChronicDisease => {
                        if value("year").and_then(|v| v.trim().parse::<i32>().ok()) != Some(y) {
                            hit("year")
                        } else if after("registered") {
                            hit("registered")
                        } else {
                            None
                        }
                    }
                    RecordTable::HealthRecords => {
                        after("created").then(|| hit("created")).flatten()
                    }
                }
            }
            Reason::Inconsistent => match t {
                RecordTable::Encounters => value("inpatient_days")
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .is_some_and(|d| d < 0)
                    .then(|| hit("inpatient_days"))
                    .flatten(),
                RecordTable::Referrals => (value("from_facility") == value("to_facility"))
                    .then(|| hit("to_facility"))
                    .flatten(),
                RecordTable::Contracts => match (value("start_date"), value("end_date")) {
                    (Some(s), Some(e)) if e.trim() < s.trim() => hit("end_date"),
                    _ => None,
                },
                _ => None,
            },
            Reason::DuplicateId => {
                let id = value("id")?.trim().to_string();
                match seen.entry(id) {
                    std::collections::hash_map::Entry::Occupied(_) => hit("id"),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(at.file_row);
                        None
                    }
                }
            }
        }
    })?;
    let more = if total > 1 {
        format!(
            " — {} records in all are refused for this reason; `--skip-invalid` counts them and goes on",
            total
        )
    } else {
        " — `--skip-invalid` counts such records and goes on".to_string()
    };
    Ok(match found {
        Some((location, column, value)) => RecordsError::Invalid {
            location: Box::new(location),
            column,
            value,
            reason,
            more,
        },
        None => RecordsError::Engine(format!(
            "{} records of `{}` refused ({}) but none found on a second reading",
            total,
            t.name(),
            reason.en()
        )),
    })
}

fn facility_columns(t: RecordTable) -> &'static [&'static str] {
    match t {
        RecordTable::Encounters => &["facility"],
        RecordTable::Referrals => &["from_facility", "to_facility"],
        RecordTable::Contracts => &["team_facility"],
        _ => &[],
    }
}
