//! Access to care over the road network: the share of residents within travel-time
//! thresholds of the facilities, per unit, and isochrones as GeoJSON.

use crate::progress::{Cancel, Progress, Stage};
use crate::siting::{DemandSource, InputFile};
use crate::{AppError, Result};
pub use hsplan_access::analysis::Direction;
use hsplan_access::analysis::{Coverage, CoverageOptions, SupplyPoint};
use hsplan_access::graph::Graph;
use std::path::PathBuf;

/// Largest threshold accepted, minutes.
pub const MAX_THRESHOLD_MIN: f64 = 600.0;
/// Smallest isochrone raster cell, metres (finer rasters of a county need gigabytes).
pub const MIN_CELL_M: f64 = 10.0;

/// An access question.
#[derive(Debug, Clone, PartialEq)]
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
        return Err(AppError::invalid(
            field,
            "give at least one threshold in minutes",
        ));
    }
    let mut out = Vec::new();
    for &v in values {
        if !(v.is_finite() && v > 0.0 && v <= MAX_THRESHOLD_MIN) {
            return Err(AppError::invalid(
                field,
                format!("`{v}`: thresholds are minutes above 0 and at most {MAX_THRESHOLD_MIN}"),
            ));
        }
        out.push(v);
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
    if !(cell_m.is_finite() && cell_m >= MIN_CELL_M) {
        return Err(AppError::invalid(
            "cell_m",
            format!("`{cell_m}`: the raster cell is at least {MIN_CELL_M} metres"),
        ));
    }
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
    for (field, v, lo) in [
        ("walk_kmh", req.walk_kmh, f64::MIN_POSITIVE),
        ("dispatch_min", req.dispatch_min, 0.0),
        ("max_snap_m", req.max_snap_m, 0.0),
    ] {
        if !(v.is_finite() && v >= lo) {
            return Err(AppError::invalid(
                field,
                format!("`{v}`: must be a finite number ≥ {lo}"),
            ));
        }
    }
    progress.report(Stage::Reading, 0, 2);
    let g = crate::inputs::load_graph(&req.graph)?;
    let (demand, unit_names, synthetic_demand) = crate::siting::read_demand(&req.demand, &g)?;
    let facilities = crate::siting::read_facilities(&req.facilities, &req.kinds)?;
    progress.report(Stage::Reading, 2, 2);
    cancel.check()?;
    progress.report(Stage::Costs, 0, 1);
    let reversed = g.reversed();
    let coverage = hsplan_access::analysis::coverage(
        &g,
        &reversed,
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
