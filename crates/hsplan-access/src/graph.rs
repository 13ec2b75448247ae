//! The road graph: compressed sparse rows of travel times, built from roads with a profile,
//! reduced to its largest strongly connected component, saved in a versioned binary format.

use crate::AccessError;
use crate::ch::{CH_MAGIC, ContractionHierarchy};
use crate::roads::{Passage, Profile, RoadData};
use std::collections::HashMap;

/// Index of a graph node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIx(pub u32);

/// Seconds of travel.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, serde::Serialize)]
pub struct Seconds(pub f64);

/// A directed graph in compressed sparse rows; weights are travel seconds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    /// Profile it was built with.
    pub profile: String,
    /// Position of each node (lon, lat).
    pub coords: Vec<(f64, f64)>,
    /// Source key of each node (OSM node id, or a generated key).
    pub keys: Vec<i64>,
    /// Arcs of node v: `offsets[v]..offsets[v + 1]`.
    pub offsets: Vec<u32>,
    /// Arc heads.
    pub heads: Vec<u32>,
    /// Arc travel times in seconds.
    pub weights: Vec<f64>,
}

/// What building a graph kept and dropped.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct BuildReport {
    /// Ways read with a highway tag.
    pub ways: usize,
    /// Ways the profile travels.
    pub ways_used: usize,
    /// Nodes and arcs before the component filter.
    pub nodes_before: usize,
    /// Arcs before the component filter.
    pub arcs_before: usize,
    /// Nodes and arcs kept (largest strongly connected component).
    pub nodes: usize,
    /// Arcs kept.
    pub arcs: usize,
    /// Strongly connected components dropped.
    pub components_dropped: usize,
    /// Way references to nodes without a position (skipped).
    pub missing_positions: usize,
}

/// Great-circle distance in metres (haversine, mean radius 6,371,008.8 m).
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1, lon2, lat2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

