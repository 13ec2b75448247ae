//! Access to care over the road network: the share of residents within travel-time
//! thresholds of the facilities, per unit, and isochrones as GeoJSON.

use crate::progress::{Cancel, Progress, Stage};
use crate::siting::{DemandSource, InputFile};
use crate::{AppError, Result};
pub use hsplan_access::analysis::Direction;
use hsplan_access::analysis::{Coverage, CoverageOptions, Routes, SupplyPoint};
use hsplan_access::graph::Graph;
use std::path::PathBuf;

/// Largest threshold accepted, minutes.
pub const MAX_THRESHOLD_MIN: f64 = 600.0;
/// Smallest isochrone raster cell, metres (finer rasters of a county need gigabytes).
pub const MIN_CELL_M: f64 = 10.0;

/// An access question.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessRequest {
    /// Graph file.
    pub graph: PathBuf,
    /// Demand points.
    pub demand: DemandSource,
    /// Facilities (id,kind,lon,lat[,capacity]).
    pub facilities: InputFile,
    /// Only facilities of these kinds (all when empty).
    pub kinds: Vec<String>,
    /// Thresholds, minutes, ascending.
    pub thresholds_min: Vec<f64>,
    /// Residents travel to the facility, or the facility travels to them (ambulances).
    pub direction: Direction,
    /// Minutes added to every trip (dispatch).
    pub dispatch_min: f64,
    /// Snap distances beyond this are reported.
    pub max_snap_m: f64,
    /// Walking speed of the off-network legs, km/h.
    pub walk_kmh: f64,
    /// Also trace isochrones on a raster of this many metres.
    pub isochrone_cell_m: Option<f64>,
}

/// An access answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessResult {
    /// Coverage per demand point, per unit and overall.
    pub coverage: Coverage,
    /// Demand points are a synthetic grid.
    pub synthetic_demand: bool,
    /// Facilities counted.
    pub facilities: Vec<SupplyPoint>,
    /// Demand points where they are, with minutes to the nearest facility (for maps).
    pub points: Vec<AccessPoint>,
    /// The graph's travel profile.
    pub graph_profile: String,
    /// The graph's nodes.
    pub graph_nodes: usize,
    /// How the times were found: `dijkstra`, or `contraction_hierarchy` when the graph file
    /// holds one.
    pub engine: String,
    /// Names of the units the demand file names (unit → name).
    pub unit_names: std::collections::BTreeMap<String, String>,
    /// Isochrones (FeatureCollection of MultiPolygons with `minutes`), when asked for.
    pub isochrones: Option<serde_json::Value>,
}

/// A demand point on the map.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessPoint {
    /// Id.
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Residents.
    pub population: f64,
    /// Minutes to the nearest facility, when within the largest threshold.
    pub minutes: Option<f64>,
}

