//! Tables as planners keep them: CSV or XLSX, English or Chinese headers.
//!
//! A [`RawTable`] is the text of a sheet with row numbers; a [`TableSchema`]
//! maps its headers to column keys and gives typed access to cells.

use crate::error::IoError;
use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::path::Path;

/// How a column is written to XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Written as text.
    Text,
    /// Written as a number when the cell parses as one.
    Number,
}

/// One column of a table kind.
#[derive(Debug, Clone)]
pub struct Column {
    /// Key, also the English header.
    pub key: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// Other accepted headers.
    pub aliases: &'static [&'static str],
    /// Must be present.
    pub required: bool,
    /// How it is written.
    pub kind: CellKind,
}

impl Column {
    /// A text column.
    pub const fn text(key: &'static str, zh: &'static str, required: bool) -> Self {
        Column {
            key,
            zh,
            aliases: &[],
            required,
            kind: CellKind::Text,
        }
    }
    /// A numeric column.
    pub const fn number(key: &'static str, zh: &'static str, required: bool) -> Self {
        Column {
            key,
            zh,
            aliases: &[],
            required,
            kind: CellKind::Number,
        }
    }
    /// The same column with extra accepted headers.
    pub const fn with_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    fn matches(&self, header: &str) -> bool {
        let h = header.trim();
        h.eq_ignore_ascii_case(self.key)
            || h == self.zh
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(h))
    }
}

/// The columns of one table kind.
#[derive(Debug, Clone)]
pub struct TableSchema {
    /// Table name (also the preferred XLSX sheet name).
    pub name: &'static str,
    /// Columns in their canonical order.
    pub columns: Vec<Column>,
}

/// One data row: its 1-based number in the file and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Row number in the file (the header is row 1).
    pub row: usize,
    /// Cell texts.
    pub cells: Vec<String>,
}

/// A sheet of text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    /// The file (and sheet) it came from, for messages.
    pub file: String,
    /// Header texts.
    pub headers: Vec<String>,
    /// Data rows (blank rows skipped).
    pub rows: Vec<RawRow>,
}

/// File formats for tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated, UTF-8 (a BOM is accepted).
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl TableFormat {
    /// The format an extension names.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(TableFormat::Csv),
            Some("xlsx") => Ok(TableFormat::Xlsx),
            _ => Err(IoError::UnsupportedFormat {
                file: path.display().to_string(),
                expected: ".csv or .xlsx",
            }),
        }
    }
}

/// Reads a CSV or XLSX file. For XLSX, the sheet named `sheet` is used when it
/// exists, otherwise the first sheet.
pub fn read_table(path: &Path, sheet: &str) -> Result<RawTable, IoError> {
    match TableFormat::from_path(path)? {
        TableFormat::Csv => {
            let bytes = std::fs::read(path).map_err(|source| IoError::Read {
                file: path.display().to_string(),
                source,
            })?;
            read_csv_bytes(&path.display().to_string(), &bytes)
        }
        TableFormat::Xlsx => read_xlsx(path, sheet),
    }
}

/// Parses CSV text (UTF-8, optional BOM). `file` is used in messages.
pub fn read_csv_bytes(file: &str, bytes: &[u8]) -> Result<RawTable, IoError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(IoError::MalformedCsv {
            file: file.to_string(),
            row: 1,
            message: "this is a ZIP file (an XLSX workbook?), not CSV text: give it the \
                      extension .xlsx, or save the sheet as CSV UTF-8"
                .into(),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        let row = i + 1;
        let record = record.map_err(|e| IoError::MalformedCsv {
            file: file.to_string(),
            row: e.position().map(|p| p.line() as usize).unwrap_or(row),
            message: match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("{len} fields where the header has {expected_len}")
                }
                _ => e.to_string(),
            },
        })?;
        let mut cells = Vec::with_capacity(record.len());
        for (c, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| IoError::Cell {
                file: file.to_string(),
                row,
                column: format!("#{}", c + 1),
                value: String::from_utf8_lossy(&field[..field.len().min(40)]).into_owned(),
                expected: "UTF-8 text (save the file as CSV UTF-8)".into(),
            })?;
            cells.push(restore_formula_text(text.trim()).to_string());
        }
        if row == 1 {
            headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push(RawRow { row, cells });
        }
    }
    Ok(RawTable {
        file: file.to_string(),
        headers,
        rows,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

fn read_xlsx(path: &Path, sheet: &str) -> Result<RawTable, IoError> {
    let file = path.display().to_string();
    let book: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| IoError::MalformedXlsx {
            file: file.clone(),
            message: e.to_string(),
        })?;
    read_xlsx_book(&file, book, sheet)
}

/// Reads an uploaded table: CSV or XLSX by the extension of `file` (used in messages).
pub fn read_table_bytes(file: &str, bytes: &[u8], sheet: &str) -> Result<RawTable, IoError> {
    match TableFormat::from_path(Path::new(file))? {
        TableFormat::Csv => read_csv_bytes(file, bytes),
        TableFormat::Xlsx => {
            let book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
                IoError::MalformedXlsx {
                    file: file.to_string(),
                    message: e.to_string(),
                }
            })?;
            read_xlsx_book(file, book, sheet)
        }
    }
}

