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
/// else it held.
pub fn fhir_read(file: &str, bytes: &[u8]) -> Result<(ImportBatch, FhirReading)> {
    let text = std::str::from_utf8(bytes).map_err(|e| AppError::Input {
        problems: vec![format!("{file}: not UTF-8 text: {e}")],
        more: 0,
    })?;
    let read = hsplan_io::fhir::import_bundle(file, text)?;
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
