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