/// Checks thresholds: finite, positive, at most [`MAX_THRESHOLD_MIN`], ascending order made.
pub fn thresholds(field: &str, values: &[f64]) -> Result<Vec<f64>> {
    if values.is_empty() {
        return Err(AppError::invalid_said(
            field,
            "give at least one threshold in minutes",
            "请至少给出一个以分钟计的时间阈值",
        ));
    }
    let mut out = Vec::new();
    for &v in values {
        out.push(crate::check_above(
            field,
            v,
            0.0,
            MAX_THRESHOLD_MIN,
            "minutes",
            "分钟数",
        )?);
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}

/// Isochrones of `facilities` (together) as a GeoJSON FeatureCollection.
pub fn isochrones_geojson(
    g: &Graph,
    name: &str,
    facilities: &[SupplyPoint],
    thresholds_min: &[f64],
    cell_m: f64,
    walk_kmh: f64,
) -> Result<Vec<serde_json::Value>> {
    crate::check_number("cell_m", cell_m, MIN_CELL_M..=100_000.0, "metres", "米数")?;
    let round = |x: f64| (x * 1e7).round() / 1e7;
    Ok(
        hsplan_access::analysis::isochrones(g, facilities, thresholds_min, cell_m, walk_kmh)
            .into_iter()
            .map(|(t, polys)| {
                let coords: Vec<Vec<Vec<[f64; 2]>>> = polys
                    .iter()
                    .map(|p| {
                        p.iter()
                            .map(|r| r.iter().map(|(x, y)| [round(*x), round(*y)]).collect())
                            .collect()
                    })
                    .collect();
                serde_json::json!({
                    "type": "Feature",
                    "properties": {"name": format!("{t} min"), "facilities": name, "minutes": t, "profile": g.profile, "cell_m": cell_m},
                    "geometry": {"type": "MultiPolygon", "coordinates": coords}
                })
            })
            .collect(),
    )
}

/// Runs an access question.
pub fn run(req: &AccessRequest, progress: &dyn Progress, cancel: &Cancel) -> Result<AccessResult> {
    let thresholds_min = thresholds("thresholds", &req.thresholds_min)?;
    crate::check_walk_kmh(req.walk_kmh)?;
    crate::check_number(
        "dispatch_min",
        req.dispatch_min,
        0.0..=1440.0,
        "minutes",
        "分钟数",
    )?;
    crate::check_number(
        "max_snap_m",
        req.max_snap_m,
        0.0..=1_000_000.0,
        "metres",
        "米数",
    )?;
    progress.report(Stage::Reading, 0, 2);
    let (g, hierarchy) = crate::inputs::load_graph_with_hierarchy(&req.graph)?;
    let (demand, unit_names, synthetic_demand) = crate::siting::read_demand(&req.demand, &g)?;
    let facilities = crate::siting::read_facilities(&req.facilities, &req.kinds)?;
    progress.report(Stage::Reading, 2, 2);
    cancel.check()?;
    progress.report(Stage::Costs, 0, 1);
    // A stored hierarchy answers both directions; without one, Dijkstra needs the reverse
    // graph only for trips to the facilities.
    let reversed =
        (hierarchy.is_none() && req.direction == Direction::ToFacility).then(|| g.reversed());
    let routes = routes(&g, reversed.as_ref(), hierarchy.as_ref());
    let engine = routes.engine().to_string();
    let coverage = hsplan_access::analysis::coverage(
        &g,
        &routes,
        &facilities,
        &demand,
        &CoverageOptions {
            thresholds_min: thresholds_min.clone(),
            direction: req.direction,
            dispatch_min: req.dispatch_min,
            max_snap_m: req.max_snap_m,
            walk_kmh: req.walk_kmh,
        },
    );
    progress.report(Stage::Costs, 1, 1);
    cancel.check()?;
    let isochrones = match req.isochrone_cell_m {
        Some(cell) => {
            progress.report(Stage::Summarising, 0, 1);
            let features =
                isochrones_geojson(&g, "all", &facilities, &thresholds_min, cell, req.walk_kmh)?;
            Some(serde_json::json!({"type": "FeatureCollection", "features": features}))
        }
        None => None,
    };
    progress.report(Stage::Done, 1, 1);
    // coverage lists the points in the order of the demand
    let points = demand
        .iter()
        .zip(&coverage.points)
        .map(|(d, p)| AccessPoint {
            id: d.id.clone(),
            lon: d.lon,
            lat: d.lat,
            population: d.population,
            minutes: p.minutes,
        })
        .collect();
    Ok(AccessResult {
        engine,
        graph_profile: g.profile.to_string(),
        graph_nodes: g.node_count(),
        points,
        unit_names,
        coverage,
        synthetic_demand,
        facilities,
        isochrones,
    })
}

/// Parses a distance decay: `steps:M=W,…` (weights for times up to each bound) or
/// `gaussian:M`. Minutes must be positive and finite, weights within 0–1.
pub fn parse_decay(field: &str, text: &str) -> Result<hsplan_access::analysis::Decay> {
    use hsplan_access::analysis::Decay;
    let bad = |m: String| AppError::invalid(field, format!("`{text}`: {m}"));
    let minutes = |s: &str| -> Result<f64> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|m| m.is_finite() && *m > 0.0 && *m <= MAX_THRESHOLD_MIN)
            .ok_or_else(|| {
                bad(format!(
                    "`{s}` is not minutes above 0 and at most {MAX_THRESHOLD_MIN}"
                ))
            })
    };
    if let Some(d0) = text.strip_prefix("gaussian:") {
        return Ok(Decay::Gaussian { d0: minutes(d0)? });
    }
    let Some(steps) = text.strip_prefix("steps:") else {
        return Err(bad("expected steps:M=W,… or gaussian:M".into()));
    };
    let mut out = Vec::new();
    for part in steps.split(',') {
        let (m, w) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("`{part}` is not M=W")))?;
        let weight = w
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|w| (0.0..=1.0).contains(w))
            .ok_or_else(|| bad(format!("`{w}` is not a weight within 0–1")))?;
        out.push((minutes(m)?, weight));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Decay::Steps(out))
}

