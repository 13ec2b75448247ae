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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    /// Where the queries run.
    pub engine: Engine,
}

/// Where the record queries run: the same SQL, planned by DataFusion either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process.
    #[default]
    Embedded,
    /// A Ballista scheduler and executor started in this process for the count (the
    /// distributed path end to end on one machine: the tests' cluster, and a measure of
    /// Ballista's overhead).
    Standalone,
    /// A Ballista cluster, by its scheduler's address `df://host:port` (port 50050 when
    /// left out). Its executors read the record files by the same paths: a shared or
    /// mirrored file system.
    Cluster(String),
}

impl Engine {
    /// `embedded`, `standalone`, or a scheduler's `df://host[:port]`.
    pub fn parse(text: &str) -> Result<Engine, RecordsError> {
        let t = text.trim();
        match t {
            "embedded" => Ok(Engine::Embedded),
            "standalone" => Ok(Engine::Standalone),
            _ => {
                let host = t.strip_prefix("df://").ok_or_else(|| {
                    RecordsError::Engine(format!(
                        "cluster `{t}`: give a scheduler as df://host:port, or `standalone`"
                    ))
                })?;
                let (name, port) = host.split_once(':').unwrap_or((host, "50050"));
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
                    || port.parse::<u16>().is_err()
                {
                    return Err(RecordsError::Engine(format!(
                        "cluster `{t}`: not a scheduler address df://host:port"
                    )));
                }
                Ok(Engine::Cluster(format!("df://{name}:{port}")))
            }
        }
    }

    /// Whether the queries run on Ballista.
    pub fn is_distributed(&self) -> bool {
        !matches!(self, Engine::Embedded)
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Embedded => f.write_str("embedded"),
            Engine::Standalone => f.write_str("standalone"),
            Engine::Cluster(url) => f.write_str(url),
        }
    }
}

/// A session on `engine` with `threads` partitions and large batches.
async fn context(engine: &Engine, threads: usize) -> Result<SessionContext, RecordsError> {
    use ballista::prelude::{SessionConfigExt, SessionContextExt};
    use datafusion::execution::SessionStateBuilder;
    let tune = |c: SessionConfig| c.with_target_partitions(threads).with_batch_size(64 * 1024);
    let ballista_state = || {
        SessionStateBuilder::new()
            .with_config(tune(
                SessionConfig::new_with_ballista().with_ballista_standalone_parallelism(threads),
            ))
            .with_default_features()
            .build()
    };
    match engine {
        Engine::Embedded => Ok(SessionContext::new_with_config(tune(SessionConfig::new()))),
        Engine::Standalone => SessionContext::standalone_with_state(ballista_state())
            .await
            .map_err(|e| RecordsError::Engine(format!("starting it: {e}"))),
        Engine::Cluster(url) => SessionContext::remote_with_state(url, ballista_state())
            .await
            .map_err(|e| RecordsError::Engine(format!("{url}: {e}"))),
    }
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
/// no join but the one against the duplicated ids, when there are many, and streams in
/// bounded memory. `duplicates` marks the rows whose id is given more than once (see
/// [`duplicate_ids`]).
pub fn query(table: RecordTable, year: Year, duplicates: &Duplicates) -> String {
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
    let t = table.name();
    let (dup, from) = match duplicates {
        Duplicates::None => ("FALSE".to_string(), t.to_string()),
        Duplicates::Listed(ids) => {
            let list: Vec<String> = ids.iter().map(|d| d.to_string()).collect();
            (format!("id IN ({})", list.join(", ")), t.to_string())
        }
        // A hash join whose build side is the duplicated ids only: the records stream past.
        Duplicates::Joined(source) => (
            "duplicate_id IS NOT NULL".to_string(),
            format!("{t} LEFT JOIN ({source}) AS dup ON {t}.id = dup.duplicate_id"),
        ),
    };
    format!(
        "SELECT {keys}, {missing} AS missing, {outside} AS outside, {inconsistent} AS inconsistent, \
         {dup} AS duplicate, COUNT(*) AS n FROM {from} GROUP BY {group}",
        keys = keys.join(", "),
        missing = flag(&missing),
        outside = flag(&outside),
        inconsistent = flag(inconsistent),
        dup = flag(&dup),
        group = group.join(", "),
    )
}

/// How a table's query marks rows whose id is given more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duplicates {
    /// No id is.
    None,
    /// These few ids are, listed in the query.
    Listed(Vec<i64>),
    /// Many are: a query giving them as `duplicate_id`, joined.
    Joined(String),
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
    // Errors of a cluster say which cluster.
    let work = || match work() {
        Err(RecordsError::Engine(m)) if req.engine.is_distributed() => Err(RecordsError::Engine(
            format!("on the Ballista cluster {}: {m}", req.engine),
        )),
        other => other,
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
    let ctx = context(&req.engine, threads).await?;
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
        let dups = if req.engine.is_distributed() {
            distributed_duplicate_ids(&ctx, files.table).await
        } else {
            duplicate_ids(&ctx, files.table).await
        };
        let batches = match dups {
            Ok(dups) => {
                let duplicates = duplicates(&ctx, files.table, dups, &req.engine)?;
                match ctx.sql(&query(files.table, req.year, &duplicates)).await {
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
        let run = accumulate(
            files,
            &batches,
            &reference,
            req,
            threads,
            &mut out.utilisation,
        )?;
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
        if !req.engine.is_distributed() {
            ctx.deregister_table(DUPLICATES)?;
        }
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
    let seen = Arc::new(if span <= (n as u128).max(1 << 20) * 8 {
        IdSet::Dense {
            lo,
            bits: (0..span.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
        }
    } else {
        IdSet::Sparse(Mutex::new(std::collections::HashSet::with_capacity(
            n as usize,
        )))
    });
    // One task per partition of the scan, all marking the same set: the pass runs on every
    // thread of the runtime, not only where the partitions' streams would be merged.
    let streams = ctx
        .sql(&format!("SELECT id FROM {t} WHERE id IS NOT NULL"))
        .await?
        .execute_stream_partitioned()
        .await?;
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                use futures::StreamExt;
                let mut dups = Vec::new();
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    let ids = cast(batch.column(0), &DataType::Int64)?;
                    let ids = ids.as_any().downcast_ref::<Int64Array>().expect("Int64");
                    seen.insert_all(ids, &mut dups);
                }
                Ok::<_, datafusion::error::DataFusionError>(dups)
            })
        })
        .collect();
    let mut dups = std::collections::BTreeSet::new();
    for task in tasks {
        let found = task
            .await
            .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))??;
        dups.extend(found);
    }
    Ok(dups.into_iter().collect())
}

