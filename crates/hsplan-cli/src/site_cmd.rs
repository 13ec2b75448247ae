//! `hsplan site …`: where new facilities should go (LSCP, MCLP, p-median, p-center) over
//! the road network; scenarios saved, compared, and turned into a facilities table.

use crate::access_cmd::{load_graph, number, read_demand_from, read_facilities, read_rows};
use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result, bail};
use hsplan_access::analysis::{SupplyPoint, candidate_nodes, catchment_costs};
use hsplan_access::search::{Source, nearest};
use hsplan_siting::{
    Arc, Cost, CoverOptions, DemandIx, Instance, PMedianOptions, SiteIx, Solution, Weight,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// A new site in a scenario.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewSite {
    /// Candidate id.
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Unit of the demand point nearest to it by travel time.
    pub unit: String,
    /// Its name, when the demand file has a `unit_name` column.
    #[serde(default)]
    pub unit_name: String,
    /// Residents whose nearest open site it is.
    pub residents: f64,
}

/// Coverage of a unit before and after the new sites.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitChange {
    /// Unit ("" for all).
    pub unit: String,
    /// Its name, when the demand file has a `unit_name` column.
    #[serde(default)]
    pub name: String,
    /// Residents.
    pub population: f64,
    /// Share within the threshold before, %.
    pub covered_before_pct: f64,
    /// Share within the threshold after, %.
    pub covered_after_pct: f64,
    /// Population-weighted mean minutes to the nearest open site before, trips counted at
    /// most `max_minutes` (p-median and p-center only: the covering models search only
    /// within the threshold).
    pub mean_minutes_before: Option<f64>,
    /// The same after.
    pub mean_minutes_after: Option<f64>,
}

/// A saved scenario.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Model (lscp, mclp, pmedian, pcenter).
    pub model: String,
    /// Demand points are a synthetic grid.
    pub synthetic_demand: bool,
    /// New sites asked for.
    pub p: Option<usize>,
    /// Coverage threshold, minutes.
    pub minutes: f64,
    /// Longest trip considered, minutes.
    pub max_minutes: f64,
    /// Seed.
    pub seed: u64,
    /// Demand points.
    pub demand_points: usize,
    /// Existing facilities (fixed open).
    pub existing: usize,
    /// Candidate sites.
    pub candidates: usize,
    /// Demand-to-site pairs within reach.
    pub pairs: usize,
    /// Objective value.
    pub objective: f64,
    /// Proven bound.
    pub bound: f64,
    /// Relative optimality gap.
    pub gap: f64,
    /// How it was solved.
    pub method: String,
    /// Seconds building the travel costs.
    pub seconds_costs: f64,
    /// Seconds solving.
    pub seconds_solve: f64,
    /// New sites.
    pub new_sites: Vec<NewSite>,
    /// Per unit and (last) overall, coverage before and after.
    pub coverage: Vec<UnitChange>,
    /// Demand points no site reaches within the threshold, and their residents.
    pub uncoverable: (usize, f64),
}

fn model_name(m: hsplan_siting::Model, lang: Lang) -> &'static str {
    use hsplan_siting::Model::*;
    match m {
        Lscp => Msg::SiteLscp.text(lang),
        Mclp => Msg::SiteMclp.text(lang),
        PMedian => Msg::SitePMedian.text(lang),
        PCenter => Msg::SitePCenter.text(lang),
    }
}

/// How a solution was found, in words.
fn method_text(m: &hsplan_siting::Method, lang: Lang) -> String {
    use hsplan_siting::Method::*;
    match m {
        Interchange {
            local_searches,
            subgradient_iterations,
        } => fill(
            Msg::SiteMethodInterchange.text(lang),
            &[("ls", local_searches), ("it", subgradient_iterations)],
        ),
        Covering {
            subgradient_iterations,
        } => fill(
            Msg::SiteMethodCovering.text(lang),
            &[("it", subgradient_iterations)],
        ),
        CoveringSequence { covers_solved } => {
            fill(Msg::SiteMethodSequence.text(lang), &[("n", covers_solved)])
        }
        Mip { optimal: true, .. } => Msg::SiteMethodMipOptimal.text(lang).to_string(),
        Mip {
            optimal: false,
            time_limit_s,
        } => fill(
            Msg::SiteMethodMipLimit.text(lang),
            &[("limit", time_limit_s)],
        ),
    }
}

