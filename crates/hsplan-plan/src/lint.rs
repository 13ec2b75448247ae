//! The plan lint: unit and value sanity, internal consistency, target direction.

use crate::format::{Direction, IndicatorRow, Nature};
use crate::value::{Comparator, PublishedValue};
use crate::{Location, Plan};
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Certainly wrong.
    Error,
    /// Probably wrong or worth a look.
    Warning,
    /// For information.
    Info,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// Rule code, e.g. `percent-over-100`.
    pub rule: &'static str,
    /// Where (file:line:column).
    pub location: String,
    /// Chinese explanation.
    pub message_zh: String,
    /// English explanation.
    pub message_en: String,
}

fn finding(
    plan: &Plan,
    span: std::ops::Range<usize>,
    severity: Severity,
    rule: &'static str,
    zh: String,
    en: String,
) -> Finding {
    let loc: Location = plan.locate(span);
    Finding {
        severity,
        rule,
        location: loc.to_string(),
        message_zh: zh,
        message_en: en,
    }
}

/// Expected unit families by id suffix.
fn expected_units(id: &str) -> Option<&'static [&'static str]> {
    Some(match () {
        _ if id.ends_with("_per_1000_children") => &["人/千儿童"],
        _ if id.ends_with("_per_1000") => &["人/千人", "张/千人", "个/千人"],
        _ if id.ends_with("_per_10k") => &["人/万人", "辆/万人"],
        _ if id.ends_with("_per_100k") => &["人/十万人", "/10万", "1/10万"],
        _ if id.ends_with("_per_100_beds") => &["人/百床"],
        _ if id.ends_with("_pct") || id.ends_with("_rate") || id.starts_with("share_") => &["%"],
        _ if id.ends_with("_ratio") => &["ratio"],
        _ => return None,
    })
}

/// Runs every lint rule on a plan. Findings come in file order within each rule family.
pub fn lint(plan: &Plan) -> Vec<Finding> {
    let mut out = Vec::new();
    let inds = &plan.data.indicators;
    for ind in inds {
        value_sanity(plan, ind, &mut out);
        direction(plan, ind, &mut out);
    }
    sub_rows(plan, &mut out);
    ledger_totals(plan, &mut out);
    text_against_table(plan, &mut out);
    stated_counts(plan, &mut out);
    implied_ratios(plan, &mut out);
    for q in &plan.data.equipment_quotas {
        if q.planned.get_ref() < q.baseline.get_ref() {
            out.push(finding(
                plan,
                q.planned.span(),
                Severity::Warning,
                "quota-below-baseline",
                format!(
                    "{}：规划数 {} 低于现有数 {}",
                    q.name_zh,
                    q.planned.get_ref(),
                    q.baseline.get_ref()
                ),
                format!(
                    "{}: planned {} is below the existing {}",
                    q.name_en,
                    q.planned.get_ref(),
                    q.baseline.get_ref()
                ),
            ));
        }
    }
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| line_of(&a.location).cmp(&line_of(&b.location)))
    });
    out
}

fn line_of(loc: &str) -> (usize, usize) {
    let mut parts = loc.rsplit(':');
    let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    (line, col)
}

