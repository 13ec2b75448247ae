//! OR-Library p-median instances (Beasley 1985): `n m p`, then `i j cost` edges (1-based,
//! undirected, the last occurrence of an edge wins); distances are shortest paths over the
//! graph; every vertex is a client of weight 1 and a candidate site.

use crate::SitingError;
use crate::instance::{Arc, Cost, DemandIx, Instance, SiteIx, Weight};

/// A parsed OR-Library instance.
#[derive(Debug, Clone)]
pub struct OrLibInstance {
    /// Vertices.
    pub vertices: usize,
    /// Facilities to locate.
    pub p: usize,
    /// All-pairs shortest distances, row-major.
    pub distances: Vec<u32>,
}

/// Parses the text of a `pmedN.txt` file; errors name the line.
pub fn parse(source: &str, text: &str) -> Result<OrLibInstance, SitingError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let bad =
        |line: usize, what: &str| SitingError::Input(format!("{source}: line {line}: {what}"));
    let (l0, head) = lines.next().ok_or_else(|| bad(1, "empty file"))?;
    let nums = |l: usize, s: &str| -> Result<Vec<u64>, SitingError> {
        s.split_whitespace()
            .map(|t| {
                t.parse::<u64>()
                    .map_err(|_| bad(l, &format!("`{t}` is not a whole number")))
            })
            .collect()
    };
    let h = nums(l0 + 1, head)?;
    if h.len() != 3 {
        return Err(bad(l0 + 1, "expected `vertices edges p`"));
    }
    let (n, m, p) = (h[0] as usize, h[1] as usize, h[2] as usize);
    if n == 0 || p == 0 || p > n {
        return Err(bad(l0 + 1, "need 0 < p <= vertices"));
    }
    let mut d = vec![INF; n * n];
    for i in 0..n {
        d[i * n + i] = 0;
    }
    let mut seen = 0;
    for (l, line) in lines {
        let v = nums(l + 1, line)?;
        if v.len() != 3 {
            return Err(bad(l + 1, "expected `i j cost`"));
        }
        let (a, b, c) = (v[0] as usize, v[1] as usize, v[2] as u32);
        if a == 0 || b == 0 || a > n || b > n {
            return Err(bad(l + 1, &format!("vertex out of 1..={n}")));
        }
        // the last occurrence wins
        d[(a - 1) * n + (b - 1)] = c;
        d[(b - 1) * n + (a - 1)] = c;
        seen += 1;
    }
    if seen != m {
        return Err(bad(
            l0 + 1,
            &format!("header says {m} edges, file has {seen}"),
        ));
    }
    for i in 0..n {
        d[i * n + i] = 0;
    }
    let d = all_pairs(n, &d);
    if d.iter().any(|&x| x >= INF) {
        return Err(bad(l0 + 1, "the graph is not connected"));
    }
    Ok(OrLibInstance {
        vertices: n,
        p,
        distances: d,
    })
}

const INF: u32 = u32::MAX / 4;

/// All-pairs shortest distances from a matrix of direct edge lengths (`INF` where there is
/// no edge): one Dijkstra per vertex over the adjacency lists (the graphs are sparse).
fn all_pairs(n: usize, direct: &[u32]) -> Vec<u32> {
    let mut start = vec![0usize; n + 1];
    let mut adj: Vec<(u32, u32)> = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let w = direct[i * n + j];
            if i != j && w < INF {
                adj.push((j as u32, w));
            }
        }
        start[i + 1] = adj.len();
    }
    let mut out = vec![INF; n * n];
    let mut heap = std::collections::BinaryHeap::new();
    for s in 0..n {
        let dist = &mut out[s * n..(s + 1) * n];
        dist[s] = 0;
        heap.push(std::cmp::Reverse((0u32, s as u32)));
        while let Some(std::cmp::Reverse((d, v))) = heap.pop() {
            if d > dist[v as usize] {
                continue;
            }
            for &(w, len) in &adj[start[v as usize]..start[v as usize + 1]] {
                let nd = d + len;
                if nd < dist[w as usize] {
                    dist[w as usize] = nd;
                    heap.push(std::cmp::Reverse((nd, w)));
                }
            }
        }
    }
    out
}

/// Floyd–Warshall: the slow, obvious reference of `all_pairs`.
#[cfg(test)]
fn floyd_warshall(n: usize, direct: &[u32]) -> Vec<u32> {
    let mut d = direct.to_vec();
    for i in 0..n {
        d[i * n + i] = 0;
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let via = d[i * n + k].saturating_add(d[k * n + j]);
                if via < d[i * n + j] {
                    d[i * n + j] = via;
                }
            }
        }
    }
    d
}

impl OrLibInstance {
    /// The location instance: every vertex a client (weight 1) and a candidate site.
    pub fn instance(&self) -> Instance {
        let n = self.vertices;
        let mut arcs = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                arcs.push(Arc {
                    demand: DemandIx(i as u32),
                    site: SiteIx(j as u32),
                    cost: Cost(self.distances[i * n + j] as f64),
                });
            }
        }
        let cap = self.distances.iter().copied().max().unwrap_or(0) as f64 + 1.0;
        Instance::new(&vec![Weight(1.0); n], &vec![false; n], &arcs, Cost(cap))
            .expect("distances are finite and in range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_edge_wins_and_paths_are_shortest() {
        let o = parse("t", "3 3 1\n1 2 5\n2 3 1\n1 2 2\n").unwrap();
        assert_eq!(o.distances, vec![0, 2, 3, 2, 0, 1, 3, 1, 0]);
    }

    #[test]
    fn dijkstra_all_pairs_equals_floyd_warshall() {
        let mut rng = crate::Rng::new(3);
        for n in [1usize, 2, 5, 17, 40] {
            let mut direct = vec![INF; n * n];
            for _ in 0..n * 3 {
                let (a, b) = (rng.below(n), rng.below(n));
                let w = rng.below(50) as u32;
                direct[a * n + b] = w;
                direct[b * n + a] = w;
            }
            assert_eq!(all_pairs(n, &direct), floyd_warshall(n, &direct), "n = {n}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("t", "3 2 1\n1 2 5\n2 x 1\n").unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        let e = parse("t", "3 2 1\n1 2 5\n").unwrap_err().to_string();
        assert!(e.contains("edges"), "{e}");
    }
}