impl Graph {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.heads.len()
    }

    /// Arcs leaving `v` as (head, seconds).
    pub fn arcs(&self, v: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        self.heads[a..b]
            .iter()
            .copied()
            .zip(self.weights[a..b].iter().copied())
    }

    /// A graph from arcs (tail, head, seconds); arcs are sorted by tail (stable).
    pub fn from_arcs(
        profile: &str,
        coords: Vec<(f64, f64)>,
        keys: Vec<i64>,
        arcs: &[(u32, u32, f64)],
    ) -> Graph {
        let n = coords.len();
        let mut offsets = vec![0u32; n + 1];
        for &(t, _, _) in arcs {
            offsets[t as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut heads = vec![0u32; arcs.len()];
        let mut weights = vec![0f64; arcs.len()];
        for &(t, h, w) in arcs {
            let at = fill[t as usize] as usize;
            heads[at] = h;
            weights[at] = w;
            fill[t as usize] += 1;
        }
        Graph {
            profile: profile.to_string(),
            coords,
            keys,
            offsets,
            heads,
            weights,
        }
    }

    /// The same graph with every arc reversed (for times *to* a set of nodes).
    pub fn reversed(&self) -> Graph {
        let mut arcs = Vec::with_capacity(self.arc_count());
        for v in 0..self.node_count() as u32 {
            for (h, w) in self.arcs(v) {
                arcs.push((h, v, w));
            }
        }
        Graph::from_arcs(&self.profile, self.coords.clone(), self.keys.clone(), &arcs)
    }

    /// Builds the graph of `roads` for `profile`, keeping the largest strongly connected
    /// component.
    pub fn build(roads: &RoadData, profile: &Profile) -> (Graph, BuildReport) {
        let mut report = BuildReport {
            ways: roads.ways.len(),
            ..Default::default()
        };
        let mut index: HashMap<i64, u32> = HashMap::new();
        let mut coords = Vec::new();
        let mut keys = Vec::new();
        let mut arcs: Vec<(u32, u32, f64)> = Vec::new();
        let mut ways: Vec<_> = roads.ways.iter().collect();
        ways.sort_by_key(|w| w.id);
        for w in ways {
            let (speed, passage) = profile.classify(&w.tags);
            if passage == Passage::Closed {
                continue;
            }
            report.ways_used += 1;
            let mps = speed / 3.6;
            let mut prev: Option<(u32, (f64, f64))> = None;
            for key in &w.nodes {
                let Some(&pos) = roads.coords.get(key) else {
                    report.missing_positions += 1;
                    prev = None;
                    continue;
                };
                let ix = *index.entry(*key).or_insert_with(|| {
                    coords.push(pos);
                    keys.push(*key);
                    coords.len() as u32 - 1
                });
                if let Some((p, ppos)) = prev
                    && p != ix
                {
                    let t = haversine_m(ppos, pos) / mps;
                    if matches!(passage, Passage::Both | Passage::Forward) {
                        arcs.push((p, ix, t));
                    }
                    if matches!(passage, Passage::Both | Passage::Backward) {
                        arcs.push((ix, p, t));
                    }
                }
                prev = Some((ix, pos));
            }
        }
        let full = Graph::from_arcs(&profile.name, coords, keys, &arcs);
        report.nodes_before = full.node_count();
        report.arcs_before = full.arc_count();
        let (g, dropped) = full.largest_component();
        report.components_dropped = dropped;
        report.nodes = g.node_count();
        report.arcs = g.arc_count();
        (g, report)
    }

    /// Reads an arc list (`a FROM TO WEIGHT` lines, 0-indexed, as in the Bremen test map of
    /// fast_paths; `c`/`p` lines ignored). No coordinates: positions are (0, 0). Weights are
    /// kept as given.
    pub fn from_dimacs(source: &str, text: &str) -> Result<Graph, AccessError> {
        let mut arcs = Vec::new();
        let mut n = 0u32;
        for (i, line) in text.lines().enumerate() {
            let mut f = line.split_whitespace();
            if f.next() != Some("a") {
                continue;
            }
            let bad = || AccessError::Read {
                source_name: source.to_string(),
                message: format!("line {}: expected `a FROM TO WEIGHT`", i + 1),
            };
            let t: u32 = f.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
            let h: u32 = f.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
            let w: f64 = f
                .next()
                .and_then(|x| x.parse().ok())
                .filter(|w: &f64| *w >= 0.0)
                .ok_or_else(bad)?;
            n = n.max(t + 1).max(h + 1);
            arcs.push((t, h, w));
        }
        Ok(Graph::from_arcs(
            "arc-list",
            vec![(0.0, 0.0); n as usize],
            (0..n as i64).collect(),
            &arcs,
        ))
    }

    /// The largest strongly connected component (node order kept) and how many others
    /// were dropped.
    pub fn largest_component(&self) -> (Graph, usize) {
        let (component, count) = strongly_connected(self);
        let mut size = vec![0usize; count];
        for c in &component {
            size[*c as usize] += 1;
        }
        let Some(largest) = (0..count).max_by_key(|c| (size[*c], std::cmp::Reverse(*c))) else {
            return (self.clone(), 0);
        };
        let mut remap = vec![u32::MAX; self.node_count()];
        let mut coords = Vec::new();
        let mut keys = Vec::new();
        for v in 0..self.node_count() {
            if component[v] as usize == largest {
                remap[v] = coords.len() as u32;
                coords.push(self.coords[v]);
                keys.push(self.keys[v]);
            }
        }
        let mut kept = Vec::new();
        for v in 0..self.node_count() as u32 {
            if remap[v as usize] == u32::MAX {
                continue;
            }
            for (h, w) in self.arcs(v) {
                if remap[h as usize] != u32::MAX {
                    kept.push((remap[v as usize], remap[h as usize], w));
                }
            }
        }
        (
            Graph::from_arcs(&self.profile, coords, keys, &kept),
            count - 1,
        )
    }

    const MAGIC: &'static [u8; 8] = b"HSPLGRPH";
    /// The version written: 2 adds a CRC-32 of each section.
    const VERSION: u32 = 3;
    /// Names of the checksummed sections, in file order (for messages).
    const SECTIONS: [&'static str; 6] = [
        "header",
        "node coordinates",
        "node keys",
        "arc offsets",
        "arc heads",
        "arc weights",
    ];

    /// The binary format, version 3 without a contraction hierarchy (see [`Self::to_bytes_with`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(None)
    }

    /// The binary format, version 3: magic `HSPLGRPH`, u32 version, u32 profile length and
    /// UTF-8 profile, u64 nodes, u64 arcs (the header); then little-endian arrays (the
    /// sections): lon/lat f64 pairs, keys i64, offsets u32 (nodes + 1), heads u32, weights
    /// f64; then a CRC-32 (IEEE) of the header and of each section, u32 each; then, when
    /// given, the graph's contraction hierarchy in its own checked form
    /// ([`ContractionHierarchy::write`]). Version 2 is the same without a hierarchy, version 1
    /// also without the checksums.
    pub fn to_bytes_with(&self, hierarchy: Option<&ContractionHierarchy>) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + self.node_count() * 28 + self.arc_count() * 12);
        let mut ends = Vec::with_capacity(Self::SECTIONS.len());
        b.extend_from_slice(Self::MAGIC);
        b.extend_from_slice(&Self::VERSION.to_le_bytes());
        b.extend_from_slice(&(self.profile.len() as u32).to_le_bytes());
        b.extend_from_slice(self.profile.as_bytes());
        b.extend_from_slice(&(self.node_count() as u64).to_le_bytes());
        b.extend_from_slice(&(self.arc_count() as u64).to_le_bytes());
        ends.push(b.len());
        for (x, y) in &self.coords {
            b.extend_from_slice(&x.to_le_bytes());
            b.extend_from_slice(&y.to_le_bytes());
        }
        ends.push(b.len());
        for k in &self.keys {
            b.extend_from_slice(&k.to_le_bytes());
        }
        ends.push(b.len());
        for o in &self.offsets {
            b.extend_from_slice(&o.to_le_bytes());
        }
        ends.push(b.len());
        for h in &self.heads {
            b.extend_from_slice(&h.to_le_bytes());
        }
        ends.push(b.len());
        for w in &self.weights {
            b.extend_from_slice(&w.to_le_bytes());
        }
        ends.push(b.len());
        let mut start = 0;
        for end in ends {
            let crc = crc32fast::hash(&b[start..end]);
            b.extend_from_slice(&crc.to_le_bytes());
            start = end;
        }
        if let Some(h) = hierarchy {
            assert_eq!(
                h.stats().nodes,
                self.node_count(),
                "a hierarchy is stored with its own graph"
            );
            h.write(&mut b);
        }
        b
    }

    /// Reads the binary format (versions 1 to 3), checking magic, version, sizes, each
    /// section's checksum (versions 2 and 3) and the arcs' heads, offsets and weights. A
    /// stored contraction hierarchy is skipped (not read): see
    /// [`Self::from_bytes_with_hierarchy`].
    pub fn from_bytes(source: &str, b: &[u8]) -> Result<Graph, AccessError> {
        Self::read_file(source, b, false).map(|(g, _)| g)
    }

    /// Reads the binary format and, when the file holds one, its contraction hierarchy
    /// (checked like the rest of the file).
    pub fn from_bytes_with_hierarchy(
        source: &str,
        b: &[u8],
    ) -> Result<(Graph, Option<ContractionHierarchy>), AccessError> {
        Self::read_file(source, b, true)
    }

    fn read_file(
        source: &str,
        b: &[u8],
        want_hierarchy: bool,
    ) -> Result<(Graph, Option<ContractionHierarchy>), AccessError> {
        let bad = |m: &str| AccessError::Read {
            source_name: source.to_string(),
            message: m.to_string(),
        };
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], AccessError> {
            let s = at
                .checked_add(n)
                .and_then(|end| b.get(at..end))
                .ok_or_else(|| bad("truncated graph file"))?;
            at += n;
            Ok(s)
        };
        if take(8)? != Self::MAGIC {
            return Err(bad("not an hsplan graph (bad magic)"));
        }
        let version = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
        if !(1..=Self::VERSION).contains(&version) {
            return Err(bad(&format!(
                "graph format version {version}; this hsplan reads versions 1 to {}",
                Self::VERSION
            )));
        }
        let plen = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
        let profile = take(plen)?.to_vec();
        let n = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes")) as usize;
        let m = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes")) as usize;
        let header_end = 8 + 4 + 4 + plen + 8 + 8;
        let sizes = [
            n.checked_mul(16),
            n.checked_mul(8),
            n.checked_add(1).and_then(|x| x.checked_mul(4)),
            m.checked_mul(4),
            m.checked_mul(8),
        ];
        let Some(sizes) = sizes.into_iter().collect::<Option<Vec<usize>>>() else {
            return Err(bad("sizes overflow"));
        };
        let trailer = if version >= 2 {
            4 * Self::SECTIONS.len()
        } else {
            0
        };
        let need = sizes
            .iter()
            .try_fold(header_end + trailer, |acc, s| acc.checked_add(*s))
            .ok_or_else(|| bad("sizes overflow"))?;
        // Only version 3 may carry more: a contraction hierarchy after the graph.
        let extra = b.len().checked_sub(need);
        let hierarchy_bytes = match extra {
            Some(0) => None,
            Some(_) if version >= 3 && b[need..].starts_with(CH_MAGIC) => Some(&b[need..]),
            Some(_) if version >= 3 => {
                return Err(bad(
                    "corrupt graph: unknown data after the graph (not a contraction hierarchy)",
                ));
            }
            _ => return Err(bad("file size does not match its node and arc counts")),
        };
        if version >= 2 {
            let mut start = 0;
            let mut end = header_end;
            let sums = &b[need - trailer..need];
            for (i, name) in Self::SECTIONS.iter().enumerate() {
                if i > 0 {
                    end += sizes[i - 1];
                }
                let stored = u32::from_le_bytes(sums[i * 4..i * 4 + 4].try_into().expect("4"));
                if crc32fast::hash(&b[start..end]) != stored {
                    return Err(bad(&format!(
                        "corrupt graph: the checksum of its {name} does not match (the file \
                         was changed or damaged; build it again)"
                    )));
                }
                start = end;
            }
        }
        let profile = String::from_utf8(profile).map_err(|_| bad("profile is not UTF-8"))?;
        let f64s = |s: &[u8]| -> Vec<f64> {
            s.chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8")))
                .collect()
        };
        let xy = f64s(take(sizes[0])?);
        let coords: Vec<(f64, f64)> = xy.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        let keys = take(sizes[1])?
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8")))
            .collect();
        let u32s = |s: &[u8]| -> Vec<u32> {
            s.chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
                .collect()
        };
        let offsets = u32s(take(sizes[2])?);
        let heads = u32s(take(sizes[3])?);
        let weights = f64s(take(sizes[4])?);
        if offsets.first() != Some(&0)
            || offsets.last().map(|&o| o as usize) != Some(m)
            || offsets.windows(2).any(|w| w[0] > w[1])
            || heads.iter().any(|&h| h as usize >= n)
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
        {
            return Err(bad("corrupt graph: offsets, heads or weights out of range"));
        }
        if coords
            .iter()
            .any(|&(x, y)| !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y))
        {
            return Err(bad(
                "corrupt graph: a node's longitude or latitude is out of range",
            ));
        }
        let hierarchy = match hierarchy_bytes {
            Some(h) if want_hierarchy => {
                Some(ContractionHierarchy::read(h, n).map_err(|m| bad(&m))?)
            }
            _ => None,
        };
        Ok((
            Graph {
                profile,
                coords,
                keys,
                offsets,
                heads,
                weights,
            },
            hierarchy,
        ))
    }
}

