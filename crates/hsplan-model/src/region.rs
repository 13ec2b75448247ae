//! The service system of a region as one value, and its invariants.

use crate::admin::{AdminCode, AdminLevel, AdminUnit};
use crate::facility::{Facility, FacilityId};
use crate::population::PopulationRecord;
use crate::resources::FacilityYear;
use crate::units::Year;
use std::collections::BTreeMap;

/// Everything hsplan knows about a region: units, population, facilities, resources.
///
/// Maps are ordered so iteration (and every output derived from it) is deterministic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceSystem {
    /// Administrative units by code.
    pub units: BTreeMap<AdminCode, AdminUnit>,
    /// Population by unit and year.
    pub population: BTreeMap<(AdminCode, Year), PopulationRecord>,
    /// Facilities by id.
    pub facilities: BTreeMap<FacilityId, Facility>,
    /// Facility resources by facility and year.
    pub facility_years: BTreeMap<(FacilityId, Year), FacilityYear>,
    /// Notes about the data (synthetic, schematic boundaries, remarks), in order.
    pub notes: Vec<crate::DatasetNote>,
    /// Utilisation counted from record-level data, by unit and year.
    pub utilisation: crate::Utilisation,
}

/// A broken invariant of the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// A unit's parent is not in the system.
    #[error("unit {unit}: parent {parent} is missing")]
    MissingParent {
        /// The unit.
        unit: AdminCode,
        /// Its parent code.
        parent: AdminCode,
    },
    /// A unit's kind does not fit its level.
    #[error("unit {unit}: kind {kind} does not fit level {level:?}")]
    KindLevelMismatch {
        /// The unit.
        unit: AdminCode,
        /// Its kind code.
        kind: String,
        /// Its level.
        level: AdminLevel,
    },
    /// Population for an unknown unit.
    #[error("population {year} refers to unknown unit {unit}")]
    PopulationUnknownUnit {
        /// The unit.
        unit: AdminCode,
        /// The year.
        year: Year,
    },
    /// A population record that contradicts itself.
    #[error("population of {unit} in {year}: {problem}")]
    PopulationInconsistent {
        /// The unit.
        unit: AdminCode,
        /// The year.
        year: Year,
        /// What is wrong.
        problem: String,
    },
    /// A facility in an unknown unit.
    #[error("facility {facility} lies in unknown unit {unit}")]
    FacilityUnknownUnit {
        /// The facility.
        facility: FacilityId,
        /// The unit.
        unit: AdminCode,
    },
    /// A facility closed before it opened.
    #[error("facility {facility} closes ({closed}) before it opens ({opened})")]
    ClosedBeforeOpened {
        /// The facility.
        facility: FacilityId,
        /// Opening year.
        opened: Year,
        /// Closing year.
        closed: Year,
    },
    /// Resources for an unknown facility.
    #[error("resources {year} refer to unknown facility {facility}")]
    ResourcesUnknownFacility {
        /// The facility.
        facility: FacilityId,
        /// The year.
        year: Year,
    },
    /// A part reported larger than its whole.
    #[error("resources of {facility} in {year}: {problem}")]
    ResourcesInconsistent {
        /// The facility.
        facility: FacilityId,
        /// The year.
        year: Year,
        /// What is wrong.
        problem: String,
    },
}

