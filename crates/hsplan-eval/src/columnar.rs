//! The columnar path: every indicator for every unit and year at once.
//!
//! [`crate::compute`] answers one (indicator, unit, year) by scanning facilities; that is
//! the obvious reference. At national scale (hundreds of thousands of units, a million
//! facilities, several years) the evaluation instead lays the data out in columns and
//! aggregates each distinct measure once per year: facilities add into their own unit,
//! then units add into their parents, deepest first (a child's code is always greater
//! than its parent's, so one pass over the units in descending code order suffices).
//! Numerators and denominators are summed — never ratios — and missing counts travel
//! with the sums exactly as in [`crate::measure`]. Tests check this path against
//! [`crate::compute`] on every indicator.

use crate::measure::{Amount, FacilitySet, Measure, PopulationBase};
use crate::{Gap, IndicatorDef, ratio};
use hsplan_model::{AdminCode, Capability, Facility, FacilityYear, Quantity, ServiceSystem, Year};
use std::collections::BTreeMap;

/// Marks a value that was not reported.
const MISSING: u32 = u32::MAX;

/// Index of a unit in [`Columns::units`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitIx(pub u32);

/// Index of a facility in the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FacilityIx(pub u32);

/// The service system in columns, for whole-system evaluation.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    units: Vec<AdminCode>,
    parent: Vec<Option<u32>>,
    years: Vec<Year>,
    facility_unit: Vec<u32>,
    facility_sets: Vec<u16>,
    facility_open: Vec<(Option<Year>, Option<Year>)>,
    /// Per quantity, per year: value per facility (MISSING when not reported).
    quantities: BTreeMap<Quantity, Vec<Vec<u32>>>,
    /// Per year: licensed + assistant doctors per facility.
    doctors: Vec<Vec<u32>>,
    /// Per year: whether the facility reported that year at all.
    reported: Vec<Vec<bool>>,
    /// Per capability, per year: whether the facility has it.
    capabilities: BTreeMap<Capability, Vec<Vec<bool>>>,
    /// Per population base, per year: own record per unit (None = no record,
    /// Some(MISSING-like None inside) = record without that base).
    population: BTreeMap<u8, Vec<Vec<PopulationCell>>>,
    /// Utilisation counted from records (already totals per unit: summed by range).
    utilisation: hsplan_model::Utilisation,
}

/// A unit's own population record for one base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PopulationCell {
    /// No record for the unit.
    #[default]
    NoRecord,
    /// A record that lacks this base (e.g. no age bands).
    Missing,
    /// A value.
    Persons(u64),
}

fn base_ix(base: PopulationBase) -> u8 {
    match base {
        PopulationBase::Resident => 0,
        PopulationBase::Children0To14 => 1,
        PopulationBase::Infants0To2 => 2,
    }
}

const BASES: [PopulationBase; 3] = [
    PopulationBase::Resident,
    PopulationBase::Children0To14,
    PopulationBase::Infants0To2,
];

/// Errors building columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnsError {
    /// Units must be added in ascending code order.
    #[error("unit {0}: units must be added in ascending code order")]
    Order(AdminCode),
    /// A facility's unit is not in the columns.
    #[error("facility unit {0} is not among the units")]
    UnknownUnit(AdminCode),
    /// A year outside the columns' years.
    #[error("year {0} is not among the columns' years")]
    UnknownYear(Year),
    /// A bulk column whose length is not the number of facilities (or units).
    #[error("year {0}: a column's length is not the number of facilities or units")]
    ColumnLength(Year),
}

impl Columns {
    /// Empty columns for the given years (ascending, distinct).
    pub fn new(years: Vec<Year>) -> Self {
        Columns {
            years,
            ..Default::default()
        }
    }

    /// Units, ascending.
    pub fn units(&self) -> &[AdminCode] {
        &self.units
    }

    /// Years.
    pub fn years(&self) -> &[Year] {
        &self.years
    }

    /// Number of facilities.
    pub fn facility_count(&self) -> usize {
        self.facility_unit.len()
    }

