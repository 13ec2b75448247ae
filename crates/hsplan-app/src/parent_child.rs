//! A parent plan and its children together: for every indicator both set a target for, the
//! child's target beside the parent's (more or less ambitious, in the indicator's
//! direction), and — from the store — how far each unit one level below the parent's
//! jurisdiction stands from the parent's target and its share of the parent's whole gap.

use crate::{AppError, Result};
use hsplan_model::{AdminCode, ServiceSystem, Year};
use hsplan_plan::{Direction, Plan, PublishedValue};
use serde::Serialize;
use utoipa::ToSchema;

/// A workspace plan beside every plan of the workspace that names it as a parent, measured on
/// the store `who` may read — only for a reader who may see the parent's whole jurisdiction
/// (a part would give wrong totals and shares); to anyone else the jurisdiction is not found,
/// as every unit outside a reader's scope is.
pub fn compare_in_workspace(
    ws: &crate::Workspace,
    parent_id: &str,
    year: i64,
    who: Option<&hsplan_govern::Principal>,
) -> Result<PlanComparison> {
    let plans = ws.plans();
    let parent = plans.get(parent_id)?;
    let j = AdminCode::parse(parent.data.plan.jurisdiction.get_ref())
        .map_err(|e| AppError::invalid("jurisdiction", e.to_string()))?;
    let sees_all = who.is_none_or(|p| {
        p.roots(hsplan_govern::Action::Read)
            .iter()
            .any(|r| hsplan_govern::roles::within(j, *r))
    });
    let snapshot = ws.snapshot_for(who);
    if !sees_all || !snapshot.sys.units.contains_key(&j) {
        return Err(AppError::NotFound(format!("unit {j}")));
    }
    let children: Vec<&Plan> = plans
        .all()
        .values()
        .filter(|c| c.data.plan.parents.iter().any(|p| p == parent_id))
        .collect();
    if children.is_empty() {
        return Err(AppError::NotFound(format!(
            "plans naming {parent_id} as parent"
        )));
    }
    compare(&snapshot.sys, parent, &children, year)
}

/// A target as one plan states it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatedTarget {
    /// Plan id.
    pub plan: String,
    /// The plan's jurisdiction (unit code).
    pub jurisdiction: String,
    /// The target as published.
    pub target: String,
    /// The year it is due.
    pub year: i32,
    /// `table` row or `text`.
    pub source: String,
    /// Compared with the parent's, in the indicator's direction: more, same, less, or
    /// not_comparable (words, or no number).
    pub ambition: String,
}

/// One unit below the parent's jurisdiction against the parent's target.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitGap {
    /// Unit code.
    pub unit: String,
    /// Name.
    pub name: String,
    /// Its value in the year, when computable.
    pub value: Option<f64>,
    /// What it lacks to meet the parent's target on its own (in the indicator's numerator
    /// units: beds, doctors…; 0 when it meets it), when computable.
    pub gap: Option<f64>,
    /// Its share of the sum of the gaps of the units with data, %.
    pub share_pct: Option<f64>,
    /// Whether a child plan covers it.
    pub has_plan: bool,
}

/// An indicator a parent and at least one child set targets for.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SharedIndicator {
    /// Indicator id.
    pub id: String,
    /// 中文.
    pub name_zh: String,
    /// English.
    pub name_en: String,
    /// Unit.
    pub unit: String,
    /// The parent's target.
    pub parent: StatedTarget,
    /// The children's targets.
    pub children: Vec<StatedTarget>,
    /// The library formula, when one computes it.
    pub formula: Option<String>,
    /// Each unit at the children's level within the parent's jurisdiction against the
    /// parent's target (only for a rate with a numeric target, from the store).
    pub units: Vec<UnitGap>,
    /// Sum of the gaps of the units with data.
    pub total_gap: Option<f64>,
    /// Units below the parent's jurisdiction without the data to compute.
    pub units_without_data: usize,
}

/// A parent plan and its children.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanComparison {
    /// Parent plan id.
    pub parent: String,
    /// Child plan ids.
    pub children: Vec<String>,
    /// The year of the gaps.
    pub year: i64,
    /// Every indicator id shared.
    pub indicators: Vec<SharedIndicator>,
}

