//! Where new facilities should go: the four location models over the road network, from
//! inputs to a scenario with before → after per unit; scenarios compared and applied as
//! planned facilities.

use crate::inputs::{self, Row};
use crate::progress::{Cancel, Progress, Stage};
use crate::{AppError, Lang, Result};
use hsplan_access::analysis::{DemandPoint, SupplyPoint, candidate_nodes};
use hsplan_report::messages::{Msg, fill};
use hsplan_siting::{
    Arc, Cost, CoverOptions, DemandIx, Instance, Model, PMedianOptions, SiteIx, Solution, Weight,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use utoipa::ToSchema;

/// A location model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Location set covering: fewest new sites so that every demand point is within reach.
    Lscp,
    /// Maximal covering: most residents within reach with p new sites.
    Mclp,
    /// p-median: least population-weighted travel time with p new sites.
    Pmedian,
    /// p-center: least worst-case travel time with p new sites.
    Pcenter,
}

impl From<ModelKind> for Model {
    fn from(m: ModelKind) -> Model {
        match m {
            ModelKind::Lscp => Model::Lscp,
            ModelKind::Mclp => Model::Mclp,
            ModelKind::Pmedian => Model::PMedian,
            ModelKind::Pcenter => Model::PCenter,
        }
    }
}

/// Solver choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Heuristic with a Lagrangian bound (always available).
    #[default]
    Heuristic,
    /// Exact MIP through HiGHS, started from the heuristic (needs the `highs` feature).
    Mip,
}

/// A CSV input: a file on this machine, or bytes already in memory (an upload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFile {
    /// A path.
    Path(PathBuf),
    /// An upload: its name (used in messages) and bytes.
    Bytes {
        /// File name.
        name: String,
        /// Contents.
        bytes: Vec<u8>,
    },
}

impl InputFile {
    pub(crate) fn rows(&self, required: &[&str]) -> Result<(String, Vec<Row>)> {
        match self {
            InputFile::Path(p) => Ok((p.display().to_string(), inputs::read_rows(p, required)?)),
            InputFile::Bytes { name, bytes } => Ok((
                name.clone(),
                inputs::read_rows_bytes(name, bytes, required)?,
            )),
        }
    }
}

/// Where demand comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandSource {
    /// Demand points (id,lon,lat,population[,unit][,unit_name]).
    File(InputFile),
    /// A SYNTHETIC grid this many metres apart.
    Grid(f64),
}

/// Where candidate sites come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateSource {
    /// Candidate sites (id,lon,lat).
    File(InputFile),
    /// Network nodes, one per square cell of this many metres; with `uncovered_only`,
    /// only nodes farther than the threshold from every existing facility.
    Spacing {
        /// Cell size, metres.
        metres: f64,
        /// Only outside the existing facilities' reach.
        uncovered_only: bool,
    },
}

/// A siting question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitingRequest {
    /// The model.
    pub model: ModelKind,
    /// Graph file.
    pub graph: PathBuf,
    /// Demand.
    pub demand: DemandSource,
    /// Existing facilities (id,kind,lon,lat): fixed open.
    pub existing: Option<InputFile>,
    /// Only existing facilities of these kinds (all when empty).
    pub kinds: Vec<String>,
    /// Candidates.
    pub candidates: CandidateSource,
    /// Coverage threshold, minutes.
    pub minutes: f64,
    /// New sites (MCLP, p-median, p-center).
    pub p: Option<usize>,
    /// Longest trip considered (p-median, p-center), minutes.
    pub max_minutes: f64,
    /// Seed of the neighbourhood search.
    pub seed: u64,
    /// Solver.
    pub solver: Solver,
    /// Time limit of the MIP, seconds.
    pub time_limit: f64,
    /// Walking speed of the off-network legs, km/h.
    pub walk_kmh: f64,
    /// Scenario name (default: the model and p).
    pub name: Option<String>,
    /// Language of the method's description.
    pub lang: Lang,
    /// Keep the demand points, sites and cost list in the result (for `--out-costs`).
    pub keep_costs: bool,
    /// Put the demand points and existing sites in the scenario (for maps).
    pub with_points: bool,
}