    /// Adds a unit; units come in ascending code order, parents before children.
    /// A unit whose parent is absent is a root.
    pub fn add_unit(&mut self, code: AdminCode) -> Result<UnitIx, ColumnsError> {
        if self.units.last().is_some_and(|last| *last >= code) {
            return Err(ColumnsError::Order(code));
        }
        // Nearest stored ancestor: the parent, or the parent's parent when grouping levels
        // are absent.
        let mut parent = None;
        let mut p = code.parent();
        while let Some(c) = p {
            if let Ok(i) = self.units.binary_search(&c) {
                parent = Some(i as u32);
                break;
            }
            p = c.parent();
        }
        self.units.push(code);
        self.parent.push(parent);
        Ok(UnitIx(self.units.len() as u32 - 1))
    }

    fn unit_ix(&self, code: AdminCode) -> Result<u32, ColumnsError> {
        self.units
            .binary_search(&code)
            .map(|i| i as u32)
            .map_err(|_| ColumnsError::UnknownUnit(code))
    }

    fn year_ix(&self, year: Year) -> Result<usize, ColumnsError> {
        self.years
            .iter()
            .position(|y| *y == year)
            .ok_or(ColumnsError::UnknownYear(year))
    }

    /// Adds a facility (its sets, unit and opening years are read once).
    pub fn add_facility(&mut self, f: &Facility) -> Result<FacilityIx, ColumnsError> {
        let unit = self.unit_ix(f.unit)?;
        let mask = FacilitySet::ALL
            .iter()
            .enumerate()
            .filter(|(_, s)| s.contains(f))
            .fold(0u16, |m, (i, _)| m | (1 << i));
        self.facility_unit.push(unit);
        self.facility_sets.push(mask);
        self.facility_open.push((f.opened, f.closed));
        let n = self.facility_unit.len();
        for per_year in self.reported.iter_mut() {
            per_year.resize(n, false);
        }
        Ok(FacilityIx(n as u32 - 1))
    }

    fn ensure_years<T: Clone>(years: usize, n: usize, fill: T, v: &mut Vec<Vec<T>>) {
        if v.len() < years {
            v.resize(years, Vec::new());
        }
        for per_year in v.iter_mut() {
            if per_year.len() < n {
                per_year.resize(n, fill.clone());
            }
        }
    }

    /// Records a facility's resources for a year.
    pub fn set_facility_year(
        &mut self,
        facility: FacilityIx,
        fy: &FacilityYear,
    ) -> Result<(), ColumnsError> {
        let y = self.year_ix(fy.year)?;
        let (n, ny, i) = (
            self.facility_unit.len(),
            self.years.len(),
            facility.0 as usize,
        );
        Self::ensure_years(ny, n, false, &mut self.reported);
        self.reported[y][i] = true;
        for (q, c) in &fy.quantities {
            let col = self.quantities.entry(*q).or_default();
            Self::ensure_years(ny, n, MISSING, col);
            col[y][i] = c.0.min(MISSING as u64 - 1) as u32;
        }
        Self::ensure_years(ny, n, MISSING, &mut self.doctors);
        self.doctors[y][i] = fy
            .licensed_and_assistant_doctors()
            .map_or(MISSING, |c| c.0.min(MISSING as u64 - 1) as u32);
        for c in &fy.capabilities {
            let col = self.capabilities.entry(*c).or_default();
            Self::ensure_years(ny, n, false, col);
            col[y][i] = true;
        }
        Ok(())
    }

    /// Records a unit's own population for a year (`None` for a base the record lacks).
    pub fn set_population(
        &mut self,
        unit: AdminCode,
        year: Year,
        values: [Option<u64>; 3],
    ) -> Result<(), ColumnsError> {
        let u = self.unit_ix(unit)? as usize;
        let y = self.year_ix(year)?;
        let (nu, ny) = (self.units.len(), self.years.len());
        for (b, v) in BASES.iter().zip(values) {
            let col = self.population.entry(base_ix(*b)).or_default();
            Self::ensure_years(ny, nu, PopulationCell::NoRecord, col);
            col[y][u] = v.map_or(PopulationCell::Missing, PopulationCell::Persons);
        }
        Ok(())
    }

    /// The value that marks a quantity as not reported in [`Self::set_year_columns`].
    pub const NOT_REPORTED: u32 = MISSING;

    /// The index of a unit, when it is among the columns.
    pub fn unit_index(&self, code: AdminCode) -> Option<UnitIx> {
        self.unit_ix(code).ok().map(UnitIx)
    }

    /// The index of a year, when it is among the columns.
    pub fn year_index(&self, year: Year) -> Option<usize> {
        self.year_ix(year).ok()
    }

