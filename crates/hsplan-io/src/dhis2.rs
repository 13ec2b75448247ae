//! DHIS2 aggregate data values (`/api/dataValueSets`) in JSON and CSV as DHIS2 2.40+ reads
//! and writes them, and the mapping file that ties DHIS2 identifiers to hsplan's.
//!
//! JSON: `{"dataValues": [{"dataElement", "period", "orgUnit", "categoryOptionCombo",
//! "attributeOptionCombo", "value", "comment", …}]}`, with `dataSet`, `period`, `orgUnit` and
//! `attributeOptionCombo` at the top applying to every value that does not say otherwise.
//! CSV: the columns `dataelement, period, orgunit, catoptcombo, attroptcombo, value,
//! storedby, lastupdated, comment, followup, deleted` by position (the first row is a header
//! when its first cell is `dataelement`).

use crate::error::IoError;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One data value as DHIS2 writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataValue {
    /// Data element (uid or code, as the file has it).
    pub data_element: String,
    /// ISO period (`2023` for a year).
    pub period: String,
    /// Organisation unit (uid or code).
    pub org_unit: String,
    /// Category option combo, when given.
    pub category_option_combo: Option<String>,
    /// Attribute option combo, when given.
    pub attribute_option_combo: Option<String>,
    /// The value as text.
    pub value: String,
    /// Comment.
    pub comment: Option<String>,
    /// Marked deleted (CSV `deleted` or JSON `deleted: true`).
    pub deleted: bool,
    /// Where it was: JSON data value number or CSV row (1-based, header = row 1).
    pub row: usize,
}

/// The CSV columns DHIS2 writes, in order.
pub const CSV_HEADER: [&str; 11] = [
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
];

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads a dataValueSet in JSON.
pub fn read_json(file: &str, text_in: &str) -> Result<Vec<DataValue>, IoError> {
    let err = |n: usize, message: String| IoError::Dhis2 {
        file: file.to_string(),
        at: if n == 0 {
            String::new()
        } else {
            format!("data value {n}")
        },
        message,
    };
    let doc = crate::json_document(text_in).map_err(|m| err(0, m))?;
    let values = doc
        .get("dataValues")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            err(
                0,
                "expected a dataValueSet: an object with a `dataValues` array".into(),
            )
        })?;
    let period = text(doc.get("period"));
    let org_unit = text(doc.get("orgUnit"));
    let aoc = text(doc.get("attributeOptionCombo"));
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let n = i + 1;
        if !v.is_object() {
            return Err(err(n, "a data value must be an object".into()));
        }
        let need = |field: &str, fallback: &Option<String>| {
            text(v.get(field))
                .or_else(|| fallback.clone())
                .ok_or_else(|| err(n, format!("`{field}` is missing")))
        };
        out.push(DataValue {
            data_element: need("dataElement", &None)?,
            period: need("period", &period)?,
            org_unit: need("orgUnit", &org_unit)?,
            category_option_combo: text(v.get("categoryOptionCombo")),
            attribute_option_combo: text(v.get("attributeOptionCombo")).or_else(|| aoc.clone()),
            value: text(v.get("value")).unwrap_or_default(),
            comment: text(v.get("comment")),
            deleted: v.get("deleted").and_then(Value::as_bool).unwrap_or(false),
            row: n,
        });
    }
    Ok(out)
}

/// Reads data values in DHIS2's CSV layout.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Vec<DataValue>, IoError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let row = i + 1;
        let rec = rec.map_err(|e| IoError::MalformedCsv {
            file: file.to_string(),
            row,
            message: e.to_string(),
        })?;
        let cell = |k: usize| rec.get(k).map(str::trim).filter(|s| !s.is_empty());
        if row == 1 && cell(0).is_some_and(|c| c.eq_ignore_ascii_case("dataelement")) {
            continue;
        }
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let need = |k: usize| {
            cell(k).map(str::to_string).ok_or_else(|| IoError::Dhis2 {
                file: file.to_string(),
                at: format!("row {row}"),
                message: format!("column {} (`{}`) is empty", k + 1, CSV_HEADER[k]),
            })
        };
        out.push(DataValue {
            data_element: need(0)?,
            period: need(1)?,
            org_unit: need(2)?,
            category_option_combo: cell(3).map(str::to_string),
            attribute_option_combo: cell(4).map(str::to_string),
            value: cell(5).unwrap_or("").to_string(),
            comment: cell(8).map(str::to_string),
            deleted: cell(10).is_some_and(|d| d.eq_ignore_ascii_case("true")),
            row,
        });
    }
    Ok(out)
}