/// Excel's sheet limits: a cell beyond them is not from a real workbook.
const XLSX_MAX_ROWS: u32 = 1_048_576;
const XLSX_MAX_COLUMNS: u32 = 16_384;

thread_local! {
    /// Set while a third-party parser runs under [`guarded`]: its panic is an error, not news.
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a third-party parser on user bytes) so that a panic inside it becomes `None`
/// instead of crashing hsplan, without printing the panic message.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    QUIET_PANICS.with(|q| q.set(false));
    out
}

fn read_xlsx_book<R: std::io::Read + std::io::Seek>(
    file: &str,
    mut book: calamine::Xlsx<R>,
    sheet: &str,
) -> Result<RawTable, IoError> {
    let file = file.to_string();
    let bad = |message: String| IoError::MalformedXlsx {
        file: file.clone(),
        message,
    };
    let names = book.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == sheet)
        .or(names.first())
        .cloned()
        .ok_or_else(|| bad("the workbook has no sheets".into()))?;
    // Cells one by one (not calamine's dense range: a forged reference far out would make
    // it allocate the whole rectangle), each checked against Excel's limits.
    let cells = guarded(|| -> Result<Vec<(u32, u32, String)>, IoError> {
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|e| bad(e.to_string()))?;
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(|e| bad(e.to_string()))? {
            let (r, c) = cell.get_position();
            if r >= XLSX_MAX_ROWS || c >= XLSX_MAX_COLUMNS {
                return Err(bad(format!(
                    "sheet {name}: a cell at row {}, column {} lies beyond Excel's limits \
                     ({XLSX_MAX_ROWS} rows, {XLSX_MAX_COLUMNS} columns)",
                    u64::from(r) + 1,
                    u64::from(c) + 1
                )));
            }
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if !text.is_empty() {
                cells.push((r, c, text));
            }
        }
        Ok(cells)
    })
    .ok_or_else(|| bad(format!("sheet {name}: the workbook's structure is damaged")))??;
    let label = format!("{file}[{name}]");
    let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, String)>> =
        std::collections::BTreeMap::new();
    for (r, c, text) in cells {
        by_row.entry(r).or_default().push((c, text));
    }
    let mut headers: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (r, mut values) in by_row {
        let row = r as usize + 1;
        values.sort_by_key(|(c, _)| *c);
        if headers.is_empty() {
            let width = values.last().map_or(0, |(c, _)| *c as usize + 1);
            headers = vec![String::new(); width];
            for (c, text) in values {
                headers[c as usize] = text;
            }
            continue;
        }
        if let Some((c, _)) = values.iter().find(|(c, _)| *c as usize >= headers.len()) {
            return Err(IoError::MalformedXlsx {
                file: label,
                message: format!(
                    "row {row}: a value in column {} beyond the last header column ({})",
                    *c as usize + 1,
                    headers.len()
                ),
            });
        }
        let mut cells = vec![String::new(); headers.len()];
        for (c, text) in values {
            cells[c as usize] = text;
        }
        rows.push(RawRow { row, cells });
    }
    Ok(RawTable {
        file: label,
        headers,
        rows,
    })
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading `'`, which spreadsheets show as text; reading hsplan's CSV
/// drops it again ([`restore_formula_text`]).
pub fn defuse_formula(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{text}")),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// Undoes [`defuse_formula`] on a cell read from CSV.
pub fn restore_formula_text(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// Writes a table as CSV or XLSX (chosen by the extension of `path`).
pub fn write_table(path: &Path, schema: &TableSchema, table: &RawTable) -> Result<(), IoError> {
    let file = path.display().to_string();
    let bytes = table_bytes(&file, TableFormat::from_path(path)?, schema, table)?;
    std::fs::write(path, bytes).map_err(|e| IoError::Write {
        file,
        message: e.to_string(),
    })
}

/// A table as the bytes of a CSV or XLSX file (`file` names it in messages).
pub fn table_bytes(
    file: &str,
    format: TableFormat,
    schema: &TableSchema,
    table: &RawTable,
) -> Result<Vec<u8>, IoError> {
    let werr = |message: String| IoError::Write {
        file: file.to_string(),
        message,
    };
    // each column's kind by its header (text where the schema does not say)
    let kinds: Vec<CellKind> = table
        .headers
        .iter()
        .map(|h| {
            schema
                .columns
                .iter()
                .find(|c| c.matches(h))
                .map(|c| c.kind)
                .unwrap_or(CellKind::Text)
        })
        .collect();
    match format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&table.headers)
                .map_err(|e| werr(e.to_string()))?;
            for r in &table.rows {
                let cells = r.cells.iter().enumerate().map(|(i, c)| {
                    if kinds.get(i).is_none_or(|k| *k == CellKind::Text) {
                        defuse_formula(c).into_owned().into_bytes()
                    } else {
                        c.as_bytes().to_vec()
                    }
                });
                w.write_record(cells).map_err(|e| werr(e.to_string()))?;
            }
            w.into_inner().map_err(|e| werr(e.to_string()))
        }
        TableFormat::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet
                .set_name(schema.name)
                .map_err(|e| werr(e.to_string()))?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, h) in table.headers.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, h, &bold)
                    .map_err(|e| werr(e.to_string()))?;
            }
            for (i, r) in table.rows.iter().enumerate() {
                let row = (i + 1) as u32;
                for (c, v) in r.cells.iter().enumerate() {
                    if v.is_empty() {
                        continue;
                    }
                    let res = match (kinds[c], v.parse::<f64>()) {
                        (CellKind::Number, Ok(n)) => sheet.write_number(row, c as u16, n),
                        _ => sheet.write_string(row, c as u16, v),
                    };
                    res.map_err(|e| werr(e.to_string()))?;
                }
            }
            sheet
                .set_freeze_panes(1, 0)
                .map_err(|e| werr(e.to_string()))?;
            book.save_to_buffer().map_err(|e| werr(e.to_string()))
        }
    }
}

