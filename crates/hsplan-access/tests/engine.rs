//! The access engine on the real Monaco extract and on random graphs.

use hsplan_access::graph::Graph;
use hsplan_access::roads::{Profile, read_pbf};
use hsplan_access::search::{Source, nearest, reference_times};
use proptest::prelude::*;

fn monaco() -> hsplan_access::roads::RoadData {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/osm/monaco.osm.pbf");
    read_pbf("monaco.osm.pbf", std::fs::File::open(path).unwrap()).unwrap()
}

#[test]
fn monaco_builds_for_car_and_walk() {
    let roads = monaco();
    assert!(roads.ways.len() > 2000, "{}", roads.ways.len());
    assert!(roads.facilities.iter().any(|f| f.kind == "hospital"));
    let (car, report) = Graph::build(&roads, &Profile::car(true));
    assert!(
        report.nodes > 1000 && report.nodes < report.nodes_before,
        "{report:?}"
    );
    assert!(report.components_dropped > 0);
    let (walk, _) = Graph::build(&roads, &Profile::walk());
    assert!(walk.node_count() > car.node_count(), "footways add nodes");
    // Strongly connected: every node reaches every other.
    let all = nearest(
        &car,
        &[Source {
            node: 0,
            offset: 0.0,
            id: 0,
        }],
        f64::INFINITY,
    );
    assert!(all.time.iter().all(|t| t.is_finite()));
    let back = Graph::from_bytes("g", &car.to_bytes()).unwrap();
    assert_eq!(back, car);
}

fn random_graph(n: usize, arcs: &[(u16, u16, u16)]) -> Graph {
    let arcs: Vec<(u32, u32, f64)> = arcs
        .iter()
        .map(|&(a, b, w)| (a as u32 % n as u32, b as u32 % n as u32, w as f64 / 7.0))
        .collect();
    Graph::from_arcs("t", vec![(0.0, 0.0); n], (0..n as i64).collect(), &arcs)
}

proptest! {
    #[test]
    fn dijkstra_equals_the_reference(
        n in 1usize..40,
        arcs in proptest::collection::vec((0u16..40, 0u16..40, 0u16..500), 0..150),
        sources in proptest::collection::vec((0u16..40, 0u16..100), 1..4),
        limit in prop_oneof![Just(f64::INFINITY), 0.0f64..80.0],
    ) {
        let g = random_graph(n, &arcs);
        let sources: Vec<Source> = sources
            .iter()
            .enumerate()
            .map(|(i, &(v, o))| Source { node: v as u32 % n as u32, offset: o as f64 / 10.0, id: i as u32 })
            .collect();
        let fast = nearest(&g, &sources, limit);
        let slow = reference_times(&g, &sources, limit);
        for v in 0..n {
            prop_assert!(fast.time[v] == slow[v] || (fast.time[v] - slow[v]).abs() < 1e-9, "node {v}: {} vs {}", fast.time[v], slow[v]);
            // The reported source really reaches the node in that time.
            if fast.time[v].is_finite() {
                let s = sources[fast.source[v] as usize];
                let alone = reference_times(&g, &[s], limit);
                prop_assert!((alone[v] - fast.time[v]).abs() < 1e-9);
            }
        }
        // Reversing twice is the identity on times.
        let rr = g.reversed().reversed();
        prop_assert_eq!(nearest(&rr, &sources, limit).time, fast.time);
    }
}

/// E2SFCA equals the PySAL `access` package's `enhanced_two_stage_fca` on the same inputs
/// (Monaco walk graph, grid demand, the map's health facilities; steps 10/20/30 min →
/// 1/0.68/0.22). The expected values were made by `benches/access_peers.py --write-fixture`.
#[test]
fn e2sfca_matches_pysal_access() {
    use hsplan_access::analysis::{Decay, e2sfca_from_costs};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/e2sfca/");
    let read = |f: &str| -> Vec<Vec<String>> {
        std::fs::read_to_string(format!("{dir}{f}"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let demand = read("demand.csv");
    let supply = read("supply.csv");
    let index = |rows: &[Vec<String>]| -> std::collections::HashMap<String, usize> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (r[0].clone(), i))
            .collect()
    };
    let (di, si) = (index(&demand), index(&supply));
    let costs: Vec<(usize, usize, f64)> = read("costs.csv")
        .iter()
        .map(|r| (di[&r[0]], si[&r[1]], r[2].parse().unwrap()))
        .collect();
    let pops: Vec<f64> = demand.iter().map(|r| r[1].parse().unwrap()).collect();
    let caps: Vec<f64> = supply.iter().map(|r| r[1].parse().unwrap()).collect();
    let ours = e2sfca_from_costs(
        &pops,
        &caps,
        &costs,
        &Decay::Steps(vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)]),
    );
    let expected = read("expected_access_pysal.csv");
    assert_eq!(expected.len(), ours.len());
    assert!(costs.len() > 1000);
    for (r, v) in expected.iter().zip(&ours) {
        let e: f64 = r[1].parse().unwrap();
        assert!(
            (e - v).abs() <= 1e-9 * e.abs().max(1e-12),
            "{}: access {e} vs hsplan {v}",
            r[0]
        );
    }
}

