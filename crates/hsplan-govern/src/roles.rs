//! Roles granted on unit subtrees, and what each allows.

use hsplan_model::{AdminCode, ServiceSystem};
use serde::{Deserialize, Serialize};

/// A role, granted on a unit and everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users and grants.
    Admin,
    /// Reads everything in scope, runs analyses, imports registers, edits plans.
    Planner,
    /// Enters and uploads facility-year data in scope and submits it.
    DataEntry,
    /// Approves, returns, locks and unlocks submitted data in scope.
    Approver,
    /// Reads.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Planner,
        Role::DataEntry,
        Role::Approver,
        Role::Viewer,
    ];

    /// Stable code (`admin`, `planner`, `data_entry`, `approver`, `viewer`).
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::DataEntry => "data_entry",
            Role::Approver => "approver",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a code (also `data-entry`).
    pub fn parse(text: &str) -> Option<Role> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.code() == t)
    }

    /// Whether the role allows the action (within the grant's subtree).
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Planner => matches!(
                action,
                Read | Analyse | EditPlans | ImportRegister | ReadAudit
            ),
            Role::DataEntry => matches!(action, Read | EnterData | Submit),
            Role::Approver => matches!(action, Read | Approve | Unlock | ReadAudit),
            Role::Viewer => matches!(action, Read),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Something a user may be allowed to do on a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See units, facilities, indicators, evaluations, maps, exports.
    Read,
    /// Run analyses (siting, access) and save scenarios.
    Analyse,
    /// Edit plan files.
    EditPlans,
    /// Import registers: units, boundaries, population, facilities.
    ImportRegister,
    /// Enter or upload facility-year resources.
    EnterData,
    /// Submit a unit's year for approval.
    Submit,
    /// Approve, return or lock a unit's year.
    Approve,
    /// Unlock a locked unit's year (with a reason).
    Unlock,
    /// Read the audit log.
    ReadAudit,
    /// Manage users and grants.
    Administer,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 10] = [
        Action::Read,
        Action::Analyse,
        Action::EditPlans,
        Action::ImportRegister,
        Action::EnterData,
        Action::Submit,
        Action::Approve,
        Action::Unlock,
        Action::ReadAudit,
        Action::Administer,
    ];
}

/// A role on a unit's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The unit at the top of the subtree.
    pub unit: AdminCode,
}

/// Whether `unit` is `root` or below it.
pub fn within(unit: AdminCode, root: AdminCode) -> bool {
    unit == root || unit.is_descendant_of(root)
}

/// A signed-in user with their grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// User name.
    pub user: String,
    /// Grants (any order).
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether the user may do `action` on `unit`.
    pub fn can(&self, action: Action, unit: AdminCode) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.allows(action) && within(unit, g.unit))
    }

    /// Whether the user may do `action` somewhere.
    pub fn can_somewhere(&self, action: Action) -> bool {
        self.grants.iter().any(|g| g.role.allows(action))
    }

    /// The tops of the subtrees where the user may do `action`, none below another.
    pub fn roots(&self, action: Action) -> Vec<AdminCode> {
        let mut units: Vec<AdminCode> = self
            .grants
            .iter()
            .filter(|g| g.role.allows(action))
            .map(|g| g.unit)
            .collect();
        units.sort();
        units.dedup();
        let all = units.clone();
        units.retain(|u| !all.iter().any(|o| o != u && u.is_descendant_of(*o)));
        units
    }

    /// A key naming the read scope (equal keys see equal data).
    pub fn scope_key(&self) -> String {
        self.roots(Action::Read)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The part of a service system below `roots` (each root included): its units,
/// population, facilities, their resources and the dataset notes. Nothing from
/// outside is kept — not a parent's name, not a neighbour's total.
pub fn restrict(sys: &ServiceSystem, roots: &[AdminCode]) -> ServiceSystem {
    let inside = |c: AdminCode| roots.iter().any(|r| within(c, *r));
    let mut out = ServiceSystem {
        notes: sys.notes.clone(),
        ..ServiceSystem::default()
    };
    for root in roots {
        // A subtree's codes are contiguous, starting at its root.
        for (code, unit) in sys
            .units
            .range(*root..)
            .take_while(|(c, _)| within(**c, *root))
        {
            out.units.insert(*code, unit.clone());
        }
    }
    for (key, p) in &sys.population {
        if inside(key.0) {
            out.population.insert(*key, p.clone());
        }
    }
    for (id, f) in &sys.facilities {
        if inside(f.unit) {
            out.facilities.insert(id.clone(), f.clone());
        }
    }
    for (key, fy) in &sys.facility_years {
        if out.facilities.contains_key(&key.0) {
            out.facility_years.insert(key.clone(), fy.clone());
        }
    }
    for (key, totals) in &sys.utilisation.totals {
        if inside(key.0) {
            out.utilisation.totals.insert(*key, totals.clone());
        }
    }
    // Coverage of a unit above the scope would say nothing true of the part kept; the
    // scope's roots are covered where a covering unit contains them.
    for &(covered, year, table) in &sys.utilisation.coverage {
        if inside(covered) {
            out.utilisation.coverage.insert((covered, year, table));
        } else {
            for root in roots.iter().filter(|r| within(**r, covered)) {
                out.utilisation.coverage.insert((*root, year, table));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsplan_model::AdminUnit;

    fn code(s: &str) -> AdminCode {
        AdminCode::parse(s).unwrap()
    }

    #[test]
    fn subtree_scope_and_roles() {
        let p = Principal {
            user: "clerk".into(),
            grants: vec![Grant {
                role: Role::DataEntry,
                unit: code("500109"),
            }],
        };
        assert!(p.can(Action::EnterData, code("500109")));
        assert!(p.can(Action::EnterData, code("500109001")));
        assert!(!p.can(Action::EnterData, code("500110001")));
        assert!(!p.can(Action::EnterData, code("5001")));
        assert!(!p.can(Action::Approve, code("500109001")));
        assert!(p.can(Action::Read, code("500109001001")));
        assert_eq!(p.roots(Action::Read), vec![code("500109")]);
    }

    #[test]
    fn roots_drop_nested_grants() {
        let p = Principal {
            user: "u".into(),
            grants: vec![
                Grant {
                    role: Role::Viewer,
                    unit: code("500109001"),
                },
                Grant {
                    role: Role::Planner,
                    unit: code("500109"),
                },
                Grant {
                    role: Role::Viewer,
                    unit: code("500110"),
                },
            ],
        };
        assert_eq!(p.roots(Action::Read), vec![code("500109"), code("500110")]);
        assert_eq!(p.scope_key(), "500109000000,500110000000");
    }

    #[test]
    fn every_role_reads_and_only_admin_administers() {
        for r in Role::ALL {
            assert!(r.allows(Action::Read));
            assert_eq!(r.allows(Action::Administer), r == Role::Admin);
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("data-entry"), Some(Role::DataEntry));
    }

    #[test]
    fn restrict_keeps_only_the_subtree() {
        let mut sys = ServiceSystem::default();
        for (c, n) in [
            ("50", "重庆市"),
            ("5001", "市辖区"),
            ("500109", "北碚区"),
            ("500109001", "天生街道"),
            ("500110", "綦江区"),
            ("500110001", "古南街道"),
        ] {
            sys.units.insert(code(c), AdminUnit::new(code(c), n));
        }
        let r = restrict(&sys, &[code("500109")]);
        let names: Vec<_> = r.units.values().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["北碚区", "天生街道"]);
    }
}
