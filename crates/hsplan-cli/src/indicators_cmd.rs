//! `hsplan indicators`: every library indicator for one unit and year.

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result};
use hsplan_eval::{Form, Gap, INDICATORS, compute};
use hsplan_model::{AdminCode, Year};
use std::path::Path;

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// `hsplan indicators --files DIR`: every indicator for every unit and year of a system
/// given as flat files, through the application layer; a progress bar on a terminal.
pub fn files(
    dir: &Path,
    out: Option<&Path>,
    only: &[String],
    threads: usize,
    lang: Lang,
) -> Result<()> {
    let bar = crate::progress::TerminalProgress::new(lang);
    let e = hsplan_app::evaluation::evaluate_files(dir, only, threads, &bar)?;
    drop(bar);
    let written = match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            hsplan_app::evaluation::files_csv(&e, &mut w)
                .and_then(|()| std::io::Write::flush(&mut w))
                .with_context(|| format!("{}: cannot write", path.display()))?;
            path.display().to_string()
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            hsplan_app::evaluation::files_csv(&e, &mut w)?;
            std::io::Write::flush(&mut w)?;
            return Ok(());
        }
    };
    println!(
        "{}",
        fill(
            Msg::IndicatorsFromFiles.text(lang),
            &[
                ("units", &e.columns.units().len()),
                ("facilities", &e.columns.facility_count()),
                ("years", &e.columns.years().len()),
                ("indicators", &e.indicators.len()),
                ("read", &format!("{:.2}", e.read_s)),
                ("evaluate", &format!("{:.2}", e.evaluate_s)),
                ("out", &written),
            ]
        )
    );
    Ok(())
}

pub fn run(db: &Path, unit: &str, year: i64, json: bool, lang: Lang) -> Result<()> {
    let year = Year::new(year).with_context(|| "--year")?;
    let sys = crate::commands::open_read(db)?.load()?;
    // a code, or the id of a unit read from another system (a DHIS2 uid)
    let unit = match sys.find_unit(unit) {
        Some(u) => u.code,
        None => AdminCode::parse(unit).with_context(|| "--unit")?,
    };
    let values: Vec<_> = INDICATORS
        .iter()
        .map(|def| compute(&sys, def, unit, year))
        .collect();
    if json {
        let rows: Vec<_> = values
            .iter()
            .map(|v| {
                serde_json::json!({
                    "id": v.def.id, "unit": v.def.unit, "value": v.value.ok(),
                    "gap": v.value.err(), "numerator": v.numerator.value,
                    "denominator": v.denominator.map(|d| d.value),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"unit": unit.to_string(), "year": year.get(), "indicators": rows})
            )?
        );
        return Ok(());
    }
    println!(
        "{}{}  {} / {}",
        pad(Msg::Indicator.text(lang), 64),
        pad(Msg::Value.text(lang), 12),
        Msg::Numerator.text(lang),
        Msg::Denominator.text(lang)
    );
    for v in &values {
        let name = match lang {
            Lang::Zh => v.def.name_zh,
            Lang::En => v.def.name_en,
        };
        let shown = match v.value {
            Ok(x) if v.def.form == Form::OneTo => format!("1:{x:.2}"),
            Ok(x) => fmt_num(x),
            Err(Gap::NumeratorIncomplete { missing }) => {
                fill(Msg::GapNumerator.text(lang), &[("missing", &missing)])
            }
            Err(Gap::DenominatorIncomplete { missing }) => {
                fill(Msg::GapDenominator.text(lang), &[("missing", &missing)])
            }
            Err(Gap::ZeroDenominator) => Msg::GapZero.text(lang).to_string(),
        };
        let parts = match v.denominator {
            Some(d) => format!("{} / {}", fmt_num(v.numerator.value), fmt_num(d.value)),
            None => fmt_num(v.numerator.value),
        };
        println!(
            "{}{}  {parts}",
            pad(&format!("{name}（{}）", v.def.unit), 64),
            pad(&shown, 12)
        );
    }
    Ok(())
}
