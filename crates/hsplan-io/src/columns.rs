//! A whole service system read from flat files straight into evaluation columns
//! ([`hsplan_eval::columnar::Columns`]), without per-record model values: the path for
//! national-scale evaluation (hundreds of thousands of units, millions of facility-years).
//!
//! Four CSV files in one directory (UTF-8, header row; codes or labels as in
//! docs/data-format.md):
//! - `units.csv`: `code` — every unit, any order;
//! - `facilities.csv`: `fid,unit,kind,grade,ownership[,opened][,closed]`;
//! - `resources.csv`: `fid,year` and one column per resource quantity (`beds`,
//!   `licensed_doctors`, …) or capability (`fever_clinic`, … as true/false or 1/0); an empty
//!   cell is not reported;
//! - `population.csv`: `unit,year,resident[,age_0_14][,age_0_2]`.
//!
//! Each may be a Parquet file instead (`units.parquet`, …; recognised by its `PAR1` magic
//! when given as bytes), with the same column names; its columns may be whole numbers or
//! flags (read as they are, without a detour through text) or anything else (read as its
//! text form), and a null is an empty cell.
//!
//! Files are read one at a time and their bytes dropped once parsed; the rows of the large
//! files are parsed on several threads, each over its own stretch of whole lines (or of
//! Parquet row groups, which each thread decodes and parses as it goes). Every error names
//! the file, the row (1 = header; in a Parquet file, row N + 1 is its N-th record, as if it
//! had a header line) and the column.

use crate::IoError;
use hsplan_eval::columnar::{Columns, FacilityIx, UnitIx};
use hsplan_model::{
    AdminCode, Capability, Facility, FacilityId, Grade, InstitutionType, Labelled, Ownership,
    Quantity, Year,
};
use std::collections::HashMap;
use std::path::Path;

/// The four files' contents, each with the name used in messages.
#[derive(Debug, Clone, Copy)]
pub struct SystemFiles<'a> {
    /// `units.csv`.
    pub units: (&'a str, &'a [u8]),
    /// `facilities.csv`.
    pub facilities: (&'a str, &'a [u8]),
    /// `resources.csv`.
    pub resources: (&'a str, &'a [u8]),
    /// `population.csv`.
    pub population: (&'a str, &'a [u8]),
}

/// Reads `units.csv`, `facilities.csv`, `resources.csv` and `population.csv` from `dir`,
/// one file in memory at a time, parsing rows on `threads` threads.
pub fn read_dir(dir: &Path, threads: usize) -> Result<Columns, IoError> {
    let read = |name: &str| -> Result<(String, Vec<u8>), IoError> {
        let csv = dir.join(name);
        let parquet = csv.with_extension("parquet");
        let path = match (csv.exists(), parquet.exists()) {
            (true, true) => {
                return Err(IoError::Read {
                    file: dir.display().to_string(),
                    source: std::io::Error::other(format!(
                        "both {name} and {} are here; keep one",
                        parquet.display()
                    )),
                });
            }
            (false, true) => parquet,
            _ => csv,
        };
        let file = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|source| IoError::Read {
            file: file.clone(),
            source,
        })?;
        Ok((file, bytes))
    };
    let (units_file, bytes) = read("units.csv")?;
    let units = parse_units(&units_file, &bytes)?;
    drop(bytes);
    let (pop_file, pop) = read("population.csv")?;
    let population = parse_population(&pop_file, &pop, &units, threads)?;
    drop(pop);
    let mut columns = population.into_columns(&units);
    drop(units);
    let (fac_file, fac) = read("facilities.csv")?;
    let ids = add_facilities(&mut columns, &fac_file, &fac, threads)?;
    drop(fac);
    let (res_file, res) = read("resources.csv")?;
    add_resources(&mut columns, &res_file, &res, &ids, threads)?;
    Ok(columns)
}

/// [`read_dir`] on contents already in memory.
pub fn read_files(files: SystemFiles, threads: usize) -> Result<Columns, IoError> {
    let units = parse_units(files.units.0, files.units.1)?;
    let population = parse_population(files.population.0, files.population.1, &units, threads)?;
    let mut columns = population.into_columns(&units);
    let ids = add_facilities(
        &mut columns,
        files.facilities.0,
        files.facilities.1,
        threads,
    )?;
    add_resources(
        &mut columns,
        files.resources.0,
        files.resources.1,
        &ids,
        threads,
    )?;
    Ok(columns)
}

/// A file's header (lower-cased, trimmed names) and its body after the header line.
fn split_header<'a>(
    file: &str,
    bytes: &'a [u8],
    required: &[&'static str],
) -> Result<(Vec<String>, Body<'a>), IoError> {
    if bytes.starts_with(PARQUET_MAGIC) {
        let table = ParquetTable::open(file, bytes)?;
        check_header(file, &table.header, required)?;
        return Ok((table.header.clone(), Body::Parquet(table)));
    }
    let (header, body) = split_csv_header(file, bytes, required)?;
    Ok((header, Body::Csv(body)))
}

/// The first bytes of a Parquet file.
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// A table's body: CSV text after the header line, or a Parquet file ready to decode.
enum Body<'a> {
    Csv(&'a [u8]),
    Parquet(ParquetTable),
}

/// One field of a record: text (a CSV field, a Parquet text column), or a Parquet whole
/// number or flag as it is stored. A null is empty text.
#[derive(Clone, Copy, Debug)]
enum Cell<'a> {
    Text(&'a [u8]),
    Int(i64),
    Flag(bool),
}

impl<'a> Cell<'a> {
    const EMPTY: Cell<'static> = Cell::Text(b"");

    /// Empty, or only spaces.
    fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(t) if t.trim_ascii().is_empty())
    }

    /// The cell as written (numbers in decimal, flags as true/false), for the rare paths
    /// that need text and for messages.
    fn bytes(&self) -> std::borrow::Cow<'a, [u8]> {
        match *self {
            Cell::Text(t) => t.into(),
            Cell::Int(v) => v.to_string().into_bytes().into(),
            Cell::Flag(b) => (if b { &b"true"[..] } else { &b"false"[..] }).into(),
        }
    }

    /// The cell as trimmed UTF-8 text.
    fn text(&self) -> Option<std::borrow::Cow<'a, str>> {
        match self.bytes() {
            std::borrow::Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(|t| t.trim().into()),
            std::borrow::Cow::Owned(b) => String::from_utf8(b).ok().map(Into::into),
        }
    }
}

