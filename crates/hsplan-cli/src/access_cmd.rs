//! `hsplan access …`: road graphs, coverage, E2SFCA, isochrones.

use crate::messages::{Lang, Msg, fill};
use anyhow::{Context, Result, bail};
use hsplan_access::analysis::{Direction, SupplyPoint};
use hsplan_access::graph::Graph;
use hsplan_access::roads::{Profile, read_pbf};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `hsplan access` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AccessWhat {
    /// Road graphs.
    Graph {
        #[command(subcommand)]
        what: GraphWhat,
    },
    /// Health facilities tagged in an OSM PBF (amenity/healthcare), as CSV.
    Facilities {
        /// OSM PBF file.
        input: PathBuf,
        /// Output CSV (id,kind,name,lon,lat,capacity).
        #[arg(long)]
        out: PathBuf,
    },
    /// Share of the population within travel-time thresholds of the nearest facility.
    Coverage(CoverageArgs),
    /// Enhanced two-step floating catchment area accessibility per demand point and unit.
    E2sfca(E2sfcaArgs),
    /// Isochrone polygons (GeoJSON) around facilities.
    Isochrones(IsochroneArgs),
    /// Times nearest-facility searches on a graph (used by benches/access_peers.py).
    #[command(hide = true)]
    Bench {
        /// Graph file.
        #[arg(long)]
        graph: PathBuf,
        /// Source node indices, one per line.
        #[arg(long)]
        sources: PathBuf,
        /// Repetitions.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Write the times (node,seconds) of the last run here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Answer with a contraction hierarchy (PHAST) instead of Dijkstra; its
        /// preprocessing is timed apart (`prep_s`).
        #[arg(long)]
        ch: bool,
    },
}

/// `hsplan access graph` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum GraphWhat {
    /// Build a graph from an OSM PBF or a road GeoJSON (.geojson or .geojson.gz).
    Build {
        /// Input file.
        input: PathBuf,
        /// Travel profile.
        #[arg(long, value_enum, default_value = "car")]
        profile: ProfileName,
        /// A profile file (JSON: name, speeds_kmh, oneway, use_maxspeed, access_keys) instead.
        #[arg(long)]
        profile_file: Option<PathBuf>,
        /// Output graph file.
        #[arg(long)]
        out: PathBuf,
        /// Also preprocess a contraction hierarchy and store it in the file: coverage then
        /// answers by PHAST sweeps instead of Dijkstra (same times; see docs/access.md).
        #[arg(long)]
        ch: bool,
    },
    /// Preprocess a contraction hierarchy for a graph file and store it with the graph.
    Ch {
        /// Graph file.
        graph: PathBuf,
        /// Output graph file (default: rewrite GRAPH in place).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A generated grid graph (SYNTHETIC) of side² nodes, for benchmarks.
    Synth {
        /// Nodes per side.
        #[arg(long, value_parser = clap::value_parser!(u16).range(2..=32767))]
        side: u16,
        /// Kind of network: `city` (60–120 m blocks, 20–60 km/h) or `national` (300 m grid
        /// with arterial roads every 10th line and expressways every 100th).
        #[arg(long, value_enum, default_value = "city")]
        roads: SynthRoads,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output graph file.
        #[arg(long)]
        out: PathBuf,
        /// Also preprocess and store a contraction hierarchy.
        #[arg(long)]
        ch: bool,
    },
    /// Write a graph's arcs (tail,head,seconds) and nodes (lon,lat) as CSV.
    Export {
        /// Graph file.
        graph: PathBuf,
        /// Output directory (arcs.csv, nodes.csv).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Kinds of generated road network.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SynthRoads {
    /// A city's streets.
    City,
    /// A country's roads: local, arterial and expressway classes.
    National,
}

/// Built-in profiles.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProfileName {
    /// Car, rural speeds.
    Car,
    /// Car, urban speeds.
    CarUrban,
    /// Walking.
    Walk,
}

/// Demand and facility inputs shared by the analyses.
#[derive(Debug, clap::Args)]
pub struct Inputs {
    /// Graph file (from `access graph build`).
    #[arg(long)]
    graph: PathBuf,
    /// Facilities CSV (id,kind,lon,lat[,capacity][,name]).
    #[arg(long)]
    facilities: PathBuf,
    /// Only facilities of these kinds (comma-separated, e.g. hospital,clinic).
    #[arg(long, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Demand points CSV (id,lon,lat,population[,unit][,urban_rural]); urban_rural codes
    /// starting with 1 are urban (GB/T 统计用城乡划分代码).
    #[arg(long)]
    demand: Option<PathBuf>,
    /// Instead of --demand: a SYNTHETIC uniform grid of this spacing (m), population 1 per
    /// point, over the graph's extent.
    #[arg(long)]
    demand_grid: Option<f64>,
    /// Walking speed of the off-network legs, km/h.
    #[arg(long, default_value_t = 4.5)]
    walk_kmh: f64,
}

