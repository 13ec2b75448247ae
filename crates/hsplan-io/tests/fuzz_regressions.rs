//! Inputs the fuzzers found (fuzz/, scripts/fuzz.sh), each kept as a fixture: hsplan must
//! answer them with a located error, never a panic.

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/").to_string() + name)
        .unwrap()
}

/// A workbook whose cell reference has a column name so long that calamine's reference
/// parser overflows (a panic in debug builds; in release a column far beyond the sheet).
#[test]
fn a_forged_cell_reference_is_a_damaged_workbook_not_a_crash() {
    let bytes = fixture("forged-cell-reference.xlsx");
    let e = hsplan_io::read_table_bytes("f.xlsx", &bytes, "").unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("f.xlsx"), "{text}");
    assert!(
        text.contains("damaged") || text.contains("beyond Excel's limits"),
        "{text}"
    );
}
