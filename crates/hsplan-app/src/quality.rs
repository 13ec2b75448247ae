//! The data-quality review of a unit for a year (completeness, internal consistency,
//! outliers, external consistency; a score per unit), and its downloads.

use crate::evaluation::{csv_text, data_notes};
use crate::{AppError, Lang, Result, known_unit, parse_year};
use hsplan_eval::quality::{Check, Dimension, QualityReview, Rules};
use hsplan_model::{AdminCode, Labelled, NoteKind, ServiceSystem};
use serde::{Deserialize, Serialize};

/// What to review (also the query of `GET /api/quality`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityRequest {
    /// Year reviewed.
    #[param(minimum = 1949, maximum = 2100)]
    pub year: i64,
    /// Unit reviewed, with everything below it (default: the smallest unit holding every
    /// facility of the store).
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: Option<String>,
}

impl QualityRequest {
    /// The request with the workspace's home unit when it names no unit and the store has
    /// no single unit to default to (several trees, like the demo's Chongqing and Sichuan);
    /// a home unit the reader cannot see is not used.
    pub fn or_home(mut self, sys: &ServiceSystem, home: Option<&str>) -> QualityRequest {
        if self.unit.is_none()
            && default_unit(sys).is_err()
            && let Some(h) = home.filter(|h| sys.find_unit(h).is_some())
        {
            self.unit = Some(h.to_string());
        }
        self
    }
}

/// The review, labelled when the data are synthetic.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QualityResult {
    /// The review.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub review: QualityReview,
    /// Plans whose published baselines were compared (those of the unit's jurisdiction).
    pub plans_compared: Vec<String>,
    /// The four dimensions with their labels, in order.
    pub dimensions: Vec<Label>,
    /// Every check with its labels, its dimension and how many findings it made.
    pub checks: Vec<Label>,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
}

/// A dimension or check with its labels.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Label {
    /// Code (as in the findings).
    pub code: String,
    /// The dimension's code (for checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
    /// Findings (for checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<usize>,
}

