//! The standards file format (TOML) and its compilation into checked, typed rules.
//! See docs/standards-format.md.

use hsplan_model::{
    AdminLevel, AdminLevelLabel, Capability, Facility, Grade, GradeClass, InstitutionType,
    Labelled, Ownership, Quantity, Specialty, Tier, UnitKind,
};
use hsplan_plan::{Location, PlanError};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// How bad a violation is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 严重: a binding requirement of the plan or a national standard.
    High,
    /// 一般.
    Medium,
    /// 提示: guidance ("may", "encouraged").
    Low,
}

impl Severity {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::High => "严重",
            Severity::Medium => "一般",
            Severity::Low => "提示",
        }
    }
    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    standards: RawMeta,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    title_zh: String,
    title_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: String,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    quote: Option<String>,
}

/// A parameter value other than the one used, with where it comes from.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// The alternative value.
    pub value: f64,
    /// Its source (e.g. a national document).
    pub source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    types: Vec<Spanned<String>>,
    #[serde(default)]
    ownership: Vec<Spanned<String>>,
    #[serde(default)]
    public: Option<bool>,
    #[serde(default)]
    grade_at_least: Option<Spanned<String>>,
    #[serde(default)]
    specialty: Option<Spanned<String>>,
    #[serde(default)]
    with_capability: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    #[serde(default)]
    level: Option<Spanned<String>>,
    #[serde(default)]
    unit_kinds: Vec<Spanned<String>>,
    #[serde(default)]
    within: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    statement_zh: String,
    statement_en: String,
    source: RawSource,
    severity: Severity,
    #[serde(default)]
    scope: RawScope,
    #[serde(default)]
    facilities: RawFilter,
    #[serde(default)]
    subject: Option<Spanned<String>>,
    #[serde(default)]
    min: Option<Spanned<f64>>,
    #[serde(default)]
    max: Option<Spanned<f64>>,
    #[serde(default)]
    per_residents: Option<Spanned<f64>>,
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    exempt_below_residents: Option<u64>,
    #[serde(default)]
    any_of: Vec<Spanned<String>>,
    #[serde(default)]
    of: Vec<Spanned<String>>,
    #[serde(default)]
    numerator: Vec<Spanned<String>>,
    #[serde(default)]
    denominator: Vec<Spanned<String>>,
    #[serde(default)]
    per: Option<Spanned<f64>>,
    #[serde(default)]
    unit_label: Option<String>,
    #[serde(default)]
    national_default: Option<Alternative>,
    /// Shortfall text with `{n}`, e.g. "需增设社区卫生服务站 {n} 个".
    remedy_zh: String,
    remedy_en: String,
    #[serde(default)]
    excess_zh: Option<String>,
    #[serde(default)]
    excess_en: Option<String>,
}

/// Which facilities a rule looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacilityFilter {
    /// Institution types (empty = any).
    pub types: Vec<InstitutionType>,
    /// Ownerships (empty = any).
    pub ownership: Vec<Ownership>,
    /// Public only (true) or private only (false).
    pub public: Option<bool>,
    /// Minimum grade: tier, and class within the tier.
    pub grade_at_least: Option<Grade>,
    /// Specialty.
    pub specialty: Option<Specialty>,
    /// Only facilities having any of these capabilities that year.
    pub with_capability: Vec<Capability>,
}

fn class_rank(c: Option<GradeClass>) -> u8 {
    match c {
        Some(GradeClass::A) => 3,
        Some(GradeClass::B) => 2,
        Some(GradeClass::C) => 1,
        None => 0,
    }
}

fn tier_rank(t: Tier) -> u8 {
    match t {
        Tier::Tier1 => 1,
        Tier::Tier2 => 2,
        Tier::Tier3 => 3,
    }
}

/// Largest `min` or `max` a rule may state (no count or ratio a plan sets comes near it;
/// larger values would not print or compute exactly).
pub const MAX_BOUND: f64 = 1e12;

/// Whether `g` is at least `min` (a higher tier always is; within the tier, the class).
pub fn grade_at_least(g: Grade, min: Grade) -> bool {
    match (g, min) {
        (Grade::Hospital(t, c), Grade::Hospital(mt, mc)) => {
            tier_rank(t) > tier_rank(mt) || (t == mt && class_rank(c) >= class_rank(mc))
        }
        (_, Grade::Ungraded) => true,
        _ => false,
    }
}

