//! The HTML report on a small hand-made evaluation: snapshot, and self-containment.

use hsplan_eval::evaluate::{
    EvaluatedIndicator, LeagueRow, PopulationBasis, ProjectedPopulation, Projection, Status,
};
use hsplan_eval::quality::{Check, Doubt, Finding, QualityReview, Rules, Score, UnitScore};
use hsplan_eval::report::{Equity, Evaluation, League, SubUnit, Trend};
use hsplan_model::{LonLat, MultiPolygon};
use hsplan_report::html::{Context, Part, StandardsSection, ViolationLine, render};
use hsplan_report::messages::{Lang, Mode};
use std::collections::BTreeMap;

fn square(w: f64, s: f64, size: f64) -> MultiPolygon {
    let p = |x, y| LonLat::new(x, y).unwrap();
    MultiPolygon(vec![vec![vec![
        p(w, s),
        p(w + size, s),
        p(w + size, s + size),
        p(w, s + size),
        p(w, s),
    ]]])
}

fn row(id: &str, binding: bool, status: Status, actual: Option<f64>) -> EvaluatedIndicator {
    EvaluatedIndicator {
        row: "1".into(),
        id: id.into(),
        formula: id.into(),
        name_zh: format!("指标<{id}>"),
        name_en: format!("indicator <{id}>"),
        binding,
        baseline: "6.0".into(),
        target: "8.0".into(),
        actual,
        expected: Some(7.2),
        progress_pct: actual.map(|a| (a - 6.0) / 2.0 * 100.0),
        status,
        projection: Some(Projection {
            linear: 7.5,
            compound: Some(7.6),
        }),
        will_reach: Some(false),
        gap: Some(120),
        projected_population: Some(ProjectedPopulation {
            persons: 100_000.0,
            basis: PopulationBasis::Trend,
        }),
        quote: None,
        doubt: None,
    }
}

fn evaluation() -> Evaluation {
    let league_rows = |a: Option<f64>, b: Option<f64>| {
        vec![
            LeagueRow {
                unit: "A".into(),
                name: "甲镇".into(),
                value: a,
                numerator: 10.0,
                denominator: Some(1000.0),
            },
            LeagueRow {
                unit: "B".into(),
                name: "乙街道".into(),
                value: b,
                numerator: 5.0,
                denominator: Some(1000.0),
            },
        ]
    };
    Evaluation {
        plan: "fixture".into(),
        title_zh: "测试规划".into(),
        title_en: "Fixture plan".into(),
        unit: "500109000000".into(),
        unit_name: "测试区".into(),
        year: 2023,
        baseline_year: Some(2020),
        target_year: 2025,
        indicators: vec![
            row("beds_per_1000", true, Status::OffTrack, Some(6.4)),
            EvaluatedIndicator {
                doubt: Some(Doubt {
                    checks: vec![Check::Outlier],
                    findings: 1,
                    zh: "诊疗人次异常".into(),
                    en: "visits outlier".into(),
                }),
                ..row("nurses", false, Status::OnTrack, Some(7.3))
            },
            row("missing", false, Status::NoData, None),
        ],
        status_counts: [
            (Status::OffTrack, 1),
            (Status::OnTrack, 1),
            (Status::NoData, 1),
        ]
        .into_iter()
        .collect(),
        trends: vec![Trend {
            id: "beds_per_1000".into(),
            values: vec![(2020, 6.0), (2021, 6.1), (2022, 6.3), (2023, 6.4)],
        }],
        sub_units: vec![
            SubUnit {
                code: "A".into(),
                name: "甲镇".into(),
                residents: Some(1000.0),
                area_km2: Some(100.0),
            },
            SubUnit {
                code: "B".into(),
                name: "乙街道".into(),
                residents: Some(1000.0),
                area_km2: Some(25.0),
            },
        ],
        leagues: vec![
            League {
                id: "beds_per_1000".into(),
                uniform: false,
                rows: league_rows(Some(10.0), Some(5.0)),
            },
            League {
                id: "nurses".into(),
                uniform: false,
                rows: league_rows(Some(3.0), None),
            },
        ],
        equity: vec![Equity {
            id: "beds_per_1000".into(),
            name_zh: "每千人口床位".into(),
            name_en: "Beds per 1000".into(),
            gini_by_population: Some(0.1667),
            gini_by_area: None,
        }],
        quality: quality(),
        utilisation: Vec::new(),
    }
}

