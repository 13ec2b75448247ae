//! Road data in: OpenStreetMap PBF or road GeoJSON (LineStrings with OSM tags), and the
//! profiles that turn OSM tags into travel speeds and directions.

use crate::AccessError;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The tags hsplan reads from a way.
const ROAD_KEYS: [&str; 9] = [
    "highway",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "foot",
];

/// One road: its tags and its positions in order.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadWay {
    /// OSM id (or feature number for GeoJSON).
    pub id: i64,
    /// Relevant tags.
    pub tags: BTreeMap<String, String>,
    /// Node keys along the way (OSM node ids, or synthetic keys for GeoJSON positions).
    pub nodes: Vec<i64>,
}

/// A health facility found in the map (amenity or healthcare tag).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MapFacility {
    /// "node/ID" or "way/ID".
    pub osm: String,
    /// amenity=* or healthcare=* value (hospital, clinic, doctors, pharmacy…).
    pub kind: String,
    /// Name, when tagged.
    pub name: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// Roads and positions read from a source.
#[derive(Debug, Clone, Default)]
pub struct RoadData {
    /// Ways with a highway tag.
    pub ways: Vec<RoadWay>,
    /// Position of every node key used (lon, lat).
    pub coords: HashMap<i64, (f64, f64)>,
    /// Health facilities tagged in the map.
    pub facilities: Vec<MapFacility>,
}

fn health_kind<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> (Option<String>, String) {
    let mut kind = None;
    let mut name = String::new();
    for (k, v) in tags {
        match k {
            "amenity"
                if matches!(
                    v,
                    "hospital" | "clinic" | "doctors" | "pharmacy" | "dentist"
                ) =>
            {
                kind = Some(v.to_string())
            }
            "healthcare" if kind.is_none() && !v.is_empty() => kind = Some(v.to_string()),
            "name" => name = v.to_string(),
            _ => {}
        }
    }
    (kind, name)
}