impl FacilityFilter {
    /// Whether the facility's fixed attributes match (capabilities are checked per year).
    pub fn matches(&self, f: &Facility) -> bool {
        (self.types.is_empty() || self.types.contains(&f.kind))
            && (self.ownership.is_empty() || self.ownership.contains(&f.ownership))
            && self.public.is_none_or(|p| p == f.is_public())
            && self
                .grade_at_least
                .is_none_or(|g| grade_at_least(f.grade, g))
            && self.specialty.is_none_or(|s| f.specialty == Some(s))
    }
}

/// Which units a unit-level rule applies to (and, for facility rules, where facilities lie).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// Level.
    pub level: Option<AdminLevel>,
    /// Kinds (street, town, village…); empty = any.
    pub unit_kinds: Vec<UnitKind>,
    /// Only inside these units (the plan's jurisdiction); empty = anywhere.
    pub within: Vec<hsplan_model::AdminCode>,
}

/// What a rule is checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// Each facility that matches the filter.
    Facility,
    /// Each unit in scope (sums over its facilities).
    Unit,
}

/// A ratio's denominator.
#[derive(Debug, Clone, PartialEq)]
pub enum Denominator {
    /// Sum of quantities.
    Quantities(Vec<Quantity>),
    /// Resident population.
    Residents,
}

/// The check a rule makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// At least / at most N matching facilities in each unit, possibly one per K residents.
    Presence {
        /// Required count: max(min, ⌈residents ÷ per_residents⌉ + offset).
        min: Option<f64>,
        /// Allowed count at most.
        max: Option<f64>,
        /// One per this many residents.
        per_residents: Option<f64>,
        /// Added to the per-resident count (e.g. −1 when a centre serves its own area).
        offset: i64,
        /// Units with fewer residents are exempt (e.g. small villages may share).
        exempt_below_residents: Option<u64>,
    },
    /// Every matching facility has any of the capabilities.
    Capability {
        /// Capabilities, any of which satisfies the rule.
        any_of: Vec<Capability>,
    },
    /// A sum of quantities within bounds (per facility or per unit; quotas are maxima).
    Quantity {
        /// Facility or unit.
        subject: Subject,
        /// Quantities summed.
        of: Vec<Quantity>,
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
    /// numerator ÷ denominator within bounds (shares as fractions; "1:1.6" as 1.6).
    Ratio {
        /// Facility or unit.
        subject: Subject,
        /// Numerator quantities.
        numerator: Vec<Quantity>,
        /// Denominator.
        denominator: Denominator,
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
        /// The ratio is numerator ÷ denominator × per (100 for shares in %, 10,000 for
        /// "per 10k residents"); bounds are in the same terms.
        per: f64,
    },
}

/// One rule, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Kind name as written (presence, capability, quantity, quota, ratio, share).
    pub kind: String,
    /// Statement in Chinese.
    pub statement_zh: String,
    /// Statement in English.
    pub statement_en: String,
    /// Source document.
    pub source: String,
    /// Section and quotation, when given.
    pub section: Option<String>,
    /// The source's words.
    pub quote: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Units checked (unit rules) or where facilities lie (facility rules).
    pub scope: Scope,
    /// Facilities concerned.
    pub facilities: FacilityFilter,
    /// The check.
    pub check: Check,
    /// The national default where the seed's value differs.
    pub national_default: Option<Alternative>,
    /// Shortfall text with `{n}`.
    pub remedy_zh: String,
    /// English shortfall text with `{n}`.
    pub remedy_en: String,
    /// Text for an excess over the upper bound, with `{n}`.
    pub excess_zh: String,
    /// English text for an excess, with `{n}`.
    pub excess_en: String,
    /// Unit of the observed and required values as shown (e.g. "%", "辆/万人").
    pub unit_label: String,
}

/// A rule library.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// Library id.
    pub id: String,
    /// Title.
    pub title_zh: String,
    /// English title.
    pub title_en: String,
    /// Rules, in file order.
    pub rules: Vec<Rule>,
}