/// Every numeric-or-not target a plan states for an indicator id: table row first, then the
/// text (the first text target of that id).
fn target_of(plan: &Plan, id: &str) -> Option<(String, i32, String)> {
    let last_year = plan
        .data
        .plan
        .target_years
        .get_ref()
        .last()
        .copied()
        .unwrap_or_default() as i32;
    if let Some(r) = plan
        .data
        .indicators
        .iter()
        .find(|r| r.id.get_ref() == id && r.target.is_some())
    {
        return Some((
            r.target_text().trim().to_string(),
            last_year,
            "table".into(),
        ));
    }
    plan.data
        .text_targets
        .iter()
        .find(|t| t.id.as_ref().is_some_and(|i| i.get_ref() == id))
        .map(|t| {
            (
                t.target.get_ref().trim().to_string(),
                i32::from(*t.year.get_ref()),
                "text".into(),
            )
        })
}

/// Names, unit, direction and formula of an indicator id in a plan.
fn describe(plan: &Plan, id: &str) -> Option<(String, String, String, Direction, Option<String>)> {
    if let Some(r) = plan.data.indicators.iter().find(|r| r.id.get_ref() == id) {
        return Some((
            r.name_zh.clone(),
            r.name_en.clone(),
            r.unit.get_ref().clone(),
            r.direction,
            r.formula.clone(),
        ));
    }
    let t = plan
        .data
        .text_targets
        .iter()
        .find(|t| t.id.as_ref().is_some_and(|i| i.get_ref() == id))?;
    Some((
        t.subject_zh.clone(),
        t.subject_en.clone(),
        t.unit.get_ref().clone(),
        t.direction,
        t.formula
            .clone()
            .or_else(|| hsplan_eval::find(id).map(|d| d.id.to_string())),
    ))
}

fn ambition(child: &str, parent: &str, direction: Direction) -> &'static str {
    match (
        PublishedValue::parse(child).number(),
        PublishedValue::parse(parent).number(),
    ) {
        (Some(c), Some(p)) => {
            let better = match direction {
                Direction::Higher => c > p,
                Direction::Lower => c < p,
                Direction::Neutral => false,
            };
            if (c - p).abs() < 1e-9 {
                "same"
            } else if direction == Direction::Neutral {
                "not_comparable"
            } else if better {
                "more"
            } else {
                "less"
            }
        }
        _ => "not_comparable",
    }
}

/// What `unit` lacks in `year` to meet `target` of a rate (numerator per `factor` of the
/// denominator), in the direction given; None without data.
fn unit_gap(
    sys: &ServiceSystem,
    def: &'static hsplan_eval::IndicatorDef,
    unit: AdminCode,
    year: Year,
    target: f64,
    direction: Direction,
) -> (Option<f64>, Option<f64>) {
    let v = hsplan_eval::compute(sys, def, unit, year);
    let Ok(value) = v.value else {
        return (None, None);
    };
    let Some(den) = v.denominator.and_then(|d| d.complete()) else {
        return (Some(value), None);
    };
    let Some(num) = v.numerator.complete() else {
        return (Some(value), None);
    };
    let needed = target * den / def.factor;
    let gap = match direction {
        Direction::Higher => (needed - num).max(0.0),
        // a "lower is better" rate: what must go to come down to the target
        Direction::Lower => (num - needed).max(0.0),
        Direction::Neutral => return (Some(value), None),
    };
    (Some(value), Some(gap))
}

