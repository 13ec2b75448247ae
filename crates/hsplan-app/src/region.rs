//! The region as planners browse it: what the store holds, the hierarchy as a tree,
//! search by code or name, a page per unit, its facilities and indicators.

use crate::{Result, known_unit, parse_year};
use hsplan_eval::{Form, Gap, INDICATORS, compute};
use hsplan_model::{AdminCode, AdminUnit, Facility, Labelled, NoteKind, ServiceSystem, Year};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Units of one level.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LevelCount {
    /// Level code (province, prefecture, county, town, village).
    pub level: String,
    /// 中文.
    pub level_zh: String,
    /// Units of that level.
    pub units: usize,
}

/// A note stored with the data (synthetic data, schematic boundaries, remarks).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DataNote {
    /// synthetic_data, schematic_boundaries or remark.
    pub kind: String,
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

/// What the store holds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatusReport {
    /// Units per level, top first.
    pub levels: Vec<LevelCount>,
    /// Population records.
    pub population: usize,
    /// Facilities.
    pub facilities: usize,
    /// Facility-years.
    pub facility_years: usize,
    /// Years with facility data or population.
    pub years: Vec<i32>,
    /// Top-level units (the roots of the tree).
    pub roots: Vec<UnitSummary>,
    /// Whether the data are synthetic (labelled wherever shown).
    pub synthetic_data: bool,
    /// Notes stored with the data.
    pub notes: Vec<DataNote>,
    /// Snapshot version (increases with every import).
    pub version: u64,
}

fn note_kind(k: NoteKind) -> &'static str {
    match k {
        NoteKind::SyntheticData => "synthetic_data",
        NoteKind::SchematicBoundaries => "schematic_boundaries",
        NoteKind::Remark => "remark",
    }
}

/// The notes of a system.
pub fn notes(sys: &ServiceSystem) -> Vec<DataNote> {
    sys.notes
        .iter()
        .map(|n| DataNote {
            kind: note_kind(n.kind).into(),
            zh: n.zh.clone(),
            en: n.en.clone(),
        })
        .collect()
}

/// Years with any population or facility data, ascending.
pub fn years(sys: &ServiceSystem) -> Vec<i32> {
    let mut years: Vec<i32> = sys.years().iter().map(|y| i32::from(y.get())).collect();
    years.extend(sys.population.keys().map(|(_, y)| i32::from(y.get())));
    years.sort();
    years.dedup();
    years
}

/// `hsplan status`: what the store holds.
pub fn status(snapshot: &crate::Snapshot) -> StatusReport {
    let sys = &snapshot.sys;
    let c = &snapshot.counts;
    StatusReport {
        levels: c
            .units_by_level
            .iter()
            .map(|(level, n)| LevelCount {
                level: level.label().code().into(),
                level_zh: level.label().zh().into(),
                units: *n,
            })
            // units of other hierarchies under their source's level names
            .chain(c.source_levels.iter().map(|((level, name), n)| {
                let name = if name.is_empty() {
                    format!("{}*", level.label().zh())
                } else {
                    name.clone()
                };
                LevelCount {
                    level: level.label().code().into(),
                    level_zh: name,
                    units: *n,
                }
            }))
            .collect(),
        population: c.population,
        facilities: c.facilities,
        facility_years: c.facility_years,
        years: years(sys),
        roots: sys
            .units
            .values()
            .filter(|u| u.parent().is_none_or(|p| !sys.units.contains_key(&p)))
            .map(|u| summary(sys, u))
            .collect(),
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
        notes: notes(sys),
        version: snapshot.version,
    }
}

/// A unit in a list or tree.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitSummary {
    /// Statistical division code (or the code hsplan assigned to a unit of another
    /// hierarchy).
    pub code: String,
    /// Name.
    pub name: String,
    /// Level code.
    pub level: String,
    /// Level, 中文 (for a unit of another hierarchy, the source's name for its level).
    pub level_zh: String,
    /// The unit's id in the system it came from (a DHIS2 uid), for a unit of another
    /// hierarchy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Kind (street, town, township, community, village), when known.
    pub kind: Option<String>,
    /// Direct sub-units in the store.
    pub children: usize,
    /// Whether it has a boundary.
    pub has_boundary: bool,
}

