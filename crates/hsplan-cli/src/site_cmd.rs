//! `hsplan site …`: where new facilities should go (LSCP, MCLP, p-median, p-center) over
//! the road network; scenarios saved, compared, and turned into a facilities table.

use crate::messages::{Lang, Msg, fill, pad, shown};
use anyhow::{Context, Result, bail};
use hsplan_access::analysis::SupplyPoint;
use std::path::{Path, PathBuf};

/// `hsplan site` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SiteWhat {
    /// Location set covering: fewest new sites so that every demand point is within --minutes.
    Lscp(SiteArgs),
    /// Maximal covering: most residents within --minutes with --p new sites.
    Mclp(SiteArgs),
    /// p-median: least population-weighted travel time with --p new sites.
    Pmedian(SiteArgs),
    /// p-center: least worst-case travel time with --p new sites.
    Pcenter(SiteArgs),
    /// Saved scenarios (JSON from --out) side by side.
    Compare {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// A scenario's new sites as a facilities table (hsplan's import format) opening in a
    /// plan year, to import and evaluate.
    Apply(ApplyArgs),
}

/// Solver choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SolverArg {
    /// Heuristic with a Lagrangian bound (always available).
    Heuristic,
    /// Exact MIP through HiGHS, started from the heuristic (needs the `highs` feature).
    Mip,
}

/// Arguments of the four models.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// Graph file (from `hsplan access graph build`).
    #[arg(long)]
    graph: PathBuf,
    /// Demand points CSV (id,lon,lat,population[,unit]).
    #[arg(long)]
    demand: Option<PathBuf>,
    /// Instead of --demand: a SYNTHETIC grid of demand points this many metres apart.
    #[arg(long)]
    demand_grid: Option<f64>,
    /// Existing facilities CSV (id,kind,lon,lat): fixed open.
    #[arg(long)]
    existing: Option<PathBuf>,
    /// Only existing facilities of these kinds.
    #[arg(long, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Candidate sites CSV (id,lon,lat).
    #[arg(long)]
    candidates: Option<PathBuf>,
    /// Instead of --candidates: network nodes, one per square cell of this many metres.
    #[arg(long)]
    candidate_spacing: Option<f64>,
    /// With --candidate-spacing: only nodes farther than --minutes from every existing
    /// facility.
    #[arg(long)]
    uncovered_only: bool,
    /// Coverage threshold, minutes (LSCP and MCLP; for p-median and p-center the coverage
    /// reported before and after).
    #[arg(long, default_value_t = 15.0)]
    minutes: f64,
    /// New sites to open (MCLP, p-median, p-center).
    #[arg(long)]
    p: Option<usize>,
    /// Longest trip considered (p-median, p-center); a demand point farther from every
    /// open site counts at this time.
    #[arg(long, default_value_t = 60.0)]
    max_minutes: f64,
    /// Seed of the neighbourhood search.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Solver.
    #[arg(long, value_enum, default_value = "heuristic")]
    solver: SolverArg,
    /// Time limit of the MIP, seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit: f64,
    /// Walking speed of the off-network legs, km/h.
    #[arg(long, default_value_t = 4.5)]
    walk_kmh: f64,
    /// Scenario name (default: the model and p).
    #[arg(long)]
    name: Option<String>,
    /// Save the scenario as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the cost list used (costs.csv, demand.csv, sites.csv) into this folder.
    #[arg(long)]
    out_costs: Option<PathBuf>,
    /// Print the scenario as JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// `hsplan site apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Scenario file.
    scenario: PathBuf,
    /// Institution type of the new facilities, as in the facilities table
    /// (e.g. community_health_centre).
    #[arg(long = "type")]
    kind: String,
    /// Year they open.
    #[arg(long)]
    year: i64,
    /// Ownership, as in the facilities table.
    #[arg(long, default_value = "government")]
    ownership: String,
    /// Output facilities CSV (import with `hsplan import facilities`).
    #[arg(long)]
    out: PathBuf,
}

use hsplan_app::siting::{
    CandidateSource, DemandSource, InputFile, ModelKind, Scenario, SitingRequest, Solver,
    model_name,
};