/// A dataValueSet in JSON.
pub fn write_json(values: &[DataValue]) -> Value {
    let list: Vec<Value> = values
        .iter()
        .map(|v| {
            let mut o = json!({
                "dataElement": v.data_element,
                "period": v.period,
                "orgUnit": v.org_unit,
                "value": v.value,
            });
            if let Some(c) = &v.category_option_combo {
                o["categoryOptionCombo"] = json!(c);
            }
            if let Some(c) = &v.attribute_option_combo {
                o["attributeOptionCombo"] = json!(c);
            }
            if let Some(c) = &v.comment {
                o["comment"] = json!(c);
            }
            o
        })
        .collect();
    json!({ "dataValues": list })
}

/// Data values in DHIS2's CSV layout, with its header.
pub fn write_csv(values: &[DataValue]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for v in values {
        let _ = w.write_record([
            v.data_element.as_str(),
            &v.period,
            &v.org_unit,
            v.category_option_combo.as_deref().unwrap_or(""),
            v.attribute_option_combo.as_deref().unwrap_or(""),
            &v.value,
            "hsplan",
            "",
            v.comment.as_deref().unwrap_or(""),
            "false",
            "false",
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// How DHIS2's identifiers map to hsplan's (a TOML file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// `code`: orgUnit holds hsplan's unit code or facility id; `uid`: a DHIS2 uid looked up
    /// in `org_units`.
    #[serde(default = "default_scheme")]
    pub org_unit_scheme: String,
    /// DHIS2 uid → hsplan unit code or facility id.
    #[serde(default)]
    pub org_units: BTreeMap<String, String>,
    /// Data elements that are hsplan quantities (in and out).
    #[serde(default)]
    pub data_elements: Vec<QuantityLink>,
    /// Data elements that are population figures of a unit (in).
    #[serde(default)]
    pub population: Vec<PopulationLink>,
    /// Data elements hsplan's indicators are written to (out).
    #[serde(default)]
    pub indicators: Vec<IndicatorLink>,
    /// Data elements evaluation statuses are written to (out).
    #[serde(default)]
    pub statuses: Vec<StatusLink>,
    /// How metadata org units become units and facilities.
    #[serde(default)]
    pub metadata: MetadataMapping,
}

fn default_scheme() -> String {
    "code".into()
}

/// A data element (and category option combo) that is an hsplan quantity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantityLink {
    /// Data element uid or code.
    pub data_element: String,
    /// Category option combo; absent = any (or the default one).
    pub category_option_combo: Option<String>,
    /// hsplan quantity code (see docs/data-format.md).
    pub quantity: String,
}

/// A data element (and category option combo) that is a population figure of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationLink {
    /// Data element uid or code.
    pub data_element: String,
    /// Category option combo; absent = any (or the default one).
    pub category_option_combo: Option<String>,
    /// The population field: one of [`POPULATION_FIELDS`] (default `resident`).
    #[serde(default = "default_population_field")]
    pub field: String,
}

/// The population fields a data element may fill.
pub const POPULATION_FIELDS: [&str; 10] = [
    "resident",
    "male",
    "female",
    "age_0_14",
    "age_15_64",
    "age_60_plus",
    "age_65_plus",
    "age_0_4",
    "live_births",
    "deaths",
];

fn default_population_field() -> String {
    "resident".into()
}

/// A data element an hsplan indicator is written to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorLink {
    /// Data element uid or code.
    pub data_element: String,
    /// Library indicator id.
    pub indicator: String,
}

