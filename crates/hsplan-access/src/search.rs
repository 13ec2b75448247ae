//! Shortest travel times: multi-source, bounded Dijkstra over the CSR graph, and a plain
//! reference implementation the tests compare it with.

use crate::graph::Graph;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A source: a node, the time already spent reaching it, and an id reported back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    /// Node.
    pub node: u32,
    /// Seconds already spent (e.g. the off-network leg).
    pub offset: f64,
    /// Caller's id (e.g. facility index).
    pub id: u32,
}

/// Times from the nearest source to every node.
#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    /// Seconds, `f64::INFINITY` where unreached within the bound.
    pub time: Vec<f64>,
    /// The id of the source that is nearest, `u32::MAX` where unreached.
    pub source: Vec<u32>,
}

/// A heap entry (time, node), ordered so that `BinaryHeap` pops the smallest time first
/// (ties: the lower node).
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Item(pub(crate) f64, pub(crate) u32);
impl Eq for Item {}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then_with(|| o.1.cmp(&self.1))
    }
}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Reusable search state, so repeated searches (one per facility in E2SFCA) do not
/// reallocate node arrays: only touched entries are reset.
pub struct Searcher {
    time: Vec<f64>,
    source: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Item>,
}

impl Searcher {
    /// State for a graph of `n` nodes.
    pub fn new(n: usize) -> Self {
        Searcher {
            time: vec![f64::INFINITY; n],
            source: vec![u32::MAX; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Runs a bounded multi-source search; returns the settled (node, time, source) in
    /// order of time. Ties between sources go to the lower source id at equal time.
    pub fn run(&mut self, g: &Graph, sources: &[Source], limit: f64) -> Vec<(u32, f64, u32)> {
        for &v in &self.touched {
            self.time[v as usize] = f64::INFINITY;
            self.source[v as usize] = u32::MAX;
        }
        self.touched.clear();
        self.heap.clear();
        for s in sources {
            let v = s.node as usize;
            if s.offset <= limit
                && (s.offset < self.time[v] || (s.offset == self.time[v] && s.id < self.source[v]))
            {
                if self.time[v].is_infinite() {
                    self.touched.push(s.node);
                }
                self.time[v] = s.offset;
                self.source[v] = s.id;
                self.heap.push(Item(s.offset, s.node));
            }
        }
        let mut settled = Vec::new();
        while let Some(Item(t, v)) = self.heap.pop() {
            if t > self.time[v as usize] {
                continue;
            }
            let src = self.source[v as usize];
            settled.push((v, t, src));
            for (h, w) in g.arcs(v) {
                let nt = t + w;
                let hv = h as usize;
                if nt <= limit
                    && (nt < self.time[hv] || (nt == self.time[hv] && src < self.source[hv]))
                {
                    if self.time[hv].is_infinite() {
                        self.touched.push(h);
                    }
                    self.time[hv] = nt;
                    self.source[hv] = src;
                    self.heap.push(Item(nt, h));
                }
            }
        }
        settled
    }
}

/// A monotone radix heap on `u64` keys (Ahuja, Mehlhorn, Orlin & Tarjan 1990): keys pushed
/// are never below the last key popped, which holds in Dijkstra. An item moves down at most
/// 64 buckets over its life; pushes are O(1).
struct RadixHeap {
    buckets: [Vec<(u64, u32)>; 65],
    last: u64,
    len: usize,
}

impl RadixHeap {
    fn new() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            last: 0,
            len: 0,
        }
    }

    #[inline]
    fn bucket(&self, key: u64) -> usize {
        (64 - (key ^ self.last).leading_zeros()) as usize
    }

    #[inline]
    fn push(&mut self, key: u64, value: u32) {
        debug_assert!(key >= self.last, "radix heap keys must not decrease");
        let b = self.bucket(key);
        self.buckets[b].push((key, value));
        self.len += 1;
    }

    fn pop(&mut self) -> Option<(u64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..65).find(|&i| !self.buckets[i].is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|x| x.0).min().expect("non-empty bucket");
            for (k, v) in &items {
                let b = self.bucket(*k);
                self.buckets[b].push((*k, *v));
            }
            // Keep the bucket's allocation for reuse.
            let mut items = items;
            items.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = items;
            }
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

/// Nearest-source times to every node within `limit` seconds (∞ beyond).
///
/// Times are non-negative, so their IEEE-754 bit patterns order like the values and a
/// monotone radix heap on the bits replaces a comparison heap.
pub fn nearest(g: &Graph, sources: &[Source], limit: f64) -> Reach {
    let n = g.node_count();
    let mut time = vec![f64::INFINITY; n];
    let mut source = vec![u32::MAX; n];
    let mut heap = RadixHeap::new();
    for s in sources {
        let v = s.node as usize;
        if s.offset <= limit && (s.offset < time[v] || (s.offset == time[v] && s.id < source[v])) {
            time[v] = s.offset;
            source[v] = s.id;
            heap.push(s.offset.to_bits(), s.node);
        }
    }
    while let Some((bits, v)) = heap.pop() {
        let t = f64::from_bits(bits);
        let vu = v as usize;
        if t > time[vu] {
            continue;
        }
        let src = source[vu];
        let (a, b) = (g.offsets[vu] as usize, g.offsets[vu + 1] as usize);
        for k in a..b {
            let h = g.heads[k] as usize;
            let nt = t + g.weights[k];
            if nt <= limit && (nt < time[h] || (nt == time[h] && src < source[h])) {
                time[h] = nt;
                source[h] = src;
                heap.push(nt.to_bits(), h as u32);
            }
        }
    }
    Reach { time, source }
}

/// The obvious reference: Bellman–Ford style relaxation until nothing changes (times only).
pub fn reference_times(g: &Graph, sources: &[Source], limit: f64) -> Vec<f64> {
    let n = g.node_count();
    let mut t = vec![f64::INFINITY; n];
    for s in sources {
        if s.offset <= limit {
            t[s.node as usize] = t[s.node as usize].min(s.offset);
        }
    }
    loop {
        let mut changed = false;
        for v in 0..n as u32 {
            if t[v as usize].is_infinite() {
                continue;
            }
            for (h, w) in g.arcs(v) {
                let nt = t[v as usize] + w;
                if nt <= limit && nt < t[h as usize] {
                    t[h as usize] = nt;
                    changed = true;
                }
            }
        }
        if !changed {
            return t;
        }
    }
}
