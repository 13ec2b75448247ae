//! Data in and out: uploads parsed all-or-nothing into an import batch (every problem
//! located by file, row and column), exports of the store's tables and geometries.

use crate::{AppError, Result};
use hsplan_io::{TableFormat, TableKind, tables};
use hsplan_model::ServiceSystem;
use hsplan_store::{ImportBatch, ImportSummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// Administrative units (CSV/XLSX).
    Units,
    /// Population by unit and year (CSV/XLSX).
    Population,
    /// Facilities (CSV/XLSX).
    Facilities,
    /// Facility resources by year (CSV/XLSX).
    Resources,
    /// Unit points or boundaries (GeoJSON FeatureCollection).
    Geojson,
    /// Units and facilities as a FHIR R4 Bundle (IHE mCSD).
    Fhir,
    /// Units and facilities as DHIS2 metadata (organisationUnits, levels and groups; read
    /// with the default mapping: uid hierarchies get assigned codes).
    #[serde(rename = "dhis2-metadata")]
    Dhis2Metadata,
}

impl UploadKind {
    /// The request word.
    pub fn code(self) -> &'static str {
        match self {
            UploadKind::Units => "units",
            UploadKind::Population => "population",
            UploadKind::Facilities => "facilities",
            UploadKind::Resources => "resources",
            UploadKind::Geojson => "geojson",
            UploadKind::Fhir => "fhir",
            UploadKind::Dhis2Metadata => "dhis2-metadata",
        }
    }

    /// Parses the request word.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "units" => UploadKind::Units,
            "population" => UploadKind::Population,
            "facilities" => UploadKind::Facilities,
            "resources" => UploadKind::Resources,
            "geojson" => UploadKind::Geojson,
            "fhir" => UploadKind::Fhir,
            "dhis2-metadata" => UploadKind::Dhis2Metadata,
            other => {
                return Err(AppError::invalid(
                    "kind",
                    format!(
                        "`{other}`: expected units, population, facilities, resources, geojson, fhir or dhis2-metadata"
                    ),
                ));
            }
        })
    }
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Units.
    pub units: usize,
    /// Geometries.
    pub geometries: usize,
    /// Population records.
    pub population: usize,
    /// Facilities.
    pub facilities: usize,
    /// Facility-years.
    pub facility_years: usize,
}

impl From<&ImportSummary> for ImportReport {
    fn from(s: &ImportSummary) -> Self {
        ImportReport {
            units: s.units,
            geometries: s.geometries,
            population: s.population,
            facilities: s.facilities,
            facility_years: s.facility_years,
        }
    }
}

/// Parses an uploaded file into a batch; nothing touches the store until this succeeded.
/// `file` is the name the user gave it (used in every message); `sys` is what the store
/// holds (units of other hierarchies get codes beside its units).
pub fn parse_upload(
    kind: UploadKind,
    file: &str,
    bytes: &[u8],
    sys: &ServiceSystem,
) -> Result<ImportBatch> {
    parse_upload_with(kind, file, bytes, None, sys)
}

/// [`parse_upload`], naming the GeoJSON property that holds the unit code (default: code,
/// 统计用区划代码, 区划代码, adcode).
pub fn parse_upload_with(
    kind: UploadKind,
    file: &str,
    bytes: &[u8],
    code_property: Option<&str>,
    sys: &ServiceSystem,
) -> Result<ImportBatch> {
    let mut batch = ImportBatch::default();
    let sheet = |k: UploadKind| match k {
        UploadKind::Units => "units",
        UploadKind::Population => "population",
        UploadKind::Facilities => "facilities",
        UploadKind::Resources => "resources",
        UploadKind::Geojson | UploadKind::Fhir | UploadKind::Dhis2Metadata => "",
    };
    match kind {
        UploadKind::Fhir => batch = crate::interop::fhir_read(sys, file, bytes)?.0,
        UploadKind::Dhis2Metadata => {
            batch = crate::interop::dhis2_metadata_read(sys, file, bytes, None)?.0
        }
        UploadKind::Geojson => {
            let text = std::str::from_utf8(bytes).map_err(|e| AppError::Input {
                problems: vec![format!("{file}: not UTF-8 text: {e}")],
                more: 0,
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            batch.geometries =
                hsplan_io::geojson::unit_geometries_from_str(file, text, code_property)?;
        }
        k => {
            let table = hsplan_io::read_table_bytes(file, bytes, sheet(k))?;
            match k {
                UploadKind::Units => batch.units = tables::units_from_table(&table)?,
                UploadKind::Population => batch.population = tables::population_from_table(&table)?,
                UploadKind::Facilities => batch.facilities = tables::facilities_from_table(&table)?,
                _ => batch.facility_years = tables::resources_from_table(&table)?,
            }
        }
    }
    Ok(batch)
}

/// An exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Export formats of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated.
    Csv,
    /// Excel workbook.
    Xlsx,
}

/// MIME type of an XLSX workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Exports a table of the store (units, population, facilities, resources), its
/// geometries (geojson) or its directory as a FHIR Bundle (fhir); for the last two the
/// format is ignored.
pub fn export(sys: &ServiceSystem, kind: UploadKind, format: ExportFormat) -> Result<Download> {
    if kind == UploadKind::Fhir {
        return crate::interop::fhir_export(sys, None, None);
    }
    if kind == UploadKind::Dhis2Metadata {
        return crate::interop::dhis2_metadata_export(sys, None);
    }
    if kind == UploadKind::Geojson {
        let doc = hsplan_io::geojson::units_to_geojson(sys.units.values());
        return Ok(Download {
            file_name: "units.geojson".into(),
            content_type: "application/geo+json",
            bytes: serde_json::to_vec(&doc).map_err(|e| AppError::File(e.to_string()))?,
        });
    }
    let (table_kind, table, name) = match kind {
        UploadKind::Units => (
            TableKind::Units,
            tables::units_to_table(sys.units.values()),
            "units",
        ),
        UploadKind::Population => (
            TableKind::Population,
            tables::population_to_table(sys.population.values()),
            "population",
        ),
        UploadKind::Facilities => (
            TableKind::Facilities,
            tables::facilities_to_table(sys.facilities.values()),
            "facilities",
        ),
        _ => (
            TableKind::Resources,
            tables::resources_to_table(sys.facility_years.values()),
            "resources",
        ),
    };
    let (ext, tf, mime) = match format {
        ExportFormat::Csv => ("csv", TableFormat::Csv, "text/csv; charset=utf-8"),
        ExportFormat::Xlsx => ("xlsx", TableFormat::Xlsx, XLSX_MIME),
    };
    let file_name = format!("{name}.{ext}");
    let bytes = hsplan_io::table_bytes(&file_name, tf, &table_kind.schema(), &table)?;
    Ok(Download {
        file_name,
        content_type: mime,
        bytes,
    })
}

/// Rows an export of `kind` has (records of that table; features for geojson).
pub fn rows(sys: &ServiceSystem, kind: UploadKind) -> usize {
    match kind {
        UploadKind::Units | UploadKind::Geojson => sys.units.len(),
        UploadKind::Fhir | UploadKind::Dhis2Metadata => sys.units.len() + sys.facilities.len(),
        UploadKind::Population => sys.population.len(),
        UploadKind::Facilities => sys.facilities.len(),
        UploadKind::Resources => sys.facility_years.len(),
    }
}
