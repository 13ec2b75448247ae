//! SYNTHETIC record tables for one unit and year, from a seed, consistent with the service
//! system's facility-year totals: every facility of the unit gets exactly its year's
//! outpatient and emergency visits (诊疗人次) and admissions (出院人数) as encounter rows,
//! the admissions' lengths of stay add up to its bed-days, and residents are drawn by
//! population. Contracts, chronic-disease management and health records are drawn per
//! residential unit at rates that are assumptions of the generator (listed in
//! [`ASSUMED`]), not published figures. Everything written is labelled synthetic.

use crate::error::RecordsError;
use crate::schema::schema;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use hsplan_model::{
    AdminCode, AdminLevel, Facility, InstitutionFamily, Quantity, RecordTable, ServiceSystem, Year,
};
use hsplan_synth::Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rates the generator assumes (name, value), written to the folder's `SYNTHETIC.md`.
pub const ASSUMED: &[(&str, f64)] = &[
    ("share of a village clinic's visits from its own town", 0.90),
    ("share of a health centre's visits from its own town", 0.82),
    (
        "share of hospital visits by residents of other districts",
        0.10,
    ),
    (
        "residents' visits at facilities outside the unit, per visit inside",
        0.04,
    ),
    (
        "residents' admissions outside the unit, per admission inside",
        0.11,
    ),
    ("emergency share of hospital visits", 0.10),
    ("TCM share of visits at TCM hospitals", 0.80),
    ("TCM share of visits at health centres", 0.30),
    (
        "TCM share of visits at village clinics and other primary care",
        0.22,
    ),
    ("TCM share of visits at other hospitals", 0.10),
    ("referrals up per visit at primary care", 0.012),
    ("referrals down per admission at tier-2/3 hospitals", 0.09),
    ("residents with a family-doctor contract in force", 0.42),
    ("key-population share of contracted residents", 0.55),
    ("residents with an active electronic health record", 0.91),
    ("key-population share of residents with a record", 0.31),
    ("hypertension patients managed, per resident", 0.095),
    ("of those, standardised management", 0.71),
    ("of those managed, blood pressure controlled", 0.62),
    ("diabetes patients managed, per resident", 0.032),
    ("of those, standardised management", 0.68),
    ("of those managed, blood glucose controlled", 0.57),
];

fn assumed(i: usize) -> f64 {
    ASSUMED[i].1
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateRequest {
    /// The unit whose residents and facilities the records cover.
    pub unit: AdminCode,
    /// The year.
    pub year: Year,
    /// The seed.
    pub seed: u64,
    /// Fraction of the real volume (1.0: every visit; tests use less).
    pub scale: f64,
    /// The folder to write the tables into.
    pub out: PathBuf,
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// Rows per table.
    pub rows: BTreeMap<RecordTable, u64>,
    /// The files.
    pub files: Vec<PathBuf>,
}

/// Picks by cumulative weights.
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T: Copy> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Self {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut acc = 0.0;
        for (t, w) in pairs {
            if w > 0.0 {
                acc += w;
                items.push(t);
                cumulative.push(acc);
            }
        }
        Weighted { items, cumulative }
    }
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    fn pick(&self, rng: &mut Rng) -> T {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.items[i.min(self.items.len() - 1)]
    }
}

const ROWS_PER_BATCH: usize = 1 << 20;

/// Buffers one table's rows and writes them as Parquet row groups.
struct TableWriter {
    table: RecordTable,
    writer: ArrowWriter<std::fs::File>,
    columns: Vec<Col>,
    rows: u64,
    path: PathBuf,
}

enum Col {
    I(Vec<Option<i64>>),
    T(Vec<Option<String>>),
    D(Vec<i32>),
    B(Vec<bool>),
}

/// A value of one row.
enum V {
    I(Option<i64>),
    T(Option<String>),
    D(i32),
    B(bool),
}

