//! Encoded plans load, show their tables as published, and match the seed text.

mod common;
use common::*;

fn seed(name: &str) -> String {
    let path = repo_root().join("data/seeds").join(name);
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
            ind.baseline_text(),
            "baseline of `{}`",
            ind.name_zh
        );
        assert_eq!(
            cells[pos + 2],
            ind.target_text(),
            "target of `{}`",
            ind.name_zh
        );
        assert_eq!(
            cells[pos + 3],
            ind.nature.unwrap().zh(),
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

/// Every value-bearing row's baseline, target and nature appear in the seed's 专栏1,
/// in order (whitespace removed on both sides: the seeds break table cells over lines).
fn assert_table_in_seed(plan_file: &str, seed_file: &str) {
    let text = seed(seed_file);
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let cells = seed_cells(&text);
    let start = cells
        .iter()
        .position(|c| c.contains("专栏1") || c.contains("专栏 1"))
        .unwrap();
    let region = squash(&cells[start..(start + 400).min(cells.len())].concat());
    let plan = hsplan_plan::load_path(&repo_root().join("data/plans").join(plan_file)).unwrap();
    let mut pos = 0;
    for ind in &plan.data.indicators {
        let Some(nature) = ind.nature else {
            let name = squash(&ind.name_zh);
            pos += region[pos..].find(&name).unwrap_or_else(|| {
                panic!("{plan_file}: group row `{}` not in the seed", ind.name_zh)
            });
            continue;
        };
        let label = if ind.sub_of.is_some()
            && !ind.name_zh.starts_with("其中")
            && ind.name_zh.chars().count() <= 6
        {
            squash(&ind.name_zh)
        } else {
            String::new()
        };
        let needle = format!(
            "{label}{}{}",
            squash(ind.baseline_text()),
            squash(ind.target_text())
        );
        let found = region[pos..].find(&needle).unwrap_or_else(|| {
            panic!(
                "{plan_file}: row {} `{needle}` not found in order in the seed",
                ind.row.get_ref()
            )
        });
        pos += found + needle.len();
        if region[pos..].starts_with(nature.zh()) {
            pos += nature.zh().len();
        } else {
            assert!(
                ind.note
                    .as_deref()
                    .unwrap_or("")
                    .contains("empty in the source"),
                "{plan_file}: row {} nature {} not in the seed",
                ind.row.get_ref(),
                nature.zh()
            );
        }
    }
}

#[test]
fn chongqing_and_tongliang_tables_match_their_seeds() {
    assert_table_in_seed("chongqing.toml", "004_0da447a6761c8b40.txt");
    assert_table_in_seed("tongliang.toml", "003_20ecc226a26e020d.txt");
    assert_table_in_seed("beibei.toml", "000_89a7575b7d0d7d31.txt");
    for (file, numbered) in [("chongqing.toml", 23), ("tongliang.toml", 23)] {
        let plan = hsplan_plan::load_path(&repo_root().join("data/plans").join(file)).unwrap();
        assert_eq!(
            plan.data
                .indicators
                .iter()
                .filter(|i| i.sub_of.is_none())
                .count(),
            numbered,
            "{file}"
        );
    }
}

#[test]
fn plan_show_snapshots() {
    for file in [
        "beibei.toml",
        "chongqing.toml",
        "tongliang.toml",
        "dadukou.toml",
        "leshan.toml",
    ] {
        let out = assert_cmd::Command::cargo_bin("hsplan")
            .unwrap()
            .args(["plan", "show"])
            .arg(repo_root().join("data/plans").join(file))
            .output()
            .unwrap();
        assert!(out.status.success());
        insta::assert_snapshot!(
            format!("plan_show_{file}"),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

#[test]
fn plan_check_seeds() {
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .current_dir(repo_root())
        .args([
            "--lang",
            "en",
            "plan",
            "check",
            "data/plans/beibei.toml",
            "data/plans/chongqing.toml",
            "data/plans/tongliang.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "Tongliang's unit for premature NCD mortality contradicts its parent's"
    );
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

#[test]
fn ledger_snapshots() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("hsplan")
            .unwrap()
            .current_dir(repo_root())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    insta::assert_snapshot!(
        "ledger_projects_tongliang",
        run(&["ledger", "projects", "data/plans/tongliang.toml"])
    );
    insta::assert_snapshot!(
        "ledger_tasks_dadukou",
        run(&["--lang", "en", "ledger", "tasks", "data/plans/dadukou.toml"])
    );
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("p.xlsx");
    run(&[
        "ledger",
        "projects",
        "data/plans/tongliang.toml",
        "--xlsx",
        xlsx.to_str().unwrap(),
    ]);
    let table = hsplan_io::read_table(&xlsx, "projects").unwrap();
    assert_eq!(table.rows.len(), 31);
    assert_eq!(table.rows[30].cells[3], "中新医养结合项目");
}

#[test]
fn every_text_target_quotes_its_seed_verbatim() {
    let mut total = 0;
    for (file, seed_file) in [
        ("leshan.toml", "001_6a972f5fde8bb99b.txt"),
        ("dadukou.toml", "002_4feffd95a8c6be53.txt"),
        ("tongliang.toml", "003_20ecc226a26e020d.txt"),
        ("chongqing.toml", "004_0da447a6761c8b40.txt"),
        ("beibei.toml", "000_89a7575b7d0d7d31.txt"),
    ] {
        let text = seed(seed_file).replace('\r', "");
        let plan = hsplan_plan::load_path(&repo_root().join("data/plans").join(file)).unwrap();
        assert!(!plan.data.text_targets.is_empty(), "{file}");
        for c in &plan.data.stated_counts {
            assert!(
                text.contains(&c.quote),
                "{file}: stated count `{}` is not in the seed",
                c.quote
            );
            for part in &c.parts {
                assert!(
                    c.quote.contains(&format!("{}{}", part.label, part.count)),
                    "{file}: part `{}` not in its quote",
                    part.label
                );
            }
        }
        for t in &plan.data.text_targets {
            assert!(
                text.contains(t.quote.get_ref().as_str()),
                "{file}: `{}` is not in the seed",
                t.quote.get_ref()
            );
            let value = hsplan_plan::PublishedValue::parse(t.target.get_ref())
                .number()
                .unwrap();
            let digits = if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                value.to_string()
            };
            let quote = t.quote.get_ref();
            let stated_as_all =
                value == 100.0 && (quote.contains("全部") || quote.contains("全覆盖"));
            assert!(
                quote.contains(&digits) || stated_as_all,
                "{file}: target {} not in its quote `{quote}`",
                t.target.get_ref()
            );
            total += 1;
        }
    }
    assert_eq!(total, 273);
}

#[test]
fn all_five_seed_plans_load_and_lint() {
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("data/plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    for f in files {
        let plan = hsplan_plan::load_path(&f).unwrap();
        let _ = hsplan_plan::lint(&plan);
    }
}

#[test]
fn plan_show_xlsx_has_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tongliang.xlsx");
    let status = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["plan", "show", "--format", "xlsx", "--out"])
        .arg(&out)
        .arg(repo_root().join("data/plans/tongliang.toml"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let indicators = hsplan_io::read_table(&out, "indicators").unwrap();
    assert_eq!(
        indicators.rows.len(),
        27,
        "23 numbered rows and the 4 sub-rows of rows 18 and 22"
    );
    let projects = hsplan_io::read_table(&out, "projects").unwrap();
    assert_eq!(projects.rows.len(), 32, "the 合计 row and 31 projects");
    assert_eq!(projects.rows[0].cells[5], "421068");
}

#[test]
fn tongliang_projects_and_dadukou_tasks_match_their_seeds() {
    let cells = seed_cells(&seed("003_20ecc226a26e020d.txt"));
    let start = cells.iter().position(|c| c.starts_with("专栏七")).unwrap();
    let plan = hsplan_plan::load_path(&repo_root().join("data/plans/tongliang.toml")).unwrap();
    let dash = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "－".into());
    let mut pos = start;
    for p in &plan.data.projects {
        pos += cells[pos..]
            .iter()
            .position(|c| *c == p.name)
            .unwrap_or_else(|| panic!("project `{}` not in order", p.name));
        assert_eq!(cells[pos - 1], *p.row.get_ref());
        assert_eq!(cells[pos + 1], p.content);
        let squash = |s: &str| s.replace(['\u{3000}', ' '], "");
        let mut expected = vec![
            p.nature
                .map(|n| n.zh().to_string())
                .unwrap_or_else(|| "－".into()),
            dash(p.floor_area_m2),
            dash(p.investment_10k_yuan),
            p.years.get_ref().clone(),
        ];
        if p.note.is_none() {
            expected.push(dash(p.new_land_mu));
        }
        expected.push(p.status.clone().unwrap_or_default());
        let got: Vec<String> = cells[pos + 2..pos + 2 + expected.len()]
            .iter()
            .map(|c| squash(c))
            .collect();
        assert_eq!(got, expected, "project {}", p.row.get_ref());
    }
    let text = seed("002_4feffd95a8c6be53.txt");
    let plan = hsplan_plan::load_path(&repo_root().join("data/plans/dadukou.toml")).unwrap();
    assert_eq!(plan.data.tasks.len(), 20);
    for (i, t) in plan.data.tasks.iter().enumerate() {
        assert_eq!(*t.number.get_ref(), (i + 1).to_string());
        let published = format!(
            "{}．{}（责任单位：{}）",
            t.number.get_ref(),
            t.text,
            t.responsible.get_ref().join("、")
        );
        assert!(
            text.contains(&published),
            "task {} is not verbatim in the seed",
            t.number.get_ref()
        );
    }
}

#[test]
fn text_target_formulas_are_library_formulas_of_the_same_unit() {
    let mut linked = 0;
    for file in [
        "beibei.toml",
        "chongqing.toml",
        "dadukou.toml",
        "leshan.toml",
        "tongliang.toml",
    ] {
        let plan = hsplan_plan::load_path(&repo_root().join("data/plans").join(file)).unwrap();
        for t in &plan.data.text_targets {
            let Some(formula) = &t.formula else { continue };
            let def = hsplan_eval::find(formula)
                .unwrap_or_else(|| panic!("{file}: formula `{formula}` is not in the library"));
            assert_eq!(def.unit, t.unit.get_ref(), "{file}: {formula}");
            linked += 1;
        }
    }
    assert_eq!(linked, 5);
}

#[test]
fn no_quantitative_target_is_dropped_silently() {
    let files: Vec<std::path::PathBuf> = ["beibei", "chongqing", "dadukou", "leshan", "tongliang"]
        .iter()
        .map(|p| repo_root().join("data/plans").join(format!("{p}.toml")))
        .collect();
    let out = assert_cmd::Command::cargo_bin("hsplan")
        .unwrap()
        .args(["--lang", "en", "plan", "targets", "--json"])
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success());
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut counts = Vec::new();
    for c in all.as_array().unwrap() {
        let unclassified: Vec<&serde_json::Value> = c["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["state"] == "unclassified")
            .collect();
        assert!(unclassified.is_empty(), "{}: {unclassified:?}", c["plan"]);
        // every target not evaluated says why
        for t in c["targets"].as_array().unwrap() {
            assert_eq!(
                t["state"] == "evaluated",
                t["reason"].is_null(),
                "{}: {t}",
                c["plan"]
            );
        }
        counts.push(format!(
            "{}: {} targets, evaluated {}, records {}, not computable {}",
            c["plan"].as_str().unwrap(),
            c["targets"].as_array().unwrap().len(),
            c["evaluated"],
            c["waits_for_records"],
            c["not_computable"]
        ));
    }
    insta::assert_snapshot!(counts.join("\n"));
}
