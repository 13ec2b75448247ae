//! Planning answers over the graph: snapping points to the network, coverage within
//! travel-time thresholds, (E)2SFCA, and isochrone polygons.

use crate::ch::ContractionHierarchy;
use crate::graph::{Graph, haversine_m};
use crate::search::{Reach, Searcher, Source, nearest};
use rstar::{RTree, primitives::GeomWithData};
use std::collections::BTreeMap;

/// A demand point (village/community centroid or a population grid cell).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DemandPoint {
    /// Id.
    pub id: String,
    /// Admin unit it belongs to (for per-unit results).
    pub unit: String,
    /// Population.
    pub population: f64,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Urban (true) or rural (false), when known: the standard is 15 / 30 minutes.
    pub urban: Option<bool>,
}

/// A facility (supply point).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SupplyPoint {
    /// Id.
    pub id: String,
    /// Kind (hospital, clinic…).
    pub kind: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Capacity for E2SFCA (beds, doctors…; 1 when unknown).
    pub capacity: f64,
}

/// Where a point joins the network.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Snap {
    /// Nearest node.
    pub node: u32,
    /// Straight-line distance to it, metres.
    pub distance_m: f64,
    /// Seconds to cover it at walking speed.
    pub leg_s: f64,
}

/// A spatial index of the graph's nodes.
pub struct Snapper {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
    kx: f64,
    walk_mps: f64,
}

const M_PER_DEG: f64 = 111_320.0;

impl Snapper {
    /// Indexes the nodes; the off-network leg is walked at `walk_kmh`.
    pub fn new(g: &Graph, walk_kmh: f64) -> Snapper {
        let lat0 = if g.coords.is_empty() {
            0.0
        } else {
            g.coords.iter().map(|c| c.1).sum::<f64>() / g.coords.len() as f64
        };
        let kx = lat0.to_radians().cos() * M_PER_DEG;
        let pts = g
            .coords
            .iter()
            .enumerate()
            .map(|(i, (lon, lat))| GeomWithData::new([lon * kx, lat * M_PER_DEG], i as u32))
            .collect();
        Snapper {
            tree: RTree::bulk_load(pts),
            kx,
            walk_mps: walk_kmh / 3.6,
        }
    }

    /// The nearest node to a position.
    pub fn snap(&self, g: &Graph, lon: f64, lat: f64) -> Option<Snap> {
        let n = self
            .tree
            .nearest_neighbor(&[lon * self.kx, lat * M_PER_DEG])?;
        let d = haversine_m((lon, lat), g.coords[n.data as usize]);
        Some(Snap {
            node: n.data,
            distance_m: d,
            leg_s: d / self.walk_mps,
        })
    }

    /// Supply points as search sources: each snapped one at its node, its walk as the
    /// offset, its index as the id (points that do not snap are left out).
    pub fn sources(&self, g: &Graph, points: &[SupplyPoint]) -> Vec<Source> {
        points
            .iter()
            .enumerate()
            .filter_map(|(j, f)| {
                self.snap(g, f.lon, f.lat).map(|s| Source {
                    node: s.node,
                    offset: s.leg_s,
                    id: j as u32,
                })
            })
            .collect()
    }
}

/// Which way travel goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Residents travel to the facility (searched on the reversed graph).
    ToFacility,
    /// From the facility to residents (ambulance response).
    FromFacility,
}

/// Options of a coverage run.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageOptions {
    /// Thresholds in minutes.
    pub thresholds_min: Vec<f64>,
    /// Direction of travel.
    pub direction: Direction,
    /// Minutes added to every time (dispatch time for ambulance response).
    pub dispatch_min: f64,
    /// Points snapped farther than this are reported (and still counted).
    pub max_snap_m: f64,
    /// Walking speed of the off-network legs.
    pub walk_kmh: f64,
}

