//! Plan evaluation: a plan's indicators for a unit and year, and its downloads
//! (JSON, CSV, status-coloured XLSX, the self-contained HTML report).

use crate::{AppError, Lang, Mode, Result, parse_code, parse_year};
use hsplan_eval::evaluate::{EvaluatedIndicator, Status};
use hsplan_eval::report::Evaluation;
use hsplan_model::{AdminCode, NoteKind, ServiceSystem};
use hsplan_plan::Plan;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What to evaluate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EvaluationRequest {
    /// Built-in plan id (see the plans list), e.g. beibei-14th-fyp.
    pub plan: String,
    /// Year evaluated.
    pub year: i64,
    /// Unit (default: the plan's jurisdiction).
    pub unit: Option<String>,
    /// annual, midterm or final (the report's title; the arithmetic is the same).
    #[schema(value_type = Option<String>, example = "midterm")]
    pub mode: Option<Mode>,
}

/// Evaluates `plan` for a unit and year on `sys`.
pub fn evaluate_plan(
    sys: &ServiceSystem,
    plan: &Plan,
    unit: Option<&str>,
    year: i64,
) -> Result<Evaluation> {
    let unit = match unit {
        Some(u) => parse_code("unit", u)?,
        None => parse_code("plan jurisdiction", plan.data.plan.jurisdiction.get_ref())?,
    };
    if !sys.units.contains_key(&unit) {
        return Err(AppError::NotFound(format!("unit {unit}")));
    }
    let year = parse_year("year", year)?;
    Ok(hsplan_eval::report::evaluate(sys, plan, unit, year))
}

/// Evaluates one of `plans`.
pub fn evaluate(
    plans: &crate::catalog::PlanSet,
    sys: &ServiceSystem,
    req: &EvaluationRequest,
) -> Result<Evaluation> {
    let plan = plans.get(&req.plan)?;
    evaluate_plan(sys, plan, req.unit.as_deref(), req.year)
}

/// The store's dataset notes for a report, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct DataNotes {
    /// Labels for the top of a report (synthetic data, schematic boundaries).
    pub banners: Vec<String>,
    /// Whether the boundaries are schematic.
    pub schematic_boundaries: bool,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
    /// Other remarks.
    pub remarks: Vec<String>,
    /// Every note, in order.
    pub all: Vec<String>,
}

/// Reads the dataset notes of `sys`.
pub fn data_notes(sys: &ServiceSystem, lang: Lang) -> DataNotes {
    let text = |kinds: &[NoteKind]| -> Vec<String> {
        sys.notes
            .iter()
            .filter(|n| kinds.contains(&n.kind))
            .map(|n| lang.pick(&n.zh, &n.en).to_string())
            .collect()
    };
    DataNotes {
        banners: text(&[NoteKind::SyntheticData, NoteKind::SchematicBoundaries]),
        schematic_boundaries: sys.has_note(NoteKind::SchematicBoundaries),
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
        remarks: text(&[NoteKind::Remark]),
        all: sys
            .notes
            .iter()
            .map(|n| lang.pick(&n.zh, &n.en).to_string())
            .collect(),
    }
}

/// Boundaries of the direct sub-units of `unit` that have one, by code.
pub fn sub_unit_boundaries(
    sys: &ServiceSystem,
    unit: AdminCode,
) -> BTreeMap<String, hsplan_model::MultiPolygon> {
    sys.sub_units(unit)
        .into_iter()
        .filter_map(|u| Some((u.code.to_string(), u.boundary.clone()?)))
        .collect()
}

