//! p-median: choose p sites (besides the fixed ones) minimising Σ weight × cost to the
//! nearest open site. Heuristic: lazy greedy, then fast interchange (Whitaker's swap
//! evaluation with gain / loss / extra, best improvement) inside a variable neighbourhood
//! search; bound: Lagrangian relaxation of the assignment constraints by subgradient
//! optimisation, whose solutions also seed the local search. The maximal covering problem is
//! solved by this engine on the 0/1 coverage costs.

use crate::instance::Instance;
use crate::rng::Rng;

const NONE: u32 = u32::MAX;
/// Branch-and-bound nodes times demand × sites allowed: the full 2,000 nodes up to 10^6
/// demand–site pairs (every OR-Library instance), fewer beyond (2 on 10^5 × 10^4).
const TREE_WORK: usize = 2_000_000_000;

/// Subgradient iterations without a better bound before the step is halved.
const SUBGRADIENT_PATIENCE: usize = 40;

/// Settings of the p-median solver.
#[derive(Debug, Clone)]
pub struct PMedianOptions {
    /// Sites to choose besides the fixed ones.
    pub p: usize,
    /// Seed of the neighbourhood search.
    pub seed: u64,
    /// Shakes of the variable neighbourhood search without improvement before it stops.
    pub vns_patience: usize,
    /// Upper limit of subgradient iterations.
    pub lagrangian_iterations: usize,
    /// Nodes the branch and bound may explore to prove the answer optimal (0: none); fewer on
    /// instances of more than 10^6 demand–site pairs.
    pub node_limit: usize,
}

impl PMedianOptions {
    /// Defaults for p sites.
    pub fn new(p: usize) -> PMedianOptions {
        PMedianOptions {
            p,
            seed: 1,
            vns_patience: 200,
            lagrangian_iterations: 3000,
            node_limit: 2000,
        }
    }
}

/// What the p-median engine found.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub chosen: Vec<u32>,
    pub cost: f64,
    pub lower_bound: f64,
    pub local_searches: usize,
    pub subgradient_iterations: usize,
    pub branch_nodes: usize,
}

