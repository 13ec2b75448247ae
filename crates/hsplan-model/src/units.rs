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

/// An area in square kilometres.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct SquareKm(pub f64);

impl MultiPolygon {
    /// Area on the WGS 84 sphere approximation (mean radius 6371.0088 km): each ring's
    /// spherical-excess area (outer rings minus holes). Accurate to well under 1 % for
    /// units the size of a county.
    pub fn area(&self) -> SquareKm {
        let ring_area = |ring: &Ring| -> f64 {
            // Chamberlain & Duquette (2007), "Some algorithms for polygons on a sphere".
            const R: f64 = 6371.0088;
            let n = ring.len();
            if n < 4 {
                return 0.0;
            }
            let mut sum = 0.0;
            for i in 0..n - 1 {
                let (a, b) = (ring[i], ring[i + 1]);
                sum += (b.lon - a.lon).to_radians()
                    * (2.0 + a.lat.to_radians().sin() + b.lat.to_radians().sin());
            }
            (sum * R * R / 2.0).abs()
        };
        SquareKm(
            self.0
                .iter()
                .map(|poly| {
                    let mut rings = poly.iter();
                    let outer = rings.next().map(ring_area).unwrap_or(0.0);
                    outer - rings.map(ring_area).sum::<f64>()
                })
                .sum(),
        )
    }

    /// Bounding box (min lon, min lat, max lon, max lat), if there is any position.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let mut it = self.0.iter().flatten().flatten();
        let first = it.next()?;
        Some(it.fold(
            [first.lon, first.lat, first.lon, first.lat],
            |[a, b, c, d], p| [a.min(p.lon), b.min(p.lat), c.max(p.lon), d.max(p.lat)],
        ))
    }
}

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
    fn area_of_a_one_degree_cell_at_the_equator() {
        let p = |lon, lat| LonLat::new(lon, lat).unwrap();
        let cell = MultiPolygon(vec![vec![vec![
            p(0.0, 0.0),
            p(1.0, 0.0),
            p(1.0, 1.0),
            p(0.0, 1.0),
            p(0.0, 0.0),
        ]]]);
        // Exact spherical value: R² · Δλ · sin(1°) = 12 363.6 km².
        let exact = 6371.0088f64.powi(2) * 1f64.to_radians() * 1f64.to_radians().sin();
        assert!(
            (cell.area().0 - exact).abs() / exact < 1e-3,
            "{:?}",
            cell.area()
        );
        assert_eq!(cell.bounds(), Some([0.0, 0.0, 1.0, 1.0]));
        let mut holed = cell.clone();
        holed.0[0].push(cell.0[0][0].clone());
        assert!(
            holed.area().0.abs() < 1e-6,
            "a hole as large as the polygon leaves nothing"
        );
    }

    #[test]
    fn coordinates_are_checked() {
        assert!(LonLat::new(106.4, 29.8).is_ok());
        assert!(LonLat::new(200.0, 29.8).is_err());
        assert!(LonLat::new(f64::NAN, 0.0).is_err());
    }
}