impl SitingRequest {
    /// A request with the CLI's defaults.
    pub fn new(
        model: ModelKind,
        graph: PathBuf,
        demand: DemandSource,
        candidates: CandidateSource,
    ) -> Self {
        SitingRequest {
            model,
            graph,
            demand,
            existing: None,
            kinds: Vec::new(),
            candidates,
            minutes: 15.0,
            p: None,
            max_minutes: 60.0,
            seed: 1,
            solver: Solver::Heuristic,
            time_limit: 120.0,
            walk_kmh: 4.5,
            name: None,
            lang: Lang::Zh,
            keep_costs: false,
            with_points: false,
        }
    }
}

/// A new site in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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

/// A point of a scenario's map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MapPoint {
    /// Id.
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Residents (demand points) or 0 (sites).
    pub population: f64,
    /// Within the threshold before the new sites (demand points).
    pub covered_before: bool,
    /// Within the threshold after.
    pub covered_after: bool,
}

/// A saved scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
    /// Existing sites (for maps; absent in files written without points).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub existing_sites: Vec<MapPoint>,
    /// Demand points with their coverage before and after (for maps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand: Vec<MapPoint>,
}

/// The inputs and cost list of a solved scenario (for `--out-costs`).
#[derive(Debug, Clone, PartialEq)]
pub struct CostList {
    /// (demand index, site index, minutes).
    pub costs: Vec<(usize, usize, f64)>,
    /// Demand points.
    pub demand: Vec<DemandPoint>,
    /// Sites: the existing ones first, then the candidates.
    pub sites: Vec<SupplyPoint>,
    /// How many of the sites are existing.
    pub existing: usize,
}

/// A solved scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// The scenario.
    pub scenario: Scenario,
    /// Inputs and costs, when asked for.
    pub costs: Option<CostList>,
}

/// The model's name in a language.
pub fn model_name(m: Model, lang: Lang) -> &'static str {
    match m {
        Model::Lscp => Msg::SiteLscp.text(lang),
        Model::Mclp => Msg::SiteMclp.text(lang),
        Model::PMedian => Msg::SitePMedian.text(lang),
        Model::PCenter => Msg::SitePCenter.text(lang),
    }
}