    /// Which facility sets a facility belongs to (a bit per [`FacilitySet::ALL`] entry):
    /// read once per kind of facility by a bulk reader, then given to
    /// [`Self::add_facility_parts`].
    pub fn facility_sets_of(f: &Facility) -> u16 {
        FacilitySet::ALL
            .iter()
            .enumerate()
            .filter(|(_, s)| s.contains(f))
            .fold(0u16, |m, (i, _)| m | (1 << i))
    }

    /// Adds a facility by its parts (see [`Self::facility_sets_of`]); bulk readers use this
    /// instead of building a model [`Facility`] per row.
    pub fn add_facility_parts(
        &mut self,
        unit: UnitIx,
        sets: u16,
        opened: Option<Year>,
        closed: Option<Year>,
    ) -> FacilityIx {
        self.facility_unit.push(unit.0);
        self.facility_sets.push(sets);
        self.facility_open.push((opened, closed));
        let n = self.facility_unit.len();
        for per_year in self.reported.iter_mut() {
            per_year.resize(n, false);
        }
        FacilityIx(n as u32 - 1)
    }

    /// Sets a whole year at once, after every facility was added: which facilities reported,
    /// each quantity's value per facility ([`Self::NOT_REPORTED`] where not reported) and
    /// each capability per facility. Licensed plus assistant doctors are derived as
    /// [`FacilityYear::licensed_and_assistant_doctors`] derives them. Columns shorter than
    /// the facilities are refused.
    pub fn set_year_columns(
        &mut self,
        year: Year,
        reported: Vec<bool>,
        quantities: Vec<(Quantity, Vec<u32>)>,
        capabilities: Vec<(Capability, Vec<bool>)>,
    ) -> Result<(), ColumnsError> {
        let (n, ny) = (self.facility_unit.len(), self.years.len());
        let (year_value, year) = (year, self.year_ix(year)?);
        let short = quantities.iter().any(|(_, v)| v.len() != n)
            || capabilities.iter().any(|(_, v)| v.len() != n)
            || reported.len() != n;
        if short {
            return Err(ColumnsError::ColumnLength(year_value));
        }
        Self::ensure_years(ny, n, false, &mut self.reported);
        self.reported[year] = reported;
        Self::ensure_years(ny, n, MISSING, &mut self.doctors);
        let find = |q: Quantity| quantities.iter().find(|(k, _)| *k == q).map(|(_, v)| v);
        let (licensed, assistant) = (
            find(Quantity::LicensedDoctors),
            find(Quantity::AssistantDoctors),
        );
        if licensed.is_some() || assistant.is_some() {
            let doctors = &mut self.doctors[year];
            for (i, d) in doctors.iter_mut().enumerate() {
                let a = licensed.map_or(MISSING, |v| v[i]);
                let b = assistant.map_or(MISSING, |v| v[i]);
                *d = match (a, b) {
                    (MISSING, MISSING) => MISSING,
                    (a, b) => {
                        let sum = u64::from(if a == MISSING { 0 } else { a })
                            + u64::from(if b == MISSING { 0 } else { b });
                        sum.min(MISSING as u64 - 1) as u32
                    }
                };
            }
        }
        for (q, values) in quantities {
            let col = self.quantities.entry(q).or_default();
            Self::ensure_years(ny, n, MISSING, col);
            col[year] = values;
        }
        for (c, values) in capabilities {
            let col = self.capabilities.entry(c).or_default();
            Self::ensure_years(ny, n, false, col);
            col[year] = values;
        }
        Ok(())
    }

    /// Marks a unit without a population record in [`Self::set_year_population`].
    pub const NO_RECORD: u64 = u64::MAX;
    /// Marks a base a population record lacks in [`Self::set_year_population`].
    pub const BASE_MISSING: u64 = u64::MAX - 1;

    /// Records a year of units' own populations at once: `values[u]` for unit index `u`
    /// (resident, children 0–14, infants 0–2), with [`Self::NO_RECORD`] for a unit without
    /// a record and [`Self::BASE_MISSING`] for a base a record lacks.
    pub fn set_year_population(
        &mut self,
        year: Year,
        values: &[[u64; 3]],
    ) -> Result<(), ColumnsError> {
        let (year_value, year) = (year, self.year_ix(year)?);
        let (nu, ny) = (self.units.len(), self.years.len());
        if values.len() != nu {
            return Err(ColumnsError::ColumnLength(year_value));
        }
        for (b, base) in BASES.iter().enumerate() {
            let col = self.population.entry(base_ix(*base)).or_default();
            Self::ensure_years(ny, nu, PopulationCell::NoRecord, col);
            for (cell, v) in col[year].iter_mut().zip(values) {
                *cell = match (v[0], v[b]) {
                    (Self::NO_RECORD, _) => PopulationCell::NoRecord,
                    (_, Self::BASE_MISSING) => PopulationCell::Missing,
                    (_, persons) => PopulationCell::Persons(persons),
                };
            }
        }
        Ok(())
    }

