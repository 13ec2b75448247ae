//! The built-in demo region: the real hierarchies of Chongqing and Leshan city with
//! SYNTHETIC, seeded registries for all 38 districts of Chongqing and Leshan's Shizhong
//! district (each calibrated to what its plan publishes for 2020, see
//! [`hsplan_synth::region`]); the Beibei plan evaluated for the mid-term and the latest
//! year with the seed standards checked, access over a synthetic road grid and one siting
//! question; every other seed plan evaluated for its jurisdiction; the store, the JSON
//! evaluations, the siting inputs, one HTML report per plan and an index page written to a
//! folder.

use crate::progress::{Cancel, Silent};
use crate::siting::{CandidateSource, DemandSource, InputFile, ModelKind, SitingRequest, Solved};
use crate::{AppError, Lang, Mode, Result};
use hsplan_access::analysis::{DemandPoint, SupplyPoint};
use hsplan_eval::report::Evaluation;
use hsplan_model::{AdminCode, Origin, ServiceSystem, Sourced, Year};
use hsplan_report::html::{AccessSection, StandardsSection};
use hsplan_report::messages::Msg;
use hsplan_standards::CheckReport;
use hsplan_store::{ImportBatch, SqliteStore, Store};
use std::path::{Path, PathBuf};

/// The demo district (Beibei, Chongqing).
pub const DISTRICT: &str = "500109";

/// The demo plan (Beibei's 14th five-year regional health plan).
pub const PLAN: &str = "beibei-14th-fyp";

/// One evaluated year of the demo.
#[derive(Debug, Clone)]
pub struct DemoYear {
    /// Annual or mid-term.
    pub mode: Mode,
    /// The evaluation.
    pub evaluation: Evaluation,
    /// The standards check.
    pub standards: CheckReport,
    /// The standards section of the report.
    pub standards_section: StandardsSection,
    /// Access to care.
    pub access: AccessSection,
    /// Where its JSON was written.
    pub json: PathBuf,
}

/// One seed plan evaluated by the demo.
#[derive(Debug, Clone)]
pub struct PlanRun {
    /// The plan's id.
    pub plan: String,
    /// Its jurisdiction.
    pub unit: AdminCode,
    /// Its evaluations, oldest first (the years of the demo within the plan's period).
    pub evaluations: Vec<(Mode, Evaluation)>,
    /// What becomes of each of its quantitative targets.
    pub coverage: crate::targets::TargetCoverage,
    /// Its HTML report.
    pub report: PathBuf,
}

/// What the demo made.
#[derive(Debug, Clone)]
pub struct DemoRun {
    /// The store.
    pub db: PathBuf,
    /// The seed's own contradictions, noted with the data.
    pub notes: Vec<hsplan_synth::Note>,
    /// Data-quality faults put in the synthetic data on purpose, noted with the data.
    pub faults: Vec<hsplan_synth::Note>,
    /// The evaluated years.
    pub years: Vec<DemoYear>,
    /// The siting inputs' folder.
    pub siting_dir: PathBuf,
    /// The siting scenario.
    pub siting: Solved,
    /// Where the scenario was saved.
    pub scenario_file: PathBuf,
    /// The HTML report of the Beibei plan.
    pub report: PathBuf,
    /// Every seed plan evaluated, Beibei's first.
    pub plans: Vec<PlanRun>,
    /// The index page of the plans' reports.
    pub index: PathBuf,
}

fn file_error(path: &Path, what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::File(format!("{}: {what}: {e}", path.display()))
}

/// Tags generated records with their origin, numbered from 1.
fn synthetic<T>(values: Vec<T>) -> Vec<Sourced<T>> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| Sourced {
            origin: Origin {
                file: "(synthetic: hsplan-synth, seed 2020)".into(),
                row: i + 1,
            },
            value,
        })
        .collect()
}

