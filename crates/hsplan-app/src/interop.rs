//! Talking to the systems planners already run: FHIR R4 facility directories (IHE mCSD)
//! out and in.

use crate::data::Download;
use crate::{AppError, Result, known_unit, parse_year};
use hsplan_model::ServiceSystem;
use hsplan_store::ImportBatch;
use serde::Serialize;
use std::collections::BTreeMap;

/// MIME type of FHIR JSON.
pub const FHIR_MIME: &str = "application/fhir+json";

/// The store's units and facilities (all, or `unit` with its ancestors and everything below
/// it) as an mCSD transaction Bundle; the capabilities of `year` (default: the latest year
/// with data) as HealthcareServices.
pub fn fhir_export(sys: &ServiceSystem, unit: Option<&str>, year: Option<i64>) -> Result<Download> {
    let within = unit
        .map(|u| known_unit(sys, "unit", u).map(|u| u.code))
        .transpose()?;
    let year = match year {
        Some(y) => Some(parse_year("year", y)?),
        None => sys.years().last().copied(),
    };
    // the ancestors come along, so the Bundle loads into an empty directory
    let mut doc = hsplan_io::fhir::export_bundle(sys, within, year);
    if let Some(w) = within {
        let mut above = ServiceSystem::default();
        let mut at = w.parent();
        while let Some(p) = at {
            if let Some(u) = sys.units.get(&p) {
                above.units.insert(p, u.clone());
            }
            at = p.parent();
        }
        let ancestors = hsplan_io::fhir::export_bundle(&above, None, None);
        if let (Some(list), Some(extra)) =
            (doc["entry"].as_array_mut(), ancestors["entry"].as_array())
        {
            let mut all = extra.clone();
            all.append(list);
            *list = all;
        }
    }
    Ok(Download {
        file_name: "mcsd-bundle.json".into(),
        content_type: FHIR_MIME,
        bytes: serde_json::to_vec(&doc).map_err(|e| AppError::File(e.to_string()))?,
    })
}

/// What a FHIR Bundle held besides what is imported.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FhirReading {
    /// Entries by resource type.
    pub resources: BTreeMap<String, usize>,
    /// Entries of types hsplan does not read, by type.
    pub ignored_resources: BTreeMap<String, usize>,
    /// Extensions hsplan does not read, by URL.
    pub ignored_extensions: BTreeMap<String, usize>,
    /// Defaults taken where the Bundle says nothing, with how many times.
    pub defaults: BTreeMap<String, usize>,
    /// Facilities whose HealthcareServices name capabilities hsplan knows (not stored: a
    /// facility-year's record comes from the resources table).
    pub facilities_with_services: usize,
}

/// Reads an mCSD Bundle (JSON) into an import batch of units and facilities, with what
/// else it held, beside the units of `sys` (jurisdictions without an hsplan code get codes
/// from their place; those read before keep theirs).
pub fn fhir_read(
    sys: &ServiceSystem,
    file: &str,
    bytes: &[u8],
) -> Result<(ImportBatch, FhirReading)> {
    let text = std::str::from_utf8(bytes).map_err(|e| AppError::Input {
        problems: vec![format!("{file}: not UTF-8 text: {e}")],
        more: 0,
    })?;
    let read = hsplan_io::fhir::import_bundle(file, text, &sys.units)?;
    let batch = ImportBatch {
        units: read.units,
        facilities: read.facilities,
        ..ImportBatch::default()
    };
    Ok((
        batch,
        FhirReading {
            resources: read.resources,
            ignored_resources: read.ignored_resources,
            ignored_extensions: read.ignored_extensions,
            defaults: read.defaults,
            facilities_with_services: read.services.len(),
        },
    ))
}

/// A facility-year's values from one file: quantity → (count, the row it came from).
type Values = BTreeMap<hsplan_model::Quantity, (hsplan_model::Count, usize)>;

/// The most problems listed from one DHIS2 file (the rest are counted).
const DHIS2_PROBLEMS: usize = 50;