/// Ids seen so far, shared by the tasks of the id pass.
enum IdSet {
    /// A bit per id of the range from `lo`, set atomically: of two rows with the same id,
    /// whichever sets the bit second sees it set, whatever the order of the tasks.
    Dense { lo: i64, bits: Vec<AtomicU64> },
    /// Ids spread too far for a bitmap.
    Sparse(Mutex<std::collections::HashSet<i64>>),
}

impl IdSet {
    /// Adds a batch's ids; pushes to `dups` those already there.
    fn insert_all(&self, ids: &Int64Array, dups: &mut Vec<i64>) {
        match self {
            IdSet::Dense { lo, bits } => {
                for id in ids.iter().flatten() {
                    let k = (id as i128 - *lo as i128) as usize;
                    let bit = 1u64 << (k % 64);
                    // Most bits are fresh: a plain load first spares the atomic write's
                    // cache-line ownership when the word already has the bit.
                    let word = &bits[k / 64];
                    if word.load(Ordering::Relaxed) & bit != 0
                        || word.fetch_or(bit, Ordering::Relaxed) & bit != 0
                    {
                        dups.push(id);
                    }
                }
            }
            IdSet::Sparse(set) => {
                let mut set = set.lock().unwrap_or_else(|p| p.into_inner());
                for id in ids.iter().flatten() {
                    if !set.insert(id) {
                        dups.push(id);
                    }
                }
            }
        }
    }
}

/// Ids that occur more than once, grouped by the cluster (its executors hold the ids;
/// streaming every id to this process would move the whole column over the network).
pub async fn distributed_duplicate_ids(
    ctx: &SessionContext,
    table: RecordTable,
) -> datafusion::error::Result<Vec<i64>> {
    let batches = ctx
        .sql(&format!(
            "SELECT CAST(id AS BIGINT) FROM {} WHERE id IS NOT NULL GROUP BY 1 HAVING COUNT(*) > 1",
            table.name()
        ))
        .await?
        .collect()
        .await?;
    let mut dups = Vec::new();
    for b in &batches {
        let ids = cast(b.column(0), &DataType::Int64)?;
        let ids = ids.as_any().downcast_ref::<Int64Array>().expect("Int64");
        dups.extend(ids.iter().flatten());
    }
    dups.sort_unstable();
    Ok(dups)
}

/// How to mark rows with a duplicated id: not at all when there is none, the ids listed
/// when they are few, else joined from an in-memory table of them (on a cluster, whose
/// executors cannot see this process's memory, from the grouped ids).
fn duplicates(
    ctx: &SessionContext,
    table: RecordTable,
    dups: Vec<i64>,
    engine: &Engine,
) -> datafusion::error::Result<Duplicates> {
    if dups.is_empty() {
        return Ok(Duplicates::None);
    }
    if dups.len() <= 1000 {
        return Ok(Duplicates::Listed(dups));
    }
    if engine.is_distributed() {
        return Ok(Duplicates::Joined(format!(
            "SELECT id AS duplicate_id FROM {} WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1",
            table.name()
        )));
    }
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)])),
        vec![Arc::new(Int64Array::from(dups)) as ArrayRef],
    )?;
    ctx.register_batch(DUPLICATES, batch)?;
    Ok(Duplicates::Joined(format!(
        "SELECT id AS duplicate_id FROM {DUPLICATES}"
    )))
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