/// What travels with the demo data: synthetic registry, schematic map, the seed's conflicts.
fn demo_notes(
    conflicts: &[hsplan_synth::Note],
    faults: &[hsplan_synth::Note],
) -> Vec<hsplan_model::DatasetNote> {
    use hsplan_model::{DatasetNote, NoteKind};
    let mut notes = vec![
        DatasetNote {
            kind: NoteKind::SyntheticData,
            zh: Msg::DemoSynthetic.text(Lang::Zh).into(),
            en: Msg::DemoSynthetic.text(Lang::En).into(),
        },
        DatasetNote {
            kind: NoteKind::SchematicBoundaries,
            zh: Msg::SchematicMap.text(Lang::Zh).into(),
            en: Msg::SchematicMap.text(Lang::En).into(),
        },
    ];
    notes.extend(conflicts.iter().chain(faults).map(|n| DatasetNote {
        kind: NoteKind::Remark,
        zh: n.zh.clone(),
        en: n.en.clone(),
    }));
    notes
}

/// The demo's access inputs for a year: the SYNTHETIC grid road network over the schematic
/// map, villages/communities as demand points (unit: their town/street code), and the open
/// hospitals and community/township health centres.
pub fn access_inputs(
    sys: &ServiceSystem,
    district: AdminCode,
    year: Year,
) -> (
    hsplan_access::graph::Graph,
    Vec<DemandPoint>,
    Vec<SupplyPoint>,
) {
    use hsplan_model::{AdminLevel, InstitutionFamily, Labelled, UnitKind};
    let graph = hsplan_access::synth::grid_over(hsplan_synth::SCHEMATIC_BOX, 400.0, 2020);
    let demand: Vec<DemandPoint> = sys
        .descendants(district)
        .filter(|u| u.level() == AdminLevel::Village)
        .filter_map(|u| {
            let p = u.point?;
            let pop = hsplan_eval::measure::population(
                sys,
                u.code,
                year,
                hsplan_eval::PopulationBase::Resident,
            )
            .complete()?;
            Some(DemandPoint {
                id: u.name.clone(),
                unit: u.code.parent().map(|c| c.to_string()).unwrap_or_default(),
                population: pop,
                lon: p.lon(),
                lat: p.lat(),
                urban: Some(u.kind == Some(UnitKind::Community)),
            })
        })
        .collect();
    let facilities: Vec<SupplyPoint> =
        hsplan_eval::measure::open_facilities_in(sys, district, year)
            .filter(|f| {
                f.kind.family() == InstitutionFamily::Hospital || f.kind.is_primary_care_centre()
            })
            .filter_map(|f| {
                let p = f.location?;
                Some(SupplyPoint {
                    id: f.id.to_string(),
                    kind: f.kind.code().to_string(),
                    lon: p.lon(),
                    lat: p.lat(),
                    capacity: 1.0,
                })
            })
            .collect();
    (graph, demand, facilities)
}

/// Access to care in the demo: villages/communities to the nearest hospital or community /
/// township health centre by car over a synthetic grid network on the schematic map (labelled so).
pub fn access(sys: &ServiceSystem, district: AdminCode, year: Year, lang: Lang) -> AccessSection {
    use hsplan_access::analysis::{CoverageOptions, Direction, coverage};
    let (graph, mut demand, facilities) = access_inputs(sys, district, year);
    let reversed = graph.reversed();
    let name_of = |c: &str| {
        AdminCode::parse(c)
            .ok()
            .and_then(|c| sys.units.get(&c))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    for d in &mut demand {
        d.unit = name_of(&d.unit);
    }
    let thresholds = vec![15.0, 30.0];
    let c = coverage(
        &graph,
        &reversed,
        &facilities,
        &demand,
        &CoverageOptions {
            thresholds_min: thresholds.clone(),
            direction: Direction::ToFacility,
            dispatch_min: 0.0,
            max_snap_m: 500.0,
            walk_kmh: 4.5,
        },
    );
    let mut rows: Vec<(String, f64, Vec<f64>, Option<f64>)> = c
        .units
        .iter()
        .map(|u| {
            (
                u.unit.clone(),
                u.population,
                u.share_pct.clone(),
                u.standard_share_pct,
            )
        })
        .collect();
    rows.push((
        lang.pick("合计", "total").to_string(),
        c.total.population,
        c.total.share_pct.clone(),
        c.total.standard_share_pct,
    ));
    let mut worst: Vec<&hsplan_access::analysis::PointTime> = c.points.iter().collect();
    worst.sort_by(|a, b| {
        b.minutes
            .unwrap_or(f64::INFINITY)
            .total_cmp(&a.minutes.unwrap_or(f64::INFINITY))
            .then(a.id.cmp(&b.id))
    });
    AccessSection {
        note: Msg::AccessSynthetic.text(lang).to_string(),
        facilities: format!("{} {}", facilities.len(), lang.pick("个机构", "facilities")),
        thresholds_min: thresholds,
        rows,
        farthest: worst
            .into_iter()
            .take(5)
            .map(|p| (p.id.clone(), p.population, p.minutes))
            .collect(),
    }
}

fn write_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| file_error(path, "cannot write", e))?;
    w.write_record(header)
        .map_err(|e| file_error(path, "cannot write", e))?;
    for r in rows {
        w.write_record(&r)
            .map_err(|e| file_error(path, "cannot write", e))?;
    }
    w.flush().map_err(|e| file_error(path, "cannot write", e))
}