/// A Parquet file's schema and row groups, decoded group by group when parsed.
struct ParquetTable {
    file: String,
    header: Vec<String>,
    data: bytes::Bytes,
    metadata: parquet::arrow::arrow_reader::ArrowReaderMetadata,
    /// Records in each row group.
    group_rows: Vec<usize>,
}

impl ParquetTable {
    /// Reads a Parquet file's footer. A damaged file is an error naming it, even where the
    /// decoder would panic.
    fn open(file: &str, bytes: &[u8]) -> Result<ParquetTable, IoError> {
        use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
        let data = bytes::Bytes::copy_from_slice(bytes);
        let metadata = guarded(file, || {
            ArrowReaderMetadata::load(&data, ArrowReaderOptions::new())
                .map_err(|e| malformed_parquet(file, e.to_string()))
        })?;
        let header = metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().trim().to_lowercase())
            .collect();
        let group_rows = metadata
            .metadata()
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
            .collect();
        Ok(ParquetTable {
            file: file.to_string(),
            header,
            data,
            metadata,
            group_rows,
        })
    }
}

fn malformed_parquet(file: &str, message: String) -> IoError {
    IoError::MalformedParquet {
        file: file.to_string(),
        message,
    }
}

/// Runs the Parquet decoder, turning a panic on a damaged file into an error naming it.
fn guarded<T>(file: &str, decode: impl FnOnce() -> Result<T, IoError>) -> Result<T, IoError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)).unwrap_or_else(|_| {
        Err(malformed_parquet(
            file,
            "the file is damaged (its decoder failed)".into(),
        ))
    })
}

/// A decoded Parquet column as the parsers read it.
enum TypedColumn {
    Text(arrow_array::StringArray),
    Int(arrow_array::Int64Array),
    Flag(arrow_array::BooleanArray),
}

impl TypedColumn {
    /// Whole numbers (up to 64-bit signed) and flags as they are; anything else as text.
    fn of(column: &arrow_array::ArrayRef) -> Result<TypedColumn, String> {
        use arrow_array::{Array, BooleanArray, Int64Array, StringArray};
        use arrow_schema::DataType;
        let as_is = |to: &DataType| arrow_cast::cast(column, to).map_err(|e| e.to_string());
        Ok(match column.data_type() {
            DataType::Boolean => TypedColumn::Flag(downcast::<BooleanArray>(column)?),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => {
                TypedColumn::Int(downcast::<Int64Array>(&as_is(&DataType::Int64)?)?)
            }
            _ => TypedColumn::Text(downcast::<StringArray>(&as_is(&DataType::Utf8)?)?),
        })
    }

    fn cell(&self, row: usize) -> Cell<'_> {
        use arrow_array::Array;
        match self {
            TypedColumn::Text(c) if c.is_valid(row) => Cell::Text(c.value(row).as_bytes()),
            TypedColumn::Int(c) if c.is_valid(row) => Cell::Int(c.value(row)),
            TypedColumn::Flag(c) if c.is_valid(row) => Cell::Flag(c.value(row)),
            _ => Cell::EMPTY,
        }
    }
}

fn downcast<T: Clone + 'static>(column: &arrow_array::ArrayRef) -> Result<T, String> {
    column
        .as_any()
        .downcast_ref::<T>()
        .cloned()
        .ok_or_else(|| format!("unexpected column type {}", column.data_type()))
}

fn split_csv_header<'a>(
    file: &str,
    bytes: &'a [u8],
    required: &[&'static str],
) -> Result<(Vec<String>, &'a [u8]), IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let empty = || IoError::Empty {
        file: file.to_string(),
        required: required.join(", "),
    };
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end];
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(empty());
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line);
    let mut record = csv::StringRecord::new();
    match r.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(empty()),
        Err(e) => {
            return Err(IoError::MalformedCsv {
                file: file.to_string(),
                row: 1,
                message: e.to_string(),
            });
        }
    }
    let header: Vec<String> = record.iter().map(|h| h.trim().to_lowercase()).collect();
    check_header(file, &header, required)?;
    Ok((header, &bytes[(end + 1).min(bytes.len())..]))
}

