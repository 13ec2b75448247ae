//! The record tables' columns: one declaration read by the checks, the queries, the
//! generator and `docs/data-format.md`.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use hsplan_model::RecordTable;
use std::sync::Arc;

/// A column's logical type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// A whole number (64-bit; 32-bit integers are accepted).
    Integer,
    /// Text.
    Text,
    /// A calendar date (Parquet DATE; `YYYY-MM-DD` in CSV).
    Date,
    /// true/false (`true`/`false`/`1`/`0` in CSV).
    Boolean,
}

impl ColumnType {
    /// The Arrow type hsplan writes.
    pub fn arrow(self) -> DataType {
        match self {
            ColumnType::Integer => DataType::Int64,
            ColumnType::Text => DataType::Utf8,
            ColumnType::Date => DataType::Date32,
            ColumnType::Boolean => DataType::Boolean,
        }
    }

    /// Whether a file's Arrow type is read as this type.
    pub fn accepts(self, t: &DataType) -> bool {
        match self {
            ColumnType::Integer => matches!(
                t,
                DataType::Int64 | DataType::Int32 | DataType::Int16 | DataType::Int8
            ),
            ColumnType::Text => {
                matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
            }
            ColumnType::Date => matches!(t, DataType::Date32 | DataType::Date64),
            ColumnType::Boolean => matches!(t, DataType::Boolean),
        }
    }

    /// How the type is named in messages and the documentation.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Text => "text",
            ColumnType::Date => "date",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// One column of a record table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Name (the CSV header and Parquet field name).
    pub name: &'static str,
    /// Type.
    pub kind: ColumnType,
    /// Whether it may be empty.
    pub nullable: bool,
    /// What it holds.
    pub doc: &'static str,
}

const fn col(name: &'static str, kind: ColumnType, nullable: bool, doc: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable,
        doc,
    }
}

use ColumnType::{Boolean as B, Date as D, Integer as I, Text as T};

/// The key-population flags of a family-doctor contract (重点人群).
pub const KEY_POPULATION_FLAGS: [&str; 7] = [
    "age_65_plus",
    "hypertension",
    "diabetes",
    "maternal",
    "child_0_6",
    "disability",
    "poverty",
];

const ENCOUNTERS: &[Column] = &[
    col("id", I, false, "encounter id, unique in the table"),
    col(
        "facility",
        T,
        false,
        "facility id, as in the facility register",
    ),
    col("date", D, false, "visit or admission date"),
    col(
        "kind",
        T,
        false,
        "`outpatient`, `emergency` or `inpatient` (admission)",
    ),
    col(
        "residence",
        T,
        false,
        "the patient's residence: a unit code of the hierarchy (any level; usually the village or community)",
    ),
    col(
        "age_band",
        T,
        true,
        "age band, e.g. `0-6`, `7-17`, `18-44`, `45-64`, `65+`",
    ),
    col("sex", T, true, "`F` or `M`"),
    col(
        "tcm",
        B,
        false,
        "a traditional Chinese medicine (中医) visit",
    ),
    col(
        "inpatient_days",
        I,
        true,
        "length of stay in days, for admissions",
    ),
];

const REFERRALS: &[Column] = &[
    col("id", I, false, "referral id, unique in the table"),
    col("from_facility", T, false, "the referring facility"),
    col("to_facility", T, false, "the receiving facility"),
    col("date", D, false, "referral date"),
];

const CONTRACTS: &[Column] = &[
    col(
        "id",
        I,
        false,
        "contract id, unique in the table (one row per signed resident)",
    ),
    col("residence", T, false, "the resident's unit code"),
    col("start_date", D, false, "the contract's first day"),
    col("end_date", D, true, "its last day (empty: open-ended)"),
    col(
        "team_facility",
        T,
        false,
        "the facility of the family-doctor team",
    ),
    col("age_65_plus", B, false, "key population: aged 65 or over"),
    col(
        "hypertension",
        B,
        false,
        "key population: hypertension patient",
    ),
    col(
        "diabetes",
        B,
        false,
        "key population: type-2 diabetes patient",
    ),
    col(
        "maternal",
        B,
        false,
        "key population: pregnant or postpartum woman",
    ),
    col("child_0_6", B, false, "key population: child aged 0–6"),
    col(
        "disability",
        B,
        false,
        "key population: person with a disability",
    ),
    col(
        "poverty",
        B,
        false,
        "key population: (formerly) poor household",
    ),
];

const CHRONIC_DISEASE: &[Column] = &[
    col("id", I, false, "management record id, unique in the table"),
    col("residence", T, false, "the patient's unit code"),
    col("condition", T, false, "`hypertension` or `diabetes`"),
    col(
        "year",
        I,
        false,
        "the year the record counts for (managed during that year)",
    ),
    col(
        "registered",
        D,
        false,
        "the day the patient was taken into management",
    ),
    col(
        "standardised",
        B,
        false,
        "managed to the standard that year (规范管理)",
    ),
    col(
        "controlled",
        B,
        false,
        "under control at the year's last follow-up",
    ),
];

const HEALTH_RECORDS: &[Column] = &[
    col("id", I, false, "health record id, unique in the table"),
    col("residence", T, false, "the resident's unit code"),
    col("created", D, false, "the day the record was created"),
    col(
        "active",
        B,
        false,
        "in use at the year's end (not closed, moved away or deceased)",
    ),
    col(
        "key_population",
        B,
        false,
        "the resident belongs to a key population (重点人群)",
    ),
];

/// The columns of a table, in file order.
pub fn columns(table: RecordTable) -> &'static [Column] {
    match table {
        RecordTable::Encounters => ENCOUNTERS,
        RecordTable::Referrals => REFERRALS,
        RecordTable::Contracts => CONTRACTS,
        RecordTable::ChronicDisease => CHRONIC_DISEASE,
        RecordTable::HealthRecords => HEALTH_RECORDS,
    }
}

/// The Arrow schema hsplan writes and reads CSV with.
pub fn schema(table: RecordTable) -> SchemaRef {
    Arc::new(Schema::new(
        columns(table)
            .iter()
            .map(|c| Field::new(c.name, c.kind.arrow(), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

/// The same columns all as text (CSV read for locating a value that does not parse).
pub fn text_schema(table: RecordTable) -> SchemaRef {
    Arc::new(Schema::new(
        columns(table)
            .iter()
            .map(|c| Field::new(c.name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

/// The tables' columns as a Markdown section (kept in `docs/data-format.md`; a test
/// compares).
pub fn markdown() -> String {
    let mut out = String::new();
    for t in RecordTable::ALL {
        out.push_str(&format!(
            "#### `{}`\n\n| column | type | empty | meaning |\n|---|---|---|---|\n",
            t.name()
        ));
        for c in columns(t) {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.kind.name(),
                if c.nullable { "allowed" } else { "no" },
                c.doc
            ));
        }
        out.push('\n');
    }
    out
}