/// A table whose headers have been matched to a schema.
pub struct Mapped<'a> {
    table: &'a RawTable,
    schema: &'a TableSchema,
    index: BTreeMap<&'static str, usize>,
}

impl<'a> Mapped<'a> {
    /// Matches headers to columns: every required column present, no unknown or
    /// repeated header.
    pub fn new(table: &'a RawTable, schema: &'a TableSchema) -> Result<Self, IoError> {
        if table.headers.iter().all(String::is_empty) {
            let required: Vec<&str> = schema
                .columns
                .iter()
                .filter(|c| c.required)
                .map(|c| c.key)
                .collect();
            return Err(IoError::Empty {
                file: table.file.clone(),
                required: required.join(", "),
            });
        }
        let mut index = BTreeMap::new();
        for (pos, header) in table.headers.iter().enumerate() {
            let col = schema
                .columns
                .iter()
                .find(|c| c.matches(header))
                .ok_or_else(|| IoError::UnknownColumn {
                    file: table.file.clone(),
                    position: pos + 1,
                    header: header.clone(),
                    table: schema.name,
                })?;
            if let Some(first) = index.insert(col.key, pos) {
                return Err(IoError::DuplicateColumn {
                    file: table.file.clone(),
                    column: col.key,
                    first: first + 1,
                    second: pos + 1,
                });
            }
        }
        for col in &schema.columns {
            if col.required && !index.contains_key(col.key) {
                return Err(IoError::MissingColumn {
                    file: table.file.clone(),
                    column: col.key,
                    zh: col.zh,
                });
            }
        }
        Ok(Mapped {
            table,
            schema,
            index,
        })
    }

    /// The schema.
    pub fn schema(&self) -> &TableSchema {
        self.schema
    }

    /// Access to one row.
    pub fn row(&'a self, row: &'a RawRow) -> RowReader<'a> {
        RowReader { mapped: self, row }
    }

    /// The rows.
    pub fn rows(&self) -> &'a [RawRow] {
        &self.table.rows
    }

    /// The file label.
    pub fn file(&self) -> &str {
        &self.table.file
    }
}

/// Typed access to the cells of one row.
pub struct RowReader<'a> {
    mapped: &'a Mapped<'a>,
    row: &'a RawRow,
}

