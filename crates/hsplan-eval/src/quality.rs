//! The data-quality review of a unit's data for a year, in the four dimensions of WHO's
//! Data Quality Review (2017) and DHIS2's data-quality app:
//!
//! - **completeness**: open facilities that sent no return for the year, and quantities a
//!   facility reports in its other years but not in this one;
//! - **internal consistency**: doctors and nurses together against the health technical
//!   staff they are part of, and bed occupancy (bed-days over beds × days) outside 0–150 %;
//! - **outliers**: modified z-scores (Iglewicz & Hoaglin 1993) of each quantity among the
//!   facilities of one type in one year, and jumps against the mean of up to three
//!   preceding years;
//! - **external consistency**: a unit's own population record against the sum of its
//!   children's, and a plan's published baseline against the value computed for its
//!   baseline year.
//!
//! Each unit gets a score per dimension (the share of checks passed) and overall (their
//! mean); evaluation rows whose inputs carry a finding are marked ([`doubt_for`]).

use crate::library::IndicatorDef;
use crate::measure::{FacilitySet, Measure, PopulationBase, open_facilities_in, population};
use hsplan_model::{
    AdminCode, Facility, FacilityId, FacilityYear, InstitutionType, Labelled, Quantity,
    ServiceSystem, Tier, Year,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Thresholds of the review.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rules {
    /// A value is an outlier when the modified z-score of its logarithm among its peers'
    /// exceeds this (3.5, Iglewicz & Hoaglin).
    pub outlier_z: f64,
    /// Fewest facilities of a type reporting a quantity for the z-score to be computed.
    pub outlier_min_group: usize,
    /// A change of more than this share (%) against the mean of up to three preceding
    /// years is a jump (WHO DQR uses ±33 % for a year against its three predecessors).
    pub jump_pct: f64,
    /// An outlier or a jump must differ from its reference (the peers' median, the mean of
    /// earlier years) by at least this many, so 5 → 7 staff is not flagged.
    pub min_difference: f64,
    /// Bed occupancy above this (%) is implausible.
    pub occupancy_max_pct: f64,
    /// A unit's population may differ from the sum of its children's by this much (%).
    pub population_tolerance_pct: f64,
    /// A published baseline may differ from the computed value by this much (%), beyond
    /// the rounding of its published digits.
    pub baseline_tolerance_pct: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            outlier_z: 3.5,
            outlier_min_group: 5,
            jump_pct: 50.0,
            min_difference: 20.0,
            occupancy_max_pct: 150.0,
            population_tolerance_pct: 1.0,
            baseline_tolerance_pct: 5.0,
        }
    }
}

/// The dimension a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Returns and values that should be there.
    Completeness,
    /// Values of one return against each other.
    InternalConsistency,
    /// Values against their peers and their own past.
    Outliers,
    /// Values against other sources.
    ExternalConsistency,
}

impl Dimension {
    /// All four, in order.
    pub const ALL: [Dimension; 4] = [
        Dimension::Completeness,
        Dimension::InternalConsistency,
        Dimension::Outliers,
        Dimension::ExternalConsistency,
    ];

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Dimension::Completeness => "完整性",
            Dimension::InternalConsistency => "内部一致性",
            Dimension::Outliers => "异常值",
            Dimension::ExternalConsistency => "外部一致性",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Dimension::Completeness => "Completeness",
            Dimension::InternalConsistency => "Internal consistency",
            Dimension::Outliers => "Outliers",
            Dimension::ExternalConsistency => "External consistency",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// An open facility sent no return for the year.
    NotReporting,
    /// A quantity the facility reports in other years is missing this year.
    QuantityMissing,
    /// Licensed (assistant) doctors plus registered nurses exceed the health technical staff.
    StaffSum,
    /// Bed-days over beds × days outside 0–150 %, or bed-days without beds.
    BedOccupancy,
    /// Modified z-score among facilities of the same type and year.
    Outlier,
    /// A jump against the mean of the preceding years.
    YearJump,
    /// A unit's population against the sum of its children's.
    PopulationChildren,
    /// A plan's published baseline against the computed value.
    PlanBaseline,
}

impl Check {
    /// Every check, in order.
    pub const ALL: [Check; 8] = [
        Check::NotReporting,
        Check::QuantityMissing,
        Check::StaffSum,
        Check::BedOccupancy,
        Check::Outlier,
        Check::YearJump,
        Check::PopulationChildren,
        Check::PlanBaseline,
    ];

    /// Its dimension.
    pub fn dimension(self) -> Dimension {
        match self {
            Check::NotReporting | Check::QuantityMissing => Dimension::Completeness,
            Check::StaffSum | Check::BedOccupancy => Dimension::InternalConsistency,
            Check::Outlier | Check::YearJump => Dimension::Outliers,
            Check::PopulationChildren | Check::PlanBaseline => Dimension::ExternalConsistency,
        }
    }

