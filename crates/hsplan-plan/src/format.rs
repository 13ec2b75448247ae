//! The plan file (TOML): what a planner or an encoder writes. See docs/plan-format.md.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A whole plan file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The plan's identity and scope.
    pub plan: PlanHeader,
    /// Indicator table rows, in published order.
    #[serde(default)]
    pub indicators: Vec<IndicatorRow>,
    /// Equipment quotas (e.g. 乙类大型医用设备配置规划).
    #[serde(default)]
    pub equipment_quotas: Vec<EquipmentQuota>,
    /// Totals a project table states (合计), per table.
    #[serde(default)]
    pub project_totals: Vec<ProjectTotals>,
    /// Projects (重大工程项目表).
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Tasks (重点任务) with responsible units.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Quantitative targets stated only in the text.
    #[serde(default)]
    pub text_targets: Vec<TextTarget>,
    /// Totals the text breaks down by type ("478个，其中：医院29个…").
    #[serde(default)]
    pub stated_counts: Vec<StatedCount>,
}

/// A total with its parts by type, as the text states them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatedCount {
    /// Section the sentence stands under.
    pub section: String,
    /// The sentence, verbatim.
    pub quote: String,
    /// What is counted.
    pub subject_zh: String,
    /// The stated total.
    pub total: Spanned<u64>,
    /// Year of the count.
    pub year: u16,
    /// The parts by type.
    pub parts: Vec<CountPart>,
}

/// One part of a stated count.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountPart {
    /// Label as published.
    pub label: String,
    /// Count.
    pub count: u64,
}

/// A quantitative target stated in the running text (not in a table).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextTarget {
    /// Section or box, e.g. `第二章 第三节 发展目标`.
    pub section: String,
    /// The words of the source that state the target, verbatim.
    pub quote: Spanned<String>,
    /// What is targeted, in the source's words.
    pub subject_zh: String,
    /// English subject.
    pub subject_en: String,
    /// Indicator id, when the target is an indicator shared with other plans.
    #[serde(default)]
    pub id: Option<Spanned<String>>,
    /// Id of the library formula that computes it, when it differs from `id` (e.g. a share
    /// the plan states in % whose formula is the library's share).
    #[serde(default)]
    pub formula: Option<String>,
    /// Unit (see the indicator units).
    pub unit: Spanned<String>,
    /// Target in the published-value notation: "≥3.5", "≤14.5", "100", "1:1.3".
    pub target: Spanned<String>,
    /// Year the target is due.
    pub year: Spanned<u16>,
    /// Which way is better.
    pub direction: Direction,
}

/// Project nature (建设性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProjectNature {
    /// 新建
    #[serde(rename = "新建")]
    New,
    /// 续建
    #[serde(rename = "续建")]
    Continued,
    /// 改建
    #[serde(rename = "改建")]
    Rebuilt,
    /// 迁建
    #[serde(rename = "迁建")]
    Relocated,
    /// 迁扩建
    #[serde(rename = "迁扩建")]
    RelocatedExpanded,
    /// 改扩建
    #[serde(rename = "改扩建")]
    RebuiltExpanded,
}

impl ProjectNature {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ProjectNature::New => "新建",
            ProjectNature::Continued => "续建",
            ProjectNature::Rebuilt => "改建",
            ProjectNature::Relocated => "迁建",
            ProjectNature::RelocatedExpanded => "迁扩建",
            ProjectNature::RebuiltExpanded => "改扩建",
        }
    }
}

/// The totals row (合计) of a project table, as published.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectTotals {
    /// Table, e.g. `专栏七`.
    pub table: Spanned<String>,
    /// Total floor area, m².
    #[serde(default)]
    pub floor_area_m2: Option<Spanned<f64>>,
    /// Total investment, 万元.
    #[serde(default)]
    pub investment_10k_yuan: Option<Spanned<f64>>,
    /// Total new land, 亩.
    #[serde(default)]
    pub new_land_mu: Option<Spanned<f64>>,
    /// Number of projects stated in the text, when stated.
    #[serde(default)]
    pub count: Option<Spanned<u32>>,
}

/// One row of a project table. Absent numbers are "－" in the source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Table, e.g. `专栏七`.
    pub table: String,
    /// Published 序号.
    pub row: Spanned<String>,
    /// Project name.
    pub name: String,
    /// Main content (主要建设内容).
    pub content: String,
    /// Nature (新建/续建/改建/迁建/迁扩建/改扩建); absent when "－".
    #[serde(default)]
    pub nature: Option<ProjectNature>,
    /// Floor area, m².
    #[serde(default)]
    pub floor_area_m2: Option<f64>,
    /// Planned investment, 万元.
    #[serde(default)]
    pub investment_10k_yuan: Option<f64>,
    /// Implementation years as published, e.g. "2020-2022".
    pub years: Spanned<String>,
    /// New land, 亩.
    #[serde(default)]
    pub new_land_mu: Option<f64>,
    /// Status as published (施工中, 已立项, 规划中…).
    #[serde(default)]
    pub status: Option<String>,
    /// Note (备注 beyond the status, or about the encoding).
    #[serde(default)]
    pub note: Option<String>,
}

