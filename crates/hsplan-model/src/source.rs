//! Where a record came from, so errors can name file and row.

use std::fmt;

/// A file and 1-based row (the header is row 1 in tables; features count from 1 in GeoJSON).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// File name as the user gave it (or a sheet inside it).
    pub file: String,
    /// Row, line or feature number.
    pub row: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.row)
    }
}

/// A value with its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// Where it came from.
    pub origin: Origin,
    /// The value.
    pub value: T,
}