/// One demand point's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PointTime {
    /// Demand point id.
    pub id: String,
    /// Unit.
    pub unit: String,
    /// Population.
    pub population: f64,
    /// Minutes to the nearest facility (None when none is reachable within the largest
    /// threshold).
    pub minutes: Option<f64>,
    /// Nearest facility id.
    pub facility: Option<String>,
    /// Snap distance, metres.
    pub snap_m: f64,
}

/// Coverage of one unit (or of everything).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitCoverage {
    /// Unit ("" for all).
    pub unit: String,
    /// Population.
    pub population: f64,
    /// Population within each threshold, in the order of the thresholds.
    pub covered: Vec<f64>,
    /// Share within each threshold, %.
    pub share_pct: Vec<f64>,
    /// Share within its own standard (urban 15 / rural 30 min), % of the population whose
    /// class is known.
    pub standard_share_pct: Option<f64>,
}

/// A coverage result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coverage {
    /// Thresholds, minutes.
    pub thresholds_min: Vec<f64>,
    /// Per point.
    pub points: Vec<PointTime>,
    /// Per unit, sorted by unit.
    pub units: Vec<UnitCoverage>,
    /// Everything.
    pub total: UnitCoverage,
    /// Points snapped farther than the threshold: (id, metres).
    pub far_snaps: Vec<(String, f64)>,
    /// Facilities that could not be snapped (empty graph).
    pub unsnapped_facilities: usize,
}

fn summarise(
    unit: &str,
    pts: &[&PointTime],
    thresholds: &[f64],
    urban: &[Option<bool>],
) -> UnitCoverage {
    let population: f64 = pts.iter().map(|p| p.population).sum();
    let covered: Vec<f64> = thresholds
        .iter()
        .map(|t| {
            pts.iter()
                .filter(|p| p.minutes.is_some_and(|m| m <= *t + 1e-9))
                .map(|p| p.population)
                .sum()
        })
        .collect();
    let (mut known, mut ok) = (0.0, 0.0);
    for (p, u) in pts.iter().zip(urban) {
        if let Some(u) = u {
            known += p.population;
            let standard = if *u { 15.0 } else { 30.0 };
            if p.minutes.is_some_and(|m| m <= standard + 1e-9) {
                ok += p.population;
            }
        }
    }
    UnitCoverage {
        unit: unit.to_string(),
        population,
        share_pct: covered
            .iter()
            .map(|c| {
                if population > 0.0 {
                    c / population * 100.0
                } else {
                    0.0
                }
            })
            .collect(),
        covered,
        standard_share_pct: (known > 0.0).then(|| ok / known * 100.0),
    }
}

/// How nearest-facility times are found: plain Dijkstra (the reference; it needs the graph
/// and its reverse) or a contraction hierarchy of the graph (one preprocessed structure
/// answers both directions).
#[derive(Debug, Clone, Copy)]
pub enum Routes<'a> {
    /// Dijkstra on the graph (from facilities) or on its reverse (to facilities).
    Dijkstra {
        /// The road graph.
        graph: &'a Graph,
        /// The same graph with every arc reversed.
        reversed: &'a Graph,
    },
    /// PHAST sweeps over the graph's contraction hierarchy.
    Hierarchy(&'a ContractionHierarchy),
}

impl Routes<'_> {
    /// Nearest-facility times to (or from) every node within `limit` seconds.
    pub fn nearest(&self, facilities: &[Source], limit: f64, direction: Direction) -> Reach {
        match (self, direction) {
            (Routes::Dijkstra { reversed, .. }, Direction::ToFacility) => {
                nearest(reversed, facilities, limit)
            }
            (Routes::Dijkstra { graph, .. }, Direction::FromFacility) => {
                nearest(graph, facilities, limit)
            }
            (Routes::Hierarchy(h), Direction::ToFacility) => h.nearest_to(facilities, limit),
            (Routes::Hierarchy(h), Direction::FromFacility) => h.nearest(facilities, limit),
        }
    }

    /// The engine's name as reported: `dijkstra` or `contraction_hierarchy`.
    pub fn engine(&self) -> &'static str {
        match self {
            Routes::Dijkstra { .. } => "dijkstra",
            Routes::Hierarchy(_) => "contraction_hierarchy",
        }
    }
}