fn value_sanity(plan: &Plan, ind: &IndicatorRow, out: &mut Vec<Finding>) {
    let unit = ind.unit.get_ref().as_str();
    for (label_zh, label_en, cell) in [
        ("基线值", "baseline", &ind.baseline),
        ("目标值", "target", &ind.target),
    ] {
        let Some(cell) = cell else { continue };
        let v = PublishedValue::parse(cell.get_ref());
        if unit == "%" {
            if let Some(n) = v.number() {
                if n > 100.0 {
                    out.push(finding(
                        plan,
                        cell.span(),
                        Severity::Error,
                        "percent-over-100",
                        format!("{}：{label_zh} {n}% 超过100%", ind.name_zh),
                        format!("{}: {label_en} {n}% exceeds 100%", ind.name_en),
                    ));
                }
            }
        }
        let is_ratio = matches!(v, PublishedValue::Ratio { .. });
        if unit == "ratio" && !is_ratio && v != PublishedValue::Missing {
            out.push(finding(
                plan,
                cell.span(),
                Severity::Error,
                "ratio-form",
                format!(
                    "{}：{label_zh}「{}」应写作 1:x",
                    ind.name_zh,
                    cell.get_ref()
                ),
                format!(
                    "{}: {label_en} `{}` should be written 1:x",
                    ind.name_en,
                    cell.get_ref()
                ),
            ));
        }
        if unit != "ratio" && is_ratio {
            out.push(finding(
                plan,
                cell.span(),
                Severity::Error,
                "ratio-form",
                format!("{}：单位为「{unit}」，{label_zh}却写成比例", ind.name_zh),
                format!(
                    "{}: unit is `{unit}` but the {label_en} is written as a ratio",
                    ind.name_en
                ),
            ));
        }
    }
    if let Some(units) = expected_units(ind.id.get_ref()) {
        if !units.contains(&unit) {
            out.push(finding(
                plan,
                ind.unit.span(),
                Severity::Error,
                "unit-mismatch",
                format!(
                    "指标 {} 的单位应为 {}，而不是「{unit}」",
                    ind.id.get_ref(),
                    units.join("/")
                ),
                format!(
                    "indicator {} should be in {}, not `{unit}`",
                    ind.id.get_ref(),
                    units.join("/")
                ),
            ));
        }
    }
}

fn direction(plan: &Plan, ind: &IndicatorRow, out: &mut Vec<Finding>) {
    let (Some(base_cell), Some(target_cell)) = (&ind.baseline, &ind.target) else {
        return;
    };
    let base = PublishedValue::parse(base_cell.get_ref());
    let target = PublishedValue::parse(target_cell.get_ref());
    let (Some(b), Some(t)) = (base.number(), target.number()) else {
        return;
    };
    // A bound (≥ x, ≤ x, < x, > x) the baseline already satisfies is met, whichever way x lies.
    let bound_met = match &target {
        PublishedValue::Number { comparator, .. } | PublishedValue::Ratio { comparator, .. } => {
            match comparator {
                Comparator::AtLeast => Some(b >= t),
                Comparator::Above => Some(b > t),
                Comparator::AtMost => Some(b <= t),
                Comparator::Below => Some(b < t),
                Comparator::Equal | Comparator::About => None,
            }
        }
        _ => None,
    };
    // For ratios 1:x the direction refers to x.
    let (better, worse) = match (bound_met, ind.direction) {
        (Some(met), _) => (met, false),
        (None, Direction::Higher) => (b >= t, t < b),
        (None, Direction::Lower) => (b <= t, t > b),
        (None, Direction::Neutral) => return,
    };
    if worse {
        out.push(finding(
            plan,
            target_cell.span(),
            Severity::Warning,
            "target-against-direction",
            format!(
                "{}：目标值 {} 相对基线 {} 朝不利方向变化",
                ind.name_zh,
                ind.target_text(),
                ind.baseline_text()
            ),
            format!(
                "{}: target {} moves against the indicator's direction from baseline {}",
                ind.name_en,
                ind.target_text(),
                ind.baseline_text()
            ),
        ));
    } else if better {
        out.push(finding(
            plan,
            target_cell.span(),
            Severity::Info,
            "target-met-at-baseline",
            format!(
                "{}：基线值 {} 已达到目标 {}",
                ind.name_zh,
                ind.baseline_text(),
                ind.target_text()
            ),
            format!(
                "{}: baseline {} already meets target {}",
                ind.name_en,
                ind.baseline_text(),
                ind.target_text()
            ),
        ));
    }
}

