//! Slow, obvious references: every subset of the free sites, for tests on tiny instances.

use crate::instance::{Cost, Instance, SiteIx};

fn free(inst: &Instance) -> Vec<SiteIx> {
    (0..inst.site_count() as u32)
        .map(SiteIx)
        .filter(|&s| !inst.is_fixed(s))
        .collect()
}

fn subsets(items: &[SiteIx], k: usize, f: &mut dyn FnMut(&[SiteIx])) {
    fn go(
        items: &[SiteIx],
        k: usize,
        start: usize,
        cur: &mut Vec<SiteIx>,
        f: &mut dyn FnMut(&[SiteIx]),
    ) {
        if cur.len() == k {
            f(cur);
            return;
        }
        for i in start..items.len() {
            if items.len() - i < k - cur.len() {
                break;
            }
            cur.push(items[i]);
            go(items, k, i + 1, cur, f);
            cur.pop();
        }
    }
    go(items, k, 0, &mut Vec::new(), f);
}

/// Least Σ weight × cost over all sets of p free sites.
pub fn pmedian(inst: &Instance, p: usize) -> f64 {
    let mut best = f64::INFINITY;
    subsets(&free(inst), p, &mut |s| best = best.min(inst.total_cost(s)));
    best
}

/// Most weight within the threshold over all sets of p free sites.
pub fn mclp(inst: &Instance, threshold: Cost, p: usize) -> f64 {
    let mut best = f64::NEG_INFINITY;
    subsets(&free(inst), p, &mut |s| {
        best = best.max(inst.covered_weight(s, threshold))
    });
    best
}

/// Least worst-case cost over all sets of p free sites.
pub fn pcenter(inst: &Instance, p: usize) -> f64 {
    let mut best = f64::INFINITY;
    subsets(&free(inst), p, &mut |s| best = best.min(inst.max_cost(s)));
    best
}

/// Fewest free sites covering every coverable demand of positive weight within the
/// threshold (a demand no site reaches is ignored).
pub fn lscp(inst: &Instance, threshold: Cost) -> usize {
    let all = free(inst);
    let coverable = inst.covered_weight(&all, threshold);
    let count = |s: &[SiteIx]| {
        let open = inst.open_mask(s);
        (0..inst.demand_count() as u32)
            .map(crate::instance::DemandIx)
            .filter(|&i| inst.weight(i).0 > 0.0)
            .filter(|&i| inst.nearest_open(i, &open).1.0 <= threshold.0)
            .count()
    };
    let target = count(&all);
    let _ = coverable;
    for k in 0..=all.len() {
        let mut found = false;
        subsets(&all, k, &mut |s| {
            if !found && count(s) == target {
                found = true;
            }
        });
        if found {
            return k;
        }
    }
    all.len()
}
