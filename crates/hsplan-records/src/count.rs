//! Utilisation totals from record tables with Apache DataFusion.
//!
//! Each table is read by one SQL query without joins: it groups the records by what the
//! totals need — facility, residence, kind, flags — and by the checks a row can make on its
//! own values (a value missing, a date outside the year, a contradiction, an id given
//! twice: ids are checked first by streaming the `id` column into a bitmap). The groups are
//! few (facilities × residence units at most), so the rest — whether a facility is in the
//! register and a unit in the hierarchy, a facility's unit and service level, the levels at
//! which a resident's home and the facility lie in the same unit — is plain Rust over the
//! grouped rows, and memory stays bounded however many records stream past. Refused records
//! are counted per reason; unless asked to skip them, the first is located in its file (row
//! group, row, column) by [`crate::locate`].

use crate::error::{Reason, RecordsError};
use crate::files::TableFiles;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{SessionConfig, SessionContext};
use hsplan_model::{
    AdminCode, AdminLevel, Condition, Facility, RecordTable, ServiceSystem, UsageCount,
    Utilisation, Year,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// What to count.
#[derive(Debug, Clone)]
pub struct CountRequest {
    /// The folder holding the record tables.
    pub dir: PathBuf,
    /// The year counted.
    pub year: Year,
    /// The unit the records cover: every record of its residents and its facilities.
    pub unit: AdminCode,
    /// Count refused records per reason and go on, instead of stopping at the first.
    pub skip_invalid: bool,
    /// Threads for the query engine (0: every core).
    pub threads: usize,
}

/// One table read.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRun {
    /// The table.
    pub table: RecordTable,
    /// Its files.
    pub files: Vec<PathBuf>,
    /// Records read.
    pub rows: u64,
    /// Records refused, per reason.
    pub refused: BTreeMap<Reason, u64>,
}

/// The result of counting.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    /// Totals per unit and year, and the coverage of each table read.
    pub utilisation: Utilisation,
    /// The tables read, in [`RecordTable::ALL`] order.
    pub tables: Vec<TableRun>,
}

/// A facility's place in the service levels referrals go up and down.
///
/// 0 village clinics, stations, clinics; 1 township and community health centres and
/// ungraded or tier-1 hospitals; 2 tier-2 hospitals; 3 tier-3 hospitals; public-health and
/// other institutions 1.
pub fn service_level(f: &Facility) -> i64 {
    use hsplan_model::{InstitutionFamily, Tier};
    match f.kind.family() {
        InstitutionFamily::PrimaryCare if !f.kind.is_primary_care_centre() => 0,
        InstitutionFamily::Hospital => match f.grade.tier() {
            Some(Tier::Tier3) => 3,
            Some(Tier::Tier2) => 2,
            _ => 1,
        },
        _ => 1,
    }
}

/// The register and the hierarchy the grouped rows are checked against.
struct Reference {
    /// Facility id → (unit, service level, primary care).
    facilities: HashMap<String, (AdminCode, i64, bool)>,
    /// Unit code as written → the code.
    units: HashMap<String, AdminCode>,
}