fn model_key(m: hsplan_siting::Model) -> &'static str {
    use hsplan_siting::Model::*;
    match m {
        Lscp => "lscp",
        Mclp => "mclp",
        PMedian => "pmedian",
        PCenter => "pcenter",
    }
}

fn read_candidates(path: &Path) -> Result<Vec<SupplyPoint>> {
    let rows = read_rows(path, &["id", "lon", "lat"])?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        out.push(SupplyPoint {
            id: row["id"].clone(),
            kind: "candidate".into(),
            lon: number(path, i + 2, row, "lon")?,
            lat: number(path, i + 2, row, "lat")?,
            capacity: 1.0,
        });
    }
    if out.is_empty() {
        bail!("{}: no candidate sites", path.display());
    }
    Ok(out)
}

/// The demo's siting question on the files the demo writes into `dir`: where `p` new
/// primary-care centres would bring most residents within `minutes` (MCLP), candidates
/// one network node per `spacing_m` cell outside the existing centres' reach.
pub(crate) fn demo_args(dir: &Path, p: usize, minutes: f64, spacing_m: f64) -> SiteArgs {
    SiteArgs {
        graph: dir.join("roads.hsg"),
        demand: Some(dir.join("demand.csv")),
        demand_grid: None,
        existing: Some(dir.join("facilities.csv")),
        kinds: Vec::new(),
        candidates: None,
        candidate_spacing: Some(spacing_m),
        uncovered_only: true,
        minutes,
        p: Some(p),
        max_minutes: 60.0,
        seed: 1,
        solver: SolverArg::Heuristic,
        time_limit: 120.0,
        walk_kmh: 4.5,
        name: Some(format!("mclp-{p}-{minutes}min")),
        out: Some(dir.join("scenario-mclp.json")),
        out_costs: None,
        json: false,
    }
}

/// Runs an `hsplan site` command.
pub fn run(what: SiteWhat, lang: Lang) -> Result<()> {
    use hsplan_siting::Model;
    match what {
        SiteWhat::Lscp(a) => solve(Model::Lscp, &a, lang),
        SiteWhat::Mclp(a) => solve(Model::Mclp, &a, lang),
        SiteWhat::Pmedian(a) => solve(Model::PMedian, &a, lang),
        SiteWhat::Pcenter(a) => solve(Model::PCenter, &a, lang),
        SiteWhat::Compare { scenarios } => compare(&scenarios, lang),
        SiteWhat::Apply(a) => apply(&a, lang),
    }
}