proptest! {
    /// The reusable searcher (one search per facility in E2SFCA) settles exactly the nodes
    /// the reference reaches, at the reference's times, across repeated runs.
    #[test]
    fn searcher_equals_the_reference_across_runs(
        n in 1usize..30,
        arcs in proptest::collection::vec((0u16..30, 0u16..30, 0u16..500), 0..100),
        runs in proptest::collection::vec((0u16..30, 0.0f64..60.0), 1..4),
    ) {
        let g = random_graph(n, &arcs);
        let mut searcher = hsplan_access::search::Searcher::new(n);
        for (node, limit) in runs {
            let src = [Source { node: node as u32 % n as u32, offset: 0.0, id: 0 }];
            let settled = searcher.run(&g, &src, limit);
            let slow = reference_times(&g, &src, limit);
            let reached = slow.iter().filter(|t| t.is_finite()).count();
            prop_assert_eq!(settled.len(), reached);
            for (v, t, _) in settled {
                prop_assert!((slow[v as usize] - t).abs() < 1e-9);
            }
        }
    }
}

/// A small graph with distinct coordinates, keys and weights.
fn small_graph() -> Graph {
    let coords: Vec<(f64, f64)> = (0..12)
        .map(|i| (7.41 + i as f64 * 0.001, 43.73 + i as f64 * 0.0007))
        .collect();
    let arcs: Vec<(u32, u32, f64)> = (0..12u32)
        .flat_map(|i| {
            [
                (i, (i + 1) % 12, 10.0 + i as f64),
                ((i + 1) % 12, i, 12.5 + i as f64),
            ]
        })
        .collect();
    Graph::from_arcs("car", coords, (100..112).collect(), &arcs)
}

#[test]
fn every_single_bit_flip_in_a_graph_file_is_detected() {
    let g = small_graph();
    let bytes = g.to_bytes();
    assert_eq!(Graph::from_bytes("g", &bytes).unwrap(), g);
    let mut undetected = Vec::new();
    for i in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[i / 8] ^= 1 << (i % 8);
        if Graph::from_bytes("g", &b).is_ok() {
            undetected.push(i);
        }
    }
    assert!(undetected.is_empty(), "bits not detected: {undetected:?}");
    // the message names the damaged section
    let mut b = bytes.clone();
    let weights_at = bytes.len() - 24 - 8; // inside the last weight
    b[weights_at] ^= 0x10;
    let e = Graph::from_bytes("roads.hsg", &b).unwrap_err().to_string();
    assert!(e.contains("roads.hsg") && e.contains("arc weights"), "{e}");
}

#[test]
fn version_1_graph_files_still_read_with_their_structural_checks() {
    let g = small_graph();
    let v3 = g.to_bytes();
    let mut v1 = v3[..v3.len() - 24].to_vec();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(Graph::from_bytes("g", &v1).unwrap(), g);
    // a head out of range is still found without checksums
    let heads_at = v1.len() - g.arc_count() * 8 - 4;
    v1[heads_at..heads_at + 4].copy_from_slice(&999u32.to_le_bytes());
    assert!(Graph::from_bytes("g", &v1).is_err());
    // and an unknown version is named
    let mut v9 = v3.clone();
    v9[8..12].copy_from_slice(&9u32.to_le_bytes());
    let e = Graph::from_bytes("g", &v9).unwrap_err().to_string();
    assert!(e.contains("version 9"), "{e}");
}

