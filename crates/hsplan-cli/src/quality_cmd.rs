//! `hsplan quality`: the data-quality review of a unit for a year.

use crate::evaluate_cmd::{EvalFormat, write_bytes};
use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_app::quality::QualityRequest;
use hsplan_eval::quality::{Dimension, QualityReview};
use std::path::{Path, PathBuf};

/// Arguments of `hsplan quality`.
#[derive(Debug, clap::Args)]
pub struct QualityArgs {
    /// Year reviewed.
    #[arg(long)]
    year: i64,
    /// Unit reviewed with everything below it (default: the smallest unit holding every
    /// facility).
    #[arg(long)]
    unit: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: EvalFormat,
    /// Output file (csv, xlsx, html; json optional).
    #[arg(long)]
    out: Option<PathBuf>,
}

use hsplan_report::html::pct_cell as pct;

/// Prints the review: scores of the unit and its sub-units (unless `brief`), then findings
/// by check, at most `limit` of each.
pub fn print(q: &QualityReview, lang: Lang, brief: bool, limit: usize) {
    println!(
        "{}",
        fill(
            Msg::QualityHeading.text(lang),
            &[
                ("unit", &format!("{} {}", q.unit_name, q.unit)),
                ("year", &q.year)
            ]
        )
    );
    if let Some(top) = q.scores.first() {
        println!(
            "{}",
            fill(
                Msg::QualityLine.text(lang),
                &[
                    ("facilities", &top.facilities),
                    ("reporting", &top.reporting),
                    ("findings", &top.findings),
                    ("score", &pct(top.score)),
                ]
            )
        );
    }
    if !brief {
        scores(q, lang);
    }
    if q.findings.is_empty() {
        println!("{}", Msg::QualityNone.text(lang));
        return;
    }
    for (check, n) in &q.counts {
        println!("[{}] {n}", lang.pick(check.zh(), check.en()));
        for f in q.findings.iter().filter(|f| f.check == *check).take(limit) {
            println!("    {}", lang.pick(&f.zh, &f.en));
        }
        if *n > limit {
            println!(
                "    {}",
                fill(Msg::MoreViolations.text(lang), &[("n", &(n - limit))])
            );
        }
    }
}

/// The table of scores: the unit, then its sub-units.
fn scores(q: &QualityReview, lang: Lang) {
    let mut head = pad(Msg::UnitWord.text(lang), 24);
    for d in Dimension::ALL {
        head.push_str(&pad(lang.pick(d.zh(), d.en()), 22));
    }
    head.push_str(&pad(Msg::QualityScore.text(lang), 10));
    head.push_str(Msg::QualityFindings.text(lang));
    println!("{head}");
    for s in &q.scores {
        let mut line = pad(&s.name, 24);
        for d in Dimension::ALL {
            line.push_str(&pad(&pct(s.of(d).pct), 22));
        }
        line.push_str(&pad(&pct(s.score), 10));
        line.push_str(&s.findings.to_string());
        println!("{line}");
    }
}

/// `hsplan quality`.
pub fn run(db: &Path, args: &QualityArgs, lang: Lang) -> Result<()> {
    let ws = hsplan_app::Workspace::open_at(&hsplan_app::StoreLocation::from(db))
        .with_context(|| format!("opening store {}", db.display()))?;
    let snapshot = ws.snapshot();
    let result = hsplan_app::quality::review(
        &ws.plans(),
        &snapshot.sys,
        &QualityRequest {
            year: args.year,
            unit: args.unit.clone(),
        },
    )?;
    match args.format {
        EvalFormat::Table => {
            for n in snapshot
                .sys
                .notes
                .iter()
                .filter(|n| n.kind != hsplan_model::NoteKind::Remark)
            {
                println!("{}", lang.pick(&n.zh, &n.en));
            }
            print(&result.review, lang, false, 6);
        }
        EvalFormat::Json => {
            let doc = serde_json::to_string_pretty(&result)?;
            match &args.out {
                Some(p) => write_bytes(p, doc.as_bytes())?,
                None => println!("{doc}"),
            }
        }
        format => {
            let Some(out) = &args.out else {
                bail!("--format csv|xlsx|html needs --out FILE")
            };
            let bytes = match format {
                EvalFormat::Csv => hsplan_app::quality::csv(&result)?,
                EvalFormat::Xlsx => {
                    let notes = hsplan_app::evaluation::data_notes(&snapshot.sys, lang);
                    hsplan_app::quality::xlsx(&result, &notes.all)?
                }
                _ => hsplan_app::quality::html(&snapshot.sys, &result, lang).into_bytes(),
            };
            write_bytes(out, &bytes)?;
        }
    }
    Ok(())
}