/// A solution in progress: open sites and each demand's two nearest open sites.
#[derive(Clone)]
pub(crate) struct State<'a> {
    inst: &'a Instance,
    open: Vec<bool>,
    chosen: Vec<u32>,
    pos: Vec<u32>,
    c1: Vec<f64>,
    s1: Vec<u32>,
    c2: Vec<f64>,
    s2: Vec<u32>,
    cost: f64,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance, chosen: &[u32]) -> State<'a> {
        let n = inst.demand_count();
        let m = inst.site_count();
        let mut s = State {
            inst,
            open: inst.fixed.clone(),
            chosen: chosen.to_vec(),
            pos: vec![NONE; m],
            c1: vec![0.0; n],
            s1: vec![NONE; n],
            c2: vec![0.0; n],
            s2: vec![NONE; n],
            cost: 0.0,
        };
        for (k, &j) in chosen.iter().enumerate() {
            s.open[j as usize] = true;
            s.pos[j as usize] = k as u32;
        }
        for i in 0..n {
            s.refresh(i);
        }
        s.recost();
        s
    }

    fn refresh(&mut self, i: usize) {
        let inst = self.inst;
        let u = inst.unreachable;
        let (mut c1, mut s1, mut c2, mut s2) = (u, NONE, u, NONE);
        for k in inst.d_range(i) {
            let j = inst.d_site[k];
            if self.open[j as usize] {
                if s1 == NONE {
                    c1 = inst.d_cost[k];
                    s1 = j;
                } else {
                    c2 = inst.d_cost[k];
                    s2 = j;
                    break;
                }
            }
        }
        self.c1[i] = c1;
        self.s1[i] = s1;
        self.c2[i] = c2;
        self.s2[i] = s2;
    }

    fn recost(&mut self) {
        self.cost = self
            .inst
            .weight
            .iter()
            .zip(&self.c1)
            .map(|(w, c)| w * c)
            .sum();
    }

    fn swap(&mut self, incoming: u32, outgoing: u32) {
        let k = self.pos[outgoing as usize];
        self.open[outgoing as usize] = false;
        self.open[incoming as usize] = true;
        self.pos[outgoing as usize] = NONE;
        self.pos[incoming as usize] = k;
        self.chosen[k as usize] = incoming;
        let inst = self.inst;
        for i in 0..inst.demand_count() {
            if self.s1[i] == outgoing || self.s2[i] == outgoing {
                self.refresh(i);
            }
        }
        for k in inst.s_range(incoming as usize) {
            let i = inst.s_demand[k] as usize;
            if inst.s_cost[k] < self.c2[i] || self.s2[i] == NONE {
                self.refresh(i);
            }
        }
        self.recost();
    }

    /// Best-improvement swaps until none improves (Whitaker's fast interchange).
    fn local_search(&mut self, scratch: &mut Scratch) -> usize {
        let inst = self.inst;
        let m = inst.site_count();
        let p = self.chosen.len();
        if p == 0 {
            return 0;
        }
        let mut rounds = 0;
        loop {
            rounds += 1;
            scratch.gain.clear();
            scratch.gain.resize(m, 0.0);
            scratch.loss.clear();
            scratch.loss.resize(p, 0.0);
            scratch.extra.clear();
            scratch.extra.resize(m * p, 0.0);
            for i in 0..inst.demand_count() {
                let w = inst.weight[i];
                if w == 0.0 {
                    continue;
                }
                let (c1, s1, c2) = (self.c1[i], self.s1[i], self.c2[i]);
                let r = if s1 != NONE {
                    self.pos[s1 as usize]
                } else {
                    NONE
                };
                if r != NONE {
                    scratch.loss[r as usize] += w * (c2 - c1);
                }
                for k in inst.d_range(i) {
                    let c = inst.d_cost[k];
                    if c >= c2 {
                        break;
                    }
                    let j = inst.d_site[k] as usize;
                    if self.open[j] {
                        continue;
                    }
                    if c < c1 {
                        scratch.gain[j] += w * (c1 - c);
                    }
                    if r != NONE {
                        scratch.extra[j * p + r as usize] += w * (c2 - c.max(c1));
                    }
                }
            }
            let mut best = (0.0, NONE, NONE);
            for j in 0..m {
                if self.open[j] || inst.fixed[j] {
                    continue;
                }
                let row = &scratch.extra[j * p..(j + 1) * p];
                for r in 0..p {
                    let profit = scratch.gain[j] - scratch.loss[r] + row[r];
                    if profit > best.0 {
                        best = (profit, j as u32, r as u32);
                    }
                }
            }
            if best.1 == NONE || best.0 <= 1e-9 * self.cost.abs().max(1.0) {
                return rounds;
            }
            let outgoing = self.chosen[best.2 as usize];
            self.swap(best.1, outgoing);
        }
    }
}

#[derive(Default)]
struct Scratch {
    gain: Vec<f64>,
    loss: Vec<f64>,
    extra: Vec<f64>,
}