/// The SQL of a table's grouping query for `year`: the columns the totals need and the
/// checks that need a row's own values (a required value missing, a date outside the
/// year, a contradiction, an id given twice), grouped and counted. Checks against the
/// register and the hierarchy run in Rust on the groups ([`refusal`]), so the query has
/// no join and streams in bounded memory. `duplicates` is the SQL predicate marking rows
/// whose id is given more than once (see [`duplicate_ids`]).
pub fn query(table: RecordTable, year: Year, duplicates: &str) -> String {
    let y = year.get();
    let first = format!("DATE '{y}-01-01'");
    let last = format!("DATE '{y}-12-31'");
    let required: Vec<&str> = crate::schema::columns(table)
        .iter()
        .filter(|c| !c.nullable)
        .map(|c| c.name)
        .collect();
    let missing = required
        .iter()
        .map(|c| format!("{c} IS NULL"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let flag = |sql: &str| format!("COALESCE({sql}, FALSE)");
    let key_population = crate::schema::KEY_POPULATION_FLAGS.join(" OR ");
    let (keys, outside, inconsistent): (Vec<String>, String, &str) = match table {
        RecordTable::Encounters => (
            vec![
                "facility".into(),
                "residence".into(),
                "kind".into(),
                "tcm".into(),
            ],
            format!("date < {first} OR date > {last}"),
            "inpatient_days < 0",
        ),
        RecordTable::Referrals => (
            vec!["from_facility".into(), "to_facility".into()],
            format!("date < {first} OR date > {last}"),
            "FALSE",
        ),
        RecordTable::Contracts => (
            vec![
                "residence".into(),
                "team_facility".into(),
                format!("({key_population}) AS key_population"),
                format!("(end_date IS NULL OR end_date >= {last}) AS in_force"),
            ],
            format!("start_date > {last}"),
            "end_date < start_date",
        ),
        RecordTable::ChronicDisease => (
            vec![
                "residence".into(),
                "condition".into(),
                "standardised".into(),
                "controlled".into(),
            ],
            format!("year <> {y} OR registered > {last}"),
            "FALSE",
        ),
        RecordTable::HealthRecords => (
            vec!["residence".into(), "active".into(), "key_population".into()],
            format!("created > {last}"),
            "FALSE",
        ),
    };
    let group: Vec<String> = (1..=keys.len() + 4).map(|i| i.to_string()).collect();
    format!(
        "SELECT {keys}, {missing} AS missing, {outside} AS outside, {inconsistent} AS inconsistent, \
         {dup} AS duplicate, COUNT(*) AS n FROM {t} GROUP BY {group}",
        keys = keys.join(", "),
        missing = flag(&missing),
        outside = flag(&outside),
        inconsistent = flag(inconsistent),
        dup = flag(duplicates),
        t = table.name(),
        group = group.join(", "),
    )
}

/// Counts the records of `req.dir` for the units and facilities of `sys`.
///
/// Runs the query engine on a runtime of its own; called from inside another async
/// runtime (a server's handler, an async test), it does so on a thread of its own.
pub fn count(sys: &ServiceSystem, req: &CountRequest) -> Result<Counted, RecordsError> {
    let threads = if req.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        req.threads
    };
    let work = || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .map_err(|e| RecordsError::Engine(e.to_string()))?;
        rt.block_on(count_async(sys, req, threads))
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(work).join().unwrap_or_else(|_| {
                Err(RecordsError::Engine(
                    "the counting thread stopped unexpectedly".into(),
                ))
            })
        })
    } else {
        work()
    }
}