fn sub_rows(plan: &Plan, out: &mut Vec<Finding>) {
    let inds = &plan.data.indicators;
    let by_row: std::collections::HashMap<(&str, &str), &IndicatorRow> = inds
        .iter()
        .map(|i| ((i.table.as_str(), i.row.get_ref().as_str()), i))
        .collect();
    for sub in inds {
        let Some(parent_row) = &sub.sub_of else {
            continue;
        };
        let Some(parent) = by_row.get(&(sub.table.as_str(), parent_row.get_ref().as_str())) else {
            continue;
        };
        // Only a true part (其中) of the same unit can be compared with its total.
        if parent.unit.get_ref() != sub.unit.get_ref() || !sub.name_zh.starts_with("其中") {
            continue;
        }
        for (label_zh, label_en, s, p) in [
            ("基线", "baseline", &sub.baseline, &parent.baseline),
            ("目标", "target", &sub.target, &parent.target),
        ] {
            let (Some(s), Some(p)) = (s, p) else { continue };
            if let (Some(sv), Some(pv)) = (
                PublishedValue::parse(s.get_ref()).number(),
                PublishedValue::parse(p.get_ref()).number(),
            ) {
                if sv > pv {
                    out.push(finding(
                        plan,
                        s.span(),
                        Severity::Error,
                        "sub-row-exceeds-total",
                        format!("{}：{label_zh} {sv} 大于总数 {pv}", sub.name_zh),
                        format!("{}: {label_en} {sv} exceeds its total {pv}", sub.name_en),
                    ));
                }
            }
        }
    }
}

/// The parts of a stated count must add up to its total.
fn stated_counts(plan: &Plan, out: &mut Vec<Finding>) {
    for c in &plan.data.stated_counts {
        // widened: parts near u64::MAX must not wrap into a false match
        let sum: u128 = c.parts.iter().map(|p| u128::from(p.count)).sum();
        if sum != u128::from(*c.total.get_ref()) {
            out.push(finding(
                plan,
                c.total.span(),
                Severity::Error,
                "ledger-count",
                format!(
                    "{}：总数 {} 与分类之和 {sum} 不符",
                    c.subject_zh,
                    c.total.get_ref()
                ),
                format!(
                    "{}: stated total {} differs from the sum of its parts, {sum}",
                    c.subject_zh,
                    c.total.get_ref()
                ),
            ));
        }
    }
}

/// A target stated in the text must agree with the table row of the same indicator id.
fn text_against_table(plan: &Plan, out: &mut Vec<Finding>) {
    for t in &plan.data.text_targets {
        let Some(id) = &t.id else { continue };
        let Some(row) = plan
            .data
            .indicators
            .iter()
            .find(|i| i.id.get_ref() == id.get_ref())
        else {
            continue;
        };
        if row.unit.get_ref() != t.unit.get_ref() {
            out.push(finding(
                plan,
                t.unit.span(),
                Severity::Warning,
                "text-unit-differs-from-table",
                format!(
                    "正文「{}」的单位「{}」与{}第{}行的「{}」不一致",
                    t.quote.get_ref(),
                    t.unit.get_ref(),
                    row.table,
                    row.row.get_ref(),
                    row.unit.get_ref()
                ),
                format!(
                    "the text (“{}”) uses the unit `{}` where {} row {} uses `{}`",
                    t.quote.get_ref(),
                    t.unit.get_ref(),
                    row.table,
                    row.row.get_ref(),
                    row.unit.get_ref()
                ),
            ));
        }
        let Some(table_target) = &row.target else {
            continue;
        };
        let (Some(text_value), Some(table_value)) = (
            PublishedValue::parse(t.target.get_ref()).number(),
            PublishedValue::parse(table_target.get_ref()).number(),
        ) else {
            continue;
        };
        if text_value != table_value {
            out.push(finding(
                plan,
                t.target.span(),
                Severity::Warning,
                "text-target-differs-from-table",
                format!(
                    "正文「{}」的目标 {} 与{}第{}行的 {} 不一致",
                    t.quote.get_ref(),
                    t.target.get_ref(),
                    row.table,
                    row.row.get_ref(),
                    row.target_text()
                ),
                format!(
                    "the text target {} (“{}”) differs from {} row {}: {}",
                    t.target.get_ref(),
                    t.quote.get_ref(),
                    row.table,
                    row.row.get_ref(),
                    row.target_text()
                ),
            ));
        }
    }
}

