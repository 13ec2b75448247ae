//! FHIR R4 facility directories under the IHE mCSD profile (Mobile Care Services
//! Discovery): hsplan's units and facilities out as a transaction Bundle, and Bundles in —
//! ours or other systems'.
//!
//! Out: each unit is a jurisdiction — an `Organization` (type `jurisdiction`, `partOf` its
//! parent) and a `Location` (physicalType `jdn`, its position, its boundary through the
//! mCSD GeoJSON extension). Each facility is an `Organization` (type `prov` and its
//! institution type, `partOf` its unit) and a `Location` (type `facility`, its position,
//! `partOf` its unit's location); each capability of a chosen year is a `HealthcareService`
//! provided by it. Identifiers carry the NBS division code and the facility id, so a Bundle
//! read back gives the same units and facilities.
//!
//! In: jurisdictions are resources whose identifier is an NBS division code (or a code
//! hsplan assigned), or — in other systems' Bundles — mCSD jurisdictions without one, which
//! get codes from their place under their `partOf` parents; facilities are
//! `Organization`s (or `Location`s without one) that are not jurisdictions, placed by their
//! `partOf` (or their location's). What hsplan does not know — other resource types,
//! extensions, a facility type or ownership not stated — is counted in the report, never
//! guessed silently; what cannot be placed is an error naming the entry and the field.

use crate::error::IoError;
use crate::geojson::{geometry, multipolygon_value};
use base64::Engine as _;
use hsplan_model::{
    AdminCode, AdminUnit, Capability, Facility, FacilityId, Grade, InstitutionType, Labelled,
    LonLat, Origin, Ownership, ServiceSystem, Sourced, Specialty, Year,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Identifier system of NBS statistical division codes.
pub const NBS_SYSTEM: &str = "urn:hsplan:nbs-division-code";
/// Identifier system of codes hsplan assigned to units of hierarchies without NBS codes.
pub const UNIT_SYSTEM: &str = "urn:hsplan:unit-code";
/// Identifier system of a unit's id in the system it came from (a DHIS2 uid).
pub const SOURCE_ID_SYSTEM: &str = "urn:hsplan:source-id";
/// Code system of the source's names for its levels (a type coding of a jurisdiction).
pub const SOURCE_LEVEL_SYSTEM: &str = "urn:hsplan:source-level";
/// Identifier system of hsplan facility ids.
pub const FACILITY_SYSTEM: &str = "urn:hsplan:facility-id";
/// Code system of hsplan institution types.
pub const INSTITUTION_TYPE_SYSTEM: &str = "urn:hsplan:institution-type";
/// Code system of hsplan capabilities (departments and services).
pub const CAPABILITY_SYSTEM: &str = "urn:hsplan:capability";
/// Code system of hsplan administrative levels.
pub const LEVEL_SYSTEM: &str = "urn:hsplan:admin-level";
/// Extension: the facility's grade (valueCode, hsplan grade code).
pub const GRADE_EXTENSION: &str = "urn:hsplan:fhir:grade";
/// Extension: the facility's ownership (valueCode, hsplan ownership code).
pub const OWNERSHIP_EXTENSION: &str = "urn:hsplan:fhir:ownership";
/// Extension: the specialty of a specialised hospital (valueCode, hsplan specialty code).
pub const SPECIALTY_EXTENSION: &str = "urn:hsplan:fhir:specialty";
/// Extension: for-profit or not (valueBoolean).
pub const FOR_PROFIT_EXTENSION: &str = "urn:hsplan:fhir:for-profit";
/// Extension: year opened (valueInteger).
pub const OPENED_EXTENSION: &str = "urn:hsplan:fhir:opened";
/// Extension: year closed (valueInteger).
pub const CLOSED_EXTENSION: &str = "urn:hsplan:fhir:closed";
/// The mCSD code system of organization and location types.
pub const MCSD_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";
/// The mCSD GeoJSON boundary extension.
pub const MCSD_GEOJSON: &str =
    "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.GeoJSONExtension";
const MCSD_PROFILES: &str = "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/";
const PHYSICAL_TYPE: &str = "http://terminology.hl7.org/CodeSystem/location-physical-type";
const ORGANIZATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/organization-type";

/// A FHIR id (`[A-Za-z0-9\-\.]{1,64}`) for a key: kept when it fits, else a hash of it.
fn fhir_id(prefix: &str, key: &str) -> String {
    let clean: String = key
        .chars()
        .map(|c| if c == '_' { '-' } else { c })
        .collect();
    if clean.len() + prefix.len() <= 64
        && clean
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return format!("{prefix}{clean}");
    }
    // FNV-1a, 64 bits: deterministic, and the key itself is in the identifier
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{prefix}h{h:016x}")
}

