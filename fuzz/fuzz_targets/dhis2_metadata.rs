//! DHIS2 metadata (organisationUnits, levels, groups): NBS-coded org units and hierarchies
//! of uids given assigned codes.
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = hsplan_io::dhis2::import_metadata(
        "m.json",
        text,
        &hsplan_io::dhis2::MetadataMapping::default(),
        &Default::default(),
    );
});