    /// Stable code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            Check::NotReporting => "not_reporting",
            Check::QuantityMissing => "quantity_missing",
            Check::StaffSum => "staff_sum",
            Check::BedOccupancy => "bed_occupancy",
            Check::Outlier => "outlier",
            Check::YearJump => "year_jump",
            Check::PopulationChildren => "population_children",
            Check::PlanBaseline => "plan_baseline",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Check::NotReporting => "未报送",
            Check::QuantityMissing => "指标缺报",
            Check::StaffSum => "医护之和超过卫生技术人员",
            Check::BedOccupancy => "病床使用率不合理",
            Check::Outlier => "同类机构异常值",
            Check::YearJump => "与往年相比突变",
            Check::PopulationChildren => "人口与下级合计不符",
            Check::PlanBaseline => "与规划公布基线不符",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Check::NotReporting => "No return",
            Check::QuantityMissing => "Quantity missing",
            Check::StaffSum => "Doctors + nurses exceed technical staff",
            Check::BedOccupancy => "Implausible bed occupancy",
            Check::Outlier => "Outlier among peers",
            Check::YearJump => "Jump against earlier years",
            Check::PopulationChildren => "Population ≠ sum of sub-units",
            Check::PlanBaseline => "Differs from the plan's baseline",
        }
    }
}

/// One problem found, located.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The dimension.
    pub dimension: Dimension,
    /// The check.
    pub check: Check,
    /// Unit code (the facility's unit for facility findings).
    pub unit: String,
    /// Unit name.
    pub unit_name: String,
    /// Facility id, for facility findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// Facility name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility_name: Option<String>,
    /// Institution type of the facility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility_type: Option<InstitutionType>,
    /// The year.
    pub year: i32,
    /// The quantity concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// The plan indicator concerned (plan baseline findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// The value found.
    pub value: Option<f64>,
    /// What it was compared with (median, mean of earlier years, whole, sum of children,
    /// published baseline).
    pub reference: Option<f64>,
    /// The statistic (modified z, % change, occupancy %, % difference).
    pub statistic: Option<f64>,
    /// The finding in Chinese.
    pub zh: String,
    /// The finding in English.
    pub en: String,
}

/// One dimension's checks in a unit: how many were made and passed.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Score {
    /// Checks made (values expected, returns checked, values tested, comparisons).
    pub checked: usize,
    /// Checks passed.
    pub passed: usize,
    /// passed / checked, %; none when nothing was checked.
    pub pct: Option<f64>,
}

impl Score {
    fn new(checked: usize, passed: usize) -> Self {
        Score {
            checked,
            passed,
            pct: (checked > 0).then(|| passed as f64 / checked as f64 * 100.0),
        }
    }
}

/// A unit's scores: the share of checks passed (%) per dimension, where any was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    /// Unit code.
    pub unit: String,
    /// Name.
    pub name: String,
    /// Open facilities.
    pub facilities: usize,
    /// Facilities that sent a return.
    pub reporting: usize,
    /// Expected values present.
    pub completeness: Score,
    /// Returns passing the consistency checks.
    pub internal_consistency: Score,
    /// Values tested that are no outliers.
    pub outliers: Score,
    /// External comparisons passed.
    pub external_consistency: Score,
    /// Mean of the dimensions' percentages, over those assessed.
    pub score: Option<f64>,
    /// Findings in the unit (and below).
    pub findings: usize,
}

impl UnitScore {
    /// The score of one dimension.
    pub fn of(&self, d: Dimension) -> &Score {
        match d {
            Dimension::Completeness => &self.completeness,
            Dimension::InternalConsistency => &self.internal_consistency,
            Dimension::Outliers => &self.outliers,
            Dimension::ExternalConsistency => &self.external_consistency,
        }
    }

    fn rescore(&mut self) {
        let assessed: Vec<f64> = Dimension::ALL
            .iter()
            .filter_map(|&d| self.of(d).pct)
            .collect();
        self.score =
            (!assessed.is_empty()).then(|| assessed.iter().sum::<f64>() / assessed.len() as f64);
    }
}

/// Completeness of one quantity in one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletenessRow {
    /// Unit code.
    pub unit: String,
    /// The quantity.
    pub quantity: Quantity,
    /// Open facilities expected to report it (they report it in some year).
    pub expected: usize,
    /// Of those, reporting it this year.
    pub reported: usize,
    /// reported / expected, %.
    pub pct: f64,
}

