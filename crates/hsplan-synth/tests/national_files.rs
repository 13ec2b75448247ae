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
