//! Inputs of the access and siting workflows: graph files and the small CSV files of
//! demand points, facilities and candidate sites. Every error names file, line and column.

use crate::{AppError, Result};
use hsplan_access::analysis::{DemandPoint, SupplyPoint};
use hsplan_access::graph::Graph;
use std::collections::BTreeMap;
use std::path::Path;

fn input(message: String) -> AppError {
    AppError::Input {
        problems: vec![message],
        more: 0,
    }
}

/// Reads a graph file (from `hsplan access graph build`).
pub fn load_graph(path: &Path) -> Result<Graph> {
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::File(format!("{}: cannot read: {e}", path.display())))?;
    Graph::from_bytes(&path.display().to_string(), &bytes).map_err(|e| input(e.to_string()))
}

/// Reads a graph file and, when it holds one, its contraction hierarchy (from
/// `hsplan access graph build --ch` or `graph ch`).
pub fn load_graph_with_hierarchy(
    path: &Path,
) -> Result<(Graph, Option<hsplan_access::ch::ContractionHierarchy>)> {
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::File(format!("{}: cannot read: {e}", path.display())))?;
    Graph::from_bytes_with_hierarchy(&path.display().to_string(), &bytes)
        .map_err(|e| input(e.to_string()))
}

/// One CSV row: lower-cased header → cell.
pub type Row = BTreeMap<String, String>;

/// Reads a CSV with a header into rows of named fields; errors name file, line and column.
pub fn read_rows(path: &Path, required: &[&str]) -> Result<Vec<Row>> {
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::File(format!("{}: cannot read: {e}", path.display())))?;
    read_rows_bytes(&path.display().to_string(), &bytes, required)
}

/// [`read_rows`] on bytes already in memory (an upload); `file` names it in messages.
pub fn read_rows_bytes(file: &str, bytes: &[u8], required: &[&str]) -> Result<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| input(format!("{file}: line 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    for need in required {
        if !headers.iter().any(|h| h == need) {
            return Err(input(format!(
                "{file}: missing column `{need}` (have: {})",
                headers.join(", ")
            )));
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| input(format!("{file}: line {}: {e}", i + 2)))?;
        rows.push(
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect(),
        );
    }
    Ok(rows)
}

/// A finite number from a named column; the error names file, line and column.
pub fn number(file: &str, line: usize, row: &Row, col: &str) -> Result<f64> {
    let v = row.get(col).map(String::as_str).unwrap_or("");
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            input(format!(
                "{file}: line {line}, column `{col}`: `{v}` is not a number"
            ))
        })
}

/// Longitude and latitude from the `lon` and `lat` columns, in WGS 84 degrees.
pub fn position(file: &str, line: usize, row: &Row) -> Result<(f64, f64)> {
    let lon = number(file, line, row, "lon")?;
    let lat = number(file, line, row, "lat")?;
    if !hsplan_access::roads::valid_lon_lat(lon, lat) {
        return Err(input(format!(
            "{file}: line {line}, columns `lon`,`lat`: ({lon}, {lat}) is outside longitude \
             −180…180 / latitude −90…90 (WGS 84 degrees expected)"
        )));
    }
    Ok((lon, lat))
}

/// A number from a named column that must lie in `range` (what it is, for the message).
fn number_in(
    file: &str,
    line: usize,
    row: &Row,
    col: &str,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
) -> Result<f64> {
    let v = number(file, line, row, col)?;
    if !range.contains(&v) {
        return Err(input(format!(
            "{file}: line {line}, column `{col}`: {v} is not {what}"
        )));
    }
    Ok(v)
}

/// Largest population of one demand point (more people than live on Earth is a typo).
pub const MAX_POINT_POPULATION: f64 = 1e10;
/// Largest capacity of one facility.
pub const MAX_CAPACITY: f64 = 1e9;

/// Facilities (id,kind,lon,lat[,capacity]) of the given kinds (all when empty).
pub fn facilities_from_rows(
    file: &str,
    rows: &[Row],
    kinds: &[String],
) -> Result<Vec<SupplyPoint>> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let kind = row["kind"].clone();
        if !kinds.is_empty() && !kinds.contains(&kind) {
            continue;
        }
        let (lon, lat) = position(file, line, row)?;
        out.push(SupplyPoint {
            id: row["id"].clone(),
            kind,
            lon,
            lat,
            capacity: match row.get("capacity").filter(|c| !c.trim().is_empty()) {
                Some(_) => number_in(
                    file,
                    line,
                    row,
                    "capacity",
                    0.0..=MAX_CAPACITY,
                    "a capacity (0 or more, at most 1e9)",
                )?,
                None => 1.0,
            },
        });
    }
    if out.is_empty() {
        return Err(input(format!(
            "{file}: no facilities{}",
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" of kind {}", kinds.join(","))
            }
        )));
    }
    Ok(out)
}