impl Project {
    /// First and last implementation year, read from `years` ("2020-2022", "2021—2025", "2023").
    pub fn year_range(&self) -> Option<(u16, u16)> {
        let t = self.years.get_ref();
        let mut parts = t
            .split(['-', '—', '–', '～', '~'])
            .map(|p| p.trim().trim_end_matches('年').parse::<u16>());
        let first = parts.next()?.ok()?;
        let last = match parts.next() {
            Some(p) => p.ok()?,
            None => first,
        };
        Some((first, last))
    }
}

/// One task (重点任务) with its responsible units.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Section it belongs to, e.g. `二、（一）`.
    pub section: String,
    /// Published number.
    pub number: Spanned<String>,
    /// Title (the first sentence).
    pub title: String,
    /// Full text as published, without the responsible-unit note.
    pub text: String,
    /// Target years named in the text (到2027年…).
    #[serde(default)]
    pub target_years: Vec<u16>,
    /// Responsible units in published order (the first leads).
    pub responsible: Spanned<Vec<String>>,
    /// Indicator ids the task serves.
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// Identity and scope of a plan.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanHeader {
    /// Stable id, e.g. `beibei-14th-fyp`.
    pub id: Spanned<String>,
    /// Title as published.
    pub title_zh: String,
    /// English title.
    pub title_en: String,
    /// Issuing body.
    pub issuer: String,
    /// Admin code of the jurisdiction (6–12 digits).
    pub jurisdiction: Spanned<String>,
    /// Level: province, prefecture, county.
    pub level: Spanned<String>,
    /// First and last year of the plan period.
    pub period: Spanned<[u16; 2]>,
    /// Baseline year of the indicator table (required when there is one).
    #[serde(default)]
    pub baseline_year: Option<Spanned<u16>>,
    /// Target year(s).
    pub target_years: Spanned<Vec<u16>>,
    /// Ids of parent plans.
    #[serde(default)]
    pub parents: Vec<String>,
    /// Seed or document the encoding follows.
    pub source: String,
}

/// Binding (约束性) or expected (预期性).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Nature {
    /// 约束性
    #[serde(rename = "binding", alias = "约束性")]
    Binding,
    /// 预期性
    #[serde(rename = "expected", alias = "预期性")]
    Expected,
}

impl Nature {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Nature::Binding => "约束性",
            Nature::Expected => "预期性",
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
    /// Neither (a target band or a structure).
    Neutral,
}

/// One row of an indicator table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRow {
    /// Table it belongs to, e.g. `专栏1`.
    pub table: String,
    /// Row label: the published number ("8"), or "8.1", "8.2"… for unnumbered sub-rows.
    pub row: Spanned<String>,
    /// Row this one is a sub-row of (其中 rows and grouped rows).
    #[serde(default)]
    pub sub_of: Option<Spanned<String>>,
    /// Dimension/category as the plan groups it (维度).
    #[serde(default)]
    pub dimension: Option<String>,
    /// Stable indicator id shared across plans.
    pub id: Spanned<String>,
    /// Name as published, with its unit in brackets if the plan writes it so.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Unit: 岁, ‰, /10万, %, 人/千人, 张/千人, 个/千人, 人/万人, 人/十万人, 辆/万人, ratio, 天, 元, 亿元…
    pub unit: Spanned<String>,
    /// Which way is better.
    pub direction: Direction,
    /// Baseline as published ("—" when missing). Only a row with sub-rows may omit it.
    #[serde(default)]
    pub baseline: Option<Spanned<String>>,
    /// Target as published. Only a row with sub-rows may omit it.
    #[serde(default)]
    pub target: Option<Spanned<String>>,
    /// Binding or expected. Only a row with sub-rows may omit it.
    #[serde(default)]
    pub nature: Option<Nature>,
    /// Id of the computable formula in the indicator library, when one exists.
    #[serde(default)]
    pub formula: Option<String>,
    /// Note on the encoding (a slip in the source, a footnote).
    #[serde(default)]
    pub note: Option<String>,
}

/// Planned count of one kind of equipment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentQuota {
    /// Table it belongs to, e.g. `专栏2`.
    pub table: String,
    /// Name as published.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Equipment quantity code in the model (e.g. `pet_ct`).
    #[serde(default)]
    pub quantity: Option<Spanned<String>>,
    /// Unit (台).
    pub unit: String,
    /// Count at baseline.
    pub baseline: Spanned<i64>,
    /// Planned count at the target year.
    pub planned: Spanned<i64>,
}

impl IndicatorRow {
    /// Baseline text as published ("" for a group row without one).
    pub fn baseline_text(&self) -> &str {
        self.baseline
            .as_ref()
            .map(|s| s.get_ref().trim())
            .unwrap_or("")
    }
    /// Target text as published ("" for a group row without one).
    pub fn target_text(&self) -> &str {
        self.target
            .as_ref()
            .map(|s| s.get_ref().trim())
            .unwrap_or("")
    }
}