async fn count_async(
    sys: &ServiceSystem,
    req: &CountRequest,
    threads: usize,
) -> Result<Counted, RecordsError> {
    let found = crate::files::discover(&req.dir)?;
    if found.is_empty() {
        return Err(RecordsError::NoTables {
            dir: req.dir.clone(),
        });
    }
    let config = SessionConfig::new()
        .with_target_partitions(threads)
        .with_batch_size(64 * 1024);
    let ctx = SessionContext::new_with_config(config);
    let reference = Reference {
        facilities: sys
            .facilities
            .values()
            .map(|f| {
                (
                    f.id.as_str().to_string(),
                    (
                        f.unit,
                        service_level(f),
                        f.kind.family() == hsplan_model::InstitutionFamily::PrimaryCare,
                    ),
                )
            })
            .collect(),
        units: sys.units.keys().map(|c| (c.to_string(), *c)).collect(),
    };
    let mut out = Counted {
        utilisation: Utilisation::default(),
        tables: Vec::new(),
    };
    for files in &found {
        crate::files::check_columns(files)?;
        crate::files::register(&ctx, files).await?;
        let batches = match duplicate_ids(&ctx, files.table).await {
            Ok(dups) => {
                let predicate = duplicate_predicate(&ctx, &dups)?;
                match ctx.sql(&query(files.table, req.year, &predicate)).await {
                    Ok(df) => df.collect().await,
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let batches = match batches {
            Ok(b) => b,
            // A CSV value that does not parse: find it.
            Err(e) => {
                return Err(crate::locate::value_error(files)
                    .unwrap_or_else(|| RecordsError::Engine(e.to_string())));
            }
        };
        let run = accumulate(files, &batches, &reference, req, &mut out.utilisation)?;
        if !req.skip_invalid && !run.refused.is_empty() {
            let total: u64 = run.refused.values().sum();
            let (&reason, _) = run.refused.iter().next().expect("non-empty");
            return Err(crate::locate::first_refused(
                files, reason, sys, req.year, total,
            )?);
        }
        out.utilisation
            .coverage
            .insert((req.unit, req.year, files.table));
        out.tables.push(run);
        ctx.deregister_table(files.table.name())?;
        ctx.deregister_table(DUPLICATES)?;
    }
    Ok(out)
}

/// The in-memory table of duplicated ids, when there are too many to list in the query.
const DUPLICATES: &str = "duplicate_ids";

/// Ids that occur more than once in the table, found by streaming its `id` column into a
/// bitmap over the ids' range (a hash set when the range is sparse): memory stays a bit per
/// id instead of a hash-table entry per row.
pub async fn duplicate_ids(
    ctx: &SessionContext,
    table: RecordTable,
) -> datafusion::error::Result<Vec<i64>> {
    let t = table.name();
    let stats = ctx
        .sql(&format!("SELECT MIN(id), MAX(id), COUNT(id) FROM {t}"))
        .await?
        .collect()
        .await?;
    let Some(b) = stats.first().filter(|b| b.num_rows() == 1) else {
        return Ok(Vec::new());
    };
    let int = |i: usize| -> datafusion::error::Result<Option<i64>> {
        let a = cast(b.column(i), &DataType::Int64)?;
        let a = a.as_any().downcast_ref::<Int64Array>().expect("Int64");
        Ok((!a.is_null(0)).then(|| a.value(0)))
    };
    let (Some(lo), Some(hi), Some(n)) = (int(0)?, int(1)?, int(2)?) else {
        return Ok(Vec::new());
    };
    let span = (hi as i128 - lo as i128 + 1) as u128;
    let mut seen = if span <= (n as u128).max(1 << 20) * 8 {
        IdSet::Dense {
            lo,
            bits: vec![0u64; span.div_ceil(64) as usize],
        }
    } else {
        IdSet::Sparse(std::collections::HashSet::with_capacity(n as usize))
    };
    let mut dups = std::collections::BTreeSet::new();
    let mut stream = ctx
        .sql(&format!("SELECT id FROM {t} WHERE id IS NOT NULL"))
        .await?
        .execute_stream()
        .await?;
    use futures::StreamExt;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let ids = cast(batch.column(0), &DataType::Int64)?;
        let ids = ids.as_any().downcast_ref::<Int64Array>().expect("Int64");
        for id in ids.iter().flatten() {
            if !seen.insert(id) {
                dups.insert(id);
            }
        }
    }
    Ok(dups.into_iter().collect())
}

/// Ids seen so far.
enum IdSet {
    /// A bit per id of the range from `lo`.
    Dense { lo: i64, bits: Vec<u64> },
    /// Ids spread too far for a bitmap.
    Sparse(std::collections::HashSet<i64>),
}

impl IdSet {
    /// Adds an id; false if it was already there.
    fn insert(&mut self, id: i64) -> bool {
        match self {
            IdSet::Dense { lo, bits } => {
                let k = (id as i128 - *lo as i128) as usize;
                let (word, bit) = (k / 64, 1u64 << (k % 64));
                let fresh = bits[word] & bit == 0;
                bits[word] |= bit;
                fresh
            }
            IdSet::Sparse(set) => set.insert(id),
        }
    }
}

/// The SQL predicate marking rows with a duplicated id: `FALSE` when there is none, the ids
/// listed when they are few, else a semi-join against an in-memory table of them.
fn duplicate_predicate(ctx: &SessionContext, dups: &[i64]) -> datafusion::error::Result<String> {
    if dups.is_empty() {
        return Ok("FALSE".into());
    }
    if dups.len() <= 1000 {
        let list: Vec<String> = dups.iter().map(|d| d.to_string()).collect();
        return Ok(format!("id IN ({})", list.join(", ")));
    }
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)])),
        vec![Arc::new(Int64Array::from(dups.to_vec())) as ArrayRef],
    )?;
    ctx.register_batch(DUPLICATES, batch)?;
    Ok(format!("id IN (SELECT id FROM {DUPLICATES})"))
}

/// Column `i` of a batch as text.
fn texts(b: &RecordBatch, i: usize) -> Result<StringArray, RecordsError> {
    let a = cast(b.column(i), &DataType::Utf8).map_err(|e| RecordsError::Engine(e.to_string()))?;
    Ok(a.as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8")
        .clone())
}

