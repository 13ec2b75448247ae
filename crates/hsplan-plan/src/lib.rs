//! # hsplan-plan — plans as data
//!
//! Owns the plan file format (TOML, see `docs/plan-format.md`), its loading with
//! precise errors (file:line:column with a caret), the reading of published values
//! ("≥2.7", "1:1.3", "——"), and the lint that checks a plan against itself.
//!
//! Must not: read the store, compute indicators from the model (that is the
//! evaluation crate), or print. `load` takes text in; `lint` returns findings.

pub mod error;
pub mod format;
pub mod ledger;
pub mod lint;
pub mod value;

pub use error::{Location, PlanError};
pub use format::{
    Direction, EquipmentQuota, IndicatorRow, Nature, PlanFile, Project, ProjectNature,
    ProjectTotals, StatedCount, Task, TextTarget,
};
pub use lint::{Finding, Severity, lint, lint_against_parent};
pub use value::{Comparator, PublishedValue};

use hsplan_model::{AdminCode, Labelled, Quantity};
use std::collections::BTreeMap;

/// Units an indicator may be measured in.
pub const UNITS: &[&str] = &[
    "岁",
    "‰",
    "/10万",
    "1/10万",
    "%",
    "人/千人",
    "张/千人",
    "个/千人",
    "人/万人",
    "人/十万人",
    "人/百床",
    "人/千儿童",
    "辆/万人",
    "ratio",
    "天",
    "元",
    "亿元",
    "万元",
    "个",
    "张",
    "人",
    "辆",
    "台",
    "分钟",
    "小时",
    "项",
    "指数",
    "万人",
    "平方米",
    "万平方米",
    "亩",
    "km",
];

/// A loaded plan: the parsed file plus its text, so findings can point into it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// File name.
    pub file: String,
    /// File text.
    pub text: String,
    /// Parsed content.
    pub data: PlanFile,
}

impl Plan {
    /// Location of a byte span start.
    pub fn locate(&self, span: std::ops::Range<usize>) -> Location {
        Location::at(&self.file, &self.text, span.start)
    }
}

fn schema_error(file: &str, text: &str, offset: usize, message: impl Into<String>) -> PlanError {
    PlanError::Schema {
        location: Location::at(file, text, offset),
        message: message.into(),
    }
}

/// An indicator id: snake_case (lowercase letters, digits, `_`).
fn check_indicator_id(id: &toml::Spanned<String>) -> Result<(), (std::ops::Range<usize>, String)> {
    let t = id.get_ref();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err((
            id.span(),
            format!("indicator id `{t}`: expected snake_case (lowercase letters, digits, `_`)"),
        ));
    }
    Ok(())
}

/// `sub_of` links form a forest: following them from any row ends at a row without one.
/// Linear: each row is walked once (rows already known to end are not walked again).
fn check_sub_of_cycles(data: &PlanFile) -> Result<(), (std::ops::Range<usize>, String)> {
    use std::collections::HashMap;
    let parent_of: HashMap<(&str, &str), &toml::Spanned<String>> = data
        .indicators
        .iter()
        .filter_map(|i| {
            Some((
                (i.table.as_str(), i.row.get_ref().as_str()),
                i.sub_of.as_ref()?,
            ))
        })
        .collect();
    // 1: on the current walk, 2: known to end
    let mut state: HashMap<(&str, &str), u8> = HashMap::new();
    for ind in &data.indicators {
        let mut walk = Vec::new();
        let mut at = (ind.table.as_str(), ind.row.get_ref().as_str());
        loop {
            match state.get(&at) {
                Some(2) => break,
                Some(_) => {
                    let link = parent_of[&at];
                    let rows: Vec<&str> = walk.iter().map(|(_, r): &(&str, &str)| *r).collect();
                    return Err((
                        link.span(),
                        format!(
                            "sub_of `{}`: rows {} in {} are sub-rows of each other (a cycle)",
                            link.get_ref(),
                            rows.join(" → "),
                            at.0
                        ),
                    ));
                }
                None => {}
            }
            state.insert(at, 1);
            walk.push(at);
            match parent_of.get(&at) {
                Some(p) => at = (at.0, p.get_ref().as_str()),
                None => break,
            }
        }
        for w in walk {
            state.insert(w, 2);
        }
    }
    Ok(())
}