/// A header's names: each once, the required ones present.
fn check_header(file: &str, header: &[String], required: &[&'static str]) -> Result<(), IoError> {
    // (a map, not a scan of the names before: a hostile header may have 10^5 names)
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        if let Some(&j) = seen.get(h.as_str()) {
            return Err(IoError::MalformedCsv {
                file: file.to_string(),
                row: 1,
                message: format!(
                    "column `{h}` appears twice (positions {} and {})",
                    j + 1,
                    i + 1
                ),
            });
        }
        seen.insert(h, i);
    }
    for r in required {
        if !header.iter().any(|h| h == r) {
            return Err(IoError::MissingColumn {
                file: file.to_string(),
                column: r,
                zh: r,
            });
        }
    }
    Ok(())
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

/// A parse error before its row is known: the body line (1-based) it was found on.
struct LocalError {
    line: usize,
    build: Box<dyn FnOnce(usize) -> IoError + Send>,
}

fn cell_error(
    file: &str,
    column: &str,
    value: Cell,
    expected: &str,
) -> Box<dyn FnOnce(usize) -> IoError + Send> {
    let (file, column, value, expected) = (
        file.to_string(),
        column.to_string(),
        String::from_utf8_lossy(&value.bytes()).into_owned(),
        expected.to_string(),
    );
    Box::new(move |row| IoError::Cell {
        file,
        row,
        column,
        value,
        expected,
    })
}

/// A record's fields, and what turns them into an item (appending numbers to the stretch's
/// flat values), or says what is wrong once its row is known.
type ParseRecord<'a, T> = dyn Fn(&[Cell], &mut Vec<u32>) -> Result<T, Box<dyn FnOnce(usize) -> IoError + Send>>
    + Sync
    + 'a;

/// Parses the body's records on up to `threads` threads, each over a stretch of whole
/// lines. A file without quotes is split on commas and line ends directly; a file that
/// quotes anything goes through the `csv` reader in one stretch, so a quoted comma or line
/// break is read right. `parse(fields, values)` turns a record into an item; the items come
/// back per stretch, in file order, each with its file row (1 = header), with the
/// stretch's values. Blank lines are skipped. Errors carry the file row.
fn parse_body<T: Send>(
    file: &str,
    body: &Body,
    fields: usize,
    threads: usize,
    parse: &ParseRecord<T>,
) -> Result<Vec<Piece<T>>, IoError> {
    match body {
        Body::Csv(text) => parse_csv_body(file, text, fields, threads, parse),
        Body::Parquet(table) => parse_table(table, threads, parse),
    }
}

/// [`parse_body`] of a Parquet file: its row groups shared out over the threads in
/// order, each thread decoding its groups batch by batch and parsing as it goes; record N
/// (1-based) is row N + 1.
fn parse_table<T: Send>(
    table: &ParquetTable,
    threads: usize,
    parse: &ParseRecord<T>,
) -> Result<Vec<Piece<T>>, IoError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let groups = table.group_rows.len();
    let chunk = groups.div_ceil(threads.max(1)).max(1);
    let run = |first_group: usize, last_group: usize| -> Result<Piece<T>, IoError> {
        // (a damaged footer may claim any row counts: sums saturate, reservations are capped)
        let rows_in = |groups: &[usize]| groups.iter().fold(0usize, |a, b| a.saturating_add(*b));
        let mut row = rows_in(&table.group_rows[..first_group]).saturating_add(2);
        let records = rows_in(&table.group_rows[first_group..last_group]);
        let mut items = Vec::with_capacity(reservation(records));
        let mut values =
            Vec::with_capacity(reservation(records.saturating_mul(table.header.len())));
        guarded(&table.file, || {
            let bad = |message: String| malformed_parquet(&table.file, message);
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                table.data.clone(),
                table.metadata.clone(),
            )
            .with_row_groups((first_group..last_group).collect())
            .with_batch_size(8_192)
            .build()
            .map_err(|e| bad(e.to_string()))?;
            for batch in reader {
                let batch = batch.map_err(|e| bad(e.to_string()))?;
                let columns = batch
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        TypedColumn::of(c)
                            .map_err(|e| bad(format!("column `{}`: {e}", table.header[k])))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let mut cells: Vec<Cell> = Vec::with_capacity(columns.len());
                for r in 0..batch.num_rows() {
                    cells.clear();
                    cells.extend(columns.iter().map(|c| c.cell(r)));
                    match parse(&cells, &mut values) {
                        Ok(item) => items.push((row as u32, item)),
                        Err(build) => return Err(build(row)),
                    }
                    row = row.saturating_add(1);
                }
            }
            Ok(())
        })?;
        Ok(Piece { items, values })
    };
    let parts: Vec<(usize, usize)> = (0..groups)
        .step_by(chunk)
        .map(|g| (g, (g + chunk).min(groups)))
        .collect();
    let results: Vec<Result<Piece<T>, IoError>> = if parts.len() <= 1 {
        parts.iter().map(|&(a, b)| run(a, b)).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .iter()
                .map(|&(a, b)| s.spawn(move || run(a, b)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a parsing thread panicked"))
                .collect()
        })
    };
    results.into_iter().collect()
}

/// How much of an expected length to reserve up front (reserved memory is not touched until
/// used; the cap keeps a file that claims or implies absurd sizes from asking for more than
/// 16 M items at once — past that, vectors grow as they fill).
fn reservation(expected: usize) -> usize {
    expected.min(1 << 24)
}

fn parse_csv_body<T: Send>(
    file: &str,
    body: &[u8],
    fields: usize,
    threads: usize,
    parse: &ParseRecord<T>,
) -> Result<Vec<Piece<T>>, IoError> {
    let quoted = body.contains(&b'"');
    let pieces = if quoted || threads <= 1 || body.len() < 1 << 16 {
        vec![body]
    } else {
        let mut out = Vec::new();
        let mut start = 0;
        for k in 1..=threads {
            let mut end = body.len() * k / threads;
            if k < threads {
                end = body[end..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(body.len(), |p| end + p + 1);
            }
            let end = end.max(start);
            out.push(&body[start..end]);
            start = end;
        }
        out
    };
    let wrong_count = |line: usize, n: usize| {
        let file = file.to_string();
        LocalError {
            line,
            build: Box::new(move |row| IoError::MalformedCsv {
                file,
                row,
                message: format!("{n} fields; the header has {fields}"),
            }),
        }
    };
    let plain = |piece: &[u8]| -> Result<Piece<T>, LocalError> {
        let mut out = Vec::with_capacity(piece.len() / 24);
        let mut values = Vec::with_capacity(reservation(out.capacity().saturating_mul(fields)));
        let mut cells: Vec<Cell> = Vec::with_capacity(fields);
        let lines = piece.strip_suffix(b"\n").unwrap_or(piece);
        for (i, line) in lines.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            cells.clear();
            cells.extend(line.split(|&b| b == b',').map(Cell::Text));
            if cells.len() != fields {
                return Err(wrong_count(i + 1, cells.len()));
            }
            match parse(&cells, &mut values) {
                Ok(item) => out.push(((i + 1) as u32, item)),
                Err(build) => return Err(LocalError { line: i + 1, build }),
            }
        }
        Ok(Piece { items: out, values })
    };
    let with_quotes = |piece: &[u8]| -> Result<Piece<T>, LocalError> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(piece);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        let mut values = Vec::new();
        // Lines are counted from byte offsets (the reader skips blank lines without
        // counting them): newlines between the last record's start and this one's.
        let (mut last_byte, mut last_line) = (0usize, 1usize);
        let mut line_at = |byte: usize| {
            // The reader's position of a record after blank lines is that of the blank lines.
            let mut byte = byte.min(piece.len());
            while byte < piece.len() && matches!(piece[byte], b'\n' | b'\r') {
                byte += 1;
            }
            if byte >= last_byte {
                last_line += piece[last_byte..byte]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                last_byte = byte;
            }
            last_line
        };
        loop {
            match r.read_byte_record(&mut record) {
                Ok(false) => return Ok(Piece { items: out, values }),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(1, |p| line_at(p.byte() as usize));
                    let (file, message) = (file.to_string(), e.to_string());
                    return Err(LocalError {
                        line,
                        build: Box::new(move |row| IoError::MalformedCsv { file, row, message }),
                    });
                }
            }
            let line = record.position().map_or(1, |p| line_at(p.byte() as usize));
            if record.len() == 1 && record[0].iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if record.len() != fields {
                return Err(wrong_count(line, record.len()));
            }
            let cells: Vec<Cell> = record.iter().map(Cell::Text).collect();
            match parse(&cells, &mut values) {
                Ok(item) => out.push((line as u32, item)),
                Err(build) => return Err(LocalError { line, build }),
            }
        }
    };
    let run = |piece: &[u8]| {
        if quoted {
            with_quotes(piece)
        } else {
            plain(piece)
        }
    };
    let results: Vec<Result<Piece<T>, LocalError>> = if pieces.len() == 1 {
        vec![run(pieces[0])]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = pieces.iter().map(|p| s.spawn(|| run(p))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a parsing thread panicked"))
                .collect()
        })
    };
    // Body lines are counted per stretch: turn them into file rows (1 = header).
    let mut lines_before = 0usize;
    let mut out = Vec::with_capacity(results.len());
    for (piece, result) in pieces.iter().zip(results) {
        match result {
            Ok(mut piece) => {
                for (line, _) in &mut piece.items {
                    *line = (lines_before + *line as usize + 1) as u32;
                }
                out.push(piece);
            }
            Err(e) => return Err((e.build)(lines_before + e.line + 1)),
        }
        lines_before += piece.iter().filter(|&&b| b == b'\n').count();
    }
    Ok(out)
}

