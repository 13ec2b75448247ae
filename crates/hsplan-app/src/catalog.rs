//! What hsplan ships: the five encoded seed plans and the seed plans' allocation
//! standards, compiled in so every front end has them without a file path.

use crate::{AppError, Result};
use hsplan_plan::Plan;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The encoded plans: (file name, text).
pub const PLAN_FILES: [(&str, &str); 5] = [
    (
        "data/plans/beibei.toml",
        include_str!("../../../data/plans/beibei.toml"),
    ),
    (
        "data/plans/chongqing.toml",
        include_str!("../../../data/plans/chongqing.toml"),
    ),
    (
        "data/plans/dadukou.toml",
        include_str!("../../../data/plans/dadukou.toml"),
    ),
    (
        "data/plans/leshan.toml",
        include_str!("../../../data/plans/leshan.toml"),
    ),
    (
        "data/plans/tongliang.toml",
        include_str!("../../../data/plans/tongliang.toml"),
    ),
];

/// The seed plans' allocation standards.
pub const SEED_STANDARDS: (&str, &str) = (
    "data/standards/seeds.toml",
    include_str!("../../../data/standards/seeds.toml"),
);

/// The built-in plans by id (loaded once; they are checked by the tests, so they load).
pub fn plans() -> &'static BTreeMap<String, Plan> {
    static PLANS: OnceLock<BTreeMap<String, Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        PLAN_FILES
            .iter()
            .filter_map(|(file, text)| hsplan_plan::load(file, text).ok())
            .map(|p| (p.data.plan.id.get_ref().clone(), p))
            .collect()
    })
}

/// A built-in plan by id.
pub fn plan(id: &str) -> Result<&'static Plan> {
    plans()
        .get(id)
        .ok_or_else(|| AppError::NotFound(format!("plan {id}")))
}

/// The plans a workspace works with: the built-in ones, with a shared store's newest
/// edited version of a plan in its place.
#[derive(Debug, Clone)]
pub struct PlanSet {
    plans: BTreeMap<String, Plan>,
    /// The stored version each edited plan is at (absent: the built-in text, version 0).
    versions: BTreeMap<String, i64>,
}

impl PlanSet {
    /// The built-in plans as shipped.
    pub fn built_in() -> PlanSet {
        PlanSet {
            plans: plans().clone(),
            versions: BTreeMap::new(),
        }
    }

    /// A plan by id.
    pub fn get(&self, id: &str) -> Result<&Plan> {
        self.plans
            .get(id)
            .ok_or_else(|| AppError::NotFound(format!("plan {id}")))
    }

    /// Every plan by id.
    pub fn all(&self) -> &BTreeMap<String, Plan> {
        &self.plans
    }

    /// The version a plan is at: 0 for the built-in text, then 1, 2, … as it is edited.
    pub fn version(&self, id: &str) -> i64 {
        self.versions.get(id).copied().unwrap_or(0)
    }

    /// The same set with `plan` at `version` in place of the plan of the same id.
    pub fn with(&self, plan: Plan, version: i64) -> PlanSet {
        let mut next = self.clone();
        let id = plan.data.plan.id.get_ref().clone();
        next.versions.insert(id.clone(), version);
        next.plans.insert(id, plan);
        next
    }
}

/// The seed standards (loaded once).
pub fn standards() -> &'static hsplan_standards::RuleSet {
    static RULES: OnceLock<hsplan_standards::RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        hsplan_standards::load(SEED_STANDARDS.0, SEED_STANDARDS.1)
            .expect("the seed standards load (checked by the tests)")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_built_in_plan_loads() {
        for (file, text) in super::PLAN_FILES {
            hsplan_plan::load(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        assert_eq!(super::plans().len(), 5);
        assert!(!super::standards().rules.is_empty());
    }
}
