//! A whole evaluation of a plan for a unit and year — everything an evaluation report
//! (规划评估报告) shows — as data: indicator rows, their trends, sub-unit comparison,
//! equity and status counts. Renderers (terminal, JSON, HTML) read this; nothing here
//! formats text.

use crate::evaluate::{EvaluatedIndicator, LeagueRow, Status, evaluate_plan, gini, league_table};
use hsplan_model::{AdminCode, ServiceSystem, Year};
use serde::Serialize;
use std::collections::BTreeMap;

/// Observed values of one indicator, year by year, up to the evaluated year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Indicator id.
    pub id: String,
    /// (year, value) for every year with a complete value.
    pub values: Vec<(i32, f64)>,
}

/// The sub-units ranked on one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct League {
    /// Indicator id (plan row id).
    pub id: String,
    /// Whether every ranked sub-unit has the same value (the ranking says nothing).
    pub uniform: bool,
    /// Best first.
    pub rows: Vec<LeagueRow>,
}

/// One sub-unit's size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubUnit {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Residents in the evaluated year, when complete.
    pub residents: Option<f64>,
    /// Area from its boundary, km², when it has one.
    pub area_km2: Option<f64>,
}

/// How evenly a resource is spread over the sub-units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Equity {
    /// Library indicator id (a per-population density).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Gini of the resource relative to population.
    pub gini_by_population: Option<f64>,
    /// Gini of the resource relative to area (needs boundaries).
    pub gini_by_area: Option<f64>,
}

/// Everything evaluated for a plan, unit and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Plan id.
    pub plan: String,
    /// Plan title as published.
    pub title_zh: String,
    /// Plan title in English.
    pub title_en: String,
    /// Unit evaluated.
    pub unit: String,
    /// Its name.
    pub unit_name: String,
    /// Year evaluated.
    pub year: i32,
    /// Plan baseline year.
    pub baseline_year: Option<i32>,
    /// Plan target year (the last one).
    pub target_year: i32,
    /// Indicator rows, binding first.
    pub indicators: Vec<EvaluatedIndicator>,
    /// How many rows have each status.
    pub status_counts: BTreeMap<Status, usize>,
    /// Observed values of each evaluated indicator.
    pub trends: Vec<Trend>,
    /// The direct sub-units.
    pub sub_units: Vec<SubUnit>,
    /// Sub-units ranked, for every indicator computable per sub-unit.
    pub leagues: Vec<League>,
    /// Equity of beds, doctors and nurses across the sub-units.
    pub equity: Vec<Equity>,
    /// The data-quality review of the unit for the year (and of the plan's baselines).
    pub quality: crate::quality::QualityReview,
    /// Utilisation indicators counted from record-level data, when records cover the unit
    /// (or part of it) in the year; empty otherwise.
    pub utilisation: Vec<UtilisationRow>,
}

/// One utilisation indicator counted from records, for the unit and its sub-units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UtilisationRow {
    /// Library indicator id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Unit of the value.
    pub unit: String,
    /// The value, when computable.
    pub value: Option<f64>,
    /// Why there is none.
    pub gap: Option<crate::Gap>,
    /// Numerator as counted.
    pub numerator: f64,
    /// Denominator as counted (None for counts).
    pub denominator: Option<f64>,
    /// Whether the evaluated plan has a target row for this indicator.
    pub plan_row: bool,
    /// Values of the direct sub-units (code, name, value).
    pub sub_units: Vec<(String, String, Option<f64>)>,
}