/// The review of a unit (and everything below it) for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReview {
    /// Unit code.
    pub unit: String,
    /// Name.
    pub unit_name: String,
    /// Year reviewed.
    pub year: i32,
    /// Thresholds used.
    pub rules: Rules,
    /// The unit, then its direct sub-units.
    pub scores: Vec<UnitScore>,
    /// Completeness per quantity for the unit and its direct sub-units.
    pub completeness: Vec<CompletenessRow>,
    /// Findings, by dimension, check, unit and facility.
    pub findings: Vec<Finding>,
    /// Findings per check.
    pub counts: BTreeMap<Check, usize>,
}

/// Counters of one unit's checks.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    facilities: usize,
    reporting: usize,
    expected_values: usize,
    present_values: usize,
    consistency_checked: usize,
    consistency_failed: usize,
    values_tested: usize,
    values_flagged: usize,
    external_checked: usize,
    external_failed: usize,
    findings: usize,
}

impl Tally {
    fn score(&self, code: AdminCode, name: &str) -> UnitScore {
        let mut s = UnitScore {
            unit: code.to_string(),
            name: name.to_string(),
            facilities: self.facilities,
            reporting: self.reporting,
            completeness: Score::new(self.expected_values, self.present_values),
            internal_consistency: Score::new(
                self.consistency_checked,
                self.consistency_checked - self.consistency_failed,
            ),
            outliers: Score::new(self.values_tested, self.values_tested - self.values_flagged),
            external_consistency: Score::new(
                self.external_checked,
                self.external_checked - self.external_failed,
            ),
            score: None,
            findings: self.findings,
        };
        s.rescore();
        s
    }
}

/// Facilities compared with each other: one type, one tier, one quantity.
type PeerGroup = (InstitutionType, Option<Tier>, Quantity);

/// Days in a year (for bed occupancy).
fn days_in(year: Year) -> f64 {
    let y = i32::from(year.get());
    if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
        366.0
    } else {
        365.0
    }
}

/// Median of a non-empty slice (sorted in place).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Modified z-scores of `values` (Iglewicz & Hoaglin): 0.6745 (x − median) / MAD; when the
/// MAD is zero, (x − median) / (1.253314 × mean absolute deviation), and none when that is
/// zero too (all values equal).
pub fn modified_z(values: &[f64]) -> Vec<Option<f64>> {
    if values.is_empty() {
        return Vec::new();
    }
    let med = median(&mut values.to_vec());
    let mut dev: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&mut dev);
    if mad > 0.0 {
        return values
            .iter()
            .map(|v| Some(0.6745 * (v - med) / mad))
            .collect();
    }
    let mean_ad = values.iter().map(|v| (v - med).abs()).sum::<f64>() / values.len() as f64;
    if mean_ad > 0.0 {
        values
            .iter()
            .map(|v| Some((v - med) / (1.253314 * mean_ad)))
            .collect()
    } else {
        values.iter().map(|_| None).collect()
    }
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

struct Ctx<'a> {
    sys: &'a ServiceSystem,
    year: Year,
}

impl Ctx<'_> {
    fn unit_name(&self, code: AdminCode) -> String {
        self.sys
            .units
            .get(&code)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn facility_finding(
        &self,
        check: Check,
        f: &Facility,
        quantity: Option<Quantity>,
        value: Option<f64>,
        reference: Option<f64>,
        statistic: Option<f64>,
        (zh, en): (String, String),
    ) -> Finding {
        Finding {
            dimension: check.dimension(),
            check,
            unit: f.unit.to_string(),
            unit_name: self.unit_name(f.unit),
            facility: Some(f.id.as_str().to_string()),
            facility_name: Some(f.name.clone()),
            facility_type: Some(f.kind),
            year: i32::from(self.year.get()),
            quantity,
            indicator: None,
            value,
            reference,
            statistic,
            zh,
            en,
        }
    }
}

