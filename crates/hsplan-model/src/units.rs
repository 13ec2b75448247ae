//! Typed scalars: years, head counts, resource counts and coordinates.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar year (statistics refer to the year end, 年末).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Year(u16);

/// Error for a year outside the range the model accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("year {0} is outside {min}–{max}", min = Year::MIN.0, max = Year::MAX.0)]
pub struct YearOutOfRange(pub i64);

impl Year {
    /// Earliest accepted year.
    pub const MIN: Year = Year(1949);
    /// Latest accepted year.
    pub const MAX: Year = Year(2100);

    /// A year, if it lies in [`Year::MIN`]..=[`Year::MAX`].
    pub fn new(value: i64) -> Result<Self, YearOutOfRange> {
        if (Self::MIN.0 as i64..=Self::MAX.0 as i64).contains(&value) {
            Ok(Year(value as u16))
        } else {
            Err(YearOutOfRange(value))
        }
    }

    /// The year as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Year {
    type Error = YearOutOfRange;
    fn try_from(v: u16) -> Result<Self, Self::Error> {
        Year::new(v as i64)
    }
}

impl From<Year> for u16 {
    fn from(y: Year) -> u16 {
        y.0
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A number of people (residents, births, deaths).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Persons(pub u64);

impl fmt::Display for Persons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A count of a resource (beds, staff, vehicles, visits…).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Count(pub u64);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A WGS 84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

/// Error for a coordinate outside the WGS 84 range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("coordinate ({lon}, {lat}) is outside longitude −180…180 / latitude −90…90")]
pub struct InvalidCoordinate {
    /// Longitude given.
    pub lon: f64,
    /// Latitude given.
    pub lat: f64,
}

impl LonLat {
    /// A position, if both values are finite and in range.
    pub fn new(lon: f64, lat: f64) -> Result<Self, InvalidCoordinate> {
        if lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat)
        {
            Ok(LonLat { lon, lat })
        } else {
            Err(InvalidCoordinate { lon, lat })
        }
    }
    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }
    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }
}

/// A closed ring of positions (first = last).
pub type Ring = Vec<LonLat>;

/// An area: polygons, each an outer ring followed by its holes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MultiPolygon(pub Vec<Vec<Ring>>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_bounds() {
        assert!(Year::new(1948).is_err());
        assert_eq!(Year::new(2020).unwrap().get(), 2020);
        assert!(Year::new(2101).is_err());
    }

    #[test]
    fn coordinates_are_checked() {
        assert!(LonLat::new(106.4, 29.8).is_ok());
        assert!(LonLat::new(200.0, 29.8).is_err());
        assert!(LonLat::new(f64::NAN, 0.0).is_err());
    }
}