/// Adds a table's grouped rows into `u`: the batches split among `threads` threads, each
/// adding into totals of its own, merged at the end (the sums do not depend on the split).
fn accumulate(
    files: &TableFiles,
    batches: &[RecordBatch],
    reference: &Reference,
    req: &CountRequest,
    threads: usize,
    u: &mut Utilisation,
) -> Result<TableRun, RecordsError> {
    let mut run = TableRun {
        table: files.table,
        files: files.paths.clone(),
        rows: 0,
        refused: BTreeMap::new(),
    };
    let per_thread = batches.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<Result<Part, RecordsError>> = std::thread::scope(|s| {
        let handles: Vec<_> = batches
            .chunks(per_thread)
            .map(|chunk| s.spawn(move || accumulate_part(files.table, chunk, reference, req)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(RecordsError::Engine(
                        "a counting thread stopped unexpectedly".into(),
                    ))
                })
            })
            .collect()
    });
    for part in parts {
        let part = part?;
        run.rows += part.rows;
        for (reason, n) in part.refused {
            *run.refused.entry(reason).or_default() += n;
        }
        for ((unit, count), n) in part.totals {
            u.add(unit, req.year, count, n);
        }
    }
    Ok(run)
}

/// What one thread counted of a table's grouped rows.
#[derive(Default)]
struct Part {
    rows: u64,
    refused: BTreeMap<Reason, u64>,
    totals: HashMap<(AdminCode, UsageCount), u64>,
}

impl Part {
    fn add(&mut self, unit: AdminCode, count: UsageCount, n: u64) {
        *self.totals.entry((unit, count)).or_default() += n;
    }
}

fn accumulate_part(
    table: RecordTable,
    batches: &[RecordBatch],
    reference: &Reference,
    req: &CountRequest,
) -> Result<Part, RecordsError> {
    let mut run = Part::default();
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
                            run.add(f_unit, UsageCount::Admissions, count);
                        } else {
                            run.add(f_unit, UsageCount::Visits, count);
                            if primary {
                                run.add(f_unit, UsageCount::PrimaryCareVisits, count);
                            }
                            if tcm.value(r) {
                                run.add(f_unit, UsageCount::TcmVisits, count);
                            }
                        }
                    }
                    let Some(home) = home_of(res.value(r)) else {
                        continue;
                    };
                    run.add(home, UsageCount::ResidentEncounters, count);
                    if inpatient {
                        run.add(home, UsageCount::ResidentAdmissions, count);
                    }
                    for l in shared_levels(home, f_unit) {
                        run.add(home, UsageCount::ResidentEncountersWithin(l), count);
                        if inpatient {
                            run.add(home, UsageCount::ResidentAdmissionsWithin(l), count);
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
                        run.add(f_unit, c, count);
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
                        run.add(home, UsageCount::ContractedResidents, count);
                        if key.value(r) {
                            run.add(home, UsageCount::ContractedKeyResidents, count);
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
                    run.add(home, UsageCount::ChronicManaged(c), count);
                    if standard.value(r) {
                        run.add(home, UsageCount::ChronicStandardised(c), count);
                    }
                    if control.value(r) {
                        run.add(home, UsageCount::ChronicControlled(c), count);
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
                        run.add(home, UsageCount::HealthRecords, count);
                        if key.value(r) {
                            run.add(home, UsageCount::KeyResidents, count);
                        }
                    }
                }
            }
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::Engine;

    #[test]
    fn engines_parse_from_what_a_user_types() {
        assert_eq!(Engine::parse("embedded").unwrap(), Engine::Embedded);
        assert_eq!(Engine::parse(" standalone ").unwrap(), Engine::Standalone);
        assert_eq!(
            Engine::parse("df://sched.example:50051").unwrap(),
            Engine::Cluster("df://sched.example:50051".into())
        );
        assert_eq!(
            Engine::parse("df://10.0.0.5").unwrap().to_string(),
            "df://10.0.0.5:50050"
        );
        for bad in [
            "",
            "http://x:1",
            "df://",
            "df://x:port",
            "df://x:70000",
            "df://a b:1",
        ] {
            let e = Engine::parse(bad).unwrap_err().to_string();
            assert!(e.contains("df://"), "{bad}: {e}");
        }
    }
}