/// Lazy greedy: repeatedly opens the site that lowers the total cost most.
fn greedy(inst: &Instance, p: usize) -> Vec<u32> {
    let n = inst.demand_count();
    let m = inst.site_count();
    let mut best = vec![inst.unreachable; n];
    for (i, b) in best.iter_mut().enumerate() {
        for k in inst.d_range(i) {
            if inst.fixed[inst.d_site[k] as usize] {
                *b = inst.d_cost[k];
                break;
            }
        }
    }
    let gain_of = |j: usize, best: &[f64]| -> f64 {
        inst.s_range(j)
            .map(|k| {
                let i = inst.s_demand[k] as usize;
                inst.weight[i] * (best[i] - inst.s_cost[k]).max(0.0)
            })
            .sum()
    };
    // max-heap of (stale gain, site) — gains only fall as sites open (submodularity)
    let mut heap: std::collections::BinaryHeap<(Ordered, std::cmp::Reverse<u32>)> = (0..m)
        .filter(|&j| !inst.fixed[j])
        .map(|j| (Ordered(gain_of(j, &best)), std::cmp::Reverse(j as u32)))
        .collect();
    let mut chosen = Vec::with_capacity(p);
    while chosen.len() < p {
        let Some((_, std::cmp::Reverse(j))) = heap.pop() else {
            break;
        };
        let g = gain_of(j as usize, &best);
        if let Some((top, _)) = heap.peek()
            && g < top.0
        {
            heap.push((Ordered(g), std::cmp::Reverse(j)));
            continue;
        }
        chosen.push(j);
        for k in inst.s_range(j as usize) {
            let i = inst.s_demand[k] as usize;
            best[i] = best[i].min(inst.s_cost[k]);
        }
    }
    chosen
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Rounds a lower bound up when every objective value is an integer.
pub(crate) fn tighten(inst: &Instance, bound: f64) -> f64 {
    if inst.integral {
        (bound - 1e-6 * bound.abs().max(1.0)).ceil()
    } else {
        bound
    }
}

fn closed(inst: &Instance, upper: f64, lower: f64) -> bool {
    upper - tighten(inst, lower) <= 1e-9 * upper.abs().max(1.0)
}

/// Solves p-median: heuristic and Lagrangian bound, each improving the other.
pub(crate) fn solve(inst: &Instance, opts: &PMedianOptions) -> Outcome {
    let free: Vec<u32> = (0..inst.site_count() as u32)
        .filter(|&j| !inst.fixed[j as usize])
        .collect();
    let p = opts.p.min(free.len());
    let mut scratch = Scratch::default();
    let mut best = State::new(inst, &greedy(inst, p));
    let mut local_searches = 1;
    best.local_search(&mut scratch);

    // Lagrangian relaxation, its solutions polished by local search
    let (lower, iterations, lambda) =
        lagrangian(inst, p, opts.lagrangian_iterations, &mut best, &mut {
            |s: &mut State| {
                local_searches += 1;
                s.local_search(&mut scratch);
            }
        });
    if closed(inst, best.cost, lower) || p == 0 || p == free.len() {
        return Outcome {
            chosen: sorted(&best.chosen),
            cost: best.cost,
            lower_bound: tighten(inst, lower).min(best.cost),
            local_searches,
            subgradient_iterations: iterations,
            branch_nodes: 0,
        };
    }

    // variable neighbourhood search
    let mut rng = Rng::new(opts.seed);
    let k_max = p.min(free.len() - p).clamp(1, 10);
    let mut k = 1;
    let mut idle = 0;
    while idle < opts.vns_patience && !closed(inst, best.cost, lower) {
        let mut trial = best.clone();
        for _ in 0..k {
            let r = trial.chosen[rng.below(p)];
            let f = loop {
                let f = free[rng.below(free.len())];
                if !trial.open[f as usize] {
                    break f;
                }
            };
            trial.swap(f, r);
        }
        trial.local_search(&mut scratch);
        local_searches += 1;
        if trial.cost < best.cost - 1e-9 * best.cost.abs().max(1.0) {
            best = trial;
            k = 1;
            idle = 0;
        } else {
            k = if k >= k_max { 1 } else { k + 1 };
            idle += 1;
        }
    }
    // branch and bound for the proof (or a better solution)
    let mut lower = tighten(inst, lower);
    let mut branch_nodes = 0;
    if !closed(inst, best.cost, lower) && opts.node_limit > 0 {
        // fewer nodes on big instances: each node's work grows with demand × sites
        let size = inst.demand_count().saturating_mul(inst.site_count()).max(1);
        let limits = TreeLimits {
            nodes: opts.node_limit.min((TREE_WORK / size).max(1)),
            root_iterations: 300,
            node_iterations: 60,
        };
        let (proven, nodes) = branch_and_bound(inst, p, &lambda, &mut best, limits, &mut {
            |s: &mut State| {
                local_searches += 1;
                s.local_search(&mut scratch);
            }
        });
        lower = lower.max(proven);
        branch_nodes = nodes;
    }
    Outcome {
        chosen: sorted(&best.chosen),
        cost: best.cost,
        lower_bound: lower.min(best.cost),
        local_searches,
        subgradient_iterations: iterations,
        branch_nodes,
    }
}

fn sorted(v: &[u32]) -> Vec<u32> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

/// Lagrangian relaxation of Σ_j x_ij + z_i = 1 (z_i: served at the unreachable cost).
/// Returns the best bound and the iterations run; improves `best` with the relaxation's
/// site choices.
fn lagrangian<'a>(
    inst: &'a Instance,
    p: usize,
    max_iter: usize,
    best: &mut State<'a>,
    polish: &mut dyn FnMut(&mut State<'a>),
) -> (f64, usize, Vec<f64>) {
    let n = inst.demand_count();
    let m = inst.site_count();
    let mut lambda: Vec<f64> = (0..n).map(|i| inst.weight[i] * best.c1[i]).collect();
    let mut rho = vec![0.0; m];
    let mut g = vec![0.0; n];
    let mut open = vec![false; m];
    let root = root_standing(inst);
    let mut best_lower = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut since = 0;
    let mut iterations = 0;
    let mut tried: std::collections::HashSet<Vec<u32>> = Default::default();
    let mut best_lambda = lambda.clone();
    for it in 0..max_iter {
        iterations = it + 1;
        let Some(relaxed) = relaxation(inst, p, &root, &lambda, &mut rho) else {
            break; // fewer free sites than p
        };
        let lower = relaxed.lower;
        if best_lower == f64::NEG_INFINITY || lower > best_lower + 1e-9 * best_lower.abs().max(1.0)
        {
            best_lower = lower;
            best_lambda.clone_from(&lambda);
            since = 0;
        } else {
            since += 1;
            if since >= SUBGRADIENT_PATIENCE {
                theta /= 2.0;
                since = 0;
            }
        }
        // the relaxation's sites as a heuristic solution
        if it % 5 == 0 {
            let mut set: Vec<u32> = relaxed.chosen.clone();
            set.sort_unstable();
            if tried.insert(set.clone()) {
                let mut s = State::new(inst, &set);
                if s.cost < best.cost * (1.0 + 0.02) {
                    polish(&mut s);
                    if s.cost < best.cost {
                        *best = s;
                    }
                }
            }
        }
        if closed(inst, best.cost, best_lower) || theta < 1e-4 {
            break;
        }
        open.copy_from_slice(&inst.fixed);
        relaxed.chosen.iter().for_each(|&j| open[j as usize] = true);
        let norm = subgradient(inst, &lambda, &open, relaxed.negative, &mut g);
        if norm == 0.0 {
            break; // the relaxed solution is feasible, hence optimal
        }
        let step = theta * (best.cost - lower).max(1e-9 * best.cost.abs().max(1.0)) / norm;
        for i in 0..n {
            lambda[i] += step * g[i];
        }
    }
    (best_lower, iterations, best_lambda)
}

/// A site's standing in a branch-and-bound node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Open,
    Closed,
    Free,
}

