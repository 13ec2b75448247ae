//! Evaluation arithmetic: the expected value on the path from baseline to target,
//! progress, status, projection to the target year and the resource gap.
//!
//! Status thresholds (documented in docs/evaluation.md):
//! - **achieved** (已达成): the actual value meets the target (its comparator respected);
//! - otherwise, with progress p = (actual − baseline) / (target − baseline) and the
//!   share of time elapsed t = (year − baseline year) / (target year − baseline year):
//!   **on track** (进度正常) when p ≥ t; **lagging** (滞后) when p ≥ 0.8 t;
//!   **off track** (严重滞后) when 0 ≤ p < 0.8 t; **regressing** (倒退) when p < 0;
//! - **no data** (无数据) when the actual value or the baseline is missing.

use hsplan_plan::{Comparator, Direction};
use std::collections::BTreeMap;

/// Where an indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已达成.
    Achieved,
    /// 进度正常.
    OnTrack,
    /// 滞后.
    Lagging,
    /// 严重滞后.
    OffTrack,
    /// 倒退.
    Regressing,
    /// 无数据.
    NoData,
}

impl Status {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Status::Achieved => "已达成",
            Status::OnTrack => "进度正常",
            Status::Lagging => "滞后",
            Status::OffTrack => "严重滞后",
            Status::Regressing => "倒退",
            Status::NoData => "无数据",
        }
    }
    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on track",
            Status::Lagging => "lagging",
            Status::OffTrack => "off track",
            Status::Regressing => "regressing",
            Status::NoData => "no data",
        }
    }
}

/// A target: a number, its comparator and the indicator's direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Target value.
    pub value: f64,
    /// ≥, ≤, =, ≈ …
    pub comparator: Comparator,
    /// Which way is better.
    pub direction: Direction,
}

impl Target {
    /// Whether a value meets the target.
    pub fn is_met_by(&self, actual: f64) -> bool {
        let eps = 1e-9 * self.value.abs().max(1.0);
        match self.comparator {
            Comparator::AtLeast => actual >= self.value - eps,
            Comparator::Above => actual > self.value,
            Comparator::AtMost => actual <= self.value + eps,
            Comparator::Below => actual < self.value,
            Comparator::Equal | Comparator::About => match self.direction {
                Direction::Higher => actual >= self.value - eps,
                Direction::Lower => actual <= self.value + eps,
                Direction::Neutral => {
                    (actual - self.value).abs() <= 0.05 * self.value.abs().max(1e-9)
                }
            },
        }
    }
}

/// The expected value in `year` on the straight path from baseline to target (annual target decomposition).
pub fn expected_value(baseline: (i32, f64), target: (i32, f64), year: i32) -> f64 {
    let (y0, v0) = baseline;
    let (y1, v1) = target;
    if y1 == y0 {
        return v1;
    }
    let t = ((year - y0) as f64 / (y1 - y0) as f64).clamp(0.0, 1.0);
    v0 + (v1 - v0) * t
}

/// Progress from baseline towards target, in % (100 = target reached).
pub fn progress_pct(baseline: f64, target: f64, actual: f64) -> Option<f64> {
    ((target - baseline).abs() > f64::EPSILON)
        .then(|| (actual - baseline) / (target - baseline) * 100.0)
}

/// The status of an indicator in `year`.
pub fn status(
    baseline: Option<(i32, f64)>,
    target: (i32, Target),
    actual: Option<f64>,
    year: i32,
) -> Status {
    let Some(actual) = actual else {
        return Status::NoData;
    };
    let (target_year, t) = target;
    if t.is_met_by(actual) {
        return Status::Achieved;
    }
    let Some((base_year, base)) = baseline else {
        return Status::NoData;
    };
    let Some(p) = progress_pct(base, t.value, actual) else {
        return Status::OffTrack;
    };
    let elapsed = if target_year == base_year {
        1.0
    } else {
        ((year - base_year) as f64 / (target_year - base_year) as f64).clamp(0.0, 1.0)
    };
    let p = p / 100.0;
    // Within 0.1 % of the baseline counts as no movement, not as a step back.
    if p < -1e-3 {
        Status::Regressing
    } else if p >= elapsed {
        Status::OnTrack
    } else if p >= 0.8 * elapsed {
        Status::Lagging
    } else {
        Status::OffTrack
    }
}

