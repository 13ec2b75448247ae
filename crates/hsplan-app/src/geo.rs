//! Map layers drawn from the store's own data: the sub-units of a unit as a choropleth of
//! any library indicator and year (classes that keep ties and zeros apart), and the
//! facilities as points. No tiles: boundaries come from the store.

use crate::{AppError, Result, known_unit, parse_year};
use hsplan_eval::compute;
use hsplan_model::{NoteKind, ServiceSystem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which layer to draw (also the query of `GET /api/map/choropleth`).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChoroplethRequest {
    /// The unit whose direct sub-units are drawn.
    #[param(pattern = r"^[1-9][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")]
    pub unit: String,
    /// Library indicator id (default beds_per_1000).
    pub indicator: Option<String>,
    /// Year (default: the latest with data).
    #[param(minimum = 1949, maximum = 2100)]
    pub year: Option<i64>,
    /// At most this many classes (1–9, default 5).
    #[param(minimum = 1, maximum = 9)]
    pub classes: Option<usize>,
}

/// A class of the legend.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LegendClass {
    /// Least value in the class.
    pub min: f64,
    /// Greatest value in the class.
    pub max: f64,
    /// Sub-units in it.
    pub count: usize,
    /// Legend text.
    pub label: String,
}

/// One sub-unit of the map.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MapArea {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The indicator's value, when computable.
    pub value: Option<f64>,
    /// Its class (index into the legend), when it has a value.
    pub class: Option<usize>,
    /// Representative point, when known.
    pub lon: Option<f64>,
    /// Latitude.
    pub lat: Option<f64>,
}

/// A choropleth layer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Choropleth {
    /// The parent unit.
    pub unit: String,
    /// Its name.
    pub unit_name: String,
    /// Indicator id.
    pub indicator: String,
    /// Indicator name, 中文.
    pub indicator_zh: String,
    /// Indicator name, English.
    pub indicator_en: String,
    /// Unit of the values.
    pub value_unit: String,
    /// Year.
    pub year: i32,
    /// Legend classes, light to dark.
    pub legend: Vec<LegendClass>,
    /// Every direct sub-unit.
    pub areas: Vec<MapArea>,
    /// GeoJSON FeatureCollection of the sub-units that have a boundary (properties:
    /// code, name, value, class).
    #[schema(value_type = Object)]
    pub geojson: serde_json::Value,
    /// Whether the boundaries are schematic (drawn so on the map).
    pub schematic_boundaries: bool,
    /// Whether the data are synthetic.
    pub synthetic_data: bool,
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn ring_coordinates(shape: &hsplan_model::MultiPolygon) -> serde_json::Value {
    serde_json::Value::Array(
        shape
            .0
            .iter()
            .map(|poly| {
                poly.iter()
                    .map(|ring| {
                        ring.iter()
                            .map(|p| serde_json::json!([p.lon(), p.lat()]))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
                    .into()
            })
            .collect(),
    )
}

/// The sub-units of a unit coloured by an indicator.
pub fn choropleth(sys: &ServiceSystem, req: &ChoroplethRequest) -> Result<Choropleth> {
    let unit = known_unit(sys, "unit", &req.unit)?;
    let id = req.indicator.as_deref().unwrap_or("beds_per_1000");
    let def = hsplan_eval::find(id)
        .ok_or_else(|| AppError::NotFound(format!("indicator {id} (not in the library)")))?;
    let year = parse_year(
        "year",
        req.year
            .unwrap_or_else(|| i64::from(crate::region::latest_year(sys).unwrap_or(2020))),
    )?;
    let k = req.classes.unwrap_or(5);
    if !(1..=9).contains(&k) {
        return Err(AppError::invalid_said(
            "classes",
            "between 1 and 9",
            "应在 1 至 9 之间",
        ));
    }
    let children = sys.sub_units(unit.code);
    let values: Vec<Option<f64>> = children
        .iter()
        .map(|c| compute(sys, def, c.code, year).value.ok())
        .collect();
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let classes = hsplan_report::svg::class_breaks(&present, k);
    let class_of = |v: Option<f64>| v.map(|v| hsplan_report::svg::class_of(v, &classes));
    let areas: Vec<MapArea> = children
        .iter()
        .zip(&values)
        .map(|(c, v)| MapArea {
            code: c.code.to_string(),
            name: c.name.clone(),
            value: *v,
            class: class_of(*v),
            lon: c.point.map(|p| p.lon()),
            lat: c.point.map(|p| p.lat()),
        })
        .collect();
    let features: Vec<serde_json::Value> = children
        .iter()
        .zip(&areas)
        .filter_map(|(c, a)| {
            let shape = c.boundary.as_ref()?;
            Some(serde_json::json!({
                "type": "Feature",
                "properties": {"code": a.code, "name": a.name, "value": a.value, "class": a.class},
                "geometry": {"type": "MultiPolygon", "coordinates": ring_coordinates(shape)},
            }))
        })
        .collect();
    Ok(Choropleth {
        unit: unit.code.to_string(),
        unit_name: unit.name.clone(),
        indicator: def.id.into(),
        indicator_zh: def.name_zh.into(),
        indicator_en: def.name_en.into(),
        value_unit: def.unit.into(),
        year: i32::from(year.get()),
        legend: classes
            .iter()
            .map(|c| LegendClass {
                min: c.min,
                max: c.max,
                count: c.count,
                label: hsplan_report::svg::class_label(c, &fmt),
            })
            .collect(),
        areas,
        geojson: serde_json::json!({"type": "FeatureCollection", "features": features}),
        schematic_boundaries: sys.has_note(NoteKind::SchematicBoundaries),
        synthetic_data: sys.has_note(NoteKind::SyntheticData),
    })
}
