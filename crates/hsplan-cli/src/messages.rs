//! The message catalogue: every user-facing line of the CLI, in zh-CN and en.

use clap::ValueEnum;

/// Output language (zh-CN by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Lang {
    /// 简体中文.
    #[default]
    #[value(name = "zh-CN", alias = "zh")]
    Zh,
    /// English.
    #[value(name = "en")]
    En,
}

/// Message keys.
#[derive(Debug, Clone, Copy)]
pub enum Msg {
    Imported,
    StoreAt,
    Units,
    Population,
    Facilities,
    FacilityYears,
    Geometries,
    Level,
    Count,
    Exported,
    Elapsed,
    DemoTitle,
    DemoSynthetic,
    SeverityError,
    SeverityWarning,
    SeverityInfo,
    /// Template: {file} {errors} {warnings} {notes}.
    CheckSummary,
    Projects,
    FloorArea,
    Investment,
    NewLand,
    Total,
    ByNature,
    ByStatus,
    ByStartYear,
    /// Template: {table} {column} {stated} {computed} {verdict}.
    TotalCheck,
    Matches,
    Mismatch,
    Tasks,
    ResponsibleUnit,
    Lead,
    Involved,
    ByTargetYear,
    BySection,
    Indicator,
    Value,
    Numerator,
    Denominator,
    /// Template: {missing}.
    GapNumerator,
    /// Template: {missing}.
    GapDenominator,
    GapZero,
    /// Template: {year}.
    EvaluationHeading,
    Baseline,
    TargetWord,
    Expected,
    Actual,
    StatusWord,
    /// Template: {indicator}.
    LeagueHeading,
    /// Template: {indicator} {gini}.
    EquityLine,
    ModeAnnual,
    ModeMidterm,
    ModeFinal,
    /// Template: {year} {value}.
    ProjectionReach,
    /// Template: {year} {value} {miss}.
    ProjectionMiss,
    /// Template: {n}.
    GapUnits,
}

