//! Service utilisation counted from record-level data (visits, referrals, family-doctor
//! contracts, chronic-disease management, health records), kept as totals per unit and
//! year: the record tables themselves live in files (see `hsplan-records`); the model holds
//! what the indicators sum up the hierarchy.
//!
//! Two kinds of count share one map. *Facility-side* counts belong to the unit a facility
//! lies in (visits at its facilities, referrals they send). *Resident-side* counts belong to
//! the unit people live in (their visits wherever they went, their contracts and records).
//! A resident's visit "within" a level is one whose facility lies in the same unit of that
//! level as the resident's home, so "visits within the county" summed over a county's
//! villages gives the county's 县域内就诊 count.

use crate::admin::{AdminCode, AdminLevel};
use crate::units::Year;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A chronic condition under standardised management (基本公共卫生服务).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    /// 高血压.
    Hypertension,
    /// 2 型糖尿病.
    Diabetes,
}

impl Condition {
    /// Both conditions.
    pub const ALL: [Condition; 2] = [Condition::Hypertension, Condition::Diabetes];

    /// The code used in files.
    pub fn code(self) -> &'static str {
        match self {
            Condition::Hypertension => "hypertension",
            Condition::Diabetes => "diabetes",
        }
    }

    /// Reads a code written in files (English code or Chinese name).
    pub fn parse(text: &str) -> Option<Condition> {
        match text.trim() {
            "hypertension" | "高血压" => Some(Condition::Hypertension),
            "diabetes" | "糖尿病" | "2型糖尿病" => Some(Condition::Diabetes),
            _ => None,
        }
    }
}

/// A table of record-level data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordTable {
    /// Outpatient, emergency and inpatient encounters (门急诊、住院).
    Encounters,
    /// Referrals between facilities (转诊).
    Referrals,
    /// Family-doctor contracts (家庭医生签约).
    Contracts,
    /// Chronic-disease management (慢病管理).
    ChronicDisease,
    /// Electronic health records (居民电子健康档案).
    HealthRecords,
}

impl RecordTable {
    /// Every table, in a fixed order.
    pub const ALL: [RecordTable; 5] = [
        RecordTable::Encounters,
        RecordTable::Referrals,
        RecordTable::Contracts,
        RecordTable::ChronicDisease,
        RecordTable::HealthRecords,
    ];

    /// The table's name (file stem and SQL table name).
    pub fn name(self) -> &'static str {
        match self {
            RecordTable::Encounters => "encounters",
            RecordTable::Referrals => "referrals",
            RecordTable::Contracts => "contracts",
            RecordTable::ChronicDisease => "chronic_disease",
            RecordTable::HealthRecords => "health_records",
        }
    }

    /// Reads a table name.
    pub fn parse(text: &str) -> Option<RecordTable> {
        RecordTable::ALL
            .into_iter()
            .find(|t| t.name() == text.trim())
    }
}

/// What a utilisation total counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UsageCount {
    /// Facility side: outpatient and emergency visits (诊疗人次).
    Visits,
    /// Facility side: visits at primary-care institutions (基层诊疗人次).
    PrimaryCareVisits,
    /// Facility side: visits marked TCM (中医诊疗人次).
    TcmVisits,
    /// Facility side: inpatient admissions.
    Admissions,
    /// Facility side: referrals sent to a facility of a higher service level (上转).
    ReferralsUp,
    /// Facility side: referrals sent to a facility of a lower service level (下转).
    ReferralsDown,
    /// Facility side: referrals between facilities of the same service level.
    ReferralsLateral,
    /// Resident side: visits and admissions of the unit's residents, anywhere.
    ResidentEncounters,
    /// Resident side: of those, at facilities in the same unit of the level.
    ResidentEncountersWithin(AdminLevel),
    /// Resident side: admissions of the unit's residents, anywhere.
    ResidentAdmissions,
    /// Resident side: of those, at facilities in the same unit of the level.
    ResidentAdmissionsWithin(AdminLevel),
    /// Resident side: residents with a family-doctor contract in force on 31 December.
    ContractedResidents,
    /// Resident side: of those, residents of a key population (重点人群).
    ContractedKeyResidents,
    /// Resident side: residents of a key population with a health record (the base of
    /// 重点人群签约率).
    KeyResidents,
    /// Resident side: active electronic health records at the year's end (建档人数).
    HealthRecords,
    /// Resident side: patients managed for the condition during the year (年内已管理人数).
    ChronicManaged(Condition),
    /// Resident side: of those, managed to the standard (规范管理人数).
    ChronicStandardised(Condition),
    /// Resident side: of those managed, with the condition under control at the last visit.
    ChronicControlled(Condition),
}

fn level_code(level: AdminLevel) -> &'static str {
    match level {
        AdminLevel::Province => "province",
        AdminLevel::Prefecture => "prefecture",
        AdminLevel::County => "county",
        AdminLevel::Town => "town",
        AdminLevel::Village => "village",
    }
}

fn parse_level(text: &str) -> Option<AdminLevel> {
    AdminLevel::ALL.into_iter().find(|&l| level_code(l) == text)
}