/// Project rows must add up to the totals their table states.
fn ledger_totals(plan: &Plan, out: &mut Vec<Finding>) {
    for (check, span, zh, en) in crate::ledger::stated_totals(plan) {
        if !check.matches() {
            out.push(finding(
                plan,
                span,
                Severity::Error,
                if check.column == "count" {
                    "ledger-count"
                } else {
                    "ledger-total"
                },
                format!(
                    "{}：{zh}合计 {} 与各行之和 {} 不符",
                    check.table, check.stated, check.computed
                ),
                format!(
                    "{}: stated {en} {} differs from the sum of its rows, {}",
                    check.table, check.stated, check.computed
                ),
            ));
        }
    }
}

/// Densities that imply a stated ratio: (numerator density id, denominator density id, ratio id).
/// A ratio 1:x states x = numerator/denominator.
const IMPLIED_RATIOS: &[(&str, &str, &str)] = &[
    (
        "registered_nurses_per_1000",
        "licensed_doctors_per_1000",
        "doctor_nurse_ratio",
    ),
    (
        "health_workers_per_1000",
        "beds_per_1000",
        "bed_staff_ratio",
    ),
    (
        "registered_nurses_per_1000",
        "beds_per_1000",
        "bed_nurse_ratio",
    ),
    (
        "licensed_doctors_per_1000",
        "beds_per_1000",
        "bed_doctor_ratio",
    ),
];

fn implied_ratios(plan: &Plan, out: &mut Vec<Finding>) {
    let inds = &plan.data.indicators;
    let find = |id: &str| inds.iter().find(|i| i.id.get_ref() == id);
    for (num_id, den_id, ratio_id) in IMPLIED_RATIOS {
        let (Some(num), Some(den), Some(ratio)) = (find(num_id), find(den_id), find(ratio_id))
        else {
            continue;
        };
        for (label_zh, label_en, pick) in [("基线", "baseline", 0), ("目标", "target", 1)] {
            let cell = |r: &IndicatorRow| {
                if pick == 0 {
                    r.baseline.clone()
                } else {
                    r.target.clone()
                }
            };
            let (Some(n), Some(d), Some(r)) = (cell(num), cell(den), cell(ratio)) else {
                continue;
            };
            let (Some(nv), Some(dv), Some(rv)) = (
                PublishedValue::parse(n.get_ref()).number(),
                PublishedValue::parse(d.get_ref()).number(),
                PublishedValue::parse(r.get_ref()).number(),
            ) else {
                continue;
            };
            if dv == 0.0 {
                continue;
            }
            let implied = nv / dv;
            // Tolerance: the ratio's own published rounding plus the densities' rounding.
            let step = 10f64.powi(-(PublishedValue::decimals(r.get_ref()) as i32)) / 2.0;
            let dens = 10f64.powi(
                -(PublishedValue::decimals(n.get_ref()).min(PublishedValue::decimals(d.get_ref()))
                    as i32),
            ) / 2.0;
            let tolerance = step + implied * dens / dv.max(1e-9) * 2.0;
            if (implied - rv).abs() > tolerance {
                out.push(finding(
                    plan,
                    r.span(),
                    Severity::Warning,
                    "implied-ratio",
                    format!(
                        "{}{}：{}={}、{}={} 推得 1:{:.2}，与所列 {} 不符",
                        ratio.name_zh,
                        label_zh,
                        num.name_zh,
                        n.get_ref().trim(),
                        den.name_zh,
                        d.get_ref().trim(),
                        implied,
                        r.get_ref().trim()
                    ),
                    format!(
                        "{} {}: {} = {} and {} = {} imply 1:{:.2}, not the stated {}",
                        ratio.name_en,
                        label_en,
                        num.name_en,
                        n.get_ref().trim(),
                        den.name_en,
                        d.get_ref().trim(),
                        implied,
                        r.get_ref().trim()
                    ),
                ));
            }
        }
    }
}

