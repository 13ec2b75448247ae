//! Generated road graphs for benchmarks (**synthetic**, seeded): a jittered grid with
//! two-way streets and random travel times, about the shape of a city's network.

use crate::graph::Graph;

/// Uniform numbers in [0, 1) from a seed (SplitMix64).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A grid over a box (west, south, east, north) with nodes every `spacing_m` metres,
/// two-way streets at 15–50 km/h with 5–30 % detours on top of the straight distance.
/// **Synthetic**: a stand-in where no real road network is available (the demo).
pub fn grid_over(bbox: [f64; 4], spacing_m: f64, seed: u64) -> Graph {
    let [w, s, e, n] = bbox;
    let lat0 = ((s + n) / 2.0).to_radians();
    let dy = spacing_m / 111_320.0;
    let dx = spacing_m / (111_320.0 * lat0.cos());
    let nx = ((e - w) / dx).floor() as usize + 1;
    let ny = ((n - s) / dy).floor() as usize + 1;
    let mut next = uniform(seed);
    let mut coords = Vec::with_capacity(nx * ny);
    for y in 0..ny {
        for x in 0..nx {
            coords.push((w + x as f64 * dx, s + y as f64 * dy));
        }
    }
    let mut arcs = Vec::new();
    for y in 0..ny {
        for x in 0..nx {
            let v = (y * nx + x) as u32;
            for (a, b) in [(x + 1, y), (x, y + 1)] {
                if a < nx && b < ny {
                    let h = (b * nx + a) as u32;
                    let metres = spacing_m * (1.05 + 0.25 * next());
                    let kmh = 15.0 + 35.0 * next();
                    let t = metres / (kmh / 3.6);
                    arcs.push((v, h, t));
                    arcs.push((h, v, t));
                }
            }
        }
    }
    Graph::from_arcs(
        "synthetic-grid",
        coords,
        (0..(nx * ny) as i64).collect(),
        &arcs,
    )
}

/// A `side × side` grid (side² nodes) around (106.5 E, 29.8 N), 60–120 m blocks at
/// 20–60 km/h, every street two-way; deterministic for a seed.
pub fn grid(side: usize, seed: u64) -> Graph {
    let mut next = uniform(seed);
    let n = side * side;
    let mut coords = Vec::with_capacity(n);
    for y in 0..side {
        for x in 0..side {
            coords.push((106.5 + x as f64 * 0.0009, 29.8 + y as f64 * 0.0008));
        }
    }
    let mut arcs = Vec::with_capacity(4 * n);
    for y in 0..side {
        for x in 0..side {
            let v = (y * side + x) as u32;
            for (nx, ny) in [(x + 1, y), (x, y + 1)] {
                if nx < side && ny < side {
                    let h = (ny * side + nx) as u32;
                    let metres = 60.0 + 60.0 * next();
                    let kmh = 20.0 + 40.0 * next();
                    let t = metres / (kmh / 3.6);
                    arcs.push((v, h, t));
                    arcs.push((h, v, t));
                }
            }
        }
    }
    Graph::from_arcs("synthetic-grid", coords, (0..n as i64).collect(), &arcs)
}

/// Road class of a line of the national grid: every 100th line an expressway, every 10th
/// an arterial road, the rest local roads.
fn national_class(line: usize) -> (f64, f64, f64) {
    // (lowest km/h, highest km/h, largest detour on top of the straight distance)
    if line % 100 == 0 {
        (90.0, 110.0, 0.02)
    } else if line % 10 == 0 {
        (50.0, 70.0, 0.08)
    } else {
        (15.0, 40.0, 0.30)
    }
}