/// Writes the demo's access inputs (SYNTHETIC road grid, villages with residents and town
/// codes, hospitals and primary-care centres) for `hsplan site` and `hsplan access`.
pub fn write_siting_inputs(
    dir: &Path,
    sys: &ServiceSystem,
    district: AdminCode,
    year: Year,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, "cannot create directory", e))?;
    let (graph, demand, facilities) = access_inputs(sys, district, year);
    let roads = dir.join("roads.hsg");
    std::fs::write(&roads, graph.to_bytes()).map_err(|e| file_error(&roads, "cannot write", e))?;
    write_csv(
        &dir.join("demand.csv"),
        &[
            "id",
            "lon",
            "lat",
            "population",
            "unit",
            "unit_name",
            "urban_rural",
        ],
        demand.iter().map(|d| {
            let name = AdminCode::parse(&d.unit)
                .ok()
                .and_then(|c| sys.units.get(&c))
                .map(|u| u.name.clone())
                .unwrap_or_default();
            vec![
                d.id.clone(),
                format!("{:.7}", d.lon),
                format!("{:.7}", d.lat),
                format!("{:.0}", d.population),
                d.unit.clone(),
                name,
                match d.urban {
                    Some(true) => "111".into(),
                    Some(false) => "220".into(),
                    None => String::new(),
                },
            ]
        }),
    )?;
    write_csv(
        &dir.join("facilities.csv"),
        &["id", "kind", "lon", "lat", "capacity"],
        facilities.iter().map(|f| {
            vec![
                f.id.clone(),
                f.kind.clone(),
                format!("{:.7}", f.lon),
                format!("{:.7}", f.lat),
                "1".into(),
            ]
        }),
    )
}

/// The demo's siting question on the files the demo writes into `dir`: where `p` new
/// primary-care centres would bring most residents within `minutes` (MCLP), candidates
/// one network node per `spacing_m` cell outside the existing centres' reach.
pub fn siting_request(
    dir: &Path,
    p: usize,
    minutes: f64,
    spacing_m: f64,
    lang: Lang,
) -> SitingRequest {
    let mut req = SitingRequest::new(
        ModelKind::Mclp,
        dir.join("roads.hsg"),
        DemandSource::File(InputFile::Path(dir.join("demand.csv"))),
        CandidateSource::Spacing {
            metres: spacing_m,
            uncovered_only: true,
        },
    );
    req.existing = Some(InputFile::Path(dir.join("facilities.csv")));
    req.minutes = minutes;
    req.p = Some(p);
    req.name = Some(format!("mclp-{p}-{minutes}min"));
    req.lang = lang;
    req
}

/// Builds the demo store fresh in `out/demo.db` and returns it with the seed's conflicts
/// and the faults put in on purpose (no evaluation).
pub fn build_store(
    out: &Path,
) -> Result<(PathBuf, Vec<hsplan_synth::Note>, Vec<hsplan_synth::Note>)> {
    std::fs::create_dir_all(out).map_err(|e| file_error(out, "cannot create directory", e))?;
    let db = out.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = out.join(format!("demo.db{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| file_error(&p, "cannot remove", e))?;
        }
    }
    let (batch, notes, faults) = batch_and_notes()?;
    let mut store = SqliteStore::open(&db)
        .map_err(|e| AppError::Store(format!("opening store {}: {e}", db.display())))?;
    store.import(&batch)?;
    Ok((db, notes, faults))
}

