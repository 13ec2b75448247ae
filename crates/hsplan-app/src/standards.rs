//! Allocation standards checked for a year: every violation located, with its shortfall,
//! its place on the map and the rule's source quote.

use crate::{Lang, Result, known_unit, parse_year};
use hsplan_model::{AdminCode, FacilityId, ServiceSystem};
use hsplan_report::html::{StandardsSection, ViolationLine};
use hsplan_standards::{CheckReport, RuleSet, Severity, Violation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What to check (also the query of `GET /api/standards`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandardsRequest {
    /// Year checked.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
    /// Only this unit and below.
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: Option<String>,
    /// Only this rule.
    pub rule: Option<String>,
    /// Only this severity (high, medium, low).
    #[param(pattern = r"^(high|medium|low)$")]
    pub severity: Option<String>,
    /// Only this district (county-level code).
    pub district: Option<String>,
}

/// A rule as checked, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RuleRow {
    /// Rule id.
    pub id: String,
    /// Kind (presence, capability, quantity, quota, ratio, share).
    pub kind: String,
    /// Statement, 中文.
    pub statement_zh: String,
    /// Statement, English.
    pub statement_en: String,
    /// Source document.
    pub source: String,
    /// Section of the source.
    pub section: Option<String>,
    /// Verbatim quote from the source.
    pub quote: Option<String>,
    /// high, medium or low.
    pub severity: String,
    /// Subjects checked.
    pub checked: usize,
    /// Subjects exempt by the rule's own terms.
    pub exempt: usize,
    /// Subjects that could not be assessed.
    pub not_assessable: usize,
    /// Violations.
    pub violations: usize,
}

/// One violation, located.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ViolationRow {
    /// Rule id.
    pub rule: String,
    /// high, medium or low.
    pub severity: String,
    /// unit or facility.
    pub subject: String,
    /// Unit code or facility id.
    pub place_id: String,
    /// Its name.
    pub place_name: String,
    /// The unit it is in.
    pub unit: String,
    /// District code.
    pub district: Option<String>,
    /// District name.
    pub district_name: Option<String>,
    /// Observed, as shown.
    pub observed: String,
    /// Required, as shown.
    pub required: String,
    /// Shortfall (or excess), rounded up.
    pub shortfall: u64,
    /// The shortfall in words, 中文.
    pub shortfall_zh: String,
    /// The shortfall in words, English.
    pub shortfall_en: String,
    /// Where it is on the map: the facility's location or the unit's point.
    pub lon: Option<f64>,
    /// Latitude.
    pub lat: Option<f64>,
}

/// Violations in one district.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DistrictCount {
    /// District code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Violations.
    pub violations: usize,
}

/// The check's result.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StandardsResult {
    /// Title of the rule library, 中文.
    pub title_zh: String,
    /// Title, English.
    pub title_en: String,
    /// Year checked.
    pub year: i32,
    /// Every rule with its outcome (unfiltered).
    pub rules: Vec<RuleRow>,
    /// Violations after the filters, most severe first.
    pub violations: Vec<ViolationRow>,
    /// Violations per district (unfiltered).
    pub by_district: Vec<DistrictCount>,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Observed and required as shown, with the rule's unit.
pub fn shown(set: &RuleSet, v: &Violation) -> (String, String) {
    let label = set
        .rules
        .iter()
        .find(|r| r.id == v.rule)
        .map(|r| r.unit_label.as_str())
        .unwrap_or("");
    match label {
        "1:x" => (
            format!("1:{:.2}", v.observed),
            v.required.replace("≥ ", "≥ 1:").replace("≤ ", "≤ 1:"),
        ),
        "" => (number(v.observed), v.required.clone()),
        l => (
            format!("{} {l}", number(v.observed)),
            format!("{} {l}", v.required),
        ),
    }
}

