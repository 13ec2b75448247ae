//! Unit boundaries and points as GeoJSON.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = hsplan_io::geojson::unit_geometries_from_str("f.geojson", text, None);
});
