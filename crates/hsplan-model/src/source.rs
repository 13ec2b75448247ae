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

/// What a dataset note says about the data it travels with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteKind {
    /// Facility, population or resource records are synthetic (made by a generator).
    SyntheticData,
    /// Unit boundaries are schematic (synthetic geometry, not real geography).
    SchematicBoundaries,
    /// Anything else the reader should know (e.g. a conflict in the source).
    Remark,
}

impl NoteKind {
    /// Stable code used in the store.
    pub fn code(self) -> &'static str {
        match self {
            NoteKind::SyntheticData => "synthetic_data",
            NoteKind::SchematicBoundaries => "schematic_boundaries",
            NoteKind::Remark => "remark",
        }
    }
    /// The kind for a code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            NoteKind::SyntheticData,
            NoteKind::SchematicBoundaries,
            NoteKind::Remark,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// A note about a dataset, kept with it so every output can label it (e.g. "synthetic").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DatasetNote {
    /// What it says.
    pub kind: NoteKind,
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}