/// Share of the population within each threshold of the nearest facility, per unit and
/// overall, with every point's time and the uncovered ones identifiable.
pub fn coverage(
    graph: &Graph,
    routes: &Routes,
    facilities: &[SupplyPoint],
    demand: &[DemandPoint],
    opt: &CoverageOptions,
) -> Coverage {
    let snapper = Snapper::new(graph, opt.walk_kmh);
    let limit_s = opt.thresholds_min.iter().copied().fold(0.0, f64::max) * 60.0;
    let mut sources = Vec::new();
    let mut unsnapped = 0;
    for (i, f) in facilities.iter().enumerate() {
        match snapper.snap(graph, f.lon, f.lat) {
            Some(s) => sources.push(Source {
                node: s.node,
                offset: s.leg_s + opt.dispatch_min * 60.0,
                id: i as u32,
            }),
            None => unsnapped += 1,
        }
    }
    let reach = routes.nearest(&sources, limit_s, opt.direction);
    let mut points = Vec::with_capacity(demand.len());
    let mut far = Vec::new();
    for d in demand {
        let snap = snapper.snap(graph, d.lon, d.lat);
        let (minutes, facility, snap_m) = match snap {
            Some(s) => {
                let t = reach.time[s.node as usize] + s.leg_s;
                if s.distance_m > opt.max_snap_m {
                    far.push((d.id.clone(), s.distance_m));
                }
                if t.is_finite() && t <= limit_s {
                    (
                        Some(t / 60.0),
                        Some(
                            facilities[reach.source[s.node as usize] as usize]
                                .id
                                .clone(),
                        ),
                        s.distance_m,
                    )
                } else {
                    (None, None, s.distance_m)
                }
            }
            None => (None, None, f64::INFINITY),
        };
        points.push(PointTime {
            id: d.id.clone(),
            unit: d.unit.clone(),
            population: d.population,
            minutes,
            facility,
            snap_m,
        });
    }
    let mut by_unit: BTreeMap<&str, (Vec<&PointTime>, Vec<Option<bool>>)> = BTreeMap::new();
    for (p, d) in points.iter().zip(demand) {
        let e = by_unit.entry(p.unit.as_str()).or_default();
        e.0.push(p);
        e.1.push(d.urban);
    }
    let units = by_unit
        .iter()
        .map(|(u, (pts, urb))| summarise(u, pts, &opt.thresholds_min, urb))
        .collect();
    let all: Vec<&PointTime> = points.iter().collect();
    let urb: Vec<Option<bool>> = demand.iter().map(|d| d.urban).collect();
    let total = summarise("", &all, &opt.thresholds_min, &urb);
    Coverage {
        thresholds_min: opt.thresholds_min.clone(),
        points,
        units,
        total,
        far_snaps: far,
        unsnapped_facilities: unsnapped,
    }
}

/// Distance decay of the (E)2SFCA.
#[derive(Debug, Clone, PartialEq)]
pub enum Decay {
    /// Weight w for times up to each upper bound (minutes), 0 beyond the last; one step of
    /// weight 1 is the classic 2SFCA. Luo & Qi (2009) use 10/20/30 min → 1, 0.68, 0.22.
    Steps(Vec<(f64, f64)>),
    /// Gaussian within d0 minutes (Dai 2010): (e^(−½(d/d0)²) − e^(−½)) / (1 − e^(−½)).
    Gaussian {
        /// Catchment size, minutes.
        d0: f64,
    },
}

impl Decay {
    /// The catchment, minutes.
    pub fn max_minutes(&self) -> f64 {
        match self {
            Decay::Steps(s) => s.iter().map(|x| x.0).fold(0.0, f64::max),
            Decay::Gaussian { d0 } => *d0,
        }
    }