/// Compares `parent` with `children` for every indicator id they share; the units at the
/// children's level within the parent's jurisdiction are measured against the parent's
/// target in `year`.
pub fn compare(
    sys: &ServiceSystem,
    parent: &Plan,
    children: &[&Plan],
    year: i64,
) -> Result<PlanComparison> {
    let year = crate::parse_year("year", year)?;
    let parent_id = parent.data.plan.id.get_ref().clone();
    for c in children {
        if !c.data.plan.parents.iter().any(|p| p == &parent_id) {
            return Err(AppError::invalid(
                "child",
                format!(
                    "{} does not name {parent_id} among its parents",
                    c.data.plan.id.get_ref()
                ),
            ));
        }
    }
    let jurisdiction = |p: &Plan| AdminCode::parse(p.data.plan.jurisdiction.get_ref()).ok();
    let pj = jurisdiction(parent);
    let child_units: Vec<AdminCode> = children.iter().filter_map(|c| jurisdiction(c)).collect();
    // the units measured: those at the children's level within the parent's jurisdiction
    // (Chongqing's districts, not its two prefecture-level groupings)
    let level = child_units
        .iter()
        .map(|c| c.level())
        .min()
        .filter(|l| pj.is_some_and(|p| *l > p.level()));
    let measured: Vec<&hsplan_model::AdminUnit> = match (pj, level) {
        (Some(p), Some(l)) => sys.descendants(p).filter(|u| u.level() == l).collect(),
        (Some(p), None) => sys.children(p).collect(),
        _ => Vec::new(),
    };
    // the parent's ids, in its order: table rows, then text targets
    let mut ids: Vec<String> = parent
        .data
        .indicators
        .iter()
        .filter(|r| r.target.is_some())
        .map(|r| r.id.get_ref().clone())
        .chain(
            parent
                .data
                .text_targets
                .iter()
                .filter_map(|t| t.id.as_ref().map(|i| i.get_ref().clone())),
        )
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    ids.retain(|i| seen.insert(i.clone()));
    let mut indicators = Vec::new();
    for id in ids {
        let Some((ptarget, pyear, psource)) = target_of(parent, &id) else {
            continue;
        };
        let Some((name_zh, name_en, unit, direction, formula)) = describe(parent, &id) else {
            continue;
        };
        let stated: Vec<StatedTarget> = children
            .iter()
            .filter_map(|c| {
                let (t, y, s) = target_of(c, &id)?;
                Some(StatedTarget {
                    plan: c.data.plan.id.get_ref().clone(),
                    jurisdiction: c.data.plan.jurisdiction.get_ref().clone(),
                    ambition: ambition(&t, &ptarget, direction).into(),
                    target: t,
                    year: y,
                    source: s,
                })
            })
            .collect();
        if stated.is_empty() {
            continue;
        }
        let def = formula.as_deref().and_then(hsplan_eval::find);
        let target = PublishedValue::parse(&ptarget).number();
        let mut units = Vec::new();
        let mut without = 0;
        if let (Some(def), Some(target)) = (def, target)
            && pj.is_some()
            && def.denominator.is_some()
            && def.form == hsplan_eval::Form::Rate
        {
            for u in &measured {
                let (value, gap) = unit_gap(sys, def, u.code, year, target, direction);
                if gap.is_none() {
                    without += 1;
                }
                units.push(UnitGap {
                    unit: u.code.to_string(),
                    name: u.name.clone(),
                    value,
                    gap,
                    share_pct: None,
                    has_plan: child_units.contains(&u.code),
                });
            }
        }
        let total: f64 = units.iter().filter_map(|u| u.gap).sum();
        let any = units.iter().any(|u| u.gap.is_some());
        for u in &mut units {
            u.share_pct = u
                .gap
                .map(|g| if total > 0.0 { g / total * 100.0 } else { 0.0 });
        }
        indicators.push(SharedIndicator {
            id,
            name_zh,
            name_en,
            unit,
            parent: StatedTarget {
                plan: parent_id.clone(),
                jurisdiction: parent.data.plan.jurisdiction.get_ref().clone(),
                target: ptarget,
                year: pyear,
                source: psource,
                ambition: "same".into(),
            },
            children: stated,
            formula: def.map(|d| d.id.to_string()),
            units,
            total_gap: any.then_some(total),
            units_without_data: without,
        });
    }
    Ok(PlanComparison {
        parent: parent_id,
        children: children
            .iter()
            .map(|c| c.data.plan.id.get_ref().clone())
            .collect(),
        year: i64::from(year.get()),
        indicators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambition_follows_the_direction() {
        assert_eq!(ambition("3.9", "3.6", Direction::Higher), "more");
        assert_eq!(ambition("≤3.0", "≤3.5", Direction::Lower), "more");
        assert_eq!(ambition("80", "85", Direction::Higher), "less");
        assert_eq!(ambition("≥60", "60", Direction::Higher), "same");
        assert_eq!(
            ambition("同比例提高", "同比例提高", Direction::Higher),
            "not_comparable"
        );
    }
}
