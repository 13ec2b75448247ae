//! The ledgers reproduce the seeds' stated totals from their rows.

use hsplan_plan::ledger::{project_ledger, task_ledger};
use std::path::Path;

fn plan(name: &str) -> hsplan_plan::Plan {
    hsplan_plan::load_path(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/plans")
            .join(name),
    )
    .unwrap()
}

#[test]
fn tongliang_projects_reproduce_the_stated_totals() {
    let p = plan("tongliang.toml");
    let l = project_ledger(&[&p]);
    assert_eq!(l.total.count, 31);
    assert_eq!(l.total.floor_area_m2, 594970.0);
    assert_eq!(l.total.investment_10k_yuan, 421068.0);
    assert_eq!(l.total.new_land_mu, 576.0);
    assert_eq!(l.checks.len(), 3);
    assert!(l.checks.iter().all(|c| c.matches()), "{:?}", l.checks);
    assert_eq!(l.by_nature["新建"].count, 20);
    assert_eq!(l.by_nature.values().map(|g| g.count).sum::<usize>(), 31);
    assert_eq!(
        l.total.without_floor_area, 4,
        "projects 14, 17, 18 and 27 state no floor area"
    );
}

#[test]
fn a_wrong_total_is_caught_by_the_lint() {
    let p = plan("tongliang.toml");
    let text = p.text.replacen(
        "investment_10k_yuan = 421068",
        "investment_10k_yuan = 421067",
        1,
    );
    let broken = hsplan_plan::load("t.toml", &text).unwrap();
    let rules: Vec<_> = hsplan_plan::lint(&broken)
        .into_iter()
        .map(|f| f.rule)
        .filter(|r| r.starts_with("ledger"))
        .collect();
    assert_eq!(rules, vec!["ledger-total"]);
    assert!(
        !project_ledger(&[&broken])
            .checks
            .iter()
            .all(|c| c.matches())
    );
}

#[test]
fn dadukou_tasks() {
    let p = plan("dadukou.toml");
    let l = task_ledger(&[&p]);
    assert_eq!(l.count, 20);
    assert_eq!(l.by_lead_unit["区卫生健康委"], 17);
    assert_eq!(
        l.by_unit["区卫生健康委"], 20,
        "the health commission takes part in every task"
    );
    assert_eq!(l.by_section.iter().map(|(_, n)| n).sum::<usize>(), 20);
    assert_eq!(l.by_section[0], ("二、（一）".to_string(), 4));
    assert_eq!(l.by_target_year[&2027], 8);
}

#[test]
fn beibei_institution_counts_add_up_and_a_wrong_total_is_caught() {
    let p = plan("beibei.toml");
    assert_eq!(p.data.stated_counts.len(), 1);
    assert_eq!(
        p.data.stated_counts[0]
            .parts
            .iter()
            .map(|x| x.count)
            .sum::<u64>(),
        478
    );
    assert!(
        !hsplan_plan::lint(&p)
            .iter()
            .any(|f| f.rule == "ledger-count")
    );
    let broken =
        hsplan_plan::load("b.toml", &p.text.replacen("total = 478", "total = 479", 1)).unwrap();
    let rules: Vec<_> = hsplan_plan::lint(&broken)
        .into_iter()
        .filter(|f| f.rule == "ledger-count")
        .collect();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].message_en.contains("479") && rules[0].message_en.contains("478"));
}

#[test]
fn parts_near_the_largest_count_do_not_wrap_into_a_match() {
    let p = plan("beibei.toml");
    // 18446744073709551615 + 29 + … wraps to a small number in u64 arithmetic
    let text = p
        .text
        .replacen(
            "{ label = \"医院\", count = 29 }",
            "{ label = \"医院\", count = 18446744073709551615 }",
            1,
        )
        .replacen("total = 478", "total = 448", 1);
    let broken = hsplan_plan::load("b.toml", &text).unwrap();
    let found: Vec<_> = hsplan_plan::lint(&broken)
        .into_iter()
        .filter(|f| f.rule == "ledger-count")
        .collect();
    assert_eq!(found.len(), 1, "the wrapped sum matched the total");
    assert!(
        found[0].message_en.contains("18446744073709552064"),
        "{}",
        found[0].message_en
    );
}
