//! # hsplan-siting
//!
//! Where new facilities should go. Owns the location models — location set covering
//! (LSCP), maximal covering (MCLP), p-median and p-center — over a sparse demand-to-site
//! cost list with existing facilities fixed open, their heuristics (greedy, fast
//! interchange, variable neighbourhood search, Lagrangian heuristics), their lower or upper
//! bounds (Lagrangian relaxation) so that every answer carries its optimality gap, an exact
//! MIP path through HiGHS behind the `highs` feature, brute-force references for tests,
//! and the OR-Library p-median reader.
//!
//! It must not do IO, know about road networks or admin units: travel costs come in from
//! the access engine (or any cost list) and the CLI maps sites back to places.

// Index loops over parallel arrays (CSR offsets, per-demand state) read better than zips.
#![allow(clippy::needless_range_loop)]

pub mod cover;
pub mod instance;
#[cfg(feature = "highs")]
pub mod mip;
pub mod orlib;
pub mod pmedian;
pub mod reference;
mod rng;

pub use cover::CoverOptions;
pub use instance::{Arc, Cost, DemandIx, Instance, SiteIx, Weight};
pub use pmedian::PMedianOptions;
pub use rng::Rng;

/// Errors of the siting engine.
#[derive(Debug, thiserror::Error)]
pub enum SitingError {
    /// The instance or a parameter is unusable.
    #[error("{0}")]
    Input(String),
    /// The exact solver failed.
    #[error("MIP solver: {0}")]
    Solver(String),
}

/// The location models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Location set covering: fewest new sites covering every demand within the threshold.
    Lscp,
    /// Maximal covering: most weight within the threshold with p new sites.
    Mclp,
    /// p-median: least Σ weight × cost with p new sites.
    PMedian,
    /// p-center: least worst-case cost with p new sites.
    PCenter,
}

impl Model {
    /// Whether the objective is maximised (MCLP) rather than minimised.
    pub fn maximises(self) -> bool {
        self == Model::Mclp
    }
}

/// A solved location problem.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Solution {
    /// The model.
    pub model: Model,
    /// The new sites chosen (fixed sites are open besides), ascending.
    pub chosen: Vec<SiteIx>,
    /// Objective: new sites (LSCP), covered weight (MCLP), Σ weight × cost (p-median),
    /// largest cost (p-center).
    pub objective: f64,
    /// Proven bound on the optimum: lower for minimisation, upper for MCLP.
    pub bound: f64,
    /// Relative optimality gap |objective − bound| / |objective| (0 = proven optimal).
    pub gap: f64,
    /// Demand points (of positive weight) that no site reaches within the threshold
    /// (LSCP: left out of the covering; MCLP: cannot be covered).
    pub uncoverable: Vec<DemandIx>,
    /// How it was solved.
    pub method: Method,
}

/// How a solution was found (rendered for people by the caller, in its language).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// p-median engine (p-median, MCLP): greedy, fast interchange, VNS; Lagrangian bound and
    /// a branch and bound over it.
    Interchange {
        /// Local searches run.
        local_searches: usize,
        /// Subgradient iterations of the bound.
        subgradient_iterations: usize,
        /// Nodes of the branch and bound run to prove the answer (0 when the bound alone
        /// closed the gap).
        branch_nodes: usize,
    },
    /// Set covering (LSCP): greedy and Lagrangian heuristic; Lagrangian bound.
    Covering {
        /// Subgradient iterations of the bound.
        subgradient_iterations: usize,
    },
    /// p-center: set covering problems over the distinct costs.
    CoveringSequence {
        /// Covering problems solved.
        covers_solved: usize,
    },
    /// HiGHS MIP started from the heuristic.
    Mip {
        /// Proven optimal by HiGHS; otherwise stopped at the time limit with the
        /// heuristic's bound.
        optimal: bool,
        /// The time limit, seconds.
        time_limit_s: f64,
    },
}

fn gap(objective: f64, bound: f64) -> f64 {
    let d = (objective - bound).abs();
    if d <= 1e-9 * objective.abs().max(1.0) {
        0.0
    } else if objective.abs() > 0.0 {
        d / objective.abs()
    } else {
        f64::INFINITY
    }
}

fn free_sites(inst: &Instance) -> usize {
    inst.site_count() - inst.fixed_count()
}

fn check_p(inst: &Instance, p: usize) -> Result<(), SitingError> {
    if p > free_sites(inst) {
        return Err(SitingError::Input(format!(
            "p = {p} new sites asked for, but only {} candidate sites are not open already",
            free_sites(inst)
        )));
    }
    Ok(())
}

fn sites(v: &[u32]) -> Vec<SiteIx> {
    v.iter().map(|&j| SiteIx(j)).collect()
}