/// Reads a facilities CSV.
pub fn read_facilities(path: &Path, kinds: &[String]) -> Result<Vec<SupplyPoint>> {
    let rows = read_rows(path, &["id", "kind", "lon", "lat"])?;
    facilities_from_rows(&path.display().to_string(), &rows, kinds)
}

/// Candidate sites (id,lon,lat).
pub fn candidates_from_rows(file: &str, rows: &[Row]) -> Result<Vec<SupplyPoint>> {
    let mut out = Vec::new();
    // positions equal to 1e-7 degrees (about 1 cm) are one site
    let mut seen: std::collections::HashMap<(i64, i64), (usize, String)> =
        std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let (lon, lat) = position(file, i + 2, row)?;
        let key = ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64);
        if let Some((line, id)) = seen.insert(key, (i + 2, row["id"].clone())) {
            return Err(input(format!(
                "{file}: line {}, candidate `{}` is at the same place as `{id}` (line {line}); \
                 list each site once",
                i + 2,
                row["id"]
            )));
        }
        out.push(SupplyPoint {
            id: row["id"].clone(),
            kind: "candidate".into(),
            lon,
            lat,
            capacity: 1.0,
        });
    }
    if out.is_empty() {
        return Err(input(format!("{file}: no candidate sites")));
    }
    Ok(out)
}

/// Demand points (id,lon,lat,population[,unit][,unit_name][,urban_rural]) and the unit
/// names the file gives.
pub fn demand_from_rows(
    file: &str,
    rows: &[Row],
) -> Result<(Vec<DemandPoint>, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    let mut names = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let unit = row.get("unit").cloned().unwrap_or_default();
        if let Some(name) = row.get("unit_name").filter(|n| !n.is_empty()) {
            names.insert(unit.clone(), name.clone());
        }
        let (lon, lat) = position(file, line, row)?;
        out.push(DemandPoint {
            id: row["id"].clone(),
            unit,
            population: number_in(
                file,
                line,
                row,
                "population",
                0.0..=MAX_POINT_POPULATION,
                "a population (0 or more, at most 1e10 per point)",
            )?,
            lon,
            lat,
            urban: row
                .get("urban_rural")
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().starts_with('1')),
        });
    }
    Ok((out, names))
}

/// Most points a synthetic demand grid may have.
pub const MAX_GRID_POINTS: f64 = 2_000_000.0;

/// A SYNTHETIC grid of demand points `spacing` metres apart over the graph's extent
/// (one resident each); refused when it would exceed [`MAX_GRID_POINTS`].
pub fn demand_grid(g: &Graph, spacing: f64) -> Result<Vec<DemandPoint>> {
    crate::check_above("demand_grid", spacing, 0.0, 1e6, "metres", "米数")?;
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in &g.coords {
        w = w.min(*x);
        e = e.max(*x);
        s = s.min(*y);
        n = n.max(*y);
    }
    if g.coords.is_empty() {
        return Ok(Vec::new());
    }
    let dy = spacing / 111_320.0;
    let dx = spacing / (111_320.0 * ((s + n) / 2.0).to_radians().cos().max(1e-6));
    let columns = ((e - w) / dx).ceil().max(0.0);
    let rows = ((n - s) / dy).ceil().max(0.0);
    if columns * rows > MAX_GRID_POINTS {
        return Err(AppError::invalid_said(
            "demand_grid",
            format!(
                "{spacing} m over the graph's extent makes about {:.0} points; at most \
                 {MAX_GRID_POINTS:.0}: use a larger spacing, or give the points you mean as a \
                 demand file (--demand)",
                columns * rows
            ),
            format!(
                "间距 {spacing} 米在路网范围内约生成 {:.0} 个点，上限 {MAX_GRID_POINTS:.0}：\
                 请加大间距，或以需求点文件（--demand）给出所需的点",
                columns * rows
            ),
        ));
    }
    let mut out = Vec::new();
    let mut y = s + dy / 2.0;
    while y < n {
        let mut x = w + dx / 2.0;
        while x < e {
            out.push(DemandPoint {
                id: format!("grid-{}", out.len() + 1),
                unit: "grid (synthetic)".into(),
                population: 1.0,
                lon: x,
                lat: y,
                urban: None,
            });
            x += dx;
        }
        y += dy;
    }
    Ok(out)
}

/// Demand points from a CSV file, or a SYNTHETIC grid of the given spacing over the graph;
/// the flag says whether they are synthetic.
pub fn read_demand_from(
    demand: Option<&Path>,
    demand_grid_m: Option<f64>,
    g: &Graph,
) -> Result<(Vec<DemandPoint>, bool)> {
    match (demand, demand_grid_m) {
        (Some(path), None) => {
            let rows = read_rows(path, &["id", "lon", "lat", "population"])?;
            Ok((
                demand_from_rows(&path.display().to_string(), &rows)?.0,
                false,
            ))
        }
        (None, Some(spacing)) => Ok((demand_grid(g, spacing)?, true)),
        _ => Err(AppError::invalid(
            "demand",
            "give either --demand FILE or --demand-grid METRES",
        )),
    }
}
