//! Import and export errors. Every message names the file and, where it applies,
//! the row, the column, the value and what was expected.

/// One problem with an input or output file.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("{file}: cannot write: {message}")]
    Write {
        /// File.
        file: String,
        /// Cause.
        message: String,
    },
    /// The extension is not one hsplan reads.
    #[error("{file}: unsupported file type; expected {expected}")]
    UnsupportedFormat {
        /// File.
        file: String,
        /// Accepted extensions.
        expected: &'static str,
    },
    /// The CSV structure itself is broken (e.g. a row with too many fields).
    #[error("{file}, row {row}: malformed CSV: {message}")]
    MalformedCsv {
        /// File.
        file: String,
        /// Row (1 = header).
        row: usize,
        /// Parser message.
        message: String,
    },
    /// The workbook could not be read.
    #[error("{file}: not a readable XLSX workbook: {message}")]
    MalformedXlsx {
        /// File.
        file: String,
        /// Reader message.
        message: String,
    },
    /// A Parquet file could not be read, or holds a column that is not text or numbers.
    #[error("{file}: not a readable Parquet table: {message}")]
    MalformedParquet {
        /// File.
        file: String,
        /// Reader message.
        message: String,
    },
    /// The table has no header row.
    #[error("{file}: the table is empty; expected a header row with at least: {required}")]
    Empty {
        /// File.
        file: String,
        /// Required columns.
        required: String,
    },
    /// A required column is absent.
    #[error("{file}: missing required column `{column}` (header `{column}` or `{zh}`)")]
    MissingColumn {
        /// File.
        file: String,
        /// Column key.
        column: &'static str,
        /// Chinese header.
        zh: &'static str,
    },
    /// A header hsplan does not know (often a typo).
    #[error(
        "{file}, row 1, column {position}: unknown column `{header}`; see docs/data-format.md for the {table} table"
    )]
    UnknownColumn {
        /// File.
        file: String,
        /// 1-based column position.
        position: usize,
        /// The header text.
        header: String,
        /// Table kind.
        table: &'static str,
    },
    /// Two headers name the same column.
    #[error("{file}, row 1: column `{column}` appears twice (positions {first} and {second})")]
    DuplicateColumn {
        /// File.
        file: String,
        /// Column key.
        column: &'static str,
        /// First position.
        first: usize,
        /// Second position.
        second: usize,
    },
    /// A cell holds a value that does not fit its column.
    #[error("{file}, row {row}, column `{column}`: value `{value}`: expected {expected}")]
    Cell {
        /// File.
        file: String,
        /// Row (1 = header).
        row: usize,
        /// Column key.
        column: String,
        /// The cell text.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A key appears twice in one file.
    #[error("{file}, row {row}: duplicate {what} `{key}` (first at row {first_row})")]
    DuplicateKey {
        /// File.
        file: String,
        /// Row of the second occurrence.
        row: usize,
        /// Key kind.
        what: &'static str,
        /// Key text.
        key: String,
        /// Row of the first occurrence.
        first_row: usize,
    },
    /// DHIS2 data values or their mapping file that hsplan cannot read.
    #[error("{file}{}{at}: {message}", if at.is_empty() { "" } else { ", " })]
    Dhis2 {
        /// File.
        file: String,
        /// Where: `data value N`, `row N` or `line N` (empty for the whole file).
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A DHIS2 server could not be reached or refused a request.
    #[error("DHIS2 {server}: {message}")]
    Dhis2Api {
        /// The server and path (never credentials).
        server: String,
        /// What went wrong, with the server's own message where it gave one.
        message: String,
    },
    /// A FHIR Bundle entry hsplan cannot read.
    #[error("{file}, entry {entry}: {message}")]
    Fhir {
        /// File.
        file: String,
        /// 1-based entry number (0 = the Bundle itself).
        entry: usize,
        /// What is wrong, naming the resource and field.
        message: String,
    },
    /// The GeoJSON is not valid or lacks what hsplan needs.
    #[error("{file}, feature {feature}: {message}")]
    GeoJson {
        /// File.
        file: String,
        /// 1-based feature number (0 = the document).
        feature: usize,
        /// What is wrong.
        message: String,
    },
}

/// Several problems found in one file (at most [`ImportErrors::LIMIT`] kept).
#[derive(Debug)]
pub struct ImportErrors {
    /// The problems, in file order.
    pub errors: Vec<IoError>,
    /// How many more were found but not kept.
    pub more: usize,
}

impl ImportErrors {
    /// Maximum number of problems kept.
    pub const LIMIT: usize = 50;

    /// No problems yet.
    pub fn none() -> ImportErrors {
        ImportErrors {
            errors: Vec::new(),
            more: 0,
        }
    }

    /// Adds a problem: kept while fewer than [`Self::LIMIT`] are, else only counted (so a
    /// file of a million bad rows costs a counter, not a million messages).
    pub fn push(&mut self, e: IoError) {
        if self.errors.len() < Self::LIMIT {
            self.errors.push(e);
        } else {
            self.more += 1;
        }
    }

    /// `Err(self)` when there is any problem.
    pub fn into_result(self) -> Result<(), ImportErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Collects problems, keeping the first [`Self::LIMIT`].
    pub fn collect(errors: Vec<IoError>) -> Result<(), ImportErrors> {
        if errors.is_empty() {
            return Ok(());
        }
        let more = errors.len().saturating_sub(Self::LIMIT);
        let mut errors = errors;
        errors.truncate(Self::LIMIT);
        Err(ImportErrors { errors, more })
    }
}

impl From<IoError> for ImportErrors {
    fn from(e: IoError) -> Self {
        ImportErrors {
            errors: vec![e],
            more: 0,
        }
    }
}

impl std::fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.more > 0 {
            write!(f, "\n… and {} more problems", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}