/// A unit as a list entry.
pub fn summary(sys: &ServiceSystem, u: &AdminUnit) -> UnitSummary {
    UnitSummary {
        code: u.code.to_string(),
        name: u.name.clone(),
        level: u.level().label().code().into(),
        level_zh: u
            .level_name
            .clone()
            .unwrap_or_else(|| u.level().label().zh().into()),
        source_id: u.source_id.clone(),
        kind: u.kind.map(|k| k.code().to_string()),
        children: sys.children(u.code).count(),
        has_boundary: u.boundary.is_some(),
    }
}

/// The direct sub-units of `parent`.
pub fn children(sys: &ServiceSystem, parent: &str) -> Result<Vec<UnitSummary>> {
    let unit = known_unit(sys, "parent", parent)?;
    Ok(sys.children(unit.code).map(|u| summary(sys, u)).collect())
}

/// A search hit: the unit and the names of its ancestors, top first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchHit {
    /// The unit.
    pub unit: UnitSummary,
    /// Ancestors' names, top first (e.g. 重庆市 › 北碚区 › 天生街道).
    pub path: Vec<String>,
}

/// Ancestors of a code that are in the store, top first.
pub fn ancestors(sys: &ServiceSystem, code: AdminCode) -> Vec<&AdminUnit> {
    let mut out = Vec::new();
    let mut at = code.parent();
    while let Some(c) = at {
        if let Some(u) = sys.units.get(&c) {
            out.push(u);
        }
        at = c.parent();
    }
    out.reverse();
    out
}

/// Units whose code starts with `query` or whose name contains it, at most `limit`,
/// higher levels first, then by code. `within` restricts the search to a subtree.
pub fn search(
    sys: &ServiceSystem,
    query: &str,
    within: Option<&str>,
    limit: usize,
) -> Result<Vec<SearchHit>> {
    let query = query.trim();
    if query.is_empty() {
        return Err(crate::AppError::invalid(
            "q",
            "give a code or part of a name",
        ));
    }
    let root = within.map(|w| known_unit(sys, "within", w)).transpose()?;
    let digits = query.chars().all(|c| c.is_ascii_digit());
    let mut hits: Vec<&AdminUnit> = sys
        .units
        .values()
        .filter(|u| root.is_none_or(|r| u.code == r.code || u.code.is_descendant_of(r.code)))
        .filter(|u| {
            if digits {
                u.code.to_string().starts_with(query)
            } else {
                u.name.contains(query)
            }
        })
        .collect();
    hits.sort_by_key(|u| (u.level(), u.code));
    Ok(hits
        .into_iter()
        .take(limit)
        .map(|u| SearchHit {
            unit: summary(sys, u),
            path: ancestors(sys, u.code)
                .iter()
                .map(|a| a.name.clone())
                .collect(),
        })
        .collect())
}

/// A library indicator computed for a unit and year.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorRow {
    /// Library id.
    pub id: String,
    /// 中文 name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Unit of the value (as in plan files).
    pub unit: String,
    /// The value (x of 1:x for ratios), when computable.
    pub value: Option<f64>,
    /// The value as written (1:x for ratios).
    pub shown: Option<String>,
    /// Why there is no value: numerator_incomplete, denominator_incomplete, zero_denominator.
    pub gap: Option<String>,
    /// Contributors that did not report, when incomplete.
    pub missing: Option<usize>,
    /// Numerator as aggregated.
    pub numerator: f64,
    /// Denominator as aggregated (none for counts).
    pub denominator: Option<f64>,
}

