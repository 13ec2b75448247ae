//! Every model against exhaustive enumeration on tiny random instances: the answer is
//! optimal, the bound is valid (never beyond the optimum), and a zero gap is a true claim.

use hsplan_siting::{
    Arc, Cost, CoverOptions, DemandIx, Instance, PMedianOptions, SiteIx, Weight, lscp, mclp,
    pcenter, pmedian, reference,
};
use proptest::prelude::*;

/// Points in a 100×100 square; demand i to site j costs the rounded Manhattan distance
/// (or, when `sparse`, only pairs within 60 are listed and the rest cost the cap, 200).
fn instance(demand: &[(u8, u8, u8)], sites: &[(u8, u8, bool)], sparse: bool) -> Instance {
    let mut arcs = Vec::new();
    for (i, d) in demand.iter().enumerate() {
        for (j, s) in sites.iter().enumerate() {
            let c = (d.0 as f64 - s.0 as f64).abs() + (d.1 as f64 - s.1 as f64).abs();
            let c = (c / 2.0).round();
            if !sparse || c <= 60.0 {
                arcs.push(Arc {
                    demand: DemandIx(i as u32),
                    site: SiteIx(j as u32),
                    cost: Cost(c),
                });
            }
        }
    }
    let weights: Vec<Weight> = demand.iter().map(|d| Weight(d.2 as f64)).collect();
    let fixed: Vec<bool> = sites.iter().map(|s| s.2).collect();
    Instance::new(&weights, &fixed, &arcs, Cost(200.0)).unwrap()
}

/// Demand (x, y, weight), sites (x, y, fixed), sparse, p, threshold.
type Tiny = (Vec<(u8, u8, u8)>, Vec<(u8, u8, bool)>, bool, usize, u8);

fn tiny() -> impl Strategy<Value = Tiny> {
    (
        prop::collection::vec((0u8..200, 0u8..200, 0u8..10), 1..14),
        prop::collection::vec((0u8..200, 0u8..200, prop::bool::weighted(0.15)), 2..10),
        any::<bool>(),
        1usize..5,
        10u8..70,
    )
}

fn free(sites: &[(u8, u8, bool)]) -> usize {
    sites.iter().filter(|s| !s.2).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn pmedian_is_optimal((demand, sites, sparse, p, _t) in tiny()) {
        let inst = instance(&demand, &sites, sparse);
        let p = p.min(free(&sites));
        let s = pmedian(&inst, &PMedianOptions::new(p)).unwrap();
        let best = reference::pmedian(&inst, p);
        prop_assert_eq!(s.chosen.len(), p);
        prop_assert_eq!(s.objective, inst.total_cost(&s.chosen), "objective is the solution's cost");
        prop_assert_eq!(s.objective, best);
        prop_assert!(s.bound <= best + 1e-9, "bound {} above the optimum {}", s.bound, best);
    }

    #[test]
    fn mclp_is_optimal((demand, sites, sparse, p, t) in tiny()) {
        let inst = instance(&demand, &sites, sparse);
        let p = p.min(free(&sites));
        let t = Cost(t as f64);
        let s = mclp(&inst, t, &PMedianOptions::new(p)).unwrap();
        let best = reference::mclp(&inst, t, p);
        prop_assert_eq!(s.objective, inst.covered_weight(&s.chosen, t));
        prop_assert_eq!(s.objective, best);
        prop_assert!(s.bound >= best - 1e-9, "bound {} below the optimum {}", s.bound, best);
    }

    #[test]
    fn pcenter_is_optimal((demand, sites, sparse, p, _t) in tiny()) {
        let inst = instance(&demand, &sites, sparse);
        let p = p.min(free(&sites));
        let s = pcenter(&inst, p, &CoverOptions::default()).unwrap();
        let best = reference::pcenter(&inst, p);
        prop_assert_eq!(s.objective, inst.max_cost(&s.chosen));
        prop_assert_eq!(s.objective, best);
        prop_assert!(s.bound <= best + 1e-9, "bound {} above the optimum {}", s.bound, best);
    }

    #[test]
    fn lscp_is_optimal((demand, sites, sparse, _p, t) in tiny()) {
        let inst = instance(&demand, &sites, sparse);
        let t = Cost(t as f64);
        let s = lscp(&inst, t, &CoverOptions::default()).unwrap();
        let best = reference::lscp(&inst, t) as f64;
        // every coverable demand is covered
        let all: Vec<SiteIx> = (0..sites.len() as u32).map(SiteIx).filter(|&j| !inst.is_fixed(j)).collect();
        prop_assert_eq!(inst.covered_weight(&s.chosen, t), inst.covered_weight(&all, t));
        prop_assert_eq!(s.objective, best);
        prop_assert!(s.bound <= best + 1e-9, "bound {} above the optimum {}", s.bound, best);
    }
}

#[test]
fn zero_gap_claims_hold_on_a_seeded_batch() {
    // deterministic batch: when the solver reports gap 0, brute force agrees
    let mut rng = hsplan_siting::Rng::new(42);
    let mut claims = 0;
    for _ in 0..200 {
        let demand: Vec<(u8, u8, u8)> = (0..12)
            .map(|_| {
                (
                    rng.below(200) as u8,
                    rng.below(200) as u8,
                    rng.below(9) as u8 + 1,
                )
            })
            .collect();
        let sites: Vec<(u8, u8, bool)> = (0..8)
            .map(|_| (rng.below(200) as u8, rng.below(200) as u8, false))
            .collect();
        let inst = instance(&demand, &sites, false);
        let s = pmedian(&inst, &PMedianOptions::new(3)).unwrap();
        if s.gap == 0.0 {
            claims += 1;
            assert_eq!(s.objective, reference::pmedian(&inst, 3));
        }
    }
    assert!(
        claims > 100,
        "the bound closes on most tiny instances ({claims}/200)"
    );
}

#[test]
fn asking_for_more_sites_than_candidates_is_an_error() {
    let inst = instance(&[(1, 1, 1)], &[(2, 2, false), (3, 3, true)], false);
    let e = pmedian(&inst, &PMedianOptions::new(2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("only 1 candidate"), "{e}");
}
