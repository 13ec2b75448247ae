//! Record tables end to end: generated SYNTHETIC records counted back into the totals they
//! were generated from; bad input refused with file, row and column; `skip_invalid`
//! counting refused rows per reason; the DataFusion count checked against a plain count of
//! the same CSV rows.

use hsplan_model::{AdminCode, AdminLevel, RecordTable, ServiceSystem, UsageCount, Year};
use hsplan_records::{
    CountRequest, Engine, GenerateRequest, Reason, RecordsError, count, generate,
};
use std::path::Path;

fn beibei() -> AdminCode {
    AdminCode::parse("500109").unwrap()
}

fn y2024() -> Year {
    Year::new(2024).unwrap()
}

/// Chongqing's real hierarchy with Beibei's SYNTHETIC registry.
fn system() -> ServiceSystem {
    let units: Vec<_> = hsplan_io::nbs::chongqing_hierarchy()
        .unwrap()
        .into_iter()
        .map(|s| s.value)
        .collect();
    hsplan_synth::beibei(&units, 2020).into_system(units)
}

fn request(dir: &Path, skip_invalid: bool) -> CountRequest {
    CountRequest {
        dir: dir.to_path_buf(),
        year: y2024(),
        unit: beibei(),
        skip_invalid,
        threads: 2,
        engine: Engine::Embedded,
    }
}

/// Beibei's 2024 records generated into `dir` with a seed and a fraction of the real volume.
fn generate_into(
    sys: &ServiceSystem,
    dir: &Path,
    seed: u64,
    scale: f64,
) -> hsplan_records::Generated {
    generate(
        sys,
        &GenerateRequest {
            unit: beibei(),
            year: y2024(),
            seed,
            scale,
            out: dir.to_path_buf(),
        },
    )
    .unwrap()
}

/// The same request on a Ballista scheduler and executor started in this process.
fn on_ballista(dir: &Path, skip_invalid: bool) -> CountRequest {
    CountRequest {
        engine: Engine::Standalone,
        ..request(dir, skip_invalid)
    }
}

#[test]
fn generated_records_count_back_to_the_facility_totals() {
    let sys = system();
    let dir = tempfile::tempdir().unwrap();
    let scale = 0.02;
    let made = generate_into(&sys, dir.path(), 7, scale);
    assert!(made.rows[&RecordTable::Encounters] > 10_000);
    let counted = count(&sys, &request(dir.path(), false)).unwrap();
    // The totals do not depend on how many threads add the grouped rows up.
    for threads in [1, 3] {
        let other = CountRequest {
            threads,
            ..request(dir.path(), false)
        };
        assert_eq!(count(&sys, &other).unwrap(), counted, "{threads} threads");
    }
    // Every table read, every row accepted.
    assert_eq!(counted.tables.len(), 5);
    for t in &counted.tables {
        assert_eq!(t.rows, made.rows[&t.table], "{:?}", t.table);
        assert!(t.refused.is_empty(), "{:?}: {:?}", t.table, t.refused);
    }
    // Facility side: visits at Beibei's facilities equal the scaled facility-year totals.
    let u = &counted.utilisation;
    let expected: u64 = sys
        .facilities
        .values()
        .filter(|f| f.is_open_in(y2024()) && hsplan_model::utilisation::within(f.unit, beibei()))
        .filter_map(|f| sys.facility_years.get(&(f.id.clone(), y2024())))
        .filter_map(|fy| fy.get(hsplan_model::Quantity::OutpatientVisits))
        .map(|c| (c.0 as f64 * scale).round() as u64)
        .sum();
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::Visits), expected);
    // Resident side: the town-level sums add up to the district's.
    let all = u.sum(beibei(), y2024(), UsageCount::ResidentEncounters);
    let within = u.sum(
        beibei(),
        y2024(),
        UsageCount::ResidentEncountersWithin(AdminLevel::County),
    );
    // This system holds Beibei's facilities only: no visit can be outside the district.
    assert!(within > 0);
    assert_eq!(within, all);
    let towns: u64 = sys
        .children(beibei())
        .map(|t| u.sum(t.code, y2024(), UsageCount::ResidentEncounters))
        .sum();
    assert_eq!(towns, all);
    for t in RecordTable::ALL {
        assert!(u.covers(beibei(), y2024(), t));
    }
    // Deterministic: the same seed writes the same rows.
    let again = tempfile::tempdir().unwrap();
    let made2 = generate_into(&sys, again.path(), 7, scale);
    assert_eq!(made.rows, made2.rows);
    assert_eq!(
        count(&sys, &request(again.path(), false))
            .unwrap()
            .utilisation,
        counted.utilisation
    );
}