impl UsageCount {
    /// Whether the count belongs to the unit people live in (else: where facilities are).
    pub fn is_resident_side(self) -> bool {
        !matches!(
            self,
            UsageCount::Visits
                | UsageCount::PrimaryCareVisits
                | UsageCount::TcmVisits
                | UsageCount::Admissions
                | UsageCount::ReferralsUp
                | UsageCount::ReferralsDown
                | UsageCount::ReferralsLateral
        )
    }

    /// The table the count is taken from.
    pub fn table(self) -> RecordTable {
        match self {
            UsageCount::Visits
            | UsageCount::PrimaryCareVisits
            | UsageCount::TcmVisits
            | UsageCount::Admissions
            | UsageCount::ResidentEncounters
            | UsageCount::ResidentEncountersWithin(_)
            | UsageCount::ResidentAdmissions
            | UsageCount::ResidentAdmissionsWithin(_) => RecordTable::Encounters,
            UsageCount::ReferralsUp | UsageCount::ReferralsDown | UsageCount::ReferralsLateral => {
                RecordTable::Referrals
            }
            UsageCount::ContractedResidents | UsageCount::ContractedKeyResidents => {
                RecordTable::Contracts
            }
            UsageCount::KeyResidents | UsageCount::HealthRecords => RecordTable::HealthRecords,
            UsageCount::ChronicManaged(_)
            | UsageCount::ChronicStandardised(_)
            | UsageCount::ChronicControlled(_) => RecordTable::ChronicDisease,
        }
    }

    /// Every count, in a fixed order.
    pub fn all() -> Vec<UsageCount> {
        let mut out = vec![
            UsageCount::Visits,
            UsageCount::PrimaryCareVisits,
            UsageCount::TcmVisits,
            UsageCount::Admissions,
            UsageCount::ReferralsUp,
            UsageCount::ReferralsDown,
            UsageCount::ReferralsLateral,
            UsageCount::ResidentEncounters,
        ];
        out.extend(AdminLevel::ALL.map(UsageCount::ResidentEncountersWithin));
        out.push(UsageCount::ResidentAdmissions);
        out.extend(AdminLevel::ALL.map(UsageCount::ResidentAdmissionsWithin));
        out.extend([
            UsageCount::ContractedResidents,
            UsageCount::ContractedKeyResidents,
            UsageCount::KeyResidents,
            UsageCount::HealthRecords,
        ]);
        for c in Condition::ALL {
            out.extend([
                UsageCount::ChronicManaged(c),
                UsageCount::ChronicStandardised(c),
                UsageCount::ChronicControlled(c),
            ]);
        }
        out
    }

    /// Parses the code [`fmt::Display`] writes.
    pub fn parse(text: &str) -> Option<UsageCount> {
        let t = text.trim();
        let simple = match t {
            "visits" => Some(UsageCount::Visits),
            "primary_care_visits" => Some(UsageCount::PrimaryCareVisits),
            "tcm_visits" => Some(UsageCount::TcmVisits),
            "admissions" => Some(UsageCount::Admissions),
            "referrals_up" => Some(UsageCount::ReferralsUp),
            "referrals_down" => Some(UsageCount::ReferralsDown),
            "referrals_lateral" => Some(UsageCount::ReferralsLateral),
            "resident_encounters" => Some(UsageCount::ResidentEncounters),
            "resident_admissions" => Some(UsageCount::ResidentAdmissions),
            "contracted_residents" => Some(UsageCount::ContractedResidents),
            "contracted_key_residents" => Some(UsageCount::ContractedKeyResidents),
            "key_residents" => Some(UsageCount::KeyResidents),
            "health_records" => Some(UsageCount::HealthRecords),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        if let Some(l) = t.strip_prefix("resident_encounters_within_") {
            return parse_level(l).map(UsageCount::ResidentEncountersWithin);
        }
        if let Some(l) = t.strip_prefix("resident_admissions_within_") {
            return parse_level(l).map(UsageCount::ResidentAdmissionsWithin);
        }
        for (prefix, make) in [
            (
                "managed_",
                UsageCount::ChronicManaged as fn(Condition) -> UsageCount,
            ),
            ("standardised_", UsageCount::ChronicStandardised),
            ("controlled_", UsageCount::ChronicControlled),
        ] {
            if let Some(c) = t.strip_prefix(prefix) {
                return Condition::parse(c).map(make);
            }
        }
        None
    }
}

impl fmt::Display for UsageCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageCount::Visits => f.write_str("visits"),
            UsageCount::PrimaryCareVisits => f.write_str("primary_care_visits"),
            UsageCount::TcmVisits => f.write_str("tcm_visits"),
            UsageCount::Admissions => f.write_str("admissions"),
            UsageCount::ReferralsUp => f.write_str("referrals_up"),
            UsageCount::ReferralsDown => f.write_str("referrals_down"),
            UsageCount::ReferralsLateral => f.write_str("referrals_lateral"),
            UsageCount::ResidentEncounters => f.write_str("resident_encounters"),
            UsageCount::ResidentEncountersWithin(l) => {
                write!(f, "resident_encounters_within_{}", level_code(*l))
            }
            UsageCount::ResidentAdmissions => f.write_str("resident_admissions"),
            UsageCount::ResidentAdmissionsWithin(l) => {
                write!(f, "resident_admissions_within_{}", level_code(*l))
            }
            UsageCount::ContractedResidents => f.write_str("contracted_residents"),
            UsageCount::ContractedKeyResidents => f.write_str("contracted_key_residents"),
            UsageCount::KeyResidents => f.write_str("key_residents"),
            UsageCount::HealthRecords => f.write_str("health_records"),
            UsageCount::ChronicManaged(c) => write!(f, "managed_{}", c.code()),
            UsageCount::ChronicStandardised(c) => write!(f, "standardised_{}", c.code()),
            UsageCount::ChronicControlled(c) => write!(f, "controlled_{}", c.code()),
        }
    }
}