/// Values projected to a year from observations.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Projection {
    /// Least-squares straight line through the observations.
    pub linear: f64,
    /// Constant annual growth rate from the first to the last observation.
    pub compound: Option<f64>,
}

/// Projects observed values to `year`. Needs at least two observed years.
pub fn project(observed: &BTreeMap<i32, f64>, year: i32) -> Option<Projection> {
    if observed.len() < 2 {
        return None;
    }
    let n = observed.len() as f64;
    let mx = observed.keys().map(|&y| y as f64).sum::<f64>() / n;
    let my = observed.values().sum::<f64>() / n;
    let sxx: f64 = observed.keys().map(|&y| (y as f64 - mx).powi(2)).sum();
    let sxy: f64 = observed
        .iter()
        .map(|(&y, &v)| (y as f64 - mx) * (v - my))
        .sum();
    let slope = sxy / sxx;
    let linear = my + slope * (year as f64 - mx);
    let (&y0, &v0) = observed.iter().next()?;
    let (&y1, &v1) = observed.iter().next_back()?;
    let compound =
        (v0 > 0.0 && v1 > 0.0).then(|| v1 * (v1 / v0).powf((year - y1) as f64 / (y1 - y0) as f64));
    Some(Projection { linear, compound })
}

/// How many more units of a resource (doctors, beds…) the target needs at the
/// projected population: ⌈target × population ÷ factor − current⌉, at least 0.
pub fn resource_gap(
    target_density: f64,
    factor: f64,
    projected_population: f64,
    current: f64,
) -> u64 {
    let needed = target_density * projected_population / factor - current;
    if needed <= 0.0 {
        0
    } else {
        needed.ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn higher(v: f64) -> Target {
        Target {
            value: v,
            comparator: Comparator::Equal,
            direction: Direction::Higher,
        }
    }

    #[test]
    fn path_and_progress() {
        assert!((expected_value((2020, 3.88), (2025, 3.9), 2023) - 3.892).abs() < 1e-12);
        assert_eq!(expected_value((2020, 1.0), (2025, 2.0), 2030), 2.0);
        assert_eq!(progress_pct(2.0, 4.0, 3.0), Some(50.0));
        assert_eq!(progress_pct(2.0, 2.0, 3.0), None);
    }

    #[test]
    fn status_boundaries() {
        let t = (2025, higher(10.0));
        let b = Some((2020, 0.0));
        // 3 of 5 years elapsed in 2023: on track needs ≥ 6, lagging ≥ 4.8.
        assert_eq!(status(b, t, Some(10.0), 2023), Status::Achieved);
        assert_eq!(status(b, t, Some(6.0), 2023), Status::OnTrack);
        assert_eq!(status(b, t, Some(5.99), 2023), Status::Lagging);
        assert_eq!(status(b, t, Some(4.8), 2023), Status::Lagging);
        assert_eq!(status(b, t, Some(4.79), 2023), Status::OffTrack);
        assert_eq!(status(b, t, Some(0.0), 2023), Status::OffTrack);
        assert_eq!(status(b, t, Some(-0.1), 2023), Status::Regressing);
        assert_eq!(status(b, t, None, 2023), Status::NoData);
        assert_eq!(status(None, t, Some(3.0), 2023), Status::NoData);
        // Lower is better: average stay 9.9 → <8.
        let los = (
            2025,
            Target {
                value: 8.0,
                comparator: Comparator::Below,
                direction: Direction::Lower,
            },
        );
        assert_eq!(
            status(Some((2020, 9.9)), los, Some(7.9), 2023),
            Status::Achieved
        );
        assert_eq!(
            status(Some((2020, 9.9)), los, Some(8.0), 2023),
            Status::OnTrack
        );
        assert_eq!(
            status(Some((2020, 9.9)), los, Some(10.2), 2023),
            Status::Regressing
        );
    }

    #[test]
    fn projections() {
        let obs: BTreeMap<i32, f64> = [(2020, 100.0), (2021, 110.0), (2022, 121.0)]
            .into_iter()
            .collect();
        let p = project(&obs, 2025).unwrap();
        assert!((p.compound.unwrap() - 161.051).abs() < 1e-9);
        assert!((p.linear - (110.333_333_333 + 10.5 * 4.0)).abs() < 1e-6);
        assert!(project(&[(2020, 1.0)].into_iter().collect(), 2025).is_none());
    }

    #[test]
    fn gaps() {
        // 3.9 doctors per 1000 for 850,000 people = 3315; 3300 now → 15 more.
        assert_eq!(resource_gap(3.9, 1000.0, 850_000.0, 3300.0), 15);
        assert_eq!(resource_gap(3.9, 1000.0, 850_000.0, 4000.0), 0);
    }
}

/// One plan indicator evaluated for a year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvaluatedIndicator {
    /// Plan row label.
    pub row: String,
    /// Indicator id.
    pub id: String,
    /// The library formula it is computed with.
    pub formula: String,
    /// Name as published.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Binding (约束性) or not.
    pub binding: bool,
    /// Baseline as published.
    pub baseline: String,
    /// Target as published.
    pub target: String,
    /// Value computed from the model for the year (x of 1:x for ratios).
    pub actual: Option<f64>,
    /// Expected value for the year on the path from baseline to target.
    pub expected: Option<f64>,
    /// Progress from baseline to target, %.
    pub progress_pct: Option<f64>,
    /// Status.
    pub status: Status,
    /// Projection to the target year from the observed years up to the evaluated one.
    pub projection: Option<Projection>,
    /// Whether the linear projection meets the target.
    pub will_reach: Option<bool>,
    /// Units of the numerator's resource still needed in the target year at the projected
    /// population (densities per population only), e.g. 需新增执业（助理）医师 N 人.
    pub gap: Option<u64>,
    /// The population the gap was computed at, and where it came from.
    pub projected_population: Option<ProjectedPopulation>,
    /// For a target stated in the text (not a table row): the words of the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Findings of the data-quality review in the row's inputs, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doubt: Option<crate::quality::Doubt>,
}

