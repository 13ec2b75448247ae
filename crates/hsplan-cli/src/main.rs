//! # hsplan — the command line
//!
//! Thin handlers over the library crates: parse arguments, call one library
//! function, print. Errors surface through `anyhow` with the library's own
//! file/row/column messages; the exit code is non-zero on any failure.

mod access_cmd;
mod commands;
mod evaluate_cmd;
mod indicators_cmd;
mod ledger_cmd;
mod messages;
mod plan_cmd;
mod progress;
mod quality_cmd;
mod records_cmd;
mod site_cmd;
mod standards_cmd;
mod users_cmd;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use messages::Lang;
use std::path::PathBuf;

/// hsplan — regional health plans as a living, measurable model of the health service system.
#[derive(Parser, Debug)]
#[command(name = "hsplan", version, about)]
struct Cli {
    /// The store: an SQLite file (created when missing), or a PostgreSQL database as
    /// postgres://USER@HOST:PORT/DB (a shared server: accounts, approval, audit).
    #[arg(long, global = true, env = "HSPLAN_DB", default_value = "hsplan.db")]
    db: PathBuf,
    /// Output language.
    #[arg(long, global = true, value_enum, default_value = "zh-CN")]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import a file into the store (all or nothing).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export a table from the store to CSV/XLSX, geometries to GeoJSON, or the directory of
    /// units and facilities as a FHIR R4 Bundle (IHE mCSD).
    Export {
        /// What to export.
        #[arg(value_enum)]
        what: ExportWhat,
        /// Output file (.csv, .xlsx; .geojson for geometry; .json for fhir).
        #[arg(long, short, required_unless_present = "dhis2")]
        out: Option<PathBuf>,
        /// fhir, dhis2: only this unit (for fhir with its ancestors) and everything below it.
        #[arg(long)]
        unit: Option<String>,
        /// fhir: the year whose capabilities become HealthcareServices (default: the latest);
        /// dhis2: the year exported (required).
        #[arg(long)]
        year: Option<i64>,
        /// dhis2: the mapping file (TOML) between DHIS2 identifiers and hsplan's.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// dhis2, dhis2-metadata: send to this DHIS2 server's Web API instead of a file
        /// (credentials from HSPLAN_DHIS2_TOKEN, or HSPLAN_DHIS2_USER and
        /// HSPLAN_DHIS2_PASSWORD).
        #[arg(long, value_name = "URL", conflicts_with = "out")]
        dhis2: Option<String>,
    },
    /// Show what the store holds, units per level.
    Status,
    /// Plan files: check (schema + lint) and show.
    Plan {
        #[command(subcommand)]
        what: PlanWhat,
    },
    /// Project and task ledgers of plan files.
    Ledger {
        #[command(subcommand)]
        what: LedgerWhat,
    },
    /// Compute every library indicator for a unit and year from the store — or, with
    /// `--files DIR`, for every unit and year of a whole (national) system given as CSV or Parquet files.
    Indicators {
        /// Unit code (6–12 digits).
        #[arg(long, required_unless_present = "files")]
        unit: Option<String>,
        /// Year.
        #[arg(long, required_unless_present = "files")]
        year: Option<i64>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// A directory with units, facilities, resources and population as .csv or .parquet
        /// (see docs/data-format.md): read straight into columns and evaluated for every
        /// unit at every level and every year.
        #[arg(long, conflicts_with_all = ["unit", "year", "json"])]
        files: Option<PathBuf>,
        /// With --files: the output CSV (unit, year, one column per indicator).
        #[arg(long, requires = "files")]
        out: Option<PathBuf>,
        /// With --files: only these indicators (comma-separated ids; default all).
        #[arg(long, value_delimiter = ',', requires = "files")]
        only: Vec<String>,
        /// With --files: threads for reading and evaluating.
        #[arg(long, default_value_t = 2, requires = "files")]
        threads: usize,
    },
    /// Evaluate a plan's indicators for a year from the store.
    Evaluate(evaluate_cmd::EvaluateArgs),
    /// Travel time over road networks: graphs, coverage, E2SFCA, isochrones.
    Access {
        #[command(subcommand)]
        what: access_cmd::AccessWhat,
    },
    /// Where new facilities should go: LSCP, MCLP, p-median, p-center; scenarios.
    Site {
        #[command(subcommand)]
        what: site_cmd::SiteWhat,
    },
    /// Allocation and configuration standards.
    Standards {
        #[command(subcommand)]
        what: StandardsWhat,
    },
    /// Review the data's quality for a year: completeness, internal and external consistency,
    /// outliers; a score per unit.
    Quality(quality_cmd::QualityArgs),
    /// Record-level data (visits, referrals, family-doctor contracts, chronic-disease
    /// management, health records): generate, import, utilisation indicators.
    Records {
        #[command(subcommand)]
        what: records_cmd::RecordsWhat,
    },
    /// Run the built-in demo region (Beibei district).
    Demo {
        /// Directory for the demo store and outputs.
        #[arg(long, default_value = "hsplan-demo")]
        out: PathBuf,
        /// Then serve the demo store in the web app.
        #[arg(long)]
        serve: bool,
        /// Address to serve on (with --serve).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
    },
    /// Serve the web app and the HTTP API on a store.
    Serve(ServeArgs),
    /// Accounts on a shared (PostgreSQL) store: add, passwd, grant, revoke, list.
    User {
        #[command(subcommand)]
        what: users_cmd::UserWhat,
    },
    /// The audit log of a shared store: verify its hash chain, export it.
    Audit {
        #[command(subcommand)]
        what: users_cmd::AuditWhat,
    },
}