/// What one stretch of lines parsed into: (file row, item) pairs and the numbers the items
/// appended.
struct Piece<T> {
    items: Vec<(u32, T)>,
    values: Vec<u32>,
}

/// Finds units by the code in a cell: 12 digits are read as a number directly, anything
/// else through [`AdminCode::parse`]; the last unit found on this thread is tried first
/// (rows of a unit usually come together), then a binary search.
struct UnitLookup {
    codes: Vec<u64>,
}

thread_local! {
    static LAST_UNIT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl UnitLookup {
    fn new(units: &[AdminCode]) -> Self {
        UnitLookup {
            codes: units.iter().map(|u| u.get()).collect(),
        }
    }

    /// The unit's index, or what the cell should have held.
    fn find(&self, cell: Cell) -> Result<usize, &'static str> {
        let twelve_digits = match cell {
            Cell::Int(v) if (100_000_000_000..1_000_000_000_000).contains(&v) => Some(v as u64),
            Cell::Text(t) if t.trim_ascii().len() == 12 => digits(cell),
            _ => None,
        };
        let value = match twelve_digits {
            Some(v) => v,
            None => admin_code(cell).ok_or("an admin code")?.get(),
        };
        let hint = LAST_UNIT.with(std::cell::Cell::get);
        for i in [hint, hint + 1] {
            if self.codes.get(i) == Some(&value) {
                LAST_UNIT.with(|c| c.set(i));
                return Ok(i);
            }
        }
        let i = self
            .codes
            .binary_search(&value)
            .map_err(|_| "a unit listed in units.csv")?;
        LAST_UNIT.with(|c| c.set(i));
        Ok(i)
    }
}

/// Facility sets by (kind, grade, ownership) cell text, per thread: a national file has a
/// few dozen combinations over a million rows.
type SetsCache = Vec<([Box<[u8]>; 3], u16)>;

thread_local! {
    static SETS: std::cell::RefCell<SetsCache> = const { std::cell::RefCell::new(Vec::new()) };
}

fn admin_code(cell: Cell) -> Option<AdminCode> {
    cell.text().and_then(|t| AdminCode::parse(&t).ok())
}

/// A whole number, not negative: a Parquet number as it is, or ASCII digits (surrounding
/// spaces allowed) read without going through text: the cells of a national file are
/// mostly numbers.
fn digits(cell: Cell) -> Option<u64> {
    let b = match cell {
        Cell::Int(v) => return u64::try_from(v).ok(),
        Cell::Flag(_) => return None,
        Cell::Text(b) => b.trim_ascii(),
    };
    if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0')))
}

fn year(cell: Cell) -> Option<Year> {
    digits(cell).and_then(|y| Year::new(i64::try_from(y).ok()?).ok())
}

/// A count: empty → not reported; else a whole number below the not-reported mark.
fn count(cell: Cell) -> Result<u32, ()> {
    let b = match cell {
        Cell::Int(v) => {
            return u32::try_from(v)
                .ok()
                .filter(|v| *v < Columns::NOT_REPORTED)
                .ok_or(());
        }
        Cell::Flag(_) => return Err(()),
        Cell::Text(b) => b.trim_ascii(),
    };
    if b.is_empty() {
        return Ok(Columns::NOT_REPORTED);
    }
    if b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    let v = b.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
    if v >= u64::from(Columns::NOT_REPORTED) {
        return Err(());
    }
    Ok(v as u32)
}

fn flag(cell: Cell) -> Result<Option<bool>, ()> {
    let b = match cell {
        Cell::Flag(b) => return Ok(Some(b)),
        Cell::Int(0) => return Ok(Some(false)),
        Cell::Int(1) => return Ok(Some(true)),
        Cell::Int(_) => return Err(()),
        Cell::Text(b) => b,
    };
    match b.trim_ascii() {
        b"" => Ok(None),
        // 是 / 否 in UTF-8
        b"1" | b"true" | b"TRUE" | b"True" | b"\xE6\x98\xAF" => Ok(Some(true)),
        b"0" | b"false" | b"FALSE" | b"False" | b"\xE5\x90\xA6" => Ok(Some(false)),
        _ => Err(()),
    }
}

fn parse_units(file: &str, bytes: &[u8]) -> Result<Vec<AdminCode>, IoError> {
    let (header, body) = split_header(file, bytes, &["code"])?;
    let at = column(&header, "code").expect("required");
    let pieces = parse_body(file, &body, header.len(), 1, &|r, _| {
        admin_code(r[at]).ok_or_else(|| cell_error(file, "code", r[at], "an admin code"))
    })?;
    let mut rows: Vec<(AdminCode, u32)> = pieces
        .into_iter()
        .flat_map(|p| p.items)
        .map(|(row, code)| (code, row))
        .collect();
    rows.sort();
    for w in rows.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(IoError::DuplicateKey {
                file: file.to_string(),
                row: w[0].1.max(w[1].1) as usize,
                what: "unit",
                key: w[0].0.to_string(),
                first_row: w[0].1.min(w[1].1) as usize,
            });
        }
    }
    Ok(rows.into_iter().map(|(c, _)| c).collect())
}

/// Facility ids → indices: dense when the ids are 0, 1, 2, … in file order.
enum FacilityIds {
    Dense(usize),
    Named(HashMap<Box<str>, FacilityIx>),
}

impl FacilityIds {
    fn get(&self, cell: Cell) -> Option<FacilityIx> {
        match (self, cell) {
            (FacilityIds::Dense(n), Cell::Int(v)) => u32::try_from(v)
                .ok()
                .filter(|v| (*v as usize) < *n)
                .map(FacilityIx),
            (FacilityIds::Dense(n), Cell::Text(b)) => {
                let b = b.trim_ascii();
                if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let v = b.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
                (v < *n as u64 && (b.len() == 1 || b[0] != b'0')).then_some(FacilityIx(v as u32))
            }
            (FacilityIds::Dense(_), Cell::Flag(_)) => None,
            (FacilityIds::Named(m), _) => cell.text().and_then(|t| m.get(&*t).copied()),
        }
    }

