//! The national system written as files and read straight into columns evaluates exactly
//! as the same system laid out from its records.

use hsplan_model::Year;
use hsplan_synth::national::{BENCH_INDICATORS, NationalSpec, national};

#[test]
fn national_files_read_into_columns_evaluate_like_the_records() {
    let spec = NationalSpec {
        villages: 3_000,
        facilities: 5_000,
        years: (2021..=2023).map(|y| Year::new(y).unwrap()).collect(),
        seed: 11,
    };
    let data = national(&spec);
    let dir = tempfile::tempdir().unwrap();
    data.write_csv(dir.path()).unwrap();
    let defs: Vec<_> = BENCH_INDICATORS
        .iter()
        .map(|id| hsplan_eval::find(id).unwrap())
        .collect();
    let expected = data.to_columns().unwrap().evaluate(&defs, 1);
    assert!(
        expected
            .values
            .values()
            .any(|col| col.iter().any(|v| v.is_ok())),
        "some values are computed"
    );
    for threads in [1, 2, 3] {
        let read = hsplan_io::columns::read_dir(dir.path(), threads).unwrap();
        assert_eq!(read.units(), data.to_columns().unwrap().units());
        assert_eq!(read.facility_count(), data.facilities.len());
        let got = read.evaluate(&defs, 2);
        assert_eq!(got.values, expected.values, "{threads} threads");
    }
}

/// A CSV file rewritten as Parquet, typed as DuckDB types it: columns of true/false become
/// Boolean, whole numbers (or empty) Int32 when they fit and Int64 when not, the rest text;
/// empty cells are nulls. Snappy-compressed, small row groups (so a file has several to
/// share out).
fn csv_to_parquet(csv: &std::path::Path, parquet: &std::path::Path) {
    use arrow_array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let mut r = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let columns: Vec<(String, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let cells: Vec<&str> = rows.iter().map(|row| &row[k]).collect();
            let number = |c: &str| c.len() < 18 && c.parse::<i64>().is_ok();
            let numeric = cells.iter().all(|c| c.is_empty() || number(c));
            let flags = cells.iter().all(|c| matches!(*c, "" | "true" | "false"));
            let small = cells
                .iter()
                .all(|c| c.is_empty() || c.parse::<i32>().is_ok());
            let array: ArrayRef = if flags {
                Arc::new(BooleanArray::from_iter(
                    cells
                        .iter()
                        .map(|c| (!c.is_empty()).then_some(*c == "true")),
                ))
            } else if numeric && small {
                Arc::new(Int32Array::from_iter(
                    cells
                        .iter()
                        .map(|c| (!c.is_empty()).then(|| c.parse::<i32>().unwrap())),
                ))
            } else if numeric {
                Arc::new(Int64Array::from_iter(
                    cells
                        .iter()
                        .map(|c| (!c.is_empty()).then(|| c.parse::<i64>().unwrap())),
                ))
            } else {
                Arc::new(StringArray::from_iter(
                    cells.iter().map(|c| (!c.is_empty()).then_some(*c)),
                ))
            };
            (name.clone(), array)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1_024))
        .build();
    let file = std::fs::File::create(parquet).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn national_parquet_files_evaluate_like_the_csv_files() {
    let spec = NationalSpec {
        villages: 2_000,
        facilities: 3_000,
        years: (2022..=2023).map(|y| Year::new(y).unwrap()).collect(),
        seed: 5,
    };
    let data = national(&spec);
    let (csv_dir, pq_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    data.write_csv(csv_dir.path()).unwrap();
    for name in ["units", "facilities", "resources", "population"] {
        csv_to_parquet(
            &csv_dir.path().join(format!("{name}.csv")),
            &pq_dir.path().join(format!("{name}.parquet")),
        );
    }
    let defs: Vec<_> = BENCH_INDICATORS
        .iter()
        .map(|id| hsplan_eval::find(id).unwrap())
        .collect();
    let expected = hsplan_io::columns::read_dir(csv_dir.path(), 1)
        .unwrap()
        .evaluate(&defs, 1);
    assert!(
        expected
            .values
            .values()
            .any(|c| c.iter().any(|v| v.is_ok()))
    );
    for threads in [1, 2, 3] {
        let read = hsplan_io::columns::read_dir(pq_dir.path(), threads).unwrap();
        assert_eq!(read.facility_count(), data.facilities.len());
        assert_eq!(
            read.evaluate(&defs, 2).values,
            expected.values,
            "{threads} threads"
        );
    }

    // a bad cell in a Parquet file: file, row (record + 1), column and value named, in a
    // text column (a word among numbers) and in a number column (a negative count), on
    // a row in the first row group and on one in the second thread's share
    let bad_cell = |name: &str, line: usize, column: usize, value: &str| {
        let text = std::fs::read_to_string(csv_dir.path().join(format!("{name}.csv"))).unwrap();
        let mut edited: Vec<String> = text.lines().map(String::from).collect();
        let mut cells: Vec<String> = edited[line].split(',').map(String::from).collect();
        cells[column] = value.into();
        edited[line] = cells.join(",");
        let bad_dir = tempfile::tempdir().unwrap();
        for other in ["units", "facilities", "resources", "population"] {
            std::fs::copy(
                pq_dir.path().join(format!("{other}.parquet")),
                bad_dir.path().join(format!("{other}.parquet")),
            )
            .unwrap();
        }
        let edited_csv = bad_dir.path().join("edited.csv");
        std::fs::write(&edited_csv, edited.join("\n") + "\n").unwrap();
        csv_to_parquet(&edited_csv, &bad_dir.path().join(format!("{name}.parquet")));
        std::fs::remove_file(&edited_csv).unwrap();
        hsplan_io::columns::read_dir(bad_dir.path(), 2)
            .map(|_| ())
            .expect_err("a bad cell is refused")
            .to_string()
    };
    let e = bad_cell("population", 5, 2, "many");
    assert!(
        e.contains("population.parquet") && e.contains("row 6") && e.contains("resident"),
        "{e}"
    );
    let e = bad_cell("resources", 100_000, 2, "-3");
    assert!(
        e.contains("resources.parquet")
            && e.contains("row 100001")
            && e.contains("beds")
            && e.contains("-3"),
        "{e}"
    );

    // a damaged Parquet file: an error naming it, never a panic
    let bytes = std::fs::read(pq_dir.path().join("facilities.parquet")).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 3] {
        let units = std::fs::read(pq_dir.path().join("units.parquet")).unwrap();
        let resources = std::fs::read(pq_dir.path().join("resources.parquet")).unwrap();
        let population = std::fs::read(pq_dir.path().join("population.parquet")).unwrap();
        let e = hsplan_io::columns::read_files(
            hsplan_io::columns::SystemFiles {
                units: ("units.parquet", &units),
                facilities: ("facilities.parquet", &bytes[..cut]),
                resources: ("resources.parquet", &resources),
                population: ("population.parquet", &population),
            },
            2,
        )
        .map(|_| ())
        .expect_err("a truncated file is refused")
        .to_string();
        assert!(e.contains("facilities.parquet"), "{e}");
    }

    // both forms of one file: ambiguous, refused
    std::fs::copy(
        csv_dir.path().join("units.csv"),
        pq_dir.path().join("units.csv"),
    )
    .unwrap();
    let e = hsplan_io::columns::read_dir(pq_dir.path(), 1)
        .map(|_| ())
        .expect_err("two forms of units refused")
        .to_string();
    assert!(e.contains("keep one"), "{e}");
}