/// A mapping file between DHIS2 identifiers and hsplan's, checked: every quantity and
/// indicator it names exists.
pub fn dhis2_mapping(file: &str, text: &str) -> Result<hsplan_io::dhis2::Mapping> {
    use hsplan_model::{Labelled, Quantity};
    let m = hsplan_io::dhis2::read_mapping(file, text)?;
    let mut problems = Vec::new();
    for (i, l) in m.data_elements.iter().enumerate() {
        if let Err(e) = Quantity::parse_label(&l.quantity) {
            problems.push(format!(
                "{file}: data_elements[{}] ({}): {e}",
                i + 1,
                l.data_element
            ));
        }
    }
    for (i, l) in m.indicators.iter().enumerate() {
        if hsplan_eval::find(&l.indicator).is_none() {
            problems.push(format!(
                "{file}: indicators[{}] ({}): `{}` is not a library indicator (hsplan indicators lists them)",
                i + 1,
                l.data_element,
                l.indicator
            ));
        }
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(AppError::Input { problems, more: 0 })
    }
}

/// What a DHIS2 data value import read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dhis2Reading {
    /// Data values in the file.
    pub values: usize,
    /// Values that became facility quantities.
    pub imported: usize,
    /// Values that became population figures of units.
    pub population: usize,
    /// Facility-years written (merged with what the store already holds).
    pub facility_years: usize,
    /// Values of data elements (and category option combos) the mapping does not name,
    /// skipped, by data element.
    pub unmapped: BTreeMap<String, usize>,
    /// Values marked deleted, skipped.
    pub deleted: usize,
    /// Values of data elements hsplan writes (the mapping's indicators and statuses),
    /// skipped: hsplan computes them.
    pub computed: usize,
}

