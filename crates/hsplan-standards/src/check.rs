//! Evaluates a rule library against the service system for a year and locates every
//! violation (unit or facility, observed vs required, shortfall).

use crate::rules::{Check, Denominator, Rule, RuleSet, Scope, Severity, Subject};
use hsplan_eval::measure::{PopulationBase, open_facilities_in, population};
use hsplan_model::{AdminCode, AdminLevel, Facility, Quantity, ServiceSystem, Year};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a violation is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// Unit code, or facility id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The unit (the facility's unit, for a facility).
    pub unit: String,
    /// The district (county-level unit) it lies in, code and name.
    pub district: Option<(String, String)>,
}

/// One located violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Facility or unit.
    pub subject: Subject,
    /// Where.
    pub place: Place,
    /// Observed value.
    pub observed: f64,
    /// Required, as text ("≥ 1", "2–5").
    pub required: String,
    /// How many units are missing (or in excess), rounded up.
    pub shortfall: u64,
    /// Whether the bound broken is an upper one.
    pub excess: bool,
    /// The shortfall in words (Chinese).
    pub shortfall_zh: String,
    /// The shortfall in words (English).
    pub shortfall_en: String,
}

/// How one rule came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Rule id.
    pub rule: String,
    /// Subjects checked (units or facilities).
    pub checked: usize,
    /// Subjects exempt by the rule's own terms (e.g. small villages).
    pub exempt: usize,
    /// Subjects that could not be assessed (data missing).
    pub not_assessable: usize,
    /// Violations.
    pub violations: usize,
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Library id.
    pub standards: String,
    /// Year checked.
    pub year: i32,
    /// Per rule, in library order.
    pub rules: Vec<RuleOutcome>,
    /// Every violation: most severe first, then library order, then place.
    pub violations: Vec<Violation>,
    /// Violations per district (code → (name, count)).
    pub by_district: BTreeMap<String, (String, usize)>,
}

fn fmt_bound(min: Option<f64>, max: Option<f64>) -> String {
    let n = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        }
    };
    match (min, max) {
        (Some(a), Some(b)) => format!("{}–{}", n(a), n(b)),
        (Some(a), None) => format!("≥ {}", n(a)),
        (None, Some(b)) => format!("≤ {}", n(b)),
        (None, None) => String::new(),
    }
}

fn ancestor_at(code: AdminCode, level: AdminLevel) -> Option<AdminCode> {
    let mut c = Some(code);
    while let Some(x) = c {
        if x.level() == level {
            return Some(x);
        }
        if x.level() < level {
            return None;
        }
        c = x.parent();
    }
    None
}

