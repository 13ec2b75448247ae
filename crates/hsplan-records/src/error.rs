//! What can go wrong reading records, located by file, row group, row and column.

use std::fmt;
use std::path::PathBuf;

/// Where in a file a value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// The Parquet row group (0-based), for Parquet files.
    pub row_group: Option<usize>,
    /// The row: 1-based within the row group for Parquet; the line number for CSV (the
    /// header is line 1).
    pub row: u64,
    /// The row's 1-based position in the whole file (Parquet; equal to `row - 1` for CSV).
    pub file_row: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row_group {
            Some(g) => write!(
                f,
                "{}: row group {g}, row {} (row {} of the file)",
                self.file.display(),
                self.row,
                self.file_row
            ),
            None => write!(f, "{}: line {}", self.file.display(), self.row),
        }
    }
}

/// Why a record is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A required value is empty.
    MissingValue,
    /// A facility id not in the facility register.
    UnknownFacility,
    /// A unit code not in the hierarchy.
    UnknownUnit,
    /// A value outside its vocabulary (encounter kind, condition).
    UnknownValue,
    /// A date (or year) outside the year counted.
    DateOutsideYear,
    /// A contract ending before it starts, a negative length of stay.
    Inconsistent,
    /// An id that appears more than once in the table.
    DuplicateId,
}

impl Reason {
    /// Every reason, in the order the checks apply (a record is refused for the first).
    pub const ALL: [Reason; 7] = [
        Reason::MissingValue,
        Reason::UnknownFacility,
        Reason::UnknownUnit,
        Reason::UnknownValue,
        Reason::DateOutsideYear,
        Reason::Inconsistent,
        Reason::DuplicateId,
    ];

    /// The code written in files and queries.
    pub fn code(self) -> &'static str {
        match self {
            Reason::MissingValue => "missing_value",
            Reason::UnknownFacility => "unknown_facility",
            Reason::UnknownUnit => "unknown_unit",
            Reason::UnknownValue => "unknown_value",
            Reason::DateOutsideYear => "date_outside_year",
            Reason::Inconsistent => "inconsistent",
            Reason::DuplicateId => "duplicate_id",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// In English, for messages.
    pub fn en(self) -> &'static str {
        match self {
            Reason::MissingValue => "a required value is empty",
            Reason::UnknownFacility => "the facility is not in the facility register",
            Reason::UnknownUnit => "the unit code is not in the hierarchy",
            Reason::UnknownValue => "the value is not one of the allowed values",
            Reason::DateOutsideYear => "the date lies outside the year counted",
            Reason::Inconsistent => "the record contradicts itself",
            Reason::DuplicateId => "the id appears more than once in the table",
        }
    }

    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Reason::MissingValue => "必填值为空",
            Reason::UnknownFacility => "机构不在机构名录中",
            Reason::UnknownUnit => "区划代码不在区划体系中",
            Reason::UnknownValue => "取值不在允许范围内",
            Reason::DateOutsideYear => "日期不在统计年度内",
            Reason::Inconsistent => "记录自相矛盾",
            Reason::DuplicateId => "编号在表中重复出现",
        }
    }
}

/// An error reading or counting records.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// A file cannot be read at all.
    #[error("{}: {message}", file.display())]
    File {
        /// The file.
        file: PathBuf,
        /// What happened.
        message: String,
    },
    /// A column is missing from a file.
    #[error("{}: column `{column}` is missing (expected {expected})", file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column.
        column: String,
        /// Its expected type.
        expected: &'static str,
    },
    /// A column has the wrong type.
    #[error("{}: column `{column}` holds {found}, expected {expected}", file.display())]
    ColumnType {
        /// The file.
        file: PathBuf,
        /// The column.
        column: String,
        /// The type found.
        found: String,
        /// The type expected.
        expected: &'static str,
    },
    /// A value that does not read as its column's type (CSV).
    #[error("{location}: column `{column}`: `{value}` is not a {expected}")]
    Value {
        /// Where.
        location: Box<Location>,
        /// The column.
        column: String,
        /// The text found.
        value: String,
        /// The expected type.
        expected: &'static str,
    },
    /// A record refused by a check.
    #[error("{location}: column `{column}`: {} (`{value}`){more}", reason.en())]
    Invalid {
        /// Where.
        location: Box<Location>,
        /// The column.
        column: String,
        /// The value.
        value: String,
        /// Why.
        reason: Reason,
        /// How many more records are refused, as text (empty when none).
        more: String,
    },
    /// The query engine failed.
    #[error("query engine: {0}")]
    Engine(String),
    /// No record table was found.
    #[error("{}: no record table found (expected encounters, referrals, contracts, chronic_disease or health_records as .parquet, .csv or a folder of .parquet files)", dir.display())]
    NoTables {
        /// The folder.
        dir: PathBuf,
    },
}

impl From<datafusion::error::DataFusionError> for RecordsError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        RecordsError::Engine(e.to_string())
    }
}
