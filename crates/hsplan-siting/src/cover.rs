//! Location set covering (fewest new sites so that every demand point of positive weight is
//! within the threshold of an open site) and p-center (least worst-case cost with p new
//! sites), solved as a sequence of set covering problems over the distinct costs.
//!
//! Set covering: greedy with redundancy removal, then Lagrangian relaxation of the covering
//! rows by subgradient optimisation (Beasley 1990) with a Lagrangian heuristic at every
//! iteration; the bound is rounded up (the objective is a count).

use crate::instance::{DemandIx, Instance, SiteIx};

/// Settings of the set covering solver.
#[derive(Debug, Clone)]
pub struct CoverOptions {
    /// Upper limit of subgradient iterations per covering problem.
    pub lagrangian_iterations: usize,
}

impl Default for CoverOptions {
    fn default() -> Self {
        CoverOptions {
            lagrangian_iterations: 2000,
        }
    }
}

/// A covering problem: rows (demand points still to cover) and columns (free sites).
pub(crate) struct Cover {
    /// Per column: its site.
    pub col_site: Vec<u32>,
    col_start: Vec<u32>,
    col_rows: Vec<u32>,
    row_start: Vec<u32>,
    row_cols: Vec<u32>,
    /// Demands no site reaches within the threshold.
    pub uncoverable: Vec<u32>,
}

impl Cover {
    /// Rows: demands of positive weight not already within `threshold` of a fixed site.
    pub fn new(inst: &Instance, threshold: f64) -> Cover {
        let n = inst.demand_count();
        let mut row_of = vec![u32::MAX; n];
        let mut rows = 0u32;
        let mut uncoverable = Vec::new();
        for (i, slot) in row_of.iter_mut().enumerate() {
            if inst.weight[i] <= 0.0 {
                continue;
            }
            let mut any = false;
            let mut by_fixed = false;
            for k in inst.d_range(i) {
                if inst.d_cost[k] > threshold {
                    break;
                }
                any = true;
                if inst.fixed[inst.d_site[k] as usize] {
                    by_fixed = true;
                    break;
                }
            }
            if threshold >= inst.unreachable || by_fixed {
                continue;
            }
            if !any {
                uncoverable.push(i as u32);
                continue;
            }
            *slot = rows;
            rows += 1;
        }
        let mut col_site = Vec::new();
        let mut col_start = vec![0u32];
        let mut col_rows = Vec::new();
        let mut row_count = vec![0u32; rows as usize + 1];
        for j in 0..inst.site_count() {
            if inst.fixed[j] {
                continue;
            }
            let before = col_rows.len();
            for k in inst.s_range(j) {
                if inst.s_cost[k] > threshold {
                    break;
                }
                let r = row_of[inst.s_demand[k] as usize];
                if r != u32::MAX {
                    col_rows.push(r);
                    row_count[r as usize + 1] += 1;
                }
            }
            if col_rows.len() > before {
                col_site.push(j as u32);
                col_start.push(col_rows.len() as u32);
            }
        }
        for r in 0..rows as usize {
            row_count[r + 1] += row_count[r];
        }
        let row_start = row_count.clone();
        let mut fill = row_count;
        let mut row_cols = vec![0u32; col_rows.len()];
        for c in 0..col_site.len() {
            for k in col_start[c] as usize..col_start[c + 1] as usize {
                let r = col_rows[k] as usize;
                row_cols[fill[r] as usize] = c as u32;
                fill[r] += 1;
            }
        }
        Cover {
            col_site,
            col_start,
            col_rows,
            row_start,
            row_cols,
            uncoverable,
        }
    }

    /// Rows to cover.
    #[allow(dead_code)]
    pub(crate) fn row_count(&self) -> usize {
        self.rows()
    }

    /// Columns covering row r.
    #[allow(dead_code)]
    pub(crate) fn cols_of_row(&self, r: usize) -> &[u32] {
        self.cols_of(r)
    }

    fn rows(&self) -> usize {
        self.row_start.len() - 1
    }

    fn cols(&self) -> usize {
        self.col_site.len()
    }

    fn rows_of(&self, c: usize) -> &[u32] {
        &self.col_rows[self.col_start[c] as usize..self.col_start[c + 1] as usize]
    }

    fn cols_of(&self, r: usize) -> &[u32] {
        &self.row_cols[self.row_start[r] as usize..self.row_start[r + 1] as usize]
    }