/// A data element a plan row's evaluation status is written to (as its code: achieved,
/// on_track, lagging, off_track, regressing, no_data).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusLink {
    /// Data element uid or code.
    pub data_element: String,
    /// Plan id.
    pub plan: String,
    /// The plan row's indicator id.
    pub indicator: String,
}

/// Reads a mapping file; errors name the line and column.
pub fn read_mapping(file: &str, text: &str) -> Result<Mapping, IoError> {
    let m: Mapping = toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                (
                    before.matches('\n').count() + 1,
                    before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                )
            })
            .unwrap_or((0, 0));
        IoError::Dhis2 {
            file: file.to_string(),
            at: format!("line {line}"),
            message: format!("column {col}: {}", e.message().trim()),
        }
    })?;
    if let Some(l) = m
        .population
        .iter()
        .find(|l| !POPULATION_FIELDS.contains(&l.field.as_str()))
    {
        return Err(IoError::Dhis2 {
            file: file.to_string(),
            at: String::new(),
            message: format!(
                "population field `{}` of data element {}: expected one of {}",
                l.field,
                l.data_element,
                POPULATION_FIELDS.join(", ")
            ),
        });
    }
    if !matches!(m.metadata.facility_id.as_str(), "code" | "uid") {
        return Err(IoError::Dhis2 {
            file: file.to_string(),
            at: String::new(),
            message: format!(
                "metadata.facility_id `{}`: expected code or uid",
                m.metadata.facility_id
            ),
        });
    }
    if !matches!(m.org_unit_scheme.as_str(), "code" | "uid") {
        return Err(IoError::Dhis2 {
            file: file.to_string(),
            at: String::new(),
            message: format!(
                "org_unit_scheme `{}`: expected code or uid",
                m.org_unit_scheme
            ),
        });
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_top_level_fields_apply_to_every_value() {
        let t = r#"{"dataSet":"ds","period":"2023","orgUnit":"SYN001","dataValues":[
            {"dataElement":"beds","value":"120"},
            {"dataElement":"visits","value":4500,"period":"2022","categoryOptionCombo":"HllvX50cXC0"}]}"#;
        let v = read_json("v.json", t).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].period.as_str(), v[0].org_unit.as_str()),
            ("2023", "SYN001")
        );
        assert_eq!(v[1].period, "2022");
        assert_eq!(v[1].value, "4500");
        assert_eq!(v[1].category_option_combo.as_deref(), Some("HllvX50cXC0"));
        let e = read_json("v.json", r#"{"dataValues":[{"value":"1"}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "v.json, data value 1: `dataElement` is missing"
        );
    }

    #[test]
    fn csv_round_trips_in_dhis2_layout() {
        let values = vec![DataValue {
            data_element: "fbfJHSPpUQD".into(),
            period: "2023".into(),
            org_unit: "SYN001".into(),
            category_option_combo: Some("HllvX50cXC0".into()),
            value: "12".into(),
            row: 2,
            ..DataValue::default()
        }];
        let bytes = write_csv(&values);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("dataelement,period,orgunit,catoptcombo,attroptcombo,value,"));
        assert_eq!(read_csv("v.csv", &bytes).unwrap(), values);
        let e = read_csv("v.csv", b"dataelement,period\nx,,SYN001\n").unwrap_err();
        assert_eq!(e.to_string(), "v.csv, row 2: column 2 (`period`) is empty");
    }

    #[test]
    fn mapping_errors_are_located() {
        let e = read_mapping(
            "m.toml",
            "org_unit_scheme = \"code\"\n[[data_elements]]\ndata_element = 3\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("m.toml, line 3: column"), "{e}");
        let e = read_mapping("m.toml", "org_unit_scheme = \"name\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected code or uid"), "{e}");
    }
}