/// An E2SFCA question: spatial accessibility of each demand point to facility capacity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct E2sfcaRequest {
    /// Graph file.
    pub graph: PathBuf,
    /// Demand points.
    pub demand: DemandSource,
    /// Facilities (capacity column used).
    pub facilities: InputFile,
    /// Only facilities of these kinds.
    pub kinds: Vec<String>,
    /// Decay (`steps:…` or `gaussian:…`).
    pub decay: String,
    /// Walking speed of the off-network legs, km/h.
    pub walk_kmh: f64,
    /// A given cost list (demand,facility,minutes) instead of searching the network.
    pub costs: Option<InputFile>,
}

/// Accessibility of one demand point.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct E2sfcaPoint {
    /// Demand point id.
    pub id: String,
    /// Its unit.
    pub unit: String,
    /// Residents.
    pub population: f64,
    /// Accessibility (capacity per resident, distance-weighted).
    pub access: f64,
}

/// An E2SFCA answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct E2sfcaResult {
    /// Per demand point.
    pub points: Vec<E2sfcaPoint>,
    /// Population-weighted mean per unit (unit, mean); "" for points without a unit.
    pub by_unit: Vec<(String, f64)>,
    /// Facilities counted.
    pub facilities: Vec<SupplyPoint>,
    /// Demand-to-facility minutes used: (demand index, facility index, minutes).
    pub costs: Vec<(usize, usize, f64)>,
    /// The catchment, minutes.
    pub max_minutes: f64,
    /// Demand points are a synthetic grid.
    pub synthetic_demand: bool,
    /// Seconds in network searches.
    pub search_seconds: f64,
    /// How the costs were found: `dijkstra` (one search per facility),
    /// `contraction_hierarchy` (the graph file's, many-to-many) or `given` (a cost list).
    pub engine: String,
    /// Seconds computing the ratios.
    pub compute_seconds: f64,
}

fn read_costs(
    f: &InputFile,
    demand: &[hsplan_access::analysis::DemandPoint],
    facilities: &[SupplyPoint],
) -> Result<Vec<(usize, usize, f64)>> {
    let (file, rows) = f.rows(&["demand", "facility", "minutes"])?;
    let di: std::collections::HashMap<&str, usize> = demand
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let fi: std::collections::HashMap<&str, usize> = facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        let (Some(i), Some(j)) = (di.get(r["demand"].as_str()), fi.get(r["facility"].as_str()))
        else {
            return Err(AppError::Input {
                problems: vec![format!(
                    "{file}: line {}: unknown demand or facility id",
                    k + 2
                )],
                more: 0,
            });
        };
        out.push((*i, *j, crate::inputs::number(&file, k + 2, r, "minutes")?));
    }
    Ok(out)
}

/// The routes a graph file offers: its stored contraction hierarchy, or else Dijkstra on
/// the graph and `reversed` (needed only for trips to the facilities; the graph stands in
/// where it is not given).
pub(crate) fn routes<'a>(
    g: &'a hsplan_access::graph::Graph,
    reversed: Option<&'a hsplan_access::graph::Graph>,
    hierarchy: Option<&'a hsplan_access::ch::ContractionHierarchy>,
) -> Routes<'a> {
    match hierarchy {
        Some(h) => Routes::Hierarchy(h),
        None => Routes::Dijkstra {
            graph: g,
            reversed: reversed.unwrap_or(g),
        },
    }
}