impl TableWriter {
    fn create(dir: &Path, table: RecordTable) -> Result<Self, RecordsError> {
        let path = dir.join(format!("{}.parquet", table.name()));
        let file = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROWS_PER_BATCH))
            .set_created_by("hsplan-records generator (SYNTHETIC data)".into())
            .build();
        let writer =
            ArrowWriter::try_new(file, schema(table), Some(props)).map_err(|e| io(&path, e))?;
        let columns = crate::schema::columns(table)
            .iter()
            .map(|c| match c.kind {
                crate::schema::ColumnType::Integer => Col::I(Vec::new()),
                crate::schema::ColumnType::Text => Col::T(Vec::new()),
                crate::schema::ColumnType::Date => Col::D(Vec::new()),
                crate::schema::ColumnType::Boolean => Col::B(Vec::new()),
            })
            .collect();
        Ok(TableWriter {
            table,
            writer,
            columns,
            rows: 0,
            path,
        })
    }

    fn push(&mut self, row: Vec<V>) -> Result<(), RecordsError> {
        for (c, v) in self.columns.iter_mut().zip(row) {
            match (c, v) {
                (Col::I(c), V::I(v)) => c.push(v),
                (Col::T(c), V::T(v)) => c.push(v),
                (Col::D(c), V::D(v)) => c.push(v),
                (Col::B(c), V::B(v)) => c.push(v),
                _ => unreachable!("row built for the table's columns"),
            }
        }
        self.rows += 1;
        if self.rows % ROWS_PER_BATCH as u64 == 0 {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), RecordsError> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::I(v) => Arc::new(Int64Array::from(std::mem::take(v))),
                    Col::T(v) => Arc::new(StringArray::from(std::mem::take(v))),
                    Col::D(v) => Arc::new(Date32Array::from(std::mem::take(v))),
                    Col::B(v) => Arc::new(BooleanArray::from(std::mem::take(v))),
                }
            })
            .collect();
        if arrays.first().is_some_and(|a| a.is_empty()) {
            return Ok(());
        }
        let batch =
            RecordBatch::try_new(schema(self.table), arrays).map_err(|e| io(&self.path, e))?;
        self.writer.write(&batch).map_err(|e| io(&self.path, e))
    }

    fn finish(mut self) -> Result<(PathBuf, u64), RecordsError> {
        self.flush()?;
        self.writer.close().map_err(|e| io(&self.path, e))?;
        Ok((self.path, self.rows))
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> RecordsError {
    RecordsError::File {
        file: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The file of [`write_register`].
pub const REGISTER_FILE: &str = "facility-register.csv";

/// Writes the facility register as the record checks see it (id, unit, service level,
/// primary care or not) beside the tables, so that other tools (the DuckDB cross-check)
/// can count the same records without the store. Not a record table: counting ignores it.
pub fn write_register(sys: &ServiceSystem, dir: &Path) -> Result<PathBuf, RecordsError> {
    let path = dir.join(REGISTER_FILE);
    let mut w = csv::Writer::from_path(&path).map_err(|e| io(&path, e))?;
    w.write_record(["id", "unit", "service_level", "primary_care"])
        .map_err(|e| io(&path, e))?;
    for f in sys.facilities.values() {
        w.write_record([
            f.id.as_str().to_string(),
            f.unit.to_string(),
            crate::count::service_level(f).to_string(),
            (f.kind.family() == InstitutionFamily::PrimaryCare).to_string(),
        ])
        .map_err(|e| io(&path, e))?;
    }
    w.flush().map_err(|e| io(&path, e))?;
    Ok(path)
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn within(code: AdminCode, root: AdminCode) -> bool {
    hsplan_model::utilisation::within(code, root)
}

fn tcm_share(f: &Facility) -> f64 {
    if f.kind.is_tcm_hospital() {
        assumed(6)
    } else if f.kind.is_primary_care_centre() {
        assumed(7)
    } else if f.kind.family() == InstitutionFamily::PrimaryCare {
        assumed(8)
    } else {
        assumed(9)
    }
}

const AGE_BANDS: [(&str, f64); 5] = [
    ("0-6", 0.08),
    ("7-17", 0.09),
    ("18-44", 0.30),
    ("45-64", 0.29),
    ("65+", 0.24),
];

/// Writes the five tables for `req.unit` and `req.year` into `req.out`.
pub fn generate(sys: &ServiceSystem, req: &GenerateRequest) -> Result<Generated, RecordsError> {
    std::fs::create_dir_all(&req.out).map_err(|e| io(&req.out, e))?;
    let mut rng = Rng(req.seed ^ 0x6873_706c_616e_5245);
    let year = req.year;
    let y = year.get() as i32;
    let first_day = days_from_civil(y, 1, 1);
    let last_day = days_from_civil(y, 12, 31);
    let days_in_year = (last_day - first_day + 1) as usize;

    // Where people live: units with a population record and no child with one.
    let homes: Vec<(AdminCode, f64)> = sys
        .population
        .range((req.unit, Year::MIN)..)
        .take_while(|((c, _), _)| within(*c, req.unit))
        .filter(|((c, yr), _)| {
            *yr == year
                && !sys
                    .children(*c)
                    .any(|ch| sys.population.contains_key(&(ch.code, year)))
        })
        .map(|((c, _), p)| (*c, p.resident.0 as f64))
        .collect();
    if homes.is_empty() {
        return Err(io(
            &req.out,
            format!(
                "no population of {} in {} to draw residents from",
                req.unit,
                year.get()
            ),
        ));
    }
    let all_homes = Weighted::new(homes.iter().copied());
    let mut by_town: BTreeMap<AdminCode, Vec<(AdminCode, f64)>> = BTreeMap::new();
    for &(c, p) in &homes {
        let town = if c.level() >= AdminLevel::Town {
            c.truncated(AdminLevel::Town)
        } else {
            c
        };
        by_town.entry(town).or_default().push((c, p));
    }
    let town_homes: BTreeMap<AdminCode, Weighted<AdminCode>> = by_town
        .into_iter()
        .map(|(t, v)| (t, Weighted::new(v)))
        .collect();
    // Residents of elsewhere: the other county-level units of the system.
    let outsiders = Weighted::new(
        sys.units
            .values()
            .filter(|u| u.level() == AdminLevel::County && !within(u.code, req.unit))
            .map(|u| (u.code, 1.0)),
    );

    let open: Vec<&Facility> = sys
        .facilities
        .values()
        .filter(|f| f.is_open_in(year))
        .collect();
    let inside: Vec<&Facility> = open
        .iter()
        .copied()
        .filter(|f| within(f.unit, req.unit))
        .collect();
    let outside_hospitals: Vec<&Facility> = open
        .iter()
        .copied()
        .filter(|f| {
            !within(f.unit, req.unit)
                && f.kind.family() == InstitutionFamily::Hospital
                && f.grade.tier().is_some()
        })
        .take(200)
        .collect();
    let quantity = |f: &Facility, q: Quantity| -> u64 {
        sys.facility_years
            .get(&(f.id.clone(), year))
            .and_then(|fy| fy.get(q))
            .map_or(0, |c| (c.0 as f64 * req.scale).round() as u64)
    };

    let mut enc = TableWriter::create(&req.out, RecordTable::Encounters)?;
    let mut next_id = 1i64;
    let mut resident_visits = 0u64;
    let mut resident_admissions = 0u64;
    let mut encounter = |w: &mut TableWriter,
                         rng: &mut Rng,
                         f: &Facility,
                         home: AdminCode,
                         kind: &str,
                         days: Option<i64>|
     -> Result<(), RecordsError> {
        let (band, _) = AGE_BANDS
            [Weighted::new(AGE_BANDS.iter().enumerate().map(|(i, (_, w))| (i, *w))).pick(rng)];
        let tcm = kind != "inpatient" && rng.chance(tcm_share(f));
        let row = vec![
            V::I(Some(next_id)),
            V::T(Some(f.id.as_str().to_string())),
            V::D(first_day + rng.below(days_in_year) as i32),
            V::T(Some(kind.to_string())),
            V::T(Some(home.to_string())),
            V::T(Some(band.to_string())),
            V::T(Some(if rng.chance(0.52) { "F" } else { "M" }.to_string())),
            V::B(tcm),
            V::I(days),
        ];
        next_id += 1;
        w.push(row)
    };
    for f in &inside {
        let visits = quantity(f, Quantity::OutpatientVisits);
        let admissions = quantity(f, Quantity::Discharges);
        let bed_days = quantity(f, Quantity::InpatientBedDays);
        let hospital = f.kind.family() == InstitutionFamily::Hospital;
        let town = (f.unit.level() >= AdminLevel::Town).then(|| f.unit.truncated(AdminLevel::Town));
        let local = town.and_then(|t| town_homes.get(&t));
        let own_town_share = if f.kind.is_primary_care_centre() {
            assumed(1)
        } else if f.kind.family() == InstitutionFamily::PrimaryCare {
            assumed(0)
        } else {
            0.0
        };
        let pick_home = |rng: &mut Rng| -> AdminCode {
            if hospital && !outsiders.is_empty() && rng.chance(assumed(2)) {
                return outsiders.pick(rng);
            }
            match local {
                Some(l) if rng.chance(own_town_share) => l.pick(rng),
                _ => all_homes.pick(rng),
            }
        };
        for _ in 0..visits {
            let home = pick_home(&mut rng);
            let kind = if hospital && rng.chance(assumed(5)) {
                "emergency"
            } else {
                "outpatient"
            };
            if within(home, req.unit) {
                resident_visits += 1;
            }
            encounter(&mut enc, &mut rng, f, home, kind, None)?;
        }
        // Lengths of stay adding up to the bed-days: an even split, then days moved
        // between neighbouring stays.
        if let Some(base) = bed_days.checked_div(admissions) {
            let extra = bed_days % admissions;
            let mut stays: Vec<i64> = (0..admissions)
                .map(|i| (base + u64::from(i < extra)) as i64)
                .collect();
            for pair in stays.chunks_mut(2) {
                if let [a, b] = pair {
                    let t = rng.below((*a).clamp(0, 6) as usize) as i64;
                    *a -= t;
                    *b += t;
                }
            }
            for days in stays {
                let home = pick_home(&mut rng);
                if within(home, req.unit) {
                    resident_admissions += 1;
                }
                encounter(&mut enc, &mut rng, f, home, "inpatient", Some(days))?;
            }
        }
    }
    // The unit's residents treated elsewhere.
    if !outside_hospitals.is_empty() {
        let away_visits = (resident_visits as f64 * assumed(3)).round() as u64;
        let away_admissions = (resident_admissions as f64 * assumed(4)).round() as u64;
        for i in 0..away_visits + away_admissions {
            let f = outside_hospitals[rng.below(outside_hospitals.len())];
            let home = all_homes.pick(&mut rng);
            if i < away_visits {
                encounter(&mut enc, &mut rng, f, home, "outpatient", None)?;
            } else {
                let days = 3 + rng.below(12) as i64;
                encounter(&mut enc, &mut rng, f, home, "inpatient", Some(days))?;
            }
        }
    }
    let mut rows = BTreeMap::new();
    let mut files = Vec::new();
    let (p, n) = enc.finish()?;
    rows.insert(RecordTable::Encounters, n);
    files.push(p);

    // Referrals: up from primary care to the unit's hospitals, down from tier-2/3 hospitals
    // to health centres.
    let mut refw = TableWriter::create(&req.out, RecordTable::Referrals)?;
    let level = |f: &Facility| crate::count::service_level(f);
    let hospitals = Weighted::new(
        inside
            .iter()
            .copied()
            .filter(|f| level(f) >= 2)
            .map(|f| (f, quantity(f, Quantity::Discharges) as f64 + 1.0)),
    );
    let centres = Weighted::new(
        inside
            .iter()
            .copied()
            .filter(|f| f.kind.is_primary_care_centre())
            .map(|f| (f, 1.0)),
    );
    let mut rid = 1i64;
    for f in &inside {
        let (n, targets) = if f.kind.family() == InstitutionFamily::PrimaryCare {
            (
                (quantity(f, Quantity::OutpatientVisits) as f64 * assumed(10)).round() as u64,
                &hospitals,
            )
        } else if level(f) >= 2 {
            (
                (quantity(f, Quantity::Discharges) as f64 * assumed(11)).round() as u64,
                &centres,
            )
        } else {
            (0, &centres)
        };
        if targets.is_empty() {
            continue;
        }
        for _ in 0..n {
            let to = targets.pick(&mut rng);
            if to.id == f.id {
                continue;
            }
            refw.push(vec![
                V::I(Some(rid)),
                V::T(Some(f.id.as_str().to_string())),
                V::T(Some(to.id.as_str().to_string())),
                V::D(first_day + rng.below(days_in_year) as i32),
            ])?;
            rid += 1;
        }
    }
    let (p, n) = refw.finish()?;
    rows.insert(RecordTable::Referrals, n);
    files.push(p);

    // Contracts, health records and chronic-disease management per residential unit.
    let team = |home: AdminCode, rng: &mut Rng| -> Option<&Facility> {
        let town = home.truncated(AdminLevel::Town.min(home.level()));
        let local: Vec<&Facility> = inside
            .iter()
            .copied()
            .filter(|f| f.kind.is_primary_care_centre() && within(f.unit, town))
            .collect();
        if local.is_empty() {
            (!centres.is_empty()).then(|| centres.pick(rng))
        } else {
            Some(local[rng.below(local.len())])
        }
    };
    let mut con = TableWriter::create(&req.out, RecordTable::Contracts)?;
    let mut ehr = TableWriter::create(&req.out, RecordTable::HealthRecords)?;
    let mut chr = TableWriter::create(&req.out, RecordTable::ChronicDisease)?;
    let (mut cid, mut hid, mut mid) = (1i64, 1i64, 1i64);
    let key_flags = Weighted::new([
        (0usize, 0.45),
        (1, 0.25),
        (2, 0.08),
        (3, 0.03),
        (4, 0.12),
        (5, 0.04),
        (6, 0.03),
    ]);
    for &(home, people) in &homes {
        let people = people * req.scale;
        let Some(team_facility) = team(home, &mut rng) else {
            continue;
        };
        let signed = (people * assumed(12) / 0.94).round() as u64;
        for _ in 0..signed {
            let key = rng.chance(assumed(13));
            let flag = key.then(|| key_flags.pick(&mut rng));
            // Two-year contracts signed over the last two years; a few ended early.
            let (start, end) = if rng.chance(0.06) {
                let end = first_day + rng.below(days_in_year - 1) as i32;
                (end - 365, end)
            } else {
                let start = first_day - 365 + rng.below(365 + days_in_year) as i32;
                (start, start + 729)
            };
            let mut row = vec![
                V::I(Some(cid)),
                V::T(Some(home.to_string())),
                V::D(start),
                V::D(end),
                V::T(Some(team_facility.id.as_str().to_string())),
            ];
            for k in 0..7 {
                row.push(V::B(flag == Some(k)));
            }
            con.push(row)?;
            cid += 1;
        }
        let records = (people * assumed(14)).round() as u64;
        let closed = (people * 0.03).round() as u64;
        for i in 0..records + closed {
            ehr.push(vec![
                V::I(Some(hid)),
                V::T(Some(home.to_string())),
                V::D(first_day - rng.below(3650) as i32),
                V::B(i < records),
                V::B(rng.chance(assumed(15))),
            ])?;
            hid += 1;
        }
        for (condition, per_resident, standard, control) in [
            ("hypertension", assumed(16), assumed(17), assumed(18)),
            ("diabetes", assumed(19), assumed(20), assumed(21)),
        ] {
            let managed = (people * per_resident).round() as u64;
            for _ in 0..managed {
                let standardised = rng.chance(standard);
                // Control is likelier under standardised management.
                let p = if standardised {
                    control * 1.15
                } else {
                    control * 0.65
                };
                chr.push(vec![
                    V::I(Some(mid)),
                    V::T(Some(home.to_string())),
                    V::T(Some(condition.to_string())),
                    V::I(Some(y as i64)),
                    V::D(first_day - rng.below(2500) as i32 + rng.below(days_in_year) as i32 / 4),
                    V::B(standardised),
                    V::B(rng.chance(p.min(1.0))),
                ])?;
                mid += 1;
            }
        }
    }
    for w in [con, chr, ehr] {
        let t = w.table;
        let (p, n) = w.finish()?;
        rows.insert(t, n);
        files.push(p);
    }
    let mut note = String::from(
        "# SYNTHETIC records\n\nGenerated by hsplan-records (`hsplan records generate`), not real data: \
         visits and admissions per facility equal the service system's facility-year totals; \
         everything else is drawn at these assumed rates:\n\n",
    );
    for (what, v) in ASSUMED {
        note.push_str(&format!("- {what}: {v}\n"));
    }
    note.push_str(&format!(
        "\nunit {}, year {}, seed {}, scale {}\n",
        req.unit,
        year.get(),
        req.seed,
        req.scale
    ));
    files.push(write_register(sys, &req.out)?);
    let readme = req.out.join("SYNTHETIC.md");
    std::fs::write(&readme, note).map_err(|e| io(&readme, e))?;
    Ok(Generated { rows, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
        assert_eq!(days_from_civil(2024, 12, 31), 19_723 + 365);
    }
}