    /// Lays out a whole service system (for tests and moderate sizes).
    pub fn from_system(sys: &ServiceSystem) -> Result<Self, ColumnsError> {
        let mut c = Columns::new(sys.years());
        for code in sys.units.keys() {
            c.add_unit(*code)?;
        }
        let mut ix = BTreeMap::new();
        for f in sys.facilities.values() {
            ix.insert(f.id.clone(), c.add_facility(f)?);
        }
        for ((id, _), fy) in &sys.facility_years {
            if let Some(i) = ix.get(id) {
                c.set_facility_year(*i, fy)?;
            }
        }
        for p in sys.population.values() {
            c.set_population(
                p.unit,
                p.year,
                [
                    Some(p.resident.0),
                    p.ages.age_0_14.map(|x| x.0),
                    p.ages.age_0_2.map(|x| x.0),
                ],
            )?;
        }
        c.utilisation = sys.utilisation.clone();
        Ok(c)
    }

    /// Sets the utilisation counted from records.
    pub fn set_utilisation(&mut self, utilisation: hsplan_model::Utilisation) {
        self.utilisation = utilisation;
    }

    /// A measure for every unit in the year with index `y`.
    fn amounts(&self, m: Measure, y: usize) -> Vec<Amount> {
        let nu = self.units.len();
        let year = self.years[y];
        match m {
            Measure::Population(base) => self.population_amounts(base, y),
            Measure::Usage(_)
            | Measure::ResidentCareWithin { .. }
            | Measure::ResidentCareOutside { .. } => self
                .units
                .iter()
                .map(|&u| crate::measure::usage_amount(&self.utilisation, m, u, year))
                .collect(),
            _ => {
                let set = match m {
                    Measure::Quantity(s, _)
                    | Measure::Doctors(s)
                    | Measure::Facilities(s)
                    | Measure::FacilitiesWithAny(s, _) => s,
                    Measure::Population(_)
                    | Measure::Usage(_)
                    | Measure::ResidentCareWithin { .. }
                    | Measure::ResidentCareOutside { .. } => unreachable!("handled above"),
                };
                let bit = 1u16 << set.index();
                let mut own = vec![Amount::default(); nu];
                let empty: Vec<u32> = Vec::new();
                let values: &[u32] = match m {
                    Measure::Quantity(_, q) => self
                        .quantities
                        .get(&q)
                        .and_then(|c| c.get(y))
                        .map_or(&empty, |v| v.as_slice()),
                    Measure::Doctors(_) => self.doctors.get(y).map_or(&empty, |v| v.as_slice()),
                    _ => &empty,
                };
                let reported = self.reported.get(y);
                let caps: Vec<&Vec<bool>> = match m {
                    Measure::FacilitiesWithAny(_, cs) => cs
                        .iter()
                        .filter_map(|c| self.capabilities.get(c).and_then(|v| v.get(y)))
                        .collect(),
                    _ => Vec::new(),
                };
                for (i, &u) in self.facility_unit.iter().enumerate() {
                    if self.facility_sets[i] & bit == 0 {
                        continue;
                    }
                    let (opened, closed) = self.facility_open[i];
                    if !(opened.is_none_or(|o| o <= year) && closed.is_none_or(|c| c > year)) {
                        continue;
                    }
                    let a = &mut own[u as usize];
                    match m {
                        Measure::Facilities(_) => {
                            a.value += 1.0;
                            a.reported += 1;
                        }
                        Measure::FacilitiesWithAny(..) => {
                            if reported.is_some_and(|r| r.get(i).copied().unwrap_or(false)) {
                                if caps.iter().any(|c| c.get(i).copied().unwrap_or(false)) {
                                    a.value += 1.0;
                                }
                                a.reported += 1;
                            } else {
                                a.missing += 1;
                            }
                        }
                        _ => match values.get(i) {
                            Some(&v) if v != MISSING => {
                                a.value += v as f64;
                                a.reported += 1;
                            }
                            _ => a.missing += 1,
                        },
                    }
                }
                // Roll up: children have larger indices than their parents.
                for i in (0..nu).rev() {
                    if let Some(p) = self.parent[i] {
                        let c = own[i];
                        let a = &mut own[p as usize];
                        a.value += c.value;
                        a.missing += c.missing;
                        a.reported += c.reported;
                    }
                }
                own
            }
        }
    }