fn jurisdiction_id(code: AdminCode) -> String {
    format!("jdn-{code}")
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

fn entry(resource: Value) -> Value {
    let url = format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or(""),
        resource["id"].as_str().unwrap_or("")
    );
    json!({"resource": resource, "request": {"method": "PUT", "url": url}})
}

fn position(p: LonLat) -> Value {
    json!({"longitude": p.lon(), "latitude": p.lat()})
}

/// The units (all, or `within` and below) and their facilities as an mCSD transaction
/// Bundle; the capabilities of `year` (when given) as HealthcareServices.
pub fn export_bundle(sys: &ServiceSystem, within: Option<AdminCode>, year: Option<Year>) -> Value {
    let inside = |c: AdminCode| within.is_none_or(|w| c == w || c.is_descendant_of(w));
    let mut entries = Vec::new();
    for u in sys.units.values().filter(|u| inside(u.code)) {
        let id = jurisdiction_id(u.code);
        let identifier = if u.code.is_nbs() {
            json!([{"system": NBS_SYSTEM, "value": u.code.to_string()}])
        } else {
            let mut ids = vec![json!({"system": UNIT_SYSTEM, "value": u.code.to_string()})];
            if let Some(s) = &u.source_id {
                ids.push(json!({"system": SOURCE_ID_SYSTEM, "value": s}));
            }
            Value::Array(ids)
        };
        let level = u.level().label();
        let mut level_codings = vec![
            coding(MCSD_TYPES, "jurisdiction", "Jurisdiction"),
            coding(LEVEL_SYSTEM, level.code(), level.zh()),
        ];
        if let Some(n) = &u.level_name {
            level_codings.push(coding(SOURCE_LEVEL_SYSTEM, n, n));
        }
        let types = json!([{ "coding": level_codings }]);
        let parent = u
            .parent()
            .filter(|p| sys.units.contains_key(p) && inside(*p));
        let mut org = json!({
            "resourceType": "Organization",
            "id": id,
            "meta": {"profile": [format!("{MCSD_PROFILES}IHE.mCSD.JurisdictionOrganization")]},
            "identifier": identifier,
            "active": true,
            "type": types,
            "name": u.name,
        });
        if let Some(p) = parent {
            org["partOf"] = json!({"reference": format!("Organization/{}", jurisdiction_id(p))});
        }
        let mut loc = json!({
            "resourceType": "Location",
            "id": id,
            "meta": {"profile": [format!("{MCSD_PROFILES}IHE.mCSD.JurisdictionLocation")]},
            "identifier": identifier,
            "status": "active",
            "name": u.name,
            "mode": "instance",
            "type": types,
            "physicalType": {"coding": [coding(PHYSICAL_TYPE, "jdn", "Jurisdiction")]},
            "managingOrganization": {"reference": format!("Organization/{id}")},
        });
        if let Some(p) = u.point {
            loc["position"] = position(p);
        }
        if let Some(p) = parent {
            loc["partOf"] = json!({"reference": format!("Location/{}", jurisdiction_id(p))});
        }
        if let Some(b) = &u.boundary {
            let text = multipolygon_value(b).to_string();
            loc["extension"] = json!([{
                "url": MCSD_GEOJSON,
                "valueAttachment": {
                    "contentType": "application/geo+json",
                    "data": base64::engine::general_purpose::STANDARD.encode(text),
                },
            }]);
        }
        entries.push(entry(org));
        entries.push(entry(loc));
    }
    for f in sys.facilities.values().filter(|f| inside(f.unit)) {
        let id = fhir_id("fac-", f.id.as_str());
        let identifier = json!([{"system": FACILITY_SYSTEM, "value": f.id.as_str()}]);
        let open = year.is_none_or(|y| f.is_open_in(y)) && f.closed.is_none();
        let mut extension = vec![
            json!({"url": GRADE_EXTENSION, "valueCode": f.grade.code()}),
            json!({"url": OWNERSHIP_EXTENSION, "valueCode": f.ownership.code()}),
        ];
        if let Some(sp) = f.specialty {
            extension.push(json!({"url": SPECIALTY_EXTENSION, "valueCode": sp.code()}));
        }
        if let Some(fp) = f.for_profit {
            extension.push(json!({"url": FOR_PROFIT_EXTENSION, "valueBoolean": fp}));
        }
        if let Some(y) = f.opened {
            extension.push(json!({"url": OPENED_EXTENSION, "valueInteger": y.get()}));
        }
        if let Some(y) = f.closed {
            extension.push(json!({"url": CLOSED_EXTENSION, "valueInteger": y.get()}));
        }
        let org = json!({
            "resourceType": "Organization",
            "id": id,
            "meta": {"profile": [format!("{MCSD_PROFILES}IHE.mCSD.Organization")]},
            "extension": extension,
            "identifier": identifier,
            "active": open,
            "type": [
                {"coding": [coding(ORGANIZATION_TYPE, "prov", "Healthcare Provider")]},
                {"coding": [coding(INSTITUTION_TYPE_SYSTEM, f.kind.code(), f.kind.zh())]},
            ],
            "name": f.name,
            "partOf": {"reference": format!("Organization/{}", jurisdiction_id(f.unit))},
        });
        let mut loc = json!({
            "resourceType": "Location",
            "id": id,
            "meta": {"profile": [format!("{MCSD_PROFILES}IHE.mCSD.FacilityLocation")]},
            "identifier": identifier,
            "status": if open { "active" } else { "inactive" },
            "name": f.name,
            "mode": "instance",
            "type": [{"coding": [coding(MCSD_TYPES, "facility", "Facility")]}],
            "physicalType": {"coding": [coding(PHYSICAL_TYPE, "bu", "Building")]},
            "managingOrganization": {"reference": format!("Organization/{id}")},
            "partOf": {"reference": format!("Location/{}", jurisdiction_id(f.unit))},
        });
        if let Some(p) = f.location {
            loc["position"] = position(p);
        }
        entries.push(entry(org));
        entries.push(entry(loc));
        if let Some(fy) = year.and_then(|y| sys.facility_years.get(&(f.id.clone(), y))) {
            for c in &fy.capabilities {
                let service = json!({
                    "resourceType": "HealthcareService",
                    "id": fhir_id("svc-", &format!("{}.{}", f.id.as_str(), c.code())),
                    "active": true,
                    "providedBy": {"reference": format!("Organization/{id}")},
                    "type": [{"coding": [coding(CAPABILITY_SYSTEM, c.code(), c.zh())]}],
                    "location": [{"reference": format!("Location/{id}")}],
                    "name": format!("{} · {}", f.name, c.zh()),
                });
                entries.push(entry(service));
            }
        }
    }
    json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "meta": {"tag": [{"system": "urn:hsplan", "code": "export", "display": "hsplan mCSD export"}]},
        "entry": entries,
    })
}