    /// Completes `start` to a cover, preferring columns by `key` (lower first) among those
    /// covering an uncovered row, then drops redundant columns, highest key first.
    fn complete(&self, start: &[u32], key: &[f64]) -> Vec<u32> {
        let mut times = vec![0u32; self.rows()];
        let mut chosen: Vec<u32> = start.to_vec();
        let mut taken = vec![false; self.cols()];
        for &c in &chosen {
            taken[c as usize] = true;
            for &r in self.rows_of(c as usize) {
                times[r as usize] += 1;
            }
        }
        for r in 0..self.rows() {
            if times[r] > 0 {
                continue;
            }
            // the column with the lowest key per newly covered row
            let mut best = (f64::INFINITY, u32::MAX);
            for &c in self.cols_of(r) {
                let fresh = self
                    .rows_of(c as usize)
                    .iter()
                    .filter(|&&q| times[q as usize] == 0)
                    .count() as f64;
                let score = if key[c as usize] > 0.0 {
                    key[c as usize] / fresh
                } else {
                    key[c as usize] * fresh
                };
                if score < best.0 || (score == best.0 && c < best.1) {
                    best = (score, c);
                }
            }
            let c = best.1;
            taken[c as usize] = true;
            chosen.push(c);
            for &q in self.rows_of(c as usize) {
                times[q as usize] += 1;
            }
        }
        self.drop_redundant(&mut chosen, &mut times, key);
        chosen.sort_unstable();
        chosen
    }

    fn drop_redundant(&self, chosen: &mut Vec<u32>, times: &mut [u32], key: &[f64]) {
        chosen.sort_by(|a, b| key[*b as usize].total_cmp(&key[*a as usize]).then(a.cmp(b)));
        let mut keep = Vec::with_capacity(chosen.len());
        for &c in chosen.iter() {
            if self
                .rows_of(c as usize)
                .iter()
                .all(|&r| times[r as usize] > 1)
            {
                for &r in self.rows_of(c as usize) {
                    times[r as usize] -= 1;
                }
            } else {
                keep.push(c);
            }
        }
        *chosen = keep;
    }

    /// Greedy by rows newly covered.
    fn greedy(&self) -> Vec<u32> {
        let mut times = vec![0u32; self.rows()];
        let mut left = self.rows();
        let mut heap: std::collections::BinaryHeap<(u32, std::cmp::Reverse<u32>)> = (0..self
            .cols())
            .map(|c| (self.rows_of(c).len() as u32, std::cmp::Reverse(c as u32)))
            .collect();
        let mut chosen = Vec::new();
        while left > 0 {
            let Some((_, std::cmp::Reverse(c))) = heap.pop() else {
                break;
            };
            let fresh = self
                .rows_of(c as usize)
                .iter()
                .filter(|&&r| times[r as usize] == 0)
                .count() as u32;
            if let Some((top, _)) = heap.peek()
                && fresh < *top
            {
                heap.push((fresh, std::cmp::Reverse(c)));
                continue;
            }
            if fresh == 0 {
                break;
            }
            chosen.push(c);
            for &r in self.rows_of(c as usize) {
                if times[r as usize] == 0 {
                    left -= 1;
                }
                times[r as usize] += 1;
            }
        }
        let key: Vec<f64> = (0..self.cols())
            .map(|c| -(self.rows_of(c).len() as f64))
            .collect();
        self.drop_redundant(&mut chosen, &mut times, &key);
        chosen.sort_unstable();
        chosen
    }

    /// Heuristic cover (columns) and a lower bound on its size.
    pub fn solve(&self, opts: &CoverOptions, stop_above: Option<usize>) -> (Vec<u32>, f64, usize) {
        let rows = self.rows();
        if rows == 0 {
            return (Vec::new(), 0.0, 0);
        }
        let mut best = self.greedy();
        let mut u: Vec<f64> = (0..rows)
            .map(|r| {
                self.cols_of(r)
                    .iter()
                    .map(|&c| 1.0 / self.rows_of(c as usize).len() as f64)
                    .fold(0.0, f64::max)
            })
            .collect();
        let mut reduced = vec![0.0; self.cols()];
        let mut g = vec![0.0; rows];
        let mut best_lower: f64 = 1.0;
        let mut theta = 2.0;
        let mut since = 0;
        let mut iterations = 0;
        for it in 0..opts.lagrangian_iterations {
            iterations = it + 1;
            let mut lower: f64 = u.iter().sum();
            let mut picked = Vec::new();
            for c in 0..self.cols() {
                let rc = 1.0 - self.rows_of(c).iter().map(|&r| u[r as usize]).sum::<f64>();
                reduced[c] = rc;
                if rc < 0.0 {
                    lower += rc;
                    picked.push(c as u32);
                }
            }
            if lower > best_lower + 1e-9 {
                best_lower = lower;
                since = 0;
            } else {
                since += 1;
                if since >= 15 {
                    theta /= 2.0;
                    since = 0;
                }
            }
            let candidate = self.complete(&picked, &reduced);
            if candidate.len() < best.len() {
                best = candidate;
            }
            let proven = (best_lower - 1e-6).ceil();
            if proven >= best.len() as f64 || theta < 1e-3 {
                break;
            }
            if let Some(limit) = stop_above
                && proven > limit as f64
            {
                break;
            }
            let mut norm = 0.0;
            for r in 0..rows {
                let covered = self
                    .cols_of(r)
                    .iter()
                    .filter(|&&c| reduced[c as usize] < 0.0)
                    .count() as f64;
                g[r] = 1.0 - covered;
                if u[r] <= 0.0 && g[r] < 0.0 {
                    g[r] = 0.0;
                }
                norm += g[r] * g[r];
            }
            if norm == 0.0 {
                break;
            }
            let step = theta * (best.len() as f64 - lower).max(1e-6) / norm;
            for r in 0..rows {
                u[r] = (u[r] + step * g[r]).max(0.0);
            }
        }
        let lower = (best_lower - 1e-6).ceil().min(best.len() as f64).max(1.0);
        (best, lower, iterations)
    }
}