/// Where a target year's population comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationBasis {
    /// Population records for the target year in the store (e.g. an imported
    /// projection table, `source = projection`).
    Table,
    /// Linear trend of the observed years.
    Trend,
}

/// A target year's population.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ProjectedPopulation {
    /// The population base's size (residents, children…).
    pub persons: f64,
    /// Where it came from.
    pub basis: PopulationBasis,
}

/// Evaluates every plan indicator that has a formula in the library, for `unit` in `year`.
/// Binding indicators come first, then the plan's order.
pub fn evaluate_plan(
    sys: &hsplan_model::ServiceSystem,
    plan: &hsplan_plan::Plan,
    unit: hsplan_model::AdminCode,
    year: hsplan_model::Year,
) -> Vec<EvaluatedIndicator> {
    use hsplan_plan::{Nature, PublishedValue};
    let h = &plan.data.plan;
    let base_year = h.baseline_year.as_ref().map(|y| *y.get_ref() as i32);
    let target_year = h.target_years.get_ref().last().copied().unwrap_or_default() as i32;
    let mut rows: Vec<EvaluatedIndicator> = plan
        .data
        .indicators
        .iter()
        .filter_map(|ind| {
            let def = crate::find(ind.formula.as_deref()?)?;
            let base = ind
                .baseline
                .as_ref()
                .and_then(|b| PublishedValue::parse(b.get_ref()).number())
                .zip(base_year)
                .map(|(v, y)| (y, v));
            evaluate_row(
                sys,
                def,
                unit,
                year,
                RowSpec {
                    row: ind.row.get_ref().clone(),
                    id: ind.id.get_ref().clone(),
                    name_zh: ind.name_zh.clone(),
                    name_en: ind.name_en.clone(),
                    binding: ind.nature == Some(Nature::Binding),
                    baseline: ind.baseline_text().to_string(),
                    base,
                    target: ind.target.as_ref().map(|_| ind.target_text())?,
                    target_year,
                    direction: ind.direction,
                    quote: None,
                },
            )
        })
        .collect();
    // Quantitative targets stated in the text, whose id is a library formula and which no
    // table row already evaluates: due in their own year, with the model's value in the
    // plan's baseline year as their starting point (the text states none).
    for t in &plan.data.text_targets {
        let Some(id) = t.id.as_ref().map(|i| i.get_ref()) else {
            continue;
        };
        let Some(def) = crate::find(t.formula.as_deref().unwrap_or(id)) else {
            continue;
        };
        if rows.iter().any(|r| &r.id == id) {
            continue;
        }
        let base = base_year.and_then(|y| {
            let by = hsplan_model::Year::new(i64::from(y)).ok()?;
            let v = crate::compute(sys, def, unit, by).value.ok()?;
            Some((y, v))
        });
        // "≈": the model's value, not a published one
        let baseline = match (base, def.form) {
            (Some((_, v)), crate::Form::OneTo) => format!("≈1:{:.2}", v),
            (Some((_, v)), _) => format!("≈{:.2}", v),
            (None, _) => "—".to_string(),
        };
        let row = evaluate_row(
            sys,
            def,
            unit,
            year,
            RowSpec {
                row: t.section.clone(),
                id: id.clone(),
                name_zh: t.subject_zh.clone(),
                name_en: t.subject_en.clone(),
                binding: false,
                baseline,
                base,
                target: t.target.get_ref().trim(),
                target_year: i32::from(*t.year.get_ref()),
                direction: t.direction,
                quote: Some(t.quote.get_ref().clone()),
            },
        );
        rows.extend(row);
    }
    rows.sort_by_key(|r| !r.binding);
    rows
}

