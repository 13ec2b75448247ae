//! The exact path: each model as a mixed-integer programme solved by HiGHS (through
//! `good_lp`), started from the heuristic's solution. Feature `highs`.
//!
//! Formulations (y_j: site j open, fixed sites bounded to 1; Σ free y_j = p where p applies):
//! - p-median: min Σ w_i c_ij x_ij + Σ w_i U z_i, Σ_j x_ij + z_i = 1, x_ij ≤ y_j;
//! - MCLP: max Σ w_i v_i, v_i ≤ Σ_{c_ij ≤ T} y_j;
//! - LSCP: min Σ free y_j, Σ_{c_ij ≤ T} y_j ≥ 1 for each demand still to cover;
//! - p-center: min D, assignment as p-median, D ≥ Σ_j c_ij x_ij + U z_i.
//!
//! When the time limit stops HiGHS, the better of its incumbent and the heuristic's answer
//! is returned with the heuristic's bound.

use crate::cover::Cover;
use crate::instance::{Cost, Instance, SiteIx};
use crate::{Model, SitingError, Solution};
use good_lp::solvers::highs::highs;
use good_lp::solvers::{SolutionStatus, WithInitialSolution};
use good_lp::{
    Expression, ProblemVariables, Solution as _, SolverModel, Variable, constraint, variable,
};

/// Solves `heuristic.model` exactly (within `time_limit_s`), starting from `heuristic`.
pub fn solve(
    inst: &Instance,
    heuristic: &Solution,
    p: usize,
    threshold: Option<Cost>,
    time_limit_s: f64,
) -> Result<Solution, SitingError> {
    let model = heuristic.model;
    let m = inst.site_count();
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = (0..m)
        .map(|j| {
            if inst.fixed[j] {
                vars.add(variable().binary().min(1.0))
            } else {
                vars.add(variable().binary())
            }
        })
        .collect();
    let t = threshold.map(|c| c.0).unwrap_or(f64::INFINITY);
    let mut constraints = Vec::new();
    let mut count = Expression::from(0.0);
    for j in 0..m {
        if !inst.fixed[j] {
            count.add_mul(1.0, y[j]);
        }
    }
    let mut start: Vec<(Variable, f64)> = {
        let open = inst.open_mask(&heuristic.chosen);
        y.iter()
            .zip(&open)
            .map(|(v, &o)| (*v, o as u8 as f64))
            .collect()
    };
    let objective: Expression;
    let mut maximise = false;
    match model {
        Model::PMedian | Model::PCenter => {
            constraints.push(constraint!(count == p as f64));
            let mut total = Expression::from(0.0);
            let d = vars.add(variable().min(0.0));
            for i in 0..inst.demand_count() {
                let w = inst.weight[i];
                if model == Model::PCenter && w <= 0.0 {
                    continue;
                }
                let z = vars.add(variable().min(0.0).max(1.0));
                let mut assigned = Expression::from(0.0);
                assigned.add_mul(1.0, z);
                let mut served_cost = Expression::from(0.0);
                served_cost.add_mul(inst.unreachable, z);
                total.add_mul(w * inst.unreachable, z);
                for k in inst.d_range(i) {
                    let j = inst.d_site[k] as usize;
                    let x = vars.add(variable().min(0.0).max(1.0));
                    assigned.add_mul(1.0, x);
                    served_cost.add_mul(inst.d_cost[k], x);
                    total.add_mul(w * inst.d_cost[k], x);
                    constraints.push(constraint!(x <= y[j]));
                }
                constraints.push(constraint!(assigned == 1.0));
                if model == Model::PCenter {
                    constraints.push(constraint!(served_cost <= d));
                }
            }
            if model == Model::PCenter {
                start.push((d, heuristic.objective));
                objective = Expression::from(d);
            } else {
                objective = total;
            }
        }
        Model::Mclp => {
            constraints.push(constraint!(count == p as f64));
            let mut total = Expression::from(0.0);
            for i in 0..inst.demand_count() {
                let w = inst.weight[i];
                let covering: Vec<usize> = inst
                    .d_range(i)
                    .take_while(|&k| inst.d_cost[k] <= t)
                    .map(|k| inst.d_site[k] as usize)
                    .collect();
                if w <= 0.0 || covering.is_empty() {
                    continue;
                }
                let v = vars.add(variable().min(0.0).max(1.0));
                let mut sum = Expression::from(0.0);
                for j in covering {
                    sum.add_mul(1.0, y[j]);
                }
                constraints.push(constraint!(v <= sum));
                total.add_mul(w, v);
            }
            objective = total;
            maximise = true;
        }
        Model::Lscp => {
            let cover = Cover::new(inst, t);
            for r in 0..cover.row_count() {
                let mut sum = Expression::from(0.0);
                for &c in cover.cols_of_row(r) {
                    sum.add_mul(1.0, y[cover.col_site[c as usize] as usize]);
                }
                constraints.push(constraint!(sum >= 1.0));
            }
            objective = count.clone();
        }
    }
    let problem = if maximise {
        vars.maximise(objective.clone())
    } else {
        vars.minimise(objective.clone())
    };
    let mut problem = problem
        .using(highs)
        .set_time_limit(time_limit_s)
        .set_threads(1)
        .with_initial_solution(start);
    problem.set_verbose(false);
    for c in constraints {
        problem.add_constraint(c);
    }
    let solution = problem
        .solve()
        .map_err(|e| SitingError::Solver(e.to_string()))?;
    let optimal = matches!(solution.status(), SolutionStatus::Optimal);
    let chosen: Vec<SiteIx> = (0..m)
        .filter(|&j| !inst.fixed[j] && solution.value(y[j]) > 0.5)
        .map(|j| SiteIx(j as u32))
        .collect();
    let objective = match model {
        Model::PMedian => inst.total_cost(&chosen),
        Model::Mclp => inst.covered_weight(&chosen, Cost(t)),
        Model::PCenter => inst.max_cost(&chosen),
        Model::Lscp => chosen.len() as f64,
    };
    let better = if model.maximises() {
        objective >= heuristic.objective
    } else {
        objective <= heuristic.objective
    };
    let (chosen, objective) = if better {
        (chosen, objective)
    } else {
        (heuristic.chosen.clone(), heuristic.objective)
    };
    let bound = if optimal { objective } else { heuristic.bound };
    Ok(Solution {
        model,
        chosen,
        objective,
        bound,
        gap: crate::gap(objective, bound),
        uncoverable: heuristic.uncoverable.clone(),
        method: crate::Method::Mip {
            optimal,
            time_limit_s,
        },
    })
}