/// Reviews `unit` and everything below it in `year`.
pub fn review(sys: &ServiceSystem, unit: AdminCode, year: Year, rules: &Rules) -> QualityReview {
    let cx = Ctx { sys, year };
    let mut findings = Vec::new();
    // Per facility, the tallies it adds to its units; summed up the tree below.
    let mut by_facility: BTreeMap<&FacilityId, Tally> = BTreeMap::new();
    let open: Vec<&Facility> = open_facilities_in(sys, unit, year).collect();

    // Every year's return of each facility, in year order.
    let mut history: BTreeMap<&FacilityId, Vec<&FacilityYear>> = BTreeMap::new();
    for ((id, _), fy) in &sys.facility_years {
        history.entry(id).or_default().push(fy);
    }

    // Completeness and internal consistency, facility by facility.
    for f in &open {
        let t = by_facility.entry(&f.id).or_default();
        t.facilities = 1;
        let years = history.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
        let expected: BTreeSet<Quantity> = years
            .iter()
            .flat_map(|fy| fy.quantities.keys().copied())
            .collect();
        let this = years.iter().find(|fy| fy.year == year);
        let Some(fy) = this else {
            t.expected_values += expected.len().max(1);
            t.findings += 1;
            findings.push(cx.facility_finding(
                Check::NotReporting,
                f,
                None,
                None,
                None,
                None,
                (
                    format!("{}（{}）{}年无报表", f.name, f.id.as_str(), year.get()),
                    format!(
                        "{} ({}) sent no return for {}",
                        f.name,
                        f.id.as_str(),
                        year.get()
                    ),
                ),
            ));
            continue;
        };
        t.reporting = 1;
        t.expected_values += expected.len();
        for &q in &expected {
            if fy.get(q).is_some() {
                t.present_values += 1;
                continue;
            }
            t.findings += 1;
            let other: Vec<String> = years
                .iter()
                .filter(|o| o.get(q).is_some())
                .map(|o| o.year.get().to_string())
                .collect();
            findings.push(cx.facility_finding(
                Check::QuantityMissing,
                f,
                Some(q),
                None,
                None,
                None,
                (
                    format!(
                        "{}{}年未报{}（{}年有报）",
                        f.name,
                        year.get(),
                        q.zh(),
                        other.join("、")
                    ),
                    format!(
                        "{}: {} missing in {} (reported in {})",
                        f.name,
                        q.en(),
                        year.get(),
                        other.join(", ")
                    ),
                ),
            ));
        }
        // Doctors and nurses together are part of the technical staff.
        let doctors = fy.licensed_and_assistant_doctors();
        let nurses = fy.get(Quantity::RegisteredNurses);
        let technical = fy.get(Quantity::StaffHealthTechnical);
        let mut consistent = true;
        let mut checked = false;
        if let (Some(d), Some(n), Some(tech)) = (doctors, nurses, technical) {
            checked = true;
            let sum = d.0 as f64 + n.0 as f64;
            if sum > tech.0 as f64 {
                consistent = false;
                findings.push(cx.facility_finding(
                    Check::StaffSum,
                    f,
                    Some(Quantity::StaffHealthTechnical),
                    Some(sum),
                    Some(tech.0 as f64),
                    None,
                    (
                        format!(
                            "{}：执业（助理）医师{}人 + 注册护士{}人 = {}人，多于卫生技术人员{}人",
                            f.name, d.0, n.0, fmt(sum), tech.0
                        ),
                        format!(
                            "{}: {} doctors + {} nurses = {}, more than the {} health technical staff",
                            f.name, d.0, n.0, fmt(sum), tech.0
                        ),
                    ),
                ));
            }
        }
        if let (Some(beds), Some(days)) =
            (fy.get(Quantity::Beds), fy.get(Quantity::InpatientBedDays))
        {
            checked = true;
            let capacity = beds.0 as f64 * days_in(year);
            let occupancy = (capacity > 0.0).then(|| days.0 as f64 / capacity * 100.0);
            let bad = match occupancy {
                Some(o) => o > rules.occupancy_max_pct,
                None => days.0 > 0,
            };
            if bad {
                consistent = false;
                let (zh, en) = match occupancy {
                    Some(o) => (
                        format!(
                            "{}：出院者占用床日{}÷（床位{}×{}天）= 病床使用率{:.0}%，超过{:.0}%",
                            f.name,
                            days.0,
                            beds.0,
                            days_in(year),
                            o,
                            rules.occupancy_max_pct
                        ),
                        format!(
                            "{}: {} bed-days / ({} beds × {} days) = {:.0} % occupancy, above {:.0} %",
                            f.name,
                            days.0,
                            beds.0,
                            days_in(year),
                            o,
                            rules.occupancy_max_pct
                        ),
                    ),
                    None => (
                        format!("{}：无床位却报出院者占用床日{}", f.name, days.0),
                        format!("{}: {} bed-days reported with no beds", f.name, days.0),
                    ),
                };
                findings.push(cx.facility_finding(
                    Check::BedOccupancy,
                    f,
                    Some(Quantity::InpatientBedDays),
                    Some(days.0 as f64),
                    Some(capacity),
                    occupancy,
                    (zh, en),
                ));
            }
        }
        if checked {
            t.consistency_checked += 1;
            if !consistent {
                t.consistency_failed += 1;
                t.findings += 1;
            }
        }
    }

    // Outliers among peers: every facility of a type reporting a quantity this year (in the
    // whole system, so a small unit is compared with all its peers), flagged inside `unit`.
    let inside: BTreeSet<&FacilityId> = open.iter().map(|f| &f.id).collect();
    // Peers: one type and one tier (a tier-3 district hospital is no peer of the small
    // unranked ones).
    let mut groups: BTreeMap<PeerGroup, Vec<(&Facility, f64)>> = BTreeMap::new();
    for f in sys.facilities.values().filter(|f| f.is_open_in(year)) {
        if let Some(fy) = sys.facility_years.get(&(f.id.clone(), year)) {
            for (&q, &v) in &fy.quantities {
                groups
                    .entry((f.kind, f.grade.tier(), q))
                    .or_default()
                    .push((f, v.0 as f64));
            }
        }
    }
    let mut flagged: BTreeSet<(&FacilityId, Quantity)> = BTreeSet::new();
    for ((kind, tier, q), members) in &groups {
        // Zeros are structural (no such department) and sizes spread multiplicatively, so
        // the score is taken over the logarithms of the positive values.
        let members: Vec<&(&Facility, f64)> = members.iter().filter(|(_, v)| *v > 0.0).collect();
        if members.len() < rules.outlier_min_group {
            continue;
        }
        let logs: Vec<f64> = members.iter().map(|(_, v)| v.ln()).collect();
        let med = median(&mut members.iter().map(|(_, v)| *v).collect::<Vec<f64>>());
        for (&&(f, v), z) in members.iter().zip(modified_z(&logs)) {
            if !inside.contains(&f.id) {
                continue;
            }
            let t = by_facility.entry(&f.id).or_default();
            t.values_tested += 1;
            let Some(z) =
                z.filter(|z| z.abs() > rules.outlier_z && (v - med).abs() >= rules.min_difference)
            else {
                continue;
            };
            t.values_flagged += 1;
            t.findings += 1;
            flagged.insert((&f.id, *q));
            findings.push(cx.facility_finding(
                Check::Outlier,
                f,
                Some(*q),
                Some(v),
                Some(med),
                Some(z),
                (
                    format!(
                        "{}：{} {}，同类{}{}（{}家）中位数{}，修正z值{:.1}",
                        f.name,
                        q.zh(),
                        fmt(v),
                        tier.map_or("", |t| t.zh()),
                        kind.zh(),
                        members.len(),
                        fmt(med),
                        z
                    ),
                    format!(
                        "{}: {} {} against a median of {} among {} {}{}s, modified z {:.1}",
                        f.name,
                        q.en(),
                        fmt(v),
                        fmt(med),
                        members.len(),
                        tier.map_or(String::new(), |t| format!("{} ", t.en().to_lowercase())),
                        kind.en().to_lowercase(),
                        z
                    ),
                ),
            ));
        }
    }

    // Jumps against the facility's own mean of up to three preceding years.
    for f in &open {
        let years = history.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
        let Some(fy) = years.iter().find(|fy| fy.year == year) else {
            continue;
        };
        let before: Vec<&&FacilityYear> = years
            .iter()
            .filter(|o| o.year < year && o.year.get() + 3 >= year.get())
            .collect();
        for (&q, &v) in &fy.quantities {
            let earlier: Vec<f64> = before
                .iter()
                .filter_map(|o| o.get(q).map(|c| c.0 as f64))
                .collect();
            if earlier.is_empty() {
                continue;
            }
            let t = by_facility.entry(&f.id).or_default();
            // A value already flagged as an outlier is tested once.
            let already = flagged.contains(&(&f.id, q));
            if !already {
                t.values_tested += 1;
            }
            let mean = earlier.iter().sum::<f64>() / earlier.len() as f64;
            let value = v.0 as f64;
            let diff = value - mean;
            let change = if mean > 0.0 {
                diff / mean * 100.0
            } else {
                f64::INFINITY
            };
            if diff.abs() < rules.min_difference || change.abs() <= rules.jump_pct {
                continue;
            }
            if !already {
                t.values_flagged += 1;
            }
            t.findings += 1;
            let shown_change = if change.is_finite() {
                format!("{change:+.0}%")
            } else {
                "—".to_string()
            };
            findings.push(cx.facility_finding(
                Check::YearJump,
                f,
                Some(q),
                Some(value),
                Some(mean),
                change.is_finite().then_some(change),
                (
                    format!(
                        "{}：{} {}，前{}年均值{}，变化{}",
                        f.name,
                        q.zh(),
                        fmt(value),
                        earlier.len(),
                        fmt(mean),
                        shown_change
                    ),
                    format!(
                        "{}: {} {} against a mean of {} over the {} years before ({})",
                        f.name,
                        q.en(),
                        fmt(value),
                        fmt(mean),
                        earlier.len(),
                        shown_change
                    ),
                ),
            ));
        }
    }

    // Population: a unit's own record against the sum of its children's.
    let mut by_unit_external: BTreeMap<AdminCode, (usize, usize)> = BTreeMap::new();
    let subtree: Vec<AdminCode> = std::iter::once(unit)
        .chain(sys.descendants(unit).map(|u| u.code))
        .collect();
    for &code in &subtree {
        let Some(own) = sys
            .population
            .get(&(code, year))
            .and_then(|r| PopulationBase::Resident.of(r))
        else {
            continue;
        };
        let children: Vec<AdminCode> = sys.children(code).map(|u| u.code).collect();
        if children.is_empty() {
            continue;
        }
        let sum = children.iter().fold(crate::Amount::default(), |a, &c| {
            let p = population(sys, c, year, PopulationBase::Resident);
            crate::Amount {
                value: a.value + p.value,
                missing: a.missing + p.missing,
                reported: a.reported + p.reported,
            }
        });
        let Some(sum) = sum.complete() else { continue };
        let e = by_unit_external.entry(code).or_default();
        e.0 += 1;
        let own = own as f64;
        let diff_pct = if sum > 0.0 {
            (own - sum) / sum * 100.0
        } else {
            f64::INFINITY
        };
        if diff_pct.abs() <= rules.population_tolerance_pct {
            continue;
        }
        e.1 += 1;
        let name = cx.unit_name(code);
        findings.push(Finding {
            dimension: Dimension::ExternalConsistency,
            check: Check::PopulationChildren,
            unit: code.to_string(),
            unit_name: name.clone(),
            facility: None,
            facility_name: None,
            facility_type: None,
            year: i32::from(year.get()),
            quantity: None,
            indicator: None,
            value: Some(own),
            reference: Some(sum),
            statistic: diff_pct.is_finite().then_some(diff_pct),
            zh: format!(
                "{name}常住人口{}，下级合计{}，相差{:+.1}%",
                fmt(own),
                fmt(sum),
                diff_pct
            ),
            en: format!(
                "{name}: resident population {} against {} summed over its sub-units ({:+.1} %)",
                fmt(own),
                fmt(sum),
                diff_pct
            ),
        });
    }

    // Tallies summed up to the unit and each direct child.
    let tally_of = |code: AdminCode| -> Tally {
        let mut t = Tally::default();
        for f in open
            .iter()
            .filter(|f| f.unit == code || f.unit.is_descendant_of(code))
        {
            if let Some(x) = by_facility.get(&f.id) {
                t.facilities += x.facilities;
                t.reporting += x.reporting;
                t.expected_values += x.expected_values;
                t.present_values += x.present_values;
                t.consistency_checked += x.consistency_checked;
                t.consistency_failed += x.consistency_failed;
                t.values_tested += x.values_tested;
                t.values_flagged += x.values_flagged;
                t.findings += x.findings;
            }
        }
        for (c, (checked, failed)) in &by_unit_external {
            if *c == code || c.is_descendant_of(code) {
                t.external_checked += checked;
                t.external_failed += failed;
                t.findings += failed;
            }
        }
        t
    };
    let mut shown_units = vec![unit];
    shown_units.extend(sys.sub_units(unit).into_iter().map(|u| u.code));
    let scores = shown_units
        .iter()
        .map(|&c| tally_of(c).score(c, &cx.unit_name(c)))
        .collect();

    // Completeness per quantity, for the unit and each direct child.
    let mut completeness = Vec::new();
    for &code in &shown_units {
        let mut per: BTreeMap<Quantity, (usize, usize)> = BTreeMap::new();
        for f in open
            .iter()
            .filter(|f| f.unit == code || f.unit.is_descendant_of(code))
        {
            let years = history.get(&f.id).map(Vec::as_slice).unwrap_or(&[]);
            let this = years.iter().find(|fy| fy.year == year);
            let expected: BTreeSet<Quantity> = years
                .iter()
                .flat_map(|fy| fy.quantities.keys().copied())
                .collect();
            for q in expected {
                let e = per.entry(q).or_default();
                e.0 += 1;
                if this.is_some_and(|fy| fy.get(q).is_some()) {
                    e.1 += 1;
                }
            }
        }
        completeness.extend(
            per.into_iter()
                .map(|(q, (expected, reported))| CompletenessRow {
                    unit: code.to_string(),
                    quantity: q,
                    expected,
                    reported,
                    pct: reported as f64 / expected as f64 * 100.0,
                }),
        );
    }

    findings.sort_by(|a, b| {
        (a.check, &a.unit, &a.facility, a.quantity).cmp(&(
            b.check,
            &b.unit,
            &b.facility,
            b.quantity,
        ))
    });
    let mut counts = BTreeMap::new();
    for f in &findings {
        *counts.entry(f.check).or_insert(0) += 1;
    }
    QualityReview {
        unit: unit.to_string(),
        unit_name: cx.unit_name(unit),
        year: i32::from(year.get()),
        rules: *rules,
        scores,
        completeness,
        findings,
        counts,
    }
}

