//! The seed rule library loads, quotes its sources verbatim and cites every seed plan.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn seed_library_loads_and_quotes_verbatim() {
    let path = root().join("data/standards/seeds.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let set = hsplan_standards::load("data/standards/seeds.toml", &text).unwrap();
    assert_eq!(set.rules.len(), 32);
    let kinds: std::collections::BTreeSet<&str> =
        set.rules.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "capability",
            "presence",
            "quantity",
            "quota",
            "ratio",
            "share"
        ]
    );
    let mut cited = std::collections::BTreeSet::new();
    for r in &set.rules {
        let Some(seed) = r.source.strip_prefix("data/seeds/") else {
            continue;
        };
        cited.insert(seed.to_string());
        let quote = r.quote.as_deref().unwrap();
        if quote.starts_with("专栏2") {
            continue; // the equipment table, encoded in data/plans/beibei.toml
        }
        let seed_text = std::fs::read_to_string(root().join("data/seeds").join(seed)).unwrap();
        assert!(
            seed_text.contains(quote),
            "{}: quote not in {seed}: {quote}",
            r.id
        );
    }
    assert!(
        cited.len() >= 4,
        "rules from Beibei, Leshan, Dadukou and Chongqing: {cited:?}"
    );
}

#[test]
fn equipment_quotas_match_the_plan() {
    let plan = hsplan_plan::load_path(&root().join("data/plans/beibei.toml")).unwrap();
    let text = std::fs::read_to_string(root().join("data/standards/seeds.toml")).unwrap();
    let set = hsplan_standards::load("seeds.toml", &text).unwrap();
    let mut n = 0;
    for q in &plan.data.equipment_quotas {
        let Some(quantity) = &q.quantity else {
            continue;
        };
        n += 1;
        let id = format!("quota-{}", quantity.get_ref().replace('_', "-"));
        let rule = set
            .rules
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        match &rule.check {
            hsplan_standards::rules::Check::Quantity { max, .. } => {
                assert_eq!(*max, Some(*q.planned.get_ref() as f64), "{id}")
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    assert_eq!(n, 5);
}