/// The utilisation indicators for `unit` in `year`, when records cover any of it.
pub fn utilisation_rows(
    sys: &ServiceSystem,
    unit: AdminCode,
    year: Year,
    plan: Option<&hsplan_plan::Plan>,
) -> Vec<UtilisationRow> {
    let covered = hsplan_model::RecordTable::ALL.iter().any(|t| {
        sys.utilisation.covers_part_of(unit, year, *t) || sys.utilisation.covers(unit, year, *t)
    });
    if !covered {
        return Vec::new();
    }
    let subs = sys.sub_units(unit);
    crate::INDICATORS
        .iter()
        .filter(|d| crate::from_records(d))
        .map(|d| {
            let v = crate::compute(sys, d, unit, year);
            UtilisationRow {
                id: d.id.to_string(),
                name_zh: d.name_zh.to_string(),
                name_en: d.name_en.to_string(),
                unit: d.unit.to_string(),
                value: v.value.ok(),
                gap: v.value.err(),
                numerator: v.numerator.value,
                denominator: v.denominator.map(|a| a.value),
                plan_row: plan.is_some_and(|p| {
                    p.data
                        .indicators
                        .iter()
                        .any(|i| i.formula.as_deref() == Some(d.id))
                        || p.data.text_targets.iter().any(|t| {
                            let id = t.id.as_ref().map(|s| s.get_ref().as_str());
                            t.formula.as_deref().or(id) == Some(d.id)
                        })
                }),
                sub_units: subs
                    .iter()
                    .map(|u| {
                        (
                            u.code.to_string(),
                            u.name.clone(),
                            crate::compute(sys, d, u.code, year).value.ok(),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Densities whose spread over sub-units the report measures.
pub const EQUITY_INDICATORS: [&str; 3] = [
    "beds_per_1000",
    "licensed_doctors_per_1000",
    "registered_nurses_per_1000",
];

/// The library formula a plan row (a table row) is computed with.
fn formula_of(plan: &hsplan_plan::Plan, id: &str) -> Option<&'static crate::IndicatorDef> {
    let ind = plan.data.indicators.iter().find(|i| i.id.get_ref() == id)?;
    crate::find(ind.formula.as_deref()?)
}

/// Evaluates `plan` for `unit` in `year`: rows, trends, sub-unit comparison and equity.
pub fn evaluate(
    sys: &ServiceSystem,
    plan: &hsplan_plan::Plan,
    unit: AdminCode,
    year: Year,
) -> Evaluation {
    let h = &plan.data.plan;
    let mut indicators = evaluate_plan(sys, plan, unit, year);
    let mut quality = crate::quality::review(sys, unit, year, &crate::quality::Rules::default());
    // Published baselines are the jurisdiction's own.
    if hsplan_model::AdminCode::parse(h.jurisdiction.get_ref()) == Ok(unit) {
        crate::quality::check_plan_baselines(&mut quality, sys, plan, unit);
    }
    for r in &mut indicators {
        if let Some(def) = crate::find(&r.formula) {
            r.doubt = crate::quality::doubt_for(sys, &quality, &r.id, def);
        }
    }
    let mut status_counts = BTreeMap::new();
    for r in &indicators {
        *status_counts.entry(r.status).or_insert(0) += 1;
    }
    let years: Vec<Year> = sys.years().into_iter().filter(|y| *y <= year).collect();
    let trends = indicators
        .iter()
        .filter_map(|r| {
            let def = formula_of(plan, &r.id)?;
            let values = years
                .iter()
                .filter_map(|&y| {
                    crate::compute(sys, def, unit, y)
                        .value
                        .ok()
                        .map(|v| (y.get() as i32, v))
                })
                .collect();
            Some(Trend {
                id: r.id.clone(),
                values,
            })
        })
        .collect();
    let resident = crate::PopulationBase::Resident;
    let sub_units: Vec<SubUnit> = sys
        .sub_units(unit)
        .into_iter()
        .map(|u| SubUnit {
            code: u.code.to_string(),
            name: u.name.clone(),
            residents: crate::measure::population(sys, u.code, year, resident).complete(),
            area_km2: u.boundary.as_ref().map(|b| b.area().0),
        })
        .collect();
    let leagues = indicators
        .iter()
        .filter_map(|r| {
            let def = formula_of(plan, &r.id)?;
            let direction = plan
                .data
                .indicators
                .iter()
                .find(|i| i.id.get_ref() == &r.id)?
                .direction;
            let rows = league_table(sys, def, unit, year, direction);
            let values: Vec<f64> = rows.iter().filter_map(|l| l.value).collect();
            if values.is_empty() {
                return None;
            }
            Some(League {
                id: r.id.clone(),
                uniform: values.windows(2).all(|w| w[0] == w[1]),
                rows,
            })
        })
        .collect();
    let equity = EQUITY_INDICATORS
        .iter()
        .filter_map(|id| {
            let def = crate::find(id)?;
            let mut by_pop = Vec::new();
            let mut by_area = Vec::new();
            for (u, s) in sys.sub_units(unit).into_iter().zip(&sub_units) {
                let v = crate::compute(sys, def, u.code, year);
                let resource = v.numerator.value;
                by_pop.push((resource, v.denominator.map(|d| d.value).unwrap_or(0.0)));
                by_area.push((resource, s.area_km2.unwrap_or(0.0)));
            }
            Some(Equity {
                id: id.to_string(),
                name_zh: def.name_zh.to_string(),
                name_en: def.name_en.to_string(),
                gini_by_population: gini(&by_pop),
                // Only when every sub-unit has an area.
                gini_by_area: sub_units
                    .iter()
                    .all(|s| s.area_km2.is_some())
                    .then(|| gini(&by_area))
                    .flatten(),
            })
        })
        .collect();
    Evaluation {
        plan: h.id.get_ref().clone(),
        title_zh: h.title_zh.clone(),
        title_en: h.title_en.clone(),
        unit: unit.to_string(),
        unit_name: sys
            .units
            .get(&unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        year: year.get() as i32,
        baseline_year: h.baseline_year.as_ref().map(|y| *y.get_ref() as i32),
        target_year: h.target_years.get_ref().last().copied().unwrap_or_default() as i32,
        indicators,
        status_counts,
        trends,
        sub_units,
        leagues,
        equity,
        quality,
        utilisation: utilisation_rows(sys, unit, year, Some(plan)),
    }
}