    /// Weight at `minutes`.
    pub fn weight(&self, minutes: f64) -> f64 {
        match self {
            Decay::Steps(s) => s
                .iter()
                .find(|(upper, _)| minutes <= *upper)
                .map_or(0.0, |x| x.1),
            Decay::Gaussian { d0 } => {
                if minutes > *d0 {
                    0.0
                } else {
                    let e = (-0.5f64).exp();
                    ((-0.5 * (minutes / d0).powi(2)).exp() - e) / (1.0 - e)
                }
            }
        }
    }
}

/// (E)2SFCA from a sparse cost list (demand i, supply j, minutes): supply-to-demand ratio
/// R_j = S_j / Σ_i P_i·W(d_ij), accessibility A_i = Σ_j R_j·W(d_ij).
pub fn e2sfca_from_costs(
    population: &[f64],
    capacity: &[f64],
    costs: &[(usize, usize, f64)],
    decay: &Decay,
) -> Vec<f64> {
    let mut weighted_demand = vec![0.0; capacity.len()];
    for &(i, j, d) in costs {
        weighted_demand[j] += population[i] * decay.weight(d);
    }
    let ratio: Vec<f64> = capacity
        .iter()
        .zip(&weighted_demand)
        .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
        .collect();
    let mut access = vec![0.0; population.len()];
    for &(i, j, d) in costs {
        access[i] += ratio[j] * decay.weight(d);
    }
    access
}

/// Demand-to-supply travel minutes within `max_minutes`, over the network, sorted by
/// (demand, supply) whatever the threads. With [`Routes::Dijkstra`], one bounded search per
/// supply point on the reversed graph; with [`Routes::Hierarchy`], bucket-based many-to-many
/// searches over the contraction hierarchy ([`ContractionHierarchy::times_to`]). The work
/// is shared over the available threads.
pub fn catchment_costs(
    graph: &Graph,
    routes: &Routes,
    supply: &[SupplyPoint],
    demand: &[DemandPoint],
    max_minutes: f64,
    walk_kmh: f64,
) -> Vec<(usize, usize, f64)> {
    catchment_costs_with_progress(
        graph,
        routes,
        supply,
        demand,
        max_minutes,
        walk_kmh,
        &|_, _| {},
    )
}

/// [`catchment_costs`], calling `progress(done, total)` (from any thread, `done` increasing)
/// as the searches finish: supply points searched with Dijkstra; supply points then distinct
/// demand nodes with the hierarchy.
pub fn catchment_costs_with_progress(
    graph: &Graph,
    routes: &Routes,
    supply: &[SupplyPoint],
    demand: &[DemandPoint],
    max_minutes: f64,
    walk_kmh: f64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<(usize, usize, f64)> {
    let snapper = Snapper::new(graph, walk_kmh);
    let mut at_node: BTreeMap<u32, Vec<(usize, f64)>> = BTreeMap::new();
    for (i, d) in demand.iter().enumerate() {
        if let Some(s) = snapper.snap(graph, d.lon, d.lat) {
            at_node.entry(s.node).or_default().push((i, s.leg_s));
        }
    }
    let limit = max_minutes * 60.0;
    let targets = snapper.sources(graph, supply);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    // (demand node, supply index, seconds from the node to the supply point), each spread
    // to the demand points snapped to the node; the hierarchy's list is read as it is spread
    // (no second list of node times)
    let mut costs = Vec::new();
    let spread = |costs: &mut Vec<(usize, usize, f64)>, v: u32, j: usize, t: f64| {
        for &(i, leg) in &at_node[&v] {
            let total = t + leg;
            if total <= limit {
                costs.push((i, j, total / 60.0));
            }
        }
    };
    match routes {
        Routes::Dijkstra { reversed, .. } => {
            let mut wanted = vec![false; graph.node_count()];
            for &v in at_node.keys() {
                wanted[v as usize] = true;
            }
            let node_times = supply_searches(
                reversed,
                &targets,
                &wanted,
                supply.len(),
                limit,
                threads,
                progress,
            );
            costs.reserve_exact(node_times.len());
            node_times
                .into_iter()
                .for_each(|(v, j, t)| spread(&mut costs, v, j, t));
        }
        Routes::Hierarchy(h) => {
            let origins: Vec<u32> = at_node.keys().copied().collect();
            let node_times = h.times_to(&origins, &targets, limit, threads, progress);
            costs.reserve_exact(node_times.len());
            node_times
                .into_iter()
                .for_each(|(o, j, t)| spread(&mut costs, origins[o as usize], j as usize, t));
        }
    }
    // in place, no buffer: the order is total, so the result does not depend on the sort
    costs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)));
    costs
}

