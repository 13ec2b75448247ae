//! The message catalogue: every user-facing line of the CLI and the reports, in zh-CN and en.

/// Output language (zh-CN by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Lang {
    /// 简体中文.
    #[default]
    #[cfg_attr(feature = "clap", value(name = "zh-CN", alias = "zh"))]
    #[cfg_attr(feature = "serde", serde(rename = "zh-CN", alias = "zh"))]
    Zh,
    /// English.
    #[cfg_attr(feature = "clap", value(name = "en"))]
    #[cfg_attr(feature = "serde", serde(rename = "en"))]
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Evaluation mode (the report's title; the arithmetic is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Mode {
    /// 年度监测.
    Annual,
    /// 中期评估.
    Midterm,
    /// 终期评估.
    Final,
}

impl Mode {
    /// The mode's title.
    pub fn msg(self) -> Msg {
        match self {
            Mode::Annual => Msg::ModeAnnual,
            Mode::Midterm => Msg::ModeMidterm,
            Mode::Final => Msg::ModeFinal,
        }
    }
}

/// Message keys.
#[derive(Debug, Clone, Copy)]
pub enum Msg {
    UserAdded,
    PasswordSet,
    Granted,
    Revoked,
    AuditIntact,
    NoUsers,
    PasswordPrompt,
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
    DemoPlansTitle,
    DemoPlansIntro,
    DemoIndexAt,
    IndexPlan,
    IndexUnit,
    IndexEvaluated,
    IndexTargets,
    DemoSynthetic,
    RecordsSynthetic,
    DemoRecordsGenerated,
    DemoRecordsReused,
    RecordsWritten,
    RecordsStored,
    RecordsNone,
    RecordsRows,
    RecordsRefused,
    RecordsRejectedAt,
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
    SecContents,
    AccSyntheticDemand,
    /// Template: {n} {profile} {nodes} {engine} {s}.
    AccFacilitiesGraph,
    /// The engine name of Dijkstra's algorithm.
    AccEngineDijkstra,
    /// The engine name of a contraction hierarchy.
    AccEngineHierarchy,
    /// Costs read from a given list, not searched.
    AccEngineGiven,
    /// Template: {nodes} {arcs} {shortcuts} {s}.
    AccHierarchyBuilt,
    /// Template: {units} {facilities} {years} {indicators} {read} {evaluate} {out}.
    IndicatorsFromFiles,
    AccUnitHeader,
    AccPopulationHeader,
    AccAll,
    AccNoUnit,
    AccStandard,
    AccUncovered,
    AccFarSnaps,
    AccE2sfca,
    AccE2sfcaUnit,
    AccIsochrones,
    SecAccess,
    WithinMinutes,
    StandardShare,
    Farthest,
    AccessSynthetic,
    MoreViolations,
    StandardsHeading,
    NotAssessable,
    ReportAt,
    SecOverview,
    SecBinding,
    SecExpected,
    SecSubUnits,
    SecEquity,
    SecProblems,
    SecStandards,
    SecMethod,
    OverviewLine,
    Progress,
    TrendWord,
    Outlook,
    GapWord,
    MapCaption,
    SchematicMap,
    NoBoundaries,
    RankingHeading,
    UnitWord,
    GiniByPopulation,
    GiniByArea,
    EquityNote,
    ProblemLine,
    NoProblems,
    MethodStatus,
    MethodProjection,
    SecQuality,
    SecUtilisation,
    UtilisationIntro,
    PlanTarget,
    FhirResources,
    Dhis2Read,
    Dhis2Unmapped,
    FhirIgnoredResources,
    FhirIgnoredExtensions,
    FhirDefaults,
    FhirServices,
    AssignedCode,
    Dhis2Sent,
    TargetsSummary,
    AmbitionMore,
    AmbitionLess,
    AmbitionSame,
    AmbitionNotComparable,
    ParentGap,
    TargetEvaluated,
    TargetRecords,
    TargetNotComputable,
    TargetUnclassified,
    Dhis2Refused,
    QualityHeading,
    QualityLine,
    QualityScore,
    QualityFindings,
    QualityCheck,
    QualityFinding,
    QualityNone,
    QualityMore,
    QualityMethod,
    DataDoubt,
    PopulationFromTable,
    PopulationFromTrend,
    GeneratedBy,
    Violations,
    Rule,
    Observed,
    Required,
    Shortfall,
    Severity,
    Location,
    RulesChecked,
    NoViolations,
    ByDistrict,
    SiteLscp,
    SiteMclp,
    SitePMedian,
    SitePCenter,
    SiteNeedP,
    SiteNeedCandidates,
    SiteNoCandidates,
    SiteSaved,
    SiteInputs,
    SiteResult,
    SiteHeader,
    SiteResidents,
    SiteCoverageHeading,
    SiteBefore,
    SiteAfter,
    SiteMeanBefore,
    SiteMeanAfter,
    SiteUncoverable,
    SiteModelWord,
    SiteNewSites,
    SiteObjective,
    SiteGap,
    SiteThreshold,
    SiteSolveSeconds,
    SiteCompareUnits,
    SiteApplied,
    SiteNoHighs,
    SiteMethodInterchange,
    SiteMethodCovering,
    SiteMethodSequence,
    SiteMethodMipOptimal,
    SiteMethodMipLimit,
    SiteCoverageHeadingCovering,
    DemoSiting,
    ServeAt,
}