/// Compares a plan's published baselines with the values computed for its baseline year
/// for `unit`; adds the findings and counts them in the unit's external score.
pub fn check_plan_baselines(
    review: &mut QualityReview,
    sys: &ServiceSystem,
    plan: &hsplan_plan::Plan,
    unit: AdminCode,
) {
    use hsplan_plan::PublishedValue;
    let Some(base_year) = plan
        .data
        .plan
        .baseline_year
        .as_ref()
        .and_then(|y| Year::new(i64::from(*y.get_ref())).ok())
    else {
        return;
    };
    let mut checked = 0;
    let mut failed = 0;
    for ind in &plan.data.indicators {
        let Some(def) = ind.formula.as_deref().and_then(crate::find) else {
            continue;
        };
        let Some(text) = ind.baseline.as_ref().map(|b| b.get_ref()) else {
            continue;
        };
        let Some(published) = PublishedValue::parse(text).number() else {
            continue;
        };
        let Ok(computed) = crate::compute(sys, def, unit, base_year).value else {
            continue;
        };
        checked += 1;
        let half_digit = 0.5 * 10f64.powi(-(PublishedValue::decimals(text) as i32));
        let tolerance =
            half_digit.max(published.abs() * review.rules.baseline_tolerance_pct / 100.0);
        if (computed - published).abs() <= tolerance {
            continue;
        }
        failed += 1;
        let diff_pct = (published != 0.0).then(|| (computed - published) / published * 100.0);
        let shown_diff = diff_pct.map_or("—".to_string(), |d| format!("{d:+.1}%"));
        review.findings.push(Finding {
            dimension: Dimension::ExternalConsistency,
            check: Check::PlanBaseline,
            unit: unit.to_string(),
            unit_name: sys
                .units
                .get(&unit)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            facility: None,
            facility_name: None,
            facility_type: None,
            year: i32::from(base_year.get()),
            quantity: None,
            indicator: Some(ind.id.get_ref().clone()),
            value: Some(computed),
            reference: Some(published),
            statistic: diff_pct,
            zh: format!(
                "{}：{}年数据算得{:.2}，规划公布基线{}（{}）",
                ind.name_zh,
                base_year.get(),
                computed,
                text.trim(),
                shown_diff
            ),
            en: format!(
                "{}: {:.2} computed for {} against the published baseline {} ({})",
                ind.name_en,
                computed,
                base_year.get(),
                text.trim(),
                shown_diff
            ),
        });
    }
    let code = unit.to_string();
    if let Some(s) = review.scores.iter_mut().find(|s| s.unit == code) {
        let e = s.external_consistency;
        s.external_consistency = Score::new(e.checked + checked, e.passed + checked - failed);
        s.findings += failed;
        s.rescore();
    }
    if failed > 0 {
        *review.counts.entry(Check::PlanBaseline).or_insert(0) += failed;
    }
    review.findings.sort_by(|a, b| {
        (a.check, &a.unit, &a.facility, a.quantity).cmp(&(
            b.check,
            &b.unit,
            &b.facility,
            b.quantity,
        ))
    });
}