/// What a Bundle held, and what was made of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FhirImport {
    /// Jurisdictions with an NBS code, as units (points and boundaries included).
    pub units: Vec<Sourced<AdminUnit>>,
    /// Facilities placed in a unit.
    pub facilities: Vec<Sourced<Facility>>,
    /// Capabilities stated by HealthcareServices, by facility (not stored: a facility-year's
    /// record comes from the resources table).
    pub services: BTreeMap<FacilityId, BTreeSet<Capability>>,
    /// Entries by resource type.
    pub resources: BTreeMap<String, usize>,
    /// Entries of types hsplan does not read, by type.
    pub ignored_resources: BTreeMap<String, usize>,
    /// Extensions hsplan does not read, by URL.
    pub ignored_extensions: BTreeMap<String, usize>,
    /// Defaults taken where the Bundle says nothing (e.g. "institution type not stated →
    /// other"), with how many times.
    pub defaults: BTreeMap<String, usize>,
}

struct Entry<'a> {
    n: usize,
    resource: &'a Map<String, Value>,
    kind: &'a str,
    id: &'a str,
}

fn identifiers(r: &Map<String, Value>) -> impl Iterator<Item = (&str, &str)> {
    r.get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some((
                i.get("system").and_then(Value::as_str).unwrap_or(""),
                i.get("value")?.as_str()?,
            ))
        })
}