/// Strongly connected components (iterative Tarjan): component id per node and the count.
pub fn strongly_connected(g: &Graph) -> (Vec<u32>, usize) {
    let n = g.node_count();
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![NONE; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 0u32;
    let mut count = 0usize;
    let mut call: Vec<(u32, u32)> = Vec::new(); // (node, next arc position)
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, g.offsets[root as usize]));
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if *pos < g.offsets[v as usize + 1] {
                let w = g.heads[*pos as usize];
                *pos += 1;
                if index[w as usize] == NONE {
                    index[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    call.push((w, g.offsets[w as usize]));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent as usize] = low[parent as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp[w as usize] = count as u32;
                        if w == v {
                            break;
                        }
                    }
                    count += 1;
                }
            }
        }
    }
    (comp, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_round_trip() {
        // 0 ⇄ 1 → 2 ⇄ 3, and 4 alone.
        let arcs = [
            (0, 1, 1.0),
            (1, 0, 1.0),
            (1, 2, 1.0),
            (2, 3, 1.0),
            (3, 2, 1.0),
        ];
        let g = Graph::from_arcs("t", vec![(0.0, 0.0); 5], (0..5).collect(), &arcs);
        let (c, n) = strongly_connected(&g);
        assert_eq!(n, 3);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[2], c[3]);
        assert_ne!(c[0], c[2]);
        let back = Graph::from_bytes("t", &g.to_bytes()).unwrap();
        assert_eq!(back, g);
        let mut broken = g.to_bytes();
        broken.truncate(broken.len() - 3);
        assert!(Graph::from_bytes("t", &broken).is_err());
        assert!(Graph::from_bytes("t", b"nonsense").is_err());
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = haversine_m((0.0, 0.0), (0.0, 1.0));
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
    }
}
