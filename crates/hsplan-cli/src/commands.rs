//! Command handlers: each opens the store, calls the libraries, prints a summary.

use crate::messages::{Lang, Mode, Msg, fill, label, pad};
use crate::{BuiltinAdmin, ExportWhat, ImportWhat};
use anyhow::{Context, Result, bail};
use hsplan_io::{TableKind, read_table, tables, write_table};
use hsplan_model::{AdminCode, AdminLevel, Origin, Sourced};
use hsplan_store::{ImportBatch, ImportSummary, SqliteStore, Store, StoreCounts};
use std::path::Path;
use std::time::Instant;

fn open(db: &Path) -> Result<SqliteStore> {
    SqliteStore::open(db).with_context(|| format!("opening store {}", db.display()))
}

/// Parses the file(s) into a batch; nothing touches the store until parsing succeeded.
fn batch_for(what: &ImportWhat) -> Result<ImportBatch> {
    let mut batch = ImportBatch::default();
    match what {
        ImportWhat::Units {
            builtin: Some(BuiltinAdmin::Chongqing),
            ..
        } => batch.units = hsplan_io::nbs::chongqing_hierarchy()?,
        ImportWhat::Units {
            file: Some(file), ..
        } => batch.units = tables::units_from_table(&read_table(file, "units")?)?,
        ImportWhat::Units { .. } => bail!("give a FILE or --builtin chongqing"),
        ImportWhat::Population { file } => {
            batch.population = tables::population_from_table(&read_table(file, "population")?)?
        }
        ImportWhat::Facilities { file } => {
            batch.facilities = tables::facilities_from_table(&read_table(file, "facilities")?)?
        }
        ImportWhat::Resources { file } => {
            batch.facility_years = tables::resources_from_table(&read_table(file, "resources")?)?
        }
        ImportWhat::Geojson {
            file,
            code_property,
        } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("{}: cannot read", file.display()))?;
            batch.geometries = hsplan_io::geojson::unit_geometries_from_str(
                &file.display().to_string(),
                &text,
                code_property.as_deref(),
            )?;
        }
    }
    Ok(batch)
}

fn print_summary(s: &ImportSummary, lang: Lang) {
    let parts = [
        (s.units, Msg::Units),
        (s.geometries, Msg::Geometries),
        (s.population, Msg::Population),
        (s.facilities, Msg::Facilities),
        (s.facility_years, Msg::FacilityYears),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, m)| format!("{n} {}", m.text(lang)))
        .collect();
    let text = if text.is_empty() {
        "0".to_string()
    } else {
        text.join(", ")
    };
    println!("{}: {text}", Msg::Imported.text(lang));
}