/// Why an evaluation row rests on doubtful data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doubt {
    /// The checks that found something in the row's inputs.
    pub checks: Vec<Check>,
    /// How many findings.
    pub findings: usize,
    /// In Chinese: what was found, the first few findings.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// What a measure reads: (facility set, quantity) pairs, and whether it reads population.
fn inputs(m: &Measure, read: &mut Vec<(FacilitySet, Quantity)>, people: &mut bool) {
    match m {
        Measure::Quantity(set, q) => read.push((*set, *q)),
        Measure::Doctors(set) => {
            read.push((*set, Quantity::LicensedDoctors));
            read.push((*set, Quantity::AssistantDoctors));
        }
        Measure::Population(_) => *people = true,
        Measure::Facilities(_)
        | Measure::FacilitiesWithAny(..)
        | Measure::Usage(_)
        | Measure::ResidentCareWithin { .. }
        | Measure::ResidentCareOutside { .. } => {}
    }
}

/// The quantities a finding puts in doubt.
fn doubted(f: &Finding) -> Vec<Quantity> {
    match f.check {
        Check::StaffSum => vec![
            Quantity::LicensedDoctors,
            Quantity::AssistantDoctors,
            Quantity::RegisteredNurses,
            Quantity::StaffHealthTechnical,
        ],
        // either the beds or the bed-days are wrong
        Check::BedOccupancy => vec![Quantity::Beds, Quantity::InpatientBedDays],
        Check::Outlier | Check::YearJump => f.quantity.into_iter().collect(),
        // A missing return or value leaves the indicator without a value (a gap), so a
        // computed value never rests on one; the other checks are not about quantities.
        Check::NotReporting
        | Check::QuantityMissing
        | Check::PopulationChildren
        | Check::PlanBaseline => Vec::new(),
    }
}