/// Reads DHIS2 data values (JSON dataValueSet or CSV, by content) through `mapping` into
/// facility quantities (each orgUnit a facility of the store) and units' population (the
/// mapping's `[[population]]` data elements; each orgUnit a unit of the store, by code or by
/// the uid a unit read from DHIS2 keeps): yearly periods only; each value a whole number.
/// The values are merged into the facility-years and population records the store holds, so
/// what the file does not carry is kept. Every problem is located (file, data value or row).
pub fn dhis2_import(
    sys: &ServiceSystem,
    mapping: &hsplan_io::dhis2::Mapping,
    file: &str,
    bytes: &[u8],
) -> Result<(ImportBatch, Dhis2Reading)> {
    use hsplan_model::{
        AdminCode, AgeBands, Count, FacilityId, FacilityYear, Labelled, Origin, Persons,
        PopulationRecord, PopulationSource, Quantity, Sourced, Year,
    };
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xef && *b != 0xbb && *b != 0xbf);
    let values = if first == Some(b'{') {
        let text = std::str::from_utf8(bytes).map_err(|e| AppError::Input {
            problems: vec![format!("{file}: not UTF-8 text: {e}")],
            more: 0,
        })?;
        hsplan_io::dhis2::read_json(file, text)?
    } else {
        hsplan_io::dhis2::read_csv(file, bytes)?
    };
    let by_uid: BTreeMap<&str, &str> = mapping
        .org_units
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut reading = Dhis2Reading {
        values: values.len(),
        ..Dhis2Reading::default()
    };
    let mut problems = Vec::new();
    let mut more = 0;
    let mut problem = |p: String| {
        if problems.len() < DHIS2_PROBLEMS {
            problems.push(p);
        } else {
            more += 1;
        }
    };
    let json = first == Some(b'{');
    let short = |row: usize| {
        if json {
            format!("data value {row}")
        } else {
            format!("row {row}")
        }
    };
    let at = |row: usize| format!("{file}, {}", short(row));
    // a value's year and whole number, or what is wrong with them, located
    let year_of = |v: &hsplan_io::dhis2::DataValue| {
        year_of_period(&v.period).ok_or_else(|| {
            format!(
                "{}, period: `{}` is not a year (yyyy); hsplan holds yearly values",
                at(v.row),
                v.period
            )
        })
    };
    let count_of = |v: &hsplan_io::dhis2::DataValue| {
        whole(&v.value).ok_or_else(|| {
            format!(
                "{}, value: `{}`: expected a whole number 0–10^12",
                at(v.row),
                v.value.trim()
            )
        })
    };
    let mut merged: BTreeMap<(FacilityId, Year), (usize, Values)> = BTreeMap::new();
    let mut people: BTreeMap<(AdminCode, Year), (usize, PopulationFields)> = BTreeMap::new();
    // an orgUnit as a unit: through [org_units] (uid scheme), a unit code, or the uid a
    // unit read from DHIS2 keeps
    let unit_of = |org_unit: &str| -> Option<AdminCode> {
        let named = match by_uid.get(org_unit) {
            Some(text) if mapping.org_unit_scheme == "uid" => *text,
            _ => org_unit,
        };
        sys.find_unit(named).map(|u| u.code)
    };
    for v in &values {
        if v.deleted {
            reading.deleted += 1;
            continue;
        }
        let combo_fits = |c: &Option<String>| {
            c.as_ref()
                .is_none_or(|c| Some(c) == v.category_option_combo.as_ref())
        };
        if let Some(pl) = mapping
            .population
            .iter()
            .find(|l| l.data_element == v.data_element && combo_fits(&l.category_option_combo))
        {
            let Some(unit) = unit_of(&v.org_unit) else {
                problem(format!(
                    "{}, orgUnit: `{}` is no unit of the store (population is kept per unit)",
                    at(v.row),
                    v.org_unit
                ));
                continue;
            };
            let (year, count) = match (year_of(v), count_of(v)) {
                (Ok(y), Ok(c)) => (y, c),
                (Err(p), _) | (_, Err(p)) => {
                    problem(p);
                    continue;
                }
            };
            let slot = people
                .entry((unit, year))
                .or_insert_with(|| (v.row, BTreeMap::new()));
            if let Some((_, first_row)) = slot.1.insert(pl.field.clone(), (count, v.row)) {
                problem(format!(
                    "{}: population {} of this unit and year again (first at {})",
                    at(v.row),
                    pl.field,
                    short(first_row)
                ));
            }
            reading.population += 1;
            continue;
        }
        let link = mapping
            .data_elements
            .iter()
            .find(|l| l.data_element == v.data_element && combo_fits(&l.category_option_combo));
        let computed = mapping
            .indicators
            .iter()
            .any(|l| l.data_element == v.data_element)
            || mapping
                .statuses
                .iter()
                .any(|l| l.data_element == v.data_element);
        if link.is_none() && computed {
            reading.computed += 1;
            continue;
        }
        let Some(link) = link else {
            let key = match &v.category_option_combo {
                Some(c) => format!("{}.{c}", v.data_element),
                None => v.data_element.clone(),
            };
            *reading.unmapped.entry(key).or_default() += 1;
            continue;
        };
        let quantity = Quantity::parse_label(&link.quantity)
            .map_err(|e| AppError::invalid("mapping", e.to_string()))?;
        let year = match year_of(v) {
            Ok(y) => y,
            Err(p) => {
                problem(p);
                continue;
            }
        };
        // a uid names a facility through [org_units], or is the facility's id (metadata
        // read with facility_id = "uid")
        let id_text = if mapping.org_unit_scheme == "uid" {
            match by_uid.get(v.org_unit.as_str()) {
                Some(id) => *id,
                None if FacilityId::new(&v.org_unit)
                    .is_ok_and(|id| sys.facilities.contains_key(&id)) =>
                {
                    v.org_unit.as_str()
                }
                None => {
                    problem(format!(
                        "{}, orgUnit: `{}` is neither in the mapping's [org_units] nor a facility id of the store",
                        at(v.row),
                        v.org_unit
                    ));
                    continue;
                }
            }
        } else {
            v.org_unit.as_str()
        };
        let Some(facility) = FacilityId::new(id_text)
            .ok()
            .filter(|id| sys.facilities.contains_key(id))
        else {
            problem(format!(
                "{}, orgUnit: `{id_text}` is no facility in the store (hsplan keeps data values per facility)",
                at(v.row)
            ));
            continue;
        };
        let count = match count_of(v) {
            Ok(c) => c,
            Err(p) => {
                problem(p);
                continue;
            }
        };
        let slot = merged
            .entry((facility, year))
            .or_insert_with(|| (v.row, BTreeMap::new()));
        if let Some((_, first_row)) = slot.1.insert(quantity, (Count(count), v.row)) {
            problem(format!(
                "{}: {} of this facility and year again (first at {})",
                at(v.row),
                quantity.code(),
                short(first_row)
            ));
        }
        reading.imported += 1;
    }
    let mut batch = ImportBatch::default();
    for ((facility, year), (row, quantities)) in merged {
        let mut fy = sys
            .facility_years
            .get(&(facility.clone(), year))
            .cloned()
            .unwrap_or_else(|| FacilityYear::new(facility.clone(), year));
        for (q, (c, _)) in quantities {
            fy.quantities.insert(q, c);
        }
        for e in fy.check() {
            problem(format!(
                "{}: {facility} {}: {e} (with what the store holds)",
                at(row),
                year.get()
            ));
        }
        batch.facility_years.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row,
            },
            value: fy,
        });
    }
    for ((unit, year), (row, fields)) in people {
        let get = |f: &str| fields.get(f).map(|(n, _)| Persons(*n));
        let held = sys.population.get(&(unit, year));
        let Some(resident) = get("resident").or(held.map(|p| p.resident)) else {
            problem(format!(
                "{}: {unit} {}: no resident population (in the file or the store) for the other figures",
                at(row),
                year.get()
            ));
            continue;
        };
        let mut p = held.cloned().unwrap_or(PopulationRecord {
            unit,
            year,
            source: PopulationSource::Estimate,
            resident,
            male: None,
            female: None,
            ages: AgeBands::default(),
            live_births: None,
            deaths: None,
        });
        p.resident = resident;
        p.male = get("male").or(p.male);
        p.female = get("female").or(p.female);
        p.ages.age_0_4 = get("age_0_4").or(p.ages.age_0_4);
        p.ages.age_0_14 = get("age_0_14").or(p.ages.age_0_14);
        p.ages.age_15_64 = get("age_15_64").or(p.ages.age_15_64);
        p.ages.age_60_plus = get("age_60_plus").or(p.ages.age_60_plus);
        p.ages.age_65_plus = get("age_65_plus").or(p.ages.age_65_plus);
        p.live_births = get("live_births").or(p.live_births);
        p.deaths = get("deaths").or(p.deaths);
        for e in p.check() {
            problem(format!("{}: {unit} {}: {e}", at(row), year.get()));
        }
        batch.population.push(Sourced {
            origin: Origin {
                file: file.to_string(),
                row,
            },
            value: p,
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Input { problems, more });
    }
    reading.facility_years = batch.facility_years.len();
    Ok((batch, reading))
}