pub fn import(db: &Path, what: ImportWhat, lang: Lang) -> Result<()> {
    let start = Instant::now();
    let batch = batch_for(&what)?;
    let mut store = open(db)?;
    let summary = store.import(&batch)?;
    print_summary(&summary, lang);
    println!(
        "{}: {:.3} s",
        Msg::Elapsed.text(lang),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn export(db: &Path, what: ExportWhat, out: &Path, lang: Lang) -> Result<()> {
    let store = open(db)?;
    let sys = store.load()?;
    let kind = match what {
        ExportWhat::Geojson => {
            let doc = hsplan_io::geojson::units_to_geojson(sys.units.values());
            std::fs::write(out, serde_json::to_string_pretty(&doc)?)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            println!("{}: {}", Msg::Exported.text(lang), out.display());
            return Ok(());
        }
        ExportWhat::Units => TableKind::Units,
        ExportWhat::Population => TableKind::Population,
        ExportWhat::Facilities => TableKind::Facilities,
        ExportWhat::Resources => TableKind::Resources,
    };
    let table = match kind {
        TableKind::Units => tables::units_to_table(sys.units.values()),
        TableKind::Population => tables::population_to_table(sys.population.values()),
        TableKind::Facilities => tables::facilities_to_table(sys.facilities.values()),
        TableKind::Resources => tables::resources_to_table(sys.facility_years.values()),
    };
    write_table(out, &kind.schema(), &table)?;
    println!(
        "{}: {} ({} rows)",
        Msg::Exported.text(lang),
        out.display(),
        table.rows.len()
    );
    Ok(())
}

fn level_name(level: AdminLevel, lang: Lang) -> &'static str {
    label(level.label(), lang)
}

fn print_counts(counts: &StoreCounts, lang: Lang) {
    println!(
        "{}{:>8}",
        pad(Msg::Level.text(lang), 20),
        Msg::Count.text(lang)
    );
    for (level, n) in &counts.units_by_level {
        println!("{}{:>8}", pad(level_name(*level, lang), 20), n);
    }
    println!("{}: {}", Msg::Population.text(lang), counts.population);
    println!("{}: {}", Msg::Facilities.text(lang), counts.facilities);
    println!(
        "{}: {}",
        Msg::FacilityYears.text(lang),
        counts.facility_years
    );
}

pub fn status(db: &Path, lang: Lang) -> Result<()> {
    let store = open(db)?;
    println!("{}: {}", Msg::StoreAt.text(lang), db.display());
    print_counts(&store.counts()?, lang);
    Ok(())
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
fn demo_notes(conflicts: &[hsplan_synth::Note]) -> Vec<hsplan_model::DatasetNote> {
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
    notes.extend(conflicts.iter().map(|n| DatasetNote {
        kind: NoteKind::Remark,
        zh: n.zh.clone(),
        en: n.en.clone(),
    }));
    notes
}

/// The demo's access inputs for a year: the SYNTHETIC grid road network over the schematic
/// map, villages/communities as demand points (unit: their town/street code), and the open
/// hospitals and community/township health centres.
fn demo_access_inputs(
    sys: &hsplan_model::ServiceSystem,
    district: AdminCode,
    year: hsplan_model::Year,
) -> (
    hsplan_access::graph::Graph,
    Vec<hsplan_access::analysis::DemandPoint>,
    Vec<hsplan_access::analysis::SupplyPoint>,
) {
    use hsplan_access::analysis::{DemandPoint, SupplyPoint};
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
fn demo_access(
    sys: &hsplan_model::ServiceSystem,
    district: AdminCode,
    year: hsplan_model::Year,
    lang: Lang,
) -> hsplan_report::html::AccessSection {
    use hsplan_access::analysis::{CoverageOptions, Direction, coverage};
    let (graph, mut demand, facilities) = demo_access_inputs(sys, district, year);
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
    hsplan_report::html::AccessSection {
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

/// Writes the demo's access inputs (SYNTHETIC road grid, villages with residents and town
/// codes, hospitals and primary-care centres) for `hsplan site` and `hsplan access`.
fn write_siting_inputs(
    dir: &Path,
    sys: &hsplan_model::ServiceSystem,
    district: AdminCode,
    year: hsplan_model::Year,
) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    let (graph, demand, facilities) = demo_access_inputs(sys, district, year);
    let roads = dir.join("roads.hsg");
    std::fs::write(&roads, graph.to_bytes())
        .with_context(|| format!("{}: cannot write", roads.display()))?;
    let mut w = csv::Writer::from_path(dir.join("demand.csv"))?;
    w.write_record([
        "id",
        "lon",
        "lat",
        "population",
        "unit",
        "unit_name",
        "urban_rural",
    ])?;
    for d in &demand {
        let name = AdminCode::parse(&d.unit)
            .ok()
            .and_then(|c| sys.units.get(&c))
            .map(|u| u.name.clone())
            .unwrap_or_default();
        w.write_record([
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
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(dir.join("facilities.csv"))?;
    w.write_record(["id", "kind", "lon", "lat", "capacity"])?;
    for f in &facilities {
        w.write_record([
            f.id.clone(),
            f.kind.clone(),
            format!("{:.7}", f.lon),
            format!("{:.7}", f.lat),
            "1".into(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The seed plans' allocation standards, compiled in for the demo.
const SEED_STANDARDS: &str = include_str!("../../../data/standards/seeds.toml");

/// The encoded Beibei plan, compiled in so the demo runs from anywhere.
const BEIBEI_PLAN: &str = include_str!("../../../data/plans/beibei.toml");

/// The demo: a fresh store with the real Chongqing hierarchy and the synthetic Beibei
/// registry (2020–2024), then the Beibei plan evaluated for the mid-term (2023) and the
/// latest year (2024), written to `out/evaluation-YEAR.json`.
pub fn demo(out: &Path, lang: Lang) -> Result<()> {
    let start = Instant::now();
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create directory", out.display()))?;
    let db = out.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = out.join(format!("demo.db{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("{}: cannot remove", p.display()))?;
        }
    }
    let units = hsplan_io::nbs::chongqing_hierarchy()?;
    let plain: Vec<_> = units.iter().map(|u| u.value.clone()).collect();
    let registry = hsplan_synth::beibei(&plain, 2020);
    let batch = ImportBatch {
        units,
        geometries: synthetic(registry.geometries),
        population: synthetic(registry.population),
        facilities: synthetic(registry.facilities),
        facility_years: synthetic(registry.facility_years),
        notes: demo_notes(&registry.notes),
    };
    let mut store = open(&db)?;
    store.import(&batch)?;
    let sys = store.load()?;
    let plan = hsplan_plan::load("data/plans/beibei.toml", BEIBEI_PLAN)?;
    let beibei = AdminCode::parse("500109").expect("valid code");
    println!("{}", Msg::DemoTitle.text(lang));
    println!("{}", Msg::DemoSynthetic.text(lang));
    for note in &registry.notes {
        println!("  * {}", lang.pick(&note.zh, &note.en));
    }
    let standards = hsplan_standards::load("data/standards/seeds.toml", SEED_STANDARDS)?;
    let mut evaluations = Vec::new();
    for (year, mode) in [(2023, Mode::Midterm), (2024, Mode::Annual)] {
        let y = hsplan_model::Year::new(year).expect("year");
        println!();
        println!("{} · {}", year, mode.msg().text(lang));
        let evaluation = hsplan_eval::report::evaluate(&sys, &plan, beibei, y);
        crate::evaluate_cmd::print(&evaluation, lang);
        let check = crate::standards_cmd::run_on(&sys, &standards, y, Some(beibei));
        println!();
        crate::standards_cmd::print(&standards, &check, lang);
        let section = crate::standards_cmd::section(&standards, &check, lang);
        let json = out.join(format!("evaluation-{year}.json"));
        let mut doc = serde_json::to_value(&evaluation)?;
        doc["synthetic_data"] = serde_json::Value::Bool(true);
        std::fs::write(&json, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("{}: cannot write", json.display()))?;
        println!("{}: {}", Msg::Exported.text(lang), json.display());
        let access = demo_access(&sys, beibei, y, lang);
        println!();
        println!("{}", Msg::SecAccess.text(lang));
        for (name, pop, shares, standard) in &access.rows {
            println!(
                "  {} {:>8.0}  {}  {}",
                pad(name, 16),
                pop,
                shares
                    .iter()
                    .map(|s| format!("{s:>5.1}%"))
                    .collect::<Vec<_>>()
                    .join(" "),
                standard.map(|s| format!("{s:.1}%")).unwrap_or_default()
            );
        }
        evaluations.push((mode, evaluation, section, access));
    }
    // Siting on the latest year: the inputs as files, then one scenario.
    let siting = out.join("siting");
    write_siting_inputs(
        &siting,
        &sys,
        beibei,
        hsplan_model::Year::new(2024).expect("year"),
    )?;
    println!();
    println!(
        "{}",
        fill(Msg::DemoSiting.text(lang), &[("dir", &siting.display())])
    );
    crate::site_cmd::solve(
        hsplan_siting::Model::Mclp,
        &crate::site_cmd::demo_args(&siting, 3, 10.0, 1000.0),
        lang,
    )?;
    let parts: Vec<hsplan_report::html::Part> = evaluations
        .iter()
        .map(|(mode, e, s, a)| hsplan_report::html::Part {
            mode: *mode,
            evaluation: e,
            standards: Some(s),
            access: Some(a),
        })
        .collect();
    let report = out.join("report.html");
    crate::evaluate_cmd::write_html(&report, &sys, beibei, &parts, lang)?;
    println!();
    println!("{}: {}", Msg::ReportAt.text(lang), report.display());
    println!("{}: {}", Msg::StoreAt.text(lang), db.display());
    println!(
        "{}: {:.2} s",
        Msg::Elapsed.text(lang),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