/// The HTML evaluation report of `parts` for `unit`, with the store's boundaries and notes.
pub fn html_report(
    sys: &ServiceSystem,
    unit: AdminCode,
    parts: &[hsplan_report::html::Part<'_>],
    lang: Lang,
) -> String {
    let boundaries = sub_unit_boundaries(sys, unit);
    let notes = data_notes(sys, lang);
    hsplan_report::html::render(
        parts,
        &hsplan_report::html::Context {
            boundaries: &boundaries,
            schematic_boundaries: notes.schematic_boundaries,
            banners: &notes.banners,
            notes: &notes.remarks,
        },
        lang,
    )
}

/// The HTML report of one evaluation.
pub fn html(sys: &ServiceSystem, e: &Evaluation, mode: Mode, lang: Lang) -> Result<String> {
    let unit = parse_code("unit", &e.unit)?;
    Ok(html_report(
        sys,
        unit,
        &[hsplan_report::html::Part {
            mode,
            evaluation: e,
            standards: None,
            access: None,
        }],
        lang,
    ))
}

/// The JSON document of an evaluation, labelled when the data are synthetic.
pub fn json(sys: &ServiceSystem, e: &Evaluation) -> serde_json::Value {
    let mut doc = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
    doc["synthetic_data"] = sys.has_note(NoteKind::SyntheticData).into();
    doc
}

/// Text for a CSV cell: a leading `=`, `+`, `-` or `@` is escaped so a spreadsheet does
/// not run it as a formula (numbers are written as numbers elsewhere).
pub fn csv_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@') if s.parse::<f64>().is_err() => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The evaluation rows as CSV.
pub fn csv(rows: &[EvaluatedIndicator], synthetic: bool) -> Result<Vec<u8>> {
    let err = |e: csv::Error| AppError::File(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "row",
        "id",
        "name_zh",
        "binding",
        "baseline",
        "target",
        "expected",
        "actual",
        "progress_pct",
        "status",
        "data_doubt",
        "synthetic_data",
    ])
    .map_err(err)?;
    for r in rows {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
        w.write_record([
            csv_text(&r.row),
            csv_text(&r.id),
            csv_text(&r.name_zh),
            r.binding.to_string(),
            csv_text(&r.baseline),
            csv_text(&r.target),
            f(r.expected),
            f(r.actual),
            f(r.progress_pct),
            r.status.en().to_string(),
            r.doubt
                .as_ref()
                .map(|d| csv_text(&d.en))
                .unwrap_or_default(),
            synthetic.to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| AppError::File(format!("writing CSV: {e}")))
}

/// The evaluation rows as a workbook with status-coloured cells and a notes sheet.
pub fn xlsx(rows: &[EvaluatedIndicator], notes: &[String]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::File(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("evaluation").map_err(err)?;
    let headers = [
        "序号",
        "指标",
        "约束性",
        "基期值",
        "目标值",
        "应达值",
        "实际值",
        "进度%",
        "状态",
        "数据存疑",
    ];
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.row).map_err(err)?;
        sheet.write_string(row, 1, &r.name_zh).map_err(err)?;
        sheet
            .write_string(row, 2, if r.binding { "约束性" } else { "预期性" })
            .map_err(err)?;
        sheet.write_string(row, 3, &r.baseline).map_err(err)?;
        sheet.write_string(row, 4, &r.target).map_err(err)?;
        for (c, v) in [(5u16, r.expected), (6, r.actual), (7, r.progress_pct)] {
            if let Some(v) = v {
                sheet
                    .write_number(row, c, (v * 100.0).round() / 100.0)
                    .map_err(err)?;
            }
        }
        let colour = match r.status {
            Status::Achieved | Status::OnTrack => Color::RGB(0xC6EFCE),
            Status::Lagging => Color::RGB(0xFFEB9C),
            Status::OffTrack | Status::Regressing => Color::RGB(0xFFC7CE),
            Status::NoData => Color::RGB(0xD9D9D9),
        };
        sheet
            .write_string_with_format(
                row,
                8,
                r.status.zh(),
                &Format::new().set_background_color(colour),
            )
            .map_err(err)?;
        if let Some(d) = &r.doubt {
            sheet.write_string(row, 9, &d.zh).map_err(err)?;
        }
    }
    sheet.set_column_width(1, 60).map_err(err)?;
    if !notes.is_empty() {
        let sheet = book.add_worksheet().set_name("notes").map_err(err)?;
        for (i, n) in notes.iter().enumerate() {
            sheet.write_string(i as u32, 0, n).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// Indicators for every unit and year of a whole system given as flat files.
#[derive(Debug)]
pub struct FilesEvaluation {
    /// The system in columns (units, years, facilities).
    pub columns: hsplan_eval::columnar::Columns,
    /// The indicators evaluated, in output order.
    pub indicators: Vec<&'static hsplan_eval::IndicatorDef>,
    /// (indicator id, year) → value per unit.
    pub result: hsplan_eval::columnar::ColumnarResult,
    /// Seconds reading the files into columns.
    pub read_s: f64,
    /// Seconds evaluating.
    pub evaluate_s: f64,
}

/// Reads a system from the four files of `dir` straight into columns
/// ([`hsplan_io::columns::read_dir`]: units, facilities, resources and population, each
/// .csv or .parquet) and evaluates `ids` (every library indicator when empty) for every unit
/// at every level and every year, on `threads` threads. Meant for national scale: no model
/// records are built.
pub fn evaluate_files(
    dir: &std::path::Path,
    ids: &[String],
    threads: usize,
    progress: &dyn crate::progress::Progress,
) -> Result<FilesEvaluation> {
    use crate::progress::Stage;
    let indicators: Vec<&'static hsplan_eval::IndicatorDef> = if ids.is_empty() {
        hsplan_eval::INDICATORS.iter().collect()
    } else {
        ids.iter()
            .map(|id| {
                hsplan_eval::find(id.trim()).ok_or_else(|| {
                    AppError::invalid_said(
                        "indicators",
                        format!("`{id}` is not a library indicator (see `hsplan indicators --unit … --year …`)"),
                        format!("`{id}` 不是指标库中的指标"),
                    )
                })
            })
            .collect::<Result<_>>()?
    };
    let threads = threads.clamp(1, 64);
    progress.report(Stage::Reading, 0, 1);
    let start = std::time::Instant::now();
    let columns = hsplan_io::columns::read_dir(dir, threads).map_err(|e| match e {
        hsplan_io::IoError::Read { .. } => AppError::File(e.to_string()),
        _ => AppError::Input {
            problems: vec![e.to_string()],
            more: 0,
        },
    })?;
    let read_s = start.elapsed().as_secs_f64();
    progress.report(Stage::Reading, 1, 1);
    progress.report(Stage::Summarising, 0, 1);
    let start = std::time::Instant::now();
    let result = columns.evaluate(&indicators, threads);
    let evaluate_s = start.elapsed().as_secs_f64();
    progress.report(Stage::Summarising, 1, 1);
    progress.report(Stage::Done, 1, 1);
    Ok(FilesEvaluation {
        columns,
        indicators,
        result,
        read_s,
        evaluate_s,
    })
}

/// A files evaluation as CSV, one row per unit and year: `unit,year`, then one column per
/// indicator (empty where the value cannot be computed: a missing report, no population or
/// a zero denominator). Values keep full precision.
pub fn files_csv(e: &FilesEvaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut header = String::from("unit,year");
    for d in &e.indicators {
        header.push(',');
        header.push_str(d.id);
    }
    writeln!(out, "{header}")?;
    let columns: Vec<Vec<&Vec<std::result::Result<f64, hsplan_eval::Gap>>>> = e
        .columns
        .years()
        .iter()
        .map(|y| {
            e.indicators
                .iter()
                .map(|d| &e.result.values[&(d.id, *y)])
                .collect()
        })
        .collect();
    let mut line = String::new();
    for (u, unit) in e.columns.units().iter().enumerate() {
        for (yi, year) in e.columns.years().iter().enumerate() {
            line.clear();
            line.push_str(&unit.to_string());
            line.push(',');
            line.push_str(&year.get().to_string());
            for col in &columns[yi] {
                line.push(',');
                if let Ok(v) = col[u] {
                    line.push_str(&format!("{v:?}"));
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}
