//! `hsplan evaluate`: a plan's indicators for a year, from the store; also used by the demo.

use crate::messages::{Lang, Mode, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_eval::evaluate::{EvaluatedIndicator, Status};
use hsplan_eval::report::Evaluation;
use hsplan_model::{AdminCode, ServiceSystem, Year};
use std::path::{Path, PathBuf};

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EvalFormat {
    /// Terminal table.
    Table,
    /// JSON (stdout or --out).
    Json,
    /// CSV (needs --out).
    Csv,
    /// XLSX with coloured status (needs --out).
    Xlsx,
    /// Self-contained HTML report with charts and maps (needs --out).
    Html,
}

fn status_text(s: Status, lang: Lang) -> &'static str {
    if lang == Lang::Zh { s.zh() } else { s.en() }
}

fn shown(r: &EvaluatedIndicator, v: Option<f64>) -> String {
    hsplan_report::html::format_value(&r.target, v)
}

/// Prints the evaluation table, sub-unit league tables of binding indicators and equity.
pub fn print(e: &Evaluation, lang: Lang) {
    println!(
        "{}",
        fill(Msg::EvaluationHeading.text(lang), &[("year", &e.year)])
    );
    let t = |m: Msg| m.text(lang);
    println!(
        "{} {}{}{}{}{}",
        pad(t(Msg::Indicator), 70),
        pad(t(Msg::Baseline), 9),
        pad(t(Msg::TargetWord), 9),
        pad(t(Msg::Expected), 9),
        pad(t(Msg::Actual), 9),
        t(Msg::StatusWord)
    );
    for r in &e.indicators {
        let name = lang.pick(&r.name_zh, &r.name_en);
        let mark = if r.binding { "★" } else { " " };
        let mut outlook = hsplan_report::html::outlook(r, e.target_year, lang);
        if r.doubt.is_some() {
            outlook = format!("⚠{} {outlook}", Msg::DataDoubt.text(lang));
        }
        println!(
            "{} {}{}{}{}{}{outlook}",
            pad(&format!("{mark}{name}"), 70),
            pad(&r.baseline, 9),
            pad(&r.target, 9),
            pad(&shown(r, r.expected), 9),
            pad(&shown(r, r.actual), 9),
            pad(status_text(r.status, lang), 12)
        );
    }
    let summary: Vec<String> = e
        .status_counts
        .iter()
        .map(|(s, n)| format!("{} {n}", status_text(*s, lang)))
        .collect();
    println!("{}", summary.join(" · "));
    // League tables of the binding indicators across sub-units (when they differ).
    for r in e.indicators.iter().filter(|r| r.binding) {
        let Some(league) = e.leagues.iter().find(|l| l.id == r.id && !l.uniform) else {
            continue;
        };
        let cells: Vec<String> = league
            .rows
            .iter()
            .map(|l| format!("{} {}", l.name, shown(r, l.value)))
            .collect();
        println!(
            "{}: {}",
            fill(
                t(Msg::LeagueHeading),
                &[("indicator", &lang.pick(&r.name_zh, &r.name_en))]
            ),
            cells.join("  ")
        );
    }
    for q in &e.equity {
        let g = |v: Option<f64>| v.map(|g| format!("{g:.3}")).unwrap_or_else(|| "—".into());
        println!(
            "{}；{} {}",
            fill(
                t(Msg::EquityLine),
                &[
                    ("indicator", &lang.pick(&q.name_zh, &q.name_en)),
                    ("gini", &g(q.gini_by_population))
                ]
            ),
            t(Msg::GiniByArea),
            g(q.gini_by_area)
        );
    }
}

/// Arguments of `hsplan evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Plan file (TOML).
    #[arg(long)]
    plan: PathBuf,
    /// Year evaluated.
    #[arg(long)]
    year: i64,
    /// Unit (default: the plan's jurisdiction).
    #[arg(long)]
    unit: Option<String>,
    /// Annual monitoring, mid-term or final evaluation.
    #[arg(long, value_enum, default_value = "annual")]
    mode: Mode,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: EvalFormat,
    /// Output file (csv, xlsx; json optional).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Writes the HTML evaluation report of `parts` for `unit`, with the store's boundaries and notes.
pub fn write_html(
    path: &Path,
    sys: &ServiceSystem,
    unit: AdminCode,
    parts: &[hsplan_report::html::Part<'_>],
    lang: Lang,
) -> Result<()> {
    let html = hsplan_app::evaluation::html_report(sys, unit, parts, lang);
    std::fs::write(path, html).with_context(|| format!("{}: cannot write", path.display()))
}

/// Writes bytes to a file and says where.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

/// `hsplan evaluate`.
pub fn run(db: &Path, args: &EvaluateArgs, lang: Lang) -> Result<()> {
    let (plan_file, year, unit, mode, format, out) = (
        &args.plan,
        args.year,
        args.unit.as_deref(),
        args.mode,
        args.format,
        args.out.as_deref(),
    );
    let plan = hsplan_plan::load_path(plan_file)?;
    let year = Year::new(year).context("--year")?;
    let sys = crate::commands::open_read(db)?.load()?;
    // a code, or the id of a unit read from another system (a DHIS2 uid)
    let unit = match unit {
        Some(u) => match sys.find_unit(u) {
            Some(found) => found.code,
            None => AdminCode::parse(u).context("--unit")?,
        },
        None => AdminCode::parse(plan.data.plan.jurisdiction.get_ref())
            .context("the plan's jurisdiction")?,
    };
    let evaluation = hsplan_eval::report::evaluate(&sys, &plan, unit, year);
    let notes = hsplan_app::evaluation::data_notes(&sys, lang);
    let synthetic_data = notes.synthetic_data;
    match format {
        EvalFormat::Table => {
            println!(
                "{} — {}",
                lang.pick(&plan.data.plan.title_zh, &plan.data.plan.title_en),
                mode.msg().text(lang)
            );
            for n in sys
                .notes
                .iter()
                .filter(|n| n.kind != hsplan_model::NoteKind::Remark)
            {
                println!("{}", lang.pick(&n.zh, &n.en));
            }
            print(&evaluation, lang);
        }
        EvalFormat::Json => {
            let mut doc = serde_json::to_value(&evaluation)?;
            doc["synthetic_data"] = synthetic_data.into();
            let doc = serde_json::to_string_pretty(&doc)?;
            match out {
                Some(p) => std::fs::write(p, doc)
                    .with_context(|| format!("{}: cannot write", p.display()))?,
                None => println!("{doc}"),
            }
        }
        EvalFormat::Csv | EvalFormat::Xlsx | EvalFormat::Html => {
            let Some(out) = out else {
                bail!("--format csv|xlsx|html needs --out FILE")
            };
            match format {
                EvalFormat::Csv => write_bytes(
                    out,
                    &hsplan_app::evaluation::csv(&evaluation.indicators, synthetic_data)?,
                )?,
                EvalFormat::Xlsx => {
                    write_bytes(
                        out,
                        &hsplan_app::evaluation::xlsx(&evaluation.indicators, &notes.all)?,
                    )?;
                    println!("XLSX: {}", out.display());
                }
                _ => write_html(
                    out,
                    &sys,
                    unit,
                    &[hsplan_report::html::Part {
                        mode,
                        evaluation: &evaluation,
                        standards: None,
                        access: None,
                    }],
                    lang,
                )?,
            }
        }
    }
    Ok(())
}
