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
