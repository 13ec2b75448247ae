//! Plan file errors, with file:line:column and a caret under the place.

use std::fmt;

/// A position in a plan file, with the line's text for the caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// Text of the line.
    pub source_line: String,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn at(file: &str, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = text[line_start..offset].chars().count() + 1;
        let source_line = text[line_start..].lines().next().unwrap_or("").to_string();
        Location {
            file: file.to_string(),
            line,
            column,
            source_line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Writes the miette-style snippet: the line and a caret under the column.
pub fn snippet(loc: &Location) -> String {
    let gutter = loc.line.to_string().len();
    let pad: String = loc
        .source_line
        .chars()
        .take(loc.column - 1)
        .map(|c| {
            if c == '\t' {
                '\t'
            } else if is_wide(c) {
                '　'
            } else {
                ' '
            }
        })
        .collect();
    format!(
        "{:gutter$} |\n{} | {}\n{:gutter$} | {}^",
        "", loc.line, loc.source_line, "", pad
    )
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// A plan file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be opened.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Syntax or schema error (TOML, unknown or missing field, wrong type).
    #[error("{location}: {message}\n{}", snippet(location))]
    Schema {
        /// Where.
        location: Location,
        /// What.
        message: String,
    },
}