fn codings<'a>(r: &'a Map<String, Value>, field: &str) -> Vec<(&'a str, &'a str)> {
    let one = |cc: &'a Value| -> Vec<(&'a str, &'a str)> {
        cc.get("coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some((
                    c.get("system").and_then(Value::as_str).unwrap_or(""),
                    c.get("code")?.as_str()?,
                ))
            })
            .collect()
    };
    match r.get(field) {
        Some(Value::Array(a)) => a.iter().flat_map(one).collect(),
        Some(v @ Value::Object(_)) => one(v),
        _ => Vec::new(),
    }
}

fn reference<'a>(r: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    r.get(field)?.get("reference")?.as_str()
}

/// "Organization/abc" or a full URL ending so → ("Organization", "abc").
fn split_reference(reference: &str) -> Option<(&str, &str)> {
    let mut parts = reference.rsplitn(3, '/');
    let id = parts.next()?;
    let kind = parts.next()?;
    Some((kind, id))
}

/// True for an mCSD jurisdiction: an Organization typed `jurisdiction`, or a Location whose
/// physical type is `jdn`.
fn is_jurisdiction(e: &Entry) -> bool {
    match e.kind {
        "Organization" => codings(e.resource, "type")
            .iter()
            .any(|(s, c)| *s == MCSD_TYPES && *c == "jurisdiction"),
        "Location" => codings(e.resource, "physicalType")
            .iter()
            .any(|(_, c)| *c == "jdn"),
        _ => false,
    }
}

/// The source id of a jurisdiction without an hsplan code: its own resource id.
fn uncoded_source_id(e: &Entry) -> Option<String> {
    (!e.id.is_empty()).then(|| e.id.to_string())
}