impl Msg {
    /// The text in a language.
    pub fn text(self, lang: Lang) -> &'static str {
        use Msg::*;
        match (self, lang) {
            (Imported, Lang::Zh) => "导入完成",
            (Imported, Lang::En) => "Imported",
            (StoreAt, Lang::Zh) => "数据库",
            (StoreAt, Lang::En) => "Store",
            (Units, Lang::Zh) => "行政区划",
            (Units, Lang::En) => "units",
            (Population, Lang::Zh) => "人口记录",
            (Population, Lang::En) => "population records",
            (Facilities, Lang::Zh) => "机构",
            (Facilities, Lang::En) => "facilities",
            (FacilityYears, Lang::Zh) => "机构年度资源记录",
            (FacilityYears, Lang::En) => "facility-years",
            (Geometries, Lang::Zh) => "空间要素",
            (Geometries, Lang::En) => "geometries",
            (Level, Lang::Zh) => "级别",
            (Level, Lang::En) => "level",
            (Count, Lang::Zh) => "数量",
            (Count, Lang::En) => "count",
            (Exported, Lang::Zh) => "已导出",
            (Exported, Lang::En) => "Exported",
            (Elapsed, Lang::Zh) => "耗时",
            (Elapsed, Lang::En) => "elapsed",
            (DemoTitle, Lang::Zh) => "演示区域：重庆市北碚区",
            (DemoTitle, Lang::En) => "Demo region: Beibei district, Chongqing",
            (DemoSynthetic, Lang::Zh) => {
                "区划为国家统计局2023年真实数据；人口与机构登记为合成数据（种子固定，2020年按规划专栏1校准）"
            }
            (DemoSynthetic, Lang::En) => {
                "Divisions: real NBS 2023 data. Population and facility registry: SYNTHETIC (seeded; 2020 calibrated to the plan's 专栏1)"
            }
            (SeverityError, Lang::Zh) => "错误",
            (SeverityError, Lang::En) => "error",
            (SeverityWarning, Lang::Zh) => "警告",
            (SeverityWarning, Lang::En) => "warning",
            (SeverityInfo, Lang::Zh) => "提示",
            (SeverityInfo, Lang::En) => "info",
            (CheckSummary, Lang::Zh) => {
                "{file}：{errors} 个错误，{warnings} 个警告，{notes} 个提示"
            }
            (CheckSummary, Lang::En) => {
                "{file}: {errors} errors, {warnings} warnings, {notes} notes"
            }
            (Projects, Lang::Zh) => "项目",
            (Projects, Lang::En) => "projects",
            (FloorArea, Lang::Zh) => "建筑面积㎡",
            (FloorArea, Lang::En) => "floor m²",
            (Investment, Lang::Zh) => "拟投资万元",
            (Investment, Lang::En) => "invest. 10k¥",
            (NewLand, Lang::Zh) => "新征地亩",
            (NewLand, Lang::En) => "land mu",
            (Total, Lang::Zh) => "合计",
            (Total, Lang::En) => "total",
            (ByNature, Lang::Zh) => "按建设性质",
            (ByNature, Lang::En) => "by nature",
            (ByStatus, Lang::Zh) => "按状态",
            (ByStatus, Lang::En) => "by status",
            (ByStartYear, Lang::Zh) => "按开工年度",
            (ByStartYear, Lang::En) => "by start year",
            (TotalCheck, Lang::Zh) => {
                "{table} {column}：所列 {stated} / 各行之和 {computed} — {verdict}"
            }
            (TotalCheck, Lang::En) => {
                "{table} {column}: stated {stated} / computed {computed} — {verdict}"
            }
            (Matches, Lang::Zh) => "一致",
            (Matches, Lang::En) => "matches",
            (Mismatch, Lang::Zh) => "不一致",
            (Mismatch, Lang::En) => "MISMATCH",
            (Tasks, Lang::Zh) => "任务数",
            (Tasks, Lang::En) => "tasks",
            (ResponsibleUnit, Lang::Zh) => "责任单位",
            (ResponsibleUnit, Lang::En) => "responsible unit",
            (Lead, Lang::Zh) => "牵头",
            (Lead, Lang::En) => "lead",
            (Involved, Lang::Zh) => "参与",
            (Involved, Lang::En) => "all",
            (ByTargetYear, Lang::Zh) => "按目标年份",
            (ByTargetYear, Lang::En) => "by target year",
            (BySection, Lang::Zh) => "按部分",
            (BySection, Lang::En) => "by section",
            (Indicator, Lang::Zh) => "指标",
            (Indicator, Lang::En) => "indicator",
            (Value, Lang::Zh) => "值",
            (Value, Lang::En) => "value",
            (Numerator, Lang::Zh) => "分子",
            (Numerator, Lang::En) => "numerator",
            (Denominator, Lang::Zh) => "分母",
            (Denominator, Lang::En) => "denominator",
            (GapNumerator, Lang::Zh) => "无数据：{missing} 个机构未报告",
            (GapNumerator, Lang::En) => "no data: {missing} facilities did not report",
            (GapDenominator, Lang::Zh) => "无数据：缺 {missing} 项人口或分母数据",
            (GapDenominator, Lang::En) => {
                "no data: {missing} population/denominator records missing"
            }
            (GapZero, Lang::Zh) => "分母为零",
            (GapZero, Lang::En) => "denominator is zero",
            (EvaluationHeading, Lang::Zh) => "{year}年规划指标监测（★ 约束性）",
            (EvaluationHeading, Lang::En) => "Plan indicators in {year} (★ binding)",
            (Baseline, Lang::Zh) => "基期",
            (Baseline, Lang::En) => "baseline",
            (TargetWord, Lang::Zh) => "目标",
            (TargetWord, Lang::En) => "target",
            (Expected, Lang::Zh) => "应达",
            (Expected, Lang::En) => "expected",
            (Actual, Lang::Zh) => "实际",
            (Actual, Lang::En) => "actual",
            (StatusWord, Lang::Zh) => "状态",
            (StatusWord, Lang::En) => "status",
            (LeagueHeading, Lang::Zh) => "各镇街排名·{indicator}",
            (LeagueHeading, Lang::En) => "Sub-units ranked · {indicator}",
            (EquityLine, Lang::Zh) => "公平性（按人口基尼系数）· {indicator}：{gini}",
            (EquityLine, Lang::En) => "Equity (Gini by population) · {indicator}: {gini}",
            (ModeAnnual, Lang::Zh) => "年度监测",
            (ModeAnnual, Lang::En) => "annual monitoring",
            (ModeMidterm, Lang::Zh) => "中期评估",
            (ModeMidterm, Lang::En) => "mid-term evaluation",
            (ModeFinal, Lang::Zh) => "终期评估",
            (ModeFinal, Lang::En) => "final evaluation",
            (ProjectionReach, Lang::Zh) => "{year}年预计{value}，可达成",
            (ProjectionReach, Lang::En) => "{year}: projected {value}, will reach",
            (ProjectionMiss, Lang::Zh) => "{year}年预计{value}，差{miss}",
            (ProjectionMiss, Lang::En) => "{year}: projected {value}, will miss by {miss}",
            (GapUnits, Lang::Zh) => "较现有需新增{n}",
            (GapUnits, Lang::En) => "{n} more than today needed",
        }
    }
}

/// The label of a model vocabulary member in a language.
pub fn label<T: hsplan_model::Labelled>(v: T, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => v.zh(),
        Lang::En => v.en(),
    }
}

/// Pads `text` with spaces to `width` terminal columns (CJK characters count as two).
pub fn pad(text: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// Fills a template's `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}