/// p-median with p new sites.
pub fn pmedian(inst: &Instance, opts: &PMedianOptions) -> Result<Solution, SitingError> {
    check_p(inst, opts.p)?;
    let o = pmedian::solve(inst, opts);
    Ok(Solution {
        model: Model::PMedian,
        chosen: sites(&o.chosen),
        objective: o.cost,
        bound: o.lower_bound,
        gap: gap(o.cost, o.lower_bound),
        uncoverable: Vec::new(),
        method: Method::Interchange {
            local_searches: o.local_searches,
            subgradient_iterations: o.subgradient_iterations,
            branch_nodes: o.branch_nodes,
        },
    })
}

/// The 0/1 instance of a covering threshold: cost 0 within it, 1 (unreachable) beyond.
/// Demand points covered by the same set of sites are merged into one of their summed
/// weight (the covered weight of any choice of sites is unchanged).
pub fn coverage_instance(inst: &Instance, threshold: Cost) -> Result<Instance, SitingError> {
    let mut groups: std::collections::HashMap<Vec<u32>, usize> = Default::default();
    let mut weights: Vec<Weight> = Vec::new();
    let mut arcs = Vec::new();
    let mut uncovered = 0.0;
    for i in 0..inst.demand_count() {
        let mut set: Vec<u32> = inst
            .d_range(i)
            .take_while(|&k| inst.d_cost[k] <= threshold.0)
            .map(|k| inst.d_site[k])
            .collect();
        if set.is_empty() {
            uncovered += inst.weight[i];
            continue;
        }
        set.sort_unstable();
        let next = weights.len();
        let g = *groups.entry(set.clone()).or_insert(next);
        if g == next {
            weights.push(Weight(0.0));
            for j in set {
                arcs.push(Arc {
                    demand: DemandIx(g as u32),
                    site: SiteIx(j),
                    cost: Cost(0.0),
                });
            }
        }
        weights[g].0 += inst.weight[i];
    }
    drop(groups);
    // the demand no site covers, as one point
    weights.push(Weight(uncovered));
    Instance::from_arcs(&weights, &inst.fixed, arcs, Cost(1.0))
}

/// Maximal covering with p new sites and a threshold.
pub fn mclp(
    inst: &Instance,
    threshold: Cost,
    opts: &PMedianOptions,
) -> Result<Solution, SitingError> {
    check_p(inst, opts.p)?;
    let zero_one = coverage_instance(inst, threshold)?;
    // No branch and bound: on 0/1 costs each node's local search is slow (ties everywhere)
    // and the Lagrangian gap is already small (≤ 0.04 % on the spopt comparisons).
    let heuristic_and_bound = PMedianOptions {
        node_limit: 0,
        ..opts.clone()
    };
    let o = pmedian::solve(&zero_one, &heuristic_and_bound);
    let total = inst.total_weight().0;
    let objective = total - o.cost;
    let bound = total - o.lower_bound;
    let uncoverable = (0..inst.demand_count())
        .filter(|&i| {
            inst.weight[i] > 0.0
                && inst
                    .d_range(i)
                    .next()
                    .is_none_or(|k| inst.d_cost[k] > threshold.0)
        })
        .map(|i| DemandIx(i as u32))
        .collect();
    Ok(Solution {
        model: Model::Mclp,
        chosen: sites(&o.chosen),
        objective,
        bound,
        gap: gap(objective, bound),
        uncoverable,
        method: Method::Interchange {
            local_searches: o.local_searches,
            subgradient_iterations: o.subgradient_iterations,
            branch_nodes: o.branch_nodes,
        },
    })
}

/// Location set covering at a threshold. Demand that no site reaches is reported, not
/// covered.
pub fn lscp(
    inst: &Instance,
    threshold: Cost,
    opts: &CoverOptions,
) -> Result<Solution, SitingError> {
    let cover = cover::Cover::new(inst, threshold.0);
    let (cols, lower, iterations) = cover.solve(opts, None);
    let mut chosen: Vec<u32> = cols.iter().map(|&c| cover.col_site[c as usize]).collect();
    chosen.sort_unstable();
    let objective = chosen.len() as f64;
    let bound = if objective == 0.0 { 0.0 } else { lower };
    Ok(Solution {
        model: Model::Lscp,
        chosen: sites(&chosen),
        objective,
        bound,
        gap: gap(objective, bound),
        uncoverable: cover.uncoverable.iter().map(|&i| DemandIx(i)).collect(),
        method: Method::Covering {
            subgradient_iterations: iterations,
        },
    })
}

/// p-center with p new sites (unweighted: the worst cost over demand of positive weight).
pub fn pcenter(inst: &Instance, p: usize, opts: &CoverOptions) -> Result<Solution, SitingError> {
    check_p(inst, p)?;
    let o = cover::pcenter(inst, p, opts);
    Ok(Solution {
        model: Model::PCenter,
        chosen: sites(&o.chosen),
        objective: o.objective,
        bound: o.lower_bound,
        gap: gap(o.objective, o.lower_bound),
        uncoverable: Vec::new(),
        method: Method::CoveringSequence {
            covers_solved: o.covers_solved,
        },
    })
}