/// Contraction-hierarchy answers against Dijkstra's: times equal to rounding, and the
/// source reported really reaches the node in that time.
fn assert_same_reach(
    g: &Graph,
    sources: &[Source],
    limit: f64,
    ch: &hsplan_access::search::Reach,
) -> Result<(), String> {
    let dijkstra = nearest(g, sources, limit);
    for v in 0..g.node_count() {
        let (a, b) = (dijkstra.time[v], ch.time[v]);
        let close = a == b || (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        if !close {
            return Err(format!("node {v}: Dijkstra {a}, hierarchy {b}"));
        }
        if b.is_finite() && ch.source[v] != dijkstra.source[v] {
            let s = sources
                .iter()
                .find(|s| s.id == ch.source[v])
                .ok_or(format!("node {v}: unknown source"))?;
            let alone = nearest(g, std::slice::from_ref(s), f64::INFINITY).time[v];
            if (alone - b).abs() > 1e-9 * b.abs().max(1.0) {
                return Err(format!("node {v}: source {} takes {alone}, not {b}", s.id));
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn contraction_hierarchy_equals_dijkstra(
        n in 1usize..60,
        arcs in proptest::collection::vec((0u16..60, 0u16..60, 0u16..500), 0..240),
        sources in proptest::collection::vec((0u16..60, 0u16..100), 1..5),
        limit in prop_oneof![Just(f64::INFINITY), 0.0f64..80.0],
    ) {
        let g = random_graph(n, &arcs);
        let sources: Vec<Source> = sources
            .iter()
            .enumerate()
            .map(|(i, &(v, o))| Source { node: v as u32 % n as u32, offset: o as f64 / 10.0, id: i as u32 })
            .collect();
        let ch = hsplan_access::ch::ContractionHierarchy::build(&g);
        let reach = ch.nearest(&sources, limit);
        prop_assert!(assert_same_reach(&g, &sources, limit, &reach).is_ok(), "{:?}", assert_same_reach(&g, &sources, limit, &reach));
        // the other direction, times *to* the nearest source, from the same hierarchy
        let reversed = g.reversed();
        let to = ch.nearest_to(&sources, limit);
        prop_assert!(assert_same_reach(&reversed, &sources, limit, &to).is_ok(), "{:?}", assert_same_reach(&reversed, &sources, limit, &to));
        // stored with the graph and read back, the same hierarchy
        let bytes = g.to_bytes_with(Some(&ch));
        let (g2, ch2) = Graph::from_bytes_with_hierarchy("g", &bytes).unwrap();
        prop_assert_eq!(&g2, &g);
        prop_assert_eq!(ch2.as_ref(), Some(&ch));
        prop_assert_eq!(Graph::from_bytes("g", &bytes).unwrap(), g);
    }
}

#[test]
fn a_stored_hierarchy_is_checked_and_older_files_still_read() {
    let g = small_graph();
    let ch = hsplan_access::ch::ContractionHierarchy::build(&g);
    let plain = g.to_bytes();
    let with = g.to_bytes_with(Some(&ch));
    assert!(with.len() > plain.len() && with.starts_with(&plain));
    // every bit flip in the hierarchy's part is detected when it is read
    let mut undetected = Vec::new();
    for i in plain.len() * 8..with.len() * 8 {
        let mut b = with.clone();
        b[i / 8] ^= 1 << (i % 8);
        if Graph::from_bytes_with_hierarchy("g", &b).is_ok_and(|(_, h)| h.is_some()) {
            undetected.push(i);
        }
    }
    assert!(undetected.is_empty(), "bits not detected: {undetected:?}");
    let mut b = with.clone();
    let last = b.len() - 10;
    b[last] ^= 4;
    let e = Graph::from_bytes_with_hierarchy("roads.hsg", &b)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("roads.hsg") && e.contains("contraction hierarchy"),
        "{e}"
    );
    // truncated anywhere inside the hierarchy: an error, never a panic
    for cut in plain.len() + 1..with.len() {
        assert!(
            Graph::from_bytes_with_hierarchy("g", &with[..cut]).is_err(),
            "{cut}"
        );
    }
    // a version-2 file (no hierarchy) still reads; with bytes after it, it does not
    let mut v2 = plain.clone();
    v2[8..12].copy_from_slice(&2u32.to_le_bytes());
    let header_end = 8 + 4 + 4 + g.profile.len() + 16;
    let crc_at = v2.len() - 24;
    let crc = crc32fast::hash(&v2[..header_end]);
    v2[crc_at..crc_at + 4].copy_from_slice(&crc.to_le_bytes());
    let (g2, h2) = Graph::from_bytes_with_hierarchy("g", &v2).unwrap();
    assert_eq!((g2, h2), (g.clone(), None));
    let mut v2_more = v2.clone();
    v2_more.extend_from_slice(&with[plain.len()..]);
    assert!(Graph::from_bytes("g", &v2_more).is_err());
    // unknown bytes after a version-3 graph are refused
    let mut junk = plain.clone();
    junk.extend_from_slice(b"NOTACH..");
    let e = Graph::from_bytes("g", &junk).unwrap_err().to_string();
    assert!(e.contains("unknown data"), "{e}");
}

/// On the real Monaco car graph: every node's time from a few sources, and from each
/// source alone, equal to Dijkstra's.
#[test]
fn contraction_hierarchy_equals_dijkstra_on_monaco() {
    let (g, _) = Graph::build(&monaco(), &Profile::car(true));
    let ch = hsplan_access::ch::ContractionHierarchy::build(&g);
    let stats = ch.stats();
    assert_eq!(stats.nodes, g.node_count());
    assert!(stats.shortcuts > 0, "{stats:?}");
    let n = g.node_count() as u32;
    let sources: Vec<Source> = (0..5)
        .map(|i| Source {
            node: (i * 7919) % n,
            offset: i as f64 * 3.5,
            id: i,
        })
        .collect();
    let reversed = g.reversed();
    for limit in [f64::INFINITY, 120.0] {
        let reach = ch.nearest(&sources, limit);
        assert_same_reach(&g, &sources, limit, &reach).unwrap();
        let to = ch.nearest_to(&sources, limit);
        assert_same_reach(&reversed, &sources, limit, &to).unwrap();
        for s in &sources {
            let one = std::slice::from_ref(s);
            assert_same_reach(&g, one, limit, &ch.nearest(one, limit)).unwrap();
            assert_same_reach(&reversed, one, limit, &ch.nearest_to(one, limit)).unwrap();
        }
    }
}

proptest! {
    /// Bucket-based many-to-many over the hierarchy: every (origin, target) pair within the
    /// limit, at Dijkstra's time from the origin to that target alone, and no other pair.
    #[test]
    fn hierarchy_times_to_equal_one_dijkstra_per_target(
        n in 1usize..50,
        arcs in proptest::collection::vec((0u16..50, 0u16..50, 0u16..500), 0..200),
        targets in proptest::collection::vec((0u16..50, 0u16..100), 1..6),
        origins in proptest::collection::vec(0u16..50, 1..8),
        limit in prop_oneof![Just(f64::INFINITY), 0.0f64..80.0],
        threads in 1usize..4,
    ) {
        let g = random_graph(n, &arcs);
        let reversed = g.reversed();
        let targets: Vec<Source> = targets
            .iter()
            .enumerate()
            .map(|(i, &(v, o))| Source { node: v as u32 % n as u32, offset: o as f64 / 10.0, id: 3 * i as u32 })
            .collect();
        let origins: Vec<u32> = origins.iter().map(|&v| v as u32 % n as u32).collect();
        let ch = hsplan_access::ch::ContractionHierarchy::build(&g);
        let mut got = ch.times_to(&origins, &targets, limit, threads, &|_, _| {});
        got.sort_by_key(|p| (p.0, p.1));
        let mut want = Vec::new();
        for (o, &v) in origins.iter().enumerate() {
            for t in &targets {
                let time = nearest(&reversed, std::slice::from_ref(t), limit).time[v as usize];
                if time.is_finite() {
                    want.push((o as u32, t.id, time));
                }
            }
        }
        prop_assert_eq!(got.len(), want.len(), "{:?} vs {:?}", got, want);
        for (a, b) in got.iter().zip(&want) {
            prop_assert!(a.0 == b.0 && a.1 == b.1 && (a.2 - b.2).abs() <= 1e-9 * b.2.max(1.0), "{:?} vs {:?}", a, b);
        }
    }
}

/// Catchment costs on the real Monaco walk graph: the hierarchy's many-to-many gives the
/// pairs one Dijkstra per facility gives, at the same minutes.
#[test]
fn catchment_costs_through_the_hierarchy_equal_dijkstra_on_monaco() {
    use hsplan_access::analysis::{DemandPoint, Routes, SupplyPoint, catchment_costs};
    let (g, _) = Graph::build(&monaco(), &Profile::walk());
    let ch = hsplan_access::ch::ContractionHierarchy::build(&g);
    let reversed = g.reversed();
    let n = g.node_count();
    let at = |k: usize| g.coords[(k * 7919) % n];
    let supply: Vec<SupplyPoint> = (0..40)
        .map(|k| SupplyPoint {
            id: format!("s{k}"),
            kind: "clinic".into(),
            lon: at(k).0 + 0.0002,
            lat: at(k).1,
            capacity: 1.0,
        })
        .collect();
    let demand: Vec<DemandPoint> = (0..300)
        .map(|k| DemandPoint {
            id: format!("d{k}"),
            unit: String::new(),
            population: 1.0,
            lon: at(1000 + 3 * k).0,
            lat: at(1000 + 3 * k).1 - 0.0001,
            urban: None,
        })
        .collect();
    for minutes in [5.0, 12.0] {
        let dijkstra = catchment_costs(
            &g,
            &Routes::Dijkstra {
                graph: &g,
                reversed: &reversed,
            },
            &supply,
            &demand,
            minutes,
            4.5,
        );
        let hierarchy =
            catchment_costs(&g, &Routes::Hierarchy(&ch), &supply, &demand, minutes, 4.5);
        assert!(dijkstra.len() > 300, "{}", dijkstra.len());
        assert_eq!(dijkstra.len(), hierarchy.len());
        for (a, b) in dijkstra.iter().zip(&hierarchy) {
            assert!(
                a.0 == b.0 && a.1 == b.1 && (a.2 - b.2).abs() <= 1e-9 * a.2.max(1.0),
                "{a:?} vs {b:?}"
            );
        }
    }
}