/// The report's standards section in one language.
pub fn section(set: &RuleSet, report: &CheckReport, lang: Lang) -> StandardsSection {
    let statement = |id: &str| {
        set.rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| lang.pick(&r.statement_zh, &r.statement_en).to_string())
            .unwrap_or_default()
    };
    StandardsSection {
        rules: set.rules.len(),
        checked: report.rules.iter().map(|r| r.checked).sum(),
        by_district: report
            .by_district
            .values()
            .map(|(name, n)| (name.clone(), *n))
            .collect(),
        violations: report
            .violations
            .iter()
            .map(|v| {
                let (observed, required) = shown(set, v);
                ViolationLine {
                    severity: lang.pick(v.severity.zh(), v.severity.en()).to_string(),
                    rule: format!("{} {}", v.rule, statement(&v.rule)),
                    location: match &v.place.district {
                        Some((_, d)) if !v.place.name.contains(d.as_str()) => {
                            format!("{} · {d}", v.place.name)
                        }
                        _ => v.place.name.clone(),
                    },
                    observed,
                    required,
                    shortfall: lang.pick(&v.shortfall_zh, &v.shortfall_en).to_string(),
                }
            })
            .collect(),
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

/// The place of a violation on the map.
fn position(sys: &ServiceSystem, v: &Violation) -> Option<(f64, f64)> {
    if let Some(p) = FacilityId::new(&v.place.id)
        .ok()
        .and_then(|id| sys.facilities.get(&id))
        .and_then(|f| f.location)
    {
        return Some((p.lon(), p.lat()));
    }
    let unit = AdminCode::parse(&v.place.unit).ok()?;
    sys.units
        .get(&unit)
        .and_then(|u| u.point)
        .map(|p| (p.lon(), p.lat()))
}

/// Runs a rule library for a year on `sys`.
pub fn check_with(
    sys: &ServiceSystem,
    set: &RuleSet,
    year: i64,
    unit: Option<&str>,
) -> Result<CheckReport> {
    let year = parse_year("year", year)?;
    let unit = unit
        .map(|u| known_unit(sys, "unit", u).map(|u| u.code))
        .transpose()?;
    Ok(hsplan_standards::check(sys, set, year, unit))
}

/// Checks the seed standards for a year, filtered as asked.
pub fn check(sys: &ServiceSystem, req: &StandardsRequest) -> Result<StandardsResult> {
    check_rules(sys, crate::catalog::standards(), req)
}

/// A standards file to check the store against (uploaded text).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StandardsFileRequest {
    /// File name used in messages.
    #[schema(example = "my-standards.toml")]
    pub file: String,
    /// The TOML text (the format of data/standards/seeds.toml).
    pub text: String,
    /// Year checked.
    #[schema(minimum = 1949, maximum = 2100)]
    #[serde(deserialize_with = "crate::whole::number")]
    pub year: i64,
    /// Only this unit and below.
    pub unit: Option<String>,
}

/// Checks an uploaded rule library; a malformed file is refused with file:line:column.
pub fn check_file(sys: &ServiceSystem, req: &StandardsFileRequest) -> Result<StandardsResult> {
    let set = hsplan_standards::load(&req.file, &req.text).map_err(|e| crate::AppError::Input {
        problems: vec![e.to_string()],
        more: 0,
    })?;
    check_rules(
        sys,
        &set,
        &StandardsRequest {
            year: req.year,
            unit: req.unit.clone(),
            ..StandardsRequest::default()
        },
    )
}

/// Checks a rule library for a year, filtered as asked.
pub fn check_rules(
    sys: &ServiceSystem,
    set: &RuleSet,
    req: &StandardsRequest,
) -> Result<StandardsResult> {
    let report = check_with(sys, set, req.year, req.unit.as_deref())?;
    if let Some(s) = &req.severity
        && !["high", "medium", "low"].contains(&s.as_str())
    {
        return Err(crate::AppError::invalid(
            "severity",
            "one of high, medium, low",
        ));
    }
    let rules = set
        .rules
        .iter()
        .zip(&report.rules)
        .map(|(r, o)| RuleRow {
            id: r.id.clone(),
            kind: r.kind.clone(),
            statement_zh: r.statement_zh.clone(),
            statement_en: r.statement_en.clone(),
            source: r.source.clone(),
            section: r.section.clone(),
            quote: r.quote.clone(),
            severity: severity_code(r.severity).into(),
            checked: o.checked,
            exempt: o.exempt,
            not_assessable: o.not_assessable,
            violations: o.violations,
        })
        .collect();
    let violations = report
        .violations
        .iter()
        .filter(|v| req.rule.as_deref().is_none_or(|r| v.rule == r))
        .filter(|v| {
            req.severity
                .as_deref()
                .is_none_or(|s| severity_code(v.severity) == s)
        })
        .filter(|v| {
            req.district
                .as_deref()
                .is_none_or(|d| v.place.district.as_ref().is_some_and(|(c, _)| c == d))
        })
        .map(|v| {
            let (observed, required) = shown(set, v);
            let at = position(sys, v);
            ViolationRow {
                rule: v.rule.clone(),
                severity: severity_code(v.severity).into(),
                subject: serde_json::to_value(v.subject)
                    .ok()
                    .and_then(|s| s.as_str().map(String::from))
                    .unwrap_or_default(),
                place_id: v.place.id.clone(),
                place_name: v.place.name.clone(),
                unit: v.place.unit.clone(),
                district: v.place.district.as_ref().map(|(c, _)| c.clone()),
                district_name: v.place.district.as_ref().map(|(_, n)| n.clone()),
                observed,
                required,
                shortfall: v.shortfall,
                shortfall_zh: v.shortfall_zh.clone(),
                shortfall_en: v.shortfall_en.clone(),
                lon: at.map(|p| p.0),
                lat: at.map(|p| p.1),
            }
        })
        .collect();
    Ok(StandardsResult {
        title_zh: set.title_zh.clone(),
        title_en: set.title_en.clone(),
        year: report.year,
        rules,
        violations,
        by_district: report
            .by_district
            .iter()
            .map(|(code, (name, n))| DistrictCount {
                code: code.clone(),
                name: name.clone(),
                violations: *n,
            })
            .collect(),
        synthetic_data: sys.has_note(hsplan_model::NoteKind::SyntheticData),
    })
}
