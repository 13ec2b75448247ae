//! `hsplan plan check|show|targets`.

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::Result;
use hsplan_app::plans::{
    findings_for, indicator_rows, project_rows, quota_rows, task_rows, text_target_rows,
};
use hsplan_plan::{Plan, PlanError, Severity};
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

/// `hsplan plan targets`: per plan, how many quantitative targets are evaluated, wait for
/// record-level data, or cannot be computed, and why.
pub fn targets(files: &[PathBuf], all: bool, json: bool, lang: Lang) -> Result<()> {
    use hsplan_app::targets::{TargetState, coverage};
    let mut out = Vec::new();
    for f in files {
        let plan = hsplan_plan::load_path(f)?;
        out.push(coverage(&plan));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for c in &out {
        println!(
            "{}",
            fill(
                Msg::TargetsSummary.text(lang),
                &[
                    ("plan", &c.plan),
                    ("total", &c.targets.len()),
                    ("evaluated", &c.evaluated),
                    ("records", &c.waits_for_records),
                    ("not", &c.not_computable),
                    ("unclassified", &c.unclassified)
                ]
            )
        );
        // each reason once, with its count
        let mut reasons: Vec<(&hsplan_app::targets::Reason, usize)> = Vec::new();
        for t in &c.targets {
            if let Some(r) = &t.reason
                && !reasons.iter().any(|(x, _)| x.id == r.id)
            {
                reasons.push((r, c.by_reason[&r.id]));
            }
        }
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
        for (r, n) in reasons {
            println!("  {n:>4}  {}", lang.pick(&r.zh, &r.en));
        }
        if all {
            let state = |s: TargetState| match s {
                TargetState::Evaluated => Msg::TargetEvaluated.text(lang),
                TargetState::WaitsForRecords => Msg::TargetRecords.text(lang),
                TargetState::NotComputable => Msg::TargetNotComputable.text(lang),
                TargetState::Unclassified => Msg::TargetUnclassified.text(lang),
            };
            for t in &c.targets {
                println!(
                    "  {} {} {} {} → {}",
                    pad(&t.place, 24),
                    pad(lang.pick(&t.name_zh, &t.name_en), 40),
                    pad(&format!("{} {}", t.target, t.unit), 14),
                    pad(state(t.state), 10),
                    t.formula
                        .as_deref()
                        .unwrap_or_else(|| { t.reason.as_ref().map_or("", |r| r.id.as_str()) })
                );
            }
        }
    }
    Ok(())
}

/// `hsplan plan compare`: a parent plan and its children, side by side, with each unit's
/// share of the parent's gap.
pub fn compare(
    db: &std::path::Path,
    parent: &std::path::Path,
    children: &[PathBuf],
    year: i64,
    json: bool,
    lang: Lang,
) -> Result<()> {
    let parent = hsplan_plan::load_path(parent)?;
    let children: Vec<Plan> = children
        .iter()
        .map(|f| hsplan_plan::load_path(f))
        .collect::<std::result::Result<_, _>>()?;
    let refs: Vec<&Plan> = children.iter().collect();
    let sys = crate::commands::open_read(db)?.load()?;
    let c = hsplan_app::parent_child::compare(&sys, &parent, &refs, year)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(());
    }
    let ambition = |a: &str| match a {
        "more" => Msg::AmbitionMore.text(lang),
        "less" => Msg::AmbitionLess.text(lang),
        "same" => Msg::AmbitionSame.text(lang),
        _ => Msg::AmbitionNotComparable.text(lang),
    };
    for i in &c.indicators {
        println!(
            "{} ({}) · {} {} ({})",
            lang.pick(&i.name_zh, &i.name_en),
            i.unit,
            c.parent,
            i.parent.target,
            i.parent.year
        );
        for s in &i.children {
            println!(
                "    {} {} ({}) — {}",
                s.plan,
                s.target,
                s.year,
                ambition(&s.ambition)
            );
        }
        if let Some(total) = i.total_gap {
            let mut ranked: Vec<&hsplan_app::parent_child::UnitGap> = i
                .units
                .iter()
                .filter(|u| u.gap.is_some_and(|g| g > 0.0))
                .collect();
            ranked.sort_by(|a, b| {
                b.gap
                    .partial_cmp(&a.gap)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            println!(
                "    {}",
                fill(
                    Msg::ParentGap.text(lang),
                    &[
                        ("year", &c.year),
                        ("total", &format!("{total:.0}")),
                        ("with", &(i.units.len() - i.units_without_data)),
                        ("all", &i.units.len())
                    ]
                )
            );
            for u in ranked.iter().take(8) {
                println!(
                    "      {}{} {:>8.0}  {:>5.1}%",
                    pad(&u.name, 16),
                    if u.has_plan { "*" } else { " " },
                    u.gap.unwrap_or(0.0),
                    u.share_pct.unwrap_or(0.0)
                );
            }
        }
    }
    Ok(())
}