/// True when `text` has the shape of a DHIS2 uid (11 characters: a letter, then letters and
/// digits).
pub fn is_uid(text: &str) -> bool {
    text.len() == 11
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A DHIS2 uid (11 characters: a letter, then letters and digits) derived from a key, so
/// the same unit or facility always gets the same uid.
pub fn uid(key: &str) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(11);
    out.push(ALNUM[(h % 52) as usize] as char);
    let mut x = (h / 52) ^ h.rotate_left(29);
    for _ in 0..10 {
        out.push(ALNUM[(x % 62) as usize] as char);
        x = (x / 62) ^ x.rotate_left(17).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    out
}

/// How org units of a DHIS2 metadata file become hsplan's (the `[metadata]` part of a
/// mapping file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataMapping {
    /// Levels whose org units are facilities. Default: in a file with NBS-coded org units,
    /// the org units whose code is no hsplan code; in a file without any (a hierarchy of
    /// uids), the org units at the deepest level.
    #[serde(default)]
    pub facility_levels: Vec<u32>,
    /// Org unit group (uid or code) → hsplan institution type code.
    #[serde(default)]
    pub facility_types: BTreeMap<String, String>,
    /// What a facility's hsplan id is: `code` (its DHIS2 code, or its uid when it has none)
    /// or `uid` (always its uid, so data values keyed by uid find it).
    #[serde(default = "default_facility_id")]
    pub facility_id: String,
}

impl Default for MetadataMapping {
    fn default() -> Self {
        MetadataMapping {
            facility_levels: Vec::new(),
            facility_types: BTreeMap::new(),
            facility_id: default_facility_id(),
        }
    }
}

fn default_facility_id() -> String {
    "code".into()
}

/// The units (all, or `within` and below, with their ancestors) and facilities of `sys` as
/// DHIS2 metadata: `organisationUnits` (uid, code, name, shortName, level, path, parent,
/// openingDate/closedDate, geometry) with the facilities under their units, and one
/// `organisationUnitGroups` entry per institution type holding its facilities.
pub fn export_metadata(
    sys: &hsplan_model::ServiceSystem,
    within: Option<hsplan_model::AdminCode>,
) -> Value {
    use hsplan_model::{AdminCode, Labelled};
    let keep = |c: AdminCode| {
        within.is_none_or(|w| c == w || c.is_descendant_of(w) || w.is_descendant_of(c))
    };
    // a unit read from another system keeps that system's id
    let unit_uid = |c: AdminCode| match sys.units.get(&c).and_then(|u| u.source_id.as_ref()) {
        Some(id) => id.clone(),
        None => uid(&format!("unit:{c}")),
    };
    let short = |s: &str| s.chars().take(50).collect::<String>();
    // paths from the top unit kept
    let mut paths: BTreeMap<AdminCode, (String, usize)> = BTreeMap::new();
    let mut units = Vec::new();
    for u in sys.units.values().filter(|u| keep(u.code)) {
        let parent = u.parent().filter(|p| paths.contains_key(p));
        let (path, level) = match parent {
            Some(p) => {
                let (pp, pl) = &paths[&p];
                (format!("{pp}/{}", unit_uid(u.code)), pl + 1)
            }
            None => (format!("/{}", unit_uid(u.code)), 1),
        };
        paths.insert(u.code, (path.clone(), level));
        let mut o = json!({
            "id": unit_uid(u.code),
            "code": u.code.to_string(),
            "name": u.name,
            "shortName": short(&u.name),
            "level": level,
            "path": path,
            "openingDate": "1970-01-01T00:00:00.000",
        });
        if let Some(p) = parent {
            o["parent"] = json!({"id": unit_uid(p)});
        }
        if let Some(b) = &u.boundary {
            o["geometry"] = crate::geojson::multipolygon_value(b);
        } else if let Some(p) = u.point {
            o["geometry"] = json!({"type": "Point", "coordinates": [p.lon(), p.lat()]});
        }
        units.push(o);
    }
    let mut groups: BTreeMap<&'static str, (String, Vec<Value>)> = BTreeMap::new();
    for f in sys.facilities.values() {
        let Some((ppath, plevel)) = paths.get(&f.unit) else {
            continue;
        };
        if within.is_some_and(|w| !(f.unit == w || f.unit.is_descendant_of(w))) {
            continue;
        }
        // a facility read from DHIS2 by uid keeps it
        let id = if is_uid(f.id.as_str()) {
            f.id.as_str().to_string()
        } else {
            uid(&format!("facility:{}", f.id.as_str()))
        };
        let mut o = json!({
            "id": id,
            "code": f.id.as_str(),
            "name": f.name,
            "shortName": short(&f.name),
            "level": plevel + 1,
            "path": format!("{ppath}/{id}"),
            "parent": {"id": unit_uid(f.unit)},
            "openingDate": format!("{}-01-01T00:00:00.000", f.opened.map_or(1970, |y| y.get())),
        });
        if let Some(c) = f.closed {
            o["closedDate"] = json!(format!("{}-01-01T00:00:00.000", c.get()));
        }
        if let Some(p) = f.location {
            o["geometry"] = json!({"type": "Point", "coordinates": [p.lon(), p.lat()]});
        }
        units.push(o);
        groups
            .entry(f.kind.code())
            .or_insert_with(|| (f.kind.zh().to_string(), Vec::new()))
            .1
            .push(json!({"id": id}));
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(code, (name, members))| {
            json!({
                "id": uid(&format!("type:{code}")),
                "code": code,
                "name": name,
                "shortName": short(&name),
                "organisationUnits": members,
            })
        })
        .collect();
    // the levels of units read from another system keep that system's names
    let mut level_names: BTreeMap<usize, String> = BTreeMap::new();
    for (c, (_, level)) in &paths {
        if let Some(n) = sys.units.get(c).and_then(|u| u.level_name.as_ref()) {
            level_names.entry(*level).or_insert_with(|| n.clone());
        }
    }
    let levels: Vec<Value> = level_names
        .into_iter()
        .map(|(level, name)| {
            json!({"id": uid(&format!("level:{level}:{name}")), "level": level, "name": name})
        })
        .collect();
    let mut doc = json!({"organisationUnits": units, "organisationUnitGroups": groups});
    if !levels.is_empty() {
        doc["organisationUnitLevels"] = json!(levels);
    }
    doc
}

