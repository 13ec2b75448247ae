//! What an indicator counts: sums of facility quantities, facility counts, population.

use hsplan_model::{
    AdminCode, Capability, Facility, FacilityYear, InstitutionFamily, InstitutionType,
    PopulationRecord, Quantity, RecordTable, ServiceSystem, Specialty, UsageCount, Utilisation,
    Year,
};

/// A set of facilities an indicator looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacilitySet {
    /// Every health institution.
    All,
    /// Hospitals (all kinds).
    Hospitals,
    /// Public hospitals (government or other public).
    PublicHospitals,
    /// Public TCM-type hospitals (TCM, integrated, ethnic medicine).
    PublicTcmHospitals,
    /// Professional public-health institutions.
    PublicHealthInstitutions,
    /// Centres for disease control.
    Cdc,
    /// General hospitals of tier 2 or above.
    SecondaryPlusGeneralHospitals,
    /// TCM-type hospitals of tier 2 or above.
    SecondaryPlusTcmHospitals,
    /// Community, street and township health centres.
    PrimaryCareCentres,
    /// Primary-care institutions (centres, stations, village clinics, clinics…).
    PrimaryCare,
    /// Psychiatric specialised hospitals.
    PsychiatricHospitals,
    /// Hospitals of tier 3 (三级医院), any kind and ownership.
    Tier3Hospitals,
    /// Nursing homes and nursing centres (护理院、护理中心).
    NursingHomes,
}

impl FacilitySet {
    /// Every set, in a fixed order (see [`FacilitySet::index`]).
    pub const ALL: [FacilitySet; 13] = [
        FacilitySet::All,
        FacilitySet::Hospitals,
        FacilitySet::PublicHospitals,
        FacilitySet::PublicTcmHospitals,
        FacilitySet::PublicHealthInstitutions,
        FacilitySet::Cdc,
        FacilitySet::SecondaryPlusGeneralHospitals,
        FacilitySet::SecondaryPlusTcmHospitals,
        FacilitySet::PrimaryCareCentres,
        FacilitySet::PrimaryCare,
        FacilitySet::PsychiatricHospitals,
        FacilitySet::Tier3Hospitals,
        FacilitySet::NursingHomes,
    ];

    /// Position in [`FacilitySet::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether a facility belongs to the set.
    pub fn contains(self, f: &Facility) -> bool {
        let hospital = f.kind.family() == InstitutionFamily::Hospital;
        match self {
            FacilitySet::All => true,
            FacilitySet::Hospitals => hospital,
            FacilitySet::PublicHospitals => hospital && f.is_public(),
            FacilitySet::PublicTcmHospitals => f.kind.is_tcm_hospital() && f.is_public(),
            FacilitySet::PublicHealthInstitutions => {
                f.kind.family() == InstitutionFamily::PublicHealth
            }
            FacilitySet::Cdc => f.kind == InstitutionType::Cdc,
            FacilitySet::SecondaryPlusGeneralHospitals => {
                f.kind == InstitutionType::GeneralHospital && f.grade.is_secondary_or_above()
            }
            FacilitySet::SecondaryPlusTcmHospitals => {
                f.kind.is_tcm_hospital() && f.grade.is_secondary_or_above()
            }
            FacilitySet::PrimaryCareCentres => f.kind.is_primary_care_centre(),
            FacilitySet::PrimaryCare => f.kind.family() == InstitutionFamily::PrimaryCare,
            FacilitySet::PsychiatricHospitals => {
                f.kind == InstitutionType::SpecialisedHospital
                    && f.specialty == Some(Specialty::Psychiatric)
            }
            FacilitySet::Tier3Hospitals => {
                hospital && f.grade.tier() == Some(hsplan_model::Tier::Tier3)
            }
            FacilitySet::NursingHomes => f.kind == InstitutionType::NursingHome,
        }
    }
}

/// The population an indicator divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopulationBase {
    /// Resident population (常住人口).
    Resident,
    /// Children aged 0–14.
    Children0To14,
    /// Children aged 0–2.
    Infants0To2,
}

impl PopulationBase {
    /// The size of this base in a population record, when recorded.
    pub fn of(self, r: &PopulationRecord) -> Option<u64> {
        match self {
            PopulationBase::Resident => Some(r.resident.0),
            PopulationBase::Children0To14 => r.ages.age_0_14.map(|p| p.0),
            PopulationBase::Infants0To2 => r.ages.age_0_2.map(|p| p.0),
        }
    }
}

/// One side of an indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Sum of a quantity over a facility set.
    Quantity(FacilitySet, Quantity),
    /// Licensed plus assistant doctors (执业（助理）医师) over a facility set.
    Doctors(FacilitySet),
    /// Population.
    Population(PopulationBase),
    /// Number of open facilities in a set.
    Facilities(FacilitySet),
    /// Number of open facilities in a set having any of the capabilities.
    FacilitiesWithAny(FacilitySet, &'static [Capability]),
    /// A utilisation total counted from records (see [`hsplan_model::utilisation`]).
    Usage(UsageCount),
    /// The unit's residents' encounters (or admissions only) at facilities inside the unit
    /// itself — the level is the evaluated unit's: a county's 县域内 count.
    ResidentCareWithin {
        /// Admissions only (else visits and admissions).
        admissions: bool,
    },
    /// The same, at facilities outside the unit (住院外流 for admissions).
    ResidentCareOutside {
        /// Admissions only (else visits and admissions).
        admissions: bool,
    },
}

impl Measure {
    /// Whether the measure reads utilisation counted from records.
    pub fn is_usage(self) -> bool {
        matches!(
            self,
            Measure::Usage(_)
                | Measure::ResidentCareWithin { .. }
                | Measure::ResidentCareOutside { .. }
        )
    }
}