pub(crate) fn solve(model: hsplan_siting::Model, a: &SiteArgs, lang: Lang) -> Result<()> {
    use hsplan_siting::Model;
    let p = match (model, a.p) {
        (Model::Lscp, _) => 0,
        (_, Some(p)) => p,
        (_, None) => bail!("{}", Msg::SiteNeedP.text(lang)),
    };
    if a.minutes.is_nan() || a.minutes <= 0.0 || a.max_minutes.is_nan() || a.max_minutes <= 0.0 {
        bail!("--minutes and --max-minutes must be positive");
    }
    let g = load_graph(&a.graph)?;
    let rev = g.reversed();
    let (demand, synthetic) = read_demand_from(a.demand.as_deref(), a.demand_grid, &g)?;
    let existing = match &a.existing {
        Some(path) => read_facilities(path, &a.kinds)?,
        None => Vec::new(),
    };
    let candidates = match (&a.candidates, a.candidate_spacing) {
        (Some(path), None) => read_candidates(path)?,
        (None, Some(spacing)) if spacing > 0.0 => {
            let mut nodes = candidate_nodes(&g, spacing);
            if a.uncovered_only && !existing.is_empty() {
                let snapper = hsplan_access::analysis::Snapper::new(&g, a.walk_kmh);
                let sources: Vec<Source> = existing
                    .iter()
                    .enumerate()
                    .filter_map(|(j, f)| {
                        snapper.snap(&g, f.lon, f.lat).map(|s| Source {
                            node: s.node,
                            offset: s.leg_s,
                            id: j as u32,
                        })
                    })
                    .collect();
                let reach = nearest(&rev, &sources, a.minutes * 60.0);
                nodes.retain(|&v| reach.time[v as usize] > a.minutes * 60.0);
            }
            nodes
                .into_iter()
                .map(|v| SupplyPoint {
                    id: format!("node-{v}"),
                    kind: "candidate".into(),
                    lon: g.coords[v as usize].0,
                    lat: g.coords[v as usize].1,
                    capacity: 1.0,
                })
                .collect()
        }
        _ => bail!("{}", Msg::SiteNeedCandidates.text(lang)),
    };
    if candidates.is_empty() {
        bail!("{}", Msg::SiteNoCandidates.text(lang));
    }
    let bound = match model {
        Model::Lscp | Model::Mclp => a.minutes,
        _ => a.max_minutes.max(a.minutes),
    };
    let start = Instant::now();
    let supply: Vec<SupplyPoint> = existing.iter().chain(&candidates).cloned().collect();
    let costs = catchment_costs(&g, &rev, &supply, &demand, bound, a.walk_kmh);
    let weights: Vec<Weight> = demand.iter().map(|d| Weight(d.population)).collect();
    let fixed: Vec<bool> = (0..supply.len()).map(|j| j < existing.len()).collect();
    let arcs: Vec<Arc> = costs
        .iter()
        .map(|&(i, j, c)| Arc {
            demand: DemandIx(i as u32),
            site: SiteIx(j as u32),
            cost: Cost(c),
        })
        .collect();
    // pairs at exactly the bound stay listed
    let cap = Cost(f64::from_bits(bound.to_bits() + 1));
    let inst = Instance::new(&weights, &fixed, &arcs, cap)?;
    let seconds_costs = start.elapsed().as_secs_f64();
    if let Some(dir) = &a.out_costs {
        write_costs(dir, &costs, &demand, &supply, existing.len())?;
    }

    let start = Instant::now();
    let mut opts = PMedianOptions::new(p);
    opts.seed = a.seed;
    let threshold = Cost(a.minutes);
    let heuristic = match model {
        Model::Lscp => hsplan_siting::lscp(&inst, threshold, &CoverOptions::default())?,
        Model::Mclp => hsplan_siting::mclp(&inst, threshold, &opts)?,
        Model::PMedian => hsplan_siting::pmedian(&inst, &opts)?,
        Model::PCenter => hsplan_siting::pcenter(&inst, p, &CoverOptions::default())?,
    };
    let solution = match a.solver {
        SolverArg::Heuristic => heuristic,
        SolverArg::Mip => exact(&inst, &heuristic, p, model, threshold, a.time_limit, lang)?,
    };
    let seconds_solve = start.elapsed().as_secs_f64();
    let scenario = describe(
        &inst,
        &solution,
        &demand,
        &supply,
        &costs,
        a,
        (p, synthetic, existing.len(), candidates.len()),
        (seconds_costs, seconds_solve),
        lang,
    );
    if let Some(out) = &a.out {
        std::fs::write(out, serde_json::to_string_pretty(&scenario)?)
            .with_context(|| format!("{}: cannot write", out.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&scenario)?);
        return Ok(());
    }
    print_scenario(&scenario, model, lang);
    if let Some(out) = &a.out {
        println!(
            "{}",
            fill(Msg::SiteSaved.text(lang), &[("out", &out.display())])
        );
    }
    Ok(())
}

