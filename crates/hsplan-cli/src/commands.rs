//! Command handlers: each opens the store, calls the libraries, prints a summary.

use crate::messages::{Lang, Msg, fill, label, pad};
use crate::{BuiltinAdmin, ExportWhat, ImportWhat};
use anyhow::{Context, Result, bail};
use hsplan_model::AdminLevel;
use hsplan_store::{ImportBatch, ImportSummary, SqliteStore, Store, StoreCounts};
use std::path::Path;
use std::time::Instant;

/// Opens the store `--db` names for writing: an SQLite file, or a `postgres://` URL.
pub fn open(db: &Path) -> Result<Box<dyn Store>> {
    open_as(db, false)
}

/// Opens the store for reading: an SQLite file is opened read-only (it is not changed, a
/// writer does not block it, and a read-only file can be read).
pub fn open_read(db: &Path) -> Result<Box<dyn Store>> {
    open_as(db, true)
}

fn open_as(db: &Path, read_only: bool) -> Result<Box<dyn Store>> {
    let location = hsplan_app::StoreLocation::from(db);
    let name = location.display();
    Ok(match location {
        hsplan_app::StoreLocation::Sqlite(p) => Box::new(
            if read_only {
                SqliteStore::open_read_only(&p)
            } else {
                SqliteStore::open(&p)
            }
            .with_context(|| format!("opening store {name}"))?,
        ),
        hsplan_app::StoreLocation::Postgres(url) => Box::new(
            hsplan_store::PgStore::open(&url).with_context(|| format!("opening store {name}"))?,
        ),
    })
}

