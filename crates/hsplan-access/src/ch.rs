//! Contraction hierarchies (Geisberger, Sanders, Schultes, Delling 2008) with PHAST queries
//! (Delling, Goldberg, Nowatzyk, Werneck 2011): the graph is preprocessed once — nodes
//! contracted in order of importance, shortcuts added where no witness path is found — and
//! a nearest-source query is then one small upward search from the sources followed by a
//! single sweep over every node in descending rank, with no priority queue.
//!
//! [`crate::search::nearest`] (plain Dijkstra) stays the reference: the tests compare the two
//! on random graphs and on the real extracts. Times agree to rounding (a shortcut adds its
//! two arcs before the rest of the path, Dijkstra adds them in path order); where two sources
//! reach a node in the same time within that rounding, either may be reported.

use crate::graph::Graph;
use crate::search::{Item, Reach, Source};
use std::collections::BinaryHeap;

/// A preprocessed graph: every arc and shortcut, split into the upward graph (towards higher
/// rank, searched from the sources) and the downward graph (swept in rank order).
#[derive(Debug, Clone, PartialEq)]
pub struct ContractionHierarchy {
    /// Nodes of the graph.
    nodes: usize,
    /// Node → its rank (0: contracted first).
    rank: Vec<u32>,
    /// Nodes by descending rank: the sweep's order.
    sweep: Vec<u32>,
    /// Upward arcs of node v: `up_offsets[v]..up_offsets[v + 1]` into `up_heads`/`up_weights`.
    up_offsets: Vec<u32>,
    up_heads: Vec<u32>,
    up_weights: Vec<f64>,
    /// Downward arcs into the node at sweep position p, from higher-ranked tails:
    /// `down_offsets[p]..down_offsets[p + 1]`.
    down_offsets: Vec<u32>,
    down_tails: Vec<u32>,
    down_weights: Vec<f64>,
    /// Arcs of the graph (parallel arcs and loops dropped).
    arcs: usize,
    /// Shortcuts added by the contraction (or arcs they shortened).
    shortcuts: usize,
}

/// What preprocessing made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ChStats {
    /// Nodes.
    pub nodes: usize,
    /// Arcs of the graph (parallel arcs and loops dropped).
    pub arcs: usize,
    /// Shortcuts added.
    pub shortcuts: usize,
}

/// The remaining (not yet contracted) graph, both directions, one arc per ordered pair.
struct Remaining {
    out: Vec<Vec<(u32, f64)>>,
    inn: Vec<Vec<(u32, f64)>>,
}

impl Remaining {
    /// Adds an arc, or lowers the one already there; false when an arc as short was there.
    fn add(&mut self, t: u32, h: u32, w: f64) -> bool {
        if let Some(a) = self.out[t as usize].iter_mut().find(|a| a.0 == h) {
            if a.1 <= w {
                return false;
            }
            a.1 = w;
            let b = self.inn[h as usize]
                .iter_mut()
                .find(|b| b.0 == t)
                .expect("the reverse arc is kept with the arc");
            b.1 = w;
            return true;
        }
        self.out[t as usize].push((h, w));
        self.inn[h as usize].push((t, w));
        true
    }
}

/// Bounded searches for witnesses: a path from `u` to `x` avoiding the node being contracted
/// that is no longer than the shortcut would be.
struct Witness {
    dist: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Item>,
}