/// One row to evaluate: a table row, or a target stated in the text.
struct RowSpec<'a> {
    row: String,
    id: String,
    name_zh: String,
    name_en: String,
    binding: bool,
    baseline: String,
    base: Option<(i32, f64)>,
    target: &'a str,
    target_year: i32,
    direction: hsplan_plan::Direction,
    quote: Option<String>,
}

/// Evaluates one row with its library formula: actual, expected path, progress, status,
/// projection and gap (None when the target is not a number or a ratio).
fn evaluate_row(
    sys: &hsplan_model::ServiceSystem,
    def: &'static crate::IndicatorDef,
    unit: hsplan_model::AdminCode,
    year: hsplan_model::Year,
    spec: RowSpec<'_>,
) -> Option<EvaluatedIndicator> {
    use hsplan_plan::PublishedValue;
    let (tv, comparator) = match PublishedValue::parse(spec.target) {
        PublishedValue::Number {
            value, comparator, ..
        } => (value, comparator),
        PublishedValue::Ratio {
            per_one,
            comparator,
        } => (per_one, comparator),
        _ => return None,
    };
    let target_year = spec.target_year;
    let actual = crate::compute(sys, def, unit, year).value.ok();
    let target = Target {
        value: tv,
        comparator,
        direction: spec.direction,
    };
    let base = spec.base;
    let expected = base.map(|b| expected_value(b, (target_year, tv), year.get() as i32));
    let observed: BTreeMap<i32, f64> = sys
        .years()
        .into_iter()
        .filter(|y| *y <= year)
        .filter_map(|y| {
            crate::compute(sys, def, unit, y)
                .value
                .ok()
                .map(|v| (y.get() as i32, v))
        })
        .collect();
    // A share cannot be projected beyond 0–100 %.
    let projection = project(&observed, target_year).map(|p| {
        if def.unit == "%" {
            Projection {
                linear: p.linear.clamp(0.0, 100.0),
                compound: p.compound.map(|c| c.clamp(0.0, 100.0)),
            }
        } else {
            p
        }
    });
    let will_reach = projection.map(|p| target.is_met_by(p.linear));
    let (gap, projected_population) = population_gap(sys, def, unit, year, target_year, tv).unzip();
    Some(EvaluatedIndicator {
        row: spec.row,
        id: spec.id,
        formula: def.id.to_string(),
        name_zh: spec.name_zh,
        name_en: spec.name_en,
        binding: spec.binding,
        baseline: spec.baseline,
        target: spec.target.to_string(),
        actual,
        expected,
        progress_pct: base
            .zip(actual)
            .and_then(|((_, b), a)| progress_pct(b, tv, a)),
        status: status(base, (target_year, target), actual, year.get() as i32),
        projection,
        will_reach,
        gap,
        projected_population,
        quote: spec.quote,
        doubt: None,
    })
}