/// Travel time of edge `edge` of class `class`: a hash of the seed and the edge, so both
/// directions (written from either end) get the same time without storing it.
fn national_edge_seconds(seed: u64, edge: u64, class: (f64, f64, f64)) -> f64 {
    let mut next = uniform(seed ^ edge.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let metres = NATIONAL_SPACING_M * (1.0 + class.2 * next());
    let kmh = class.0 + (class.1 - class.0) * next();
    metres / (kmh / 3.6)
}

/// Metres between neighbouring nodes of the national grid.
const NATIONAL_SPACING_M: f64 = 300.0;

/// A national-scale road graph (**synthetic**, seeded): `side × side` nodes 300 m apart from
/// (100 E, 24 N) northwards and eastwards, every street two-way; every 100th line of the grid
/// is an expressway (90–110 km/h), every 10th an arterial road (50–70 km/h), the rest local
/// roads (15–40 km/h) — so long trips take the fast roads, as they do on real networks.
/// Built straight into compressed rows (no arc list), so 2·10^7 nodes fit in about 1.7 GB.
pub fn national(side: usize, seed: u64) -> Graph {
    let n = side * side;
    let lat0 = 24.0_f64;
    let dy = NATIONAL_SPACING_M / 111_320.0;
    let lat_mid = (lat0 + dy * side as f64 / 2.0).to_radians();
    let dx = NATIONAL_SPACING_M / (111_320.0 * lat_mid.cos());
    let mut coords = Vec::with_capacity(n);
    for y in 0..side {
        for x in 0..side {
            coords.push((100.0 + x as f64 * dx, lat0 + y as f64 * dy));
        }
    }
    // Edges: horizontal (x,y)–(x+1,y) numbered y·(side−1)+x, then vertical (x,y)–(x,y+1)
    // numbered H + x·(side−1)+y.
    let per_line = side.saturating_sub(1) as u64;
    let horizontal = per_line * side as u64;
    let mut offsets = Vec::with_capacity(n + 1);
    let mut heads = Vec::with_capacity(4 * n);
    let mut weights = Vec::with_capacity(4 * n);
    offsets.push(0u32);
    for y in 0..side {
        for x in 0..side {
            let v = y * side + x;
            if x > 0 {
                let e = y as u64 * per_line + (x - 1) as u64;
                heads.push((v - 1) as u32);
                weights.push(national_edge_seconds(seed, e, national_class(y)));
            }
            if x + 1 < side {
                let e = y as u64 * per_line + x as u64;
                heads.push((v + 1) as u32);
                weights.push(national_edge_seconds(seed, e, national_class(y)));
            }
            if y > 0 {
                let e = horizontal + x as u64 * per_line + (y - 1) as u64;
                heads.push((v - side) as u32);
                weights.push(national_edge_seconds(seed, e, national_class(x)));
            }
            if y + 1 < side {
                let e = horizontal + x as u64 * per_line + y as u64;
                heads.push((v + side) as u32);
                weights.push(national_edge_seconds(seed, e, national_class(x)));
            }
            offsets.push(heads.len() as u32);
        }
    }
    Graph {
        profile: "synthetic-national".to_string(),
        coords,
        keys: (0..n as i64).collect(),
        offsets,
        heads,
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_grid_is_two_way_and_fast_roads_are_faster() {
        let g = national(205, 7);
        assert_eq!(g.node_count(), 205 * 205);
        assert_eq!(g.arc_count(), 4 * 205 * 204);
        // Every arc has its reverse with the same time.
        for v in 0..g.node_count() as u32 {
            for (h, w) in g.arcs(v) {
                let back: Vec<f64> = g.arcs(h).filter(|a| a.0 == v).map(|a| a.1).collect();
                assert_eq!(back, vec![w], "{v} → {h}");
            }
        }
        // Along row 100 (an expressway) a step takes 9.8–12.3 s; along row 101 (local) 27+ s.
        let step = |y: usize, x: usize| {
            let v = (y * 205 + x) as u32;
            g.arcs(v).find(|a| a.0 == v + 1).unwrap().1
        };
        for x in 0..204 {
            assert!((9.0..12.5).contains(&step(100, x)), "{}", step(100, x));
            assert!(step(101, x) >= 27.0, "{}", step(101, x));
            assert!((15.0..24.0).contains(&step(10, x)), "{}", step(10, x));
        }
        // The same seed gives the same graph; another seed another.
        assert_eq!(g, national(205, 7));
        assert_ne!(g.weights, national(205, 8).weights);
        // Equal to the same arcs laid out by from_arcs.
        let mut arcs = Vec::new();
        for v in 0..g.node_count() as u32 {
            for (h, w) in g.arcs(v) {
                arcs.push((v, h, w));
            }
        }
        let again = Graph::from_arcs(&g.profile, g.coords.clone(), g.keys.clone(), &arcs);
        assert_eq!(again, g);
    }
}
