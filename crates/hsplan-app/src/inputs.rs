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
        out.push(SupplyPoint {
            id: row["id"].clone(),
            kind,
            lon: number(file, line, row, "lon")?,
            lat: number(file, line, row, "lat")?,
            capacity: match row.get("capacity").filter(|c| !c.trim().is_empty()) {
                Some(_) => number(file, line, row, "capacity")?,
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
    for (i, row) in rows.iter().enumerate() {
        out.push(SupplyPoint {
            id: row["id"].clone(),
            kind: "candidate".into(),
            lon: number(file, i + 2, row, "lon")?,
            lat: number(file, i + 2, row, "lat")?,
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
        out.push(DemandPoint {
            id: row["id"].clone(),
            unit,
            population: number(file, line, row, "population")?,
            lon: number(file, line, row, "lon")?,
            lat: number(file, line, row, "lat")?,
            urban: row
                .get("urban_rural")
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().starts_with('1')),
        });
    }
    Ok((out, names))
}

/// A SYNTHETIC grid of demand points `spacing` metres apart over the graph's extent
/// (one resident each).
pub fn demand_grid(g: &Graph, spacing: f64) -> Vec<DemandPoint> {
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in &g.coords {
        w = w.min(*x);
        e = e.max(*x);
        s = s.min(*y);
        n = n.max(*y);
    }
    let dy = spacing / 111_320.0;
    let dx = spacing / (111_320.0 * ((s + n) / 2.0).to_radians().cos());
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
    out
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
        (None, Some(spacing)) if spacing > 0.0 => Ok((demand_grid(g, spacing), true)),
        _ => Err(AppError::invalid(
            "demand",
            "give either --demand FILE or --demand-grid METRES",
        )),
    }
}