/// Some facility and unit codes of the system, for hand-written records.
fn codes(sys: &ServiceSystem) -> (String, String, String) {
    let mut inside = sys
        .facilities
        .values()
        .filter(|f| hsplan_model::utilisation::within(f.unit, beibei()));
    let a = inside.next().unwrap().id.as_str().to_string();
    let b = inside.next().unwrap().id.as_str().to_string();
    let village = sys
        .units
        .values()
        .find(|u| {
            u.level() == AdminLevel::Village && hsplan_model::utilisation::within(u.code, beibei())
        })
        .unwrap()
        .code
        .to_string();
    (a, b, village)
}

const HEADER: &str = "id,facility,date,kind,residence,age_band,sex,tcm,inpatient_days\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn invalid(e: RecordsError) -> (String, u64, String, Reason) {
    match e {
        RecordsError::Invalid {
            location,
            column,
            reason,
            ..
        } => (
            location.file.file_name().unwrap().to_string_lossy().into(),
            location.row,
            column,
            reason,
        ),
        other => panic!("expected a refused record, got {other}"),
    }
}

#[test]
fn bad_records_are_located_by_file_row_and_column() {
    let sys = system();
    let (fa, _, village) = codes(&sys);
    let good = format!("1,{fa},2024-03-01,outpatient,{village},18-44,F,false,\n");
    let cases: Vec<(String, &str, Reason)> = vec![
        (
            format!("2,NO-SUCH-FACILITY,2024-03-02,outpatient,{village},,F,false,\n"),
            "facility",
            Reason::UnknownFacility,
        ),
        (
            format!("2,{fa},2024-03-02,outpatient,500109999999,,F,false,\n"),
            "residence",
            Reason::UnknownUnit,
        ),
        (
            format!("2,{fa},2023-12-31,outpatient,{village},,F,false,\n"),
            "date",
            Reason::DateOutsideYear,
        ),
        (
            format!("1,{fa},2024-03-02,outpatient,{village},,F,false,\n"),
            "id",
            Reason::DuplicateId,
        ),
        (
            format!("2,{fa},2024-03-02,house-call,{village},,F,false,\n"),
            "kind",
            Reason::UnknownValue,
        ),
    ];
    for (bad, column, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "encounters.csv",
            &format!("{HEADER}{good}{bad}"),
        );
        let e = count(&sys, &request(dir.path(), false)).unwrap_err();
        let message = e.to_string();
        let (file, row, col, why) = invalid(e);
        assert_eq!(file, "encounters.csv", "{message}");
        // Line 1 is the header; the bad record is on line 3 (a duplicate: the later copy).
        assert_eq!((row, col.as_str(), why), (3, column, reason), "{message}");
        assert!(message.contains("encounters.csv"), "{message}");
    }
}

#[test]
fn a_value_of_the_wrong_type_is_located() {
    let sys = system();
    let (fa, _, village) = codes(&sys);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "encounters.csv",
        &format!(
            "{HEADER}1,{fa},2024-03-01,outpatient,{village},,F,false,\n2,{fa},2024-03-01,outpatient,{village},,F,perhaps,\n"
        ),
    );
    let e = count(&sys, &request(dir.path(), false)).unwrap_err();
    let message = e.to_string();
    assert!(message.contains("encounters.csv"), "{message}");
    assert!(message.contains("tcm"), "{message}");
    assert!(message.contains("perhaps"), "{message}");
}

#[test]
fn a_missing_column_is_named() {
    let sys = system();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "referrals.csv",
        "id,from_facility,date\n1,A,2024-01-01\n",
    );
    let e = count(&sys, &request(dir.path(), false)).unwrap_err();
    assert!(
        matches!(&e, RecordsError::MissingColumn { column, .. } if column == "to_facility"),
        "{e}"
    );
}

#[test]
fn skip_invalid_counts_refused_rows_per_reason_and_keeps_the_rest() {
    let sys = system();
    let (fa, fb, village) = codes(&sys);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "encounters.csv",
        &format!(
            "{HEADER}1,{fa},2024-03-01,outpatient,{village},,F,true,\n\
             2,{fb},2024-03-02,outpatient,{village},,M,false,\n\
             3,{fb},2024-05-02,inpatient,{village},,M,false,4\n\
             4,NOPE,2024-03-02,outpatient,{village},,M,false,\n\
             5,{fa},2025-01-01,outpatient,{village},,M,false,\n\
             5,{fa},2024-02-01,outpatient,{village},,M,false,\n"
        ),
    );
    let counted = count(&sys, &request(dir.path(), true)).unwrap();
    let run = &counted.tables[0];
    assert_eq!(run.rows, 6);
    assert_eq!(run.refused.get(&Reason::UnknownFacility), Some(&1));
    assert_eq!(run.refused.get(&Reason::DateOutsideYear), Some(&1));
    // id 5 appears twice: the copy dated in the year is refused as a duplicate.
    assert_eq!(run.refused.get(&Reason::DuplicateId), Some(&1));
    let u = &counted.utilisation;
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::Visits), 2);
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::TcmVisits), 1);
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::Admissions), 1);
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::ResidentEncounters), 3);
}

