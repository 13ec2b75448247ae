//! `hsplan evaluate`: a plan's indicators for a year, from the store; also used by the demo.

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_eval::evaluate::{EvaluatedIndicator, Status, evaluate_plan, gini, league_table};
use hsplan_model::{AdminCode, ServiceSystem, Year};
use hsplan_plan::Plan;
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
}

/// Evaluation mode (the report's title; the arithmetic is the same).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Mode {
    /// 年度监测.
    Annual,
    /// 中期评估.
    Midterm,
    /// 终期评估.
    Final,
}

fn status_text(s: Status, lang: Lang) -> &'static str {
    if lang == Lang::Zh { s.zh() } else { s.en() }
}

fn shown(r: &EvaluatedIndicator, v: Option<f64>) -> String {
    let ratio = r.target.contains(':');
    v.map(|x| {
        if ratio {
            format!("1:{x:.2}")
        } else {
            format!("{x:.2}")
        }
    })
    .unwrap_or_else(|| "—".into())
}

/// Equity of beds, doctors and nurses across the sub-units, by population (Gini).
fn equity(sys: &ServiceSystem, unit: AdminCode, year: Year) -> Vec<(&'static str, Option<f64>)> {
    [
        "beds_per_1000",
        "licensed_doctors_per_1000",
        "registered_nurses_per_1000",
    ]
    .into_iter()
    .map(|id| {
        let def = hsplan_eval::find(id).expect("library indicator");
        let groups: Vec<(f64, f64)> = sys
            .children(unit)
            .map(|u| {
                let v = hsplan_eval::compute(sys, def, u.code, year);
                (
                    v.numerator.value,
                    v.denominator.map(|d| d.value).unwrap_or(0.0),
                )
            })
            .collect();
        (id, gini(&groups))
    })
    .collect()
}

/// Prints the evaluation table, sub-unit league tables of binding indicators and equity.
pub fn print(
    sys: &ServiceSystem,
    plan: &Plan,
    unit: AdminCode,
    year: Year,
    lang: Lang,
) -> Vec<EvaluatedIndicator> {
    let rows = evaluate_plan(sys, plan, unit, year);
    println!(
        "{}",
        fill(Msg::EvaluationHeading.text(lang), &[("year", &year)])
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
    let mut by_status = std::collections::BTreeMap::new();
    for r in &rows {
        let name = if lang == Lang::Zh {
            &r.name_zh
        } else {
            &r.name_en
        };
        let mark = if r.binding { "★" } else { " " };
        let target_year = plan
            .data
            .plan
            .target_years
            .get_ref()
            .last()
            .copied()
            .unwrap_or_default();
        let outlook = match (r.projection, r.will_reach) {
            (Some(p), Some(true)) => fill(
                t(Msg::ProjectionReach),
                &[("year", &target_year), ("value", &shown(r, Some(p.linear)))],
            ),
            (Some(p), Some(false)) => {
                let target = hsplan_plan::PublishedValue::parse(&r.target)
                    .number()
                    .unwrap_or(p.linear);
                let miss = format!("{:.2}", (target - p.linear).abs());
                fill(
                    t(Msg::ProjectionMiss),
                    &[
                        ("year", &target_year),
                        ("value", &shown(r, Some(p.linear))),
                        ("miss", &miss),
                    ],
                )
            }
            _ => String::new(),
        };
        let gap = match r.gap {
            Some(n) if n > 0 => format!("；{}", fill(t(Msg::GapUnits), &[("n", &n)])),
            _ => String::new(),
        };
        println!(
            "{} {}{}{}{}{}{outlook}{gap}",
            pad(&format!("{mark}{name}"), 70),
            pad(&r.baseline, 9),
            pad(&r.target, 9),
            pad(&shown(r, r.expected), 9),
            pad(&shown(r, r.actual), 9),
            pad(status_text(r.status, lang), 12)
        );
        *by_status.entry(r.status).or_insert(0usize) += 1;
    }
    let summary: Vec<String> = by_status
        .iter()
        .map(|(s, n)| format!("{} {n}", status_text(*s, lang)))
        .collect();
    println!("{}", summary.join(" · "));
    // League tables of the binding indicators across sub-units.
    for r in rows.iter().filter(|r| r.binding) {
        let (Some(def), Some(ind)) = (
            hsplan_eval::find(&r.id).or_else(|| {
                plan.data
                    .indicators
                    .iter()
                    .find(|i| i.id.get_ref() == &r.id)
                    .and_then(|i| i.formula.as_deref())
                    .and_then(hsplan_eval::find)
            }),
            plan.data
                .indicators
                .iter()
                .find(|i| i.id.get_ref() == &r.id),
        ) else {
            continue;
        };
        let league = league_table(sys, def, unit, year, ind.direction);
        // A ranking says nothing when every sub-unit has the same value (e.g. district-level institutions).
        let values: Vec<f64> = league.iter().filter_map(|l| l.value).collect();
        if values.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        let name = if lang == Lang::Zh {
            &r.name_zh
        } else {
            &r.name_en
        };
        let cells: Vec<String> = league
            .iter()
            .map(|l| format!("{} {}", l.name, shown(r, l.value)))
            .collect();
        println!(
            "{}: {}",
            fill(t(Msg::LeagueHeading), &[("indicator", name)]),
            cells.join("  ")
        );
    }
    for (id, g) in equity(sys, unit, year) {
        let def = hsplan_eval::find(id).expect("library indicator");
        let name = if lang == Lang::Zh {
            def.name_zh
        } else {
            def.name_en
        };
        let g = g.map(|g| format!("{g:.3}")).unwrap_or_else(|| "—".into());
        println!(
            "{}",
            fill(t(Msg::EquityLine), &[("indicator", &name), ("gini", &g)])
        );
    }
    rows
}

fn write_csv(path: &Path, rows: &[EvaluatedIndicator]) -> Result<()> {
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
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_xlsx(path: &Path, rows: &[EvaluatedIndicator]) -> Result<()> {
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
    let title = match mode {
        Mode::Annual => Msg::ModeAnnual,
        Mode::Midterm => Msg::ModeMidterm,
        Mode::Final => Msg::ModeFinal,
    };
    match format {
        EvalFormat::Table => {
            println!("{} — {}", plan.data.plan.title_zh, title.text(lang));
            print(&sys, &plan, unit, year, lang);
        }
        EvalFormat::Json => {
            let rows = evaluate_plan(&sys, &plan, unit, year);
            let doc = serde_json::to_string_pretty(
                &serde_json::json!({"plan": plan.data.plan.id.get_ref(), "unit": unit.to_string(), "year": year.get(), "indicators": rows}),
            )?;
            match out {
                Some(p) => std::fs::write(p, doc)
                    .with_context(|| format!("{}: cannot write", p.display()))?,
                None => println!("{doc}"),
            }
        }
        EvalFormat::Csv | EvalFormat::Xlsx => {
            let Some(out) = out else {
                bail!("--format csv|xlsx needs --out FILE")
            };
            let rows = evaluate_plan(&sys, &plan, unit, year);
            if matches!(format, EvalFormat::Csv) {
                write_csv(out, &rows)?
            } else {
                write_xlsx(out, &rows)?
            }
        }
    }
    Ok(())
}
