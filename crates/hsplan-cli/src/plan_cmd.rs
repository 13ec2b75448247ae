//! `hsplan plan check|show`.

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::Result;
use hsplan_plan::{Finding, Plan, PlanError, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;
use unicode_width::UnicodeWidthStr;

/// Output format of plan commands.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlanFormat {
    /// Aligned terminal table.
    Table,
    /// JSON.
    Json,
    /// CSV.
    Csv,
    /// XLSX workbook, one sheet per table (needs --out).
    Xlsx,
}

/// Plans by id from the `.toml` files beside the given ones, for resolving parents.
fn sibling_plans(files: &[PathBuf]) -> BTreeMap<String, Plan> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| f.parent().map(PathBuf::from).unwrap_or_default())
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut out = BTreeMap::new();
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            if let Ok(plan) = hsplan_plan::load_path(&path) {
                out.entry(plan.data.plan.id.get_ref().clone())
                    .or_insert(plan);
            }
        }
    }
    out
}

/// All findings for one plan: its own lint, then against each parent found.
fn findings_for(plan: &Plan, registry: &BTreeMap<String, Plan>) -> Vec<Finding> {
    let mut findings = hsplan_plan::lint(plan);
    for parent_id in &plan.data.plan.parents {
        match registry.get(parent_id) {
            Some(parent) => findings.extend(hsplan_plan::lint_against_parent(plan, parent)),
            None => findings.push(Finding {
                severity: Severity::Info,
                rule: "parent-not-found",
                location: plan.locate(plan.data.plan.id.span()).to_string(),
                message_zh: format!("未找到上级规划 {parent_id}（与本文件同目录的 .toml），未做上下级一致性检查"),
                message_en: format!("parent plan {parent_id} not found among the .toml files beside this one; parent checks skipped"),
            }),
        }
    }
    findings.sort_by_key(|f| f.severity);
    findings
}

/// Exit code of `plan check`: 0 clean (warnings allowed), 1 errors, 2 unreadable.
pub fn check(files: &[PathBuf], format: PlanFormat, lang: Lang) -> Result<u8> {
    let registry = sibling_plans(files);
    let mut code = 0u8;
    let mut json = Vec::new();
    for path in files {
        let plan = match hsplan_plan::load_path(path) {
            Err(e @ PlanError::Read { .. }) => {
                eprintln!("error: {e}");
                code = 2;
                continue;
            }
            Err(e) => {
                eprintln!("error: {e}");
                code = code.max(1);
                continue;
            }
            Ok(plan) => plan,
        };
        let findings = findings_for(&plan, &registry);
        if findings.iter().any(|f| f.severity == Severity::Error) {
            code = code.max(1);
        }
        if let PlanFormat::Json = format {
            json.push(serde_json::json!({"file": plan.file, "findings": findings}));
            continue;
        }
        for f in &findings {
            let sev = match f.severity {
                Severity::Error => Msg::SeverityError,
                Severity::Warning => Msg::SeverityWarning,
                Severity::Info => Msg::SeverityInfo,
            }
            .text(lang);
            let msg = if lang == Lang::Zh {
                &f.message_zh
            } else {
                &f.message_en
            };
            println!("{}: {sev}[{}]: {msg}", f.location, f.rule);
        }
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        let (e, w, i) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        let summary = fill(
            Msg::CheckSummary.text(lang),
            &[
                ("file", &plan.file),
                ("errors", &e),
                ("warnings", &w),
                ("notes", &i),
            ],
        );
        println!("{summary}");
    }
    if let PlanFormat::Json = format {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(code)
}

/// The indicator table(s) of a plan, rows as published.
fn indicator_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let h = &plan.data.plan;
    let base = format!(
        "{}年",
        h.baseline_year
            .as_ref()
            .map(|y| y.get_ref().to_string())
            .unwrap_or_default()
    );
    let target = format!(
        "{}年目标值",
        h.target_years.get_ref().last().copied().unwrap_or_default()
    );
    let headers = ["表", "维度", "序号", "主要指标", &base, &target, "指标性质"]
        .map(String::from)
        .to_vec();
    let mut last_dim: Option<&str> = None;
    let rows = plan
        .data
        .indicators
        .iter()
        .map(|i| {
            let dim = i.dimension.as_deref().unwrap_or("");
            let shown_dim = if last_dim == Some(dim) { "" } else { dim };
            last_dim = Some(dim);
            let number = if i.sub_of.is_some() {
                ""
            } else {
                i.row.get_ref().as_str()
            };
            vec![
                i.table.clone(),
                shown_dim.to_string(),
                number.to_string(),
                i.name_zh.clone(),
                i.baseline_text().to_string(),
                i.target_text().to_string(),
                i.nature.map(|n| n.zh()).unwrap_or("").to_string(),
            ]
        })
        .collect();
    (headers, rows)
}