/// Every site's standing at the root: sites fixed open by the instance are counted as
/// fixed (not among the p), the rest free.
fn root_standing(inst: &Instance) -> Vec<Standing> {
    (0..inst.site_count())
        .map(|j| {
            if inst.fixed[j] {
                Standing::Closed
            } else {
                Standing::Free
            }
        })
        .collect()
}

/// The Lagrangian relaxation at multipliers λ (of Σ_j x_ij + z_i = 1) with some sites'
/// standing decided (the root: none).
struct Relaxed {
    /// Its bound.
    lower: f64,
    /// The free sites it opens.
    chosen: Vec<u32>,
    /// Pairs with w_i·c_ij below λ_i (the length of the rows the subgradient would scan).
    negative: usize,
}

/// [`Relaxed`] at `lambda` for sites in `standing`, with every site's ρ_j
/// (Σ_i min(0, w_i·c_ij − λ_i)) left in `rho`; `None` when no choice of p sites fits.
fn relaxation(
    inst: &Instance,
    p: usize,
    standing: &[Standing],
    lambda: &[f64],
    rho: &mut [f64],
) -> Option<Relaxed> {
    let opened = standing.iter().filter(|s| **s == Standing::Open).count();
    let free: Vec<u32> = (0..standing.len() as u32)
        .filter(|&j| standing[j as usize] == Standing::Free)
        .collect();
    if opened > p || opened + free.len() < p {
        return None;
    }
    rho.iter_mut().for_each(|r| *r = 0.0);
    let mut lower: f64 = lambda.iter().sum();
    let mut negative = 0usize;
    for i in 0..inst.demand_count() {
        let w = inst.weight[i];
        let l = lambda[i];
        for k in inst.d_range(i) {
            let v = w * inst.d_cost[k] - l;
            if v >= 0.0 {
                break;
            }
            negative += 1;
            rho[inst.d_site[k] as usize] += v;
        }
        lower += (w * inst.unreachable - l).min(0.0);
    }
    for (j, r) in rho.iter().enumerate() {
        if inst.fixed[j] || standing[j] == Standing::Open {
            lower += r;
        }
    }
    let mut chosen = free;
    let k = p - opened;
    if k > 0 && k < chosen.len() {
        chosen.select_nth_unstable_by(k - 1, |a, b| {
            rho[*a as usize].total_cmp(&rho[*b as usize]).then(a.cmp(b))
        });
    }
    chosen.truncate(k);
    for &j in &chosen {
        lower += rho[j as usize];
    }
    Some(Relaxed {
        lower,
        chosen,
        negative,
    })
}

