//! DHIS2 data values (dataValueSet JSON, DHIS2 CSV) and the mapping file (TOML).
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let _ = hsplan_io::dhis2::read_csv("v.csv", bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = hsplan_io::dhis2::read_json("v.json", text);
        let _ = hsplan_io::dhis2::read_mapping("m.toml", text);
    }
});