fn quality() -> QualityReview {
    let finding = |check: Check, facility: Option<&str>, zh: &str, en: &str| Finding {
        dimension: check.dimension(),
        check,
        unit: "500109001000".into(),
        unit_name: "甲镇".into(),
        facility: facility.map(str::to_string),
        facility_name: facility.map(|_| "甲镇卫生院<1>".to_string()),
        facility_type: None,
        year: 2023,
        quantity: None,
        indicator: None,
        value: Some(10.0),
        reference: Some(1.0),
        statistic: None,
        zh: zh.into(),
        en: en.into(),
    };
    let score = |checked, passed| Score {
        checked,
        passed,
        pct: Some(passed as f64 / checked as f64 * 100.0),
    };
    QualityReview {
        unit: "500109000000".into(),
        unit_name: "测试区".into(),
        year: 2023,
        rules: Rules::default(),
        scores: vec![UnitScore {
            unit: "500109000000".into(),
            name: "测试区".into(),
            facilities: 4,
            reporting: 3,
            completeness: score(40, 36),
            internal_consistency: score(3, 3),
            outliers: score(30, 29),
            external_consistency: Score::default(),
            score: Some(95.0),
            findings: 2,
        }],
        completeness: Vec::new(),
        findings: vec![
            finding(Check::NotReporting, Some("H4"), "无报表", "no return"),
            finding(Check::Outlier, Some("H1"), "诊疗人次异常", "visits outlier"),
        ],
        counts: [(Check::NotReporting, 1), (Check::Outlier, 1)]
            .into_iter()
            .collect(),
    }
}

fn standards() -> StandardsSection {
    StandardsSection {
        rules: 3,
        checked: 12,
        by_district: vec![("测试区".into(), 1)],
        violations: vec![ViolationLine {
            severity: "严重".into(),
            rule: "thc-per-town 每个乡镇一所乡镇卫生院".into(),
            location: "甲镇".into(),
            observed: "0".into(),
            required: "≥1".into(),
            shortfall: "需增设乡镇卫生院 1 个".into(),
        }],
    }
}

fn report(lang: Lang, with_maps: bool) -> String {
    let e = evaluation();
    let s = standards();
    let mut boundaries = BTreeMap::new();
    if with_maps {
        boundaries.insert("A".to_string(), square(106.0, 29.0, 0.1));
        boundaries.insert("B".to_string(), square(106.1, 29.0, 0.05));
    }
    render(
        &[Part {
            mode: Mode::Midterm,
            evaluation: &e,
            standards: Some(&s),
            access: Some(&hsplan_report::html::AccessSection {
                note: "SYNTHETIC grid".into(),
                facilities: "2 facilities".into(),
                thresholds_min: vec![15.0, 30.0],
                rows: vec![
                    ("甲镇".into(), 1000.0, vec![40.0, 90.0], Some(90.0)),
                    ("ALL".into(), 2000.0, vec![70.0, 95.0], None),
                ],
                farthest: vec![
                    ("远村".into(), 120.0, None),
                    ("近村".into(), 80.0, Some(41.5)),
                ],
            }),
        }],
        &Context {
            boundaries: &boundaries,
            schematic_boundaries: with_maps,
            banners: &["SYNTHETIC data".to_string()],
            notes: &["一条说明".to_string()],
        },
        lang,
    )
}

#[test]
fn report_snapshot_zh() {
    insta::assert_snapshot!(report(Lang::Zh, true));
}

#[test]
fn report_snapshot_en_without_boundaries() {
    insta::assert_snapshot!(report(Lang::En, false));
}

#[test]
fn report_is_self_contained_and_escaped() {
    for lang in [Lang::Zh, Lang::En] {
        let html = report(lang, true);
        for needle in [
            "http:", "https:", "<script", "<link", "src=", "@import", "url(http",
        ] {
            assert!(!html.contains(needle), "{needle} in the report");
        }
        assert!(!html.contains("<beds_per_1000>"), "names are escaped");
        assert!(html.contains("&lt;beds_per_1000&gt;"));
        assert!(html.contains("<path d=\"M"), "a choropleth is drawn");
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    }
    let zh = report(Lang::Zh, true);
    for section in [
        "一、总体情况",
        "二、约束性指标",
        "三、预期性指标",
        "四、下辖单位比较",
        "五、资源配置公平性",
        "六、发现的问题",
        "七、配置标准核查",
    ] {
        assert!(zh.contains(section), "{section}");
    }
    assert!(zh.contains("需增设乡镇卫生院 1 个"));
    assert!(report(Lang::En, false).contains("no choropleth"));
}