/// The subgradient at λ for the sites `open` in the relaxation: g_i = 1 − (open sites
/// serving i below λ_i) (0 where the unreachable cost is already below λ_i), counted from
/// the rows or from the open sites' columns, whichever is shorter (`negative`: the rows'
/// length). Returns |g|².
fn subgradient(
    inst: &Instance,
    lambda: &[f64],
    open: &[bool],
    negative: usize,
    g: &mut [f64],
) -> f64 {
    let m = inst.site_count();
    let n = inst.demand_count();
    for i in 0..n {
        g[i] = if inst.weight[i] * inst.unreachable < lambda[i] {
            0.0
        } else {
            1.0
        };
    }
    let column_work: usize = (0..m)
        .filter(|&j| open[j])
        .map(|j| inst.s_range(j).len())
        .sum();
    if column_work < negative {
        for j in (0..m).filter(|&j| open[j]) {
            for k in inst.s_range(j) {
                let i = inst.s_demand[k] as usize;
                if inst.weight[i] * inst.s_cost[k] < lambda[i] {
                    g[i] -= 1.0;
                }
            }
        }
    } else {
        for i in 0..n {
            let w = inst.weight[i];
            let l = lambda[i];
            for k in inst.d_range(i) {
                if w * inst.d_cost[k] >= l {
                    break;
                }
                if open[inst.d_site[k] as usize] {
                    g[i] -= 1.0;
                }
            }
        }
    }
    g.iter().map(|x| x * x).sum()
}

/// How far the branch and bound may go.
#[derive(Clone, Copy)]
struct TreeLimits {
    /// Nodes explored at most.
    nodes: usize,
    /// Subgradient steps at the root and at every other node.
    root_iterations: usize,
    node_iterations: usize,
}