fn quota_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let h = &plan.data.plan;
    let headers = vec![
        "表".into(),
        "名称".into(),
        "单位".into(),
        h.baseline_year
            .as_ref()
            .map(|y| y.get_ref().to_string())
            .unwrap_or_default(),
        format!(
            "{}",
            h.target_years.get_ref().last().copied().unwrap_or_default()
        ),
    ];
    let rows = plan
        .data
        .equipment_quotas
        .iter()
        .map(|q| {
            vec![
                q.table.clone(),
                q.name_zh.clone(),
                q.unit.clone(),
                q.baseline.get_ref().to_string(),
                q.planned.get_ref().to_string(),
            ]
        })
        .collect();
    (headers, rows)
}

fn project_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "表",
        "序号",
        "项目名称",
        "建设性质",
        "建筑面积（㎡）",
        "拟投资（万元）",
        "实施年度",
        "拟新征地（亩）",
        "备注",
    ]
    .map(String::from)
    .to_vec();
    let dash = |v: Option<f64>| {
        v.map(|x| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                x.to_string()
            }
        })
        .unwrap_or_else(|| "－".into())
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in &plan.data.project_totals {
        let total = |v: &Option<toml::Spanned<f64>>| dash(v.as_ref().map(|s| *s.get_ref()));
        rows.push(vec![
            t.table.get_ref().clone(),
            "合计".into(),
            String::new(),
            String::new(),
            total(&t.floor_area_m2),
            total(&t.investment_10k_yuan),
            String::new(),
            total(&t.new_land_mu),
            String::new(),
        ]);
    }
    for p in &plan.data.projects {
        rows.push(vec![
            p.table.clone(),
            p.row.get_ref().clone(),
            p.name.clone(),
            p.nature
                .map(|n| n.zh().to_string())
                .unwrap_or_else(|| "－".into()),
            dash(p.floor_area_m2),
            dash(p.investment_10k_yuan),
            p.years.get_ref().clone(),
            dash(p.new_land_mu),
            p.status.clone().unwrap_or_default(),
        ]);
    }
    (headers, rows)
}

fn task_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = ["部分", "序号", "任务", "责任单位"]
        .map(String::from)
        .to_vec();
    let rows = plan
        .data
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.section.clone(),
                t.number.get_ref().clone(),
                t.title.clone(),
                t.responsible.get_ref().join("、"),
            ]
        })
        .collect();
    (headers, rows)
}

fn text_target_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = ["出处", "指标", "目标", "单位", "年份"]
        .map(String::from)
        .to_vec();
    let rows = plan
        .data
        .text_targets
        .iter()
        .map(|t| {
            vec![
                t.section.clone(),
                t.subject_zh.clone(),
                t.target.get_ref().clone(),
                t.unit.get_ref().clone(),
                t.year.get_ref().to_string(),
            ]
        })
        .collect();
    (headers, rows)
}

fn print_aligned(headers: &[String], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| pad(c, *w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", line(headers));
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for r in rows {
        println!("{}", line(r));
    }
}

pub fn show(
    file: &std::path::Path,
    format: PlanFormat,
    out: Option<&std::path::Path>,
) -> Result<()> {
    let plan = hsplan_plan::load_path(file)?;
    let tables = [
        indicator_rows(&plan),
        quota_rows(&plan),
        project_rows(&plan),
        task_rows(&plan),
        text_target_rows(&plan),
    ];
    match format {
        PlanFormat::Table => {
            println!("{}", plan.data.plan.title_zh);
            for (headers, rows) in tables.iter().filter(|(_, r)| !r.is_empty()) {
                println!();
                print_aligned(headers, rows);
            }
        }
        PlanFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            for (headers, rows) in tables.iter().filter(|(_, r)| !r.is_empty()) {
                w.write_record(headers)?;
                for r in rows {
                    w.write_record(r)?;
                }
            }
            w.flush()?;
        }
        PlanFormat::Xlsx => {
            let out = out.ok_or_else(|| anyhow::anyhow!("--format xlsx needs --out FILE.xlsx"))?;
            let mut book = rust_xlsxwriter::Workbook::new();
            let names = [
                "indicators",
                "equipment_quotas",
                "projects",
                "tasks",
                "text_targets",
            ];
            for ((headers, rows), name) in
                tables.iter().zip(names).filter(|((_, r), _)| !r.is_empty())
            {
                let sheet = book
                    .add_worksheet()
                    .set_name(name)
                    .map_err(|e| anyhow::anyhow!("writing XLSX: {e}"))?;
                let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                crate::ledger_cmd::write_rows(sheet, &headers, rows)?;
            }
            crate::ledger_cmd::save_workbook(&mut book, out)?;
        }
        PlanFormat::Json => {
            let v: Vec<_> = tables
                .iter()
                .map(|(h, r)| serde_json::json!({"headers": h, "rows": r}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    Ok(())
}