/// Parses the file(s) into a batch; nothing touches the store until parsing succeeded.
fn batch_for(what: &ImportWhat) -> Result<ImportBatch> {
    use hsplan_app::data::{UploadKind, parse_upload_with};
    let (kind, file, code_property) = match what {
        ImportWhat::Units {
            builtin: Some(which),
            ..
        } => {
            return Ok(ImportBatch {
                units: match which {
                    BuiltinAdmin::Chongqing => hsplan_io::nbs::chongqing_hierarchy()?,
                    BuiltinAdmin::Leshan => hsplan_io::nbs::leshan_hierarchy()?,
                },
                ..ImportBatch::default()
            });
        }
        ImportWhat::Units {
            file: Some(file), ..
        } => (UploadKind::Units, file, None),
        ImportWhat::Units { .. } => bail!("give a FILE or --builtin chongqing"),
        ImportWhat::Demo => return Ok(hsplan_app::demo::batch()?),
        ImportWhat::Population { file } => (UploadKind::Population, file, None),
        ImportWhat::Facilities { file } => (UploadKind::Facilities, file, None),
        ImportWhat::Resources { file } => (UploadKind::Resources, file, None),
        ImportWhat::Geojson {
            file,
            code_property,
        } => (UploadKind::Geojson, file, code_property.as_deref()),
        ImportWhat::Fhir { .. } => {
            bail!("FHIR Bundles are read beside the store's units: see import")
        }
        ImportWhat::Dhis2 { .. } => {
            bail!("DHIS2 data values are merged with the store: see import")
        }
        ImportWhat::Dhis2Metadata { .. } => {
            bail!("DHIS2 metadata is read beside the store's units: see import")
        }
    };
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    Ok(parse_upload_with(
        kind,
        &file.display().to_string(),
        &bytes,
        code_property,
        // tables and GeoJSON name their units by code: nothing of the store is needed
        &hsplan_model::ServiceSystem::default(),
    )?)
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
    if let ImportWhat::Fhir { file } = &what {
        let bytes =
            std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
        let mut store = open(db)?;
        let sys = store.load()?;
        let (batch, reading) =
            hsplan_app::interop::fhir_read(&sys, &file.display().to_string(), &bytes)?;
        print_fhir_reading(&reading, lang);
        print_assigned_tops(&batch, lang);
        let summary = store.import(&batch)?;
        print_summary(&summary, lang);
        return Ok(());
    }
    if let ImportWhat::Dhis2 {
        file,
        mapping,
        dhis2,
        year,
        org_unit,
    } = &what
    {
        let mapping = read_mapping(mapping)?;
        let mut store = open(db)?;
        let sys = store.load()?;
        let (batch, reading) = match (file, dhis2) {
            (Some(file), _) => {
                let bytes = std::fs::read(file)
                    .with_context(|| format!("{}: cannot read", file.display()))?;
                hsplan_app::interop::dhis2_import(
                    &sys,
                    &mapping,
                    &file.display().to_string(),
                    &bytes,
                )?
            }
            (None, Some(url)) => {
                let (Some(year), Some(org_unit)) = (year, org_unit) else {
                    bail!("--dhis2 needs --year and --org-unit");
                };
                hsplan_app::interop::dhis2_pull(
                    &dhis2_server(url)?,
                    &sys,
                    &mapping,
                    *year,
                    org_unit,
                )?
            }
            (None, None) => bail!("give a FILE or --dhis2 URL"),
        };
        println!(
            "{}",
            fill(
                Msg::Dhis2Read.text(lang),
                &[
                    ("values", &reading.values),
                    ("imported", &reading.imported),
                    ("deleted", &reading.deleted),
                    ("computed", &reading.computed)
                ]
            )
        );
        if !reading.unmapped.is_empty() {
            let list: Vec<String> = reading
                .unmapped
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            println!("{}: {}", Msg::Dhis2Unmapped.text(lang), list.join(" · "));
        }
        let summary = store.import(&batch)?;
        print_summary(&summary, lang);
        return Ok(());
    }
    if let ImportWhat::Dhis2Metadata {
        file,
        mapping,
        dhis2,
    } = &what
    {
        let mapping = mapping.as_deref().map(read_mapping).transpose()?;
        let mut store = open(db)?;
        let sys = store.load()?;
        let (batch, _) = match (file, dhis2) {
            (Some(file), _) => {
                let bytes = std::fs::read(file)
                    .with_context(|| format!("{}: cannot read", file.display()))?;
                hsplan_app::interop::dhis2_metadata_read(
                    &sys,
                    &file.display().to_string(),
                    &bytes,
                    mapping.as_ref(),
                )?
            }
            (None, Some(url)) => hsplan_app::interop::dhis2_metadata_pull(
                &dhis2_server(url)?,
                &sys,
                mapping.as_ref(),
            )?,
            (None, None) => bail!("give a FILE or --dhis2 URL"),
        };
        print_assigned_tops(&batch, lang);
        let summary = store.import(&batch)?;
        print_summary(&summary, lang);
        return Ok(());
    }
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

/// The top units of a hierarchy that is not NBS-coded, with the codes hsplan gave them
/// (`--unit` and plans' `jurisdiction` take these codes, or the source's ids).
fn print_assigned_tops(batch: &ImportBatch, lang: Lang) {
    let assigned: Vec<&hsplan_model::AdminUnit> = batch
        .units
        .iter()
        .map(|u| &u.value)
        .filter(|u| !u.code.is_nbs())
        .collect();
    let Some(top) = assigned.iter().map(|u| u.level()).min() else {
        return;
    };
    for u in assigned.iter().filter(|u| u.level() == top) {
        println!(
            "{}: {} {} ({})",
            Msg::AssignedCode.text(lang),
            u.code,
            u.name,
            u.source_id.as_deref().unwrap_or("")
        );
    }
}

/// What a FHIR Bundle held besides the units and facilities imported.
fn print_fhir_reading(r: &hsplan_app::interop::FhirReading, lang: Lang) {
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    println!("{}: {}", Msg::FhirResources.text(lang), list(&r.resources));
    if !r.ignored_resources.is_empty() {
        println!(
            "{}: {}",
            Msg::FhirIgnoredResources.text(lang),
            list(&r.ignored_resources)
        );
    }
    if !r.ignored_extensions.is_empty() {
        println!(
            "{}: {}",
            Msg::FhirIgnoredExtensions.text(lang),
            list(&r.ignored_extensions)
        );
    }
    if !r.defaults.is_empty() {
        println!("{}: {}", Msg::FhirDefaults.text(lang), list(&r.defaults));
    }
    if r.facilities_with_services > 0 {
        println!(
            "{}",
            fill(
                Msg::FhirServices.text(lang),
                &[("n", &r.facilities_with_services)]
            )
        );
    }
}

/// Options of `hsplan export` that only some kinds take.
pub struct ExportOptions<'a> {
    /// fhir, dhis2: a subtree.
    pub unit: Option<&'a str>,
    /// fhir, dhis2: the year.
    pub year: Option<i64>,
    /// dhis2: the mapping file.
    pub mapping: Option<&'a Path>,
    /// dhis2, dhis2-metadata: a DHIS2 server to send to instead of a file.
    pub dhis2: Option<&'a str>,
}

