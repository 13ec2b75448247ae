//! Stored values back into model values (shared by the backends).

use crate::StoreError;
use hsplan_model::{Labelled, LonLat, Year};

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn parse_opt<T: Labelled>(
    what: &str,
    v: Option<String>,
) -> Result<Option<T>, StoreError> {
    v.map(|s| T::parse_label(&s).map_err(|e| corrupt(what, e)))
        .transpose()
}

pub(crate) fn year(what: &str, v: i64) -> Result<Year, StoreError> {
    Year::new(v).map_err(|e| corrupt(what, e))
}

pub(crate) fn point(
    what: &str,
    lon: Option<f64>,
    lat: Option<f64>,
) -> Result<Option<LonLat>, StoreError> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => LonLat::new(lon, lat)
            .map(Some)
            .map_err(|e| corrupt(what, e)),
        _ => Ok(None),
    }
}
