//! Checks of a facility-year typed into a form: parts may not exceed their whole, and a
//! change against the year before beyond a threshold is a jump the user must confirm.

use hsplan_model::{FacilityYear, Labelled};
use serde::{Deserialize, Serialize};

/// A relative change beyond which a value counts as a jump (0.5 = ±50 %).
pub const DEFAULT_JUMP: f64 = 0.5;
/// Changes smaller than this many units are never jumps (3 → 5 beds is not news).
pub const MIN_JUMP_UNITS: u64 = 5;

/// A value far from the year before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jump {
    /// The quantity's code.
    pub quantity: String,
    /// The year before's value.
    pub previous: u64,
    /// The value entered.
    pub value: u64,
    /// Relative change (0.6 = +60 %).
    pub change: f64,
}

/// What the checks found: errors refuse the save; jumps ask for confirmation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryCheck {
    /// Located problems (`field: message`) that refuse the save.
    pub errors: Vec<(String, String)>,
    /// Values that changed a lot since the year before.
    pub jumps: Vec<Jump>,
}

/// Checks `entered` against its own wholes and against `previous_year`.
pub fn check(
    entered: &FacilityYear,
    previous_year: Option<&FacilityYear>,
    threshold: f64,
) -> EntryCheck {
    let mut out = EntryCheck::default();
    for p in entered.check() {
        out.errors.push((
            p.part.code().to_string(),
            format!(
                "{} ({}) exceeds {} ({})",
                p.part.code(),
                p.part_value,
                p.whole.code(),
                p.whole_value
            ),
        ));
    }
    if let Some(prev) = previous_year {
        for (q, v) in &entered.quantities {
            let Some(p) = prev.get(*q) else { continue };
            let (p, v) = (p.0, v.0);
            let diff = p.abs_diff(v);
            if diff < MIN_JUMP_UNITS {
                continue;
            }
            let change = if p == 0 {
                f64::INFINITY
            } else {
                (v as f64 - p as f64) / p as f64
            };
            if change.abs() > threshold {
                out.jumps.push(Jump {
                    quantity: q.code().to_string(),
                    previous: p,
                    value: v,
                    change,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsplan_model::{Count, FacilityId, Quantity, Year};

    fn fy(pairs: &[(Quantity, u64)]) -> FacilityYear {
        let mut f = FacilityYear::new(FacilityId::new("F1").unwrap(), Year::new(2024).unwrap());
        for (q, v) in pairs {
            f.quantities.insert(*q, Count(*v));
        }
        f
    }

    #[test]
    fn parts_above_their_whole_are_errors() {
        let c = check(
            &fy(&[(Quantity::Beds, 10), (Quantity::BedsIcu, 12)]),
            None,
            DEFAULT_JUMP,
        );
        assert_eq!(c.errors.len(), 1, "{c:?}");
        assert!(c.errors[0].1.contains("exceeds"));
    }

    #[test]
    fn jumps_need_confirmation_small_changes_do_not() {
        let prev = fy(&[(Quantity::Beds, 100), (Quantity::Ambulances, 2)]);
        let c = check(
            &fy(&[(Quantity::Beds, 160), (Quantity::Ambulances, 5)]),
            Some(&prev),
            DEFAULT_JUMP,
        );
        assert!(c.errors.is_empty());
        assert_eq!(c.jumps.len(), 1);
        assert_eq!(c.jumps[0].quantity, "beds");
        let c = check(&fy(&[(Quantity::Beds, 140)]), Some(&prev), DEFAULT_JUMP);
        assert!(c.jumps.is_empty());
    }
}