/// Runs E2SFCA: catchment costs over the network (or the given list), then the ratios.
pub fn e2sfca(
    req: &E2sfcaRequest,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<E2sfcaResult> {
    let decay = parse_decay("decay", &req.decay)?;
    crate::check_walk_kmh(req.walk_kmh)?;
    progress.report(Stage::Reading, 0, 1);
    let (g, hierarchy) = crate::inputs::load_graph_with_hierarchy(&req.graph)?;
    let (demand, _, synthetic_demand) = crate::siting::read_demand(&req.demand, &g)?;
    let facilities = crate::siting::read_facilities(&req.facilities, &req.kinds)?;
    if let Some(f) = facilities
        .iter()
        .find(|f| !(f.capacity.is_finite() && f.capacity >= 0.0))
    {
        return Err(AppError::invalid(
            "capacity",
            format!(
                "facility {}: capacity `{}` must be a finite number ≥ 0",
                f.id, f.capacity
            ),
        ));
    }
    if let Some(d) = demand
        .iter()
        .find(|d| !(d.population.is_finite() && d.population >= 0.0))
    {
        return Err(AppError::invalid(
            "population",
            format!(
                "demand point {}: population `{}` must be a finite number ≥ 0",
                d.id, d.population
            ),
        ));
    }
    cancel.check()?;
    progress.report(Stage::Costs, 0, facilities.len() as u64);
    let start = std::time::Instant::now();
    let mut engine = "given";
    let costs = match &req.costs {
        None => {
            let reversed = hierarchy.is_none().then(|| g.reversed());
            let routes = routes(&g, reversed.as_ref(), hierarchy.as_ref());
            engine = routes.engine();
            hsplan_access::analysis::catchment_costs_with_progress(
                &g,
                &routes,
                &facilities,
                &demand,
                decay.max_minutes(),
                req.walk_kmh,
                &|n, total| progress.report(Stage::Costs, n as u64, total as u64),
            )
        }
        Some(f) => read_costs(f, &demand, &facilities)?,
    };
    let search_seconds = start.elapsed().as_secs_f64();
    cancel.check()?;
    progress.report(Stage::Solving, 0, 1);
    let pops: Vec<f64> = demand.iter().map(|d| d.population).collect();
    let caps: Vec<f64> = facilities.iter().map(|f| f.capacity).collect();
    let t = std::time::Instant::now();
    let access = hsplan_access::analysis::e2sfca_from_costs(&pops, &caps, &costs, &decay);
    let compute_seconds = t.elapsed().as_secs_f64();
    let mut by_unit: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
    for (d, v) in demand.iter().zip(&access) {
        let e = by_unit.entry(d.unit.as_str()).or_default();
        e.0 += d.population * v;
        e.1 += d.population;
    }
    progress.report(Stage::Done, 1, 1);
    Ok(E2sfcaResult {
        by_unit: by_unit
            .into_iter()
            .map(|(u, (sum, pop))| (u.to_string(), if pop > 0.0 { sum / pop } else { 0.0 }))
            .collect(),
        points: demand
            .iter()
            .zip(&access)
            .map(|(d, v)| E2sfcaPoint {
                id: d.id.clone(),
                unit: d.unit.clone(),
                population: d.population,
                access: *v,
            })
            .collect(),
        facilities,
        costs,
        max_minutes: decay.max_minutes(),
        synthetic_demand,
        search_seconds,
        engine: engine.to_string(),
        compute_seconds,
    })
}

/// What a graph build kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GraphSummary {
    /// The input file.
    pub input: String,
    /// Profile name (or "as given" for an arc list).
    pub profile: String,
    /// Ways read (0 for an arc list).
    pub ways: usize,
    /// Ways travelled by the profile.
    pub ways_used: usize,
    /// Nodes kept (largest strongly connected component).
    pub nodes: usize,
    /// Arcs kept.
    pub arcs: usize,
    /// Nodes before keeping the largest component.
    pub nodes_before: usize,
    /// Arcs before.
    pub arcs_before: usize,
    /// Smaller components dropped.
    pub components_dropped: usize,
    /// Whether the input was an arc list (DIMACS .gr) with weights as given.
    pub arc_list: bool,
}

/// A reader that reports the share of a file read as [`Stage::Reading`] progress (at most
/// every 4 MiB).
struct ReadProgress<'a, R> {
    inner: R,
    read: u64,
    total: u64,
    progress: &'a dyn Progress,
}

impl<R: std::io::Read> std::io::Read for ReadProgress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let before = self.read >> 22;
        self.read += n as u64;
        if self.read >> 22 != before || (n == 0 && self.total > 0) {
            self.progress
                .report(Stage::Reading, self.read.min(self.total), self.total);
        }
        Ok(n)
    }
}