/// One node waiting in the branch-and-bound: every site's standing, the multipliers to start
/// from and the bound of its parent.
struct Node {
    standing: Vec<Standing>,
    lambda: Vec<f64>,
    bound: f64,
}

/// Branch and bound over the Lagrangian relaxation (Beasley 1993), depth first, after the
/// heuristic: each node improves its parent's multipliers by a few subgradient steps, is cut
/// when its bound reaches the best cost, fixes sites by reduced-cost tests, tries its
/// relaxation's sites as a solution (polished by local search), and branches on the free
/// site its relaxation opens with the weakest ρ (open first, then closed). Returns the lower
/// bound proven: the best cost when the tree is exhausted within the node limit, else the
/// lowest bound left in the tree.
fn branch_and_bound<'a>(
    inst: &'a Instance,
    p: usize,
    lambda: &[f64],
    best: &mut State<'a>,
    limits: TreeLimits,
    polish: &mut dyn FnMut(&mut State<'a>),
) -> (f64, usize) {
    let m = inst.site_count();
    let n = inst.demand_count();
    let mut stack = vec![Node {
        standing: root_standing(inst),
        lambda: lambda.to_vec(),
        bound: f64::NEG_INFINITY,
    }];
    let mut rho = vec![0.0; m];
    let mut g = vec![0.0; n];
    let mut opened: Vec<bool> = Vec::with_capacity(m);
    let mut nodes = 0;
    let mut tried: std::collections::HashSet<Vec<u32>> = Default::default();
    while let Some(mut node) = stack.pop() {
        if tighten(inst, node.bound) >= best.cost - 1e-9 * best.cost.abs().max(1.0) {
            continue;
        }
        if nodes >= limits.nodes {
            stack.push(node);
            break;
        }
        nodes += 1;
        // a few subgradient steps from the parent's multipliers
        let mut best_here: Option<(f64, Vec<f64>)> = None;
        let mut theta = 1.0;
        let mut since = 0;
        let iterations = if nodes == 1 {
            limits.root_iterations
        } else {
            limits.node_iterations
        };
        for _ in 0..iterations {
            let Some(relaxed) = relaxation(inst, p, &node.standing, &node.lambda, &mut rho) else {
                break;
            };
            let lower = relaxed.lower;
            if best_here
                .as_ref()
                .is_none_or(|b| lower > b.0 + 1e-9 * b.0.abs().max(1.0))
            {
                best_here = Some((lower, node.lambda.clone()));
                since = 0;
            } else {
                since += 1;
                if since >= 10 {
                    theta /= 2.0;
                    since = 0;
                }
            }
            if tighten(inst, lower) >= best.cost - 1e-9 * best.cost.abs().max(1.0) {
                break;
            }
            opened.clear();
            opened.extend((0..m).map(|j| inst.fixed[j] || node.standing[j] == Standing::Open));
            relaxed
                .chosen
                .iter()
                .for_each(|&j| opened[j as usize] = true);
            let norm = subgradient(inst, &node.lambda, &opened, relaxed.negative, &mut g);
            if norm == 0.0 {
                break;
            }
            let step = theta * (best.cost - lower).max(1e-9 * best.cost.abs().max(1.0)) / norm;
            for i in 0..n {
                node.lambda[i] += step * g[i];
            }
        }
        let Some((_, lambda)) = best_here else {
            continue; // no solution in this node
        };
        let Some(Relaxed { lower, chosen, .. }) =
            relaxation(inst, p, &node.standing, &lambda, &mut rho)
        else {
            continue;
        };
        // the relaxation's sites as a solution
        let mut set: Vec<u32> = (0..m as u32)
            .filter(|&j| node.standing[j as usize] == Standing::Open)
            .chain(chosen.iter().copied())
            .collect();
        set.sort_unstable();
        if tried.insert(set.clone()) {
            let mut s = State::new(inst, &set);
            polish(&mut s);
            if s.cost < best.cost {
                *best = s;
            }
        }
        if tighten(inst, lower) >= best.cost - 1e-9 * best.cost.abs().max(1.0) {
            continue;
        }
        // reduced-cost tests: what opening or closing a free site would cost at least
        let k = p - node
            .standing
            .iter()
            .filter(|s| **s == Standing::Open)
            .count();
        opened.clear();
        opened.resize(m, false);
        chosen.iter().for_each(|&j| opened[j as usize] = true);
        let mut free_out: Vec<u32> = (0..m as u32)
            .filter(|&j| node.standing[j as usize] == Standing::Free && !opened[j as usize])
            .collect();
        free_out.sort_by(|a, b| rho[*a as usize].total_cmp(&rho[*b as usize]));
        let last_in = chosen
            .iter()
            .map(|&j| rho[j as usize])
            .fold(f64::NEG_INFINITY, f64::max);
        let first_out = free_out.first().map(|&j| rho[j as usize]);
        let cut = |b: f64| tighten(inst, b) >= best.cost - 1e-9 * best.cost.abs().max(1.0);
        let mut standing = node.standing.clone();
        if k > 0 {
            for &j in &free_out {
                if cut(lower - last_in + rho[j as usize]) {
                    standing[j as usize] = Standing::Closed;
                }
            }
        }
        match first_out {
            Some(first_out) => {
                for &j in &chosen {
                    if cut(lower - rho[j as usize] + first_out) {
                        standing[j as usize] = Standing::Open;
                    }
                }
            }
            None => chosen
                .iter()
                .for_each(|&j| standing[j as usize] = Standing::Open),
        }
        // branch on the weakest free site the relaxation opens
        let Some(&j) = chosen
            .iter()
            .filter(|&&j| standing[j as usize] == Standing::Free)
            .max_by(|a, b| {
                rho[**a as usize]
                    .total_cmp(&rho[**b as usize])
                    .then(b.cmp(a))
            })
        else {
            // nothing left free among its choices: one more look with the fixings
            if standing != node.standing {
                stack.push(Node {
                    standing,
                    lambda,
                    bound: lower,
                });
            }
            continue;
        };
        let mut closed = standing.clone();
        closed[j as usize] = Standing::Closed;
        stack.push(Node {
            standing: closed,
            lambda: lambda.clone(),
            bound: lower,
        });
        standing[j as usize] = Standing::Open;
        stack.push(Node {
            standing,
            lambda,
            bound: lower,
        });
    }
    let left = stack
        .iter()
        .map(|node| tighten(inst, node.bound))
        .fold(best.cost, f64::min);
    (left, nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Cost, DemandIx, SiteIx, Weight};

    /// Four points on a line 0,1,10,11; two sites to place.
    fn line() -> Instance {
        let xs = [0.0f64, 1.0, 10.0, 11.0];
        let mut arcs = Vec::new();
        for (i, a) in xs.iter().enumerate() {
            for (j, b) in xs.iter().enumerate() {
                arcs.push(Arc {
                    demand: DemandIx(i as u32),
                    site: SiteIx(j as u32),
                    cost: Cost((a - b).abs()),
                });
            }
        }
        Instance::new(&[Weight(1.0); 4], &[false; 4], &arcs, Cost(1000.0)).unwrap()
    }

    #[test]
    fn two_clusters_get_one_site_each_and_the_bound_closes() {
        let inst = line();
        let o = solve(&inst, &PMedianOptions::new(2));
        assert_eq!(o.cost, 2.0);
        assert_eq!(o.lower_bound, 2.0);
        assert!(o.chosen.iter().any(|&j| j < 2) && o.chosen.iter().any(|&j| j >= 2));
    }

    /// The branch and bound on its own — started from the costliest choice of sites, its
    /// relaxation's solutions not polished, multipliers zero — must still end at the optimum
    /// and prove it: a wrong cut or fixing would lose the optimum and still claim a proof.
    #[test]
    fn branch_and_bound_alone_finds_and_proves_the_brute_force_optimum() {
        let mut rng = crate::Rng::new(7);
        let mut proofs = 0;
        for case in 0..300 {
            let (n, m) = (4 + rng.below(12), 3 + rng.below(8));
            let pts = |k: usize, rng: &mut crate::Rng| -> Vec<(f64, f64)> {
                (0..k)
                    .map(|_| (rng.below(100) as f64, rng.below(100) as f64))
                    .collect()
            };
            let (dem, sites) = (pts(n, &mut rng), pts(m, &mut rng));
            let sparse = case % 3 == 0;
            let mut arcs = Vec::new();
            for (i, d) in dem.iter().enumerate() {
                for (j, s) in sites.iter().enumerate() {
                    let c = ((d.0 - s.0).abs() + (d.1 - s.1).abs()).round();
                    if !sparse || c <= 70.0 {
                        arcs.push(Arc {
                            demand: DemandIx(i as u32),
                            site: SiteIx(j as u32),
                            cost: Cost(c),
                        });
                    }
                }
            }
            let weights: Vec<Weight> = (0..n).map(|_| Weight(1.0 + rng.below(9) as f64)).collect();
            let fixed: Vec<bool> = (0..m).map(|j| case % 4 == 1 && j == 0).collect();
            let inst = Instance::new(&weights, &fixed, &arcs, Cost(250.0)).unwrap();
            let free: Vec<u32> = (0..m as u32).filter(|&j| !fixed[j as usize]).collect();
            let p = 1 + rng.below(free.len().min(4));
            let optimum = crate::reference::pmedian(&inst, p);
            // the costliest choice as the starting incumbent
            let mut worst: Option<State> = None;
            let mut choose = vec![0usize; p];
            fn next(choose: &mut [usize], k: usize) -> bool {
                let p = choose.len();
                for i in (0..p).rev() {
                    if choose[i] < k - p + i {
                        choose[i] += 1;
                        for j in i + 1..p {
                            choose[j] = choose[j - 1] + 1;
                        }
                        return true;
                    }
                }
                false
            }
            for (i, c) in choose.iter_mut().enumerate() {
                *c = i;
            }
            loop {
                let set: Vec<u32> = choose.iter().map(|&i| free[i]).collect();
                let s = State::new(&inst, &set);
                if worst.as_ref().is_none_or(|w| s.cost > w.cost) {
                    worst = Some(s);
                }
                if !next(&mut choose, free.len()) {
                    break;
                }
            }
            let mut best = worst.unwrap();
            let lambda = vec![0.0; n];
            // few subgradient steps: weak bounds and poor relaxed solutions, a deep tree
            let limits = TreeLimits {
                nodes: 100_000,
                root_iterations: 2,
                node_iterations: 2,
            };
            let (proven, nodes) =
                branch_and_bound(&inst, p, &lambda, &mut best, limits, &mut |_| {});
            assert!(nodes < 100_000, "case {case}: tree not exhausted");
            assert_eq!(best.cost, optimum, "case {case}: optimum lost");
            assert!(
                proven <= optimum + 1e-9,
                "case {case}: bound {proven} > {optimum}"
            );
            if proven == optimum {
                proofs += 1;
            }
        }
        assert_eq!(proofs, 300, "an exhausted tree proves its answer");
    }

    #[test]
    fn swap_bookkeeping_matches_a_fresh_evaluation() {
        let inst = line();
        let mut s = State::new(&inst, &[0, 1]);
        assert_eq!(s.cost, 19.0);
        s.swap(3, 1);
        assert_eq!(s.cost, inst.total_cost(&[SiteIx(0), SiteIx(3)]));
        let mut scratch = Scratch::default();
        s.local_search(&mut scratch);
        assert_eq!(s.cost, 2.0);
    }
}