/// Whether a finding touches an indicator's inputs: a facility's doubted quantity that the
/// indicator sums over a set holding that facility, population for a population
/// finding, or the row itself for a plan-baseline finding.
fn touches(
    sys: &ServiceSystem,
    f: &Finding,
    row_id: &str,
    read: &[(FacilitySet, Quantity)],
    people: bool,
) -> bool {
    match f.check {
        Check::PlanBaseline => return f.indicator.as_deref() == Some(row_id),
        Check::PopulationChildren => return people,
        _ => {}
    }
    let Some(facility) = f
        .facility
        .as_deref()
        .and_then(|id| FacilityId::new(id).ok())
        .and_then(|id| sys.facilities.get(&id))
    else {
        return false;
    };
    let doubted = doubted(f);
    read.iter()
        .any(|(set, q)| doubted.contains(q) && set.contains(facility))
}

/// The doubt an evaluation row of indicator `def` (plan row id `row_id`) carries, given the
/// review of its unit and year; none when no finding touches its inputs.
pub fn doubt_for(
    sys: &ServiceSystem,
    review: &QualityReview,
    row_id: &str,
    def: &IndicatorDef,
) -> Option<Doubt> {
    let mut read = Vec::new();
    let mut people = false;
    inputs(&def.numerator, &mut read, &mut people);
    if let Some(d) = &def.denominator {
        inputs(d, &mut read, &mut people);
    }
    let hits: Vec<&Finding> = review
        .findings
        .iter()
        .filter(|f| touches(sys, f, row_id, &read, people))
        .collect();
    if hits.is_empty() {
        return None;
    }
    let checks: BTreeSet<Check> = hits.iter().map(|f| f.check).collect();
    const SHOWN: usize = 3;
    let list = |pick: fn(&Finding) -> &str, sep: &str, more: String| {
        let mut t: Vec<&str> = hits.iter().take(SHOWN).map(|f| pick(f)).collect();
        if hits.len() > SHOWN {
            t.push(&more);
        }
        t.join(sep)
    };
    let rest = hits.len().saturating_sub(SHOWN);
    Some(Doubt {
        checks: checks.into_iter().collect(),
        findings: hits.len(),
        zh: list(|f| &f.zh, "；", format!("另有{rest}项")),
        en: list(|f| &f.en, "; ", format!("and {rest} more")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_z_follows_iglewicz_hoaglin() {
        // median 11, |deviations| 1,2,0,1,39 → MAD 1; z(50) = 0.6745 × 39
        let z = modified_z(&[10.0, 9.0, 11.0, 12.0, 50.0]);
        assert!((z[4].unwrap() - 0.6745 * 39.0).abs() < 1e-9);
        assert!((z[0].unwrap() + 0.6745).abs() < 1e-12);
        assert_eq!(z[2], Some(0.0));
        // MAD 0: the mean absolute deviation stands in (4 of 5 equal).
        let z = modified_z(&[5.0, 5.0, 5.0, 5.0, 15.0]);
        assert!((z[4].unwrap() - 10.0 / (1.253314 * 2.0)).abs() < 1e-9);
        // all equal: no score at all
        assert_eq!(modified_z(&[3.0, 3.0, 3.0]), vec![None, None, None]);
        assert!(modified_z(&[]).is_empty());
    }

    #[test]
    fn leap_years_have_366_days() {
        assert_eq!(days_in(Year::new(2024).unwrap()), 366.0);
        assert_eq!(days_in(Year::new(2100).unwrap()), 365.0);
        assert_eq!(days_in(Year::new(2000).unwrap()), 366.0);
        assert_eq!(days_in(Year::new(2023).unwrap()), 365.0);
    }

    #[test]
    fn scores_are_means_of_assessed_dimensions() {
        let t = Tally {
            facilities: 2,
            reporting: 2,
            expected_values: 10,
            present_values: 9,
            values_tested: 4,
            values_flagged: 1,
            ..Tally::default()
        };
        let s = t.score(AdminCode::parse("500109").unwrap(), "北碚区");
        assert_eq!(s.completeness.pct, Some(90.0));
        assert_eq!(s.outliers.pct, Some(75.0));
        assert_eq!(s.internal_consistency.pct, None);
        assert_eq!(s.score, Some(82.5));
    }
}