impl Msg {
    /// The text in a language.
    pub fn text(self, lang: Lang) -> &'static str {
        use Msg::*;
        match (self, lang) {
            (UserAdded, Lang::Zh) => "已添加用户",
            (UserAdded, Lang::En) => "User added",
            (PasswordSet, Lang::Zh) => "密码已更新，该用户的会话均已结束",
            (PasswordSet, Lang::En) => "Password changed; the user's sessions have ended",
            (Granted, Lang::Zh) => "已授权",
            (Granted, Lang::En) => "Granted",
            (Revoked, Lang::Zh) => "已撤销授权",
            (Revoked, Lang::En) => "Revoked",
            (AuditIntact, Lang::Zh) => "审计日志完整（哈希链校验通过），记录数",
            (AuditIntact, Lang::En) => "Audit log intact (hash chain verified), records",
            (NoUsers, Lang::Zh) => "尚无用户",
            (NoUsers, Lang::En) => "No users yet",
            (PasswordPrompt, Lang::Zh) => "请输入密码（至少 10 个字符），回车结束：",
            (PasswordPrompt, Lang::En) => "Password (at least 10 characters), then Enter: ",
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
            (DemoTitle, Lang::Zh) => "演示区域：重庆市38个区县与乐山市市中区 · 详细评估：北碚区",
            (DemoTitle, Lang::En) => {
                "Demo region: Chongqing's 38 districts and Leshan Shizhong · in detail: Beibei district"
            }
            (DemoPlansTitle, Lang::Zh) => "演示区域：五个规划的评估",
            (DemoPlansTitle, Lang::En) => "Demo region: the five plans evaluated",
            (DemoPlansIntro, Lang::Zh) => {
                "重庆市38个区县与乐山市市中区（合成登记数据，2020年按各规划公布值校准）；每个规划按其辖区评估，点击规划名称打开评估报告。"
            }
            (DemoPlansIntro, Lang::En) => {
                "Chongqing's 38 districts and Leshan's Shizhong district (synthetic registries, 2020 calibrated to what each plan publishes); each plan is evaluated for its jurisdiction — open a plan's report by its title."
            }
            (DemoIndexAt, Lang::Zh) => "五个规划的评估（索引页）",
            (DemoIndexAt, Lang::En) => "The five plans evaluated (index page)",
            (IndexPlan, Lang::Zh) => "规划",
            (IndexPlan, Lang::En) => "Plan",
            (IndexUnit, Lang::Zh) => "辖区",
            (IndexUnit, Lang::En) => "Jurisdiction",
            (IndexEvaluated, Lang::Zh) => "评估结果",
            (IndexEvaluated, Lang::En) => "Evaluation",
            (IndexTargets, Lang::Zh) => {
                "定量目标：评估 {evaluated} · 待记录数据 {records} · 无法计算 {other}"
            }
            (IndexTargets, Lang::En) => {
                "Quantitative targets: {evaluated} evaluated · {records} wait for records · {other} not computable"
            }
            (DemoRecordsGenerated, Lang::Zh) => "北碚区2024年个案记录（合成）已生成并计数：{dir}",
            (DemoRecordsGenerated, Lang::En) => {
                "Beibei's 2024 records (SYNTHETIC) generated and counted: {dir}"
            }
            (DemoRecordsReused, Lang::Zh) => {
                "北碚区2024年个案记录（合成）沿用已生成的文件并重新计数：{dir}"
            }
            (DemoRecordsReused, Lang::En) => {
                "Beibei's 2024 records (SYNTHETIC) reused from {dir} and counted"
            }
            (RecordsWritten, Lang::Zh) => "记录表已写入 {dir}（{seconds} 秒）",
            (RecordsWritten, Lang::En) => "Record tables written to {dir} ({seconds} s)",
            (RecordsStored, Lang::Zh) => {
                "已将 {unit} {year} 年的服务利用计数存入数据库（{seconds} 秒）"
            }
            (RecordsStored, Lang::En) => {
                "Utilisation counts of {unit} in {year} stored ({seconds} s)"
            }
            (RecordsNone, Lang::Zh) => "数据库中没有覆盖 {unit} {year} 年的个案记录计数",
            (RecordsNone, Lang::En) => "No record counts cover {unit} in {year} in the store",
            (RecordsRows, Lang::Zh) => "{rows} 行（{files} 个文件）",
            (RecordsRows, Lang::En) => "{rows} rows ({files} files)",
            (RecordsRefused, Lang::Zh) => "拒收 {n} 行：{reason}",
            (RecordsRefused, Lang::En) => "{n} rows refused: {reason}",
            (RecordsRejectedAt, Lang::Zh) => "拒收行按原因计数写入 {file}",
            (RecordsRejectedAt, Lang::En) => "Refused rows counted by reason in {file}",
            (RecordsSynthetic, Lang::Zh) => {
                "就诊、转诊、签约、慢病管理和健康档案个案记录为合成数据（SYNTHETIC），由固定种子生成，与机构年度服务量一致，仅用于演示"
            }
            (RecordsSynthetic, Lang::En) => {
                "The visit, referral, contract, chronic-disease and health-record records are SYNTHETIC, generated from a fixed seed consistent with the facilities' yearly volumes, for demonstration only"
            }
            (DemoSynthetic, Lang::Zh) => {
                "区划为国家统计局2023年真实数据；人口与机构登记为合成数据（种子固定，2020年按各规划公布值校准）"
            }
            (DemoSynthetic, Lang::En) => {
                "Divisions: real NBS 2023 data. Population and facility registry: SYNTHETIC (seeded; 2020 calibrated to what each plan publishes)"
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
            (ReportAt, Lang::Zh) => "评估报告（HTML）",
            (ReportAt, Lang::En) => "Evaluation report (HTML)",
            (StandardsHeading, Lang::Zh) => "{year}年配置标准核查 · {title}",
            (StandardsHeading, Lang::En) => "Allocation standards check {year} · {title}",
            (NotAssessable, Lang::Zh) => "因数据缺失无法核查的对象（按规则）",
            (NotAssessable, Lang::En) => "Subjects not assessable for missing data (by rule)",
            (MoreViolations, Lang::Zh) => {
                "……另有 {n} 处（完整清单见 HTML 报告或 --format csv/xlsx）"
            }
            (MoreViolations, Lang::En) => {
                "… {n} more (all of them in the HTML report or --format csv/xlsx)"
            }
            (SecAccess, Lang::Zh) => "八、医疗卫生服务可及性",
            (SecAccess, Lang::En) => "8. Access to care",
            (WithinMinutes, Lang::Zh) => "{t}分钟内",
            (WithinMinutes, Lang::En) => "within {t} min",
            (StandardShare, Lang::Zh) => "达标率（城镇15/农村30分钟）",
            (StandardShare, Lang::En) => "meets its standard (urban 15 / rural 30 min)",
            (Farthest, Lang::Zh) => "可及性最差的村（社区）",
            (Farthest, Lang::En) => "Least served villages/communities",
            (AccessSynthetic, Lang::Zh) => {
                "路网为合成网格（非真实道路，约400米间距，时速15—50公里），村（社区）位置为示意图上的合成点；到最近的医院或社区卫生服务中心/乡镇卫生院（驾车）"
            }
            (AccessSynthetic, Lang::En) => {
                "The road network is a SYNTHETIC grid (not real roads; ~400 m spacing, 15–50 km/h) and village positions are synthetic points on the schematic map; time by car to the nearest hospital or community/township health centre"
            }
            (AccSyntheticDemand, Lang::Zh) => "需求点：合成均匀网格（{n} 个点，每点人口 1）",
            (AccSyntheticDemand, Lang::En) => {
                "demand: SYNTHETIC uniform grid ({n} points, population 1 each)"
            }
            (AccFacilitiesGraph, Lang::Zh) => {
                "机构 {n} 个（{profile}），路网 {nodes} 个节点（{engine}），用时 {s} 秒"
            }
            (AccFacilitiesGraph, Lang::En) => {
                "facilities: {n} ({profile}), graph: {nodes} nodes ({engine}), {s} s"
            }
            (IndicatorsFromFiles, Lang::Zh) => {
                "{units} 个单位、{facilities} 个机构、{years} 个年度：{indicators} 项指标，读取 {read} 秒，计算 {evaluate} 秒 → {out}"
            }
            (IndicatorsFromFiles, Lang::En) => {
                "{units} units, {facilities} facilities, {years} years: {indicators} indicators, read in {read} s, evaluated in {evaluate} s → {out}"
            }
            (AccEngineDijkstra, Lang::Zh) => "Dijkstra 算法",
            (AccEngineDijkstra, Lang::En) => "Dijkstra",
            (AccEngineHierarchy, Lang::Zh) => "收缩层次",
            (AccEngineHierarchy, Lang::En) => "contraction hierarchy",
            (AccEngineGiven, Lang::Zh) => "给定路程表",
            (AccEngineGiven, Lang::En) => "given cost list",
            (AccHierarchyBuilt, Lang::Zh) => {
                "收缩层次：{nodes} 个节点，{arcs} 条弧，新增捷径 {shortcuts} 条，预处理 {s} 秒（已存入路网文件）"
            }
            (AccHierarchyBuilt, Lang::En) => {
                "contraction hierarchy: {nodes} nodes, {arcs} arcs, {shortcuts} shortcuts added, preprocessed in {s} s (stored in the graph file)"
            }
            (AccUnitHeader, Lang::Zh) => "单位",
            (AccUnitHeader, Lang::En) => "unit",
            (AccPopulationHeader, Lang::Zh) => "人口",
            (AccPopulationHeader, Lang::En) => "population",
            (AccAll, Lang::Zh) => "合计",
            (AccAll, Lang::En) => "ALL",
            (AccNoUnit, Lang::Zh) => "（未注明所属单位）",
            (AccNoUnit, Lang::En) => "(no unit given)",
            (AccStandard, Lang::Zh) => "达标（城镇15/农村30分钟）：{share}%",
            (AccStandard, Lang::En) => "standard (urban 15 / rural 30): {share}%",
            (AccUncovered, Lang::Zh) => "{t} 分钟内无法到达：{n} 个点，人口 {pop}",
            (AccUncovered, Lang::En) => "uncovered within {t} min: {n} points, population {pop}",
            (AccFarSnaps, Lang::Zh) => "{n} 个需求点距路网超过 {m} 米（如 {id}，{d} 米）",
            (AccFarSnaps, Lang::En) => {
                "{n} demand points lie more than {m} m from the network (e.g. {id} at {d} m)"
            }
            (AccE2sfca, Lang::Zh) => {
                "E2SFCA：{demand} 个需求点 × {facilities} 个机构，{pairs} 对在 {max} 分钟内，{s} 秒（路程 {cs} 秒，{engine}；比值 {rs} 秒）→ {out}"
            }
            (AccE2sfca, Lang::En) => {
                "E2SFCA: {demand} demand points × {facilities} facilities, {pairs} pairs within {max} min, {s} s (costs {cs} s, {engine}; ratios {rs} s) → {out}"
            }
            (AccE2sfcaUnit, Lang::Zh) => "{unit} 人口加权可及性 {v}（人均供给）",
            (AccE2sfcaUnit, Lang::En) => {
                "{unit} population-weighted access {v} (supply per person)"
            }
            (AccIsochrones, Lang::Zh) => "等时圈 {n} 个 → {out}",
            (AccIsochrones, Lang::En) => "{n} isochrones → {out}",
            (SecContents, Lang::Zh) => "目录",
            (SecContents, Lang::En) => "Contents",
            (SecOverview, Lang::Zh) => "一、总体情况",
            (SecOverview, Lang::En) => "1. Overview",
            (SecBinding, Lang::Zh) => "二、约束性指标",
            (SecBinding, Lang::En) => "2. Binding indicators",
            (SecExpected, Lang::Zh) => "三、预期性指标",
            (SecExpected, Lang::En) => "3. Expected indicators",
            (SecSubUnits, Lang::Zh) => "四、下辖单位比较",
            (SecSubUnits, Lang::En) => "4. Sub-unit comparison",
            (SecEquity, Lang::Zh) => "五、资源配置公平性",
            (SecEquity, Lang::En) => "5. Equity of resources",
            (SecProblems, Lang::Zh) => "六、发现的问题",
            (SecProblems, Lang::En) => "6. Problems found",
            (SecStandards, Lang::Zh) => "七、配置标准核查",
            (SecStandards, Lang::En) => "7. Allocation standards check",
            (SecMethod, Lang::Zh) => "数据与方法说明",
            (SecMethod, Lang::En) => "Data and method",
            (OverviewLine, Lang::Zh) => {
                "共评估 {n} 项指标（约束性 {binding} 项），评估年份 {year} 年，规划目标年 {target} 年。"
            }
            (OverviewLine, Lang::En) => {
                "{n} indicators evaluated ({binding} binding) for {year}; the plan’s target year is {target}."
            }
            (Progress, Lang::Zh) => "进度",
            (Progress, Lang::En) => "progress",
            (TrendWord, Lang::Zh) => "趋势",
            (TrendWord, Lang::En) => "trend",
            (Outlook, Lang::Zh) => "展望",
            (Outlook, Lang::En) => "outlook",
            (GapWord, Lang::Zh) => "缺口",
            (GapWord, Lang::En) => "gap",
            (MapCaption, Lang::Zh) => "{indicator}（{year}年，按下辖单位）",
            (MapCaption, Lang::En) => "{indicator} ({year}, by sub-unit)",
            (SchematicMap, Lang::Zh) => "示意图：边界为合成几何（非真实地理边界），仅用于展示。",
            (SchematicMap, Lang::En) => {
                "Schematic map: the boundaries are synthetic geometry, not real geography."
            }
            (NoBoundaries, Lang::Zh) => {
                "下辖单位无边界数据，未绘制分区统计图；可用 hsplan import geojson 导入边界。"
            }
            (NoBoundaries, Lang::En) => {
                "The sub-units have no boundaries, so no choropleth is drawn; import them with hsplan import geojson."
            }
            (RankingHeading, Lang::Zh) => "下辖单位排名",
            (RankingHeading, Lang::En) => "Sub-units ranked",
            (UnitWord, Lang::Zh) => "单位",
            (UnitWord, Lang::En) => "unit",
            (GiniByPopulation, Lang::Zh) => "按人口基尼系数",
            (GiniByPopulation, Lang::En) => "Gini by population",
            (GiniByArea, Lang::Zh) => "按面积基尼系数",
            (GiniByArea, Lang::En) => "Gini by area",
            (EquityNote, Lang::Zh) => {
                "基尼系数 0 表示资源与人口（或面积）同比例分布，越接近 1 越集中。"
            }
            (EquityNote, Lang::En) => {
                "A Gini of 0 means the resource is spread exactly like population (or area); the closer to 1, the more concentrated."
            }
            (ProblemLine, Lang::Zh) => {
                "{indicator}：{status}，{year}年实际 {actual}，应达 {expected}"
            }
            (ProblemLine, Lang::En) => {
                "{indicator}: {status}; actual {actual} in {year}, expected {expected}"
            }
            (NoProblems, Lang::Zh) => "未发现滞后、严重滞后或倒退的指标。",
            (NoProblems, Lang::En) => "No indicator is lagging, off track or regressing.",
            (MethodStatus, Lang::Zh) => {
                "状态判定：实际值满足目标为“已达成”；否则以进度 p=(实际−基期)/(目标−基期) 与时间进度 t 比较：p≥t 进度正常，p≥0.8t 滞后，0≤p<0.8t 严重滞后，p<0 倒退；缺基期或实际值为无数据。应达值按基期到目标的线性路径分解到年度。"
            }
            (MethodStatus, Lang::En) => {
                "Status: achieved when the actual value meets the target; otherwise progress p = (actual − baseline)/(target − baseline) is compared with elapsed time t: p ≥ t on track, p ≥ 0.8t lagging, 0 ≤ p < 0.8t off track, p < 0 regressing; no data without a baseline or an actual value. The expected value follows the straight path from baseline to target."
            }
            (MethodProjection, Lang::Zh) => {
                "预测：按已观测年份的最小二乘直线外推至目标年；资源缺口按目标年人口（有人口预测表时用预测表，否则按趋势外推）计算。"
            }
            (MethodProjection, Lang::En) => {
                "Projection: least-squares line through the observed years, extended to the target year; resource gaps use the target year’s population (a stored projection table where there is one, else the trend)."
            }
            (Dhis2Read, Lang::Zh) => {
                "DHIS2数据值 {values} 条：导入 {imported} 条；标记删除 {deleted} 条、hsplan计算的指标与状态 {computed} 条，均跳过"
            }
            (Dhis2Read, Lang::En) => {
                "DHIS2 data values: {values}; imported {imported}; skipped: {deleted} marked deleted, {computed} indicators and statuses hsplan computes"
            }
            (Dhis2Unmapped, Lang::Zh) => "映射文件未列出的数据元（已跳过）",
            (Dhis2Unmapped, Lang::En) => "Data elements the mapping does not name (skipped)",
            (FhirResources, Lang::Zh) => "FHIR资源",
            (FhirResources, Lang::En) => "FHIR resources",
            (FhirIgnoredResources, Lang::Zh) => "未读取的资源类型（已忽略）",
            (FhirIgnoredResources, Lang::En) => "Resource types not read (ignored)",
            (FhirIgnoredExtensions, Lang::Zh) => "未读取的扩展（已忽略）",
            (FhirIgnoredExtensions, Lang::En) => "Extensions not read (ignored)",
            (FhirDefaults, Lang::Zh) => "未说明而取默认值",
            (FhirDefaults, Lang::En) => "Not stated, default taken",
            (FhirServices, Lang::Zh) => {
                "{n} 家机构的 HealthcareService 列出了可识别的科室与服务（不入库：机构年度记录来自资源表）"
            }
            (FhirServices, Lang::En) => {
                "{n} facilities list known departments and services as HealthcareServices (not stored: a facility-year's record comes from the resources table)"
            }
            (AmbitionMore, Lang::Zh) => "高于上级目标",
            (AmbitionMore, Lang::En) => "more ambitious than the parent",
            (AmbitionLess, Lang::Zh) => "低于上级目标",
            (AmbitionLess, Lang::En) => "less ambitious than the parent",
            (AmbitionSame, Lang::Zh) => "与上级目标相同",
            (AmbitionSame, Lang::En) => "same as the parent",
            (AmbitionNotComparable, Lang::Zh) => "无法比较（非数值）",
            (AmbitionNotComparable, Lang::En) => "not comparable (not a number)",
            (ParentGap, Lang::Zh) => {
                "{year}年各下级单位距上级目标的缺口合计 {total}（{all} 个单位中 {with} 个有数据；* 有本级规划）："
            }
            (ParentGap, Lang::En) => {
                "{year}: units below short of the parent's target by {total} in all ({with} of {all} units with data; * has its own plan):"
            }
            (TargetsSummary, Lang::Zh) => {
                "{plan}：定量目标 {total} 项 —— 已评估 {evaluated}、待记录级数据 {records}、无法由模型计算 {not}、未归类 {unclassified}"
            }
            (TargetsSummary, Lang::En) => {
                "{plan}: {total} quantitative targets — evaluated {evaluated}, waiting for record-level data {records}, not computable from the model {not}, unclassified {unclassified}"
            }
            (TargetEvaluated, Lang::Zh) => "已评估",
            (TargetEvaluated, Lang::En) => "evaluated",
            (TargetRecords, Lang::Zh) => "待记录数据",
            (TargetRecords, Lang::En) => "records",
            (TargetNotComputable, Lang::Zh) => "无法计算",
            (TargetNotComputable, Lang::En) => "not computable",
            (TargetUnclassified, Lang::Zh) => "未归类",
            (TargetUnclassified, Lang::En) => "unclassified",
            (Dhis2Sent, Lang::Zh) => {
                "DHIS2 服务器已接收：状态 {status}；新增 {imported}、更新 {updated}、忽略 {ignored}、删除 {deleted}"
            }
            (Dhis2Sent, Lang::En) => {
                "DHIS2 server took it: status {status}; imported {imported}, updated {updated}, ignored {ignored}, deleted {deleted}"
            }
            (Dhis2Refused, Lang::Zh) => "DHIS2 服务器拒绝了导入（见上方冲突）",
            (Dhis2Refused, Lang::En) => {
                "the DHIS2 server refused the import (see the conflicts above)"
            }
            (AssignedCode, Lang::Zh) => "非统计区划代码的层级，顶层单位的代码",
            (AssignedCode, Lang::En) => "Hierarchy without NBS codes, code given to its top unit",
            (SecQuality, Lang::Zh) => "九、数据质量审查",
            (SecQuality, Lang::En) => "9. Data-quality review",
            (SecUtilisation, Lang::Zh) => "十、服务利用（由个案记录计算）",
            (SecUtilisation, Lang::En) => "10. Use of services (counted from records)",
            (UtilisationIntro, Lang::Zh) => {
                "由全民健康信息平台的就诊、转诊、家庭医生签约、慢病管理和电子健康档案个案记录逐条核查后计数；机构侧指标按机构所在地，居民侧指标按居民住址。"
            }
            (UtilisationIntro, Lang::En) => {
                "Counted record by record, after checks, from the visit, referral, family-doctor contract, chronic-disease and health-record tables of the regional health platform; facility-side indicators by where the facility is, resident-side ones by where the resident lives."
            }
            (PlanTarget, Lang::Zh) => "规划有目标",
            (PlanTarget, Lang::En) => "plan target",
            (QualityHeading, Lang::Zh) => "数据质量审查 · {unit} · {year} 年",
            (QualityHeading, Lang::En) => "Data-quality review · {unit} · {year}",
            (QualityLine, Lang::Zh) => {
                "开放机构 {facilities} 家，报送 {reporting} 家；发现问题 {findings} 项；综合得分 {score}。"
            }
            (QualityLine, Lang::En) => {
                "{facilities} open facilities, {reporting} sent a return; {findings} findings; overall score {score}."
            }
            (QualityScore, Lang::Zh) => "综合得分",
            (QualityScore, Lang::En) => "Score",
            (QualityFindings, Lang::Zh) => "问题数",
            (QualityFindings, Lang::En) => "Findings",
            (QualityCheck, Lang::Zh) => "检查",
            (QualityCheck, Lang::En) => "Check",
            (QualityFinding, Lang::Zh) => "发现",
            (QualityFinding, Lang::En) => "Finding",
            (QualityNone, Lang::Zh) => "未发现数据质量问题。",
            (QualityNone, Lang::En) => "No data-quality problem found.",
            (QualityMore, Lang::Zh) => "…… 另有 {n} 项（全部见 hsplan quality）",
            (QualityMore, Lang::En) => "… and {n} more (all of them: hsplan quality)",
            (QualityMethod, Lang::Zh) => {
                "数据质量审查（参照世卫组织《数据质量审查》与DHIS2数据质量应用）：完整性——开放机构是否报送、机构往年报过的项目本年是否缺报；内部一致性——执业（助理）医师与注册护士之和不超过卫生技术人员，病床使用率（出院者占用床日÷床位×天数）不超过150%；异常值——同类机构同年修正z值绝对值大于3.5，或较前三年均值变化超过50%且至少20；外部一致性——单位人口与下级合计相差不超过1%，规划公布基线与基线年计算值相差不超过5%。各维度得分为通过检查的比例，综合得分为已评维度的平均值。所用数据存疑的指标在表中标注。"
            }
            (QualityMethod, Lang::En) => {
                "Data-quality review (after WHO’s Data Quality Review and DHIS2’s data-quality app): completeness — open facilities sending a return, and quantities a facility reports in other years present this year; internal consistency — licensed (assistant) doctors plus registered nurses within the health technical staff, bed occupancy (bed-days ÷ beds × days) at most 150 %; outliers — a modified z-score beyond ±3.5 among facilities of one type in one year, or a change of more than 50 % (and at least 20) against the mean of the three years before; external consistency — a unit’s population within 1 % of the sum of its sub-units’, a plan’s published baseline within 5 % of the value computed for its baseline year. A dimension’s score is the share of its checks passed; the overall score is the mean of the dimensions assessed. Indicators computed from doubtful data are marked in the tables."
            }
            (DataDoubt, Lang::Zh) => "数据存疑",
            (DataDoubt, Lang::En) => "Doubtful data",
            (PopulationFromTable, Lang::Zh) => "人口预测表",
            (PopulationFromTable, Lang::En) => "population projection table",
            (PopulationFromTrend, Lang::Zh) => "人口趋势外推",
            (PopulationFromTrend, Lang::En) => "population trend",
            (GeneratedBy, Lang::Zh) => "由 hsplan 生成；本文件自包含，打开时不访问网络。",
            (GeneratedBy, Lang::En) => {
                "Generated by hsplan; this file is self-contained and loads nothing from the network."
            }
            (Violations, Lang::Zh) => "违规项",
            (Violations, Lang::En) => "violations",
            (Rule, Lang::Zh) => "规则",
            (Rule, Lang::En) => "rule",
            (Observed, Lang::Zh) => "实际",
            (Observed, Lang::En) => "observed",
            (Required, Lang::Zh) => "要求",
            (Required, Lang::En) => "required",
            (Shortfall, Lang::Zh) => "缺口",
            (Shortfall, Lang::En) => "shortfall",
            (Severity, Lang::Zh) => "严重程度",
            (Severity, Lang::En) => "severity",
            (Location, Lang::Zh) => "位置",
            (Location, Lang::En) => "location",
            (RulesChecked, Lang::Zh) => {
                "共核查 {rules} 条规则，{checked} 个对象，发现 {violations} 处不符合。"
            }
            (RulesChecked, Lang::En) => {
                "{rules} rules checked on {checked} subjects; {violations} violations found."
            }
            (NoViolations, Lang::Zh) => "未发现不符合标准之处。",
            (NoViolations, Lang::En) => "No violations found.",
            (ByDistrict, Lang::Zh) => "按区县汇总",
            (ByDistrict, Lang::En) => "by district",
            (SiteLscp, Lang::Zh) => "位置集合覆盖（LSCP）",
            (SiteLscp, Lang::En) => "Location set covering (LSCP)",
            (SiteMclp, Lang::Zh) => "最大覆盖（MCLP）",
            (SiteMclp, Lang::En) => "Maximal covering (MCLP)",
            (SitePMedian, Lang::Zh) => "p-中位（p-median）",
            (SitePMedian, Lang::En) => "p-median",
            (SitePCenter, Lang::Zh) => "p-中心（p-center）",
            (SitePCenter, Lang::En) => "p-center",
            (SiteNeedP, Lang::Zh) => "该模型需要 --p（新增站点数）",
            (SiteNeedP, Lang::En) => "this model needs --p (new sites to open)",
            (SiteNeedCandidates, Lang::Zh) => "请给出 --candidates 文件或 --candidate-spacing 米数",
            (SiteNeedCandidates, Lang::En) => {
                "give --candidates FILE or --candidate-spacing METRES"
            }
            (SiteNoCandidates, Lang::Zh) => {
                "没有候选点（--uncovered-only 时所有路网节点都已在阈值内？）"
            }
            (SiteNoCandidates, Lang::En) => {
                "no candidate sites (with --uncovered-only: every network node is already within the threshold?)"
            }
            (SiteSaved, Lang::Zh) => "方案已保存 → {out}",
            (SiteSaved, Lang::En) => "Scenario saved → {out}",
            (SiteInputs, Lang::Zh) => {
                "{demand} 个需求点，{existing} 个现有机构（固定），{candidates} 个候选点；{pairs} 对出行时间（≤ {max} 分钟），{s} 秒"
            }
            (SiteInputs, Lang::En) => {
                "{demand} demand points, {existing} existing facilities (fixed), {candidates} candidate sites; {pairs} travel times (≤ {max} min), {s} s"
            }
            (SiteResult, Lang::Zh) => {
                "{model}：目标值 {objective}，界 {bound}，最优性差距 {gap}%，求解 {s} 秒"
            }
            (SiteResult, Lang::En) => {
                "{model}: objective {objective}, bound {bound}, optimality gap {gap}%, solved in {s} s"
            }
            (SiteHeader, Lang::Zh) => "新增站点",
            (SiteHeader, Lang::En) => "New site",
            (SiteResidents, Lang::Zh) => "就近服务人口",
            (SiteResidents, Lang::En) => "Residents nearest",
            (SiteCoverageHeading, Lang::Zh) => {
                "{t} 分钟内覆盖的人口与人口加权平均时间（分钟），新增前 → 新增后："
            }
            (SiteCoverageHeading, Lang::En) => {
                "Residents within {t} min and population-weighted mean minutes, before → after:"
            }
            (SiteBefore, Lang::Zh) => "新增前",
            (SiteBefore, Lang::En) => "before",
            (SiteAfter, Lang::Zh) => "新增后",
            (SiteAfter, Lang::En) => "after",
            (SiteMeanBefore, Lang::Zh) => "平均(前)",
            (SiteMeanBefore, Lang::En) => "mean bef.",
            (SiteMeanAfter, Lang::Zh) => "平均(后)",
            (SiteMeanAfter, Lang::En) => "mean aft.",
            (SiteUncoverable, Lang::Zh) => "{n} 个需求点（{pop} 人）{t} 分钟内无任何站点可达",
            (SiteUncoverable, Lang::En) => {
                "{n} demand points ({pop} residents) have no site within {t} min"
            }
            (SiteModelWord, Lang::Zh) => "模型",
            (SiteModelWord, Lang::En) => "Model",
            (SiteNewSites, Lang::Zh) => "新增站点数",
            (SiteNewSites, Lang::En) => "New sites",
            (SiteObjective, Lang::Zh) => "目标值",
            (SiteObjective, Lang::En) => "Objective",
            (SiteGap, Lang::Zh) => "最优性差距",
            (SiteGap, Lang::En) => "Optimality gap",
            (SiteThreshold, Lang::Zh) => "覆盖阈值",
            (SiteThreshold, Lang::En) => "Coverage threshold",
            (SiteSolveSeconds, Lang::Zh) => "求解时间（秒）",
            (SiteSolveSeconds, Lang::En) => "Solve time (s)",
            (SiteCompareUnits, Lang::Zh) => "各单位 {t} 分钟内覆盖率（新增前→后）：",
            (SiteCompareUnits, Lang::En) => "Coverage within {t} min per unit (before→after):",
            (ServeAt, Lang::Zh) => "网页工作台已启动：{url}（数据库 {db}；按 Ctrl-C 停止）",
            (ServeAt, Lang::En) => "The web workspace is at {url} (store {db}; Ctrl-C stops it)",
            (DemoSiting, Lang::Zh) => {
                "九、选址（2024 年，合成路网与示意图；输入文件在 {dir}）：新增 3 个基层医疗卫生机构，使 10 分钟内覆盖人口最多"
            }
            (DemoSiting, Lang::En) => {
                "9. Siting (2024, synthetic road grid on the schematic map; inputs in {dir}): 3 new primary-care centres covering most residents within 10 minutes"
            }
            (SiteCoverageHeadingCovering, Lang::Zh) => "{t} 分钟内覆盖的人口，新增前 → 新增后：",
            (SiteCoverageHeadingCovering, Lang::En) => "Residents within {t} min, before → after:",
            (SiteMethodInterchange, Lang::Zh) => {
                "贪心 + 快速交换 + 变邻域搜索（{ls} 次局部搜索）；拉格朗日界（{it} 次次梯度迭代）与分支定界（{nodes} 个节点）"
            }
            (SiteMethodInterchange, Lang::En) => {
                "greedy + fast interchange + VNS ({ls} local searches); Lagrangian bound ({it} subgradient iterations) and branch and bound ({nodes} nodes)"
            }
            (SiteMethodCovering, Lang::Zh) => {
                "贪心 + 拉格朗日启发式；拉格朗日界（{it} 次次梯度迭代）"
            }
            (SiteMethodCovering, Lang::En) => {
                "greedy + Lagrangian heuristic; Lagrangian bound ({it} subgradient iterations)"
            }
            (SiteMethodSequence, Lang::Zh) => {
                "按不同出行时间求解集合覆盖（{n} 个覆盖问题，各有拉格朗日界）"
            }
            (SiteMethodSequence, Lang::En) => {
                "set covering over the distinct travel times ({n} covering problems, each with its Lagrangian bound)"
            }
            (SiteMethodMipOptimal, Lang::Zh) => "HiGHS 混合整数规划（已证明最优）",
            (SiteMethodMipOptimal, Lang::En) => "HiGHS MIP (proven optimal)",
            (SiteMethodMipLimit, Lang::Zh) => {
                "HiGHS 混合整数规划在 {limit} 秒时限处停止；界来自启发式"
            }
            (SiteMethodMipLimit, Lang::En) => {
                "HiGHS MIP stopped at the {limit} s limit; bound from the heuristic"
            }
            (SiteNoHighs, Lang::Zh) => {
                "此 hsplan 构建时未启用 highs 特性：cargo build --release -p hsplan-cli --features highs（需 cmake、g++、libclang）"
            }
            (SiteNoHighs, Lang::En) => {
                "this hsplan was built without the `highs` feature: cargo build --release -p hsplan-cli --features highs (needs cmake, g++, libclang)"
            }
            (SiteApplied, Lang::Zh) => {
                "{n} 个新机构（{year} 年开业）→ {out}；用 hsplan import facilities 导入后再评估"
            }
            (SiteApplied, Lang::En) => {
                "{n} new facilities (opening {year}) → {out}; import with `hsplan import facilities`, then evaluate"
            }
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

/// `value` as it should be shown with `digits` decimals: never "-0" (a value that rounds
/// to zero is zero).
pub fn shown(value: f64, digits: i32) -> f64 {
    // an empty float sum is -0.0, and -0.04 shown with one digit is "-0.0": both are 0
    if value.abs() < 0.5 * 10f64.powi(-digits) {
        0.0
    } else {
        value
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

/// Labels of the web app (key, 中文, English), served to it by `GET /api/messages`: the web
/// app's user-facing text lives in this catalogue with the CLI's and the reports'.
/// The units of measure of the indicator library, as written in the plans (zh), and in
/// English. The web app gets them as `unit:<zh>` labels of `/api/messages`.
pub const UNITS: &[(&str, &str)] = &[
    ("%", "%"),
    ("‰", "‰"),
    ("ratio", "ratio"),
    ("倍", "×"),
    ("人次", "person-times"),
    ("个", ""),
    ("台", "units"),
    ("辆", "vehicles"),
    ("天", "days"),
    ("张/千人", "beds per 1,000 population"),
    ("人/千人", "per 1,000 population"),
    ("个/千人", "per 1,000 population"),
    ("人/万人", "per 10,000 population"),
    ("人/十万人", "per 100,000 population"),
    ("人/千儿童", "per 1,000 children"),
    ("人/百床", "per 100 beds"),
    ("辆/万人", "vehicles per 10,000 population"),
];

/// A unit of measure in `lang` (as written when the catalogue has no English for it).
pub fn unit_text(unit: &str, lang: Lang) -> &str {
    match lang {
        Lang::Zh => unit,
        Lang::En => UNITS
            .iter()
            .find(|(zh, _)| *zh == unit)
            .map_or(unit, |(_, en)| en),
    }
}

pub const WEB: &[(&str, &str, &str)] = &[
    (
        "app",
        "hsplan 区域卫生规划工作台",
        "hsplan regional health planning workspace",
    ),
    ("home", "概览", "Overview"),
    ("region", "区域", "Region"),
    ("evaluation", "规划评估", "Plan evaluation"),
    ("map", "地图", "Map"),
    ("standards", "配置标准", "Standards"),
    ("quality", "数据质量", "Data quality"),
    ("qualityScore", "综合得分", "Score"),
    ("findings", "问题数", "Findings"),
    ("qualityCheck", "检查", "Check"),
    ("finding", "发现", "Finding"),
    (
        "facilitiesReporting",
        "开放机构 / 报送",
        "Open facilities / reporting",
    ),
    (
        "noFindings",
        "未发现数据质量问题。",
        "No data-quality problem found.",
    ),
    ("dataDoubt", "数据存疑", "Doubtful data"),
    (
        "fhirBundle",
        "机构与区划目录（FHIR R4 / IHE mCSD）",
        "Directory of units and facilities (FHIR R4 / IHE mCSD)",
    ),
    (
        "derivedStatus",
        "按目标评估的状态",
        "Status from its targets",
    ),
    (
        "targetWaitsForRecords",
        "待记录级数据",
        "Waits for record-level data",
    ),
    (
        "targetNotComputable",
        "暂无法由模型计算",
        "Not computable from the model yet",
    ),
    ("targetsStatusYear", "目标评估年份", "targets evaluated for"),
    (
        "dhis2Metadata",
        "机构与区划（DHIS2 元数据：organisationUnits）",
        "Units and facilities (DHIS2 metadata: organisationUnits)",
    ),
    (
        "downloadQualityHtml",
        "下载审查报告（HTML）",
        "Download the review (HTML)",
    ),
    (
        "plansCompared",
        "已与规划公布基线比较",
        "Compared with the published baselines of",
    ),
    (
        "qualityHelp",
        "完整性、内部一致性、异常值与外部一致性四个维度；得分为通过检查的比例。点击下级单位逐级查看。",
        "Four dimensions: completeness, internal consistency, outliers, external consistency; a score is the share of checks passed. Click a sub-unit to look further down.",
    ),
    ("siting", "可及性与选址", "Access & siting"),
    ("plans", "规划与台账", "Plans & ledgers"),
    ("data", "数据", "Data"),
    ("api", "API 文档", "API reference"),
    ("lang", "English", "中文"),
    ("search", "搜索代码或名称", "Search code or name"),
    ("searchBtn", "搜索", "Search"),
    ("year", "年份", "Year"),
    ("mode", "评估类型", "Evaluation"),
    ("annual", "年度监测", "Annual monitoring"),
    ("midterm", "中期评估", "Mid-term evaluation"),
    ("final", "终期评估", "Final evaluation"),
    ("plan", "规划", "Plan"),
    ("unit", "单位", "Unit"),
    ("indicator", "指标", "Indicator"),
    ("baseline", "基期值", "Baseline"),
    ("target", "目标值", "Target"),
    ("expected", "应达值", "Expected"),
    ("actual", "实际值", "Actual"),
    ("progress", "进度", "Progress"),
    ("status", "状态", "Status"),
    ("outlook", "展望", "Outlook"),
    (
        "utilisation",
        "服务利用（由个案记录计算）",
        "Use of services (counted from records)",
    ),
    (
        "utilisationHelp",
        "由全民健康信息平台的就诊、转诊、签约、慢病管理和健康档案个案记录逐条核查后计数；机构侧按机构所在地，居民侧按居民住址；其后各列为下辖单位。",
        "Counted record by record, after checks, from the platform's visit, referral, contract, chronic-disease and health-record tables; facility side by where the facility is, resident side by where the resident lives; the later columns are the sub-units.",
    ),
    ("numerator", "分子", "Numerator"),
    ("denominator", "分母", "Denominator"),
    ("planTarget", "规划有目标", "Plan target"),
    ("binding", "约束性", "Binding"),
    ("expectedNature", "预期性", "Expected"),
    ("population", "常住人口", "Residents"),
    ("facilities", "医疗卫生机构", "Facilities"),
    ("byType", "按类型", "By type"),
    ("byGrade", "按等级", "By grade"),
    ("indicators", "指标", "Indicators"),
    ("value", "数值", "Value"),
    ("children", "下辖单位", "Sub-units"),
    ("noData", "无数据", "no data"),
    (
        "synthetic",
        "合成数据（演示用，非真实统计）",
        "Synthetic data (demo, not real statistics)",
    ),
    (
        "schematic",
        "示意图：边界为示意，非真实行政边界",
        "Schematic map: boundaries are schematic, not real",
    ),
    (
        "downloadHtml",
        "下载评估报告（HTML）",
        "Download report (HTML)",
    ),
    ("downloadXlsx", "下载 XLSX", "Download XLSX"),
    ("downloadCsv", "下载 CSV", "Download CSV"),
    ("league", "下辖单位排名", "Sub-units ranked"),
    ("trend", "趋势", "Trend"),
    ("projection", "预测", "Projection"),
    ("gap", "资源缺口", "Resource gap"),
    ("legend", "图例", "Legend"),
    ("rule", "规则", "Rule"),
    ("severity", "严重程度", "Severity"),
    ("district", "区县", "District"),
    ("place", "位置", "Place"),
    ("observed", "实际", "Observed"),
    ("required", "要求", "Required"),
    ("shortfall", "缺口", "Shortfall"),
    ("all", "全部", "All"),
    ("high", "严重", "High"),
    ("medium", "一般", "Medium"),
    ("low", "提示", "Low"),
    ("source", "出处", "Source"),
    ("onMap", "在地图上查看", "Show on map"),
    ("violations", "违规", "Violations"),
    ("model", "模型", "Model"),
    ("lscp", "集合覆盖（LSCP）", "Set covering (LSCP)"),
    ("mclp", "最大覆盖（MCLP）", "Maximal covering (MCLP)"),
    ("pmedian", "p-中位（p-median）", "p-median"),
    ("pcenter", "p-中心（p-center）", "p-center"),
    ("p", "新增数量 p", "New sites p"),
    ("minutes", "覆盖阈值（分钟）", "Threshold (minutes)"),
    ("spacing", "候选点间距（米）", "Candidate spacing (m)"),
    (
        "uncoveredOnly",
        "只在现有机构覆盖范围外选候选点",
        "Candidates only outside existing reach",
    ),
    (
        "candidatesFile",
        "或上传候选点 CSV（id,lon,lat）",
        "Or upload candidate sites CSV (id,lon,lat)",
    ),
    ("run", "运行", "Run"),
    ("cancel", "取消", "Cancel"),
    ("running", "运行中", "Running"),
    ("done", "完成", "Done"),
    ("failed", "失败", "Failed"),
    ("cancelled", "已取消", "Cancelled"),
    ("newSites", "新增站点", "New sites"),
    ("before", "新增前", "Before"),
    ("after", "新增后", "After"),
    ("residents", "服务人口", "Residents served"),
    ("objective", "目标函数", "Objective"),
    ("gapPct", "最优性缺口", "Optimality gap"),
    ("scenarios", "已保存方案", "Saved scenarios"),
    ("compare", "对比所选方案", "Compare selected"),
    ("apply", "作为规划机构导入", "Apply as planned facilities"),
    ("applyKind", "机构类型", "Institution type"),
    ("applyYear", "开业年份", "Opening year"),
    ("applied", "已导入", "Imported"),
    ("lint", "检查结果", "Lint findings"),
    ("projects", "项目台账", "Project ledger"),
    ("tasks", "任务台账", "Task ledger"),
    ("byLead", "按牵头单位", "By lead unit"),
    ("upload", "上传", "Upload"),
    ("uploadKind", "表类型", "Table"),
    ("file", "文件", "File"),
    ("imported", "已导入", "Imported"),
    ("nothingImported", "未导入任何数据", "Nothing was imported"),
    ("export", "导出", "Export"),
    ("units", "行政区划", "Units"),
    ("resources", "机构资源", "Resources"),
    ("geojson", "边界（GeoJSON）", "Boundaries (GeoJSON)"),
    ("level", "层级", "Level"),
    ("count", "数量", "Count"),
    ("notes", "数据说明", "Data notes"),
    ("storeHolds", "数据库内容", "What the store holds"),
    ("open", "打开", "Open"),
    ("loading", "加载中…", "Loading…"),
    ("error", "错误", "Error"),
    ("allAreas", "各单位数值", "Values by unit"),
    ("facilityKinds", "机构类型筛选", "Facility types"),
    (
        "tileNote",
        "地图由数据库中的边界绘制，不加载任何底图瓦片",
        "The map is drawn from the store's own boundaries; no tiles are loaded",
    ),
    ("coverageMap", "覆盖情况", "Coverage"),
    ("coveredAfter", "新增后覆盖", "Covered after"),
    ("uncovered", "未覆盖", "Not covered"),
    ("existing", "现有机构", "Existing facilities"),
    ("demand", "需求点", "Demand points"),
    ("total", "合计", "Total"),
    ("tasksCount", "任务数", "Tasks"),
    ("responsible", "责任单位", "Responsible units"),
    ("investment", "拟投资（万元）", "Investment (10k yuan)"),
    ("shownYear", "年份", "Year"),
    (
        "thresholds",
        "出行时间阈值（分钟，逗号分隔）",
        "Thresholds (minutes, comma-separated)",
    ),
    ("isochrones", "同时绘制等时圈", "Also draw isochrones"),
    ("cell", "等时圈栅格（米）", "Isochrone raster (m)"),
    (
        "accessTitle",
        "可及性：阈值内可达的居民",
        "Access: residents within reach",
    ),
    (
        "sitingTitle",
        "选址：新增机构放在哪里",
        "Siting: where new facilities should go",
    ),
    (
        "ownRules",
        "用自己的配置标准文件核查（TOML）",
        "Check against your own standards file (TOML)",
    ),
    ("check", "核查", "Check"),
    ("stage_reading", "读取输入", "reading inputs"),
    ("stage_building", "构建路网", "building the network"),
    (
        "stage_preprocessing",
        "预处理路网",
        "preprocessing the network",
    ),
    ("stage_candidates", "生成候选点", "choosing candidates"),
    ("stage_costs", "计算出行时间", "travel times"),
    ("stage_solving", "求解", "solving"),
    ("stage_summarising", "汇总", "summarising"),
    ("stage_done", "结束", "finished"),
    ("signIn", "登录", "Sign in"),
    ("signOut", "退出", "Sign out"),
    ("userName", "用户名", "User name"),
    ("password", "密码", "Password"),
    ("signInTitle", "登录 hsplan", "Sign in to hsplan"),
    ("entry", "数据填报", "Data entry"),
    ("approvals", "数据审核", "Approval"),
    ("audit", "审计日志", "Audit log"),
    ("save", "保存", "Save"),
    ("saved", "已保存，版本", "Saved, version"),
    (
        "jumpsFound",
        "以下数值与上年相比变化较大，请核实后确认保存",
        "These values changed a lot since the year before; check them, then confirm",
    ),
    ("confirmSave", "确认并保存", "Confirm and save"),
    (
        "staleSave",
        "他人已在您打开表单后保存了这条记录，未保存您的修改。下表列出已保存值与您的输入：",
        "Someone saved this record after you opened the form; your changes were not saved. Stored values and yours:",
    ),
    ("reloadForm", "载入最新版本", "Load the latest version"),
    ("stored", "已保存值", "Stored"),
    ("yours", "您的输入", "Yours"),
    ("previousYear", "上年", "Year before"),
    ("thisYear", "本年", "This year"),
    (
        "capabilities",
        "科室与服务能力",
        "Departments and capabilities",
    ),
    ("quantity", "项目", "Item"),
    ("approvalState", "审核状态", "Approval state"),
    ("governing", "适用状态", "Governing state"),
    ("reported", "已填报/机构数", "Reported / facilities"),
    ("changedBy", "操作人", "Changed by"),
    ("reason", "理由", "Reason"),
    ("steps", "操作", "Steps"),
    ("when", "时间", "When"),
    ("actor", "用户", "User"),
    ("address", "来源地址", "From"),
    ("actionCol", "操作", "Action"),
    ("targetCol", "对象", "Target"),
    ("change", "变更（前 → 后）", "Change (before → after)"),
    ("state_draft", "草稿", "Draft"),
    ("state_submitted", "已上报", "Submitted"),
    ("state_approved", "已审核", "Approved"),
    ("state_locked", "已锁定", "Locked"),
    ("step_submit", "上报", "Submit"),
    ("step_return", "退回", "Return"),
    ("step_approve", "审核通过", "Approve"),
    ("step_lock", "锁定", "Lock"),
    ("step_unlock", "解锁", "Unlock"),
    (
        "reasonNeeded",
        "退回和解锁须填写理由",
        "Return and unlock need a reason",
    ),
    (
        "notEditable",
        "该年度数据已上报或锁定，不能修改",
        "This year's data are submitted or locked and cannot change",
    ),
    ("approvedOnly", "仅用已审核数据", "Approved data only"),
    ("version", "版本", "Version"),
    ("chooseFacility", "选择机构填报", "Choose a facility"),
    ("kind", "类别", "Type"),
    ("taskBoard", "任务台账", "Task board"),
    ("childPlans", "上下级规划对照", "Parent and child plans"),
    (
        "childPlansIntro",
        "本规划与以其为上级规划的下级规划共同设定目标的指标：下级目标与本级目标对照（更高、相同、更低），以及下一级各单位按本级目标计算的缺口及其占全部缺口的比例。",
        "Indicators this plan and the plans naming it as their parent both set targets for: each child's target beside this plan's (more, same or less ambitious), and each unit one level down measured against this plan's target — its gap and share of the whole gap.",
    ),
    ("ambition_more", "更高", "more ambitious"),
    ("ambition_same", "相同", "same"),
    ("ambition_less", "更低", "less ambitious"),
    ("ambition_not_comparable", "不可比", "not comparable"),
    ("gapToParent", "距本级目标缺口", "Gap to this plan's target"),
    ("gapShare", "占全部缺口", "Share of the whole gap"),
    ("hasPlan", "有下级规划", "Has its own plan"),
    ("overdue", "逾期", "Overdue"),
    ("deadline", "完成时限", "Deadline"),
    ("lead", "牵头单位", "Lead unit"),
    ("participants", "配合单位", "Participating units"),
    ("latestUpdate", "最新进展", "Latest progress"),
    ("addUpdate", "报送进展", "Report progress"),
    ("reportedOn", "报送日期", "Reported for"),
    ("org", "责任单位", "Responsible unit"),
    ("serves", "对应指标", "Indicators served"),
    ("leads", "牵头", "Leads"),
    ("participates", "配合", "Takes part"),
    ("attachment", "附件", "Attachment"),
    ("noUpdates", "尚无进展报送", "No progress reported yet"),
    ("wstatus_not_started", "未启动", "Not started"),
    ("wstatus_in_progress", "推进中", "In progress"),
    ("wstatus_done", "已完成", "Done"),
    ("wstatus_blocked", "受阻", "Blocked"),
    ("updateSaved", "进展已报送", "Progress recorded"),
    ("planfile", "规划文件", "Plan file"),
    ("planSource", "源文件与版本", "Source and versions"),
    ("planText", "规划文件（TOML）", "Plan file (TOML)"),
    ("comment", "修改说明", "What changed"),
    ("savePlan", "检查并保存", "Check and save"),
    ("checkPlan", "只检查", "Check only"),
    ("planSaved", "已保存为版本", "Saved as version"),
    (
        "planUnreadable",
        "文件无法读取为规划，未保存：",
        "The text does not read as a plan; nothing was saved:",
    ),
    (
        "newLintErrors",
        "检查发现此前版本没有的错误，确认后才保存：",
        "The lint found errors the previous version did not have; save only after confirming:",
    ),
    ("saveAnyway", "仍然保存", "Save anyway"),
    (
        "planStale",
        "在您编辑期间，他人已保存了新版本。您的文本仍在编辑框中，下面是期间的改动；合并后可再次保存。",
        "Someone saved a newer version while you were editing. Your text is still in the editor; below is what changed meanwhile. Merge it and save again.",
    ),
    (
        "rebase",
        "以最新版本为基础继续编辑",
        "Continue from the newest version",
    ),
    (
        "readOnlyPlan",
        "只读：编辑本规划需要其辖区或上级的规划人员角色（共享服务器）。",
        "Read only: editing this plan needs the planner role on its jurisdiction or above (shared server).",
    ),
    ("history", "版本历史", "Version history"),
    ("versionCol", "版本", "Version"),
    ("builtIn", "内置", "built in"),
    ("errorsCol", "错误", "Errors"),
    ("warningsCol", "警告", "Warnings"),
    ("compareVersions", "比较版本", "Compare versions"),
    ("diffTitle", "差异", "Differences"),
    ("linesAdded", "新增行", "lines added"),
    ("linesRemoved", "删除行", "lines removed"),
    (
        "noDifferences",
        "两个版本相同",
        "The two versions are the same",
    ),
    ("viewVersion", "查看", "View"),
    ("loadIntoEditor", "载入编辑框", "Load into the editor"),
    (
        "previousVersion",
        "与上一版本比较",
        "Against the version before",
    ),
];

#[cfg(test)]
mod shown_tests {
    #[test]
    fn negative_zero_is_never_shown() {
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(format!("{:.0}", super::shown(empty, 0)), "0");
        assert_eq!(format!("{:.1}", super::shown(-0.04, 1)), "0.0");
        assert_eq!(format!("{:.2}", super::shown(-0.001, 2)), "0.00");
        assert_eq!(format!("{:.1}", super::shown(-0.06, 1)), "-0.1");
        assert_eq!(format!("{:.0}", super::shown(12.4, 0)), "12");
    }
}

#[cfg(test)]
mod web_tests {
    #[test]
    fn every_unit_of_the_indicator_library_has_english() {
        for def in hsplan_eval::INDICATORS.iter() {
            assert!(
                super::UNITS.iter().any(|(zh, _)| *zh == def.unit),
                "{}: unit {} has no English in UNITS",
                def.id,
                def.unit
            );
        }
        assert_eq!(super::unit_text("人次", super::Lang::En), "person-times");
        assert_eq!(super::unit_text("人次", super::Lang::Zh), "人次");
        // no English left in Chinese characters
        for (zh, en) in super::UNITS {
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
    }

    #[test]
    fn web_labels_are_unique_and_in_both_languages() {
        let mut keys: Vec<&str> = super::WEB.iter().map(|(k, _, _)| *k).collect();
        assert!(
            super::WEB
                .iter()
                .all(|(_, zh, en)| !zh.is_empty() && !en.is_empty())
        );
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a web label key repeats");
    }
}