/// Codes for the jurisdictions of another system's Bundle that carry no hsplan code (NBS or
/// assigned): an Organization and the Location it manages are one unit, keyed by the
/// Organization's id; a Location alone is keyed by its own. Parents come from `partOf`; a
/// parent may be a coded jurisdiction of the Bundle or a unit the store holds (`held`).
fn uncoded_jurisdictions<'a>(
    entries: &[Entry<'a>],
    held: &BTreeMap<AdminCode, AdminUnit>,
    err: &dyn Fn(usize, String) -> IoError,
    place: &dyn Fn(&Entry, &str, &str) -> String,
) -> Result<BTreeMap<(&'a str, &'a str), AdminCode>, IoError> {
    let coded = |e: &Entry| {
        identifiers(e.resource)
            .find(|(s, _)| *s == NBS_SYSTEM || *s == UNIT_SYSTEM)
            .and_then(|(_, v)| AdminCode::parse(v).ok())
    };
    let uncoded: Vec<&Entry> = entries
        .iter()
        .filter(|e| is_jurisdiction(e) && coded(e).is_none() && !e.id.is_empty())
        .collect();
    if uncoded.is_empty() {
        return Ok(BTreeMap::new());
    }
    // coded jurisdictions of the Bundle stand beside the store's units as parents
    let mut beside = hsplan_model::held_codes(held);
    let mut coded_keys: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for e in entries {
        if let Some(c) = coded(e) {
            // the key a child's parent is found by: the held unit's source id, else a
            // placeholder naming the resource
            let key = match beside.get(&c).cloned().flatten() {
                Some(k) => k,
                None => {
                    let k = format!("{}/{}", e.kind, e.id);
                    beside.insert(c, Some(k.clone()));
                    k
                }
            };
            coded_keys.insert((e.kind, e.id), key);
        }
    }
    let uncoded_orgs: BTreeSet<&str> = uncoded
        .iter()
        .filter(|e| e.kind == "Organization")
        .map(|e| e.id)
        .collect();
    // a Location managed by an uncoded jurisdiction Organization is that unit
    let managed = |e: &Entry<'a>| -> Option<&'a str> {
        let (kind, oid) =
            reference(e.resource, "managingOrganization").and_then(split_reference)?;
        (kind == "Organization" && uncoded_orgs.contains(oid)).then_some(oid)
    };
    // the node key of a reference to a jurisdiction: a coded one by its placeholder id, an
    // uncoded one by its key
    let node_of = |kind: &'a str, id: &'a str| -> String {
        if let Some(k) = coded_keys.get(&(kind, id)) {
            return k.clone();
        }
        if kind == "Location"
            && let Some(l) = entries.iter().find(|l| l.kind == "Location" && l.id == id)
            && let Some(oid) = managed(l)
        {
            return oid.to_string();
        }
        id.to_string()
    };
    let mut keyed: Vec<(&Entry, String, Option<String>)> = Vec::new();
    for e in &uncoded {
        if e.kind == "Location" && managed(e).is_some() {
            continue;
        }
        let parent = reference(e.resource, "partOf")
            .and_then(split_reference)
            .map(|(k, id)| node_of(k, id));
        keyed.push((e, e.id.to_string(), parent));
    }
    let names: Vec<String> = keyed
        .iter()
        .map(|(e, _, _)| {
            e.resource
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .collect();
    let nodes: Vec<hsplan_model::SourceNode> = keyed
        .iter()
        .zip(&names)
        .map(|((_, id, parent), name)| hsplan_model::SourceNode {
            id,
            parent: parent.as_deref(),
            name,
        })
        .collect();
    let codes = hsplan_model::assign_codes(&nodes, &beside).map_err(|(i, x)| {
        let e = keyed[i].0;
        err(e.n, place(e, "partOf", &x.to_string()))
    })?;
    let mut out = BTreeMap::new();
    for e in &uncoded {
        let key = match managed(e) {
            Some(oid) => oid,
            None => e.id,
        };
        if let Some(c) = codes.get(key) {
            out.insert((e.kind, e.id), *c);
        }
    }
    Ok(out)
}

/// Reads a FHIR R4 Bundle (JSON) of an mCSD directory beside the units `held` (the
/// store's): jurisdictions without an hsplan code get codes from their place in the
/// hierarchy, keeping the codes of those read before.
pub fn import_bundle(
    file: &str,
    text: &str,
    held: &BTreeMap<AdminCode, AdminUnit>,
) -> Result<FhirImport, IoError> {
    let err = |feature: usize, message: String| IoError::Fhir {
        file: file.to_string(),
        entry: feature,
        message,
    };
    let doc = crate::json_document(text).map_err(|m| err(0, m))?;
    if doc.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(err(0, "expected a Bundle (resourceType \"Bundle\")".into()));
    }
    let list = match doc.get("entry") {
        None => &Vec::new(),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(err(0, "`entry` must be an array".into())),
    };
    let mut out = FhirImport::default();
    let mut entries = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let n = i + 1;
        let resource = e
            .get("resource")
            .and_then(Value::as_object)
            .ok_or_else(|| err(n, "has no `resource` object".into()))?;
        let kind = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .ok_or_else(|| err(n, "resource has no `resourceType`".into()))?;
        *out.resources.entry(kind.to_string()).or_default() += 1;
        if !matches!(kind, "Organization" | "Location" | "HealthcareService") {
            *out.ignored_resources.entry(kind.to_string()).or_default() += 1;
            continue;
        }
        let id = resource.get("id").and_then(Value::as_str).unwrap_or("");
        for x in resource
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let url = x.get("url").and_then(Value::as_str).unwrap_or("");
            let known = matches!(
                url,
                GRADE_EXTENSION
                    | OWNERSHIP_EXTENSION
                    | SPECIALTY_EXTENSION
                    | FOR_PROFIT_EXTENSION
                    | OPENED_EXTENSION
                    | CLOSED_EXTENSION
                    | MCSD_GEOJSON
            );
            if !known {
                *out.ignored_extensions.entry(url.to_string()).or_default() += 1;
            }
        }
        entries.push(Entry {
            n,
            resource,
            kind,
            id,
        });
    }
    let place = |e: &Entry, field: &str, what: &str| {
        format!(
            "{} `{}`, field `{field}`: {what}",
            e.kind,
            if e.id.is_empty() { "(no id)" } else { e.id }
        )
    };
    // Jurisdictions: an NBS code (or a code hsplan assigned) in an identifier; or, in a
    // Bundle of another system, an mCSD jurisdiction without one — those get codes from
    // their place under their parents (see `uncoded_jurisdictions`).
    let mut jurisdictions: BTreeMap<(&str, &str), AdminCode> =
        uncoded_jurisdictions(&entries, held, &err, &place)?;
    let mut units: BTreeMap<AdminCode, (usize, AdminUnit)> = BTreeMap::new();
    for e in &entries {
        let (code, stated_code) = match identifiers(e.resource)
            .find(|(s, _)| *s == NBS_SYSTEM || *s == UNIT_SYSTEM)
            .map(|(_, v)| v)
        {
            Some(code_text) => (
                AdminCode::parse(code_text)
                    .map_err(|x| err(e.n, place(e, "identifier", &x.to_string())))?,
                true,
            ),
            None => match jurisdictions.get(&(e.kind, e.id)) {
                Some(c) => (*c, false),
                None => continue,
            },
        };
        jurisdictions.insert((e.kind, e.id), code);
        let name = e
            .resource
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        let slot = units
            .entry(code)
            .or_insert_with(|| (e.n, AdminUnit::new(code, name)));
        if slot.1.name.is_empty() && !name.is_empty() {
            slot.1 = AdminUnit {
                point: slot.1.point,
                boundary: slot.1.boundary.take(),
                ..AdminUnit::new(code, name)
            };
        }
        if !code.is_nbs() {
            // the source's id: stated, or (another system's Bundle) the resource's own id,
            // the Organization's when there is one
            let stated = identifiers(e.resource)
                .find(|(s, _)| *s == SOURCE_ID_SYSTEM)
                .map(|(_, v)| v.to_string());
            let own = (!stated_code && (slot.1.source_id.is_none() || e.kind == "Organization"))
                .then(|| uncoded_source_id(e))
                .flatten();
            if let Some(id) = stated.or(own) {
                slot.1.source_id = Some(id);
            }
            if let Some((_, n)) = codings(e.resource, "type")
                .into_iter()
                .find(|(s, _)| *s == SOURCE_LEVEL_SYSTEM)
            {
                slot.1.level_name = Some(n.to_string());
            }
        }
        if e.kind == "Location" {
            if let Some(p) = e.resource.get("position") {
                slot.1.point = Some(lon_lat(p).map_err(|m| err(e.n, place(e, "position", &m)))?);
            }
            for x in e
                .resource
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|x| x.get("url").and_then(Value::as_str) == Some(MCSD_GEOJSON))
            {
                let data = x
                    .pointer("/valueAttachment/data")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        err(e.n, place(e, "extension", "GeoJSON boundary without data"))
                    })?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|x| {
                        err(
                            e.n,
                            place(e, "extension", &format!("boundary is not base64: {x}")),
                        )
                    })?;
                let geom: Value = serde_json::from_slice(&bytes).map_err(|x| {
                    err(
                        e.n,
                        place(e, "extension", &format!("boundary is not GeoJSON: {x}")),
                    )
                })?;
                // a Feature or a bare geometry
                let geom = geom.get("geometry").cloned().unwrap_or(geom);
                let (point, boundary) =
                    geometry(&geom).map_err(|m| err(e.n, place(e, "extension", &m)))?;
                if boundary.is_some() {
                    slot.1.boundary = boundary;
                } else if slot.1.point.is_none() {
                    slot.1.point = point;
                }
            }
        }
    }
    for (code, (n, unit)) in units {
        if unit.name.is_empty() {
            return Err(err(n, format!("jurisdiction {code} has no name")));
        }
        out.units.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row: n,
            },
            value: unit,
        });
    }
    // The unit a reference points to: a jurisdiction, or a facility's own Location/Org.
    let unit_of = |reference: &str| -> Option<AdminCode> {
        let (kind, id) = split_reference(reference)?;
        jurisdictions.get(&(kind, id)).copied()
    };
    // Facilities: Organizations that are not jurisdictions, then Locations without one.
    let mut by_resource: BTreeMap<(&str, &str), FacilityId> = BTreeMap::new();
    let mut seen: BTreeMap<FacilityId, usize> = BTreeMap::new();
    // Indexes, so a Bundle of many facilities is read in linear time: each Organization's
    // first managed Location, and the Organizations that are not jurisdictions.
    let mut managed_by: BTreeMap<&str, &Entry> = BTreeMap::new();
    for l in entries.iter().filter(|l| l.kind == "Location") {
        if let Some((kind, oid)) =
            reference(l.resource, "managingOrganization").and_then(split_reference)
            && kind == "Organization"
        {
            managed_by.entry(oid).or_insert(l);
        }
    }
    let facility_orgs: BTreeSet<&str> = entries
        .iter()
        .filter(|o| {
            o.kind == "Organization" && !jurisdictions.contains_key(&("Organization", o.id))
        })
        .map(|o| o.id)
        .collect();
    for e in entries
        .iter()
        .filter(|e| matches!(e.kind, "Organization" | "Location"))
        .filter(|e| !jurisdictions.contains_key(&(e.kind, e.id)))
    {
        let my_location = (e.kind == "Organization")
            .then(|| managed_by.get(e.id).copied())
            .flatten();
        if e.kind == "Location" {
            // a facility's own Location comes with its Organization
            if let Some((_, oid)) =
                reference(e.resource, "managingOrganization").and_then(split_reference)
                && facility_orgs.contains(oid)
            {
                continue;
            }
        }
        let id_text = identifiers(e.resource)
            .find(|(s, _)| *s == FACILITY_SYSTEM)
            .map(|(_, v)| v.to_string())
            .or_else(|| identifiers(e.resource).next().map(|(_, v)| v.to_string()))
            .unwrap_or_else(|| e.id.to_string());
        let id = FacilityId::new(&id_text)
            .map_err(|x| err(e.n, place(e, "identifier", &x.to_string())))?;
        if let Some(first) = seen.insert(id.clone(), e.n) {
            return Err(err(
                e.n,
                place(
                    e,
                    "identifier",
                    &format!("facility {id} repeats entry {first}"),
                ),
            ));
        }
        let name = e
            .resource
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| err(e.n, place(e, "name", "a facility needs a name")))?;
        // its unit: partOf (an Organization's parent or a Location's), else its location's
        let unit = reference(e.resource, "partOf")
            .and_then(unit_of)
            .or_else(|| my_location.and_then(|l| reference(l.resource, "partOf")).and_then(unit_of))
            .ok_or_else(|| {
                err(
                    e.n,
                    place(
                        e,
                        "partOf",
                        "not placed in a jurisdiction of the Bundle (a reference to an Organization or Location that is one)",
                    ),
                )
            })?;
        let mut note = |what: &str| *out.defaults.entry(what.to_string()).or_default() += 1;
        let types = codings(e.resource, "type");
        let kind = match types.iter().find(|(s, _)| *s == INSTITUTION_TYPE_SYSTEM) {
            Some((_, c)) => InstitutionType::parse_label(c)
                .map_err(|x| err(e.n, place(e, "type", &x.to_string())))?,
            None => {
                note("institution type not stated → other");
                InstitutionType::Other
            }
        };
        let ext = |url: &str| {
            e.resource
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|x| x.get("url").and_then(Value::as_str) == Some(url))
        };
        let grade = match ext(GRADE_EXTENSION)
            .and_then(|x| x.get("valueCode"))
            .and_then(Value::as_str)
        {
            Some(g) => Grade::parse(g)
                .map_err(|x| err(e.n, place(e, "extension grade", &x.to_string())))?,
            None => {
                note("grade not stated → ungraded");
                Grade::parse("ungraded").expect("ungraded is a grade")
            }
        };
        let ownership = match ext(OWNERSHIP_EXTENSION)
            .and_then(|x| x.get("valueCode"))
            .and_then(Value::as_str)
        {
            Some(o) => Ownership::parse_label(o)
                .map_err(|x| err(e.n, place(e, "extension ownership", &x.to_string())))?,
            None if types
                .iter()
                .any(|(s, c)| *s == ORGANIZATION_TYPE && *c == "govt") =>
            {
                Ownership::Government
            }
            None => {
                note("ownership not stated → other public");
                Ownership::OtherPublic
            }
        };
        let year_of = |url: &str, field: &str| -> Result<Option<Year>, IoError> {
            match ext(url).and_then(|x| x.get("valueInteger")) {
                None => Ok(None),
                Some(v) => v
                    .as_i64()
                    .and_then(|y| Year::new(y).ok())
                    .map(Some)
                    .ok_or_else(|| err(e.n, place(e, field, "expected a year 1949–2100"))),
            }
        };
        let position_of = |r: &Map<String, Value>| r.get("position").map(lon_lat).transpose();
        let location = match (e.kind, my_location) {
            ("Location", _) => position_of(e.resource),
            (_, Some(l)) => position_of(l.resource),
            _ => Ok(None),
        }
        .map_err(|m| err(e.n, place(e, "position", &m)))?;
        let specialty = match ext(SPECIALTY_EXTENSION)
            .and_then(|x| x.get("valueCode"))
            .and_then(Value::as_str)
        {
            Some(sp) => Some(
                Specialty::parse_label(sp)
                    .map_err(|x| err(e.n, place(e, "extension specialty", &x.to_string())))?,
            ),
            None => None,
        };
        let for_profit = ext(FOR_PROFIT_EXTENSION)
            .and_then(|x| x.get("valueBoolean"))
            .and_then(Value::as_bool);
        let facility = Facility {
            id: id.clone(),
            name: name.to_string(),
            kind,
            specialty,
            grade,
            ownership,
            for_profit,
            unit,
            location,
            opened: year_of(OPENED_EXTENSION, "extension opened")?,
            closed: year_of(CLOSED_EXTENSION, "extension closed")?,
        };
        by_resource.insert((e.kind, e.id), id.clone());
        if let Some(l) = my_location {
            by_resource.insert(("Location", l.id), id.clone());
        }
        out.facilities.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row: e.n,
            },
            value: facility,
        });
    }
    // Services: the capabilities hsplan knows, by the facility providing them.
    for e in entries.iter().filter(|e| e.kind == "HealthcareService") {
        let Some(facility) = reference(e.resource, "providedBy")
            .and_then(split_reference)
            .and_then(|k| by_resource.get(&k))
        else {
            *out.defaults
                .entry("HealthcareService of no facility in the Bundle → skipped".into())
                .or_default() += 1;
            continue;
        };
        for (system, code) in codings(e.resource, "type") {
            if system == CAPABILITY_SYSTEM
                && let Ok(c) = Capability::parse_label(code)
            {
                out.services.entry(facility.clone()).or_default().insert(c);
            }
        }
    }
    Ok(out)
}

fn lon_lat(p: &Value) -> Result<LonLat, String> {
    let lon = p.get("longitude").and_then(Value::as_f64);
    let lat = p.get("latitude").and_then(Value::as_f64);
    match (lon, lat) {
        (Some(lon), Some(lat)) => LonLat::new(lon, lat).map_err(|e| e.to_string()),
        _ => Err("expected longitude and latitude as numbers".into()),
    }
}