fn code_of(v: impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The unit reviewed when none is asked for: from the single root down, as long as one
/// child holds every facility (the demo store's Chongqing tree gives its one district).
pub fn default_unit(sys: &ServiceSystem) -> Result<AdminCode> {
    let roots: Vec<&hsplan_model::AdminUnit> = sys
        .units
        .values()
        .filter(|u| u.parent().is_none_or(|p| !sys.units.contains_key(&p)))
        .collect();
    let Some(root) = roots.first() else {
        return Err(AppError::NotFound("units: the store has none".into()));
    };
    if roots.len() > 1 {
        let named: Vec<String> = roots
            .iter()
            .map(|u| format!("{} {}", u.code, u.name))
            .collect();
        return Err(AppError::invalid(
            "unit",
            format!(
                "the store holds more than one tree ({}); name the unit to review",
                named.join(", ")
            ),
        ));
    }
    let mut at = root.code;
    loop {
        let holding: Vec<AdminCode> = sys
            .children(at)
            .map(|u| u.code)
            .filter(|&c| {
                !sys.facilities.is_empty()
                    && sys
                        .facilities
                        .values()
                        .all(|f| f.unit == c || f.unit.is_descendant_of(c))
            })
            .collect();
        match holding.as_slice() {
            [one] => at = *one,
            _ => return Ok(at),
        }
    }
}

/// Reviews a unit for a year; a plan whose jurisdiction is the unit has its published
/// baselines compared with the values computed for its baseline year.
pub fn review(
    plans: &crate::catalog::PlanSet,
    sys: &ServiceSystem,
    req: &QualityRequest,
) -> Result<QualityResult> {
    let year = parse_year("year", req.year)?;
    let unit = match &req.unit {
        Some(u) => known_unit(sys, "unit", u)?.code,
        None => default_unit(sys)?,
    };
    let mut review = hsplan_eval::quality::review(sys, unit, year, &Rules::default());
    let mut plans_compared = Vec::new();
    for plan in plans.all().values() {
        if AdminCode::parse(plan.data.plan.jurisdiction.get_ref()) == Ok(unit) {
            hsplan_eval::quality::check_plan_baselines(&mut review, sys, plan, unit);
            plans_compared.push(plan.data.plan.id.get_ref().clone());
        }
    }
    let dimensions = Dimension::ALL
        .iter()
        .map(|&d| Label {
            code: code_of(d),
            dimension: None,
            zh: d.zh().into(),
            en: d.en().into(),
            findings: None,
        })
        .collect();
    let checks = Check::ALL
        .iter()
        .map(|&c| Label {
            code: c.code().into(),
            dimension: Some(code_of(c.dimension())),
            zh: c.zh().into(),
            en: c.en().into(),
            findings: Some(review.counts.get(&c).copied().unwrap_or(0)),
        })
        .collect();
    Ok(QualityResult {
        review,
        plans_compared,
        dimensions,
        checks,
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
    })
}

fn number(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

/// The findings as CSV, one per line, in both languages.
pub fn csv(r: &QualityResult) -> Result<Vec<u8>> {
    let err = |e: csv::Error| AppError::File(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "dimension",
        "check",
        "unit",
        "unit_name",
        "facility",
        "facility_name",
        "facility_type",
        "year",
        "quantity",
        "indicator",
        "value",
        "reference",
        "statistic",
        "finding_zh",
        "finding_en",
        "synthetic_data",
    ])
    .map_err(err)?;
    for f in &r.review.findings {
        w.write_record([
            code_of(f.dimension),
            f.check.code().to_string(),
            f.unit.clone(),
            csv_text(&f.unit_name),
            f.facility.as_deref().map(csv_text).unwrap_or_default(),
            f.facility_name.as_deref().map(csv_text).unwrap_or_default(),
            f.facility_type
                .map(|t| t.code().to_string())
                .unwrap_or_default(),
            f.year.to_string(),
            f.quantity.map(|q| q.code().to_string()).unwrap_or_default(),
            f.indicator.clone().unwrap_or_default(),
            number(f.value),
            number(f.reference),
            number(f.statistic),
            csv_text(&f.zh),
            csv_text(&f.en),
            r.synthetic_data.to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| AppError::File(format!("writing CSV: {e}")))
}

/// The review as a workbook: scores, completeness per quantity, findings, notes.
pub fn xlsx(r: &QualityResult, notes: &[String]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::File(format!("writing XLSX: {e}"));
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("scores").map_err(err)?;
    let heads = [
        "单位代码",
        "单位",
        "开放机构",
        "报送机构",
        "完整性%",
        "内部一致性%",
        "异常值%",
        "外部一致性%",
        "综合得分",
        "问题数",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, s) in r.review.scores.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &s.unit).map_err(err)?;
        sheet.write_string(row, 1, &s.name).map_err(err)?;
        sheet
            .write_number(row, 2, s.facilities as f64)
            .map_err(err)?;
        sheet
            .write_number(row, 3, s.reporting as f64)
            .map_err(err)?;
        let cells = [
            s.completeness.pct,
            s.internal_consistency.pct,
            s.outliers.pct,
            s.external_consistency.pct,
            s.score,
        ];
        for (c, v) in cells.into_iter().enumerate() {
            if let Some(v) = v {
                sheet
                    .write_number(row, 4 + c as u16, (v * 10.0).round() / 10.0)
                    .map_err(err)?;
            }
        }
        sheet.write_number(row, 9, s.findings as f64).map_err(err)?;
    }
    let sheet = book.add_worksheet().set_name("completeness").map_err(err)?;
    for (c, h) in ["单位代码", "指标", "应报机构", "已报机构", "完整性%"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, c) in r.review.completeness.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &c.unit).map_err(err)?;
        sheet.write_string(row, 1, c.quantity.zh()).map_err(err)?;
        sheet.write_number(row, 2, c.expected as f64).map_err(err)?;
        sheet.write_number(row, 3, c.reported as f64).map_err(err)?;
        sheet
            .write_number(row, 4, (c.pct * 10.0).round() / 10.0)
            .map_err(err)?;
    }
    let sheet = book.add_worksheet().set_name("findings").map_err(err)?;
    for (c, h) in ["维度", "检查", "单位", "机构", "年份", "发现"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, f) in r.review.findings.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, f.dimension.zh()).map_err(err)?;
        sheet.write_string(row, 1, f.check.zh()).map_err(err)?;
        sheet.write_string(row, 2, &f.unit_name).map_err(err)?;
        sheet
            .write_string(row, 3, f.facility_name.as_deref().unwrap_or(""))
            .map_err(err)?;
        sheet.write_number(row, 4, f64::from(f.year)).map_err(err)?;
        sheet.write_string(row, 5, &f.zh).map_err(err)?;
    }
    sheet.set_column_width(5, 90).map_err(err)?;
    if !notes.is_empty() {
        let sheet = book.add_worksheet().set_name("notes").map_err(err)?;
        for (i, n) in notes.iter().enumerate() {
            sheet.write_string(i as u32, 0, n).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// The review as a standalone HTML page, with the store's banners.
pub fn html(sys: &ServiceSystem, r: &QualityResult, lang: Lang) -> String {
    let notes = data_notes(sys, lang);
    hsplan_report::html::render_quality(&r.review, &notes.banners, lang)
}