/// What a DHIS2 metadata file gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetadataImport {
    /// Org units above the facility levels, as units: NBS-coded ones under their code, the
    /// others under codes assigned from their place in the hierarchy (keeping their uid).
    pub units: Vec<hsplan_model::Sourced<hsplan_model::AdminUnit>>,
    /// Org units at facility level, as facilities.
    pub facilities: Vec<hsplan_model::Sourced<hsplan_model::Facility>>,
    /// Defaults taken where the file says nothing, with how many times.
    pub defaults: BTreeMap<String, usize>,
}

/// One org unit as read, before it is a unit or a facility.
struct OrgUnit<'a> {
    n: usize,
    id: &'a str,
    name: &'a str,
    level: u32,
    code: Option<hsplan_model::AdminCode>,
    code_text: Option<&'a str>,
    parent: Option<&'a str>,
    geometry: Option<crate::geojson::Geometry>,
    opened: Option<hsplan_model::Year>,
    closed: Option<hsplan_model::Year>,
}

/// Reads DHIS2 metadata (`organisationUnits`, `organisationUnitLevels` for level names, and
/// `organisationUnitGroups` for facility types through `mapping`) beside the units `held`
/// (the store's: parents may be among them, and a uid read before keeps its code). Errors
/// name the org unit (its number, uid and field).
pub fn import_metadata(
    file: &str,
    text_in: &str,
    mapping: &MetadataMapping,
    held: &BTreeMap<hsplan_model::AdminCode, hsplan_model::AdminUnit>,
) -> Result<MetadataImport, IoError> {
    use hsplan_model::{
        AdminCode, AdminUnit, Facility, FacilityId, Grade, InstitutionType, Labelled, LonLat,
        Origin, Ownership, SourceNode, Sourced, Year,
    };
    let err = |n: usize, message: String| IoError::Dhis2 {
        file: file.to_string(),
        at: if n == 0 {
            String::new()
        } else {
            format!("organisation unit {n}")
        },
        message,
    };
    let doc = crate::json_document(text_in).map_err(|m| err(0, m))?;
    let list = doc
        .get("organisationUnits")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            err(
                0,
                "expected DHIS2 metadata with an `organisationUnits` array".into(),
            )
        })?;
    // level names, when the file carries them
    let level_names: BTreeMap<u64, &str> = doc
        .get("organisationUnitLevels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| Some((l.get("level")?.as_u64()?, l.get("name")?.as_str()?.trim())))
        .filter(|(_, n)| !n.is_empty())
        .collect();
    // facility types by org unit uid, from the groups the mapping names
    let mut kinds: BTreeMap<&str, InstitutionType> = BTreeMap::new();
    for g in doc
        .get("organisationUnitGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mapped = [g.get("id"), g.get("code")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find_map(|k| mapping.facility_types.get(k));
        let kind = match mapped {
            Some(t) => Some(
                InstitutionType::parse_label(t)
                    .map_err(|e| err(0, format!("mapping facility_types: {e}")))?,
            ),
            // hsplan's own export names each group by its institution type code
            None => g
                .get("code")
                .and_then(Value::as_str)
                .and_then(|c| InstitutionType::parse_label(c).ok()),
        };
        if let Some(kind) = kind {
            for m in g
                .get("organisationUnits")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = m.get("id").and_then(Value::as_str) {
                    kinds.insert(id, kind);
                }
            }
        }
    }
    let year_of = |v: Option<&Value>| -> Option<Year> {
        let s = v?.as_str()?;
        Year::new(s.get(..4)?.parse().ok()?).ok()
    };
    let mut org_units = Vec::with_capacity(list.len());
    for (i, o) in list.iter().enumerate() {
        let n = i + 1;
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(n, "has no `id`".into()))?;
        let name = o
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(n, format!("`{id}`: has no `name`")))?;
        let parent = o
            .pointer("/parent/id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        // the level as stated, else as the path shows it
        let level = o
            .get("level")
            .and_then(Value::as_u64)
            .or_else(|| {
                let path = o.get("path")?.as_str()?;
                Some(path.split('/').filter(|s| !s.is_empty()).count() as u64)
            })
            .unwrap_or(0) as u32;
        let code_text = o
            .get("code")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let geometry = match o.get("geometry") {
            Some(g) if !g.is_null() => Some(
                crate::geojson::geometry(g)
                    .map_err(|m| err(n, format!("`{id}`, field `geometry`: {m}")))?,
            ),
            _ => None,
        };
        org_units.push(OrgUnit {
            n,
            id,
            name,
            level,
            code: code_text.and_then(|c| AdminCode::parse(c).ok()),
            code_text,
            parent,
            geometry,
            opened: year_of(o.get("openingDate")).filter(|y| y.get() > 1970),
            closed: year_of(o.get("closedDate")),
        });
    }
    let any_coded = org_units.iter().any(|o| o.code.is_some());
    let deepest = org_units.iter().map(|o| o.level).max().unwrap_or(0);
    let is_facility = |o: &OrgUnit| {
        if !mapping.facility_levels.is_empty() {
            mapping.facility_levels.contains(&o.level)
        } else if any_coded {
            o.code.is_none()
        } else {
            o.level == deepest
        }
    };
    if !any_coded && mapping.facility_levels.is_empty() && org_units.iter().any(|o| o.level == 0) {
        let o = org_units.iter().find(|o| o.level == 0).expect("found");
        return Err(err(
            o.n,
            format!(
                "`{}` ({}), field `level`: no level (nor path); hsplan needs the levels to tell units from facilities",
                o.id, o.name
            ),
        ));
    }
    // units: coded ones keep their code, the others get codes from their place
    let mut by_uid: BTreeMap<&str, AdminCode> = BTreeMap::new();
    let mut beside = hsplan_model::held_codes(held);
    for o in org_units.iter().filter(|o| !is_facility(o)) {
        if let Some(c) = o.code {
            by_uid.insert(o.id, c);
            beside.insert(c, Some(o.id.to_string()));
        }
    }
    let uncoded: Vec<&OrgUnit> = org_units
        .iter()
        .filter(|o| !is_facility(o) && o.code.is_none())
        .collect();
    let nodes: Vec<SourceNode> = uncoded
        .iter()
        .map(|o| SourceNode {
            id: o.id,
            parent: o.parent,
            name: o.name,
        })
        .collect();
    let assigned = hsplan_model::assign_codes(&nodes, &beside).map_err(|(i, e)| {
        let o = uncoded[i];
        let field = match e {
            hsplan_model::HierarchyError::Duplicate { .. } => "id",
            hsplan_model::HierarchyError::TooDeep { .. } => "level",
            _ => "parent",
        };
        err(
            o.n,
            format!("`{}` ({}), field `{field}`: {e}", o.id, o.name),
        )
    })?;
    let held_by_uid: BTreeMap<&str, AdminCode> = held
        .values()
        .filter_map(|u| u.source_id.as_deref().map(|s| (s, u.code)))
        .collect();
    let mut out = MetadataImport::default();
    for o in org_units.iter().filter(|o| !is_facility(o)) {
        let code = match o.code {
            Some(c) => c,
            None => assigned[o.id],
        };
        by_uid.insert(o.id, code);
        let mut u = AdminUnit::new(code, o.name);
        if !code.is_nbs() {
            u.source_id = Some(o.id.to_string());
            u.level_name = level_names.get(&u64::from(o.level)).map(|s| s.to_string());
        }
        if let Some((point, boundary)) = o.geometry.clone() {
            u.point = point;
            u.boundary = boundary;
        }
        out.units.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row: o.n,
            },
            value: u,
        });
    }
    let mut seen_facilities: BTreeMap<String, usize> = BTreeMap::new();
    for o in org_units.iter().filter(|o| is_facility(o)) {
        let (n, id, name) = (o.n, o.id, o.name);
        let parent = o.parent.ok_or_else(|| {
            err(
                n,
                format!("`{id}` ({name}), field `parent`: a facility needs its parent"),
            )
        })?;
        let unit = *by_uid
            .get(parent)
            .or_else(|| held_by_uid.get(parent))
            .ok_or_else(|| {
                err(
                    n,
                    format!(
                        "`{id}` ({name}), field `parent`: `{parent}` is no unit of the file or the store"
                    ),
                )
            })?;
        let fid_text = match (mapping.facility_id.as_str(), o.code_text) {
            ("code", Some(c)) => c,
            _ => id,
        };
        let fid =
            FacilityId::new(fid_text).map_err(|e| err(n, format!("`{id}`, field `code`: {e}")))?;
        if let Some(first) = seen_facilities.insert(fid.as_str().to_string(), n) {
            return Err(err(
                n,
                format!("`{id}`: facility {fid} repeats organisation unit {first}"),
            ));
        }
        let kind = match kinds.get(id) {
            Some(k) => *k,
            None => {
                *out.defaults
                    .entry("institution type not stated → other".into())
                    .or_default() += 1;
                InstitutionType::Other
            }
        };
        *out.defaults
            .entry("grade and ownership not in DHIS2 metadata → ungraded, other public".into())
            .or_default() += 1;
        let location: Option<LonLat> = o.geometry.clone().and_then(|(p, _)| p);
        out.facilities.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row: n,
            },
            value: Facility {
                id: fid,
                name: name.to_string(),
                kind,
                specialty: None,
                grade: Grade::parse("ungraded").expect("a grade"),
                ownership: Ownership::OtherPublic,
                for_profit: None,
                unit,
                location,
                opened: o.opened,
                closed: o.closed,
            },
        });
    }
    Ok(out)
}