/// Every library indicator for a unit (and everything below it) in a year.
pub fn indicators(sys: &ServiceSystem, code: AdminCode, year: Year) -> Vec<IndicatorRow> {
    INDICATORS
        .iter()
        .map(|def| {
            let v = compute(sys, def, code, year);
            let (gap, missing) = match v.value {
                Ok(_) => (None, None),
                Err(Gap::NumeratorIncomplete { missing }) => {
                    (Some("numerator_incomplete"), Some(missing))
                }
                Err(Gap::DenominatorIncomplete { missing }) => {
                    (Some("denominator_incomplete"), Some(missing))
                }
                Err(Gap::ZeroDenominator) => (Some("zero_denominator"), None),
            };
            IndicatorRow {
                id: def.id.into(),
                name_zh: def.name_zh.into(),
                name_en: def.name_en.into(),
                unit: def.unit.into(),
                value: v.value.ok(),
                shown: v.value.ok().map(|x| match def.form {
                    Form::OneTo => format!("1:{x:.2}"),
                    _ => hsplan_report::html::format_number(x),
                }),
                gap: gap.map(String::from),
                missing,
                numerator: v.numerator.value,
                denominator: v.denominator.map(|d| d.value),
            }
        })
        .collect()
}

/// Facilities of one kind (or grade) and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CountBy {
    /// Code of the type or grade.
    pub code: String,
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
    /// Open facilities.
    pub count: usize,
}

/// Population of a unit in one year.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PopulationYear {
    /// Year.
    pub year: i32,
    /// Residents (complete sums only: a village without figures makes it absent).
    pub resident: Option<f64>,
}

/// A page per unit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitDetail {
    /// The unit.
    pub unit: UnitSummary,
    /// Ancestors, top first.
    pub path: Vec<UnitSummary>,
    /// Direct sub-units.
    pub children: Vec<UnitSummary>,
    /// Year shown.
    pub year: i32,
    /// Residents by year (the unit and everything below it).
    pub population: Vec<PopulationYear>,
    /// Open facilities in the year, by type.
    pub facilities_by_type: Vec<CountBy>,
    /// Open facilities in the year, by grade.
    pub facilities_by_grade: Vec<CountBy>,
    /// Every library indicator for the year.
    pub indicators: Vec<IndicatorRow>,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
}

fn count_by<T: Labelled + Ord>(items: impl Iterator<Item = T>) -> Vec<CountBy> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for t in items {
        *counts.entry(t).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(t, count)| CountBy {
            code: t.code().into(),
            zh: t.zh().into(),
            en: t.en().into(),
            count,
        })
        .collect()
}

/// The latest year with data, or `None` for an empty store.
pub fn latest_year(sys: &ServiceSystem) -> Option<i32> {
    years(sys).last().copied()
}

/// A unit's page for a year (default: the latest year with data).
pub fn unit_detail(sys: &ServiceSystem, code: &str, year: Option<i64>) -> Result<UnitDetail> {
    let unit = known_unit(sys, "code", code)?;
    let year_num = match year {
        Some(y) => y,
        None => i64::from(latest_year(sys).unwrap_or(2020)),
    };
    let year = parse_year("year", year_num)?;
    let open: Vec<&Facility> =
        hsplan_eval::measure::open_facilities_in(sys, unit.code, year).collect();
    let population = years(sys)
        .into_iter()
        .filter_map(|y| Year::new(i64::from(y)).ok())
        .map(|y| PopulationYear {
            year: i32::from(y.get()),
            resident: hsplan_eval::measure::population(
                sys,
                unit.code,
                y,
                hsplan_eval::PopulationBase::Resident,
            )
            .complete(),
        })
        .collect();
    Ok(UnitDetail {
        unit: summary(sys, unit),
        path: ancestors(sys, unit.code)
            .into_iter()
            .map(|u| summary(sys, u))
            .collect(),
        children: sys.children(unit.code).map(|u| summary(sys, u)).collect(),
        year: i32::from(year.get()),
        population,
        facilities_by_type: count_by(open.iter().map(|f| f.kind)),
        facilities_by_grade: {
            let mut counts: BTreeMap<hsplan_model::Grade, usize> = BTreeMap::new();
            for f in &open {
                *counts.entry(f.grade).or_default() += 1;
            }
            counts
                .into_iter()
                .map(|(g, count)| CountBy {
                    code: g.code(),
                    zh: g.zh(),
                    en: g.code(),
                    count,
                })
                .collect()
        },
        indicators: indicators(sys, unit.code, year),
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
    })
}