/// Population figures of one unit and year read from data values: field → (value, row).
type PopulationFields = BTreeMap<String, (u64, usize)>;

/// A DHIS2 yearly period (`yyyy`) as a year.
fn year_of_period(period: &str) -> Option<hsplan_model::Year> {
    (period.len() == 4)
        .then(|| period.parse::<i64>().ok())
        .flatten()
        .and_then(|y| hsplan_model::Year::new(y).ok())
}

/// A data value as a whole number 0–10^12 (DHIS2 may write `12.0`).
fn whole(value: &str) -> Option<u64> {
    let value = value.trim();
    value
        .parse::<u64>()
        .ok()
        .or_else(|| {
            value
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0 && x.fract() == 0.0 && *x <= 1e12)
                .map(|x| x as u64)
        })
        .filter(|n| *n <= 1_000_000_000_000)
}

/// hsplan's values for `year` as DHIS2 data values: the mapped quantities of every facility
/// of `unit` (default: every one), the mapped indicators of the unit and every unit below it
/// down to towns/streets (values that cannot be computed are left out: DHIS2 has no
/// "missing"), and the evaluation statuses of the mapped plan rows for their jurisdictions.
/// JSON (a dataValueSet) or DHIS2's CSV layout.
pub fn dhis2_export(
    plans: &crate::catalog::PlanSet,
    sys: &ServiceSystem,
    mapping: &hsplan_io::dhis2::Mapping,
    year: i64,
    unit: Option<&str>,
    csv: bool,
) -> Result<Download> {
    use hsplan_io::dhis2::DataValue;
    use hsplan_model::{AdminLevel, Labelled, Quantity};
    let year = parse_year("year", year)?;
    let within = unit
        .map(|u| known_unit(sys, "unit", u).map(|u| u.code))
        .transpose()?;
    let inside =
        |c: hsplan_model::AdminCode| within.is_none_or(|w| c == w || c.is_descendant_of(w));
    // unit codes in their full 12-digit form, so "500109" and "500109000000" are one unit
    let uid_of: BTreeMap<String, &str> = mapping
        .org_units
        .iter()
        .map(|(uid, id)| {
            let key = hsplan_model::AdminCode::parse(id)
                .map(|c| c.to_string())
                .unwrap_or_else(|_| id.clone());
            (key, uid.as_str())
        })
        .collect();
    // the orgUnit for an hsplan id, by the mapping's scheme (None: not mapped): under uids,
    // the mapping's, else the uid a unit read from DHIS2 keeps, else a facility id that is a
    // uid (metadata read with facility_id = "uid")
    let org_unit = |id: &str| -> Option<String> {
        if mapping.org_unit_scheme == "uid" {
            uid_of
                .get(id)
                .map(|u| u.to_string())
                .or_else(|| {
                    let code = hsplan_model::AdminCode::parse(id).ok()?;
                    sys.units.get(&code)?.source_id.clone()
                })
                .or_else(|| hsplan_io::dhis2::is_uid(id).then(|| id.to_string()))
        } else {
            Some(id.to_string())
        }
    };
    let period = year.get().to_string();
    let number = |x: f64| {
        let t = format!("{x:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let mut out = Vec::new();
    for f in sys
        .facilities
        .values()
        .filter(|f| inside(f.unit) && f.is_open_in(year))
    {
        let Some(fy) = sys.facility_years.get(&(f.id.clone(), year)) else {
            continue;
        };
        let Some(ou) = org_unit(f.id.as_str()) else {
            continue;
        };
        for l in &mapping.data_elements {
            let Ok(q) = Quantity::parse_label(&l.quantity) else {
                continue;
            };
            if let Some(c) = fy.get(q) {
                out.push(DataValue {
                    data_element: l.data_element.clone(),
                    period: period.clone(),
                    org_unit: ou.clone(),
                    category_option_combo: l.category_option_combo.clone(),
                    value: c.0.to_string(),
                    ..DataValue::default()
                });
            }
        }
    }
    let units: Vec<&hsplan_model::AdminUnit> = sys
        .units
        .values()
        .filter(|u| inside(u.code) && u.level() <= AdminLevel::Town)
        .collect();
    for l in &mapping.indicators {
        let Some(def) = hsplan_eval::find(&l.indicator) else {
            continue;
        };
        for u in &units {
            let Some(ou) = org_unit(&u.code.to_string()) else {
                continue;
            };
            if let Ok(v) = hsplan_eval::compute(sys, def, u.code, year).value {
                out.push(DataValue {
                    data_element: l.data_element.clone(),
                    period: period.clone(),
                    org_unit: ou,
                    value: number(v),
                    comment: Some(format!("hsplan {}", def.id)),
                    ..DataValue::default()
                });
            }
        }
    }
    for l in &mapping.statuses {
        let plan = plans.get(&l.plan)?;
        let Ok(jurisdiction) =
            hsplan_model::AdminCode::parse(plan.data.plan.jurisdiction.get_ref())
        else {
            continue;
        };
        if !sys.units.contains_key(&jurisdiction) || !inside(jurisdiction) {
            continue;
        }
        let Some(ou) = org_unit(&jurisdiction.to_string()) else {
            continue;
        };
        let rows = hsplan_eval::evaluate::evaluate_plan(sys, plan, jurisdiction, year);
        if let Some(r) = rows.iter().find(|r| r.id == l.indicator) {
            out.push(DataValue {
                data_element: l.data_element.clone(),
                period: period.clone(),
                org_unit: ou,
                value: serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                comment: Some(format!("{} {}", l.plan, r.status.en())),
                ..DataValue::default()
            });
        }
    }
    let (file_name, content_type, bytes) = if csv {
        (
            format!("datavalues-{period}.csv"),
            "text/csv; charset=utf-8",
            hsplan_io::dhis2::write_csv(&out),
        )
    } else {
        (
            format!("datavalues-{period}.json"),
            "application/json",
            serde_json::to_vec_pretty(&hsplan_io::dhis2::write_json(&out))
                .map_err(|e| AppError::File(e.to_string()))?,
        )
    };
    Ok(Download {
        file_name,
        content_type,
        bytes,
    })
}

/// The units (all, or `unit` with its ancestors and everything below it) and facilities as
/// DHIS2 metadata (`organisationUnits` and one `organisationUnitGroups` entry per institution
/// type), for `POST /api/metadata`.
pub fn dhis2_metadata_export(sys: &ServiceSystem, unit: Option<&str>) -> Result<Download> {
    let within = unit
        .map(|u| known_unit(sys, "unit", u).map(|u| u.code))
        .transpose()?;
    let doc = hsplan_io::dhis2::export_metadata(sys, within);
    Ok(Download {
        file_name: "dhis2-metadata.json".into(),
        content_type: "application/json",
        bytes: serde_json::to_vec(&doc).map_err(|e| AppError::File(e.to_string()))?,
    })
}

/// Reads DHIS2 metadata (as `/api/metadata` exports it) into units and facilities (see
/// [`hsplan_io::dhis2::import_metadata`]) beside the units of `sys`, with the defaults taken.
/// Org units without an NBS code get codes from their place in the hierarchy; a uid read
/// before keeps its code.
pub fn dhis2_metadata_read(
    sys: &ServiceSystem,
    file: &str,
    bytes: &[u8],
    mapping: Option<&hsplan_io::dhis2::Mapping>,
) -> Result<(ImportBatch, BTreeMap<String, usize>)> {
    let text = std::str::from_utf8(bytes).map_err(|e| AppError::Input {
        problems: vec![format!("{file}: not UTF-8 text: {e}")],
        more: 0,
    })?;
    let default = hsplan_io::dhis2::MetadataMapping::default();
    let m = mapping.map_or(&default, |m| &m.metadata);
    let read = hsplan_io::dhis2::import_metadata(file, text, m, &sys.units)?;
    Ok((
        ImportBatch {
            units: read.units,
            facilities: read.facilities,
            ..ImportBatch::default()
        },
        read.defaults,
    ))
}

/// Reads the org units, levels and groups of a DHIS2 server (`/api/metadata`) as
/// [`dhis2_metadata_read`] reads a file.
pub fn dhis2_metadata_pull(
    server: &hsplan_io::dhis2_api::Dhis2Server,
    sys: &ServiceSystem,
    mapping: Option<&hsplan_io::dhis2::Mapping>,
) -> Result<(ImportBatch, BTreeMap<String, usize>)> {
    let text = server.metadata()?;
    let file = format!("{}/api/metadata", server.address());
    dhis2_metadata_read(sys, &file, text.as_bytes(), mapping)
}

/// Reads a year's data values of the mapping's data elements (quantities and population)
/// at `org_unit` (a DHIS2 uid) and every org unit below it from a DHIS2 server, as
/// [`dhis2_import`] reads a file.
pub fn dhis2_pull(
    server: &hsplan_io::dhis2_api::Dhis2Server,
    sys: &ServiceSystem,
    mapping: &hsplan_io::dhis2::Mapping,
    year: i64,
    org_unit: &str,
) -> Result<(ImportBatch, Dhis2Reading)> {
    let year = parse_year("year", year)?;
    let mut elements: Vec<String> = mapping
        .data_elements
        .iter()
        .map(|l| l.data_element.clone())
        .chain(mapping.population.iter().map(|l| l.data_element.clone()))
        .collect();
    elements.sort();
    elements.dedup();
    if elements.is_empty() {
        return Err(AppError::invalid(
            "mapping",
            "names no data element to read ([[data_elements]] or [[population]])",
        ));
    }
    let org_unit = org_unit.trim();
    if !hsplan_io::dhis2::is_uid(org_unit) {
        return Err(AppError::invalid(
            "org_unit",
            format!("`{org_unit}` is no DHIS2 uid (11 letters and digits, a letter first)"),
        ));
    }
    let text = server.data_values(&elements, &year.get().to_string(), org_unit)?;
    let file = format!("{}/api/dataValueSets", server.address());
    dhis2_import(sys, mapping, &file, text.as_bytes())
}

/// Sends hsplan's values for `year` (as [`dhis2_export`] writes them) to a DHIS2 server and
/// returns its import summary.
pub fn dhis2_push(
    server: &hsplan_io::dhis2_api::Dhis2Server,
    plans: &crate::catalog::PlanSet,
    sys: &ServiceSystem,
    mapping: &hsplan_io::dhis2::Mapping,
    year: i64,
    unit: Option<&str>,
) -> Result<hsplan_io::dhis2_api::ImportCount> {
    let d = dhis2_export(plans, sys, mapping, year, unit, false)?;
    Ok(server.send_data_values(&d.bytes)?)
}

/// Sends the units and facilities (as [`dhis2_metadata_export`] writes them) to a DHIS2
/// server and returns its import report.
pub fn dhis2_metadata_push(
    server: &hsplan_io::dhis2_api::Dhis2Server,
    sys: &ServiceSystem,
    unit: Option<&str>,
) -> Result<hsplan_io::dhis2_api::ImportCount> {
    let d = dhis2_metadata_export(sys, unit)?;
    Ok(server.send_metadata(&d.bytes)?.1)
}
