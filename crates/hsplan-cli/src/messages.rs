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
            (DemoSynthetic, Lang::Zh) => "（区划为国家统计局2023年真实数据）",
            (DemoSynthetic, Lang::En) => "(divisions: real NBS 2023 data)",
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