impl ServiceSystem {
    /// Every invariant violation, in a deterministic order.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        for unit in self.units.values() {
            if let Some(parent) = unit.parent()
                && !self.units.contains_key(&parent)
            {
                out.push(Violation::MissingParent {
                    unit: unit.code,
                    parent,
                });
            }
            if let Some(kind) = unit.kind
                && kind.level() != unit.level()
            {
                out.push(Violation::KindLevelMismatch {
                    unit: unit.code,
                    kind: kind.to_string(),
                    level: unit.level(),
                });
            }
        }
        for ((code, year), rec) in &self.population {
            if !self.units.contains_key(code) {
                out.push(Violation::PopulationUnknownUnit {
                    unit: *code,
                    year: *year,
                });
            }
            for p in rec.check() {
                out.push(Violation::PopulationInconsistent {
                    unit: *code,
                    year: *year,
                    problem: p.to_string(),
                });
            }
        }
        for f in self.facilities.values() {
            if !self.units.contains_key(&f.unit) {
                out.push(Violation::FacilityUnknownUnit {
                    facility: f.id.clone(),
                    unit: f.unit,
                });
            }
            if let (Some(o), Some(c)) = (f.opened, f.closed)
                && c < o
            {
                out.push(Violation::ClosedBeforeOpened {
                    facility: f.id.clone(),
                    opened: o,
                    closed: c,
                });
            }
        }
        for ((id, year), fy) in &self.facility_years {
            if !self.facilities.contains_key(id) {
                out.push(Violation::ResourcesUnknownFacility {
                    facility: id.clone(),
                    year: *year,
                });
            }
            for p in fy.check() {
                out.push(Violation::ResourcesInconsistent {
                    facility: id.clone(),
                    year: *year,
                    problem: p.to_string(),
                });
            }
        }
        out
    }

    /// The unit a text names: its code, or its id in the system it came from (a DHIS2 uid
    /// kept as [`AdminUnit::source_id`]).
    pub fn find_unit(&self, text: &str) -> Option<&AdminUnit> {
        let t = text.trim();
        match AdminCode::parse(t) {
            Ok(code) => self.units.get(&code),
            Err(_) => self
                .units
                .values()
                .find(|u| u.source_id.as_deref() == Some(t)),
        }
    }

    /// Direct children of a unit, in code order.
    pub fn children(&self, code: AdminCode) -> impl Iterator<Item = &AdminUnit> {
        // Children lie inside the parent's contiguous code range; after each, its own
        // subtree is skipped (a range too), so a unit's children cost one search each.
        let (_, hi) = code.subtree_range();
        let mut from = code.get().checked_add(1);
        std::iter::from_fn(move || {
            loop {
                let start = from.filter(|&f| f <= hi)?;
                let (_, u) = self.units.range(AdminCode::bound(start)..).next()?;
                if u.code.get() > hi {
                    from = None;
                    return None;
                }
                from = u.code.subtree_range().1.checked_add(1);
                if u.parent() == Some(code) {
                    return Some(u);
                }
                // an orphan deeper down (its parent missing): skip its subtree too
            }
        })
    }

    /// The units a report compares below `code`: its children, except that a municipality's
    /// statistical groupings (see [`AdminCode::is_municipal_grouping`]) give way to their own
    /// children — Chongqing's sub-units are its 38 districts, not 市辖区 and 县. In code order.
    pub fn sub_units(&self, code: AdminCode) -> Vec<&AdminUnit> {
        let mut out = Vec::new();
        for u in self.children(code) {
            if u.code.is_municipal_grouping() {
                out.extend(self.children(u.code));
            } else {
                out.push(u);
            }
        }
        out
    }

    /// Units strictly below `code`, in code order (a contiguous range of codes).
    pub fn descendants(&self, code: AdminCode) -> impl Iterator<Item = &AdminUnit> {
        let (_, hi) = code.subtree_range();
        // the highest code of the range may be no valid code itself: compare values
        self.units
            .range(code..)
            .take_while(move |(c, _)| c.get() <= hi)
            .map(|(_, u)| u)
            .filter(move |u| u.code != code)
    }

    /// Number of units per level.
    pub fn count_by_level(&self) -> BTreeMap<AdminLevel, usize> {
        let mut counts = BTreeMap::new();
        for u in self.units.values() {
            *counts.entry(u.level()).or_insert(0) += 1;
        }
        counts
    }

    /// Whether a note of this kind travels with the data.
    pub fn has_note(&self, kind: crate::NoteKind) -> bool {
        self.notes.iter().any(|n| n.kind == kind)
    }

    /// Years with any population or resource record, ascending.
    pub fn years(&self) -> Vec<Year> {
        // a handful of years among many records: a set, not a sort of every key
        let ys: std::collections::BTreeSet<Year> = self
            .population
            .keys()
            .map(|(_, y)| *y)
            .chain(self.facility_years.keys().map(|(_, y)| *y))
            .collect();
        ys.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::UnitKind;

    fn unit(code: &str, name: &str) -> AdminUnit {
        AdminUnit::new(AdminCode::parse(code).unwrap(), name)
    }

    fn system() -> ServiceSystem {
        let mut s = ServiceSystem::default();
        for u in [
            unit("50", "重庆市"),
            unit("5001", "市辖区"),
            unit("500109", "北碚区"),
            unit("500109001", "天生街道"),
            unit("500109001001", "天生社区居民委员会"),
            unit("500110", "綦江区"),
        ] {
            s.units.insert(u.code, u);
        }
        s
    }

    #[test]
    fn complete_hierarchy_is_valid() {
        assert_eq!(system().validate(), vec![]);
    }

    #[test]
    fn missing_parent_is_reported() {
        let mut s = system();
        let orphan = unit("500111001", "某镇");
        s.units.insert(orphan.code, orphan);
        assert_eq!(s.validate().len(), 1);
    }

    #[test]
    fn kind_must_fit_level() {
        let mut s = system();
        s.units
            .get_mut(&AdminCode::parse("500109").unwrap())
            .unwrap()
            .kind = Some(UnitKind::Street);
        assert!(matches!(
            s.validate()[0],
            Violation::KindLevelMismatch { .. }
        ));
    }

    #[test]
    fn children_skipping_subtrees_equal_the_filtered_descendants() {
        let mut s = system();
        // orphans: a town whose county is missing, a village whose town is missing
        for u in [
            unit("500111001", "某镇"),
            unit("500110002003", "某村"),
            unit("500110003", "另一镇"),
            unit("5002", "县"),
            unit("500230", "某县"),
        ] {
            s.units.insert(u.code, u);
        }
        let codes: Vec<AdminCode> = s.units.keys().copied().collect();
        for code in codes {
            let slow: Vec<AdminCode> = s
                .descendants(code)
                .filter(|u| u.parent() == Some(code))
                .map(|u| u.code)
                .collect();
            let fast: Vec<AdminCode> = s.children(code).map(|u| u.code).collect();
            assert_eq!(fast, slow, "children of {code}");
        }
    }

    #[test]
    fn descendants_are_a_code_range() {
        let s = system();
        let d: Vec<_> = s
            .descendants(AdminCode::parse("500109").unwrap())
            .map(|u| u.code.to_string())
            .collect();
        assert_eq!(d, vec!["500109001000", "500109001001"]);
        assert_eq!(s.children(AdminCode::parse("5001").unwrap()).count(), 2);
        // a municipality's groupings give way to their districts
        let sub: Vec<String> = s
            .sub_units(AdminCode::parse("50").unwrap())
            .iter()
            .map(|u| u.code.to_string())
            .collect();
        assert!(!sub.contains(&"5001".to_string()), "{sub:?}");
        assert_eq!(sub, vec!["500109000000", "500110000000"]);
        assert!(!AdminCode::parse("5111").unwrap().is_municipal_grouping());
        assert_eq!(s.descendants(AdminCode::parse("50").unwrap()).count(), 5);
    }
}