/// Arguments of `hsplan serve`.
#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Folder with the siting inputs (roads.hsg, demand.csv, facilities.csv).
    #[arg(long)]
    inputs: Option<PathBuf>,
    /// Folder for saved scenarios (default: INPUTS/scenarios).
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Unit the web app opens on.
    #[arg(long)]
    home_unit: Option<String>,
    /// Plan the web app opens on.
    #[arg(long)]
    home_plan: Option<String>,
    /// Compute every response afresh (no per-snapshot response cache).
    #[arg(long)]
    no_cache: bool,
    /// Behind a reverse proxy: take client addresses from X-Forwarded-For.
    #[arg(long)]
    trust_proxy: bool,
    /// Send the session cookie only over HTTPS (when the proxy terminates TLS).
    #[arg(long)]
    secure_cookies: bool,
}

#[derive(Subcommand, Debug)]
enum StandardsWhat {
    /// Check every rule for a year; each violation located, with its shortfall.
    Check(standards_cmd::CheckArgs),
}

#[derive(Subcommand, Debug)]
enum PlanWhat {
    /// Validate plan files and lint them (exit 0 clean, 1 errors, 2 unreadable).
    Check {
        /// Plan files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value = "table")]
        format: plan_cmd::PlanFormat,
    },
    /// Print the plan's tables as published.
    Show {
        /// Plan file (TOML).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: plan_cmd::PlanFormat,
        /// Output file for --format xlsx.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every quantitative target and what becomes of it: evaluated with a library formula,
    /// waiting for record-level data, or not computable from the model (with the reason).
    Targets {
        /// Plan files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print every target, not only the counts and the reasons.
        #[arg(long)]
        all: bool,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A parent plan and its children together: each shared indicator's targets side by
    /// side, and each unit below the parent's jurisdiction against the parent's target (its
    /// gap and share of the whole gap, from the store).
    Compare {
        /// The parent plan (TOML).
        parent: PathBuf,
        /// Child plans (TOML) that name the parent among their parents.
        #[arg(required = true)]
        children: Vec<PathBuf>,
        /// The year the units are measured in.
        #[arg(long)]
        year: i64,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum LedgerWhat {
    /// Projects: totals, by nature, status and start year; stated totals checked.
    Projects(LedgerArgs),
    /// Tasks: counts by responsible unit, target year and section.
    Tasks(LedgerArgs),
}

/// Arguments shared by the ledgers.
#[derive(clap::Args, Debug)]
struct LedgerArgs {
    /// Plan files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Also write the ledger to this XLSX file.
    #[arg(long)]
    xlsx: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    /// Administrative units (CSV/XLSX), or a built-in hierarchy.
    Units {
        /// The file; omit with --builtin.
        file: Option<PathBuf>,
        /// Load a built-in hierarchy instead of a file.
        #[arg(long, value_enum, conflicts_with = "file")]
        builtin: Option<BuiltinAdmin>,
    },
    /// Population by unit and year (CSV/XLSX).
    Population { file: PathBuf },
    /// Facilities (CSV/XLSX).
    Facilities { file: PathBuf },
    /// Facility resources by year (CSV/XLSX).
    Resources { file: PathBuf },
    /// The built-in demo region (Chongqing hierarchy + Beibei's synthetic registry,
    /// labelled synthetic) — e.g. into a PostgreSQL store for `serve --db postgres://…`.
    Demo,
    /// Unit points or boundaries (GeoJSON FeatureCollection).
    Geojson {
        file: PathBuf,
        /// Property holding the unit code (default: code, 统计用区划代码, 区划代码, adcode).
        #[arg(long)]
        code_property: Option<String>,
    },
    /// Units and facilities from a FHIR R4 Bundle (IHE mCSD), ours or another system's.
    Fhir { file: PathBuf },
    /// Units and facilities from DHIS2 metadata (organisationUnits, as /api/metadata
    /// exports them): from a FILE, or from a DHIS2 server (--dhis2 URL).
    #[command(name = "dhis2-metadata")]
    Dhis2Metadata {
        #[arg(required_unless_present = "dhis2", conflicts_with = "dhis2")]
        file: Option<PathBuf>,
        /// A mapping file whose [metadata] says which levels are facilities and which org
        /// unit groups are which institution types.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Read from this DHIS2 server's Web API instead of a file (credentials from
        /// HSPLAN_DHIS2_TOKEN, or HSPLAN_DHIS2_USER and HSPLAN_DHIS2_PASSWORD).
        #[arg(long, value_name = "URL")]
        dhis2: Option<String>,
    },
    /// Facility quantities and unit population from DHIS2 data values (dataValueSet JSON or
    /// DHIS2 CSV, or a DHIS2 server with --dhis2), merged into what the store holds.
    Dhis2 {
        #[arg(required_unless_present = "dhis2", conflicts_with = "dhis2")]
        file: Option<PathBuf>,
        /// The mapping file (TOML) between DHIS2 identifiers and hsplan's.
        #[arg(long)]
        mapping: PathBuf,
        /// Read from this DHIS2 server's Web API (the mapping's data elements, --year, at
        /// --org-unit and below; credentials from HSPLAN_DHIS2_TOKEN, or HSPLAN_DHIS2_USER
        /// and HSPLAN_DHIS2_PASSWORD).
        #[arg(long, value_name = "URL", requires_all = ["year", "org_unit"])]
        dhis2: Option<String>,
        /// With --dhis2: the year read.
        #[arg(long)]
        year: Option<i64>,
        /// With --dhis2: the DHIS2 uid of the org unit read with everything below it.
        #[arg(long = "org-unit", value_name = "UID")]
        org_unit: Option<String>,
    },
}

/// Built-in administrative hierarchies.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BuiltinAdmin {
    /// Chongqing municipality to village level (NBS 2023).
    Chongqing,
    /// Leshan city, Sichuan, to village level (NBS 2023): for the Leshan Shizhong plan.
    Leshan,
}

/// Exportable content.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    /// Administrative units.
    Units,
    /// Population.
    Population,
    /// Facilities.
    Facilities,
    /// Facility resources.
    Resources,
    /// Unit points and boundaries as GeoJSON.
    Geojson,
    /// Units and facilities as a FHIR R4 transaction Bundle (IHE mCSD).
    Fhir,
    /// Units and facilities as DHIS2 metadata (organisationUnits, organisationUnitGroups).
    #[value(name = "dhis2-metadata")]
    Dhis2Metadata,
    /// Quantities, indicators and evaluation statuses of a year as DHIS2 data values
    /// (.json: a dataValueSet; .csv: DHIS2's CSV layout), through --mapping.
    Dhis2,
}

fn main() -> std::process::ExitCode {
    // Output piped into `head` and closed early ends the program quietly, as for any
    // Unix tool, instead of a panic on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Command::Plan {
        what: PlanWhat::Check { files, format },
    } = &cli.command
    {
        return match plan_cmd::check(files, *format, cli.lang) {
            Ok(code) => std::process::ExitCode::from(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::from(2)
            }
        };
    }
    let lang = cli.lang;
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // the app's checks say what they expected in the user's language
            match e.downcast_ref::<hsplan_app::AppError>() {
                Some(app) if e.chain().count() == 1 => eprintln!("error: {}", app.text(lang)),
                _ => eprintln!("error: {e:#}"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import { what } => commands::import(&cli.db, what, cli.lang),
        Command::Export {
            what,
            out,
            unit,
            year,
            mapping,
            dhis2,
        } => commands::export(
            &cli.db,
            what,
            out.as_deref(),
            commands::ExportOptions {
                unit: unit.as_deref(),
                year,
                mapping: mapping.as_deref(),
                dhis2: dhis2.as_deref(),
            },
            cli.lang,
        ),
        Command::Status => commands::status(&cli.db, cli.lang),
        Command::Demo { out, serve, addr } => {
            commands::demo(&out, cli.lang)?;
            if serve {
                commands::serve(commands::demo_server(&out, addr), cli.lang)?;
            }
            Ok(())
        }
        Command::Serve(a) => commands::serve(
            hsplan_server::Config {
                db: hsplan_app::StoreLocation::from(cli.db.as_path()),
                addr: a.addr,
                siting_inputs: a.inputs,
                scenarios: a.scenarios,
                home_unit: a.home_unit,
                home_plan: a.home_plan,
                cache: !a.no_cache,
                trust_proxy: a.trust_proxy,
                secure_cookies: a.secure_cookies,
            },
            cli.lang,
        ),
        Command::User { what } => users_cmd::user(&cli.db, what, cli.lang),
        Command::Audit { what } => users_cmd::audit(&cli.db, what, cli.lang),
        Command::Evaluate(args) => evaluate_cmd::run(&cli.db, &args, cli.lang),
        Command::Quality(args) => quality_cmd::run(&cli.db, &args, cli.lang),
        Command::Access { what } => access_cmd::run(what, cli.lang),
        Command::Records { what } => records_cmd::run(&cli.db, what, cli.lang),
        Command::Site { what } => site_cmd::run(what, cli.lang),
        Command::Standards {
            what: StandardsWhat::Check(args),
        } => standards_cmd::run(&cli.db, &args, cli.lang),
        Command::Indicators {
            unit,
            year,
            json,
            files,
            out,
            only,
            threads,
        } => match (files, unit, year) {
            (Some(dir), _, _) => {
                indicators_cmd::files(&dir, out.as_deref(), &only, threads, cli.lang)
            }
            (None, Some(unit), Some(year)) => {
                indicators_cmd::run(&cli.db, &unit, year, json, cli.lang)
            }
            _ => unreachable!("clap requires --unit and --year without --files"),
        },
        Command::Plan {
            what: PlanWhat::Show { file, format, out },
        } => plan_cmd::show(&file, format, out.as_deref()),
        Command::Plan {
            what: PlanWhat::Targets { files, all, json },
        } => plan_cmd::targets(&files, all, json, cli.lang),
        Command::Plan {
            what:
                PlanWhat::Compare {
                    parent,
                    children,
                    year,
                    json,
                },
        } => plan_cmd::compare(&cli.db, &parent, &children, year, json, cli.lang),
        Command::Plan {
            what: PlanWhat::Check { .. },
        } => unreachable!("handled in main"),
        Command::Ledger {
            what: LedgerWhat::Projects(a),
        } => ledger_cmd::projects(&a.files, a.json, a.xlsx.as_deref(), cli.lang),
        Command::Ledger {
            what: LedgerWhat::Tasks(a),
        } => ledger_cmd::tasks(&a.files, a.json, a.xlsx.as_deref(), cli.lang),
    }
}
