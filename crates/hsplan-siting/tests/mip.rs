//! The HiGHS path (feature `highs`) against brute force on tiny instances.
#![cfg(feature = "highs")]

use hsplan_siting::{
    Arc, Cost, CoverOptions, DemandIx, Instance, PMedianOptions, SiteIx, Weight, lscp, mclp, mip,
    pcenter, pmedian, reference,
};

fn instance(seed: u64) -> Instance {
    let mut rng = hsplan_siting::Rng::new(seed);
    let demand: Vec<(f64, f64, f64)> = (0..10)
        .map(|_| {
            (
                rng.below(100) as f64,
                rng.below(100) as f64,
                rng.below(9) as f64 + 1.0,
            )
        })
        .collect();
    let sites: Vec<(f64, f64, bool)> = (0..7)
        .map(|j| (rng.below(100) as f64, rng.below(100) as f64, j == 0))
        .collect();
    let mut arcs = Vec::new();
    for (i, d) in demand.iter().enumerate() {
        for (j, s) in sites.iter().enumerate() {
            let c = ((d.0 - s.0).abs() + (d.1 - s.1).abs()).round();
            if c <= 90.0 {
                arcs.push(Arc {
                    demand: DemandIx(i as u32),
                    site: SiteIx(j as u32),
                    cost: Cost(c),
                });
            }
        }
    }
    let w: Vec<Weight> = demand.iter().map(|d| Weight(d.2)).collect();
    let fixed: Vec<bool> = sites.iter().map(|s| s.2).collect();
    Instance::new(&w, &fixed, &arcs, Cost(150.0)).unwrap()
}

#[test]
fn highs_reaches_the_brute_force_optimum_for_every_model() {
    for seed in 0..12 {
        let inst = instance(seed);
        let (p, t) = (2, Cost(40.0));
        let h = pmedian(&inst, &PMedianOptions::new(p)).unwrap();
        let e = mip::solve(&inst, &h, p, None, 30.0).unwrap();
        assert_eq!(
            e.objective,
            reference::pmedian(&inst, p),
            "p-median seed {seed}"
        );
        assert_eq!(e.gap, 0.0);

        let h = mclp(&inst, t, &PMedianOptions::new(p)).unwrap();
        let e = mip::solve(&inst, &h, p, Some(t), 30.0).unwrap();
        assert_eq!(
            e.objective,
            reference::mclp(&inst, t, p),
            "MCLP seed {seed}"
        );

        let h = pcenter(&inst, p, &CoverOptions::default()).unwrap();
        let e = mip::solve(&inst, &h, p, None, 30.0).unwrap();
        assert_eq!(
            e.objective,
            reference::pcenter(&inst, p),
            "p-center seed {seed}"
        );

        let h = lscp(&inst, t, &CoverOptions::default()).unwrap();
        let e = mip::solve(&inst, &h, 0, Some(t), 30.0).unwrap();
        assert_eq!(
            e.objective,
            reference::lscp(&inst, t) as f64,
            "LSCP seed {seed}"
        );
        assert!(matches!(
            e.method,
            hsplan_siting::Method::Mip { optimal: true, .. }
        ));
    }
}