/// A facility in a list or on the map.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacilitySummary {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type code.
    pub kind: String,
    /// Type, 中文.
    pub kind_zh: String,
    /// Type, English.
    pub kind_en: String,
    /// Grade code.
    pub grade: String,
    /// Grade, 中文.
    pub grade_zh: String,
    /// Ownership code.
    pub ownership: String,
    /// Unit code.
    pub unit: String,
    /// Longitude, when located.
    pub lon: Option<f64>,
    /// Latitude, when located.
    pub lat: Option<f64>,
    /// Beds in the year, when reported.
    pub beds: Option<u64>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// Items on this page.
    pub items: Vec<T>,
    /// Items in all pages.
    pub total: usize,
    /// Page number, from 1.
    pub page: usize,
    /// Items per page.
    pub page_size: usize,
}

/// Which facilities to list (also the query of `GET /api/facilities`).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FacilityQuery {
    /// Unit (the facilities in it and below).
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: String,
    /// Year (open in that year); default the latest.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: Option<i64>,
    /// Only these type codes (comma-separated).
    pub kind: Option<String>,
    /// Only this grade code.
    pub grade: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Items per page (1–5000, default 100).
    #[param(minimum = 1, maximum = 5000)]
    pub page_size: Option<usize>,
}

/// A facility as listed.
pub fn facility_summary(sys: &ServiceSystem, f: &Facility, year: Year) -> FacilitySummary {
    let beds = sys
        .facility_years
        .get(&(f.id.clone(), year))
        .and_then(|fy| fy.get(hsplan_model::Quantity::Beds))
        .map(|c| c.0);
    FacilitySummary {
        id: f.id.to_string(),
        name: f.name.clone(),
        kind: f.kind.code().into(),
        kind_zh: f.kind.zh().into(),
        kind_en: f.kind.en().into(),
        grade: f.grade.code(),
        grade_zh: f.grade.zh(),
        ownership: f.ownership.code().into(),
        unit: f.unit.to_string(),
        lon: f.location.map(|p| p.lon()),
        lat: f.location.map(|p| p.lat()),
        beds,
    }
}

/// Facilities open in a year in a unit's subtree, filtered and paged.
pub fn facilities(sys: &ServiceSystem, q: &FacilityQuery) -> Result<Page<FacilitySummary>> {
    let unit = known_unit(sys, "unit", &q.unit)?;
    let year = parse_year(
        "year",
        q.year
            .unwrap_or_else(|| i64::from(latest_year(sys).unwrap_or(2020))),
    )?;
    let page_size = q.page_size.unwrap_or(100);
    if !(1..=5000).contains(&page_size) {
        return Err(crate::AppError::invalid_said(
            "page_size",
            "between 1 and 5000",
            "应在 1 至 5000 之间",
        ));
    }
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(crate::AppError::invalid_said(
            "page",
            "pages are numbered from 1",
            "页码从 1 开始",
        ));
    }
    let kinds: Vec<&str> = q
        .kind
        .as_deref()
        .map(|k| {
            k.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<&Facility> = hsplan_eval::measure::open_facilities_in(sys, unit.code, year)
        .filter(|f| kinds.is_empty() || kinds.contains(&f.kind.code()))
        .filter(|f| q.grade.as_deref().is_none_or(|g| f.grade.code() == g))
        .collect();
    Ok(Page {
        total: all.len(),
        items: all
            .iter()
            .skip((page - 1).saturating_mul(page_size))
            .take(page_size)
            .map(|f| facility_summary(sys, f, year))
            .collect(),
        page,
        page_size,
    })
}