fn place_of_unit(sys: &ServiceSystem, code: AdminCode) -> Place {
    let name = |c: AdminCode| {
        sys.units
            .get(&c)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    Place {
        id: code.to_string(),
        name: name(code),
        unit: code.to_string(),
        district: ancestor_at(code, AdminLevel::County).map(|d| (d.to_string(), name(d))),
    }
}

fn place_of_facility(sys: &ServiceSystem, f: &Facility) -> Place {
    let unit_name = sys
        .units
        .get(&f.unit)
        .map(|u| u.name.as_str())
        .unwrap_or("");
    Place {
        id: f.id.to_string(),
        name: format!("{}（{}）", f.name, unit_name),
        unit: f.unit.to_string(),
        district: place_of_unit(sys, f.unit).district,
    }
}

fn inside(code: AdminCode, scope: &Scope) -> bool {
    scope.within.is_empty()
        || scope
            .within
            .iter()
            .any(|w| code == *w || code.is_descendant_of(*w))
}

fn in_scope_unit(sys: &ServiceSystem, code: AdminCode, scope: &Scope) -> bool {
    inside(code, scope)
        && scope.level.is_none_or(|l| code.level() == l)
        && (scope.unit_kinds.is_empty()
            || sys
                .units
                .get(&code)
                .and_then(|u| u.kind)
                .is_some_and(|k| scope.unit_kinds.contains(&k)))
}

/// A facility lies in scope when its ancestor at the scope's level is in scope.
fn in_scope_facility(sys: &ServiceSystem, f: &Facility, scope: &Scope) -> bool {
    if !inside(f.unit, scope) {
        return false;
    }
    match scope.level {
        None => true,
        Some(l) => ancestor_at(f.unit, l).is_some_and(|a| in_scope_unit(sys, a, scope)),
    }
}

fn within(code: AdminCode, area: Option<AdminCode>) -> bool {
    area.is_none_or(|a| code == a || code.is_descendant_of(a))
}

/// Sum of quantities for one facility-year; None if any is unreported.
fn facility_sum(sys: &ServiceSystem, f: &Facility, year: Year, of: &[Quantity]) -> Option<f64> {
    let fy = sys.facility_years.get(&(f.id.clone(), year))?;
    of.iter()
        .map(|q| fy.get(*q).map(|c| c.0 as f64))
        .sum::<Option<f64>>()
}

fn has_capability(sys: &ServiceSystem, f: &Facility, year: Year, rule: &Rule) -> Option<bool> {
    if rule.facilities.with_capability.is_empty() {
        return Some(true);
    }
    let fy = sys.facility_years.get(&(f.id.clone(), year))?;
    Some(
        rule.facilities
            .with_capability
            .iter()
            .any(|c| fy.capabilities.contains(c)),
    )
}

struct Outcome {
    violation: Option<(f64, u64, bool)>,
}

/// Compares `value` with the bounds; the shortfall is measured by `need` (min side) and
/// `over` (max side) — both in the units the remedy counts.
fn bounded(
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
    need: impl Fn(f64) -> f64,
    over: impl Fn(f64) -> f64,
) -> Outcome {
    const EPS: f64 = 1e-9;
    if let Some(m) = min
        && value < m - EPS
    {
        return Outcome {
            violation: Some((value, need(m).max(1.0).ceil() as u64, false)),
        };
    }
    if let Some(m) = max
        && value > m + EPS
    {
        return Outcome {
            violation: Some((value, over(m).max(1.0).ceil() as u64, true)),
        };
    }
    Outcome { violation: None }
}

fn violation(
    rule: &Rule,
    subject: Subject,
    place: Place,
    v: (f64, u64, bool),
    required: String,
) -> Violation {
    let (observed, n, excess) = v;
    let (zh, en) = if excess {
        (&rule.excess_zh, &rule.excess_en)
    } else {
        (&rule.remedy_zh, &rule.remedy_en)
    };
    Violation {
        rule: rule.id.clone(),
        severity: rule.severity,
        subject,
        place,
        observed,
        required,
        shortfall: n,
        excess,
        shortfall_zh: zh.replace("{n}", &n.to_string()),
        shortfall_en: en.replace("{n}", &n.to_string()),
    }
}

/// Checks every rule for `year`, within `area` (and everything below it) when given.
pub fn check(
    sys: &ServiceSystem,
    set: &RuleSet,
    year: Year,
    area: Option<AdminCode>,
) -> CheckReport {
    let mut outcomes = Vec::new();
    let mut violations = Vec::new();
    let open: Vec<&Facility> = sys
        .facilities
        .values()
        .filter(|f| f.is_open_in(year) && within(f.unit, area))
        .collect();
    for rule in &set.rules {
        let mut out = RuleOutcome {
            rule: rule.id.clone(),
            checked: 0,
            exempt: 0,
            not_assessable: 0,
            violations: 0,
        };
        let matching = |f: &&&Facility| rule.facilities.matches(f);
        let units: Vec<AdminCode> = sys
            .units
            .keys()
            .copied()
            .filter(|c| within(*c, area) && in_scope_unit(sys, *c, &rule.scope))
            .collect();
        let facilities: Vec<&Facility> = open
            .iter()
            .filter(matching)
            .filter(|f| in_scope_facility(sys, f, &rule.scope))
            .copied()
            .collect();
        let residents =
            |u: AdminCode| population(sys, u, year, PopulationBase::Resident).complete();
        match &rule.check {
            Check::Presence {
                min,
                max,
                per_residents,
                offset,
                exempt_below_residents,
            } => {
                for u in units {
                    out.checked += 1;
                    let pop = residents(u);
                    // No population and no facility at all: the unit has no data, which
                    // is not the same as having no facility.
                    if pop.is_none() && open_facilities_in(sys, u, year).next().is_none() {
                        out.not_assessable += 1;
                        continue;
                    }
                    if let (Some(limit), Some(p)) = (exempt_below_residents, pop)
                        && p < *limit as f64
                    {
                        out.exempt += 1;
                        continue;
                    }
                    let mut count = 0.0;
                    let mut unknown = false;
                    for f in open_facilities_in(sys, u, year).filter(|f| rule.facilities.matches(f))
                    {
                        match has_capability(sys, f, year, rule) {
                            Some(true) => count += 1.0,
                            Some(false) => {}
                            None => unknown = true,
                        }
                    }
                    let from_pop = match (per_residents, pop) {
                        (Some(k), Some(p)) => Some(((p / k).ceil() + *offset as f64).max(0.0)),
                        (Some(_), None) => {
                            unknown = true;
                            None
                        }
                        (None, _) => None,
                    };
                    if unknown {
                        out.not_assessable += 1;
                        continue;
                    }
                    let required = match (min, from_pop) {
                        (Some(m), Some(p)) => Some(m.max(p)),
                        (m, p) => m.or(p),
                    };
                    let o = bounded(count, required, *max, |m| m - count, |m| count - m);
                    if let Some(v) = o.violation {
                        out.violations += 1;
                        violations.push(violation(
                            rule,
                            Subject::Unit,
                            place_of_unit(sys, u),
                            v,
                            fmt_bound(required, *max),
                        ));
                    }
                }
            }
            Check::Capability { any_of } => {
                for f in facilities {
                    out.checked += 1;
                    let Some(fy) = sys.facility_years.get(&(f.id.clone(), year)) else {
                        out.not_assessable += 1;
                        continue;
                    };
                    if !any_of.iter().any(|c| fy.capabilities.contains(c)) {
                        out.violations += 1;
                        violations.push(violation(
                            rule,
                            Subject::Facility,
                            place_of_facility(sys, f),
                            (0.0, 1, false),
                            "1".into(),
                        ));
                    }
                }
            }
            Check::Quantity {
                subject,
                of,
                min,
                max,
            } => {
                let mut judge = |value: Option<f64>, place: Place, out: &mut RuleOutcome| {
                    out.checked += 1;
                    let Some(v) = value else {
                        out.not_assessable += 1;
                        return;
                    };
                    if let Some(x) = bounded(v, *min, *max, |m| m - v, |m| v - m).violation {
                        out.violations += 1;
                        violations.push(violation(rule, *subject, place, x, fmt_bound(*min, *max)));
                    }
                };
                match subject {
                    Subject::Facility => {
                        for f in &facilities {
                            match has_capability(sys, f, year, rule) {
                                Some(true) => {}
                                Some(false) => continue,
                                None => {
                                    out.checked += 1;
                                    out.not_assessable += 1;
                                    continue;
                                }
                            }
                            judge(
                                facility_sum(sys, f, year, of),
                                place_of_facility(sys, f),
                                &mut out,
                            );
                        }
                    }
                    Subject::Unit => {
                        for u in units {
                            let sum = unit_sum(sys, rule, u, year, of);
                            judge(sum, place_of_unit(sys, u), &mut out);
                        }
                    }
                }
            }
            Check::Ratio {
                subject,
                numerator,
                denominator,
                min,
                max,
                per,
            } => {
                let mut judge = |num: Option<f64>,
                                 den: Option<f64>,
                                 place: Place,
                                 out: &mut RuleOutcome| {
                    out.checked += 1;
                    let (Some(n), Some(d)) = (num, den) else {
                        out.not_assessable += 1;
                        return;
                    };
                    if d <= 0.0 {
                        out.not_assessable += 1;
                        return;
                    }
                    let value = n / d * per;
                    // Shortfall in numerator units: what would bring the ratio to the bound.
                    let o = bounded(value, *min, *max, |m| m * d / per - n, |m| n - m * d / per);
                    if let Some(x) = o.violation {
                        out.violations += 1;
                        violations.push(violation(rule, *subject, place, x, fmt_bound(*min, *max)));
                    }
                };
                match subject {
                    Subject::Facility => {
                        for f in &facilities {
                            if has_capability(sys, f, year, rule) == Some(false) {
                                continue;
                            }
                            let den = match denominator {
                                Denominator::Quantities(q) => facility_sum(sys, f, year, q),
                                Denominator::Residents => None,
                            };
                            judge(
                                facility_sum(sys, f, year, numerator),
                                den,
                                place_of_facility(sys, f),
                                &mut out,
                            );
                        }
                    }
                    Subject::Unit => {
                        for u in units {
                            let den = match denominator {
                                Denominator::Quantities(q) => unit_sum(sys, rule, u, year, q),
                                Denominator::Residents => residents(u),
                            };
                            judge(
                                unit_sum(sys, rule, u, year, numerator),
                                den,
                                place_of_unit(sys, u),
                                &mut out,
                            );
                        }
                    }
                }
            }
        }
        outcomes.push(out);
    }
    let order: BTreeMap<&str, usize> = set
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    violations.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(order[a.rule.as_str()].cmp(&order[b.rule.as_str()]))
            .then(a.place.id.cmp(&b.place.id))
    });
    let mut by_district = BTreeMap::new();
    for v in &violations {
        if let Some((code, name)) = &v.place.district {
            by_district
                .entry(code.clone())
                .or_insert_with(|| (name.clone(), 0))
                .1 += 1;
        }
    }
    CheckReport {
        standards: set.id.clone(),
        year: year.get() as i32,
        rules: outcomes,
        violations,
        by_district,
    }
}

/// Sum of quantities over the matching facilities in a unit; None if any is unreported.
fn unit_sum(
    sys: &ServiceSystem,
    rule: &Rule,
    unit: AdminCode,
    year: Year,
    of: &[Quantity],
) -> Option<f64> {
    let mut total = 0.0;
    for f in open_facilities_in(sys, unit, year).filter(|f| rule.facilities.matches(f)) {
        match has_capability(sys, f, year, rule) {
            Some(true) => total += facility_sum(sys, f, year, of)?,
            Some(false) => {}
            None => return None,
        }
    }
    Some(total)
}
