//! CSV tables: read, then convert as each import kind.
#![no_main]
use hsplan_io::tables::{
    facilities_from_table, population_from_table, resources_from_table, units_from_table,
};
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(t) = hsplan_io::table::read_csv_bytes("f.csv", bytes) {
        let _ = units_from_table(&t);
        let _ = population_from_table(&t);
        let _ = facilities_from_table(&t);
        let _ = resources_from_table(&t);
    }
});
