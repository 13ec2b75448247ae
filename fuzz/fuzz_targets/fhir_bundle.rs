//! Units and facilities from a FHIR R4 Bundle (IHE mCSD).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = hsplan_io::fhir::import_bundle("f.json", text, &Default::default());
});
