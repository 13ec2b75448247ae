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
    /// Baseline year of the indicator table.
    pub baseline_year: Spanned<u16>,
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