/// `hsplan access coverage`.
#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Thresholds, minutes.
    #[arg(long, value_delimiter = ',', default_value = "15,30,60")]
    thresholds: Vec<f64>,
    /// Residents travel to facilities (to) or facilities to residents (from; ambulances).
    #[arg(long, value_enum, default_value = "to")]
    direction: DirectionArg,
    /// Dispatch minutes added (ambulance response = dispatch + travel).
    #[arg(long, default_value_t = 0.0)]
    dispatch_min: f64,
    /// Report demand points snapped farther than this, metres.
    #[arg(long, default_value_t = 500.0)]
    max_snap_m: f64,
    /// Per-point times as CSV.
    #[arg(long)]
    out_points: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Direction of travel.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DirectionArg {
    /// Residents to facilities.
    To,
    /// Facilities to residents.
    From,
}

/// `hsplan access e2sfca`.
#[derive(Debug, clap::Args)]
pub struct E2sfcaArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Decay: `steps:10=1,20=0.68,30=0.22` (2SFCA: `steps:30=1`) or `gaussian:30`.
    #[arg(long, default_value = "steps:10=1,20=0.68,30=0.22")]
    decay: String,
    /// Output CSV (id,unit,population,access).
    #[arg(long)]
    out: PathBuf,
    /// Also write the demand-to-facility minutes used (demand,facility,minutes).
    #[arg(long)]
    out_costs: Option<PathBuf>,
    /// Use this cost list (demand,facility,minutes) instead of searching the network.
    #[arg(long)]
    costs: Option<PathBuf>,
}

/// `hsplan access isochrones`.
#[derive(Debug, clap::Args)]
pub struct IsochroneArgs {
    /// Graph file.
    #[arg(long)]
    graph: PathBuf,
    /// Facilities CSV.
    #[arg(long)]
    facilities: PathBuf,
    /// Only these kinds.
    #[arg(long, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Only these facility ids (each gets its own polygons); default: all together.
    #[arg(long, value_delimiter = ',')]
    ids: Vec<String>,
    /// Thresholds, minutes.
    #[arg(long, value_delimiter = ',', default_value = "5,10,15")]
    thresholds: Vec<f64>,
    /// Raster cell, metres.
    #[arg(long, default_value_t = 50.0)]
    cell_m: f64,
    /// Output GeoJSON.
    #[arg(long)]
    out: PathBuf,
}

fn load_graph(path: &Path) -> Result<Graph> {
    Ok(hsplan_app::inputs::load_graph(path)?)
}

/// Writes a graph file; with `ch`, preprocesses its contraction hierarchy first (progress
/// on a terminal) and stores it too.
fn save_graph(g: &Graph, out: &Path, ch: bool, lang: Lang) -> Result<()> {
    let hierarchy = if ch {
        let start = Instant::now();
        let bar = crate::progress::TerminalProgress::new(lang);
        let h = hsplan_app::access::preprocess(g, &bar);
        drop(bar);
        let stats = h.stats();
        println!(
            "{}",
            fill(
                Msg::AccHierarchyBuilt.text(lang),
                &[
                    ("nodes", &stats.nodes),
                    ("arcs", &stats.arcs),
                    ("shortcuts", &stats.shortcuts),
                    ("s", &format!("{:.2}", start.elapsed().as_secs_f64()))
                ]
            )
        );
        Some(h)
    } else {
        None
    };
    Ok(hsplan_app::access::save_graph(g, hierarchy.as_ref(), out)?)
}

fn read_facilities(path: &Path, kinds: &[String]) -> Result<Vec<SupplyPoint>> {
    Ok(hsplan_app::inputs::read_facilities(path, kinds)?)
}