/// Preprocesses a graph for fast nearest-facility queries (a contraction hierarchy),
/// reporting [`Stage::Preprocessing`] as nodes are contracted.
pub fn preprocess(g: &Graph, progress: &dyn Progress) -> hsplan_access::ch::ContractionHierarchy {
    progress.report(Stage::Preprocessing, 0, g.node_count() as u64);
    let h = hsplan_access::ch::ContractionHierarchy::build_with_progress(g, &mut |done, total| {
        progress.report(Stage::Preprocessing, done as u64, total as u64)
    });
    progress.report(Stage::Preprocessing, 1, 1);
    h
}

/// Writes a graph file (with its hierarchy when given): to `<out>.partial` first, then
/// renamed, so a failed or interrupted write never leaves a half-written graph under `out`.
pub fn save_graph(
    g: &Graph,
    hierarchy: Option<&hsplan_access::ch::ContractionHierarchy>,
    out: &std::path::Path,
) -> Result<()> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let cannot =
        |e: std::io::Error| AppError::File(format!("{}: cannot write: {e}", out.display()));
    std::fs::write(&partial, g.to_bytes_with(hierarchy)).map_err(cannot)?;
    std::fs::rename(&partial, out).map_err(cannot)
}

/// Builds a road graph from an OSM PBF, a road GeoJSON (.geojson or .geojson.gz) or a
/// DIMACS arc list (.gr), keeping the largest strongly connected component.
pub fn build_graph(
    input: &std::path::Path,
    profile: &hsplan_access::roads::Profile,
    progress: &dyn Progress,
) -> Result<(Graph, GraphSummary)> {
    let name = input.display().to_string();
    let cannot = |e: std::io::Error| AppError::File(format!("{name}: cannot read: {e}"));
    let located = |e: &dyn std::fmt::Display| AppError::Input {
        problems: vec![e.to_string()],
        more: 0,
    };
    progress.report(Stage::Reading, 0, 1);
    if name.ends_with(".gr") {
        let text = std::fs::read_to_string(input).map_err(cannot)?;
        let full = Graph::from_dimacs(&name, &text).map_err(|e| located(&e))?;
        let (nodes_before, arcs_before) = (full.node_count(), full.arc_count());
        let (g, dropped) = full.largest_component();
        let summary = GraphSummary {
            input: name,
            profile: "as given".into(),
            ways: 0,
            ways_used: 0,
            nodes: g.node_count(),
            arcs: g.arc_count(),
            nodes_before,
            arcs_before,
            components_dropped: dropped,
            arc_list: true,
        };
        return Ok((g, summary));
    }
    let roads = if name.ends_with(".pbf") {
        let file = std::fs::File::open(input).map_err(cannot)?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        // the bytes read so far, as the progress of reading
        let counted = ReadProgress {
            inner: file,
            read: 0,
            total,
            progress,
        };
        hsplan_access::roads::read_pbf(&name, std::io::BufReader::new(counted))
            .map_err(|e| located(&e))?
    } else {
        let bytes = std::fs::read(input).map_err(cannot)?;
        let text = if name.ends_with(".gz") {
            hsplan_access::roads::gunzip(&bytes)
                .map_err(|e| located(&format!("{name}: not gzip: {e}")))?
        } else {
            String::from_utf8(bytes).map_err(|e| located(&format!("{name}: not UTF-8: {e}")))?
        };
        hsplan_access::roads::read_geojson(&name, &text).map_err(|e| located(&e))?
    };
    progress.report(Stage::Building, 0, 1);
    let (g, report) = Graph::build(&roads, profile);
    progress.report(Stage::Building, 1, 1);
    if g.node_count() == 0 {
        return Err(located(&format!(
            "{name}: no roads travelled by {} ({} ways with a highway tag read); nothing to build",
            profile.name, report.ways
        )));
    }
    progress.report(Stage::Done, 1, 1);
    Ok((
        g,
        GraphSummary {
            input: name,
            profile: profile.name.clone(),
            ways: report.ways,
            ways_used: report.ways_used,
            nodes: report.nodes,
            arcs: report.arcs,
            nodes_before: report.nodes_before,
            arcs_before: report.arcs_before,
            components_dropped: report.components_dropped,
            arc_list: false,
        },
    ))
}