    /// Population: a unit's own record, else the sum over its children when it has any.
    fn population_amounts(&self, base: PopulationBase, y: usize) -> Vec<Amount> {
        let nu = self.units.len();
        let cells = self.population.get(&base_ix(base)).and_then(|c| c.get(y));
        let mut children_sum = vec![Amount::default(); nu];
        let mut has_children = vec![false; nu];
        for p in self.parent.iter().flatten() {
            has_children[*p as usize] = true;
        }
        let mut out = vec![Amount::default(); nu];
        for i in (0..nu).rev() {
            let cell = cells.map_or(PopulationCell::NoRecord, |c| c[i]);
            let resolved = match cell {
                PopulationCell::Persons(v) => Amount {
                    value: v as f64,
                    missing: 0,
                    reported: 1,
                },
                PopulationCell::Missing => Amount {
                    value: 0.0,
                    missing: 1,
                    reported: 0,
                },
                PopulationCell::NoRecord if has_children[i] => children_sum[i],
                PopulationCell::NoRecord => Amount {
                    value: 0.0,
                    missing: 1,
                    reported: 0,
                },
            };
            out[i] = resolved;
            if let Some(p) = self.parent[i] {
                let a = &mut children_sum[p as usize];
                a.value += resolved.value;
                a.missing += resolved.missing;
                a.reported += resolved.reported;
            }
        }
        out
    }

    /// Evaluates indicators for every unit and year. Each distinct measure is aggregated
    /// once per year; the work is spread over `threads` threads (at least one).
    pub fn evaluate(&self, defs: &[&'static IndicatorDef], threads: usize) -> ColumnarResult {
        let mut measures: Vec<Measure> = Vec::new();
        for d in defs {
            for m in std::iter::once(d.numerator).chain(d.denominator) {
                if !measures.contains(&m) {
                    measures.push(m);
                }
            }
        }
        // Year by year, so only one year's aggregates are held at a time (at national scale
        // every year's at once took more memory than the result itself); within a year the
        // measures are shared out over the threads.
        let threads = threads.max(1).min(measures.len().max(1));
        let mut values = BTreeMap::new();
        for y in 0..self.years.len() {
            let mut amounts: Vec<Option<Vec<Amount>>> = vec![None; measures.len()];
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let measures = &measures;
                        s.spawn(move || {
                            (t..measures.len())
                                .step_by(threads)
                                .map(|m| (m, self.amounts(measures[m], y)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                for h in handles {
                    for (m, a) in h.join().expect("aggregation thread") {
                        amounts[m] = Some(a);
                    }
                }
            });
            let of = |m: &Measure| {
                let i = measures.iter().position(|x| x == m).expect("added");
                amounts[i].as_ref().expect("every measure aggregated")
            };
            for d in defs {
                let num = of(&d.numerator);
                let den = d.denominator.as_ref().map(of);
                let col: Vec<Result<f64, Gap>> = (0..self.units.len())
                    .map(|u| ratio(d, num[u], den.map(|v| v[u])))
                    .collect();
                values.insert((d.id, self.years[y]), col);
            }
        }
        ColumnarResult { values }
    }
}

/// Indicator values for every unit (in [`Columns::units`] order), by indicator and year.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnarResult {
    /// (indicator id, year) → value per unit.
    pub values: BTreeMap<(&'static str, Year), Vec<Result<f64, Gap>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_must_come_in_order() {
        let mut c = Columns::new(vec![Year::new(2020).unwrap()]);
        let code = |s: &str| AdminCode::parse(s).unwrap();
        c.add_unit(code("500000")).unwrap();
        c.add_unit(code("500109")).unwrap();
        assert_eq!(
            c.add_unit(code("500101")),
            Err(ColumnsError::Order(code("500101")))
        );
        assert_eq!(c.parent, vec![None, Some(0)], "grouping level skipped");
    }
}
