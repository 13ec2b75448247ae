//! A whole system as flat files (units, facilities, resources, population CSV, split from
//! the input at 0xFF bytes): read straight into columns, then evaluated.
#![no_main]
use hsplan_io::columns::{SystemFiles, read_files};
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let mut parts = bytes.splitn(4, |&b| b == 0xFF);
    let (Some(units), Some(facilities), Some(resources), Some(population)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let files = SystemFiles {
        units: ("units.csv", units),
        facilities: ("facilities.csv", facilities),
        resources: ("resources.csv", resources),
        population: ("population.csv", population),
    };
    for threads in [1, 2] {
        if let Ok(columns) = read_files(files, threads) {
            let defs: Vec<_> = ["beds_per_1000", "doctor_nurse_ratio"]
                .iter()
                .filter_map(|id| hsplan_eval::find(id))
                .collect();
            let _ = columns.evaluate(&defs, threads);
        }
    }
});