fn bools(b: &RecordBatch, i: usize) -> Result<BooleanArray, RecordsError> {
    let a =
        cast(b.column(i), &DataType::Boolean).map_err(|e| RecordsError::Engine(e.to_string()))?;
    Ok(a.as_any()
        .downcast_ref::<BooleanArray>()
        .expect("cast to Boolean")
        .clone())
}

fn ints(b: &RecordBatch, i: usize) -> Result<Int64Array, RecordsError> {
    let a = cast(b.column(i), &DataType::Int64).map_err(|e| RecordsError::Engine(e.to_string()))?;
    Ok(a.as_any()
        .downcast_ref::<Int64Array>()
        .expect("cast to Int64")
        .clone())
}

fn inside(code: AdminCode, root: AdminCode) -> bool {
    hsplan_model::utilisation::within(code, root)
}

/// The levels at which two units lie in the same unit (top first).
fn shared_levels(a: AdminCode, b: AdminCode) -> impl Iterator<Item = AdminLevel> {
    let deepest = a.level().min(b.level());
    AdminLevel::ALL
        .into_iter()
        .filter(move |&l| l <= deepest && a.truncated(l) == b.truncated(l))
}

/// Why a group of rows is refused, by the checks' precedence: a value missing, a facility
/// or unit unknown, a value outside its set, a date outside the year, a contradiction, an
/// id given twice.
fn refusal(
    table: RecordTable,
    keys: &[&StringArray],
    flags: [bool; 4],
    r: usize,
    reference: &Reference,
) -> Option<Reason> {
    let [missing, outside, inconsistent, duplicate] = flags;
    let text = |i: usize| keys[i].value(r);
    let facility = |i: usize| reference.facilities.contains_key(text(i));
    let unit = |i: usize| reference.units.contains_key(text(i));
    let (facilities_known, unit_known, value_known, contradiction) = match table {
        RecordTable::Encounters => (
            facility(0),
            unit(1),
            ["outpatient", "emergency", "inpatient"].contains(&text(2)),
            inconsistent,
        ),
        RecordTable::Referrals => (facility(0) && facility(1), true, true, text(0) == text(1)),
        RecordTable::Contracts => (facility(1), unit(0), true, inconsistent),
        RecordTable::ChronicDisease => (
            true,
            unit(0),
            Condition::parse(text(1)).is_some(),
            inconsistent,
        ),
        RecordTable::HealthRecords => (true, unit(0), true, inconsistent),
    };
    if missing {
        Some(Reason::MissingValue)
    } else if !facilities_known {
        Some(Reason::UnknownFacility)
    } else if !unit_known {
        Some(Reason::UnknownUnit)
    } else if !value_known {
        Some(Reason::UnknownValue)
    } else if outside {
        Some(Reason::DateOutsideYear)
    } else if contradiction {
        Some(Reason::Inconsistent)
    } else if duplicate {
        Some(Reason::DuplicateId)
    } else {
        None
    }
}

/// The number of grouping keys of each table's query; the key columns that are text.
fn text_keys(table: RecordTable) -> (usize, &'static [usize]) {
    match table {
        RecordTable::Encounters => (4, &[0, 1, 2]),
        RecordTable::Referrals => (2, &[0, 1]),
        RecordTable::Contracts => (4, &[0, 1]),
        RecordTable::ChronicDisease => (4, &[0, 1]),
        RecordTable::HealthRecords => (3, &[0]),
    }
}

