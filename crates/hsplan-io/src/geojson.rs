//! GeoJSON points and boundaries of administrative units.

use crate::error::IoError;
use hsplan_model::{AdminCode, AdminUnit, LonLat, MultiPolygon, Origin, Sourced, UnitGeometry};
use serde_json::{Map, Value, json};

/// Property names accepted for the unit code, in order of preference.
pub const CODE_PROPERTIES: [&str; 4] = ["code", "统计用区划代码", "区划代码", "adcode"];

fn position(v: &Value) -> Result<LonLat, String> {
    let arr = v
        .as_array()
        .filter(|a| a.len() >= 2)
        .ok_or("a position [lon, lat]")?;
    let lon = arr[0].as_f64().ok_or("a numeric longitude")?;
    let lat = arr[1].as_f64().ok_or("a numeric latitude")?;
    LonLat::new(lon, lat).map_err(|e| e.to_string())
}

fn ring(v: &Value) -> Result<Vec<LonLat>, String> {
    let pts: Vec<LonLat> = v
        .as_array()
        .ok_or("a ring (array of positions)")?
        .iter()
        .map(position)
        .collect::<Result<_, _>>()?;
    if pts.len() < 4 || pts.first() != pts.last() {
        return Err("a closed ring of at least 4 positions (first = last)".into());
    }
    Ok(pts)
}

fn polygon(v: &Value) -> Result<Vec<Vec<LonLat>>, String> {
    let rings: Vec<Vec<LonLat>> = v
        .as_array()
        .ok_or("a polygon (array of rings)")?
        .iter()
        .map(ring)
        .collect::<Result<_, _>>()?;
    if rings.is_empty() {
        return Err("a polygon with an outer ring".into());
    }
    Ok(rings)
}

/// Reads a FeatureCollection; each feature needs a code property and a Point,
/// Polygon or MultiPolygon geometry.
pub fn unit_geometries_from_str(
    file: &str,
    text: &str,
    code_property: Option<&str>,
) -> Result<Vec<Sourced<UnitGeometry>>, IoError> {
    let err = |feature: usize, message: String| IoError::GeoJson {
        file: file.to_string(),
        feature,
        message,
    };
    let doc = crate::json_document(text).map_err(|m| err(0, m))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(err(0, "expected a FeatureCollection".into()));
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| err(0, "`features` must be an array".into()))?;
    let mut out = Vec::with_capacity(features.len());
    let mut seen: std::collections::HashMap<AdminCode, usize> = std::collections::HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = f
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| err(n, "has no `properties` object".into()))?;
        let (key, raw) = match code_property {
            Some(k) => props.get(k).map(|v| (k, v)),
            None => CODE_PROPERTIES
                .iter()
                .find_map(|k| props.get(*k).map(|v| (*k, v))),
        }
        .ok_or_else(|| {
            err(
                n,
                format!(
                    "has no code property (expected one of: {})",
                    code_property
                        .map(|k| k.to_string())
                        .unwrap_or_else(|| CODE_PROPERTIES.join(", "))
                ),
            )
        })?;
        let code_text = match raw {
            Value::String(s) => s.clone(),
            Value::Number(x) => x.to_string(),
            other => other.to_string(),
        };
        let code =
            AdminCode::parse(&code_text).map_err(|e| err(n, format!("property `{key}`: {e}")))?;
        if let Some(first) = seen.insert(code, n) {
            return Err(err(
                n,
                format!("property `{key}`: code {code} repeats feature {first}; each unit once"),
            ));
        }
        let geom = f
            .get("geometry")
            .ok_or_else(|| err(n, "has no geometry".into()))?;
        let (point, boundary) = geometry(geom).map_err(|m| err(n, m))?;
        out.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row: n,
            },
            value: UnitGeometry {
                code,
                point,
                boundary,
            },
        });
    }
    Ok(out)
}

/// A point and/or a boundary, as a GeoJSON geometry gives them.
pub(crate) type Geometry = (Option<LonLat>, Option<MultiPolygon>);

/// A GeoJSON geometry (Point, Polygon or MultiPolygon) as a point or a boundary; the
/// message says what is wrong.
pub(crate) fn geometry(geom: &Value) -> Result<Geometry, String> {
    let coords = geom
        .get("coordinates")
        .ok_or_else(|| "geometry has no coordinates".to_string())?;
    let gtype = geom.get("type").and_then(Value::as_str).unwrap_or("");
    Ok(match gtype {
        "Point" => (
            Some(position(coords).map_err(|m| format!("Point: expected {m}"))?),
            None,
        ),
        "Polygon" => (
            None,
            Some(MultiPolygon(vec![
                polygon(coords).map_err(|m| format!("Polygon: expected {m}"))?,
            ])),
        ),
        "MultiPolygon" => {
            let polys = coords
                .as_array()
                .ok_or_else(|| "MultiPolygon: expected an array of polygons".to_string())?
                .iter()
                .map(polygon)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| format!("MultiPolygon: expected {m}"))?;
            (None, Some(MultiPolygon(polys)))
        }
        other => {
            return Err(format!(
                "geometry type `{other}` is not supported; expected Point, Polygon or MultiPolygon"
            ));
        }
    })
}

/// A boundary as a GeoJSON MultiPolygon geometry.
pub(crate) fn multipolygon_value(b: &MultiPolygon) -> Value {
    json!({"type": "MultiPolygon", "coordinates": b.0.iter().map(|poly| poly.iter().map(|r| r.iter().map(|p| coords(*p)).collect::<Vec<_>>()).collect::<Vec<_>>()).collect::<Vec<_>>()})
}

fn coords(p: LonLat) -> Value {
    json!([p.lon(), p.lat()])
}

/// Writes units with a point or boundary as a FeatureCollection (boundary preferred).
pub fn units_to_geojson<'a>(units: impl IntoIterator<Item = &'a AdminUnit>) -> Value {
    let features: Vec<Value> = units
        .into_iter()
        .filter_map(|u| {
            let geometry = if let Some(b) = &u.boundary {
                multipolygon_value(b)
            } else {
                json!({"type": "Point", "coordinates": coords(u.point?)})
            };
            let mut props = Map::new();
            props.insert("code".into(), Value::String(u.code.to_string()));
            props.insert("name".into(), Value::String(u.name.clone()));
            Some(json!({"type": "Feature", "properties": props, "geometry": geometry}))
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_points_and_polygons() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"500109"},"geometry":{"type":"Point","coordinates":[106.4,29.8]}},
          {"type":"Feature","properties":{"区划代码":500109001},"geometry":{"type":"Polygon","coordinates":[[[106,29],[107,29],[107,30],[106,29]]]}}
        ]}"#;
        let g = unit_geometries_from_str("b.geojson", text, None).unwrap();
        assert_eq!(g.len(), 2);
        assert!(g[0].value.point.is_some());
        assert_eq!(g[1].value.boundary.as_ref().unwrap().0.len(), 1);
    }

    #[test]
    fn open_ring_is_rejected_with_feature_number() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"500109"},"geometry":{"type":"Polygon","coordinates":[[[106,29],[107,29],[107,30],[106,30]]]}}]}"#;
        let e = unit_geometries_from_str("b.geojson", text, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b.geojson, feature 1: Polygon: expected a closed ring of at least 4 positions (first = last)"
        );
    }

    #[test]
    fn a_byte_order_mark_is_read_past() {
        let text = "\u{feff}{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"500109\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[106.4,29.8]}}]}";
        assert_eq!(
            unit_geometries_from_str("b.geojson", text, None)
                .unwrap()
                .len(),
            1
        );
    }
}