/// The DHIS2 server at `url`, signed in with the credentials of the environment.
fn dhis2_server(url: &str) -> Result<hsplan_io::dhis2_api::Dhis2Server> {
    let credentials = hsplan_io::dhis2_api::Credentials::from_env(|k| std::env::var(k).ok());
    Ok(hsplan_io::dhis2_api::Dhis2Server::new(url, credentials)?)
}

/// What a DHIS2 server said about what it was sent.
fn print_dhis2_count(c: &hsplan_io::dhis2_api::ImportCount, lang: Lang) -> Result<()> {
    println!(
        "{}",
        fill(
            Msg::Dhis2Sent.text(lang),
            &[
                ("status", &c.status),
                ("imported", &c.imported),
                ("updated", &c.updated),
                ("ignored", &c.ignored),
                ("deleted", &c.deleted)
            ]
        )
    );
    for (object, what) in c.conflicts.iter().take(20) {
        println!("  {object}: {what}");
    }
    if c.conflicts.len() > 20 {
        println!("  … +{}", c.conflicts.len() - 20);
    }
    if c.status.eq_ignore_ascii_case("ERROR") {
        bail!("{}", Msg::Dhis2Refused.text(lang));
    }
    Ok(())
}

fn read_mapping(path: &Path) -> Result<hsplan_io::dhis2::Mapping> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(hsplan_app::interop::dhis2_mapping(
        &path.display().to_string(),
        &text,
    )?)
}

pub fn export(
    db: &Path,
    what: ExportWhat,
    out: Option<&Path>,
    options: ExportOptions<'_>,
    lang: Lang,
) -> Result<()> {
    use hsplan_app::data::{ExportFormat, UploadKind};
    let ExportOptions {
        unit,
        year,
        mapping,
        dhis2,
    } = options;
    if let Some(url) = dhis2 {
        return export_to_dhis2(db, what, url, unit, year, mapping, lang);
    }
    let Some(out) = out else {
        bail!("give --out FILE");
    };
    if unit.is_some()
        && !matches!(
            what,
            ExportWhat::Fhir | ExportWhat::Dhis2 | ExportWhat::Dhis2Metadata
        )
    {
        bail!("--unit applies to `export fhir`, `dhis2` and `dhis2-metadata` only");
    }
    if year.is_some() && !matches!(what, ExportWhat::Fhir | ExportWhat::Dhis2) {
        bail!("--year applies to `export fhir` and `export dhis2` only");
    }
    if let ExportWhat::Dhis2Metadata = what {
        let sys = open_read(db)?.load()?;
        let d = hsplan_app::interop::dhis2_metadata_export(&sys, unit)?;
        std::fs::write(out, &d.bytes)
            .with_context(|| format!("{}: cannot write", out.display()))?;
        println!("{}: {}", Msg::Exported.text(lang), out.display());
        return Ok(());
    }
    if mapping.is_some() != matches!(what, ExportWhat::Dhis2) {
        bail!("`export dhis2` needs --mapping FILE; the other kinds take none");
    }
    if let (ExportWhat::Dhis2, Some(mapping)) = (what, mapping) {
        let Some(year) = year else {
            bail!("`export dhis2` needs --year YYYY")
        };
        let csv = match out.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => true,
            Some(e) if e.eq_ignore_ascii_case("json") => false,
            _ => bail!("{}: expected a .json or .csv file", out.display()),
        };
        let mapping = read_mapping(mapping)?;
        let ws = hsplan_app::Workspace::open_at(&hsplan_app::StoreLocation::from(db))?;
        let snapshot = ws.snapshot();
        let d = hsplan_app::interop::dhis2_export(
            &ws.plans(),
            &snapshot.sys,
            &mapping,
            year,
            unit,
            csv,
        )?;
        std::fs::write(out, &d.bytes)
            .with_context(|| format!("{}: cannot write", out.display()))?;
        println!("{}: {}", Msg::Exported.text(lang), out.display());
        return Ok(());
    }
    if let ExportWhat::Fhir = what {
        let sys = open_read(db)?.load()?;
        let download = hsplan_app::interop::fhir_export(&sys, unit, year)?;
        std::fs::write(out, &download.bytes)
            .with_context(|| format!("{}: cannot write", out.display()))?;
        println!("{}: {}", Msg::Exported.text(lang), out.display());
        return Ok(());
    }
    let kind = match what {
        ExportWhat::Units => UploadKind::Units,
        ExportWhat::Population => UploadKind::Population,
        ExportWhat::Facilities => UploadKind::Facilities,
        ExportWhat::Resources => UploadKind::Resources,
        ExportWhat::Geojson | ExportWhat::Fhir | ExportWhat::Dhis2 | ExportWhat::Dhis2Metadata => {
            UploadKind::Geojson
        }
    };
    let format = match hsplan_io::TableFormat::from_path(out) {
        _ if kind == UploadKind::Geojson => ExportFormat::Csv,
        Ok(hsplan_io::TableFormat::Xlsx) => ExportFormat::Xlsx,
        Ok(hsplan_io::TableFormat::Csv) => ExportFormat::Csv,
        Err(e) => return Err(e.into()),
    };
    let sys = open_read(db)?.load()?;
    let download = hsplan_app::data::export(&sys, kind, format)?;
    std::fs::write(out, &download.bytes)
        .with_context(|| format!("{}: cannot write", out.display()))?;
    match kind {
        UploadKind::Geojson => println!("{}: {}", Msg::Exported.text(lang), out.display()),
        _ => println!(
            "{}: {} ({} rows)",
            Msg::Exported.text(lang),
            out.display(),
            hsplan_app::data::rows(&sys, kind)
        ),
    }
    Ok(())
}