/// For a per-population density: how many more units the target needs in the target year.
/// The target year's population is the stored one when every part of the unit has a record
/// for that year (a projection table), else the linear trend of the observed years.
fn population_gap(
    sys: &hsplan_model::ServiceSystem,
    def: &'static crate::IndicatorDef,
    unit: hsplan_model::AdminCode,
    year: hsplan_model::Year,
    target_year: i32,
    target: f64,
) -> Option<(u64, ProjectedPopulation)> {
    let crate::Measure::Population(base) = def.denominator? else {
        return None;
    };
    if def.form != crate::Form::Rate {
        return None;
    }
    let pops: BTreeMap<i32, f64> = sys
        .years()
        .into_iter()
        .filter(|y| *y <= year)
        .filter_map(|y| {
            crate::measure::population(sys, unit, y, base)
                .complete()
                .map(|p| (y.get() as i32, p))
        })
        .collect();
    let stored = hsplan_model::Year::new(target_year as i64)
        .ok()
        .and_then(|ty| crate::measure::population(sys, unit, ty, base).complete());
    let projected = match stored {
        Some(persons) => ProjectedPopulation {
            persons,
            basis: PopulationBasis::Table,
        },
        None => ProjectedPopulation {
            persons: project(&pops, target_year)?.linear,
            basis: PopulationBasis::Trend,
        },
    };
    let current = def.numerator.amount(sys, unit, year).complete()?;
    Some((
        resource_gap(target, def.factor, projected.persons, current),
        projected,
    ))
}

/// One sub-unit in a league table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeagueRow {
    /// Sub-unit code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its value, if complete.
    pub value: Option<f64>,
    /// Numerator (e.g. beds) as reported.
    pub numerator: f64,
    /// Denominator (e.g. residents) as reported.
    pub denominator: Option<f64>,
}

/// The indicator for every direct sub-unit of `unit`, best first (in the indicator's
/// direction; sub-units without a complete value last).
pub fn league_table(
    sys: &hsplan_model::ServiceSystem,
    def: &'static crate::IndicatorDef,
    unit: hsplan_model::AdminCode,
    year: hsplan_model::Year,
    direction: Direction,
) -> Vec<LeagueRow> {
    let mut rows: Vec<LeagueRow> = sys
        .sub_units(unit)
        .into_iter()
        .map(|u| {
            let v = crate::compute(sys, def, u.code, year);
            LeagueRow {
                unit: u.code.to_string(),
                name: u.name.clone(),
                value: v.value.ok(),
                numerator: v.numerator.value,
                denominator: v.denominator.map(|d| d.value),
            }
        })
        .collect();
    rows.sort_by(|a, b| match (a.value, b.value) {
        (Some(x), Some(y)) => match direction {
            Direction::Lower => x.total_cmp(&y),
            _ => y.total_cmp(&x),
        }
        .then_with(|| a.unit.cmp(&b.unit)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit.cmp(&b.unit),
    });
    rows
}

/// Gini coefficient of a resource across groups relative to their population
/// (0 = resource spread exactly like the population, 1 = all in one group).
/// `groups` are (resource, population); groups without population are skipped.
pub fn gini(groups: &[(f64, f64)]) -> Option<f64> {
    let mut g: Vec<(f64, f64)> = groups
        .iter()
        .copied()
        .filter(|&(r, p)| p > 0.0 && r >= 0.0)
        .collect();
    let (rt, pt): (f64, f64) = g.iter().fold((0.0, 0.0), |(a, b), &(r, p)| (a + r, b + p));
    if g.len() < 2 || rt <= 0.0 {
        return None;
    }
    g.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let (mut x0, mut y0, mut area) = (0.0, 0.0, 0.0);
    for (r, p) in g {
        let (x1, y1) = (x0 + p / pt, y0 + r / rt);
        area += (x1 - x0) * (y1 + y0);
        (x0, y0) = (x1, y1);
    }
    Some(1.0 - area)
}

#[cfg(test)]
mod league_tests {
    use super::*;

    #[test]
    fn gini_bounds() {
        assert!(
            (gini(&[(10.0, 100.0), (20.0, 200.0)]).unwrap()).abs() < 1e-12,
            "proportional spread is 0"
        );
        // All resource in one of two equal groups: 0.5 for two groups.
        assert!((gini(&[(0.0, 100.0), (10.0, 100.0)]).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(gini(&[(1.0, 1.0)]), None);
        assert_eq!(gini(&[(0.0, 1.0), (0.0, 1.0)]), None);
    }
}