fn error(file: &str, text: &str, span: Range<usize>, message: String) -> PlanError {
    PlanError::Schema {
        location: Location::at(file, text, span.start),
        message,
    }
}

/// Reads a rule library; errors name file, line and column with a caret.
pub fn load(file: &str, text: &str) -> Result<RuleSet, PlanError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        error(file, text, offset..offset, e.message().trim().to_string())
    })?;
    let err = |span: Range<usize>, m: String| error(file, text, span, m);
    fn vocab<T: Labelled>(
        v: &Spanned<String>,
        err: &dyn Fn(Range<usize>, String) -> PlanError,
    ) -> Result<T, PlanError> {
        T::parse_label(v.get_ref()).map_err(|e| err(v.span(), e.to_string()))
    }
    fn list<T: Labelled>(
        v: &[Spanned<String>],
        err: &dyn Fn(Range<usize>, String) -> PlanError,
    ) -> Result<Vec<T>, PlanError> {
        v.iter().map(|x| vocab(x, err)).collect()
    }
    let mut rules = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in raw.rule {
        let id = r.id.get_ref().clone();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(err(
                r.id.span(),
                format!("rule id `{id}`: expected lowercase letters, digits, `-` or `_`"),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(err(r.id.span(), format!("rule id `{id}` is used twice")));
        }
        let scope = Scope {
            level: r
                .scope
                .level
                .as_ref()
                .map(|l| vocab::<AdminLevelLabel>(l, &err).map(AdminLevel::from_label))
                .transpose()?,
            unit_kinds: list(&r.scope.unit_kinds, &err)?,
            within: r
                .scope
                .within
                .iter()
                .map(|c| {
                    hsplan_model::AdminCode::parse(c.get_ref())
                        .map_err(|e| err(c.span(), format!("scope.within: {e}")))
                })
                .collect::<Result<_, _>>()?,
        };
        let facilities = FacilityFilter {
            types: list(&r.facilities.types, &err)?,
            ownership: list(&r.facilities.ownership, &err)?,
            public: r.facilities.public,
            grade_at_least: r
                .facilities
                .grade_at_least
                .as_ref()
                .map(|g| Grade::parse(g.get_ref()).map_err(|e| err(g.span(), e.to_string())))
                .transpose()?,
            specialty: r
                .facilities
                .specialty
                .as_ref()
                .map(|s| vocab(s, &err))
                .transpose()?,
            with_capability: list(&r.facilities.with_capability, &err)?,
        };
        let bounds = |need: bool| -> Result<(Option<f64>, Option<f64>), PlanError> {
            let (min, max) = (r.min.as_ref(), r.max.as_ref());
            for b in [min, max].into_iter().flatten() {
                if !b.get_ref().is_finite() || !(0.0..=MAX_BOUND).contains(b.get_ref()) {
                    return Err(err(
                        b.span(),
                        format!("a bound must be a number from 0 to {MAX_BOUND:e}"),
                    ));
                }
            }
            if let (Some(a), Some(b)) = (min, max)
                && a.get_ref() > b.get_ref()
            {
                return Err(err(
                    b.span(),
                    format!("max {} is below min {}", b.get_ref(), a.get_ref()),
                ));
            }
            if need && min.is_none() && max.is_none() && r.per_residents.is_none() {
                return Err(err(
                    r.kind.span(),
                    "this kind needs `min`, `max` (or `per_residents`)".into(),
                ));
            }
            Ok((min.map(|m| *m.get_ref()), max.map(|m| *m.get_ref())))
        };
        let subject = |default: Subject| -> Result<Subject, PlanError> {
            match r.subject.as_ref() {
                None => Ok(default),
                Some(s) => match s.get_ref().as_str() {
                    "facility" => Ok(Subject::Facility),
                    "unit" => Ok(Subject::Unit),
                    other => Err(err(
                        s.span(),
                        format!("subject `{other}`: expected `facility` or `unit`"),
                    )),
                },
            }
        };
        let nonempty = |v: &[Spanned<String>], field: &str| -> Result<(), PlanError> {
            if v.is_empty() {
                Err(err(
                    r.kind.span(),
                    format!("this kind needs a non-empty `{field}`"),
                ))
            } else {
                Ok(())
            }
        };
        let check = match r.kind.get_ref().as_str() {
            "presence" => {
                let (min, max) = bounds(true)?;
                if let Some(p) = &r.per_residents
                    && *p.get_ref() <= 0.0
                {
                    return Err(err(p.span(), "per_residents must be > 0".into()));
                }
                if scope.level.is_none() {
                    return Err(err(
                        r.kind.span(),
                        "a presence rule needs `scope.level` (the units counted in)".into(),
                    ));
                }
                Check::Presence {
                    min,
                    max,
                    per_residents: r.per_residents.as_ref().map(|p| *p.get_ref()),
                    offset: r.offset.unwrap_or(0),
                    exempt_below_residents: r.exempt_below_residents,
                }
            }
            "capability" => {
                nonempty(&r.any_of, "any_of")?;
                Check::Capability {
                    any_of: list(&r.any_of, &err)?,
                }
            }
            "quantity" | "quota" => {
                nonempty(&r.of, "of")?;
                let (min, max) = bounds(true)?;
                let default = if r.kind.get_ref() == "quota" {
                    Subject::Unit
                } else {
                    Subject::Facility
                };
                let subject = subject(default)?;
                if subject == Subject::Unit && scope.level.is_none() {
                    return Err(err(r.kind.span(), "a unit rule needs `scope.level`".into()));
                }
                Check::Quantity {
                    subject,
                    of: list(&r.of, &err)?,
                    min,
                    max,
                }
            }
            "ratio" | "share" => {
                nonempty(&r.numerator, "numerator")?;
                nonempty(&r.denominator, "denominator")?;
                let (min, max) = bounds(true)?;
                let subject = subject(Subject::Unit)?;
                if subject == Subject::Unit && scope.level.is_none() {
                    return Err(err(r.kind.span(), "a unit rule needs `scope.level`".into()));
                }
                let denominator =
                    if r.denominator.len() == 1 && r.denominator[0].get_ref() == "residents" {
                        if subject == Subject::Facility {
                            return Err(err(
                                r.denominator[0].span(),
                                "residents belong to units: use subject = \"unit\"".into(),
                            ));
                        }
                        Denominator::Residents
                    } else {
                        Denominator::Quantities(list(&r.denominator, &err)?)
                    };
                let per = match &r.per {
                    Some(p) if *p.get_ref() > 0.0 && p.get_ref().is_finite() => *p.get_ref(),
                    Some(p) => return Err(err(p.span(), "per must be a number > 0".into())),
                    None if r.kind.get_ref() == "share" => 100.0,
                    None => 1.0,
                };
                Check::Ratio {
                    subject,
                    numerator: list(&r.numerator, &err)?,
                    denominator,
                    min,
                    max,
                    per,
                }
            }
            other => {
                return Err(err(
                    r.kind.span(),
                    format!(
                        "rule kind `{other}`: expected presence, capability, quantity, quota, ratio or share"
                    ),
                ));
            }
        };
        if !r.remedy_zh.contains("{n}") && !matches!(check, Check::Capability { .. }) {
            return Err(err(
                r.id.span(),
                "remedy_zh must say how much is missing with `{n}`".into(),
            ));
        }
        rules.push(Rule {
            id,
            kind: r.kind.get_ref().clone(),
            statement_zh: r.statement_zh,
            statement_en: r.statement_en,
            source: r.source.document,
            section: r.source.section,
            quote: r.source.quote,
            severity: r.severity,
            scope,
            facilities,
            check,
            national_default: r.national_default,
            remedy_zh: r.remedy_zh,
            remedy_en: r.remedy_en,
            excess_zh: r.excess_zh.unwrap_or_else(|| "超出上限 {n}".into()),
            excess_en: r
                .excess_en
                .unwrap_or_else(|| "{n} above the upper bound".into()),
            unit_label: r.unit_label.unwrap_or_else(|| {
                if r.kind.get_ref() == "share" {
                    "%".into()
                } else {
                    String::new()
                }
            }),
        });
    }
    Ok(RuleSet {
        id: raw.standards.id,
        title_zh: raw.standards.title_zh,
        title_en: raw.standards.title_en,
        rules,
    })
}
