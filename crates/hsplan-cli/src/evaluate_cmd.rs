//! `hsplan evaluate`: a plan's indicators for a year, from the store; also used by the demo.

use crate::messages::{Lang, Mode, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_eval::evaluate::{EvaluatedIndicator, Status};
use hsplan_eval::report::Evaluation;
use hsplan_model::{AdminCode, ServiceSystem, Year};
use hsplan_store::{SqliteStore, Store};
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
        let outlook = hsplan_report::html::outlook(r, e.target_year, lang);
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

fn write_csv(path: &Path, rows: &[EvaluatedIndicator], synthetic: bool) -> Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    w.write_record([
        "row",
        "id",
        "name_zh",
        "binding",
        "baseline",
        "target",
        "expected",
        "actual",
        "progress_pct",
        "status",
        "synthetic_data",
    ])?;
    for r in rows {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
        w.write_record([
            r.row.clone(),
            r.id.clone(),
            r.name_zh.clone(),
            r.binding.to_string(),
            r.baseline.clone(),
            r.target.clone(),
            f(r.expected),
            f(r.actual),
            f(r.progress_pct),
            r.status.en().to_string(),
            synthetic.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_xlsx(path: &Path, rows: &[EvaluatedIndicator], notes: &[String]) -> Result<()> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| anyhow::anyhow!("writing XLSX: {e}");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("evaluation").map_err(err)?;
    let headers = [
        "序号",
        "指标",
        "约束性",
        "基期值",
        "目标值",
        "应达值",
        "实际值",
        "进度%",
        "状态",
    ];
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.row).map_err(err)?;
        sheet.write_string(row, 1, &r.name_zh).map_err(err)?;
        sheet
            .write_string(row, 2, if r.binding { "约束性" } else { "预期性" })
            .map_err(err)?;
        sheet.write_string(row, 3, &r.baseline).map_err(err)?;
        sheet.write_string(row, 4, &r.target).map_err(err)?;
        for (c, v) in [(5u16, r.expected), (6, r.actual), (7, r.progress_pct)] {
            if let Some(v) = v {
                sheet
                    .write_number(row, c, (v * 100.0).round() / 100.0)
                    .map_err(err)?;
            }
        }
        let colour = match r.status {
            Status::Achieved | Status::OnTrack => Color::RGB(0xC6EFCE),
            Status::Lagging => Color::RGB(0xFFEB9C),
            Status::OffTrack | Status::Regressing => Color::RGB(0xFFC7CE),
            Status::NoData => Color::RGB(0xD9D9D9),
        };
        sheet
            .write_string_with_format(
                row,
                8,
                r.status.zh(),
                &Format::new().set_background_color(colour),
            )
            .map_err(err)?;
    }
    sheet.set_column_width(1, 60).map_err(err)?;
    if !notes.is_empty() {
        let sheet = book.add_worksheet().set_name("notes").map_err(err)?;
        for (i, n) in notes.iter().enumerate() {
            sheet.write_string(i as u32, 0, n).map_err(err)?;
        }
    }
    crate::ledger_cmd::save_workbook(&mut book, path)
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

/// Boundaries of the direct sub-units of `unit` that have one, by code.
pub fn sub_unit_boundaries(
    sys: &ServiceSystem,
    unit: AdminCode,
) -> std::collections::BTreeMap<String, hsplan_model::MultiPolygon> {
    sys.children(unit)
        .filter_map(|u| Some((u.code.to_string(), u.boundary.clone()?)))
        .collect()
}

/// Writes the HTML evaluation report of `parts` for `unit`, with the store's boundaries and notes.
pub fn write_html(
    path: &Path,
    sys: &ServiceSystem,
    unit: AdminCode,
    parts: &[hsplan_report::html::Part<'_>],
    lang: Lang,
) -> Result<()> {
    let boundaries = sub_unit_boundaries(sys, unit);
    let notes = data_notes(sys, lang);
    let html = hsplan_report::html::render(
        parts,
        &hsplan_report::html::Context {
            boundaries: &boundaries,
            schematic_boundaries: notes.schematic_boundaries,
            banners: &notes.banners,
            notes: &notes.remarks,
        },
        lang,
    );
    std::fs::write(path, html).with_context(|| format!("{}: cannot write", path.display()))
}

/// The store's dataset notes for a report, in `lang`.
pub struct DataNotes {
    /// Labels for the top of a report (synthetic data, schematic boundaries).
    pub banners: Vec<String>,
    /// Whether the boundaries are schematic.
    pub schematic_boundaries: bool,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
    /// Other remarks.
    pub remarks: Vec<String>,
}

/// Reads the dataset notes of `sys`.
pub fn data_notes(sys: &ServiceSystem, lang: Lang) -> DataNotes {
    use hsplan_model::NoteKind;
    let text = |kinds: &[NoteKind]| -> Vec<String> {
        sys.notes
            .iter()
            .filter(|n| kinds.contains(&n.kind))
            .map(|n| lang.pick(&n.zh, &n.en).to_string())
            .collect()
    };
    DataNotes {
        banners: text(&[NoteKind::SyntheticData, NoteKind::SchematicBoundaries]),
        schematic_boundaries: sys.has_note(NoteKind::SchematicBoundaries),
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
        remarks: text(&[NoteKind::Remark]),
    }
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
    let unit = match unit {
        Some(u) => AdminCode::parse(u).context("--unit")?,
        None => AdminCode::parse(plan.data.plan.jurisdiction.get_ref())
            .context("the plan's jurisdiction")?,
    };
    let year = Year::new(year).context("--year")?;
    let sys = SqliteStore::open(db)
        .with_context(|| format!("opening store {}", db.display()))?
        .load()?;
    let evaluation = hsplan_eval::report::evaluate(&sys, &plan, unit, year);
    let notes = data_notes(&sys, lang);
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
                EvalFormat::Csv => write_csv(out, &evaluation.indicators, synthetic_data)?,
                EvalFormat::Xlsx => {
                    let all: Vec<String> = sys
                        .notes
                        .iter()
                        .map(|n| lang.pick(&n.zh, &n.en).to_string())
                        .collect();
                    write_xlsx(out, &evaluation.indicators, &all)?
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
