//! Data approval per unit and year (DHIS2's workflow): draft → submitted → approved →
//! locked. A unit's state covers its whole subtree: when a district's year is approved,
//! every facility below it is approved for that year.

use crate::roles::Action;
use serde::{Deserialize, Serialize};

/// Where a unit's year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Being entered; data can change.
    Draft,
    /// Sent for approval; data entry is closed until returned.
    Submitted,
    /// Approved; evaluations "on approved data" use it.
    Approved,
    /// Approved and locked; only an unlock with a reason reopens it.
    Locked,
}

impl ApprovalState {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            ApprovalState::Draft => "draft",
            ApprovalState::Submitted => "submitted",
            ApprovalState::Approved => "approved",
            ApprovalState::Locked => "locked",
        }
    }

    /// Parses a code.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Submitted, Self::Approved, Self::Locked]
            .into_iter()
            .find(|s| s.code() == text)
    }

    /// Whether facility-year data under this state may change.
    pub fn editable(self) -> bool {
        self == ApprovalState::Draft
    }

    /// Whether the data counts as approved.
    pub fn approved(self) -> bool {
        self >= ApprovalState::Approved
    }
}

/// A step in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    /// Draft → submitted.
    Submit,
    /// Submitted or approved → draft (sent back, with a reason).
    Return,
    /// Submitted → approved.
    Approve,
    /// Approved → locked.
    Lock,
    /// Locked → draft (with a reason).
    Unlock,
}

/// A step that is not possible from the current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Wrong starting state.
    #[error("cannot {action} data that is {from}")]
    NotFrom {
        /// The step.
        action: &'static str,
        /// The current state.
        from: &'static str,
    },
    /// A reason is required.
    #[error("{action} needs a reason")]
    ReasonRequired {
        /// The step.
        action: &'static str,
    },
}

impl ApprovalAction {
    /// Every step.
    pub const ALL: [ApprovalAction; 5] = [
        ApprovalAction::Submit,
        ApprovalAction::Return,
        ApprovalAction::Approve,
        ApprovalAction::Lock,
        ApprovalAction::Unlock,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            ApprovalAction::Submit => "submit",
            ApprovalAction::Return => "return",
            ApprovalAction::Approve => "approve",
            ApprovalAction::Lock => "lock",
            ApprovalAction::Unlock => "unlock",
        }
    }

    /// Parses a code.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == text)
    }

    /// The permission the step needs on the unit.
    pub fn needs(self) -> Action {
        match self {
            ApprovalAction::Submit => Action::Submit,
            ApprovalAction::Return | ApprovalAction::Approve | ApprovalAction::Lock => {
                Action::Approve
            }
            ApprovalAction::Unlock => Action::Unlock,
        }
    }

    /// The state after the step, or why it is not possible.
    pub fn apply(
        self,
        from: ApprovalState,
        reason: Option<&str>,
    ) -> Result<ApprovalState, TransitionError> {
        use ApprovalState::*;
        let to = match (self, from) {
            (ApprovalAction::Submit, Draft) => Submitted,
            (ApprovalAction::Return, Submitted | Approved) => Draft,
            (ApprovalAction::Approve, Submitted) => Approved,
            (ApprovalAction::Lock, Approved) => Locked,
            (ApprovalAction::Unlock, Locked) => Draft,
            _ => {
                return Err(TransitionError::NotFrom {
                    action: self.code(),
                    from: from.code(),
                });
            }
        };
        if matches!(self, ApprovalAction::Return | ApprovalAction::Unlock)
            && reason.is_none_or(|r| r.trim().is_empty())
        {
            return Err(TransitionError::ReasonRequired {
                action: self.code(),
            });
        }
        Ok(to)
    }
}

/// The state that governs a unit's year: the strongest among the unit's own record and
/// its ancestors' (`states` holds the recorded ones on the path; none recorded = draft).
pub fn effective(states: impl IntoIterator<Item = ApprovalState>) -> ApprovalState {
    states.into_iter().max().unwrap_or(ApprovalState::Draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApprovalState::*;

    #[test]
    fn the_whole_workflow() {
        let s = ApprovalAction::Submit.apply(Draft, None).unwrap();
        assert_eq!(s, Submitted);
        let s = ApprovalAction::Approve.apply(s, None).unwrap();
        let s = ApprovalAction::Lock.apply(s, None).unwrap();
        assert_eq!(s, Locked);
        assert!(!s.editable() && s.approved());
        assert_eq!(
            ApprovalAction::Unlock.apply(s, None),
            Err(TransitionError::ReasonRequired { action: "unlock" })
        );
        assert_eq!(
            ApprovalAction::Unlock.apply(s, Some("typo in beds")),
            Ok(Draft)
        );
    }

    #[test]
    fn impossible_steps_are_refused() {
        for a in ApprovalAction::ALL {
            for from in [Draft, Submitted, Approved, Locked] {
                if let Ok(to) = a.apply(from, Some("r")) {
                    assert_ne!(to, from, "{a:?} from {from:?}");
                }
            }
        }
        assert!(ApprovalAction::Lock.apply(Submitted, None).is_err());
        assert!(ApprovalAction::Approve.apply(Draft, None).is_err());
    }

    #[test]
    fn a_district_state_covers_its_subtree() {
        assert_eq!(effective([]), Draft);
        assert_eq!(effective([Draft, Approved]), Approved);
        assert_eq!(effective([Submitted, Locked, Draft]), Locked);
    }
}
