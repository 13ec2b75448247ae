//! Record-level data: generating SYNTHETIC record tables, counting a folder of records into
//! utilisation totals (DataFusion, in `hsplan-records`), importing those totals into the
//! store, and the utilisation indicators computed from them.

use crate::{AppError, Result, Workspace};
use hsplan_eval::report::UtilisationRow;
use hsplan_model::{AdminCode, DatasetNote, NoteKind, RecordTable, ServiceSystem, Year};
use hsplan_records::{CountRequest, RecordsError};
pub use hsplan_records::{Counted, Engine, GenerateRequest, Generated, Reason, TableRun};
use hsplan_report::messages::{Lang, Msg};
use hsplan_store::{ImportBatch, UtilisationBatch};
use std::path::{Path, PathBuf};

/// The marker a generated folder carries (written last: its presence means complete).
pub const SYNTHETIC_MARKER: &str = "SYNTHETIC.md";

/// A folder of records to count.
#[derive(Debug, Clone)]
pub struct RecordsRequest {
    /// The folder holding the tables (`encounters.parquet`, `referrals.csv`, …).
    pub dir: PathBuf,
    /// The unit the records cover completely (its residents and its facilities).
    pub unit: AdminCode,
    /// The year they cover.
    pub year: Year,
    /// Count refused records per reason instead of failing at the first.
    pub skip_invalid: bool,
    /// Threads for the query engine (0: all cores).
    pub threads: usize,
    /// Where the queries run (DataFusion here, or a Ballista cluster).
    pub engine: Engine,
}

/// Where to count, as a request gives it: `embedded`, `standalone` or `df://host:port`.
pub fn parse_engine(text: &str) -> Result<Engine> {
    Engine::parse(text).map_err(|e| match e {
        RecordsError::Engine(m) => AppError::invalid("cluster", m),
        other => AppError::invalid("cluster", other.to_string()),
    })
}

/// What counting a folder gave.
#[derive(Debug, Clone)]
pub struct RecordsReport {
    /// The folder counted.
    pub dir: PathBuf,
    /// The unit.
    pub unit: AdminCode,
    /// The year.
    pub year: Year,
    /// Per table: rows read and refused.
    pub tables: Vec<TableRun>,
    /// Where the refused rows' counts were written (when any were refused).
    pub rejected_file: Option<PathBuf>,
    /// Whether the folder is marked SYNTHETIC.
    pub synthetic: bool,
    /// The utilisation indicators of the unit and its sub-units from these records.
    pub indicators: Vec<UtilisationRow>,
    /// The totals as counted.
    pub counted: Counted,
}

impl From<RecordsError> for AppError {
    fn from(e: RecordsError) -> Self {
        match e {
            RecordsError::MissingColumn { .. }
            | RecordsError::ColumnType { .. }
            | RecordsError::Value { .. }
            | RecordsError::Invalid { .. } => AppError::Input {
                problems: vec![e.to_string()],
                more: 0,
            },
            RecordsError::NoTables { .. } => AppError::invalid("dir", e.to_string()),
            RecordsError::File { .. } => AppError::File(e.to_string()),
            RecordsError::Engine(m) => AppError::Engine(m),
        }
    }
}

fn check_unit(sys: &ServiceSystem, unit: AdminCode) -> Result<()> {
    if sys.units.contains_key(&unit) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "unit",
            format!("{unit} is not a unit of the store's hierarchy"),
        ))
    }
}

/// Writes SYNTHETIC record tables for a unit and year into `req.out`.
pub fn generate(sys: &ServiceSystem, req: &GenerateRequest) -> Result<Generated> {
    check_unit(sys, req.unit)?;
    if !(req.scale > 0.0 && req.scale <= 10.0) {
        return Err(AppError::invalid(
            "scale",
            format!("{} is outside (0, 10]", req.scale),
        ));
    }
    Ok(hsplan_records::generate(sys, req)?)
}

/// Whether `dir` already holds a complete generated set for exactly this request.
pub fn generated_already(req: &GenerateRequest) -> bool {
    let marker = req.out.join(SYNTHETIC_MARKER);
    let Ok(text) = std::fs::read_to_string(&marker) else {
        return false;
    };
    let line = format!(
        "unit {}, year {}, seed {}, scale {}",
        req.unit,
        req.year.get(),
        req.seed,
        req.scale
    );
    text.lines().any(|l| l == line)
        && RecordTable::ALL
            .iter()
            .all(|t| req.out.join(format!("{}.parquet", t.name())).exists())
}

/// Counts a folder of records against the system's units and facilities and computes the
/// utilisation indicators from the counts (the store is not touched). With `skip_invalid`,
/// refused rows are counted per reason and written to `rejected.csv` beside the records.
pub fn count(sys: &ServiceSystem, req: &RecordsRequest) -> Result<RecordsReport> {
    check_unit(sys, req.unit)?;
    let counted = hsplan_records::count(
        sys,
        &CountRequest {
            dir: req.dir.clone(),
            year: req.year,
            unit: req.unit,
            skip_invalid: req.skip_invalid,
            threads: req.threads,
            engine: req.engine.clone(),
        },
    )?;
    let tables = counted.tables.clone();
    let rejected_file = if tables.iter().any(|t| !t.refused.is_empty()) {
        let path = req.dir.join("rejected.csv");
        write_rejected(&path, &tables)?;
        Some(path)
    } else {
        None
    };
    let indicators = hsplan_eval::report::utilisation_rows(
        &with_counts(sys, req, &counted),
        req.unit,
        req.year,
        None,
    );
    Ok(RecordsReport {
        dir: req.dir.clone(),
        unit: req.unit,
        year: req.year,
        tables,
        rejected_file,
        synthetic: req.dir.join(SYNTHETIC_MARKER).exists(),
        indicators,
        counted,
    })
}