/// Runs an `hsplan site` command.
pub fn run(what: SiteWhat, lang: Lang) -> Result<()> {
    match what {
        SiteWhat::Lscp(a) => solve(ModelKind::Lscp, &a, lang),
        SiteWhat::Mclp(a) => solve(ModelKind::Mclp, &a, lang),
        SiteWhat::Pmedian(a) => solve(ModelKind::Pmedian, &a, lang),
        SiteWhat::Pcenter(a) => solve(ModelKind::Pcenter, &a, lang),
        SiteWhat::Compare { scenarios } => compare(&scenarios, lang),
        SiteWhat::Apply(a) => apply(&a, lang),
    }
}

fn request(model: ModelKind, a: &SiteArgs, lang: Lang) -> Result<SitingRequest> {
    let demand = match (&a.demand, a.demand_grid) {
        (Some(path), None) => DemandSource::File(InputFile::Path(path.clone())),
        (None, Some(m)) => DemandSource::Grid(m),
        _ => bail!("give either --demand FILE or --demand-grid METRES"),
    };
    let candidates = match (&a.candidates, a.candidate_spacing) {
        (Some(path), None) => CandidateSource::File(InputFile::Path(path.clone())),
        (None, Some(metres)) => CandidateSource::Spacing {
            metres,
            uncovered_only: a.uncovered_only,
        },
        _ => bail!("{}", Msg::SiteNeedCandidates.text(lang)),
    };
    let mut req = SitingRequest::new(model, a.graph.clone(), demand, candidates);
    req.existing = a.existing.clone().map(InputFile::Path);
    req.kinds = a.kinds.clone();
    req.minutes = a.minutes;
    req.p = a.p;
    req.max_minutes = a.max_minutes;
    req.seed = a.seed;
    req.solver = match a.solver {
        SolverArg::Heuristic => Solver::Heuristic,
        SolverArg::Mip => Solver::Mip,
    };
    req.time_limit = a.time_limit;
    req.walk_kmh = a.walk_kmh;
    req.name = a.name.clone();
    req.lang = lang;
    req.keep_costs = a.out_costs.is_some();
    Ok(req)
}