/// Runs an `hsplan access` command.
pub fn run(what: AccessWhat, lang: Lang) -> Result<()> {
    match what {
        AccessWhat::Graph { what } => graph(what, lang),
        AccessWhat::Facilities { input, out } => {
            let file = std::fs::File::open(&input)
                .with_context(|| format!("{}: cannot read", input.display()))?;
            let roads = read_pbf(&input.display().to_string(), file)?;
            let mut w = csv::Writer::from_path(&out)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            w.write_record(["id", "kind", "name", "lon", "lat", "capacity"])?;
            for f in &roads.facilities {
                w.write_record([
                    &f.osm,
                    &f.kind,
                    &f.name,
                    &format!("{:.7}", f.lon),
                    &format!("{:.7}", f.lat),
                    "1",
                ])?;
            }
            w.flush()?;
            let mut by_kind = std::collections::BTreeMap::new();
            for f in &roads.facilities {
                *by_kind.entry(f.kind.as_str()).or_insert(0) += 1;
            }
            println!(
                "{} facilities → {} ({by_kind:?})",
                roads.facilities.len(),
                out.display()
            );
            Ok(())
        }
        AccessWhat::Coverage(a) => {
            use hsplan_app::siting::{DemandSource, InputFile};
            let start = Instant::now();
            let demand = match (&a.inputs.demand, a.inputs.demand_grid) {
                (Some(path), None) => DemandSource::File(InputFile::Path(path.clone())),
                (None, Some(m)) => DemandSource::Grid(m),
                _ => bail!("give either --demand FILE or --demand-grid METRES"),
            };
            let result = hsplan_app::access::run(
                &hsplan_app::access::AccessRequest {
                    graph: a.inputs.graph.clone(),
                    demand,
                    facilities: InputFile::Path(a.inputs.facilities.clone()),
                    kinds: a.inputs.kinds.clone(),
                    thresholds_min: a.thresholds.clone(),
                    direction: match a.direction {
                        DirectionArg::To => Direction::ToFacility,
                        DirectionArg::From => Direction::FromFacility,
                    },
                    dispatch_min: a.dispatch_min,
                    max_snap_m: a.max_snap_m,
                    walk_kmh: a.inputs.walk_kmh,
                    isochrone_cell_m: None,
                },
                &crate::progress::TerminalProgress::new(lang),
                &hsplan_app::progress::Cancel::new(),
            )?;
            let (c, facilities, synthetic) = (
                &result.coverage,
                &result.facilities,
                result.synthetic_demand,
            );
            let elapsed = start.elapsed().as_secs_f64();
            if let Some(p) = &a.out_points {
                let mut w = csv::Writer::from_path(p)
                    .with_context(|| format!("{}: cannot write", p.display()))?;
                w.write_record(["id", "unit", "population", "minutes", "facility", "snap_m"])?;
                for pt in &c.points {
                    w.write_record([
                        pt.id.clone(),
                        pt.unit.clone(),
                        pt.population.to_string(),
                        pt.minutes.map(|m| format!("{m:.3}")).unwrap_or_default(),
                        pt.facility.clone().unwrap_or_default(),
                        format!("{:.1}", pt.snap_m),
                    ])?;
                }
                w.flush()?;
            }
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"synthetic_demand": synthetic, "engine": result.engine, "coverage": c})
                    )?
                );
                return Ok(());
            }
            if synthetic {
                println!(
                    "{}",
                    fill(
                        Msg::AccSyntheticDemand.text(lang),
                        &[("n", &result.points.len())]
                    )
                );
            }
            println!(
                "{}",
                fill(
                    Msg::AccFacilitiesGraph.text(lang),
                    &[
                        ("n", &facilities.len()),
                        ("profile", &result.graph_profile),
                        ("nodes", &result.graph_nodes),
                        ("engine", &engine_name(&result.engine).text(lang)),
                        ("s", &format!("{elapsed:.3}"))
                    ]
                )
            );
            let head: Vec<String> = c
                .thresholds_min
                .iter()
                .map(|t| format!("≤{t} min"))
                .collect();
            println!(
                "{}{}  {}",
                crate::messages::pad(Msg::AccUnitHeader.text(lang), 28),
                crate::messages::pad(Msg::AccPopulationHeader.text(lang), 12),
                head.join("  ")
            );
            // points without a unit form their own row, unless they are all there is
            let only_unitless = c.units.len() == 1 && c.units[0].unit.is_empty();
            let rows = c.units.iter().filter(|_| !only_unitless);
            for (u, is_total) in rows
                .map(|u| (u, false))
                .chain(std::iter::once((&c.total, true)))
            {
                let cells: Vec<String> = u
                    .share_pct
                    .iter()
                    .map(|s| format!("{:>6.1}%", crate::messages::shown(*s, 1)))
                    .collect();
                let name = if is_total {
                    Msg::AccAll.text(lang)
                } else if u.unit.is_empty() {
                    Msg::AccNoUnit.text(lang)
                } else {
                    &u.unit
                };
                let std = u
                    .standard_share_pct
                    .map(|s| {
                        format!(
                            "  {}",
                            fill(
                                Msg::AccStandard.text(lang),
                                &[("share", &format!("{s:.1}"))]
                            )
                        )
                    })
                    .unwrap_or_default();
                println!(
                    "{}{:>12.0}  {}{std}",
                    crate::messages::pad(name, 28),
                    crate::messages::shown(u.population, 0),
                    cells.join("  ")
                );
            }
            let uncovered: Vec<&hsplan_access::analysis::PointTime> =
                c.points.iter().filter(|p| p.minutes.is_none()).collect();
            println!(
                "{}",
                fill(
                    Msg::AccUncovered.text(lang),
                    &[
                        ("t", &c.thresholds_min.iter().copied().fold(0.0, f64::max)),
                        ("n", &uncovered.len()),
                        (
                            "pop",
                            &format!(
                                "{:.0}",
                                crate::messages::shown(
                                    uncovered.iter().map(|p| p.population).sum::<f64>(),
                                    0
                                )
                            )
                        )
                    ]
                )
            );
            if !c.far_snaps.is_empty() {
                println!(
                    "{}",
                    fill(
                        Msg::AccFarSnaps.text(lang),
                        &[
                            ("n", &c.far_snaps.len()),
                            ("m", &a.max_snap_m),
                            ("id", &c.far_snaps[0].0),
                            ("d", &format!("{:.0}", c.far_snaps[0].1))
                        ]
                    )
                );
            }
            Ok(())
        }
        AccessWhat::E2sfca(a) => {
            use hsplan_app::siting::{DemandSource, InputFile};
            let demand_source = match (&a.inputs.demand, a.inputs.demand_grid) {
                (Some(path), None) => DemandSource::File(InputFile::Path(path.clone())),
                (None, Some(m)) => DemandSource::Grid(m),
                _ => bail!("give either --demand FILE or --demand-grid METRES"),
            };
            let r = hsplan_app::access::e2sfca(
                &hsplan_app::access::E2sfcaRequest {
                    graph: a.inputs.graph.clone(),
                    demand: demand_source,
                    facilities: InputFile::Path(a.inputs.facilities.clone()),
                    kinds: a.inputs.kinds.clone(),
                    decay: a.decay.clone(),
                    walk_kmh: a.inputs.walk_kmh,
                    costs: a.costs.clone().map(InputFile::Path),
                },
                &crate::progress::TerminalProgress::new(lang),
                &hsplan_app::progress::Cancel::new(),
            )?;
            let (search_s, compute_s) = (r.search_seconds, r.compute_seconds);
            let elapsed = search_s + compute_s;
            if let Some(p) = &a.out_costs {
                let mut w = csv::Writer::from_path(p)
                    .with_context(|| format!("{}: cannot write", p.display()))?;
                w.write_record(["demand", "facility", "minutes"])?;
                for (i, j, m) in &r.costs {
                    w.write_record([
                        r.points[*i].id.clone(),
                        r.facilities[*j].id.clone(),
                        format!("{m:?}"),
                    ])?;
                }
                w.flush()?;
            }
            let mut w = csv::Writer::from_path(&a.out)
                .with_context(|| format!("{}: cannot write", a.out.display()))?;
            w.write_record(["id", "unit", "population", "access"])?;
            for d in &r.points {
                w.write_record([
                    d.id.clone(),
                    d.unit.clone(),
                    d.population.to_string(),
                    format!("{:.9e}", d.access),
                ])?;
            }
            w.flush()?;
            let (synthetic, demand, facilities, costs) =
                (r.synthetic_demand, &r.points, &r.facilities, &r.costs);
            if synthetic {
                println!(
                    "{}",
                    fill(Msg::AccSyntheticDemand.text(lang), &[("n", &demand.len())])
                );
            }
            println!(
                "{}",
                fill(
                    Msg::AccE2sfca.text(lang),
                    &[
                        ("demand", &demand.len()),
                        ("facilities", &facilities.len()),
                        ("pairs", &costs.len()),
                        ("max", &r.max_minutes),
                        ("s", &format!("{elapsed:.3}")),
                        ("cs", &format!("{search_s:.4}")),
                        ("rs", &format!("{compute_s:.6}")),
                        ("engine", &engine_name(&r.engine).text(lang)),
                        ("out", &a.out.display())
                    ]
                )
            );
            for (u, v) in &r.by_unit {
                println!(
                    "{}",
                    fill(
                        Msg::AccE2sfcaUnit.text(lang),
                        &[
                            (
                                "unit",
                                &if u.is_empty() {
                                    Msg::AccAll.text(lang)
                                } else {
                                    u
                                }
                            ),
                            ("v", &format!("{v:.6e}"))
                        ]
                    )
                );
            }
            Ok(())
        }
        AccessWhat::Isochrones(a) => {
            let g = load_graph(&a.graph)?;
            let facilities = read_facilities(&a.facilities, &a.kinds)?;
            let groups: Vec<(String, Vec<SupplyPoint>)> = if a.ids.is_empty() {
                vec![("all".into(), facilities)]
            } else {
                a.ids
                    .iter()
                    .map(|id| {
                        let f: Vec<SupplyPoint> =
                            facilities.iter().filter(|f| &f.id == id).cloned().collect();
                        if f.is_empty() {
                            bail!("{}: no facility with id {id}", a.facilities.display());
                        }
                        Ok((id.clone(), f))
                    })
                    .collect::<Result<_>>()?
            };
            let mut features = Vec::new();
            let thresholds = hsplan_app::access::thresholds("--thresholds", &a.thresholds)?;
            for (name, fs) in &groups {
                features.extend(hsplan_app::access::isochrones_geojson(
                    &g,
                    name,
                    fs,
                    &thresholds,
                    a.cell_m,
                    4.5,
                )?);
            }
            let doc = serde_json::json!({"type": "FeatureCollection", "features": features});
            std::fs::write(&a.out, serde_json::to_string(&doc)?)
                .with_context(|| format!("{}: cannot write", a.out.display()))?;
            println!(
                "{}",
                fill(
                    Msg::AccIsochrones.text(lang),
                    &[("n", &features.len()), ("out", &a.out.display())]
                )
            );
            Ok(())
        }
        AccessWhat::Bench {
            graph,
            sources,
            repeat,
            out,
            ch,
        } => {
            let t = Instant::now();
            // The stored hierarchy is read (and checked) only when it will be used.
            let (g, stored) = if ch {
                hsplan_app::inputs::load_graph_with_hierarchy(&graph)?
            } else {
                (load_graph(&graph)?, None)
            };
            let load_s = t.elapsed().as_secs_f64();
            let text = std::fs::read_to_string(&sources)
                .with_context(|| format!("{}: cannot read", sources.display()))?;
            let src: Vec<hsplan_access::search::Source> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    let node: u32 = l
                        .trim()
                        .parse()
                        .with_context(|| format!("{}: line {}", sources.display(), i + 1))?;
                    if node as usize >= g.node_count() {
                        bail!(
                            "{}: line {}: node {node} is not in the graph",
                            sources.display(),
                            i + 1
                        );
                    }
                    Ok(hsplan_access::search::Source {
                        node,
                        offset: 0.0,
                        id: i as u32,
                    })
                })
                .collect::<Result<_>>()?;
            let t = Instant::now();
            // A hierarchy stored in the file is used as it is (its preprocessing was done at
            // `graph build --ch`); otherwise it is built here and timed apart.
            let was_stored = stored.is_some();
            let hierarchy = match stored {
                Some(h) => Some(h),
                None => ch.then(|| hsplan_access::ch::ContractionHierarchy::build(&g)),
            };
            let prep_s = t.elapsed().as_secs_f64();
            let mut times = Vec::new();
            let mut last = None;
            for _ in 0..repeat.max(1) {
                let t = Instant::now();
                let r = match &hierarchy {
                    Some(h) => h.nearest(&src, f64::INFINITY),
                    None => hsplan_access::search::nearest(&g, &src, f64::INFINITY),
                };
                times.push(t.elapsed().as_secs_f64());
                last = Some(r);
            }
            times.sort_by(f64::total_cmp);
            if let (Some(p), Some(r)) = (out, last) {
                let mut s = String::with_capacity(g.node_count() * 16);
                for (v, t) in r.time.iter().enumerate() {
                    s.push_str(&format!("{v},{t:.9e}\n"));
                }
                std::fs::write(&p, s)?;
            }
            println!(
                "{{\"nodes\": {}, \"arcs\": {}, \"sources\": {}, \"load_s\": {load_s:.4}, \"prep_s\": {prep_s:.4}, \"stored\": {was_stored}, \"shortcuts\": {}, \"min_s\": {:.5}, \"median_s\": {:.5}}}",
                g.node_count(),
                g.arc_count(),
                src.len(),
                hierarchy.as_ref().map_or(0, |h| h.stats().shortcuts),
                times[0],
                times[times.len() / 2]
            );
            Ok(())
        }
    }
}