    /// The id of a facility (for messages).
    fn name(&self, ix: FacilityIx) -> String {
        match self {
            FacilityIds::Dense(_) => ix.0.to_string(),
            FacilityIds::Named(m) => m
                .iter()
                .find(|(_, v)| **v == ix)
                .map_or_else(|| ix.0.to_string(), |(k, _)| k.to_string()),
        }
    }
}

fn add_facilities(
    columns: &mut Columns,
    file: &str,
    bytes: &[u8],
    threads: usize,
) -> Result<FacilityIds, IoError> {
    const REQUIRED: [&str; 5] = ["fid", "unit", "kind", "grade", "ownership"];
    let (header, body) = split_header(file, bytes, &REQUIRED)?;
    let at: Vec<usize> = REQUIRED
        .iter()
        .map(|c| column(&header, c).expect("required"))
        .collect();
    let (opened_at, closed_at) = (column(&header, "opened"), column(&header, "closed"));
    for (i, h) in header.iter().enumerate() {
        if !REQUIRED.contains(&h.as_str()) && Some(i) != opened_at && Some(i) != closed_at {
            return Err(IoError::UnknownColumn {
                file: file.to_string(),
                position: i + 1,
                header: h.clone(),
                table: "facilities",
            });
        }
    }
    // Which facility sets a (kind, grade, ownership) belongs to, read once per combination.
    let template = Facility {
        id: FacilityId::new("f").expect("valid id"),
        name: String::new(),
        kind: InstitutionType::GeneralHospital,
        specialty: None,
        grade: Grade::parse("ungraded").expect("a grade"),
        ownership: Ownership::Government,
        for_profit: None,
        unit: AdminCode::parse("110000").expect("a code"),
        location: None,
        opened: None,
        closed: None,
    };
    let optional_year = |cell: Cell| -> Result<Option<Year>, ()> {
        if cell.is_blank() {
            Ok(None)
        } else {
            year(cell).map(Some).ok_or(())
        }
    };
    let id_at = at[0];
    let lookup = UnitLookup::new(columns.units());
    let pieces = parse_body(file, &body, header.len(), threads, &|r, _| {
        let id = FacilityKey::read(r[id_at]).ok_or_else(|| {
            cell_error(
                file,
                "fid",
                r[id_at],
                "a facility id (1–64 characters, no spaces)",
            )
        })?;
        let unit = lookup
            .find(r[at[1]])
            .map_err(|expected| cell_error(file, "unit", r[at[1]], expected))?;
        let unit = UnitIx(unit as u32);
        let key = [r[at[2]].bytes(), r[at[3]].bytes(), r[at[4]].bytes()];
        let cached = SETS.with(|c| {
            c.borrow()
                .iter()
                .find(|(k, _)| k.iter().zip(&key).all(|(a, b)| **a == **b))
                .map(|(_, sets)| *sets)
        });
        let sets = match cached {
            Some(sets) => sets,
            None => {
                let mut f = template.clone();
                f.kind = r[at[2]]
                    .text()
                    .and_then(|t| InstitutionType::parse_label(&t).ok())
                    .ok_or_else(|| {
                        cell_error(file, "kind", r[at[2]], "an institution type code")
                    })?;
                f.grade = r[at[3]]
                    .text()
                    .and_then(|t| Grade::parse(&t).ok())
                    .ok_or_else(|| {
                        cell_error(file, "grade", r[at[3]], "a grade (e.g. 3a, 2, ungraded)")
                    })?;
                f.ownership = r[at[4]]
                    .text()
                    .and_then(|t| Ownership::parse_label(&t).ok())
                    .ok_or_else(|| cell_error(file, "ownership", r[at[4]], "an ownership code"))?;
                let sets = Columns::facility_sets_of(&f);
                SETS.with(|c| {
                    let mut c = c.borrow_mut();
                    if c.len() < 256 {
                        c.push((key.map(|k| Box::<[u8]>::from(&*k)), sets));
                    }
                });
                sets
            }
        };
        let year_at = |i: Option<usize>, name: &'static str| match i {
            Some(i) => optional_year(r[i]).map_err(|()| cell_error(file, name, r[i], "a year")),
            None => Ok(None),
        };
        let opened = year_at(opened_at, "opened")?;
        let closed = year_at(closed_at, "closed")?;
        Ok((id, unit, sets, opened, closed))
    })?;
    // Ids: kept as text only when they are not simply 0, 1, 2, … in order.
    let total: usize = pieces.iter().map(|p| p.items.len()).sum();
    let dense = pieces
        .iter()
        .flat_map(|p| &p.items)
        .enumerate()
        .all(|(i, (_, (id, ..)))| matches!(id, FacilityKey::Number(v) if *v == i as u64));
    let mut named: HashMap<Box<str>, (FacilityIx, u32)> = HashMap::new();
    for (row, (id, unit, sets, opened, closed)) in pieces.into_iter().flat_map(|p| p.items) {
        let ix = columns.add_facility_parts(unit, sets, opened, closed);
        if dense {
            continue;
        }
        let id = id.into_text();
        if let Some((_, first)) = named.get(&id) {
            return Err(IoError::DuplicateKey {
                file: file.to_string(),
                row: row as usize,
                what: "facility",
                key: id.into(),
                first_row: *first as usize,
            });
        }
        named.insert(id, (ix, row));
    }
    Ok(if dense {
        FacilityIds::Dense(total)
    } else {
        FacilityIds::Named(named.into_iter().map(|(k, (ix, _))| (k, ix)).collect())
    })
}

/// A facility id as read: a whole number (digits without a leading zero, or a Parquet
/// integer), kept without allocating, or any other id as text.
enum FacilityKey {
    Number(u64),
    Text(Box<str>),
}

impl FacilityKey {
    fn read(cell: Cell) -> Option<FacilityKey> {
        match cell {
            Cell::Int(v) if v >= 0 => return Some(FacilityKey::Number(v as u64)),
            Cell::Text(b) => {
                let t = b.trim_ascii();
                if (t.len() == 1 || t.first() != Some(&b'0'))
                    && let Some(v) = digits(cell)
                {
                    return Some(FacilityKey::Number(v));
                }
            }
            _ => {}
        }
        cell.text()
            .filter(|t| FacilityId::new(t).is_ok())
            .map(|t| FacilityKey::Text(t.into()))
    }

