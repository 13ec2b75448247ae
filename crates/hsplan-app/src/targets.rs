//! Every quantitative target of a plan and what becomes of it: evaluated with a library
//! formula, waiting for record-level data, or not computable from the model — with the
//! reason, from `data/target-reasons.toml`. Nothing is dropped silently: a target that is
//! neither evaluated nor listed there is `unclassified` (and a test keeps that at zero for
//! the encoded plans).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The reasons file, compiled in.
const REASONS: &str = include_str!("../../../data/target-reasons.toml");

#[derive(Deserialize)]
struct ReasonsFile {
    reason: Vec<ReasonEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonEntry {
    id: String,
    #[serde(default)]
    records: bool,
    zh: String,
    en: String,
    indicators: Vec<String>,
}

/// Why targets of one kind are not evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Reason {
    /// Reason id (outcome, survey, designation, records…).
    pub id: String,
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
    /// Whether the targets wait for record-level data.
    pub records: bool,
}

/// The reasons and the indicator ids each covers.
fn reasons() -> BTreeMap<String, Reason> {
    let file: ReasonsFile = toml::from_str(REASONS).expect("data/target-reasons.toml is valid");
    let mut out = BTreeMap::new();
    for r in file.reason {
        let reason = Reason {
            id: r.id,
            zh: r.zh,
            en: r.en,
            records: r.records,
        };
        for i in r.indicators {
            out.insert(i, reason.clone());
        }
    }
    out
}

/// What becomes of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// Evaluated with a library formula.
    Evaluated,
    /// Waits for record-level data.
    WaitsForRecords,
    /// Not computable from the model; the reason says why.
    NotComputable,
    /// Neither evaluated nor given a reason (a gap in the encoding).
    Unclassified,
}

/// One quantitative target of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanTarget {
    /// `table` (an indicator table row) or `text` (a target stated in the text).
    pub source: String,
    /// Table and row, or section.
    pub place: String,
    /// Indicator id.
    pub id: String,
    /// Name or subject, 中文.
    pub name_zh: String,
    /// Name or subject, English.
    pub name_en: String,
    /// Unit.
    pub unit: String,
    /// Target as published.
    pub target: String,
    /// Evaluated, waiting for records, not computable, unclassified.
    pub state: TargetState,
    /// The library formula, when evaluated.
    pub formula: Option<String>,
    /// Why not, when not evaluated.
    pub reason: Option<Reason>,
}

/// A plan's targets and how many are evaluated, wait for records, or cannot be computed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TargetCoverage {
    /// Plan id.
    pub plan: String,
    /// Every quantitative target, tables first, then the text in order.
    pub targets: Vec<PlanTarget>,
    /// Targets evaluated.
    pub evaluated: usize,
    /// Targets waiting for record-level data.
    pub waits_for_records: usize,
    /// Targets not computable from the model.
    pub not_computable: usize,
    /// Targets with neither a formula nor a reason.
    pub unclassified: usize,
    /// Not-evaluated targets per reason id.
    pub by_reason: BTreeMap<String, usize>,
}

/// Whether a published target is a number or a ratio (what evaluation can compare with).
fn numeric(target: &str) -> bool {
    hsplan_plan::PublishedValue::parse(target)
        .number()
        .is_some()
}

/// The targets of `plan` and what becomes of each.
pub fn coverage(plan: &hsplan_plan::Plan) -> TargetCoverage {
    let reasons = reasons();
    let words = Reason {
        id: "stated_in_words".into(),
        zh: "目标以文字表述（如“同比例提高”），不是可比较的数值".into(),
        en: "the target is stated in words (e.g. \"rise in proportion\"), not a number to compare with"
            .into(),
        records: false,
    };
    let judge = |id: &str, formula: Option<&str>, target: &str| match formula
        .and_then(hsplan_eval::find)
    {
        Some(def) if numeric(target) => (TargetState::Evaluated, Some(def.id.to_string()), None),
        Some(_) => (TargetState::NotComputable, None, Some(words.clone())),
        None => match reasons.get(id) {
            Some(r) if r.records => (TargetState::WaitsForRecords, None, Some(r.clone())),
            Some(r) => (TargetState::NotComputable, None, Some(r.clone())),
            None if !numeric(target) => (TargetState::NotComputable, None, Some(words.clone())),
            None => (TargetState::Unclassified, None, None),
        },
    };
    let mut targets = Vec::new();
    for ind in &plan.data.indicators {
        let Some(target) = ind.target.as_ref() else {
            continue;
        };
        let target = target.get_ref().trim().to_string();
        let (state, formula, reason) = judge(ind.id.get_ref(), ind.formula.as_deref(), &target);
        targets.push(PlanTarget {
            source: "table".into(),
            place: format!("{} {}", ind.table, ind.row.get_ref()),
            id: ind.id.get_ref().clone(),
            name_zh: ind.name_zh.clone(),
            name_en: ind.name_en.clone(),
            unit: ind.unit.get_ref().clone(),
            target,
            state,
            formula,
            reason,
        });
    }
    for t in &plan.data.text_targets {
        let id =
            t.id.as_ref()
                .map(|i| i.get_ref().clone())
                .unwrap_or_default();
        let target = t.target.get_ref().trim().to_string();
        // a text target is evaluated through its own formula, or through the table row of
        // the same indicator
        let row_formula = plan
            .data
            .indicators
            .iter()
            .find(|i| i.id.get_ref() == &id)
            .and_then(|i| i.formula.clone());
        let formula = t
            .formula
            .clone()
            .or_else(|| hsplan_eval::find(&id).map(|d| d.id.to_string()))
            .or(row_formula);
        let (state, formula, reason) = judge(&id, formula.as_deref(), &target);
        targets.push(PlanTarget {
            source: "text".into(),
            place: t.section.clone(),
            id,
            name_zh: t.subject_zh.clone(),
            name_en: t.subject_en.clone(),
            unit: t.unit.get_ref().clone(),
            target,
            state,
            formula,
            reason,
        });
    }
    let count = |s: TargetState| targets.iter().filter(|t| t.state == s).count();
    let mut by_reason = BTreeMap::new();
    for t in &targets {
        if let Some(r) = &t.reason {
            *by_reason.entry(r.id.clone()).or_default() += 1;
        }
    }
    TargetCoverage {
        plan: plan.data.plan.id.get_ref().clone(),
        evaluated: count(TargetState::Evaluated),
        waits_for_records: count(TargetState::WaitsForRecords),
        not_computable: count(TargetState::NotComputable),
        unclassified: count(TargetState::Unclassified),
        by_reason,
        targets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reasons_file_reads_and_names_each_indicator_once() {
        let file: ReasonsFile = toml::from_str(REASONS).unwrap();
        let mut seen = BTreeMap::new();
        for r in &file.reason {
            for i in &r.indicators {
                if let Some(other) = seen.insert(i.clone(), r.id.clone()) {
                    panic!("{i} under both {other} and {}", r.id);
                }
                assert!(
                    hsplan_eval::find(i).is_none(),
                    "{i} has a library formula and a reason"
                );
            }
        }
        assert!(file.reason.iter().any(|r| r.records));
    }
}