impl Witness {
    fn new(n: usize) -> Self {
        Witness {
            dist: vec![f64::INFINITY; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Distances from `from` in `g` without `avoid`, exact up to `limit` for the nodes
    /// settled within `settle` steps (others may be left too long: that only adds shortcuts).
    fn run(&mut self, g: &Remaining, from: u32, avoid: u32, limit: f64, settle: usize) {
        for &v in &self.touched {
            self.dist[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[from as usize] = 0.0;
        self.touched.push(from);
        self.heap.push(Item(0.0, from));
        let mut settled = 0;
        while let Some(Item(d, v)) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            settled += 1;
            if d > limit || settled > settle {
                break;
            }
            for &(h, w) in &g.out[v as usize] {
                if h == avoid {
                    continue;
                }
                let nd = d + w;
                if nd < self.dist[h as usize] {
                    if self.dist[h as usize].is_infinite() {
                        self.touched.push(h);
                    }
                    self.dist[h as usize] = nd;
                    self.heap.push(Item(nd, h));
                }
            }
        }
    }
}

/// Steps a witness search may settle while ordering nodes, and while contracting them.
const SETTLE_ORDERING: usize = 40;
const SETTLE_CONTRACTING: usize = 400;

/// The shortcuts contracting `v` needs now: (tail, head, weight).
fn shortcuts_for(
    g: &Remaining,
    v: u32,
    witness: &mut Witness,
    settle: usize,
) -> Vec<(u32, u32, f64)> {
    let mut out = Vec::new();
    let outs = &g.out[v as usize];
    if outs.is_empty() {
        return out;
    }
    let max_out = outs.iter().map(|a| a.1).fold(0.0, f64::max);
    for &(u, wu) in &g.inn[v as usize] {
        witness.run(g, u, v, wu + max_out, settle);
        for &(x, wx) in outs {
            if x == u {
                continue;
            }
            let through = wu + wx;
            if witness.dist[x as usize] > through {
                out.push((u, x, through));
            }
        }
    }
    out
}

impl ContractionHierarchy {
    /// Preprocesses `g`: contracts every node, least important first (edge difference plus
    /// contracted neighbours, updated lazily).
    pub fn build(g: &Graph) -> ContractionHierarchy {
        let n = g.node_count();
        let mut rem = Remaining {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
        };
        let mut arcs = 0;
        for v in 0..n as u32 {
            for (h, w) in g.arcs(v) {
                if h != v && rem.add(v, h, w) {
                    arcs += 1;
                }
            }
        }
        let mut witness = Witness::new(n);
        let mut deleted = vec![0i64; n];
        let priority = |rem: &Remaining, v: u32, deleted: &[i64], witness: &mut Witness| -> i64 {
            let added = shortcuts_for(rem, v, witness, SETTLE_ORDERING).len() as i64;
            let removed = (rem.out[v as usize].len() + rem.inn[v as usize].len()) as i64;
            2 * (added - removed) + deleted[v as usize]
        };
        let mut queue: BinaryHeap<std::cmp::Reverse<(i64, u32)>> = (0..n as u32)
            .map(|v| std::cmp::Reverse((priority(&rem, v, &deleted, &mut witness), v)))
            .collect();
        let mut rank = vec![u32::MAX; n];
        let mut up: Vec<(u32, u32, f64)> = Vec::new();
        let mut down: Vec<(u32, u32, f64)> = Vec::new();
        let mut shortcuts = 0;
        let mut next = 0u32;
        while let Some(std::cmp::Reverse((_, v))) = queue.pop() {
            if rank[v as usize] != u32::MAX {
                continue;
            }
            // Lazy update: contract only if still the least important.
            let now = priority(&rem, v, &deleted, &mut witness);
            if let Some(std::cmp::Reverse((top, _))) = queue.peek()
                && now > *top
            {
                queue.push(std::cmp::Reverse((now, v)));
                continue;
            }
            for (t, h, w) in shortcuts_for(&rem, v, &mut witness, SETTLE_CONTRACTING) {
                if rem.add(t, h, w) {
                    shortcuts += 1;
                }
            }
            rank[v as usize] = next;
            next += 1;
            // Its arcs to the remaining nodes join the hierarchy; then it leaves the graph.
            let outs = std::mem::take(&mut rem.out[v as usize]);
            let ins = std::mem::take(&mut rem.inn[v as usize]);
            for &(x, w) in &outs {
                up.push((v, x, w));
                rem.inn[x as usize].retain(|a| a.0 != v);
                deleted[x as usize] += 1;
            }
            for &(u, w) in &ins {
                down.push((u, v, w));
                rem.out[u as usize].retain(|a| a.0 != v);
                deleted[u as usize] += 1;
            }
        }
        let sweep: Vec<u32> = {
            let mut s: Vec<u32> = (0..n as u32).collect();
            s.sort_by_key(|&v| std::cmp::Reverse(rank[v as usize]));
            s
        };
        let (up_offsets, up_heads, up_weights) = csr(n, up.iter().map(|&(t, h, w)| (t, h, w)));
        let mut position = vec![0u32; n];
        for (p, &v) in sweep.iter().enumerate() {
            position[v as usize] = p as u32;
        }
        let (down_offsets, down_tails, down_weights) = csr(
            n,
            down.iter().map(|&(t, h, w)| (position[h as usize], t, w)),
        );
        ContractionHierarchy {
            nodes: n,
            arcs,
            rank,
            sweep,
            up_offsets,
            up_heads,
            up_weights,
            down_offsets,
            down_tails,
            down_weights,
            shortcuts,
        }
    }

    /// Nodes, arcs and shortcuts.
    pub fn stats(&self) -> ChStats {
        ChStats {
            nodes: self.nodes,
            arcs: self.arcs,
            shortcuts: self.shortcuts,
        }
    }

    /// Nearest-source times to every node within `limit` seconds (∞ beyond), as
    /// [`crate::search::nearest`] gives them: an upward search from the sources, then one
    /// sweep down the ranks.
    pub fn nearest(&self, sources: &[Source], limit: f64) -> Reach {
        let n = self.nodes;
        let mut time = vec![f64::INFINITY; n];
        let mut source = vec![u32::MAX; n];
        let mut heap = BinaryHeap::new();
        let better = |t: f64, s: u32, tv: f64, sv: u32| t < tv || (t == tv && s < sv);
        for s in sources {
            let v = s.node as usize;
            if s.offset <= limit && better(s.offset, s.id, time[v], source[v]) {
                time[v] = s.offset;
                source[v] = s.id;
                heap.push(Item(s.offset, s.node));
            }
        }
        while let Some(Item(t, v)) = heap.pop() {
            let vu = v as usize;
            if t > time[vu] {
                continue;
            }
            let src = source[vu];
            for k in self.up_offsets[vu] as usize..self.up_offsets[vu + 1] as usize {
                let h = self.up_heads[k] as usize;
                let nt = t + self.up_weights[k];
                if nt <= limit && better(nt, src, time[h], source[h]) {
                    time[h] = nt;
                    source[h] = src;
                    heap.push(Item(nt, h as u32));
                }
            }
        }
        for (p, &v) in self.sweep.iter().enumerate() {
            let vu = v as usize;
            for k in self.down_offsets[p] as usize..self.down_offsets[p + 1] as usize {
                let u = self.down_tails[k] as usize;
                let nt = time[u] + self.down_weights[k];
                if nt <= limit && better(nt, source[u], time[vu], source[vu]) {
                    time[vu] = nt;
                    source[vu] = source[u];
                }
            }
        }
        Reach { time, source }
    }

    /// The rank of a node (0: contracted first).
    pub fn rank(&self, v: u32) -> u32 {
        self.rank[v as usize]
    }
}

/// Compressed rows of (row, column, weight) over `n` rows, stable within a row.
fn csr(
    n: usize,
    entries: impl Iterator<Item = (u32, u32, f64)> + Clone,
) -> (Vec<u32>, Vec<u32>, Vec<f64>) {
    let mut offsets = vec![0u32; n + 1];
    for (r, _, _) in entries.clone() {
        offsets[r as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let total = offsets[n] as usize;
    let mut fill = offsets.clone();
    let mut cols = vec![0u32; total];
    let mut weights = vec![0f64; total];
    for (r, c, w) in entries {
        let at = fill[r as usize] as usize;
        cols[at] = c;
        weights[at] = w;
        fill[r as usize] += 1;
    }
    (offsets, cols, weights)
}
