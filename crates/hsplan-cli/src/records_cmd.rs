//! `hsplan records generate|import|indicators`: record-level data (visits, referrals,
//! family-doctor contracts, chronic-disease management, health records).

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result};
use hsplan_app::records::{RecordsReport, RecordsRequest};
use hsplan_eval::report::UtilisationRow;
use hsplan_report::html::format_number;
use std::path::{Path, PathBuf};

/// What to do with records.
#[derive(Debug, clap::Subcommand)]
pub enum RecordsWhat {
    /// Write SYNTHETIC record tables (Parquet) for a unit and year, consistent with the
    /// store's facility-year totals.
    Generate {
        /// Unit whose residents and facilities the records cover.
        #[arg(long)]
        unit: String,
        /// Year.
        #[arg(long)]
        year: i64,
        /// Seed of the generator.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Fraction of the real volume (1: every visit of the year).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Folder to write the tables into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Count a folder of records and store the totals for the unit and year (replacing
    /// what was stored for them; all or nothing).
    Import(CountArgs),
    /// The utilisation indicators: counted from a folder of records (the store is not
    /// changed), or as stored when no folder is given.
    Indicators {
        #[command(flatten)]
        count: OptionalDir,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// With a folder: write every indicator of every unit of the subtree (down to the
        /// villages) to this CSV file.
        #[arg(long, requires = "dir")]
        out: Option<PathBuf>,
    },
}

/// A folder of records and how to count it.
#[derive(Debug, clap::Args)]
pub struct CountArgs {
    /// Folder of record tables (encounters, referrals, contracts, chronic_disease,
    /// health_records as .parquet, .csv or folders of .parquet files).
    dir: PathBuf,
    #[command(flatten)]
    options: CountOptions,
}

/// The same with the folder optional.
#[derive(Debug, clap::Args)]
pub struct OptionalDir {
    /// Folder of record tables (without: the totals in the store).
    dir: Option<PathBuf>,
    #[command(flatten)]
    options: CountOptions,
}

/// Unit, year and checking options.
#[derive(Debug, clap::Args)]
pub struct CountOptions {
    /// Unit the records cover completely (its residents and facilities).
    #[arg(long)]
    unit: String,
    /// Year the records cover.
    #[arg(long)]
    year: i64,
    /// Count refused records per reason (written to rejected.csv beside the records)
    /// instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,
    /// Threads of the query engine (0: every core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Run the queries on Apache Ballista: a scheduler's df://host:port (its executors must
    /// read the record files by the same paths), or `standalone` for a scheduler and an
    /// executor in this process. Without: DataFusion in this process.
    #[arg(long, value_name = "df://HOST:PORT|standalone")]
    cluster: Option<String>,
}

fn request(dir: &Path, o: &CountOptions) -> Result<RecordsRequest> {
    let (unit, year) = hsplan_app::records::parse_unit_year(&o.unit, o.year)?;
    Ok(RecordsRequest {
        dir: dir.to_path_buf(),
        unit,
        year,
        skip_invalid: o.skip_invalid,
        threads: o.threads,
        engine: match &o.cluster {
            Some(c) => hsplan_app::records::parse_engine(c)?,
            None => hsplan_app::records::Engine::Embedded,
        },
    })
}

fn workspace(db: &Path) -> Result<hsplan_app::Workspace> {
    hsplan_app::Workspace::open_at(&hsplan_app::StoreLocation::from(db))
        .with_context(|| format!("opening store {}", db.display()))
}

/// `hsplan records …`.
pub fn run(db: &Path, what: RecordsWhat, lang: Lang) -> Result<()> {
    match what {
        RecordsWhat::Generate {
            unit,
            year,
            seed,
            scale,
            out,
        } => {
            let ws = workspace(db)?;
            let (unit, year) = hsplan_app::records::parse_unit_year(&unit, year)?;
            let start = std::time::Instant::now();
            let generated = hsplan_app::records::generate(
                &ws.snapshot().sys,
                &hsplan_app::records::GenerateRequest {
                    unit,
                    year,
                    seed,
                    scale,
                    out: out.clone(),
                },
            )?;
            println!("{}", Msg::RecordsSynthetic.text(lang));
            for (table, rows) in &generated.rows {
                println!("  {} {rows}", pad(table.name(), 18));
            }
            println!(
                "{}",
                fill(
                    Msg::RecordsWritten.text(lang),
                    &[
                        ("dir", &out.display()),
                        ("seconds", &format!("{:.1}", start.elapsed().as_secs_f64()))
                    ]
                )
            );
            Ok(())
        }
        RecordsWhat::Import(args) => {
            let ws = workspace(db)?;
            let start = std::time::Instant::now();
            let report = hsplan_app::records::import(&ws, &request(&args.dir, &args.options)?)?;
            print_report(&report, lang);
            println!(
                "{}",
                fill(
                    Msg::RecordsStored.text(lang),
                    &[
                        ("unit", &report.unit),
                        ("year", &report.year.get()),
                        ("seconds", &format!("{:.1}", start.elapsed().as_secs_f64()))
                    ]
                )
            );
            Ok(())
        }
        RecordsWhat::Indicators { count, json, out } => {
            let ws = workspace(db)?;
            let snapshot = ws.snapshot();
            let rows = match &count.dir {
                Some(dir) => {
                    let req = request(dir, &count.options)?;
                    let report = hsplan_app::records::count(&snapshot.sys, &req)?;
                    if !json {
                        print_report(&report, lang);
                    }
                    if let Some(out) = &out {
                        let bytes =
                            hsplan_app::records::every_unit_csv(&snapshot.sys, &req, &report)?;
                        crate::evaluate_cmd::write_bytes(out, &bytes)?;
                    }
                    report.indicators
                }
                None => {
                    let (unit, year) = hsplan_app::records::parse_unit_year(
                        &count.options.unit,
                        count.options.year,
                    )?;
                    let rows = hsplan_app::records::indicators(&snapshot.sys, unit, year)?;
                    if rows.is_empty() && !json {
                        println!(
                            "{}",
                            fill(
                                Msg::RecordsNone.text(lang),
                                &[("unit", &unit), ("year", &year.get())]
                            )
                        );
                    }
                    rows
                }
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print_indicators(&rows, lang);
            }
            Ok(())
        }
    }
}

/// Rows read and refused per table.
pub fn print_report(r: &RecordsReport, lang: Lang) {
    if r.synthetic {
        println!("{}", Msg::RecordsSynthetic.text(lang));
    }
    for t in &r.tables {
        println!(
            "  {} {}",
            pad(t.table.name(), 18),
            fill(
                Msg::RecordsRows.text(lang),
                &[("rows", &t.rows), ("files", &t.files.len())]
            )
        );
        for (reason, n) in &t.refused {
            println!(
                "    {}",
                fill(
                    Msg::RecordsRefused.text(lang),
                    &[("n", n), ("reason", &lang.pick(reason.zh(), reason.en()))]
                )
            );
        }
    }
    if let Some(f) = &r.rejected_file {
        println!(
            "{}",
            fill(Msg::RecordsRejectedAt.text(lang), &[("file", &f.display())])
        );
    }
}

/// The utilisation indicators, one line each.
pub fn print_indicators(rows: &[UtilisationRow], lang: Lang) {
    for r in rows {
        let value = match r.value {
            Some(v) => format!("{} {}", format_number(v), r.unit),
            None => "—".into(),
        };
        let parts = match r.denominator {
            Some(d) => format!("{} / {}", format_number(r.numerator), format_number(d)),
            None => String::new(),
        };
        println!(
            "  {} {} {}",
            pad(lang.pick(&r.name_zh, &r.name_en), 40),
            pad(&value, 16),
            parts
        );
    }
}