    fn into_text(self) -> Box<str> {
        match self {
            FacilityKey::Number(v) => v.to_string().into(),
            FacilityKey::Text(t) => t,
        }
    }
}

/// What a resources column holds.
#[derive(Clone, Copy)]
enum ResourceColumn {
    Quantity(Quantity),
    Capability(Capability),
}

fn add_resources(
    columns: &mut Columns,
    file: &str,
    bytes: &[u8],
    ids: &FacilityIds,
    threads: usize,
) -> Result<(), IoError> {
    let (header, body) = split_header(file, bytes, &["fid", "year"])?;
    let (fid_at, year_at) = (
        column(&header, "fid").expect("required"),
        column(&header, "year").expect("required"),
    );
    let mut kinds: Vec<(usize, ResourceColumn)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i == fid_at || i == year_at {
            continue;
        }
        let kind = if let Ok(q) = Quantity::parse_label(h) {
            ResourceColumn::Quantity(q)
        } else if let Ok(c) = Capability::parse_label(h) {
            ResourceColumn::Capability(c)
        } else {
            return Err(IoError::UnknownColumn {
                file: file.to_string(),
                position: i + 1,
                header: h.clone(),
                table: "resources",
            });
        };
        kinds.push((i, kind));
    }
    let years: Vec<Year> = columns.years().to_vec();
    let nq = kinds.len();
    // A row: facility, year index, then one value per resource column (flags as 0/1, or
    // NOT_REPORTED when empty).
    let pieces = parse_body(file, &body, header.len(), threads, &|r, values| {
        let f = ids.get(r[fid_at]).ok_or_else(|| {
            cell_error(
                file,
                "fid",
                r[fid_at],
                "a facility id listed in facilities.csv",
            )
        })?;
        let y = year(r[year_at])
            .and_then(|y| years.iter().position(|x| *x == y))
            .ok_or_else(|| {
                cell_error(
                    file,
                    "year",
                    r[year_at],
                    "a year that population.csv covers",
                )
            })?;
        for &(i, kind) in &kinds {
            let v = match kind {
                ResourceColumn::Quantity(_) => count(r[i]).map_err(|()| {
                    cell_error(file, &header[i], r[i], "a whole number (or empty)")
                })?,
                ResourceColumn::Capability(_) => match flag(r[i]) {
                    Ok(None) => Columns::NOT_REPORTED,
                    Ok(Some(b)) => u32::from(b),
                    Err(()) => {
                        return Err(cell_error(
                            file,
                            &header[i],
                            r[i],
                            "true/false, 1/0 or empty",
                        ));
                    }
                },
            };
            values.push(v);
        }
        Ok((f, y as u8))
    })?;
    let n = columns.facility_count();
    let ny = years.len();
    // Which row reported each facility-year (duplicates refused), on this thread, while the
    // other threads lay the values into their share of the columns.
    let first_rows = || -> Result<Vec<Vec<u32>>, IoError> {
        let mut first_row: Vec<Vec<u32>> = vec![vec![0; n]; ny];
        for piece in &pieces {
            for (row, (f, y)) in &piece.items {
                let (fi, yi) = (f.0 as usize, *y as usize);
                if first_row[yi][fi] != 0 {
                    return Err(IoError::DuplicateKey {
                        file: file.to_string(),
                        row: *row as usize,
                        what: "facility-year",
                        key: format!("{} {}", ids.name(*f), years[yi]),
                        first_row: first_row[yi][fi] as usize,
                    });
                }
                first_row[yi][fi] = *row;
            }
        }
        Ok(first_row)
    };
    // Resource columns `ks`, per year, per facility (each row appended nq values).
    let lay_out = |ks: std::ops::Range<usize>| -> Vec<Vec<Vec<u32>>> {
        let mut out = vec![vec![vec![Columns::NOT_REPORTED; n]; ny]; ks.len()];
        for piece in &pieces {
            for ((_, (f, y)), values) in piece.items.iter().zip(piece.values.chunks_exact(nq)) {
                let (fi, yi) = (f.0 as usize, *y as usize);
                for (column, v) in out.iter_mut().zip(&values[ks.clone()]) {
                    column[yi][fi] = *v;
                }
            }
        }
        out
    };
    let share = nq.div_ceil(threads.max(1)).max(1);
    let (first_row, quantity_values) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..nq)
            .step_by(share)
            .map(|k| s.spawn(move || lay_out(k..(k + share).min(nq))))
            .collect();
        let first_row = first_rows();
        let columns: Vec<Vec<Vec<u32>>> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("a layout thread panicked"))
            .collect();
        (first_row, columns)
    });
    let first_row = first_row?;
    let mut per_column: Vec<std::vec::IntoIter<Vec<u32>>> =
        quantity_values.into_iter().map(Vec::into_iter).collect();
    for (yi, seen) in first_row.into_iter().enumerate() {
        let mut quantities = Vec::new();
        let mut capabilities = Vec::new();
        for (k, &(_, kind)) in kinds.iter().enumerate() {
            let values = per_column[k].next().expect("one column per year");
            match kind {
                ResourceColumn::Quantity(q) => quantities.push((q, values)),
                ResourceColumn::Capability(c) => {
                    capabilities.push((c, values.into_iter().map(|v| v == 1).collect()))
                }
            }
        }
        let reported = seen.into_iter().map(|r| r != 0).collect();
        columns
            .set_year_columns(years[yi], reported, quantities, capabilities)
            .expect("columns sized to the facilities and years");
    }
    Ok(())
}

/// The population file parsed: the years it covers and, per year, every unit's record
/// (resident, children 0–14, infants 0–2; [`Columns::NO_RECORD`] for a unit without one,
/// [`Columns::BASE_MISSING`] for a base a record lacks).
struct Population {
    years: Vec<Year>,
    by_year: Vec<Vec<[u64; 3]>>,
}

impl Population {
    /// Columns over these years with every unit and its population.
    fn into_columns(self, units: &[AdminCode]) -> Columns {
        let mut columns = Columns::new(self.years.clone());
        for &u in units {
            columns.add_unit(u).expect("units are sorted and distinct");
        }
        for (year, values) in self.years.iter().zip(&self.by_year) {
            columns
                .set_year_population(*year, values)
                .expect("sized to the units and years");
        }
        columns
    }
}

