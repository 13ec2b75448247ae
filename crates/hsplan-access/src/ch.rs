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
        Self::build_with_progress(g, &mut |_, _| {})
    }

    /// [`Self::build`], calling `progress(contracted, nodes)` as nodes are contracted.
    pub fn build_with_progress(
        g: &Graph,
        progress: &mut dyn FnMut(usize, usize),
    ) -> ContractionHierarchy {
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
            if next % 4096 == 0 || next as usize == n {
                progress(next as usize, n);
            }
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
        self.query(sources, limit, self.upward_arcs(), self.downward_arcs())
    }

    /// Nearest-target times *from* every node within `limit` seconds (∞ beyond): the time to
    /// reach the closest of `targets` (a target's `offset` is added at the end of the trip),
    /// as [`crate::search::nearest`] gives them on the reversed graph. The same hierarchy
    /// answers both directions: an upward search from the targets over the downward arcs
    /// taken backwards (downward arcs into a node come from higher-ranked tails), then one
    /// sweep over the upward arcs.
    pub fn nearest_to(&self, targets: &[Source], limit: f64) -> Reach {
        self.query(targets, limit, self.downward_arcs(), self.upward_arcs())
    }

    /// Upward arcs, by node: v → higher-ranked heads.
    fn upward_arcs(&self) -> ArcLists<'_> {
        ArcLists {
            offsets: &self.up_offsets,
            ends: &self.up_heads,
            weights: &self.up_weights,
            by_position: false,
        }
    }

    /// Downward arcs, by the sweep position of their head: higher-ranked tails → v.
    fn downward_arcs(&self) -> ArcLists<'_> {
        ArcLists {
            offsets: &self.down_offsets,
            ends: &self.down_tails,
            weights: &self.down_weights,
            by_position: true,
        }
    }

    /// A PHAST query: a search from `sources` over `climb` (each node's arcs to
    /// higher-ranked nodes), then one sweep in descending rank over `sweep` (each node's
    /// arcs from higher-ranked nodes, whose times are final by then).
    fn query(&self, sources: &[Source], limit: f64, climb: ArcLists, sweep: ArcLists) -> Reach {
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
            let row = climb.row(vu, n - 1 - self.rank[vu] as usize);
            for (&h, &w) in climb.ends[row.clone()].iter().zip(&climb.weights[row]) {
                let (h, nt) = (h as usize, t + w);
                if nt <= limit && better(nt, src, time[h], source[h]) {
                    time[h] = nt;
                    source[h] = src;
                    heap.push(Item(nt, h as u32));
                }
            }
        }
        for (p, &v) in self.sweep.iter().enumerate() {
            let vu = v as usize;
            let row = sweep.row(vu, p);
            for (&u, &w) in sweep.ends[row.clone()].iter().zip(&sweep.weights[row]) {
                let u = u as usize;
                let nt = time[u] + w;
                if nt <= limit && better(nt, source[u], time[vu], source[vu]) {
                    time[vu] = nt;
                    source[vu] = source[u];
                }
            }
        }
        Reach { time, source }
    }

    /// Bounded many-to-many travel times *to* targets: for each of `origins` (nodes where
    /// trips start), every target reached within `limit` seconds, as `(origin index, target
    /// id, seconds)` in no particular order (a target's `offset` is added at the end of the
    /// trip, as in [`Self::nearest_to`]). Bucket-based (Knopp, Sanders, Schultes, Schulz,
    /// Wagner 2007): a bounded search from every target over the downward arcs taken
    /// backwards leaves (target, time) in a bucket at each node it settles; a bounded upward
    /// search from every origin then scans the buckets of the nodes it settles. Both sides
    /// stall on demand: a node that a higher-ranked neighbour already reaches faster is not
    /// searched on from, nor bucketed, nor scanned. The work is shared over `threads`;
    /// `progress(done, total)` counts targets then origins.
    pub fn times_to(
        &self,
        origins: &[u32],
        targets: &[Source],
        limit: f64,
        threads: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Vec<(u32, u32, f64)> {
        let n = self.nodes;
        let total = targets.len() + origins.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let tick = |k: usize| {
            let d = done.fetch_add(k, std::sync::atomic::Ordering::Relaxed) + k;
            progress(d, total);
        };
        let threads = threads.max(1);
        // 1. Buckets: (node, target id, seconds) from every target's backward search.
        let parts: Vec<Vec<(u32, u32, f64)>> = std::thread::scope(|scope| {
            let chunk = targets.len().div_ceil(threads).max(1);
            let handles: Vec<_> = targets
                .chunks(chunk)
                .map(|part| {
                    let tick = &tick;
                    scope.spawn(move || {
                        let mut search = UpwardSearch::new(n);
                        let mut entries = Vec::new();
                        for (k, t) in part.iter().enumerate() {
                            search.run(self, t.node, t.offset, limit, Side::Backward, |v, d| {
                                entries.push((v, t.id, d))
                            });
                            if (k + 1) % 64 == 0 {
                                tick(64);
                            }
                        }
                        tick(part.len() % 64);
                        entries
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a bucket thread panicked"))
                .collect()
        });
        let mut offsets = vec![0u32; n + 1];
        for &(v, _, _) in parts.iter().flatten() {
            offsets[v as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut buckets = vec![(0u32, 0f64); offsets[n] as usize];
        for (v, id, d) in parts.into_iter().flatten() {
            buckets[fill[v as usize] as usize] = (id, d);
            fill[v as usize] += 1;
        }
        drop(fill);
        for v in 0..n {
            // by time, so a scan stops at the first entry too far away
            buckets[offsets[v] as usize..offsets[v + 1] as usize]
                .sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        }
        // 2. Scans: every origin's upward search meets the targets' buckets.
        let ids = targets.iter().map(|t| t.id as usize + 1).max().unwrap_or(0);
        let (buckets, offsets) = (&buckets, &offsets);
        std::thread::scope(|scope| {
            let chunk = origins.len().div_ceil(threads).max(1);
            let handles: Vec<_> = origins
                .chunks(chunk)
                .enumerate()
                .map(|(c, part)| {
                    let tick = &tick;
                    scope.spawn(move || {
                        let mut search = UpwardSearch::new(n);
                        let mut best = vec![f64::INFINITY; ids];
                        let mut met: Vec<u32> = Vec::new();
                        let mut out = Vec::new();
                        for (k, &o) in part.iter().enumerate() {
                            search.run(self, o, 0.0, limit, Side::Forward, |v, d| {
                                let row =
                                    offsets[v as usize] as usize..offsets[v as usize + 1] as usize;
                                for &(id, dt) in &buckets[row] {
                                    let t = d + dt;
                                    if t > limit {
                                        break;
                                    }
                                    let b = &mut best[id as usize];
                                    if t < *b {
                                        if b.is_infinite() {
                                            met.push(id);
                                        }
                                        *b = t;
                                    }
                                }
                            });
                            let origin = (c * chunk + k) as u32;
                            for id in met.drain(..) {
                                out.push((origin, id, best[id as usize]));
                                best[id as usize] = f64::INFINITY;
                            }
                            if (k + 1) % 64 == 0 {
                                tick(64);
                            }
                        }
                        tick(part.len() % 64);
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a scan thread panicked"))
                .collect()
        })
    }

    /// The rank of a node (0: contracted first).
    pub fn rank(&self, v: u32) -> u32 {
        self.rank[v as usize]
    }

    /// Appends the hierarchy in its binary form (stored after a graph, see
    /// [`crate::graph::Graph::to_bytes_with`]): magic `HSPLCH01`; u64 arcs, shortcuts, upward
    /// arcs, downward arcs; little-endian arrays rank u32 (nodes), upward offsets u32
    /// (nodes + 1), heads u32, weights f64, downward offsets u32 (nodes + 1, by sweep
    /// position), tails u32, weights f64; then a CRC-32 (IEEE) of all of it, u32.
    pub fn write(&self, b: &mut Vec<u8>) {
        let start = b.len();
        b.extend_from_slice(CH_MAGIC);
        for x in [
            self.arcs,
            self.shortcuts,
            self.up_heads.len(),
            self.down_tails.len(),
        ] {
            b.extend_from_slice(&(x as u64).to_le_bytes());
        }
        let u32s = |b: &mut Vec<u8>, xs: &[u32]| xs.iter().for_each(|x| b.extend(x.to_le_bytes()));
        let f64s = |b: &mut Vec<u8>, xs: &[f64]| xs.iter().for_each(|x| b.extend(x.to_le_bytes()));
        u32s(b, &self.rank);
        u32s(b, &self.up_offsets);
        u32s(b, &self.up_heads);
        f64s(b, &self.up_weights);
        u32s(b, &self.down_offsets);
        u32s(b, &self.down_tails);
        f64s(b, &self.down_weights);
        let crc = crc32fast::hash(&b[start..]);
        b.extend_from_slice(&crc.to_le_bytes());
    }

    /// Reads a hierarchy written by [`Self::write`] for a graph of `nodes` nodes (the whole
    /// of `b`), checking its checksum and structure: ranks a permutation, offsets in order,
    /// every upward arc towards a higher rank and every downward arc from one, weights
    /// finite and non-negative.
    pub fn read(b: &[u8], nodes: usize) -> Result<ContractionHierarchy, String> {
        let mut cur = Cursor { b, at: 0 };
        if cur.take(8)? != CH_MAGIC {
            return Err("not a contraction hierarchy (bad magic)".into());
        }
        if b.len() < 12 {
            return Err("truncated contraction hierarchy".into());
        }
        let (body, sum) = b.split_at(b.len() - 4);
        if crc32fast::hash(body) != u32::from_le_bytes(sum.try_into().expect("4 bytes")) {
            return Err(
                "corrupt contraction hierarchy: its checksum does not match (the file \
                        was changed or damaged; build it again)"
                    .into(),
            );
        }
        let arcs = cur.u64()?;
        let shortcuts = cur.u64()?;
        let ups = cur.u64()?;
        let downs = cur.u64()?;
        let rank = cur.u32s(nodes)?;
        let up_offsets = cur.u32s(nodes + 1)?;
        let up_heads = cur.u32s(ups)?;
        let up_weights = cur.f64s(ups)?;
        let down_offsets = cur.u32s(nodes + 1)?;
        let down_tails = cur.u32s(downs)?;
        let down_weights = cur.f64s(downs)?;
        if cur.at != b.len() - 4 {
            return Err("contraction hierarchy size does not match its counts".into());
        }
        let mut sweep = vec![u32::MAX; nodes];
        for (v, &r) in rank.iter().enumerate() {
            let r = r as usize;
            if r >= nodes || sweep[nodes - 1 - r] != u32::MAX {
                return Err("corrupt contraction hierarchy: ranks are not a permutation".into());
            }
            sweep[nodes - 1 - r] = v as u32;
        }
        let offsets_ok = |o: &[u32], total: usize| {
            o.first() == Some(&0)
                && o.last().map(|&x| x as usize) == Some(total)
                && o.windows(2).all(|w| w[0] <= w[1])
        };
        let weights_ok = |w: &[f64]| w.iter().all(|w| w.is_finite() && *w >= 0.0);
        let corrupt = || "corrupt contraction hierarchy: arcs out of range".to_string();
        if !offsets_ok(&up_offsets, ups)
            || !offsets_ok(&down_offsets, downs)
            || !weights_ok(&up_weights)
            || !weights_ok(&down_weights)
        {
            return Err(corrupt());
        }
        for v in 0..nodes {
            for &h in &up_heads[up_offsets[v] as usize..up_offsets[v + 1] as usize] {
                if h as usize >= nodes || rank[h as usize] <= rank[v] {
                    return Err(corrupt());
                }
            }
        }
        for (p, &v) in sweep.iter().enumerate() {
            for &t in &down_tails[down_offsets[p] as usize..down_offsets[p + 1] as usize] {
                if t as usize >= nodes || rank[t as usize] <= rank[v as usize] {
                    return Err(corrupt());
                }
            }
        }
        Ok(ContractionHierarchy {
            nodes,
            rank,
            sweep,
            up_offsets,
            up_heads,
            up_weights,
            down_offsets,
            down_tails,
            down_weights,
            arcs,
            shortcuts,
        })
    }
}

/// Which way an [`UpwardSearch`] goes: forward from an origin over the upward arcs, or
/// backward from a target over the downward arcs taken backwards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Forward,
    Backward,
}

/// A bounded search up the hierarchy with stall-on-demand, reusing its node arrays.
struct UpwardSearch {
    time: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Item>,
}

impl UpwardSearch {
    fn new(n: usize) -> Self {
        UpwardSearch {
            time: vec![f64::INFINITY; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Searches from `from` (starting at `offset` seconds) up to `limit`, calling
    /// `settled(node, seconds)` for every node settled and not stalled.
    fn run(
        &mut self,
        h: &ContractionHierarchy,
        from: u32,
        offset: f64,
        limit: f64,
        side: Side,
        mut settled: impl FnMut(u32, f64),
    ) {
        for &v in &self.touched {
            self.time[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        if offset.is_nan() || offset > limit {
            return;
        }
        let (climb, stall) = match side {
            Side::Forward => (h.upward_arcs(), h.downward_arcs()),
            Side::Backward => (h.downward_arcs(), h.upward_arcs()),
        };
        let n = h.nodes;
        self.time[from as usize] = offset;
        self.touched.push(from);
        self.heap.push(Item(offset, from));
        while let Some(Item(t, v)) = self.heap.pop() {
            let vu = v as usize;
            if t > self.time[vu] {
                continue;
            }
            let position = n - 1 - h.rank[vu] as usize;
            // Stalled: a higher-ranked neighbour reaches this node faster, so its time here
            // is not a shortest one and nothing found through it can be.
            let row = stall.row(vu, position);
            let stalled = stall.ends[row.clone()]
                .iter()
                .zip(&stall.weights[row])
                .any(|(&u, &w)| self.time[u as usize] + w < t);
            if stalled {
                continue;
            }
            settled(v, t);
            let row = climb.row(vu, position);
            for (&x, &w) in climb.ends[row.clone()].iter().zip(&climb.weights[row]) {
                let (x, nt) = (x as usize, t + w);
                if nt <= limit && nt < self.time[x] {
                    if self.time[x].is_infinite() {
                        self.touched.push(x as u32);
                    }
                    self.time[x] = nt;
                    self.heap.push(Item(nt, x as u32));
                }
            }
        }
    }
}

/// One set of the hierarchy's arcs in compressed rows, indexed by node or by sweep position.
#[derive(Clone, Copy)]
struct ArcLists<'a> {
    offsets: &'a [u32],
    ends: &'a [u32],
    weights: &'a [f64],
    by_position: bool,
}

impl ArcLists<'_> {
    /// The arcs of the node `v` at sweep position `p`.
    fn row(&self, v: usize, p: usize) -> std::ops::Range<usize> {
        let i = if self.by_position { p } else { v };
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }
}

/// The first bytes of a stored contraction hierarchy.
pub const CH_MAGIC: &[u8; 8] = b"HSPLCH01";

/// Reads little-endian values off a byte slice, failing on truncation.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self
            .at
            .checked_add(n)
            .and_then(|end| self.b.get(self.at..end))
            .ok_or_else(|| "truncated contraction hierarchy".to_string())?;
        self.at += n;
        Ok(s)
    }
    fn u64(&mut self) -> Result<usize, String> {
        let v = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(v).map_err(|_| "contraction hierarchy counts overflow".to_string())
    }
    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, String> {
        let len = n
            .checked_mul(4)
            .ok_or("contraction hierarchy counts overflow")?;
        Ok(self
            .take(len)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }
    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, String> {
        let len = n
            .checked_mul(8)
            .ok_or("contraction hierarchy counts overflow")?;
        Ok(self
            .take(len)?
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
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
