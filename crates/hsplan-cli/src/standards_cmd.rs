//! `hsplan standards check`: allocation standards for a year, every violation located.

use crate::evaluate_cmd::EvalFormat;
use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_model::{AdminCode, Year};
use hsplan_report::html::StandardsSection;
use hsplan_standards::{CheckReport, RuleSet};
use std::path::{Path, PathBuf};

/// Arguments of `hsplan standards check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Standards file (TOML), e.g. data/standards/seeds.toml.
    #[arg(long)]
    rules: PathBuf,
    /// Year checked.
    #[arg(long)]
    year: i64,
    /// Only this unit and below.
    #[arg(long)]
    unit: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: EvalFormat,
    /// Output file (csv, xlsx, html; json optional).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Reads a standards file.
pub fn load_rules(path: &Path) -> Result<RuleSet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(hsplan_standards::load(&path.display().to_string(), &text)?)
}

pub use hsplan_app::standards::{section, shown};

/// Prints the check as a table.
pub fn print(set: &RuleSet, report: &CheckReport, lang: Lang) {
    let s = section(set, report, lang);
    println!(
        "{}",
        fill(
            Msg::StandardsHeading.text(lang),
            &[
                ("year", &report.year),
                ("title", &lang.pick(&set.title_zh, &set.title_en))
            ]
        )
    );
    println!(
        "{}",
        fill(
            Msg::RulesChecked.text(lang),
            &[
                ("rules", &s.rules),
                ("checked", &s.checked),
                ("violations", &s.violations.len())
            ]
        )
    );
    if s.violations.is_empty() {
        println!("{}", Msg::NoViolations.text(lang));
        return;
    }
    // Grouped by rule, at most LIMIT lines each on the terminal (every one in the files).
    const LIMIT: usize = 8;
    let mut current: Option<&str> = None;
    let mut shown_in_rule = 0;
    let mut hidden = 0;
    let flush = |hidden: usize| {
        if hidden > 0 {
            println!(
                "    {}",
                fill(Msg::MoreViolations.text(lang), &[("n", &hidden)])
            );
        }
    };
    for v in &s.violations {
        if current != Some(v.rule.as_str()) {
            flush(hidden);
            hidden = 0;
            shown_in_rule = 0;
            current = Some(v.rule.as_str());
            println!("[{}] {}", v.severity, v.rule);
        }
        if shown_in_rule == LIMIT {
            hidden += 1;
            continue;
        }
        shown_in_rule += 1;
        println!(
            "    {} {} {} → {}",
            pad(&v.location, 46),
            pad(&v.observed, 12),
            pad(&v.required, 12),
            v.shortfall
        );
    }
    flush(hidden);
    let unassessed: Vec<String> = report
        .rules
        .iter()
        .filter(|r| r.not_assessable > 0)
        .map(|r| format!("{} {}", r.rule, r.not_assessable))
        .collect();
    if !unassessed.is_empty() {
        println!(
            "{}: {}",
            Msg::NotAssessable.text(lang),
            unassessed.join(" · ")
        );
    }
    let districts: Vec<String> = s
        .by_district
        .iter()
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    println!("{}: {}", Msg::ByDistrict.text(lang), districts.join(" · "));
}

fn write_csv(path: &Path, set: &RuleSet, report: &CheckReport) -> Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    w.write_record([
        "severity",
        "rule",
        "subject",
        "id",
        "name",
        "unit",
        "district",
        "observed",
        "required",
        "shortfall",
        "excess",
        "shortfall_zh",
        "shortfall_en",
    ])?;
    for v in &report.violations {
        let (observed, required) = shown(set, v);
        w.write_record([
            v.severity.en().to_string(),
            v.rule.clone(),
            format!("{:?}", v.subject).to_lowercase(),
            v.place.id.clone(),
            v.place.name.clone(),
            v.place.unit.clone(),
            v.place
                .district
                .as_ref()
                .map(|d| d.1.clone())
                .unwrap_or_default(),
            observed,
            required,
            v.shortfall.to_string(),
            v.excess.to_string(),
            v.shortfall_zh.clone(),
            v.shortfall_en.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_xlsx(path: &Path, section: &StandardsSection) -> Result<()> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| anyhow::anyhow!("writing XLSX: {e}");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("violations").map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in ["严重程度", "规则", "位置", "实际", "要求", "缺口"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, v) in section.violations.iter().enumerate() {
        let row = i as u32 + 1;
        let colour = match v.severity.as_str() {
            "严重" | "high" => Color::RGB(0xFFC7CE),
            "一般" | "medium" => Color::RGB(0xFFEB9C),
            _ => Color::RGB(0xD9D9D9),
        };
        sheet
            .write_string_with_format(
                row,
                0,
                &v.severity,
                &Format::new().set_background_color(colour),
            )
            .map_err(err)?;
        for (c, text) in [&v.rule, &v.location, &v.observed, &v.required, &v.shortfall]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(row, c as u16 + 1, text).map_err(err)?;
        }
    }
    sheet.set_column_width(1, 60).map_err(err)?;
    sheet.set_column_width(2, 36).map_err(err)?;
    crate::ledger_cmd::save_workbook(&mut book, path)
}

/// `hsplan standards check`.
pub fn run(db: &Path, args: &CheckArgs, lang: Lang) -> Result<()> {
    let set = load_rules(&args.rules)?;
    let year = Year::new(args.year).context("--year")?;
    let unit = args
        .unit
        .as_deref()
        .map(AdminCode::parse)
        .transpose()
        .context("--unit")?;
    let sys = crate::commands::open_read(db)?.load()?;
    let report = hsplan_standards::check(&sys, &set, year, unit);
    let notes = hsplan_app::evaluation::data_notes(&sys, lang);
    match args.format {
        EvalFormat::Table => {
            for b in &notes.banners {
                println!("{b}");
            }
            print(&set, &report, lang)
        }
        EvalFormat::Json => {
            let mut doc = serde_json::to_value(&report)?;
            doc["synthetic_data"] = notes.synthetic_data.into();
            let doc = serde_json::to_string_pretty(&doc)?;
            match &args.out {
                Some(p) => std::fs::write(p, doc)
                    .with_context(|| format!("{}: cannot write", p.display()))?,
                None => println!("{doc}"),
            }
        }
        format => {
            let Some(out) = &args.out else {
                bail!("--format csv|xlsx|html needs --out FILE")
            };
            match format {
                EvalFormat::Csv => write_csv(out, &set, &report)?,
                EvalFormat::Xlsx => write_xlsx(out, &section(&set, &report, lang))?,
                _ => {
                    let s = section(&set, &report, lang);
                    let html = hsplan_report::html::render_standards(
                        lang.pick(&set.title_zh, &set.title_en),
                        report.year,
                        &s,
                        &notes.banners,
                        lang,
                    );
                    std::fs::write(out, html)
                        .with_context(|| format!("{}: cannot write", out.display()))?;
                }
            }
        }
    }
    Ok(())
}