/// The batch, the seed's conflicts and the faults put in on purpose.
type Generated = (
    ImportBatch,
    Vec<hsplan_synth::Note>,
    Vec<hsplan_synth::Note>,
);

fn batch_and_notes() -> Result<Generated> {
    let mut units = hsplan_io::nbs::chongqing_hierarchy()?;
    let leshan = hsplan_io::nbs::leshan_hierarchy()?;
    let chongqing: Vec<_> = units.iter().map(|u| u.value.clone()).collect();
    let leshan_plain: Vec<_> = leshan.iter().map(|u| u.value.clone()).collect();
    let registry = hsplan_synth::region::demo_region(&chongqing, &leshan_plain, 2020);
    units.extend(leshan);
    let batch = ImportBatch {
        units,
        geometries: synthetic(registry.geometries),
        population: synthetic(registry.population),
        facilities: synthetic(registry.facilities),
        facility_years: synthetic(registry.facility_years),
        notes: demo_notes(&registry.notes, &registry.faults),
    };
    Ok((batch, registry.notes, registry.faults))
}

/// The demo region as one import batch (Chongqing's hierarchy and Beibei's synthetic
/// registry, with its notes), for any store.
pub fn batch() -> Result<ImportBatch> {
    Ok(batch_and_notes()?.0)
}

/// The whole demo: store, evaluations, standards, access, siting, report.
pub fn run(out: &Path, lang: Lang) -> Result<DemoRun> {
    let (db, notes, faults) = build_store(out)?;
    let sys = SqliteStore::open(&db)
        .map_err(|e| AppError::Store(e.to_string()))?
        .load()?;
    let plan = crate::catalog::plan(PLAN)?;
    let district = AdminCode::parse(DISTRICT).expect("valid code");
    let standards = crate::catalog::standards();
    let mut years = Vec::new();
    for (year, mode) in [(2023, Mode::Midterm), (2024, Mode::Annual)] {
        let y = Year::new(year).expect("year");
        let evaluation = hsplan_eval::report::evaluate(&sys, plan, district, y);
        let check = hsplan_standards::check(&sys, standards, y, Some(district));
        let standards_section = crate::standards::section(standards, &check, lang);
        let json = out.join(format!("evaluation-{year}.json"));
        let doc = crate::evaluation::json(&sys, &evaluation);
        std::fs::write(
            &json,
            serde_json::to_string_pretty(&doc).map_err(|e| AppError::File(e.to_string()))?,
        )
        .map_err(|e| file_error(&json, "cannot write", e))?;
        years.push(DemoYear {
            mode,
            access: access(&sys, district, y, lang),
            evaluation,
            standards: check,
            standards_section,
            json,
        });
    }
    // Siting on the latest year: the inputs as files, then one scenario.
    let siting_dir = out.join("siting");
    write_siting_inputs(&siting_dir, &sys, district, Year::new(2024).expect("year"))?;
    let siting = crate::siting::solve(
        &siting_request(&siting_dir, 3, 10.0, 1000.0, lang),
        &Silent,
        &Cancel::new(),
    )?;
    let scenario_file = siting_dir.join("scenario-mclp.json");
    std::fs::write(
        &scenario_file,
        serde_json::to_string_pretty(&siting.scenario)
            .map_err(|e| AppError::File(e.to_string()))?,
    )
    .map_err(|e| file_error(&scenario_file, "cannot write", e))?;
    let parts: Vec<hsplan_report::html::Part> = years
        .iter()
        .map(|y| hsplan_report::html::Part {
            mode: y.mode,
            evaluation: &y.evaluation,
            standards: Some(&y.standards_section),
            access: Some(&y.access),
        })
        .collect();
    let report = out.join("report.html");
    let html = crate::evaluation::html_report(&sys, district, &parts, lang);
    std::fs::write(&report, html).map_err(|e| file_error(&report, "cannot write", e))?;
    let mut plans = vec![PlanRun {
        plan: PLAN.into(),
        unit: district,
        evaluations: years
            .iter()
            .map(|y| (y.mode, y.evaluation.clone()))
            .collect(),
        coverage: crate::targets::coverage(plan),
        report: report.clone(),
    }];
    let reports = out.join("reports");
    std::fs::create_dir_all(&reports)
        .map_err(|e| file_error(&reports, "cannot create directory", e))?;
    for other in crate::catalog::plans()
        .values()
        .filter(|p| p.data.plan.id.get_ref() != PLAN)
    {
        plans.push(evaluate_plan(&sys, other, &reports, lang)?);
    }
    let index = out.join("index.html");
    let entries: Vec<hsplan_report::html::IndexEntry> = plans
        .iter()
        .map(|p| hsplan_report::html::IndexEntry {
            href: p
                .report
                .strip_prefix(out)
                .unwrap_or(&p.report)
                .to_string_lossy()
                .replace('\\', "/"),
            evaluations: p.evaluations.iter().map(|(m, e)| (*m, e)).collect(),
            coverage: (
                p.coverage.evaluated,
                p.coverage.waits_for_records,
                p.coverage.not_computable,
            ),
        })
        .collect();
    let data_notes = crate::evaluation::data_notes(&sys, lang);
    let html = hsplan_report::html::render_index(
        Msg::DemoPlansTitle.text(lang),
        Msg::DemoPlansIntro.text(lang),
        &entries,
        &data_notes.banners,
        lang,
    );
    std::fs::write(&index, html).map_err(|e| file_error(&index, "cannot write", e))?;
    Ok(DemoRun {
        db,
        notes,
        faults,
        years,
        siting_dir,
        siting,
        scenario_file,
        report,
        plans,
        index,
    })
}