/// How a solution was found, in words.
pub fn method_text(m: &hsplan_siting::Method, lang: Lang) -> String {
    use hsplan_siting::Method::*;
    match m {
        Interchange {
            local_searches,
            subgradient_iterations,
            branch_nodes,
        } => fill(
            Msg::SiteMethodInterchange.text(lang),
            &[
                ("ls", local_searches),
                ("it", subgradient_iterations),
                ("nodes", branch_nodes),
            ],
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

/// The model's key in scenario files.
pub fn model_key(m: Model) -> &'static str {
    match m {
        Model::Lscp => "lscp",
        Model::Mclp => "mclp",
        Model::PMedian => "pmedian",
        Model::PCenter => "pcenter",
    }
}

fn positive(field: &str, v: f64, hi: f64, what_en: &str, what_zh: &str) -> Result<()> {
    crate::check_above(field, v, 0.0, hi, what_en, what_zh).map(|_| ())
}

/// Demand points from a file or a SYNTHETIC grid over the graph, the unit names the file
/// gives, and whether they are synthetic.
pub(crate) fn read_demand(
    source: &DemandSource,
    g: &hsplan_access::graph::Graph,
) -> Result<(Vec<DemandPoint>, BTreeMap<String, String>, bool)> {
    match source {
        DemandSource::File(f) => {
            let (file, rows) = f.rows(&["id", "lon", "lat", "population"])?;
            let (d, names) = inputs::demand_from_rows(&file, &rows)?;
            Ok((d, names, false))
        }
        DemandSource::Grid(spacing) => {
            positive("demand_grid", *spacing, 1e6, "metres", "米数")?;
            Ok((inputs::demand_grid(g, *spacing)?, BTreeMap::new(), true))
        }
    }
}

/// Facilities of the given kinds (all when empty) from a file.
pub(crate) fn read_facilities(f: &InputFile, kinds: &[String]) -> Result<Vec<SupplyPoint>> {
    let (file, rows) = f.rows(&["id", "kind", "lon", "lat"])?;
    inputs::facilities_from_rows(&file, &rows, kinds)
}

/// Solves a siting question: reads the inputs, builds the travel costs, solves, and
/// describes the answer per unit. Progress is reported by stage; cancellation is checked
/// between stages.
pub fn solve(req: &SitingRequest, progress: &dyn Progress, cancel: &Cancel) -> Result<Solved> {
    let model: Model = req.model.into();
    let lang = req.lang;
    let p = match (model, req.p) {
        (Model::Lscp, _) => 0,
        (_, Some(p)) if p > 0 => p,
        (_, Some(_)) => {
            return Err(AppError::invalid_said(
                "p",
                "must be at least 1",
                "至少为 1",
            ));
        }
        (_, None) => return Err(AppError::invalid("p", Msg::SiteNeedP.text(lang))),
    };
    positive("minutes", req.minutes, 1440.0, "minutes", "分钟数")?;
    positive("max_minutes", req.max_minutes, 1440.0, "minutes", "分钟数")?;
    crate::check_walk_kmh(req.walk_kmh)?;
    progress.report(Stage::Reading, 0, 3);
    let (g, hierarchy) = inputs::load_graph_with_hierarchy(&req.graph)?;
    // Dijkstra's trips to the sites search the reverse graph; a stored hierarchy needs none.
    let reversed = hierarchy.is_none().then(|| g.reversed());
    let routes = crate::access::routes(&g, reversed.as_ref(), hierarchy.as_ref());
    progress.report(Stage::Reading, 1, 3);
    let (demand, names, synthetic) = read_demand(&req.demand, &g)?;
    progress.report(Stage::Reading, 2, 3);
    let existing = match &req.existing {
        Some(f) => read_facilities(f, &req.kinds)?,
        None => Vec::new(),
    };
    progress.report(Stage::Reading, 3, 3);
    cancel.check()?;
    progress.report(Stage::Candidates, 0, 1);
    let candidates = match &req.candidates {
        CandidateSource::File(f) => {
            let (file, rows) = f.rows(&["id", "lon", "lat"])?;
            inputs::candidates_from_rows(&file, &rows)?
        }
        CandidateSource::Spacing {
            metres,
            uncovered_only,
        } => {
            positive("candidate_spacing", *metres, 1e6, "metres", "米数")?;
            let mut nodes = candidate_nodes(&g, *metres);
            if *uncovered_only && !existing.is_empty() {
                let snapper = hsplan_access::analysis::Snapper::new(&g, req.walk_kmh);
                let sources = snapper.sources(&g, &existing);
                let reach = routes.nearest(
                    &sources,
                    req.minutes * 60.0,
                    hsplan_access::analysis::Direction::ToFacility,
                );
                nodes.retain(|&v| reach.time[v as usize] > req.minutes * 60.0);
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
    };
    if candidates.is_empty() {
        return Err(AppError::invalid(
            "candidates",
            Msg::SiteNoCandidates.text(lang),
        ));
    }
    progress.report(Stage::Candidates, 1, 1);
    cancel.check()?;
    let bound = match model {
        Model::Lscp | Model::Mclp => req.minutes,
        _ => req.max_minutes.max(req.minutes),
    };
    let start = Instant::now();
    let supply: Vec<SupplyPoint> = existing.iter().chain(&candidates).cloned().collect();
    progress.report(Stage::Costs, 0, supply.len() as u64);
    let costs = hsplan_access::analysis::catchment_costs_with_progress(
        &g,
        &routes,
        &supply,
        &demand,
        bound,
        req.walk_kmh,
        &|n, total| progress.report(Stage::Costs, n as u64, total as u64),
    );
    cancel.check()?;
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
    // the cost list is freed here unless it is to be saved: memory is per pair at this size
    let costs = req.keep_costs.then_some(costs);
    // pairs at exactly the bound stay listed
    let cap = Cost(f64::from_bits(bound.to_bits() + 1));
    let inst = Instance::from_arcs(&weights, &fixed, arcs, cap)
        .map_err(|e| AppError::Engine(e.to_string()))?;
    let seconds_costs = start.elapsed().as_secs_f64();

    progress.report(Stage::Solving, 0, 1);
    let start = Instant::now();
    let mut opts = PMedianOptions::new(p);
    opts.seed = req.seed;
    let threshold = Cost(req.minutes);
    let engine = |e: hsplan_siting::SitingError| AppError::Engine(e.to_string());
    let heuristic = match model {
        Model::Lscp => hsplan_siting::lscp(&inst, threshold, &CoverOptions::default()),
        Model::Mclp => hsplan_siting::mclp(&inst, threshold, &opts),
        Model::PMedian => hsplan_siting::pmedian(&inst, &opts),
        Model::PCenter => hsplan_siting::pcenter(&inst, p, &CoverOptions::default()),
    }
    .map_err(engine)?;
    let solution = match req.solver {
        Solver::Heuristic => heuristic,
        Solver::Mip => exact(&inst, &heuristic, p, model, threshold, req.time_limit, lang)?,
    };
    let seconds_solve = start.elapsed().as_secs_f64();
    progress.report(Stage::Solving, 1, 1);
    cancel.check()?;
    progress.report(Stage::Summarising, 0, 1);
    let scenario = describe(
        &inst,
        &solution,
        &Described {
            demand: &demand,
            supply: &supply,
            names: &names,
            req,
            p,
            synthetic,
            existing: existing.len(),
            candidates: candidates.len(),
            seconds: (seconds_costs, seconds_solve),
        },
    );
    progress.report(Stage::Done, 1, 1);
    Ok(Solved {
        scenario,
        costs: costs.map(|costs| CostList {
            costs,
            demand,
            sites: supply,
            existing: existing.len(),
        }),
    })
}

#[cfg(feature = "highs")]
fn exact(
    inst: &Instance,
    heuristic: &Solution,
    p: usize,
    model: Model,
    threshold: Cost,
    time_limit: f64,
    _: Lang,
) -> Result<Solution> {
    let t = matches!(model, Model::Lscp | Model::Mclp).then_some(threshold);
    hsplan_siting::mip::solve(inst, heuristic, p, t, time_limit)
        .map_err(|e| AppError::Engine(e.to_string()))
}

#[cfg(not(feature = "highs"))]
fn exact(
    _: &Instance,
    _: &Solution,
    _: usize,
    _: Model,
    _: Cost,
    _: f64,
    lang: Lang,
) -> Result<Solution> {
    Err(AppError::invalid("solver", Msg::SiteNoHighs.text(lang)))
}

/// What a scenario is described from.
struct Described<'a> {
    demand: &'a [DemandPoint],
    supply: &'a [SupplyPoint],
    names: &'a BTreeMap<String, String>,
    req: &'a SitingRequest,
    p: usize,
    synthetic: bool,
    existing: usize,
    candidates: usize,
    seconds: (f64, f64),
}

fn describe(inst: &Instance, s: &Solution, d: &Described<'_>) -> Scenario {
    let (demand, supply, names, a) = (d.demand, d.supply, d.names, d.req);
    let before_mask = inst.open_mask(&[]);
    let after_mask = inst.open_mask(&s.chosen);
    let mut residents: BTreeMap<u32, f64> = BTreeMap::new();
    let mut units: BTreeMap<String, [f64; 5]> = BTreeMap::new();
    let mut total = [0.0; 5];
    let mut points = Vec::new();
    let covering = matches!(s.model, Model::Lscp | Model::Mclp);
    let cap = if covering {
        a.minutes
    } else {
        a.max_minutes.max(a.minutes)
    };
    for (i, dp) in demand.iter().enumerate() {
        let (_, before) = inst.nearest_open(DemandIx(i as u32), &before_mask);
        let (site, after) = inst.nearest_open(DemandIx(i as u32), &after_mask);
        if let Some(site) = site {
            *residents.entry(site.0).or_default() += dp.population;
        }
        let (in_before, in_after) = (before.0 <= a.minutes, after.0 <= a.minutes);
        if a.with_points {
            points.push(MapPoint {
                id: dp.id.clone(),
                lon: dp.lon,
                lat: dp.lat,
                population: dp.population,
                covered_before: in_before,
                covered_after: in_after,
            });
        }
        let row = [
            dp.population,
            if in_before { dp.population } else { 0.0 },
            if in_after { dp.population } else { 0.0 },
            dp.population * before.0.min(cap),
            dp.population * after.0.min(cap),
        ];
        let u = units.entry(dp.unit.clone()).or_default();
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
    let new_sites = s
        .chosen
        .iter()
        .map(|site| {
            let j = site.0 as usize;
            // the unit of the demand point nearest (by time) to the site
            let nearest = inst
                .nearest_demand(*site)
                .map(|(i, _)| &demand[i.0 as usize]);
            NewSite {
                id: supply[j].id.clone(),
                lon: supply[j].lon,
                lat: supply[j].lat,
                unit: nearest.map(|dp| dp.unit.clone()).unwrap_or_default(),
                unit_name: nearest
                    .and_then(|dp| names.get(&dp.unit).cloned())
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
    let p = d.p;
    Scenario {
        name: a.name.clone().unwrap_or_else(|| match a.p {
            Some(p) if s.model != Model::Lscp => format!("{}-p{p}", model_key(s.model)),
            _ => format!("{}-{}min", model_key(s.model), a.minutes),
        }),
        model: model_key(s.model).into(),
        synthetic_demand: d.synthetic,
        p: (s.model != Model::Lscp).then_some(p),
        minutes: a.minutes,
        max_minutes: cap,
        seed: a.seed,
        demand_points: demand.len(),
        existing: d.existing,
        candidates: d.candidates,
        pairs: inst.arc_count(),
        objective: s.objective,
        bound: s.bound,
        gap: s.gap,
        method: method_text(&s.method, a.lang),
        seconds_costs: d.seconds.0,
        seconds_solve: d.seconds.1,
        new_sites,
        coverage,
        uncoverable: (s.uncoverable.len(), uncoverable_pop),
        existing_sites: if a.with_points {
            supply[..d.existing]
                .iter()
                .map(|f| MapPoint {
                    id: f.id.clone(),
                    lon: f.lon,
                    lat: f.lat,
                    population: 0.0,
                    covered_before: true,
                    covered_after: true,
                })
                .collect()
        } else {
            Vec::new()
        },
        demand: points,
    }
}

/// Reads a scenario file's text; `file` names it in messages.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario> {
    serde_json::from_str(text).map_err(|e| AppError::Input {
        problems: vec![format!(
            "{file}: line {}, column {}: not a scenario file: {e}",
            e.line(),
            e.column()
        )],
        more: 0,
    })
}

/// How a scenario's new sites become planned facilities.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
pub struct ApplyRequest {
    /// Institution type of the new facilities, as in the facilities table
    /// (e.g. community_health_centre).
    pub kind: String,
    /// Year they open.
    #[schema(minimum = 1949, maximum = 2100)]
    #[serde(deserialize_with = "crate::whole::number")]
    pub year: i64,
    /// Ownership, as in the facilities table (default government).
    pub ownership: Option<String>,
}

/// A scenario's new sites as a facilities table (CSV in hsplan's import format) opening in
/// a plan year. Refused when a site's unit is not an administrative code.
pub fn apply_csv(s: &Scenario, file: &str, req: &ApplyRequest) -> Result<Vec<u8>> {
    if s.new_sites.is_empty() {
        return Err(AppError::invalid(file, "the scenario has no new sites"));
    }
    crate::parse_year("year", req.year)?;
    for n in &s.new_sites {
        if hsplan_model::AdminCode::parse(n.unit.trim()).is_err() {
            return Err(AppError::invalid(
                file,
                format!(
                    "new site {} lies in unit `{}`, which is not an administrative code (give the demand points a `unit` column with unit codes)",
                    n.id, n.unit
                ),
            ));
        }
    }
    let err = |e: csv::Error| AppError::File(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "name",
        "type",
        "ownership",
        "unit_code",
        "lon",
        "lat",
        "opened",
    ])
    .map_err(err)?;
    for (k, n) in s.new_sites.iter().enumerate() {
        w.write_record([
            format!("{}-{}", s.name, k + 1),
            format!("{} {}", s.name, n.id),
            req.kind.clone(),
            req.ownership.clone().unwrap_or_else(|| "government".into()),
            n.unit.clone(),
            format!("{:.7}", n.lon),
            format!("{:.7}", n.lat),
            req.year.to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| AppError::File(format!("writing CSV: {e}")))
}