fn parse_population(
    file: &str,
    bytes: &[u8],
    units: &[AdminCode],
    threads: usize,
) -> Result<Population, IoError> {
    let (header, body) = split_header(file, bytes, &["unit", "year", "resident"])?;
    let known = ["unit", "year", "resident", "age_0_14", "age_0_2"];
    for (i, h) in header.iter().enumerate() {
        if !known.contains(&h.as_str()) {
            return Err(IoError::UnknownColumn {
                file: file.to_string(),
                position: i + 1,
                header: h.clone(),
                table: "population",
            });
        }
    }
    let at: Vec<Option<usize>> = known.iter().map(|c| column(&header, c)).collect();
    let persons = |r: &[Cell], i: Option<usize>, name: &str, required: bool| {
        let Some(i) = i else {
            return Ok(Columns::BASE_MISSING);
        };
        if r[i].is_blank() && !required {
            return Ok(Columns::BASE_MISSING);
        }
        digits(r[i])
            .filter(|v| *v < Columns::BASE_MISSING)
            .ok_or_else(|| cell_error(file, name, r[i], "a whole number of persons"))
    };
    let (unit_at, year_at) = (at[0].expect("required"), at[1].expect("required"));
    let lookup = UnitLookup::new(units);
    let pieces = parse_body(file, &body, header.len(), threads, &|r, _| {
        let unit = lookup
            .find(r[unit_at])
            .map_err(|expected| cell_error(file, "unit", r[unit_at], expected))?;
        let year = year(r[year_at])
            .ok_or_else(|| cell_error(file, "year", r[year_at], "a year from 1949 to 2100"))?;
        let values = [
            persons(r, at[2], "resident", true)?,
            persons(r, at[3], "age_0_14", false)?,
            persons(r, at[4], "age_0_2", false)?,
        ];
        Ok((unit as u32, year, values))
    })?;
    // the years covered (a handful among millions of rows: a short list, checked linearly)
    let mut years: Vec<Year> = Vec::new();
    for (_, (_, y, _)) in pieces.iter().flat_map(|p| &p.items) {
        if !years.contains(y) {
            years.push(*y);
        }
    }
    years.sort_unstable();
    let nu = units.len();
    // Years `ys` laid out, duplicates refused (the first in the file): a share of the years
    // per thread.
    let lay_out = |ys: std::ops::Range<usize>| -> Result<Vec<Vec<[u64; 3]>>, (u32, IoError)> {
        let mut by_year = vec![vec![[Columns::NO_RECORD; 3]; nu]; ys.len()];
        let mut first_row = vec![vec![0u32; nu]; ys.len()];
        for (row, (unit, year, values)) in pieces.iter().flat_map(|p| &p.items) {
            let y = years.binary_search(year).expect("collected above");
            if !ys.contains(&y) {
                continue;
            }
            let (y, u) = (y - ys.start, *unit as usize);
            if first_row[y][u] != 0 {
                let e = IoError::DuplicateKey {
                    file: file.to_string(),
                    row: *row as usize,
                    what: "unit-year",
                    key: format!("{} {}", units[u], year),
                    first_row: first_row[y][u] as usize,
                };
                return Err((*row, e));
            }
            first_row[y][u] = *row;
            by_year[y][u] = *values;
        }
        Ok(by_year)
    };
    let ny = years.len();
    let share = ny.div_ceil(threads.max(1)).max(1);
    let laid: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..ny)
            .step_by(share)
            .map(|y| s.spawn(move || lay_out(y..(y + share).min(ny))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a layout thread panicked"))
            .collect()
    });
    let mut by_year = Vec::with_capacity(years.len());
    let mut duplicate: Option<(u32, IoError)> = None;
    for part in laid {
        match part {
            Ok(part) => by_year.extend(part),
            Err((row, e)) => {
                if duplicate.as_ref().is_none_or(|(first, _)| row < *first) {
                    duplicate = Some((row, e));
                }
            }
        }
    }
    if let Some((_, e)) = duplicate {
        return Err(e);
    }
    Ok(Population { years, by_year })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(
        units: &'a str,
        facilities: &'a str,
        resources: &'a str,
        population: &'a str,
    ) -> SystemFiles<'a> {
        SystemFiles {
            units: ("units.csv", units.as_bytes()),
            facilities: ("facilities.csv", facilities.as_bytes()),
            resources: ("resources.csv", resources.as_bytes()),
            population: ("population.csv", population.as_bytes()),
        }
    }

    const UNITS: &str = "code\n500109000000\n500000000000\n500109001000\n";
    const FACILITIES: &str = "fid,unit,kind,grade,ownership\nA,500109000000,general_hospital,3a,government\nB,500109001000,township_health_centre,ungraded,government\n";
    const RESOURCES: &str = "fid,year,beds,licensed_doctors,fever_clinic\nA,2024,500,120,true\nB,2024,40,,0\nA,2025,520,130,\nB,2025,42,,是\n";
    const POPULATION: &str =
        "unit,year,resident,age_0_14\n500109001000,2024,30000,4000\n500109000000,2025,800000,\n";

    /// Beds per 1,000 residents of county 500109 in 2025, evaluated from the columns.
    fn county_beds_per_1000_in_2025(c: &Columns) -> f64 {
        let beds = hsplan_eval::find("beds_per_1000").unwrap();
        let r = c.evaluate(&[beds], 1);
        let county = c
            .unit_index(AdminCode::parse("500109000000").unwrap())
            .unwrap();
        let y2025 = &r
            .values
            .iter()
            .find(|((id, y), _)| *id == "beds_per_1000" && y.get() == 2025)
            .unwrap()
            .1;
        y2025[county.0 as usize].unwrap()
    }

    #[test]
    fn a_small_system_reads_and_evaluates_like_the_model() {
        let c = read_files(files(UNITS, FACILITIES, RESOURCES, POPULATION), 2).unwrap();
        assert_eq!(c.units().len(), 3);
        assert_eq!(c.years().len(), 2);
        assert_eq!(c.facility_count(), 2);
        let v = county_beds_per_1000_in_2025(&c);
        assert!((v - 562.0 / 800.0).abs() < 1e-12, "{v}");
    }

    #[test]
    fn bad_cells_and_keys_are_named_with_file_row_and_column() {
        let err = |f: SystemFiles| read_files(f, 2).unwrap_err().to_string();
        let e = err(files(
            UNITS,
            FACILITIES,
            "fid,year,beds\nA,2024,many\n",
            POPULATION,
        ));
        assert_eq!(
            e,
            "resources.csv, row 2, column `beds`: value `many`: expected a whole number (or empty)"
        );
        let e = err(files(
            UNITS,
            FACILITIES,
            "fid,year,beds\nA,2024,1\nZ,2024,2\n",
            POPULATION,
        ));
        assert!(
            e.starts_with("resources.csv, row 3, column `fid`: value `Z`"),
            "{e}"
        );
        let e = err(files(
            UNITS,
            FACILITIES,
            "fid,year,beds\nA,2024,1\n\nA,2024,2\n",
            POPULATION,
        ));
        assert_eq!(
            e,
            "resources.csv, row 4: duplicate facility-year `A 2024` (first at row 2)"
        );
        let e = err(files(UNITS, FACILITIES, "fid,year,bedz\n", POPULATION));
        assert!(e.contains("row 1, column 3: unknown column `bedz`"), "{e}");
        let e = err(files(
            "code\n500000000000\n500000000000\n",
            FACILITIES,
            RESOURCES,
            POPULATION,
        ));
        assert!(e.contains("row 3: duplicate unit"), "{e}");
        let e = err(files(
            UNITS,
            "fid,unit,kind,grade,ownership\nA,510000000000,general_hospital,3a,government\n",
            RESOURCES,
            POPULATION,
        ));
        assert!(
            e.contains("facilities.csv, row 2, column `unit`") && e.contains("units.csv"),
            "{e}"
        );
        let e = err(files(UNITS, FACILITIES, RESOURCES, "unit,year\n"));
        assert!(e.contains("missing required column `resident`"), "{e}");
        let e = err(files(
            UNITS,
            FACILITIES,
            "fid,year,beds\nA,2024\n",
            POPULATION,
        ));
        assert!(e.contains("resources.csv, row 2: malformed CSV"), "{e}");
        let e = err(files(UNITS, FACILITIES, RESOURCES, ""));
        assert!(e.contains("population.csv: the table is empty"), "{e}");
    }

    #[test]
    fn the_first_duplicate_in_the_file_is_named_whichever_thread_finds_it() {
        // years are laid out on separate threads: 2024's duplicate (row 5) comes after
        // 2025's (row 4)
        let population = "unit,year,resident\n500109001000,2025,1\n500109001000,2024,1\n500109001000,2025,2\n500109001000,2024,3\n";
        for threads in [1, 2, 3] {
            let e = read_files(files(UNITS, FACILITIES, RESOURCES, population), threads)
                .map(|_| ())
                .expect_err("duplicates refused")
                .to_string();
            assert_eq!(
                e,
                "population.csv, row 4: duplicate unit-year `500109001000 2025` (first at row 2)",
                "{threads} threads"
            );
        }
    }

    #[test]
    fn numeric_facility_ids_out_of_order_are_looked_up_by_their_text() {
        let facilities = "fid,unit,kind,grade,ownership\n1,500109000000,general_hospital,3a,government\n0,500109001000,township_health_centre,ungraded,government\n007,500109001000,township_health_centre,ungraded,government\n";
        let resources = "fid,year,beds\n1,2025,600\n0,2025,40\n007,2025,1\n";
        let c = read_files(files(UNITS, facilities, resources, POPULATION), 2).unwrap();
        assert_eq!(c.facility_count(), 3);
        let v = county_beds_per_1000_in_2025(&c);
        assert!((v - 641.0 / 800.0).abs() < 1e-12, "{v}");
        let e = read_files(
            files(UNITS, facilities, "fid,year,beds\n7,2025,1\n", POPULATION),
            2,
        )
        .map(|_| ())
        .expect_err("7 is not 007")
        .to_string();
        assert!(e.contains("row 2, column `fid`: value `7`"), "{e}");
    }

    #[test]
    fn a_wide_file_reserves_a_bounded_amount_up_front() {
        // 200,000 columns over 3 MB: reserving one value per cell of every line the size
        // implies would ask for about 100 GB at once (the allocation fails and aborts)
        let extra = 200_000;
        let mut units = String::from("code");
        for k in 0..extra {
            units.push_str(&format!(",x{k}"));
        }
        units.push('\n');
        for code in ["500109000000", "500000000000", "500109001000"] {
            units.push_str(code);
            units.push_str(&",1".repeat(extra));
            units.push('\n');
        }
        while units.len() < 3_000_000 {
            units.push('\n');
        }
        let c = read_files(files(&units, FACILITIES, RESOURCES, POPULATION), 2).unwrap();
        assert_eq!(c.units().len(), 3);
    }

    #[test]
    fn quoted_fields_and_windows_line_ends_read_the_same() {
        let plain = read_files(files(UNITS, FACILITIES, RESOURCES, POPULATION), 2).unwrap();
        let quoted_resources = "fid,year,beds,licensed_doctors,fever_clinic\r\n\"A\",2024,\"500\",120,true\r\nB,2024,40,,0\r\nA,2025,520,130,\r\nB,2025,42,,是\r\n";
        let crlf_units = UNITS.replace('\n', "\r\n");
        let other = read_files(
            files(&crlf_units, FACILITIES, quoted_resources, POPULATION),
            2,
        )
        .unwrap();
        let defs: Vec<_> = ["beds_per_1000", "licensed_doctors_per_1000"]
            .iter()
            .map(|id| hsplan_eval::find(id).unwrap())
            .collect();
        assert_eq!(
            plain.evaluate(&defs, 1).values,
            other.evaluate(&defs, 1).values
        );
        // in a quoted file a bad cell is still located
        let e = read_files(
            files(
                UNITS,
                FACILITIES,
                "fid,year,beds\n\"A\",2024,\"x, y\"\n",
                POPULATION,
            ),
            2,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "resources.csv, row 2, column `beds`: value `x, y`: expected a whole number (or empty)"
        );
    }

    #[test]
    fn rows_are_numbered_right_when_split_over_threads() {
        // Enough rows that the body is split; the bad one sits in the second half.
        let mut res = String::from("fid,year,beds\n");
        let mut fac = String::from("fid,unit,kind,grade,ownership\n");
        let n = 60_000;
        for i in 0..n {
            fac.push_str(&format!("{i},500109001000,clinic,ungraded,private\n"));
        }
        for i in 0..n {
            let beds = if i == n - 7 {
                "x".to_string()
            } else {
                i.to_string()
            };
            res.push_str(&format!("{i},2024,{beds}\n"));
        }
        for threads in [1, 2, 3] {
            let e = read_files(files(UNITS, &fac, &res, POPULATION), threads)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("resources.csv, row {}, column `beds`", n - 7 + 2)),
                "{threads}: {e}"
            );
        }
    }
}