#[cfg(feature = "highs")]
fn exact(
    inst: &Instance,
    heuristic: &Solution,
    p: usize,
    model: hsplan_siting::Model,
    threshold: Cost,
    time_limit: f64,
    _: Lang,
) -> Result<Solution> {
    use hsplan_siting::Model;
    let t = matches!(model, Model::Lscp | Model::Mclp).then_some(threshold);
    Ok(hsplan_siting::mip::solve(
        inst, heuristic, p, t, time_limit,
    )?)
}

#[cfg(not(feature = "highs"))]
fn exact(
    _: &Instance,
    _: &Solution,
    _: usize,
    _: hsplan_siting::Model,
    _: Cost,
    _: f64,
    lang: Lang,
) -> Result<Solution> {
    bail!("{}", Msg::SiteNoHighs.text(lang))
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

#[allow(clippy::too_many_arguments)]
fn describe(
    inst: &Instance,
    s: &Solution,
    demand: &[hsplan_access::analysis::DemandPoint],
    supply: &[SupplyPoint],
    costs: &[(usize, usize, f64)],
    a: &SiteArgs,
    (p, synthetic, existing, candidates): (usize, bool, usize, usize),
    (seconds_costs, seconds_solve): (f64, f64),
    lang: Lang,
) -> Scenario {
    let names = unit_names(a.demand.as_deref());
    let before_mask = inst.open_mask(&[]);
    let after_mask = inst.open_mask(&s.chosen);
    let mut residents: BTreeMap<u32, f64> = BTreeMap::new();
    let mut units: BTreeMap<String, [f64; 5]> = BTreeMap::new();
    let mut total = [0.0; 5];
    let covering = matches!(
        s.model,
        hsplan_siting::Model::Lscp | hsplan_siting::Model::Mclp
    );
    let cap = if covering {
        a.minutes
    } else {
        a.max_minutes.max(a.minutes)
    };
    for (i, d) in demand.iter().enumerate() {
        let (_, before) = inst.nearest_open(DemandIx(i as u32), &before_mask);
        let (site, after) = inst.nearest_open(DemandIx(i as u32), &after_mask);
        if let Some(site) = site {
            *residents.entry(site.0).or_default() += d.population;
        }
        let row = [
            d.population,
            if before.0 <= a.minutes {
                d.population
            } else {
                0.0
            },
            if after.0 <= a.minutes {
                d.population
            } else {
                0.0
            },
            d.population * before.0.min(cap),
            d.population * after.0.min(cap),
        ];
        let u = units.entry(d.unit.clone()).or_default();
        for k in 0..5 {
            u[k] += row[k];
            total[k] += row[k];
        }
    }
    let change = |unit: &str, v: &[f64; 5]| {
        let pct = |x: f64| if v[0] > 0.0 { 100.0 * x / v[0] } else { 0.0 };
        let mean = |x: f64| (!covering && v[0] > 0.0).then(|| x / v[0]);
        UnitChange {
            unit: unit.to_string(),
            name: names.get(unit).cloned().unwrap_or_default(),
            population: v[0],
            covered_before_pct: pct(v[1]),
            covered_after_pct: pct(v[2]),
            mean_minutes_before: mean(v[3]),
            mean_minutes_after: mean(v[4]),
        }
    };
    let mut coverage: Vec<UnitChange> = if units.len() > 1 {
        units.iter().map(|(u, v)| change(u, v)).collect()
    } else {
        Vec::new()
    };
    coverage.push(change("", &total));
    // the unit of the demand point nearest (by time) to each site
    let mut nearest_demand: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    for &(i, j, c) in costs {
        let e = nearest_demand
            .entry(j)
            .or_insert((f64::INFINITY, usize::MAX));
        if c < e.0 {
            *e = (c, i);
        }
    }
    let new_sites = s
        .chosen
        .iter()
        .map(|site| {
            let j = site.0 as usize;
            NewSite {
                id: supply[j].id.clone(),
                lon: supply[j].lon,
                lat: supply[j].lat,
                unit: nearest_demand
                    .get(&j)
                    .map(|&(_, i)| demand[i].unit.clone())
                    .unwrap_or_default(),
                unit_name: nearest_demand
                    .get(&j)
                    .and_then(|&(_, i)| names.get(&demand[i].unit).cloned())
                    .unwrap_or_default(),
                residents: residents.get(&site.0).copied().unwrap_or(0.0),
            }
        })
        .collect();
    let uncoverable_pop = s
        .uncoverable
        .iter()
        .map(|i| demand[i.0 as usize].population)
        .sum();
    Scenario {
        name: a.name.clone().unwrap_or_else(|| match a.p {
            Some(p) if s.model != hsplan_siting::Model::Lscp => {
                format!("{}-p{p}", model_key(s.model))
            }
            _ => format!("{}-{}min", model_key(s.model), a.minutes),
        }),
        model: model_key(s.model).into(),
        synthetic_demand: synthetic,
        p: (s.model != hsplan_siting::Model::Lscp).then_some(p),
        minutes: a.minutes,
        max_minutes: cap,
        seed: a.seed,
        demand_points: demand.len(),
        existing,
        candidates,
        pairs: inst.arc_count(),
        objective: s.objective,
        bound: s.bound,
        gap: s.gap,
        method: method_text(&s.method, lang),
        seconds_costs,
        seconds_solve,
        new_sites,
        coverage,
        uncoverable: (s.uncoverable.len(), uncoverable_pop),
    }
}

fn print_scenario(s: &Scenario, model: hsplan_siting::Model, lang: Lang) {
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
                ("objective", &format!("{:.2}", s.objective)),
                ("bound", &format!("{:.2}", s.bound)),
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
            u.population,
            u.covered_before_pct,
            u.covered_after_pct,
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
                    ("pop", &format!("{:.0}", s.uncoverable.1)),
                    ("t", &s.minutes)
                ]
            )
        );
    }
}