fn accumulate(
    files: &TableFiles,
    batches: &[RecordBatch],
    reference: &Reference,
    req: &CountRequest,
    u: &mut Utilisation,
) -> Result<TableRun, RecordsError> {
    let year = req.year;
    let table = files.table;
    let mut run = TableRun {
        table,
        files: files.paths.clone(),
        rows: 0,
        refused: BTreeMap::new(),
    };
    let home_of = |text: &str| -> Option<AdminCode> {
        reference
            .units
            .get(text)
            .copied()
            .filter(|c| inside(*c, req.unit))
    };
    let (n_keys, text_columns) = text_keys(table);
    for b in batches {
        let text_arrays: Vec<StringArray> = text_columns
            .iter()
            .map(|&i| texts(b, i))
            .collect::<Result<_, _>>()?;
        // The text keys by their column position (boolean keys are read where used; their
        // slots hold the first text column and are never read as text).
        let keys: Vec<&StringArray> = (0..n_keys)
            .map(|i| {
                let pos = text_columns.iter().position(|&c| c == i).unwrap_or(0);
                &text_arrays[pos]
            })
            .collect();
        let flag_arrays: Vec<BooleanArray> = (0..4)
            .map(|k| bools(b, n_keys + k))
            .collect::<Result<_, _>>()?;
        let n = ints(b, n_keys + 4)?;
        let mut rows: Vec<(usize, u64)> = Vec::new();
        for r in 0..b.num_rows() {
            let count = n.value(r) as u64;
            run.rows += count;
            let flags = [0, 1, 2, 3].map(|k| flag_arrays[k].value(r));
            match refusal(table, &keys, flags, r, reference) {
                Some(why) => *run.refused.entry(why).or_default() += count,
                None => rows.push((r, count)),
            }
        }
        match table {
            RecordTable::Encounters => {
                let (fac, res, kind, tcm) = (keys[0], keys[1], keys[2], bools(b, 3)?);
                for (r, count) in rows {
                    let (f_unit, _, primary) = reference.facilities[fac.value(r)];
                    let inpatient = kind.value(r) == "inpatient";
                    if inside(f_unit, req.unit) {
                        if inpatient {
                            u.add(f_unit, year, UsageCount::Admissions, count);
                        } else {
                            u.add(f_unit, year, UsageCount::Visits, count);
                            if primary {
                                u.add(f_unit, year, UsageCount::PrimaryCareVisits, count);
                            }
                            if tcm.value(r) {
                                u.add(f_unit, year, UsageCount::TcmVisits, count);
                            }
                        }
                    }
                    let Some(home) = home_of(res.value(r)) else {
                        continue;
                    };
                    u.add(home, year, UsageCount::ResidentEncounters, count);
                    if inpatient {
                        u.add(home, year, UsageCount::ResidentAdmissions, count);
                    }
                    for l in shared_levels(home, f_unit) {
                        u.add(home, year, UsageCount::ResidentEncountersWithin(l), count);
                        if inpatient {
                            u.add(home, year, UsageCount::ResidentAdmissionsWithin(l), count);
                        }
                    }
                }
            }
            RecordTable::Referrals => {
                let (from, to) = (keys[0], keys[1]);
                for (r, count) in rows {
                    let (f_unit, f_level, _) = reference.facilities[from.value(r)];
                    let (_, t_level, _) = reference.facilities[to.value(r)];
                    if inside(f_unit, req.unit) {
                        let c = match t_level.cmp(&f_level) {
                            std::cmp::Ordering::Greater => UsageCount::ReferralsUp,
                            std::cmp::Ordering::Less => UsageCount::ReferralsDown,
                            std::cmp::Ordering::Equal => UsageCount::ReferralsLateral,
                        };
                        u.add(f_unit, year, c, count);
                    }
                }
            }
            RecordTable::Contracts => {
                let (res, key, in_force) = (keys[0], bools(b, 2)?, bools(b, 3)?);
                for (r, count) in rows {
                    let Some(home) = home_of(res.value(r)) else {
                        continue;
                    };
                    if in_force.value(r) {
                        u.add(home, year, UsageCount::ContractedResidents, count);
                        if key.value(r) {
                            u.add(home, year, UsageCount::ContractedKeyResidents, count);
                        }
                    }
                }
            }
            RecordTable::ChronicDisease => {
                let (res, cond, standard, control) = (keys[0], keys[1], bools(b, 2)?, bools(b, 3)?);
                for (r, count) in rows {
                    let (Some(home), Some(c)) =
                        (home_of(res.value(r)), Condition::parse(cond.value(r)))
                    else {
                        continue;
                    };
                    u.add(home, year, UsageCount::ChronicManaged(c), count);
                    if standard.value(r) {
                        u.add(home, year, UsageCount::ChronicStandardised(c), count);
                    }
                    if control.value(r) {
                        u.add(home, year, UsageCount::ChronicControlled(c), count);
                    }
                }
            }
            RecordTable::HealthRecords => {
                let (res, active, key) = (keys[0], bools(b, 1)?, bools(b, 2)?);
                for (r, count) in rows {
                    let Some(home) = home_of(res.value(r)) else {
                        continue;
                    };
                    if active.value(r) {
                        u.add(home, year, UsageCount::HealthRecords, count);
                        if key.value(r) {
                            u.add(home, year, UsageCount::KeyResidents, count);
                        }
                    }
                }
            }
        }
    }
    Ok(run)
}