impl RowReader<'_> {
    /// Row number.
    pub fn number(&self) -> usize {
        self.row.row
    }

    /// The cell text of a column, `None` when absent or empty.
    pub fn text(&self, key: &str) -> Option<&str> {
        let i = *self.mapped.index.get(key)?;
        self.row
            .cells
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// An error for a cell.
    pub fn error(&self, key: &str, value: &str, expected: impl Into<String>) -> IoError {
        IoError::Cell {
            file: self.mapped.table.file.clone(),
            row: self.row.row,
            column: key.to_string(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// A required cell, parsed.
    pub fn required<T, E: std::fmt::Display>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, IoError> {
        match self.text(key) {
            None => Err(self.error(key, "", "a value (this column is required)")),
            Some(t) => parse(t).map_err(|e| self.error(key, t, e.to_string())),
        }
    }

    /// An optional cell, parsed.
    pub fn optional<T, E: std::fmt::Display>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, IoError> {
        match self.text(key) {
            None => Ok(None),
            Some(t) => parse(t)
                .map(Some)
                .map_err(|e| self.error(key, t, e.to_string())),
        }
    }
}

/// Largest count a table may hold (more than any population, visit count or budget in
/// yuan a plan deals with; sums of many such counts stay exact and in range).
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Parses a whole number from 0 to [`MAX_COUNT`] (thousands separators `,` allowed; `1.0`
/// accepted).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let t: String = text
        .chars()
        .filter(|&c| c != ',' && c != '，' && c != '_')
        .collect();
    let too_big = || format!("a whole number from 0 to {MAX_COUNT} (10¹²)");
    if let Ok(v) = t.parse::<u64>() {
        return if v <= MAX_COUNT {
            Ok(v)
        } else {
            Err(too_big())
        };
    }
    match t.parse::<f64>() {
        Ok(f) if f >= 0.0 && f.fract() == 0.0 && f <= MAX_COUNT as f64 => Ok(f as u64),
        Ok(f) if f > MAX_COUNT as f64 => Err(too_big()),
        Ok(f) if f < 0.0 => Err("a non-negative whole number (counts cannot be negative)".into()),
        _ => Err("a non-negative whole number".into()),
    }
}

/// Parses a decimal number.
pub fn parse_float(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .ok_or_else(|| "a decimal number".to_string())
}

/// Parses yes/no in English or Chinese.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" => Ok(true),
        "false" | "no" | "n" | "0" | "否" => Ok(false),
        _ => Err("yes/no (true/false, 是/否, 1/0)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_bounded() {
        assert_eq!(parse_count("1,000"), Ok(1000));
        assert_eq!(parse_count("1000000000000"), Ok(MAX_COUNT));
        for t in [
            "1000000000001",
            "18446744073709551615",
            "99999999999999999999",
            "1e300",
        ] {
            assert!(parse_count(t).unwrap_err().contains("10¹²"), "{t}");
        }
        assert!(parse_count("-1").is_err());
    }

    #[test]
    fn a_workbook_named_csv_is_called_what_it_is() {
        let e = read_csv_bytes("r.csv", b"PK\x03\x04\x14\x00\x06\x00binary").unwrap_err();
        assert!(e.to_string().contains("r.csv, row 1") && e.to_string().contains(".xlsx"));
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_defused_and_read_back() {
        for t in ["=SUM(A1)", "+1", "-x", "@cmd", "\tx"] {
            let out = defuse_formula(t);
            assert!(out.starts_with('\''), "{t}");
            assert_eq!(restore_formula_text(&out), t);
        }
        assert_eq!(defuse_formula("北碚区"), "北碚区");
        assert_eq!(restore_formula_text("'quoted"), "'quoted");
    }

    fn schema() -> TableSchema {
        TableSchema {
            name: "t",
            columns: vec![
                Column::text("code", "代码", true),
                Column::number("n", "数量", false),
            ],
        }
    }

    #[test]
    fn headers_in_either_language() {
        let t = read_csv_bytes("a.csv", "\u{feff}代码,n\n5001,3\n,\n".as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 1);
        let s = schema();
        let m = Mapped::new(&t, &s).unwrap();
        let r = m.row(&m.rows()[0]);
        assert_eq!(r.text("code"), Some("5001"));
        assert_eq!(r.required("n", parse_count).unwrap(), 3);
    }

    #[test]
    fn ragged_rows_are_rejected_with_their_row() {
        let err = read_csv_bytes("a.csv", b"code,n\n1,2\n3,4,5\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.csv, row 3: malformed CSV: 3 fields where the header has 2"
        );
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1,234"), Ok(1234));
        assert_eq!(parse_count("12.0"), Ok(12));
        assert!(parse_count("-1").unwrap_err().contains("negative"));
        assert!(parse_count("1.5").is_err());
    }
}