/// Unit names from the demand file's optional `unit_name` column.
fn unit_names(demand: Option<&Path>) -> BTreeMap<String, String> {
    let Some(path) = demand else {
        return BTreeMap::new();
    };
    read_rows(path, &["unit", "unit_name"])
        .map(|rows| {
            rows.into_iter()
                .map(|r| (r["unit"].clone(), r["unit_name"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn minutes(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".into())
}

fn load_scenario(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: line {}, column {}: not a scenario file: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
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
            Box::new(|s| format!("{:.2}", s.objective)),
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
                    .map(|u| format!("{:.1}%", u.covered_before_pct))
                    .unwrap_or_default()
            }),
        ),
        (
            Msg::SiteAfter,
            Box::new(move |s| {
                total(s)
                    .map(|u| format!("{:.1}%", u.covered_after_pct))
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
                    .map(|u| format!("{:.1}→{:.1}%", u.covered_before_pct, u.covered_after_pct))
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
    if s.new_sites.is_empty() {
        bail!("{}: the scenario has no new sites", a.scenario.display());
    }
    for n in &s.new_sites {
        if hsplan_model::AdminCode::parse(n.unit.trim()).is_err() {
            bail!(
                "{}: new site {} lies in unit `{}`, which is not an administrative code (give the demand points a `unit` column with unit codes)",
                a.scenario.display(),
                n.id,
                n.unit
            );
        }
    }
    let mut w = csv::Writer::from_path(&a.out)
        .with_context(|| format!("{}: cannot write", a.out.display()))?;
    w.write_record([
        "id",
        "name",
        "type",
        "ownership",
        "unit_code",
        "lon",
        "lat",
        "opened",
    ])?;
    for (k, n) in s.new_sites.iter().enumerate() {
        w.write_record([
            format!("{}-{}", s.name, k + 1),
            format!("{} {}", s.name, n.id),
            a.kind.clone(),
            a.ownership.clone(),
            n.unit.clone(),
            format!("{:.7}", n.lon),
            format!("{:.7}", n.lat),
            a.year.to_string(),
        ])?;
    }
    w.flush()?;
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