/// A utilisation measure for a unit and year: complete where the records cover the unit,
/// partial (one missing contributor) where they cover only part of it, missing otherwise.
pub fn usage_amount(u: &Utilisation, m: Measure, unit: AdminCode, year: Year) -> Amount {
    let level = unit.level();
    let value = match m {
        Measure::Usage(c) => u.sum(unit, year, c),
        Measure::ResidentCareWithin { admissions } => u.sum(unit, year, care(admissions, level).1),
        Measure::ResidentCareOutside { admissions } => {
            let (all, inside) = care(admissions, level);
            u.sum(unit, year, all)
                .saturating_sub(u.sum(unit, year, inside))
        }
        _ => 0,
    } as f64;
    let table = match m {
        Measure::Usage(c) => c.table(),
        _ => RecordTable::Encounters,
    };
    if u.covers(unit, year, table) {
        Amount {
            value,
            missing: 0,
            reported: 1,
        }
    } else if u.covers_part_of(unit, year, table) {
        Amount {
            value,
            missing: 1,
            reported: 1,
        }
    } else {
        Amount {
            value: 0.0,
            missing: 1,
            reported: 0,
        }
    }
}

fn care(admissions: bool, level: hsplan_model::AdminLevel) -> (UsageCount, UsageCount) {
    if admissions {
        (
            UsageCount::ResidentAdmissions,
            UsageCount::ResidentAdmissionsWithin(level),
        )
    } else {
        (
            UsageCount::ResidentEncounters,
            UsageCount::ResidentEncountersWithin(level),
        )
    }
}

/// An aggregated amount, with what was missing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Amount {
    /// Sum over what was reported.
    pub value: f64,
    /// Contributors that should have reported and did not (facilities or units).
    pub missing: usize,
    /// Contributors that did report.
    pub reported: usize,
}

impl Amount {
    /// The amount, when nothing is missing (no facility at all is a true zero).
    pub fn complete(self) -> Option<f64> {
        (self.missing == 0).then_some(self.value)
    }
}

/// Facilities located in `unit` or below it, open at the end of `year`.
pub fn open_facilities_in(
    sys: &ServiceSystem,
    unit: AdminCode,
    year: Year,
) -> impl Iterator<Item = &Facility> {
    // the unit and everything below it: one contiguous range of codes
    let (lo, hi) = unit.subtree_range();
    sys.facilities
        .values()
        .filter(move |f| (lo..=hi).contains(&f.unit.get()) && f.is_open_in(year))
}

fn facility_year<'a>(sys: &'a ServiceSystem, f: &Facility, year: Year) -> Option<&'a FacilityYear> {
    sys.facility_years.get(&(f.id.clone(), year))
}

/// Population of a unit in a year: its own record, else the sum over its children
/// (recursively) when every child has one; missing otherwise.
pub fn population(
    sys: &ServiceSystem,
    unit: AdminCode,
    year: Year,
    base: PopulationBase,
) -> Amount {
    if let Some(r) = sys.population.get(&(unit, year)) {
        return match base.of(r) {
            Some(v) => Amount {
                value: v as f64,
                missing: 0,
                reported: 1,
            },
            None => Amount {
                value: 0.0,
                missing: 1,
                reported: 0,
            },
        };
    }
    let children: Vec<AdminCode> = sys.children(unit).map(|u| u.code).collect();
    if children.is_empty() {
        return Amount {
            value: 0.0,
            missing: 1,
            reported: 0,
        };
    }
    children.into_iter().fold(Amount::default(), |acc, c| {
        let a = population(sys, c, year, base);
        Amount {
            value: acc.value + a.value,
            missing: acc.missing + a.missing,
            reported: acc.reported + a.reported,
        }
    })
}

impl Measure {
    /// Evaluates the measure for a unit (and everything below it) in a year.
    pub fn amount(self, sys: &ServiceSystem, unit: AdminCode, year: Year) -> Amount {
        match self {
            Measure::Population(base) => population(sys, unit, year, base),
            Measure::Quantity(set, q) => {
                sum_facilities(sys, unit, year, set, |fy| fy.get(q).map(|c| c.0 as f64))
            }
            Measure::Doctors(set) => sum_facilities(sys, unit, year, set, |fy| {
                fy.licensed_and_assistant_doctors().map(|c| c.0 as f64)
            }),
            Measure::Facilities(set) => {
                let n = open_facilities_in(sys, unit, year)
                    .filter(|f| set.contains(f))
                    .count();
                Amount {
                    value: n as f64,
                    missing: 0,
                    reported: n,
                }
            }
            Measure::FacilitiesWithAny(set, caps) => sum_facilities(sys, unit, year, set, |fy| {
                Some(if caps.iter().any(|c| fy.capabilities.contains(c)) {
                    1.0
                } else {
                    0.0
                })
            }),
            Measure::Usage(_)
            | Measure::ResidentCareWithin { .. }
            | Measure::ResidentCareOutside { .. } => {
                usage_amount(&sys.utilisation, self, unit, year)
            }
        }
    }
}

fn sum_facilities(
    sys: &ServiceSystem,
    unit: AdminCode,
    year: Year,
    set: FacilitySet,
    get: impl Fn(&FacilityYear) -> Option<f64>,
) -> Amount {
    let mut a = Amount::default();
    for f in open_facilities_in(sys, unit, year).filter(|f| set.contains(f)) {
        match facility_year(sys, f, year).and_then(&get) {
            Some(v) => {
                a.value += v;
                a.reported += 1;
            }
            None => a.missing += 1,
        }
    }
    a
}