/// One bounded Dijkstra per target (a snapped supply point) on the reversed graph: every
/// (wanted node, target id, seconds) within `limit`; `progress(done, supply)` counts the
/// `supply` points, snapped or not.
fn supply_searches(
    reversed: &Graph,
    targets: &[Source],
    wanted: &[bool],
    supply: usize,
    limit: f64,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<(u32, usize, f64)> {
    let finished = std::sync::atomic::AtomicUsize::new(supply - targets.len());
    let chunk = targets.len().div_ceil(threads.max(1)).max(1);
    let found = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .chunks(chunk)
            .map(|part| {
                let finished = &finished;
                scope.spawn(move || {
                    let mut searcher = Searcher::new(reversed.node_count());
                    let mut out = Vec::new();
                    for s in part {
                        let settled = searcher.run(reversed, std::slice::from_ref(s), limit);
                        out.extend(
                            settled
                                .into_iter()
                                .filter(|x| wanted[x.0 as usize])
                                .map(|(v, t, _)| (v, s.id as usize, t)),
                        );
                        let n = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if n % 16 == 0 || n == supply {
                            progress(n, supply);
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a search thread panicked"))
            .collect()
    });
    progress(supply, supply);
    found
}

/// Candidate sites generated from the network: per square cell of `spacing_m` metres, the
/// node nearest the cell's centre; ascending node order.
pub fn candidate_nodes(graph: &Graph, spacing_m: f64) -> Vec<u32> {
    if graph.coords.is_empty() || spacing_m.is_nan() || spacing_m <= 0.0 {
        return Vec::new();
    }
    let lat0 = graph.coords.iter().map(|c| c.1).sum::<f64>() / graph.coords.len() as f64;
    let kx = lat0.to_radians().cos() * M_PER_DEG;
    let mut best: BTreeMap<(i64, i64), (f64, u32)> = BTreeMap::new();
    for (v, (lon, lat)) in graph.coords.iter().enumerate() {
        let (x, y) = (lon * kx / spacing_m, lat * M_PER_DEG / spacing_m);
        let cell = (x.floor() as i64, y.floor() as i64);
        let d = (x - x.floor() - 0.5).powi(2) + (y - y.floor() - 0.5).powi(2);
        let e = best.entry(cell).or_insert((f64::INFINITY, u32::MAX));
        if d < e.0 || (d == e.0 && (v as u32) < e.1) {
            *e = (d, v as u32);
        }
    }
    let mut nodes: Vec<u32> = best.values().map(|e| e.1).collect();
    nodes.sort_unstable();
    nodes
}

/// A polygon as rings of (lon, lat): the outer ring, then its holes.
pub type IsoPolygon = Vec<Vec<(f64, f64)>>;

/// Isochrone polygons: areas reached within each threshold from the given facilities
/// (together), on a raster of `cell_m` metres — a cell is reached when a node in it, or in a
/// neighbouring cell, is. Rings are traced along cell edges (outer rings counter-clockwise,
/// holes clockwise) and returned per threshold as polygons of (lon, lat) rings.
pub fn isochrones(
    graph: &Graph,
    facilities: &[SupplyPoint],
    thresholds_min: &[f64],
    cell_m: f64,
    walk_kmh: f64,
) -> Vec<(f64, Vec<IsoPolygon>)> {
    let snapper = Snapper::new(graph, walk_kmh);
    let sources = snapper.sources(graph, facilities);
    let limit = thresholds_min.iter().copied().fold(0.0, f64::max) * 60.0;
    let reach = nearest(graph, &sources, limit);
    let reached: Vec<usize> = (0..graph.node_count())
        .filter(|v| reach.time[*v].is_finite())
        .collect();
    if reached.is_empty() {
        return thresholds_min.iter().map(|t| (*t, Vec::new())).collect();
    }
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &v in &reached {
        let (x, y) = graph.coords[v];
        w = w.min(x);
        e = e.max(x);
        s = s.min(y);
        n = n.max(y);
    }
    let lat0 = (s + n) / 2.0;
    let dx = cell_m / (M_PER_DEG * lat0.to_radians().cos());
    let dy = cell_m / M_PER_DEG;
    // One cell of margin on every side.
    let (ox, oy) = (w - dx, s - dy);
    let nx = ((e - ox) / dx).floor() as usize + 2;
    let ny = ((n - oy) / dy).floor() as usize + 2;
    thresholds_min
        .iter()
        .map(|&t| {
            let mut grid = vec![false; nx * ny];
            for &v in &reached {
                if reach.time[v] > t * 60.0 {
                    continue;
                }
                let (x, y) = graph.coords[v];
                let cx = ((x - ox) / dx).floor() as isize;
                let cy = ((y - oy) / dy).floor() as isize;
                for (ddx, ddy) in [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)] {
                    let (a, b) = (cx + ddx, cy + ddy);
                    if a >= 0 && b >= 0 && (a as usize) < nx && (b as usize) < ny {
                        grid[b as usize * nx + a as usize] = true;
                    }
                }
            }
            let rings = trace(&grid, nx, ny);
            let to_lonlat = |(x, y): (i64, i64)| (ox + x as f64 * dx, oy + y as f64 * dy);
            let polys = assemble(rings)
                .into_iter()
                .map(|poly| {
                    poly.into_iter()
                        .map(|ring| ring.into_iter().map(to_lonlat).collect())
                        .collect()
                })
                .collect();
            (t, polys)
        })
        .collect()
}

type Ring = Vec<(i64, i64)>;

/// Boundary rings of the filled cells, filled side on the left.
fn trace(grid: &[bool], nx: usize, ny: usize) -> Vec<Ring> {
    let filled = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && (x as usize) < nx
            && (y as usize) < ny
            && grid[y as usize * nx + x as usize]
    };
    let mut next: BTreeMap<(i64, i64), Vec<(i64, i64)>> = BTreeMap::new();
    for y in 0..ny as i64 {
        for x in 0..nx as i64 {
            if !filled(x, y) {
                continue;
            }
            if !filled(x, y - 1) {
                next.entry((x, y)).or_default().push((x + 1, y));
            }
            if !filled(x + 1, y) {
                next.entry((x + 1, y)).or_default().push((x + 1, y + 1));
            }
            if !filled(x, y + 1) {
                next.entry((x + 1, y + 1)).or_default().push((x, y + 1));
            }
            if !filled(x - 1, y) {
                next.entry((x, y + 1)).or_default().push((x, y));
            }
        }
    }
    let mut rings = Vec::new();
    while let Some((&start, _)) = next.iter().find(|(_, v)| !v.is_empty()) {
        let mut ring = vec![start];
        let mut prev = start;
        let mut cur = next
            .get_mut(&start)
            .and_then(|v| v.pop())
            .expect("non-empty");
        while cur != start {
            ring.push(cur);
            let outs = next
                .get_mut(&cur)
                .expect("every corner on a ring continues");
            // At a corner touched by two diagonal cells, turn left first (keeps rings simple).
            let (ix, iy) = (cur.0 - prev.0, cur.1 - prev.1);
            let pick = outs
                .iter()
                .enumerate()
                .max_by_key(|(_, o)| {
                    let (ox, oy) = (o.0 - cur.0, o.1 - cur.1);
                    ix * oy - iy * ox
                })
                .map(|(i, _)| i)
                .expect("an outgoing edge");
            let to = outs.swap_remove(pick);
            prev = cur;
            cur = to;
        }
        ring.push(start);
        rings.push(simplify(ring));
    }
    rings
}

/// Drops vertices in the middle of straight runs.
fn simplify(ring: Ring) -> Ring {
    let n = ring.len();
    if n < 4 {
        return ring;
    }
    let mut out: Ring = Vec::with_capacity(n);
    for i in 0..n - 1 {
        let prev = if i == 0 { ring[n - 2] } else { ring[i - 1] };
        let (a, b) = (ring[i], ring[i + 1]);
        let cross = (a.0 - prev.0) * (b.1 - a.1) - (a.1 - prev.1) * (b.0 - a.0);
        if cross != 0 {
            out.push(a);
        }
    }
    if let Some(&f) = out.first() {
        out.push(f);
    }
    out
}

fn signed_area(r: &Ring) -> i64 {
    r.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

fn contains(r: &Ring, p: (f64, f64)) -> bool {
    let mut inside = false;
    for w in r.windows(2) {
        let ((x1, y1), (x2, y2)) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        if (y1 > p.1) != (y2 > p.1) && p.0 < x1 + (p.1 - y1) / (y2 - y1) * (x2 - x1) {
            inside = !inside;
        }
    }
    inside
}

/// Groups rings into polygons: each hole (clockwise) goes to the smallest outer ring
/// (counter-clockwise) containing it.
fn assemble(rings: Vec<Ring>) -> Vec<Vec<Ring>> {
    let (outers, holes): (Vec<Ring>, Vec<Ring>) =
        rings.into_iter().partition(|r| signed_area(r) > 0);
    let mut polys: Vec<Vec<Ring>> = outers.into_iter().map(|o| vec![o]).collect();
    for h in holes {
        // A point just inside the hole's first edge, on its right (the empty side).
        let (a, b) = (h[0], h[1]);
        let p = (
            (a.0 + b.0) as f64 / 2.0 + (b.1 - a.1).signum() as f64 * 0.25,
            (a.1 + b.1) as f64 / 2.0 - (b.0 - a.0).signum() as f64 * 0.25,
        );
        if let Some(poly) = polys
            .iter_mut()
            .filter(|poly| contains(&poly[0], p))
            .min_by_key(|poly| signed_area(&poly[0]))
        {
            poly.push(h);
        }
    }
    polys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_with_a_hole() {
        // 3×3 filled with the centre empty: one outer ring and one hole.
        let mut grid = vec![true; 9];
        grid[4] = false;
        let polys = assemble(trace(&grid, 3, 3));
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0].len(), 2);
        assert_eq!(
            signed_area(&polys[0][0]),
            2 * 9,
            "outer ring, counter-clockwise"
        );
        assert_eq!(signed_area(&polys[0][1]), -2, "hole, clockwise");
        assert_eq!(
            polys[0][0].len(),
            5,
            "straight runs simplified to the 4 corners"
        );
    }

    #[test]
    fn decays() {
        let steps = Decay::Steps(vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)]);
        assert_eq!(steps.weight(10.0), 1.0);
        assert_eq!(steps.weight(10.5), 0.68);
        assert_eq!(steps.weight(30.1), 0.0);
        let g = Decay::Gaussian { d0: 30.0 };
        assert!((g.weight(0.0) - 1.0).abs() < 1e-12);
        assert!(g.weight(30.0).abs() < 1e-12);
        assert_eq!(g.weight(31.0), 0.0);
    }

    #[test]
    fn two_sfca_by_hand() {
        // Two demand points (100 and 300 people), one supply of 4 within reach of both:
        // R = 4 / 400 = 0.01; both get 0.01.
        let a = e2sfca_from_costs(
            &[100.0, 300.0],
            &[4.0],
            &[(0, 0, 5.0), (1, 0, 25.0)],
            &Decay::Steps(vec![(30.0, 1.0)]),
        );
        assert_eq!(a, vec![0.01, 0.01]);
    }
}