/// The system with the counted totals in place of what it held for the unit and year.
fn with_counts(sys: &ServiceSystem, req: &RecordsRequest, counted: &Counted) -> ServiceSystem {
    let mut with = sys.clone();
    with.utilisation
        .replace(req.unit, req.year, counted.utilisation.clone());
    with
}

/// Every utilisation indicator for every unit of the counted subtree (from the unit down to
/// its villages), as CSV: unit, level, name, indicator, value, numerator, denominator, and
/// why there is no value.
pub fn every_unit_csv(
    sys: &ServiceSystem,
    req: &RecordsRequest,
    report: &RecordsReport,
) -> Result<Vec<u8>> {
    let with = with_counts(sys, req, &report.counted);
    let err = |e: csv::Error| AppError::File(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "unit",
        "level",
        "name",
        "indicator",
        "value",
        "numerator",
        "denominator",
        "gap",
    ])
    .map_err(err)?;
    let (_, hi) = req.unit.subtree_range();
    let defs: Vec<_> = hsplan_eval::INDICATORS
        .iter()
        .filter(|d| hsplan_eval::from_records(d))
        .collect();
    for u in with
        .units
        .range(req.unit..)
        .map(|(_, u)| u)
        .take_while(|u| u.code.get() <= hi)
    {
        for def in &defs {
            let v = hsplan_eval::compute(&with, def, u.code, req.year);
            let number = |x: f64| hsplan_report::html::format_number(x);
            w.write_record([
                u.code.to_string(),
                format!("{:?}", u.level()).to_lowercase(),
                crate::evaluation::csv_text(&u.name),
                def.id.to_string(),
                v.value.map(number).unwrap_or_default(),
                number(v.numerator.value),
                v.denominator.map(|d| number(d.value)).unwrap_or_default(),
                v.value.err().map(|g| format!("{g:?}")).unwrap_or_default(),
            ])
            .map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| AppError::File(format!("writing CSV: {e}")))
}

fn write_rejected(path: &Path, tables: &[TableRun]) -> Result<()> {
    let mut out = String::from("table,reason,rows,reason_zh\n");
    for t in tables {
        for (reason, n) in &t.refused {
            out.push_str(&format!(
                "{},{},{n},{}\n",
                t.table.name(),
                reason.code(),
                reason.zh()
            ));
        }
    }
    std::fs::write(path, out)
        .map_err(|e| AppError::File(format!("{}: cannot write: {e}", path.display())))
}

/// Counts a folder of records and stores the totals for the unit's subtree and year
/// (replacing what was stored for them), all or nothing.
pub fn import(ws: &Workspace, req: &RecordsRequest) -> Result<RecordsReport> {
    let snapshot = ws.snapshot();
    let report = count(&snapshot.sys, req)?;
    ws.import(&batch(&report))?;
    Ok(report)
}

/// The import batch of a count: the totals for the unit's subtree and year, and a note when
/// the records are SYNTHETIC.
pub fn batch(report: &RecordsReport) -> ImportBatch {
    let mut notes = Vec::new();
    if report.synthetic {
        notes.push(DatasetNote {
            kind: NoteKind::SyntheticData,
            zh: Msg::RecordsSynthetic.text(Lang::Zh).into(),
            en: Msg::RecordsSynthetic.text(Lang::En).into(),
        });
    }
    ImportBatch {
        notes,
        utilisation: vec![UtilisationBatch {
            unit: report.unit,
            year: report.year,
            utilisation: report.counted.utilisation.clone(),
        }],
        ..ImportBatch::default()
    }
}

/// Applies a count to a loaded system as importing [`batch`] into its store and loading
/// it again would: the unit-year's utilisation replaced, the SYNTHETIC note added once.
pub fn apply(sys: &mut ServiceSystem, report: &RecordsReport) {
    let batch = batch(report);
    for note in batch.notes {
        if !sys
            .notes
            .iter()
            .any(|n| n.kind == note.kind && n.zh == note.zh)
        {
            sys.notes.push(note);
        }
    }
    for u in batch.utilisation {
        sys.utilisation.replace(u.unit, u.year, u.utilisation);
    }
}

/// The utilisation indicators stored for a unit and year (empty when no records cover it).
pub fn indicators(sys: &ServiceSystem, unit: AdminCode, year: Year) -> Result<Vec<UtilisationRow>> {
    check_unit(sys, unit)?;
    Ok(hsplan_eval::report::utilisation_rows(sys, unit, year, None))
}

/// A unit code and year as a request gives them, checked.
pub fn parse_unit_year(unit: &str, year: i64) -> Result<(AdminCode, Year)> {
    let code = AdminCode::parse(unit).map_err(|e| AppError::invalid("unit", e.to_string()))?;
    let year = Year::new(year).map_err(|e| AppError::invalid("year", e.to_string()))?;
    Ok((code, year))
}