/// Solves, saves and prints one siting question.
fn solve(model: ModelKind, a: &SiteArgs, lang: Lang) -> Result<()> {
    let solved = hsplan_app::siting::solve(
        &request(model, a, lang)?,
        &crate::progress::TerminalProgress::new(lang),
        &hsplan_app::progress::Cancel::new(),
    )?;
    if let (Some(dir), Some(c)) = (&a.out_costs, &solved.costs) {
        write_costs(dir, &c.costs, &c.demand, &c.sites, c.existing)?;
    }
    let scenario = &solved.scenario;
    if let Some(out) = &a.out {
        std::fs::write(out, serde_json::to_string_pretty(scenario)?)
            .with_context(|| format!("{}: cannot write", out.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(scenario)?);
        return Ok(());
    }
    print_scenario(scenario, lang);
    if let Some(out) = &a.out {
        println!(
            "{}",
            fill(Msg::SiteSaved.text(lang), &[("out", &out.display())])
        );
    }
    Ok(())
}

fn write_costs(
    dir: &Path,
    costs: &[(usize, usize, f64)],
    demand: &[hsplan_access::analysis::DemandPoint],
    supply: &[SupplyPoint],
    existing: usize,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut w = csv::Writer::from_path(dir.join("costs.csv"))?;
    w.write_record(["demand", "site", "minutes"])?;
    for (i, j, c) in costs {
        w.write_record([i.to_string(), j.to_string(), format!("{c:.6}")])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(dir.join("demand.csv"))?;
    w.write_record(["index", "id", "population", "unit"])?;
    for (i, d) in demand.iter().enumerate() {
        w.write_record([
            i.to_string(),
            d.id.clone(),
            d.population.to_string(),
            d.unit.clone(),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(dir.join("sites.csv"))?;
    w.write_record(["index", "id", "fixed", "lon", "lat"])?;
    for (j, s) in supply.iter().enumerate() {
        w.write_record([
            j.to_string(),
            s.id.clone(),
            (j < existing).to_string(),
            format!("{:.7}", s.lon),
            format!("{:.7}", s.lat),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Prints a scenario: inputs, result, new sites, coverage before → after per unit.
pub(crate) fn print_scenario(s: &Scenario, lang: Lang) {
    let model = match s.model.as_str() {
        "lscp" => hsplan_siting::Model::Lscp,
        "mclp" => hsplan_siting::Model::Mclp,
        "pmedian" => hsplan_siting::Model::PMedian,
        _ => hsplan_siting::Model::PCenter,
    };
    if s.synthetic_demand {
        println!(
            "{}",
            fill(
                Msg::AccSyntheticDemand.text(lang),
                &[("n", &s.demand_points)]
            )
        );
    }
    println!(
        "{}",
        fill(
            Msg::SiteInputs.text(lang),
            &[
                ("demand", &s.demand_points),
                ("existing", &s.existing),
                ("candidates", &s.candidates),
                ("pairs", &s.pairs),
                ("max", &s.max_minutes),
                ("s", &format!("{:.3}", s.seconds_costs)),
            ]
        )
    );
    println!(
        "{}",
        fill(
            Msg::SiteResult.text(lang),
            &[
                ("model", &model_name(model, lang)),
                ("objective", &format!("{:.2}", shown(s.objective, 2))),
                ("bound", &format!("{:.2}", shown(s.bound, 2))),
                ("gap", &format!("{:.3}", s.gap * 100.0)),
                ("s", &format!("{:.3}", s.seconds_solve)),
            ]
        )
    );
    println!("  {}", s.method);
    println!(
        "{}{}{}{}{}",
        pad(Msg::SiteHeader.text(lang), 22),
        pad("lon", 13),
        pad("lat", 12),
        pad(Msg::AccUnitHeader.text(lang), 24),
        Msg::SiteResidents.text(lang)
    );
    for n in &s.new_sites {
        println!(
            "{}{:<13.6}{:<12.6}{}{:.0}",
            pad(&n.id, 22),
            n.lon,
            n.lat,
            pad(
                if n.unit_name.is_empty() {
                    &n.unit
                } else {
                    &n.unit_name
                },
                24
            ),
            n.residents
        );
    }
    let covering = matches!(
        model,
        hsplan_siting::Model::Lscp | hsplan_siting::Model::Mclp
    );
    let heading = if covering {
        Msg::SiteCoverageHeadingCovering
    } else {
        Msg::SiteCoverageHeading
    };
    println!("{}", fill(heading.text(lang), &[("t", &s.minutes)]));
    let mut head = format!(
        "{}{:>12}  {:>9}  {:>9}",
        pad(Msg::AccUnitHeader.text(lang), 28),
        Msg::AccPopulationHeader.text(lang),
        Msg::SiteBefore.text(lang),
        Msg::SiteAfter.text(lang),
    );
    if !covering {
        head.push_str(&format!(
            "  {:>9}  {:>9}",
            Msg::SiteMeanBefore.text(lang),
            Msg::SiteMeanAfter.text(lang)
        ));
    }
    println!("{head}");
    for u in &s.coverage {
        let name = if u.unit.is_empty() {
            Msg::AccAll.text(lang)
        } else if !u.name.is_empty() {
            &u.name
        } else {
            &u.unit
        };
        let mut line = format!(
            "{}{:>12.0}  {:>8.1}%  {:>8.1}%",
            pad(name, 28),
            shown(u.population, 0),
            shown(u.covered_before_pct, 1),
            shown(u.covered_after_pct, 1),
        );
        if !covering {
            line.push_str(&format!(
                "  {:>9}  {:>9}",
                minutes(u.mean_minutes_before),
                minutes(u.mean_minutes_after)
            ));
        }
        println!("{line}");
    }
    if s.uncoverable.0 > 0 {
        println!(
            "{}",
            fill(
                Msg::SiteUncoverable.text(lang),
                &[
                    ("n", &s.uncoverable.0),
                    ("pop", &format!("{:.0}", shown(s.uncoverable.1, 0))),
                    ("t", &s.minutes)
                ]
            )
        );
    }
}

fn minutes(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".into())
}

fn load_scenario(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(hsplan_app::siting::parse_scenario(
        &path.display().to_string(),
        &text,
    )?)
}

fn compare(paths: &[PathBuf], lang: Lang) -> Result<()> {
    let scenarios: Vec<Scenario> = paths
        .iter()
        .map(|p| load_scenario(p))
        .collect::<Result<_>>()?;
    let width = 16;
    let mut head = pad("", 30);
    for s in &scenarios {
        head.push_str(&pad(&s.name, width));
    }
    println!("{head}");
    let total = |s: &Scenario| s.coverage.last().cloned();
    type Row<'a> = (Msg, Box<dyn Fn(&Scenario) -> String + 'a>);
    let rows: Vec<Row> = vec![
        (Msg::SiteModelWord, Box::new(|s| s.model.clone())),
        (
            Msg::SiteNewSites,
            Box::new(|s| s.new_sites.len().to_string()),
        ),
        (
            Msg::SiteObjective,
            Box::new(|s| format!("{:.2}", shown(s.objective, 2))),
        ),
        (Msg::SiteGap, Box::new(|s| format!("{:.3}%", s.gap * 100.0))),
        (
            Msg::SiteThreshold,
            Box::new(|s| format!("{} min", s.minutes)),
        ),
        (
            Msg::SiteBefore,
            Box::new(move |s| {
                total(s)
                    .map(|u| format!("{:.1}%", shown(u.covered_before_pct, 1)))
                    .unwrap_or_default()
            }),
        ),
        (
            Msg::SiteAfter,
            Box::new(move |s| {
                total(s)
                    .map(|u| format!("{:.1}%", shown(u.covered_after_pct, 1)))
                    .unwrap_or_default()
            }),
        ),
        (
            Msg::SiteMeanAfter,
            Box::new(move |s| {
                total(s)
                    .map(|u| minutes(u.mean_minutes_after))
                    .unwrap_or_default()
            }),
        ),
        (
            Msg::SiteSolveSeconds,
            Box::new(|s| format!("{:.3}", s.seconds_solve)),
        ),
    ];
    for (label, cell) in &rows {
        let mut line = pad(label.text(lang), 30);
        for s in &scenarios {
            line.push_str(&pad(&cell(s), width));
        }
        println!("{line}");
    }
    // per unit, coverage after
    let mut units: Vec<String> = scenarios
        .iter()
        .flat_map(|s| s.coverage.iter().map(|u| u.unit.clone()))
        .filter(|u| !u.is_empty())
        .collect();
    units.sort();
    units.dedup();
    if !units.is_empty() {
        println!(
            "{}",
            fill(
                Msg::SiteCompareUnits.text(lang),
                &[("t", &scenarios[0].minutes)]
            )
        );
        for unit in units {
            let mut line = pad(&unit, 30);
            for s in &scenarios {
                let cell = s
                    .coverage
                    .iter()
                    .find(|u| u.unit == unit)
                    .map(|u| {
                        format!(
                            "{:.1}→{:.1}%",
                            shown(u.covered_before_pct, 1),
                            shown(u.covered_after_pct, 1)
                        )
                    })
                    .unwrap_or_else(|| "—".into());
                line.push_str(&pad(&cell, width));
            }
            println!("{line}");
        }
    }
    Ok(())
}

fn apply(a: &ApplyArgs, lang: Lang) -> Result<()> {
    let s = load_scenario(&a.scenario)?;
    let csv = hsplan_app::siting::apply_csv(
        &s,
        &a.scenario.display().to_string(),
        &hsplan_app::siting::ApplyRequest {
            kind: a.kind.clone(),
            year: a.year,
            ownership: Some(a.ownership.clone()),
        },
    )?;
    std::fs::write(&a.out, csv).with_context(|| format!("{}: cannot write", a.out.display()))?;
    println!(
        "{}",
        fill(
            Msg::SiteApplied.text(lang),
            &[
                ("n", &s.new_sites.len()),
                ("out", &a.out.display()),
                ("year", &a.year)
            ]
        )
    );
    Ok(())
}
