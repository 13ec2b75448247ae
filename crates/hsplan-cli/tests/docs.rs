//! docs/data-format.md lists every code of every vocabulary a file may use.

use hsplan_model::{
    Capability, InstitutionType, Labelled, Ownership, PopulationSource, Quantity, Specialty,
    UnitKind, UrbanRuralClass,
};

fn assert_listed<T: Labelled>(doc: &str) {
    for v in T::all() {
        assert!(
            doc.contains(&format!("| `{}` | {} |", v.code(), v.zh())),
            "docs/data-format.md lacks {} `{}`",
            T::VOCABULARY,
            v.code()
        );
    }
}

#[test]
fn data_format_lists_every_vocabulary() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/data-format.md"
    ))
    .unwrap();
    assert_listed::<Quantity>(&doc);
    assert_listed::<Capability>(&doc);
    assert_listed::<InstitutionType>(&doc);
    assert_listed::<Specialty>(&doc);
    assert_listed::<Ownership>(&doc);
    assert_listed::<UnitKind>(&doc);
    assert_listed::<UrbanRuralClass>(&doc);
    assert_listed::<PopulationSource>(&doc);
}