/// A unit from [`UNITS`].
fn check_unit(unit: &toml::Spanned<String>) -> Result<(), (std::ops::Range<usize>, String)> {
    if !UNITS.contains(&unit.get_ref().as_str()) {
        return Err((
            unit.span(),
            format!(
                "unit `{}`: expected one of {}",
                unit.get_ref(),
                UNITS.join(" ")
            ),
        ));
    }
    Ok(())
}

/// Parses and validates a plan file's text.
pub fn load(file: &str, text: &str) -> Result<Plan, PlanError> {
    let data: PlanFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        schema_error(file, text, offset, e.message().trim().to_string())
    })?;
    let err = |span: std::ops::Range<usize>, m: String| schema_error(file, text, span.start, m);
    let h = &data.plan;
    let id_ok = |s: &str, extra: char| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == extra)
    };
    if !id_ok(h.id.get_ref(), '-') {
        return Err(err(
            h.id.span(),
            format!(
                "plan id `{}`: expected lowercase letters, digits, `-` or `_`",
                h.id.get_ref()
            ),
        ));
    }
    AdminCode::parse(h.jurisdiction.get_ref())
        .map_err(|e| err(h.jurisdiction.span(), format!("jurisdiction: {e}")))?;
    if !["province", "prefecture", "county"].contains(&h.level.get_ref().as_str()) {
        return Err(err(
            h.level.span(),
            format!(
                "level `{}`: expected province, prefecture or county",
                h.level.get_ref()
            ),
        ));
    }
    let [start, end] = *h.period.get_ref();
    if start > end || !(1949..=2100).contains(&start) || end > 2100 {
        return Err(err(
            h.period.span(),
            format!(
                "period [{start}, {end}]: expected [first year, last year] between 1949 and 2100"
            ),
        ));
    }
    let baseline = match &h.baseline_year {
        Some(b) => {
            let baseline = *b.get_ref();
            if baseline > start || baseline + 10 < start {
                return Err(err(
                    b.span(),
                    format!(
                        "baseline year {baseline}: expected a year shortly before or at the period start {start}"
                    ),
                ));
            }
            baseline
        }
        None if !data.indicators.is_empty() || !data.equipment_quotas.is_empty() => {
            return Err(err(
                h.id.span(),
                "baseline_year is missing: a plan with an indicator table or quotas needs it"
                    .into(),
            ));
        }
        None => start - 1,
    };
    if h.target_years.get_ref().is_empty()
        || h.target_years
            .get_ref()
            .iter()
            .any(|&y| y <= baseline || y > end + 5)
    {
        return Err(err(
            h.target_years.span(),
            format!(
                "target years {:?}: expected one or more years after the baseline {baseline}",
                h.target_years.get_ref()
            ),
        ));
    }
    let mut rows: BTreeMap<(&str, &str), ()> = BTreeMap::new();
    for ind in &data.indicators {
        let key = (ind.table.as_str(), ind.row.get_ref().as_str());
        if rows.insert(key, ()).is_some() {
            return Err(err(
                ind.row.span(),
                format!("row `{}` appears twice in {}", key.1, key.0),
            ));
        }
        check_indicator_id(&ind.id)
            .and_then(|_| check_unit(&ind.unit))
            .map_err(|(span, m)| err(span, m))?;
        for (label, cell) in [("baseline", &ind.baseline), ("target", &ind.target)] {
            if let Some(c) = cell {
                if c.get_ref().trim().is_empty() {
                    return Err(err(
                        c.span(),
                        format!(
                            "{label} is empty: write the published text, or \"—\" when the plan has none"
                        ),
                    ));
                }
            }
        }
    }
    // rows that other rows are sub_of (one pass: plans may have tens of thousands of rows)
    let parents: std::collections::HashSet<(&str, &str)> = data
        .indicators
        .iter()
        .filter_map(|o| Some((o.table.as_str(), o.sub_of.as_ref()?.get_ref().as_str())))
        .collect();
    for ind in &data.indicators {
        let has_sub_rows = parents.contains(&(ind.table.as_str(), ind.row.get_ref().as_str()));
        for (label, missing) in [
            ("baseline", ind.baseline.is_none()),
            ("target", ind.target.is_none()),
            ("nature", ind.nature.is_none()),
        ] {
            if missing && !has_sub_rows {
                return Err(err(
                    ind.row.span(),
                    format!(
                        "row `{}` has no {label}: only a row with sub-rows may omit it",
                        ind.row.get_ref()
                    ),
                ));
            }
        }
    }
    for ind in &data.indicators {
        if let Some(parent) = &ind.sub_of {
            if parent.get_ref() == ind.row.get_ref() {
                return Err(err(
                    parent.span(),
                    format!(
                        "sub_of `{}`: a row cannot be a sub-row of itself",
                        parent.get_ref()
                    ),
                ));
            }
            if !rows.contains_key(&(ind.table.as_str(), parent.get_ref().as_str())) {
                return Err(err(
                    parent.span(),
                    format!(
                        "sub_of `{}`: no such row in {}",
                        parent.get_ref(),
                        ind.table
                    ),
                ));
            }
        }
    }
    check_sub_of_cycles(&data).map_err(|(span, m)| err(span, m))?;
    for q in &data.equipment_quotas {
        if let Some(code) = &q.quantity {
            let ok =
                Quantity::parse_label(code.get_ref()).is_ok_and(|q| q.code() == code.get_ref());
            if !ok {
                return Err(err(
                    code.span(),
                    format!(
                        "quantity `{}`: expected an equipment code such as pet_ct, ct_64_plus, mr_1_5t_plus, linear_accelerators, surgical_robots",
                        code.get_ref()
                    ),
                ));
            }
        }
        for v in [&q.baseline, &q.planned] {
            if *v.get_ref() < 0 {
                return Err(err(
                    v.span(),
                    format!(
                        "count {}: expected a non-negative whole number",
                        v.get_ref()
                    ),
                ));
            }
        }
    }
    let mut project_rows = std::collections::BTreeSet::new();
    for p in &data.projects {
        if !project_rows.insert((p.table.as_str(), p.row.get_ref().as_str())) {
            return Err(err(
                p.row.span(),
                format!(
                    "project row `{}` appears twice in {}",
                    p.row.get_ref(),
                    p.table
                ),
            ));
        }
        if p.year_range().is_none_or(|(a, b)| a > b) {
            return Err(err(
                p.years.span(),
                format!(
                    "years `{}`: expected a year or a range such as 2021-2025",
                    p.years.get_ref()
                ),
            ));
        }
    }
    let mut task_numbers = std::collections::BTreeSet::new();
    for t in &data.tasks {
        if !task_numbers.insert(t.number.get_ref().as_str()) {
            return Err(err(
                t.number.span(),
                format!("task `{}` appears twice", t.number.get_ref()),
            ));
        }
        if t.responsible.get_ref().is_empty()
            || t.responsible.get_ref().iter().any(|u| u.trim().is_empty())
        {
            return Err(err(
                t.responsible.span(),
                "responsible: expected one or more unit names (the lead unit first)".into(),
            ));
        }
    }
    for t in &data.text_targets {
        check_unit(&t.unit).map_err(|(span, m)| err(span, m))?;
        if PublishedValue::parse(t.target.get_ref()).number().is_none() {
            return Err(err(
                t.target.span(),
                format!(
                    "target `{}`: expected a number with an optional comparator (≥ ≤ < > ≈), e.g. ≥3.5",
                    t.target.get_ref()
                ),
            ));
        }
        if t.quote.get_ref().trim().is_empty() {
            return Err(err(
                t.quote.span(),
                "quote is empty: copy the words of the source that state the target".into(),
            ));
        }
        let y = *t.year.get_ref();
        if y < start || y > end + 10 {
            return Err(err(
                t.year.span(),
                format!("year {y}: expected a year within or after the period {start}–{end}"),
            ));
        }
        if let Some(id) = &t.id {
            check_indicator_id(id).map_err(|(span, m)| err(span, m))?;
        }
    }
    Ok(Plan {
        file: file.to_string(),
        text: text.to_string(),
        data,
    })
}

/// Reads and loads a plan file.
pub fn load_path(path: &std::path::Path) -> Result<Plan, PlanError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
        file: file.clone(),
        source,
    })?;
    load(&file, &text)
}