/// The DataFusion count against a plain count of the same rows, on generated CSV.
#[test]
fn the_engine_count_equals_a_plain_count() {
    let sys = system();
    let dir = tempfile::tempdir().unwrap();
    generate_into(&sys, dir.path(), 11, 0.005);
    // The encounters as CSV (the other tables stay Parquet): read through the CSV path.
    let parquet = dir.path().join("encounters.parquet");
    let file = std::fs::File::open(&parquet).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut csv = String::from(HEADER);
    let mut plain_visits: std::collections::BTreeMap<String, u64> = Default::default();
    let mut plain_tcm = 0u64;
    for batch in reader {
        let b = batch.unwrap();
        let col = |i: usize| {
            datafusion::arrow::compute::cast(
                b.column(i),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .unwrap()
        };
        let cols: Vec<_> = (0..b.num_columns()).map(col).collect();
        let s = |i: usize, r: usize| {
            let a = cols[i]
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()
                .unwrap();
            if datafusion::arrow::array::Array::is_null(a, r) {
                String::new()
            } else {
                a.value(r).to_string()
            }
        };
        for r in 0..b.num_rows() {
            let row: Vec<String> = (0..b.num_columns()).map(|i| s(i, r)).collect();
            csv.push_str(&row.join(","));
            csv.push('\n');
            if row[3] != "inpatient" {
                let fac = hsplan_model::FacilityId::new(&row[1]).unwrap();
                let unit = sys.facilities[&fac].unit;
                if hsplan_model::utilisation::within(unit, beibei()) {
                    *plain_visits.entry(unit.to_string()).or_default() += 1;
                    plain_tcm += u64::from(row[7] == "true");
                }
            }
        }
    }
    std::fs::remove_file(&parquet).unwrap();
    write(dir.path(), "encounters.csv", &csv);
    let counted = count(&sys, &request(dir.path(), false)).unwrap();
    let u = &counted.utilisation;
    for (unit, n) in &plain_visits {
        let code = AdminCode::parse(unit).unwrap();
        let own: u64 = u
            .totals
            .get(&(code, y2024()))
            .and_then(|m| m.get(&UsageCount::Visits))
            .copied()
            .unwrap_or(0);
        assert_eq!(own, *n, "{unit}");
    }
    assert_eq!(u.sum(beibei(), y2024(), UsageCount::TcmVisits), plain_tcm);
}

/// Parquet: a column of the wrong type is named; a refused row is located by row group and
/// row.
#[test]
fn parquet_errors_name_the_column_and_the_row_group() {
    use datafusion::arrow::array::{ArrayRef, BooleanArray, Date32Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    let sys = system();
    let (fa, _, village) = codes(&sys);
    let write_parquet = |path: &Path, date: ArrayRef, facilities: Vec<&str>| {
        let n = facilities.len();
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("facility", DataType::Utf8, false),
            Field::new("date", date.data_type().clone(), false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("residence", DataType::Utf8, false),
            Field::new("age_band", DataType::Utf8, true),
            Field::new("sex", DataType::Utf8, true),
            Field::new("tcm", DataType::Boolean, false),
            Field::new("inpatient_days", DataType::Int64, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(1..=n as i64)),
            Arc::new(StringArray::from(facilities)),
            date,
            Arc::new(StringArray::from(vec!["outpatient"; n])),
            Arc::new(StringArray::from(vec![village.as_str(); n])),
            Arc::new(StringArray::from(vec![None::<&str>; n])),
            Arc::new(StringArray::from(vec![Some("F"); n])),
            Arc::new(BooleanArray::from(vec![false; n])),
            Arc::new(Int64Array::from(vec![None; n])),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    };
    // 2024-03-01 is day 19783 since 1970-01-01.
    let dir = tempfile::tempdir().unwrap();
    write_parquet(
        &dir.path().join("encounters.parquet"),
        Arc::new(StringArray::from(vec!["2024-03-01"; 3])),
        vec![fa.as_str(); 3],
    );
    let e = count(&sys, &request(dir.path(), false)).unwrap_err();
    assert!(
        matches!(&e, RecordsError::ColumnType { column, .. } if column == "date"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    write_parquet(
        &dir.path().join("encounters.parquet"),
        Arc::new(Date32Array::from(vec![19_783; 5])),
        vec![fa.as_str(), fa.as_str(), fa.as_str(), "NOPE", fa.as_str()],
    );
    let e = count(&sys, &request(dir.path(), false)).unwrap_err();
    let message = e.to_string();
    match e {
        RecordsError::Invalid {
            location,
            column,
            reason,
            ..
        } => {
            // Row groups of two rows: the fourth row is the second of group 1.
            assert_eq!(location.row_group, Some(1), "{message}");
            assert_eq!(location.row, 2, "{message}");
            assert_eq!(location.file_row, 4, "{message}");
            assert_eq!(column, "facility");
            assert_eq!(reason, Reason::UnknownFacility);
        }
        other => panic!("{other}"),
    }
}

/// docs/data-format.md lists every column of every table as the schema defines it
/// (`UPDATE_DOCS=1` rewrites the section).
#[test]
fn the_data_format_document_lists_every_column() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data-format.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let begin = text.find("<!-- records:begin").expect("begin marker");
    let begin = begin + text[begin..].find("-->\n").unwrap() + 4;
    let end = text.find("<!-- records:end -->").expect("end marker");
    let want = format!("\n{}", hsplan_records::schema::markdown());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &text[..begin], want, &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &text[begin..end],
        want,
        "docs/data-format.md is out of date: run with UPDATE_DOCS=1"
    );
}

/// Regression: counting from inside an async runtime (the API's tests run the demo in one)
/// panicked with "Cannot start a runtime from within a runtime".
#[test]
fn counting_works_inside_an_async_runtime() {
    let sys = system();
    let (fa, _, village) = codes(&sys);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "encounters.csv",
        &format!("{HEADER}1,{fa},2024-03-01,outpatient,{village},,F,false,\n"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let counted = rt
        .block_on(async { count(&sys, &request(dir.path(), false)) })
        .unwrap();
    assert_eq!(counted.tables[0].rows, 1);
}

/// Ballista standalone (a scheduler and an executor in this process, the plans sent over
/// gRPC, the results over Arrow Flight) counts exactly what the embedded engine counts.
#[test]
fn ballista_standalone_counts_what_the_embedded_engine_counts() {
    let sys = system();
    let dir = tempfile::tempdir().unwrap();
    generate_into(&sys, dir.path(), 11, 0.01);
    let embedded = count(&sys, &request(dir.path(), false)).unwrap();
    let distributed = count(&sys, &on_ballista(dir.path(), false)).unwrap();
    assert_eq!(distributed.tables, embedded.tables);
    assert_eq!(distributed.utilisation, embedded.utilisation);
    assert!(
        embedded
            .utilisation
            .sum(beibei(), y2024(), UsageCount::Visits)
            > 10_000
    );
}

/// Refused rows on Ballista: more duplicated ids than a query lists (the cluster groups
/// them itself), an unknown facility, a date outside the year — counted as embedded.
#[test]
fn ballista_standalone_refuses_what_the_embedded_engine_refuses() {
    let sys = system();
    let (fa, fb, village) = codes(&sys);
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(HEADER);
    for i in 0..3000 {
        let id = i % 1800; // ids 0..1200 twice
        let facility = if i % 97 == 0 {
            "NOPE"
        } else if i % 2 == 0 {
            &fa
        } else {
            &fb
        };
        let date = if i % 89 == 0 {
            "2023-12-31"
        } else {
            "2024-06-01"
        };
        text.push_str(&format!(
            "{id},{facility},{date},outpatient,{village},,F,{},\n",
            i % 3 == 0
        ));
    }
    write(dir.path(), "encounters.csv", &text);
    let embedded = count(&sys, &request(dir.path(), true)).unwrap();
    let run = &embedded.tables[0];
    assert!(run.refused.get(&Reason::DuplicateId).copied().unwrap_or(0) > 1000);
    assert!(run.refused.contains_key(&Reason::UnknownFacility));
    assert!(run.refused.contains_key(&Reason::DateOutsideYear));
    let distributed = count(&sys, &on_ballista(dir.path(), true)).unwrap();
    assert_eq!(distributed.tables, embedded.tables);
    assert_eq!(distributed.utilisation, embedded.utilisation);
}

/// A scheduler nobody runs: an error naming it, not a hang.
#[test]
fn an_unreachable_cluster_is_named_in_the_error() {
    let sys = system();
    let (fa, _, village) = codes(&sys);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "encounters.csv",
        &format!("{HEADER}1,{fa},2024-03-01,outpatient,{village},,F,false,\n"),
    );
    // a port just released: nothing listens on it
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let req = CountRequest {
        engine: Engine::parse(&format!("df://127.0.0.1:{port}")).unwrap(),
        ..request(dir.path(), false)
    };
    let e = count(&sys, &req).unwrap_err().to_string();
    assert!(
        e.contains(&format!("on the Ballista cluster df://127.0.0.1:{port}: ")),
        "{e}"
    );
}