/// Road graphs: build (with a progress bar on a terminal), synth, export.
fn graph(what: GraphWhat, lang: Lang) -> Result<()> {
    match what {
        GraphWhat::Build {
            input,
            profile,
            profile_file,
            out,
            ch,
        } => {
            let start = Instant::now();
            let profile = match profile_file {
                Some(p) => serde_json::from_str::<Profile>(
                    &std::fs::read_to_string(&p)
                        .with_context(|| format!("{}: cannot read", p.display()))?,
                )
                .with_context(|| format!("{}: not a profile", p.display()))?,
                None => match profile {
                    ProfileName::Car => Profile::car(false),
                    ProfileName::CarUrban => Profile::car(true),
                    ProfileName::Walk => Profile::walk(),
                },
            };
            let bar = crate::progress::TerminalProgress::new(lang);
            if bar.is_hidden() {
                eprintln!("reading {} …", input.display());
            }
            let (g, r) = hsplan_app::access::build_graph(&input, &profile, &bar)?;
            drop(bar);
            let built_s = start.elapsed().as_secs_f64();
            if r.arc_list {
                println!(
                    "{}: arc list; {} nodes / {} arcs kept ({} smaller components dropped); weights as given → {}",
                    r.input,
                    r.nodes,
                    r.arcs,
                    r.components_dropped,
                    out.display()
                );
            } else {
                println!(
                    "{}: {} ways, {} travelled by {}; {} nodes / {} arcs kept of {} / {} (largest strongly connected component; {} smaller components dropped); {:.2} s → {}",
                    r.input,
                    r.ways,
                    r.ways_used,
                    r.profile,
                    r.nodes,
                    r.arcs,
                    r.nodes_before,
                    r.arcs_before,
                    r.components_dropped,
                    built_s,
                    out.display()
                );
            }
            save_graph(&g, &out, ch, lang)
        }
        GraphWhat::Synth {
            side,
            roads,
            seed,
            out,
            ch,
        } => {
            let side = usize::from(side);
            let (g, name) = match roads {
                SynthRoads::City => (hsplan_access::synth::grid(side, seed), "grid"),
                SynthRoads::National => (
                    hsplan_access::synth::national(side, seed),
                    "national road grid",
                ),
            };
            println!(
                "SYNTHETIC {name}: {} nodes, {} arcs → {}",
                g.node_count(),
                g.arc_count(),
                out.display()
            );
            save_graph(&g, &out, ch, lang)
        }
        GraphWhat::Ch { graph, out } => {
            let g = load_graph(&graph)?;
            save_graph(&g, out.as_ref().unwrap_or(&graph), true, lang)
        }
        GraphWhat::Export { graph, out } => {
            let g = load_graph(&graph)?;
            std::fs::create_dir_all(&out)?;
            let mut arcs = String::with_capacity(g.arc_count() * 24);
            arcs.push_str("tail,head,seconds\n");
            for v in 0..g.node_count() as u32 {
                for (h, w) in g.arcs(v) {
                    arcs.push_str(&format!("{v},{h},{w:?}\n"));
                }
            }
            std::fs::write(out.join("arcs.csv"), arcs)?;
            let mut nodes = String::from("node,lon,lat,key\n");
            for (i, (x, y)) in g.coords.iter().enumerate() {
                nodes.push_str(&format!("{i},{x:?},{y:?},{}\n", g.keys[i]));
            }
            std::fs::write(out.join("nodes.csv"), nodes)?;
            println!(
                "{} arcs, {} nodes → {}",
                g.arc_count(),
                g.node_count(),
                out.display()
            );
            Ok(())
        }
    }
}

/// The catalogue's name of an engine reported by the application layer.
fn engine_name(engine: &str) -> Msg {
    match engine {
        "contraction_hierarchy" => Msg::AccEngineHierarchy,
        "given" => Msg::AccEngineGiven,
        _ => Msg::AccEngineDijkstra,
    }
}