/// Whether a position is WGS 84 longitude and latitude.
pub fn valid_lon_lat(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// Reads an OSM PBF: highway ways, node positions, and health facilities (nodes, and ways
/// at the mean of their nodes).
pub fn read_pbf<R: Read + Send>(source: &str, reader: R) -> Result<RoadData, AccessError> {
    let mut all_coords: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut data = RoadData::default();
    let mut facility_ways: Vec<(i64, String, String, Vec<i64>)> = Vec::new();
    let mut node = |id: i64, lon: f64, lat: f64, kind: Option<String>, name: String| {
        all_coords.insert(id, (lon, lat));
        if let Some(kind) = kind {
            data.facilities.push(MapFacility {
                osm: format!("node/{id}"),
                kind,
                name,
                lon,
                lat,
            });
        }
    };
    let mut ways: Vec<RoadWay> = Vec::new();
    osmpbf::ElementReader::new(reader)
        .for_each(|element| match element {
            osmpbf::Element::Node(n) => {
                let (kind, name) = health_kind(n.tags());
                node(n.id(), n.lon(), n.lat(), kind, name);
            }
            osmpbf::Element::DenseNode(n) => {
                let (kind, name) = health_kind(n.tags());
                node(n.id(), n.lon(), n.lat(), kind, name);
            }
            osmpbf::Element::Way(w) => {
                let tags: BTreeMap<String, String> = w
                    .tags()
                    .filter(|(k, _)| ROAD_KEYS.contains(k))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                if tags.contains_key("highway") {
                    ways.push(RoadWay {
                        id: w.id(),
                        tags,
                        nodes: w.refs().collect(),
                    });
                }
                if let (Some(kind), name) = health_kind(w.tags()) {
                    facility_ways.push((w.id(), kind, name, w.refs().collect()));
                }
            }
            osmpbf::Element::Relation(_) => {}
        })
        .map_err(|e| AccessError::Read {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
    if let Some((id, (lon, lat))) = all_coords.iter().find(|(_, (x, y))| !valid_lon_lat(*x, *y)) {
        return Err(AccessError::Read {
            source_name: source.to_string(),
            message: format!("node {id}: position [{lon}, {lat}] is outside WGS 84 degrees"),
        });
    }
    data.ways = ways;
    for (id, kind, name, refs) in facility_ways {
        let pts: Vec<(f64, f64)> = refs
            .iter()
            .filter_map(|r| all_coords.get(r))
            .copied()
            .collect();
        if pts.is_empty() {
            continue;
        }
        let n = pts.len() as f64;
        data.facilities.push(MapFacility {
            osm: format!("way/{id}"),
            kind,
            name,
            lon: pts.iter().map(|p| p.0).sum::<f64>() / n,
            lat: pts.iter().map(|p| p.1).sum::<f64>() / n,
        });
    }
    for w in &data.ways {
        for n in &w.nodes {
            if let Some(c) = all_coords.get(n) {
                data.coords.insert(*n, *c);
            }
        }
    }
    data.facilities.sort_by(|a, b| a.osm.cmp(&b.osm));
    Ok(data)
}

/// Reads a road GeoJSON: a FeatureCollection of LineStrings (or MultiLineStrings) whose
/// properties carry OSM tags. Positions shared by features (same coordinates) become one node.
pub fn read_geojson(source: &str, text: &str) -> Result<RoadData, AccessError> {
    let bad = |m: String| AccessError::Read {
        source_name: source.to_string(),
        message: m,
    };
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("line {}: {e}", e.line())))?;
    let features = doc["features"]
        .as_array()
        .ok_or_else(|| bad("expected a FeatureCollection with `features`".into()))?;
    let mut data = RoadData::default();
    let mut keys: HashMap<(i64, i64), i64> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let props = f["properties"].as_object();
        let tags: BTreeMap<String, String> = props
            .map(|p| {
                p.iter()
                    .filter(|(k, _)| ROAD_KEYS.contains(&k.as_str()))
                    .filter_map(|(k, v)| {
                        let v = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Number(n) => n.to_string(),
                            serde_json::Value::Bool(b) => b.to_string(),
                            _ => return None,
                        };
                        Some((k.clone(), v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !tags.contains_key("highway") {
            continue;
        }
        let geom = &f["geometry"];
        let lines: Vec<&serde_json::Value> = match geom["type"].as_str() {
            Some("LineString") => vec![&geom["coordinates"]],
            Some("MultiLineString") => geom["coordinates"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => continue,
        };
        for line in lines {
            let Some(pts) = line.as_array() else { continue };
            let mut nodes = Vec::with_capacity(pts.len());
            for p in pts {
                let (Some(lon), Some(lat)) = (p[0].as_f64(), p[1].as_f64()) else {
                    return Err(bad(format!(
                        "feature {}: a position is not [lon, lat]",
                        i + 1
                    )));
                };
                if !valid_lon_lat(lon, lat) {
                    return Err(bad(format!(
                        "feature {}: position [{lon}, {lat}] is outside longitude −180…180 and \
                         latitude −90…90 (WGS 84 degrees expected)",
                        i + 1
                    )));
                }
                // Positions equal to 1e-7 degrees (about 1 cm) are one node.
                let key = ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64);
                let next = keys.len() as i64;
                let id = *keys.entry(key).or_insert(next);
                data.coords.insert(id, (lon, lat));
                nodes.push(id);
            }
            data.ways.push(RoadWay {
                id: i as i64 + 1,
                tags: tags.clone(),
                nodes,
            });
        }
    }
    Ok(data)
}

/// Reads a gzip-compressed file's bytes into text.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut s)?;
    Ok(s)
}

/// How a way is travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passage {
    /// Not at all.
    Closed,
    /// Both directions.
    Both,
    /// Only along the node order.
    Forward,
    /// Only against the node order.
    Backward,
}

/// A travel mode: speeds per highway class and the rules it obeys.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// Name (car, walk…).
    pub name: String,
    /// Speed in km/h per highway class; classes not listed are not travelled.
    pub speeds_kmh: BTreeMap<String, f64>,
    /// Whether oneway tags apply.
    pub oneway: bool,
    /// Whether `maxspeed` is honoured (the tagged limit replaces the class speed).
    pub use_maxspeed: bool,
    /// Mode-specific access keys, most specific first (e.g. motorcar, motor_vehicle, vehicle).
    pub access_keys: Vec<String>,
}

impl Profile {
    /// Car. `urban` picks the urban defaults (slower main roads, congestion); the rural
    /// defaults follow China's design speeds for highway grades (JTG B01-2014) a little below
    /// the limit. Both are plain data and can be replaced with `--profile-file`.
    pub fn car(urban: bool) -> Profile {
        let table: &[(&str, f64, f64)] = &[
            // class, rural, urban
            ("motorway", 100.0, 80.0),
            ("motorway_link", 60.0, 40.0),
            ("trunk", 80.0, 50.0),
            ("trunk_link", 50.0, 30.0),
            ("primary", 60.0, 35.0),
            ("primary_link", 40.0, 25.0),
            ("secondary", 50.0, 30.0),
            ("secondary_link", 35.0, 20.0),
            ("tertiary", 40.0, 25.0),
            ("tertiary_link", 30.0, 20.0),
            ("unclassified", 30.0, 20.0),
            ("residential", 25.0, 15.0),
            ("living_street", 10.0, 10.0),
            ("service", 15.0, 10.0),
            ("road", 25.0, 15.0),
            ("track", 15.0, 10.0),
        ];
        Profile {
            name: if urban { "car-urban" } else { "car" }.into(),
            speeds_kmh: table
                .iter()
                .map(|(c, r, u)| (c.to_string(), if urban { *u } else { *r }))
                .collect(),
            oneway: true,
            use_maxspeed: true,
            access_keys: vec!["motorcar".into(), "motor_vehicle".into(), "vehicle".into()],
        }
    }

    /// Walking at 4.5 km/h on every road and path except motorways and trunk roads.
    pub fn walk() -> Profile {
        let classes = [
            "primary",
            "primary_link",
            "secondary",
            "secondary_link",
            "tertiary",
            "tertiary_link",
            "unclassified",
            "residential",
            "living_street",
            "service",
            "road",
            "track",
            "footway",
            "pedestrian",
            "path",
            "steps",
            "cycleway",
            "bridleway",
            "corridor",
        ];
        Profile {
            name: "walk".into(),
            speeds_kmh: classes.iter().map(|c| (c.to_string(), 4.5)).collect(),
            oneway: false,
            use_maxspeed: false,
            access_keys: vec!["foot".into()],
        }
    }

    /// The speed (km/h) and passage of a way with these tags.
    pub fn classify(&self, tags: &BTreeMap<String, String>) -> (f64, Passage) {
        let Some(class) = tags.get("highway") else {
            return (0.0, Passage::Closed);
        };
        let Some(&default) = self.speeds_kmh.get(class) else {
            return (0.0, Passage::Closed);
        };
        // Access: the most specific key given decides; `access` is the fallback.
        let decision = self
            .access_keys
            .iter()
            .find_map(|k| tags.get(k))
            .or_else(|| tags.get("access"));
        if decision
            .is_some_and(|v| matches!(v.as_str(), "no" | "private" | "agricultural" | "forestry"))
        {
            return (0.0, Passage::Closed);
        }
        let speed = if self.use_maxspeed {
            tags.get("maxspeed")
                .and_then(|m| parse_maxspeed(m))
                .unwrap_or(default)
        } else {
            default
        };
        if speed <= 0.0 {
            return (0.0, Passage::Closed);
        }
        if !self.oneway {
            return (speed, Passage::Both);
        }
        let oneway = tags.get("oneway").map(String::as_str);
        let passage = match oneway {
            Some("yes" | "true" | "1") => Passage::Forward,
            Some("-1" | "reverse") => Passage::Backward,
            Some("no" | "false" | "0") => Passage::Both,
            _ if tags.get("junction").is_some_and(|j| j == "roundabout") || class == "motorway" => {
                Passage::Forward
            }
            _ => Passage::Both,
        };
        (speed, passage)
    }
}

/// "50", "50 km/h", "30 mph"; None for "none", "signals", country codes.
pub fn parse_maxspeed(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v: f64 = digits.parse().ok()?;
    if t.contains("mph") {
        Some(v * 1.609_344)
    } else {
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn car_rules() {
        let car = Profile::car(false);
        assert_eq!(
            car.classify(&tags(&[("highway", "primary")])),
            (60.0, Passage::Both)
        );
        assert_eq!(
            car.classify(&tags(&[("highway", "primary"), ("maxspeed", "30 mph")]))
                .0,
            30.0 * 1.609_344
        );
        assert_eq!(
            car.classify(&tags(&[("highway", "residential"), ("oneway", "-1")]))
                .1,
            Passage::Backward
        );
        assert_eq!(
            car.classify(&tags(&[("highway", "motorway")])).1,
            Passage::Forward
        );
        assert_eq!(
            car.classify(&tags(&[("highway", "service"), ("access", "private")]))
                .1,
            Passage::Closed
        );
        assert_eq!(
            car.classify(&tags(&[
                ("highway", "service"),
                ("access", "no"),
                ("motor_vehicle", "yes")
            ]))
            .1,
            Passage::Both,
            "the mode's own key wins"
        );
        assert_eq!(
            car.classify(&tags(&[("highway", "footway")])).1,
            Passage::Closed
        );
        let walk = Profile::walk();
        assert_eq!(
            walk.classify(&tags(&[("highway", "footway")])),
            (4.5, Passage::Both)
        );
        assert_eq!(
            walk.classify(&tags(&[("highway", "residential"), ("oneway", "yes")]))
                .1,
            Passage::Both
        );
        assert_eq!(
            walk.classify(&tags(&[("highway", "motorway")])).1,
            Passage::Closed
        );
        assert_eq!(parse_maxspeed("RU:urban"), None);
    }
}