/// Utilisation counted from records: totals per unit and year, and which units' years each
/// table covers completely (a unit inside a covered unit with no total had none of it — a
/// true zero; a unit outside every covered one has no data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utilisation {
    /// Totals by unit and year (only non-zero counts are kept).
    pub totals: BTreeMap<(AdminCode, Year), BTreeMap<UsageCount, u64>>,
    /// Units, years and tables the records cover: every record of the unit's residents and
    /// facilities in that table is counted in the totals.
    pub coverage: BTreeSet<(AdminCode, Year, RecordTable)>,
}

impl Utilisation {
    /// Adds `n` to a total.
    pub fn add(&mut self, unit: AdminCode, year: Year, count: UsageCount, n: u64) {
        if n == 0 {
            return;
        }
        *self
            .totals
            .entry((unit, year))
            .or_default()
            .entry(count)
            .or_default() += n;
    }

    /// Whether `unit`'s year is covered by the table: it lies in a covered unit.
    pub fn covers(&self, unit: AdminCode, year: Year, table: RecordTable) -> bool {
        self.coverage
            .iter()
            .any(|&(c, y, t)| y == year && t == table && within(unit, c))
    }

    /// Whether some unit at or below `unit` is covered by the table in `year`.
    pub fn covers_part_of(&self, unit: AdminCode, year: Year, table: RecordTable) -> bool {
        self.coverage
            .iter()
            .any(|&(c, y, t)| y == year && t == table && within(c, unit))
    }

    /// Replaces everything held for `unit`'s subtree in `year` by `other`'s (a new count of
    /// the same records replaces the old one).
    pub fn replace(&mut self, unit: AdminCode, year: Year, other: Utilisation) {
        self.totals
            .retain(|&(c, y), _| !(y == year && within(c, unit)));
        self.coverage
            .retain(|&(c, y, _)| !(y == year && within(c, unit)));
        self.totals.extend(other.totals);
        self.coverage.extend(other.coverage);
    }

    /// The sum of a count over `unit` and everything below it in `year`.
    pub fn sum(&self, unit: AdminCode, year: Year, count: UsageCount) -> u64 {
        self.totals
            .range((unit, Year::MIN)..)
            .take_while(|((c, _), _)| within(*c, unit))
            .filter(|((_, y), _)| *y == year)
            .filter_map(|(_, m)| m.get(&count))
            .sum()
    }

    /// Years with totals, ascending.
    pub fn years(&self) -> Vec<Year> {
        let set: BTreeSet<Year> = self.coverage.iter().map(|&(_, y, _)| y).collect();
        set.into_iter().collect()
    }
}

/// Whether `code` is `root` or lies below it.
pub fn within(code: AdminCode, root: AdminCode) -> bool {
    let (lo, hi) = root.subtree_range();
    (lo..=hi).contains(&code.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in UsageCount::all() {
            assert_eq!(UsageCount::parse(&c.to_string()), Some(c), "{c}");
        }
        assert_eq!(UsageCount::parse("nonsense"), None);
    }

    #[test]
    fn sums_over_the_subtree_only() {
        let code = |s: &str| AdminCode::parse(s).unwrap();
        let y = Year::new(2024).unwrap();
        let mut u = Utilisation::default();
        u.add(code("500109001001"), y, UsageCount::Visits, 5);
        u.add(code("500109002001"), y, UsageCount::Visits, 7);
        u.add(code("500110001001"), y, UsageCount::Visits, 100);
        u.add(
            code("500109001001"),
            Year::new(2023).unwrap(),
            UsageCount::Visits,
            9,
        );
        u.coverage
            .insert((code("500109"), y, RecordTable::Encounters));
        assert_eq!(u.sum(code("500109"), y, UsageCount::Visits), 12);
        assert_eq!(u.sum(code("500109001"), y, UsageCount::Visits), 5);
        assert_eq!(u.sum(code("50"), y, UsageCount::Visits), 112);
        let e = RecordTable::Encounters;
        assert!(u.covers(code("500109001"), y, e));
        assert!(!u.covers(code("500109001"), y, RecordTable::Contracts));
        assert!(!u.covers(code("50"), y, e));
        assert!(u.covers_part_of(code("50"), y, e));
        assert!(!u.covers_part_of(code("500110"), y, e));
    }
}
