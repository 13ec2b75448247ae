//! Encoded plans load, show their tables as published, and match the seed text.

mod common;
use common::*;

fn seed(name: &str) -> String {
    let path = repo_root().join("../shared/seeds").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Non-empty lines of a seed without its bookmark tags, trimmed.
fn seed_cells(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let mut s = l.to_string();
            while let Some(start) = s.find("[bookmark:") {
                let end = s[start..]
                    .find(']')
                    .map(|e| start + e + 1)
                    .unwrap_or(s.len());
                s.replace_range(start..end, "");
            }
            s.trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn beibei_indicator_table_matches_the_seed_row_for_row() {
    let text = seed("000_89a7575b7d0d7d31.txt");
    let cells = seed_cells(&text);
    let start = cells.iter().position(|c| c.starts_with("专栏1")).unwrap();
    let plan = hsplan_plan::load_path(&repo_root().join("data/plans/beibei.toml")).unwrap();
    assert_eq!(
        plan.data
            .indicators
            .iter()
            .filter(|i| i.sub_of.is_none())
            .count(),
        22,
        "专栏1 has 22 numbered rows"
    );
    let mut pos = start;
    for ind in &plan.data.indicators {
        let found = cells[pos..]
            .iter()
            .position(|c| *c == ind.name_zh)
            .unwrap_or_else(|| {
                panic!(
                    "row {} `{}` not found in order",
                    ind.row.get_ref(),
                    ind.name_zh
                )
            });
        pos += found;
        if ind.sub_of.is_none() {
            assert_eq!(
                cells[pos - 1],
                *ind.row.get_ref(),
                "row number before `{}`",
                ind.name_zh
            );
        }
        assert_eq!(
            cells[pos + 1],
            ind.baseline.get_ref().trim(),
            "baseline of `{}`",
            ind.name_zh
        );
        assert_eq!(
            cells[pos + 2],
            ind.target.get_ref().trim(),
            "target of `{}`",
            ind.name_zh
        );
        assert_eq!(
            cells[pos + 3],
            ind.nature.zh(),
            "nature of `{}`",
            ind.name_zh
        );
        pos += 4;
    }
    // 专栏2: five devices, then the 2020/2025 pairs in the same order.
    let quota_start = cells.iter().position(|c| c.starts_with("专栏2")).unwrap();
    let counts_at = cells[quota_start..]
        .iter()
        .position(|c| c == "全区配置数/计划数")
        .unwrap()
        + quota_start
        + 1;
    for (i, q) in plan.data.equipment_quotas.iter().enumerate() {
        assert_eq!(cells[quota_start + 3 + i], q.name_zh);
        assert_eq!(cells[counts_at + 2 * i], q.baseline.get_ref().to_string());
        assert_eq!(
            cells[counts_at + 2 * i + 1],
            q.planned.get_ref().to_string()
        );
    }
}

#[test]
fn plan_show_beibei() {
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["plan", "show"])
        .arg(repo_root().join("data/plans/beibei.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn plan_check_beibei() {
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .current_dir(repo_root())
        .args(["--lang", "en", "plan", "check", "data/plans/beibei.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings only");
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn plan_check_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["plan", "check"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "unreadable input");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[plan]\nid = 3\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["plan", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "schema error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml:2:6"));
}