/// p-center over the distinct costs: the least threshold whose covering needs at most p
/// sites (upper bound, with its sites) and the least threshold not proven to need more
/// (lower bound).
pub(crate) struct CenterOutcome {
    pub chosen: Vec<u32>,
    pub objective: f64,
    pub lower_bound: f64,
    pub covers_solved: usize,
}

pub(crate) fn pcenter(inst: &Instance, p: usize, opts: &CoverOptions) -> CenterOutcome {
    // every demand travels at least to its cheapest listed site
    let mut floor: f64 = 0.0;
    let mut values: Vec<f64> = Vec::with_capacity(inst.arc_count() + 1);
    for i in 0..inst.demand_count() {
        if inst.weight[i] <= 0.0 {
            continue;
        }
        let cheapest = inst
            .d_range(i)
            .next()
            .map(|k| inst.d_cost[k])
            .unwrap_or(inst.unreachable);
        floor = floor.max(cheapest);
    }
    values.extend(inst.d_cost.iter().copied().filter(|&c| c >= floor));
    values.push(inst.unreachable);
    values.sort_by(f64::total_cmp);
    values.dedup();
    let mut covers = 0;
    let mut outcome_at = |k: usize, stop: Option<usize>| {
        covers += 1;
        let cover = Cover::new(inst, values[k]);
        if !cover.uncoverable.is_empty() {
            return (None, f64::INFINITY);
        }
        let (cols, lower, _) = cover.solve(opts, stop);
        let sites: Vec<u32> = cols.iter().map(|&c| cover.col_site[c as usize]).collect();
        (Some(sites), lower)
    };
    // least k whose heuristic cover fits in p (the last value, `unreachable`, always does)
    let (mut lo, mut hi) = (0usize, values.len() - 1);
    let mut proven_infeasible_below = 0usize; // values[..this] need more than p sites
    let mut best_sites: Vec<u32> = Vec::new();
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (sites, lower) = outcome_at(mid, Some(p));
        match sites {
            Some(s) if s.len() <= p => {
                hi = mid;
                best_sites = s;
            }
            _ => {
                if lower > p as f64 {
                    proven_infeasible_below = proven_infeasible_below.max(mid + 1);
                }
                lo = mid + 1;
            }
        }
    }
    if best_sites.is_empty() && hi < values.len() - 1 {
        best_sites = outcome_at(hi, Some(p)).0.unwrap_or_default();
    }
    // tighten the lower bound between the proven-infeasible prefix and the heuristic answer
    let (mut a, mut b) = (proven_infeasible_below, hi);
    while a < b {
        let mid = (a + b) / 2;
        let (_, lower) = outcome_at(mid, Some(p));
        if lower > p as f64 {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    let lower_bound = values[a];
    // pad to p sites by least total cost
    let mut chosen = best_sites;
    let mut open = inst.open_mask(&chosen.iter().map(|&j| SiteIx(j)).collect::<Vec<_>>());
    let free: Vec<u32> = (0..inst.site_count() as u32)
        .filter(|&j| !open[j as usize])
        .collect();
    let want = p.min(chosen.len() + free.len());
    while chosen.len() < want {
        let mut best = (f64::NEG_INFINITY, u32::MAX);
        let nearest: Vec<f64> = (0..inst.demand_count())
            .map(|i| inst.nearest_open(DemandIx(i as u32), &open).1.0)
            .collect();
        for &j in &free {
            if open[j as usize] {
                continue;
            }
            let gain: f64 = inst
                .s_range(j as usize)
                .map(|k| {
                    let i = inst.s_demand[k] as usize;
                    inst.weight[i] * (nearest[i] - inst.s_cost[k]).max(0.0)
                })
                .sum();
            if gain > best.0 {
                best = (gain, j);
            }
        }
        open[best.1 as usize] = true;
        chosen.push(best.1);
    }
    chosen.sort_unstable();
    let objective = inst.max_cost(&chosen.iter().map(|&j| SiteIx(j)).collect::<Vec<_>>());
    CenterOutcome {
        chosen,
        objective,
        lower_bound: lower_bound.min(objective),
        covers_solved: covers,
    }
}