/// `export dhis2|dhis2-metadata --dhis2 URL`: sent to the server, its summary printed.
fn export_to_dhis2(
    db: &Path,
    what: ExportWhat,
    url: &str,
    unit: Option<&str>,
    year: Option<i64>,
    mapping: Option<&Path>,
    lang: Lang,
) -> Result<()> {
    let server = dhis2_server(url)?;
    match what {
        ExportWhat::Dhis2Metadata => {
            let sys = open_read(db)?.load()?;
            let count = hsplan_app::interop::dhis2_metadata_push(&server, &sys, unit)?;
            print_dhis2_count(&count, lang)
        }
        ExportWhat::Dhis2 => {
            let (Some(mapping), Some(year)) = (mapping, year) else {
                bail!("`export dhis2` needs --mapping FILE and --year YYYY");
            };
            let mapping = read_mapping(mapping)?;
            let ws = hsplan_app::Workspace::open_at(&hsplan_app::StoreLocation::from(db))?;
            let snapshot = ws.snapshot();
            let count = hsplan_app::interop::dhis2_push(
                &server,
                &ws.plans(),
                &snapshot.sys,
                &mapping,
                year,
                unit,
            )?;
            print_dhis2_count(&count, lang)
        }
        _ => bail!("--dhis2 applies to `export dhis2` and `export dhis2-metadata` only"),
    }
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
    // units of hierarchies without NBS codes, by their source's level names
    for ((level, name), n) in &counts.source_levels {
        let shown = if name.is_empty() {
            format!("{}*", level_name(*level, lang))
        } else {
            format!("{name}*")
        };
        println!("{}{:>8}", pad(&shown, 20), n);
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
    let store = open_read(db)?;
    println!("{}: {}", Msg::StoreAt.text(lang), db.display());
    print_counts(&store.counts()?, lang);
    Ok(())
}

/// The demo: a fresh store with the real Chongqing and Leshan hierarchies and the synthetic
/// registries (2020–2024), then the Beibei plan evaluated for the mid-term (2023) and the
/// latest year (2024), written to `out/evaluation-YEAR.json`, and every other seed plan
/// evaluated for its jurisdiction with a report each and an index page; printed here.
pub fn demo(out: &Path, lang: Lang) -> Result<()> {
    let start = Instant::now();
    let run = hsplan_app::demo::run(out, lang)?;
    println!("{}", Msg::DemoTitle.text(lang));
    println!("{}", Msg::DemoSynthetic.text(lang));
    for note in run.notes.iter().chain(&run.faults) {
        println!("  * {}", lang.pick(&note.zh, &note.en));
    }
    let standards = hsplan_app::catalog::standards();
    for y in &run.years {
        println!();
        println!("{} · {}", y.evaluation.year, y.mode.msg().text(lang));
        crate::evaluate_cmd::print(&y.evaluation, lang);
        println!();
        crate::standards_cmd::print(standards, &y.standards, lang);
        println!();
        crate::quality_cmd::print(&y.evaluation.quality, lang, true, 2);
        println!("{}: {}", Msg::Exported.text(lang), y.json.display());
        println!();
        println!("{}", Msg::SecAccess.text(lang));
        for (name, pop, shares, standard) in &y.access.rows {
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
    }
    println!();
    println!(
        "{}",
        fill(
            Msg::DemoSiting.text(lang),
            &[("dir", &run.siting_dir.display())]
        )
    );
    crate::site_cmd::print_scenario(&run.siting.scenario, lang);
    println!(
        "{}",
        fill(
            Msg::SiteSaved.text(lang),
            &[("out", &run.scenario_file.display())]
        )
    );
    println!();
    println!(
        "{}",
        fill(
            if run.records_generated {
                Msg::DemoRecordsGenerated
            } else {
                Msg::DemoRecordsReused
            }
            .text(lang),
            &[("dir", &run.records.dir.display())]
        )
    );
    crate::records_cmd::print_report(&run.records, lang);
    crate::records_cmd::print_indicators(&run.records.indicators, lang);
    println!();
    println!("{}", Msg::DemoPlansTitle.text(lang));
    for p in &run.plans {
        let Some((_, first)) = p.evaluations.first() else {
            continue;
        };
        println!(
            "  {} ({} {})",
            lang.pick(&first.title_zh, &first.title_en),
            first.unit_name,
            first.unit
        );
        println!(
            "    {}",
            fill(
                Msg::IndexTargets.text(lang),
                &[
                    ("evaluated", &p.coverage.evaluated),
                    ("records", &p.coverage.waits_for_records),
                    ("other", &p.coverage.not_computable),
                ]
            )
        );
        for (mode, e) in &p.evaluations {
            let counts: Vec<String> = e
                .status_counts
                .iter()
                .map(|(s, n)| format!("{} {n}", lang.pick(s.zh(), s.en())))
                .collect();
            println!(
                "    {} · {}: {}",
                e.year,
                mode.msg().text(lang),
                counts.join(" · ")
            );
        }
        println!("    {}", p.report.display());
    }
    println!();
    println!("{}: {}", Msg::ReportAt.text(lang), run.report.display());
    println!("{}: {}", Msg::DemoIndexAt.text(lang), run.index.display());
    println!("{}: {}", Msg::StoreAt.text(lang), run.db.display());
    println!(
        "{}: {:.2} s",
        Msg::Elapsed.text(lang),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The server configuration for the demo folder.
pub fn demo_server(out: &Path, addr: std::net::SocketAddr) -> hsplan_server::Config {
    hsplan_server::Config {
        db: hsplan_app::StoreLocation::Sqlite(out.join("demo.db")),
        trust_proxy: false,
        secure_cookies: false,
        addr,
        siting_inputs: Some(out.join("siting")),
        scenarios: None,
        home_unit: Some(hsplan_app::demo::DISTRICT.into()),
        home_plan: Some(hsplan_app::demo::PLAN.into()),
        cache: true,
    }
}

/// Serves the web app until Ctrl-C, printing its address.
pub fn serve(config: hsplan_server::Config, lang: Lang) -> Result<()> {
    let db = config.db.clone();
    hsplan_server::run(config, |addr| {
        println!(
            "{}",
            fill(
                Msg::ServeAt.text(lang),
                &[("url", &format!("http://{addr}/")), ("db", &db.display())]
            )
        );
    })
    .with_context(|| format!("serving {}", db.display()))
}