/// The demo's years for a plan: the mid-term (2023) and the latest year (2024), those within
/// the plan's period (a plan that starts in 2024 gets its first annual monitoring only).
fn demo_years(plan: &hsplan_plan::Plan) -> Vec<(i64, Mode)> {
    let [start, end] = *plan.data.plan.period.get_ref();
    [(2023, Mode::Midterm), (2024, Mode::Annual)]
        .into_iter()
        .filter(|(y, _)| (i64::from(start)..=i64::from(end)).contains(y))
        .collect()
}

/// Evaluates one seed plan for its jurisdiction in the demo's years, with the standards
/// checked, and writes its report to `reports/<plan id>.html`.
fn evaluate_plan(
    sys: &ServiceSystem,
    plan: &'static hsplan_plan::Plan,
    reports: &Path,
    lang: Lang,
) -> Result<PlanRun> {
    let unit = AdminCode::parse(plan.data.plan.jurisdiction.get_ref()).map_err(|e| {
        AppError::Store(format!(
            "plan {}: jurisdiction: {e}",
            plan.data.plan.id.get_ref()
        ))
    })?;
    let standards = crate::catalog::standards();
    let mut evaluations = Vec::new();
    let mut sections = Vec::new();
    for (year, mode) in demo_years(plan) {
        let y = Year::new(year).expect("year");
        evaluations.push((mode, hsplan_eval::report::evaluate(sys, plan, unit, y)));
        let check = hsplan_standards::check(sys, standards, y, Some(unit));
        sections.push(crate::standards::section(standards, &check, lang));
    }
    let parts: Vec<hsplan_report::html::Part> = evaluations
        .iter()
        .zip(&sections)
        .map(|((mode, e), s)| hsplan_report::html::Part {
            mode: *mode,
            evaluation: e,
            standards: Some(s),
            access: None,
        })
        .collect();
    let report = reports.join(format!("{}.html", plan.data.plan.id.get_ref()));
    let html = crate::evaluation::html_report(sys, unit, &parts, lang);
    std::fs::write(&report, html).map_err(|e| file_error(&report, "cannot write", e))?;
    Ok(PlanRun {
        plan: plan.data.plan.id.get_ref().clone(),
        unit,
        evaluations,
        coverage: crate::targets::coverage(plan),
        report,
    })
}