/// Checks a plan against its parent for the same indicator ids: unit and direction
/// must agree; a binding target may not be weaker than the parent's; a lower-level
/// baseline identical to the parent's is pointed out (a copied figure?).
pub fn lint_against_parent(child: &Plan, parent: &Plan) -> Vec<Finding> {
    let mut out = Vec::new();
    let parent_id = parent.data.plan.id.get_ref();
    for ind in &child.data.indicators {
        let Some(p) = parent
            .data
            .indicators
            .iter()
            .find(|p| p.id.get_ref() == ind.id.get_ref())
        else {
            continue;
        };
        if p.unit.get_ref() != ind.unit.get_ref() {
            out.push(finding(
                child,
                ind.unit.span(),
                Severity::Error,
                "parent-unit-mismatch",
                format!(
                    "{}：单位「{}」与上级规划 {parent_id} 的「{}」不一致",
                    ind.name_zh,
                    ind.unit.get_ref(),
                    p.unit.get_ref()
                ),
                format!(
                    "{}: unit `{}` differs from `{}` in the parent plan {parent_id}",
                    ind.name_en,
                    ind.unit.get_ref(),
                    p.unit.get_ref()
                ),
            ));
        }
        if p.direction != ind.direction {
            out.push(finding(
                child,
                ind.id.span(),
                Severity::Error,
                "parent-direction-mismatch",
                format!("{}：指标方向与上级规划 {parent_id} 不一致", ind.name_zh),
                format!(
                    "{}: direction differs from the parent plan {parent_id}",
                    ind.name_en
                ),
            ));
        }
        if let (Some(Nature::Binding), Some(ct), Some(pt)) = (ind.nature, &ind.target, &p.target) {
            if let (Some(c), Some(pv)) = (
                PublishedValue::parse(ct.get_ref()).number(),
                PublishedValue::parse(pt.get_ref()).number(),
            ) {
                let weaker = match ind.direction {
                    Direction::Higher => c < pv,
                    Direction::Lower => c > pv,
                    Direction::Neutral => false,
                };
                if weaker {
                    out.push(finding(
                        child,
                        ct.span(),
                        Severity::Warning,
                        "binding-weaker-than-parent",
                        format!("{}：约束性目标 {} 弱于上级规划 {parent_id} 的 {}", ind.name_zh, ind.target_text(), p.target_text()),
                        format!("{}: binding target {} is weaker than {} in the parent plan {parent_id}", ind.name_en, ind.target_text(), p.target_text()),
                    ));
                }
            }
        }
        let same_year = child.data.plan.baseline_year.as_ref().map(|y| *y.get_ref())
            == parent
                .data
                .plan
                .baseline_year
                .as_ref()
                .map(|y| *y.get_ref());
        if let (true, Some(cb), Some(_)) = (same_year, &ind.baseline, &p.baseline) {
            let (c, pv) = (
                PublishedValue::parse(cb.get_ref()),
                PublishedValue::parse(p.baseline_text()),
            );
            if let (Some(cv), Some(ppv)) = (c.number(), pv.number()) {
                let both_county = child.data.plan.level.get_ref() == "county"
                    && parent.data.plan.level.get_ref() == "county";
                if both_county && cv != ppv {
                    out.push(finding(
                        child,
                        cb.span(),
                        Severity::Warning,
                        "baseline-differs-from-parent",
                        format!("{}：基线 {} 与上级规划 {parent_id} 同年基线 {} 不一致", ind.name_zh, ind.baseline_text(), p.baseline_text()),
                        format!("{}: baseline {} differs from {} in the parent plan {parent_id} for the same year", ind.name_en, ind.baseline_text(), p.baseline_text()),
                    ));
                } else if !both_county && cv == ppv && cv != 0.0 && cv != 100.0 {
                    out.push(finding(
                        child,
                        cb.span(),
                        Severity::Info,
                        "baseline-equals-parent",
                        format!("{}：基线 {} 与上级规划 {parent_id} 的全市值完全相同，请核实是否照抄", ind.name_zh, ind.baseline_text()),
                        format!("{}: baseline {} equals the parent plan {parent_id}'s own figure exactly; check it was not copied", ind.name_en, ind.baseline_text()),
                    ));
                }
            }
        }
    }
    out
}
