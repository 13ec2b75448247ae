//! A location problem's data: demand points with weights, candidate and existing sites,
//! and a sparse demand-to-site cost list (travel minutes, or any distance).

use crate::SitingError;

/// Index of a demand point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct DemandIx(pub u32);

/// Index of a site (existing facility or candidate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct SiteIx(pub u32);

/// A travel cost (minutes, metres… the unit of the cost list).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct Cost(pub f64);

/// A demand weight (residents).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
pub struct Weight(pub f64);

/// One demand-to-site cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    /// Demand point.
    pub demand: DemandIx,
    /// Site.
    pub site: SiteIx,
    /// Cost of serving the demand from the site.
    pub cost: Cost,
}

/// A location problem. Pairs missing from the cost list cost `unreachable` (a demand with
/// no listed site is served at that cost, or is uncovered); costs at or above it are
/// dropped. Per demand the listed sites are sorted by cost, per site the demands too.
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) weight: Vec<f64>,
    pub(crate) fixed: Vec<bool>,
    pub(crate) unreachable: f64,
    /// Per demand: start of its arcs in `d_site`/`d_cost`.
    pub(crate) d_start: Vec<u32>,
    pub(crate) d_site: Vec<u32>,
    pub(crate) d_cost: Vec<f64>,
    /// Per site: start of its arcs in `s_demand`/`s_cost`.
    pub(crate) s_start: Vec<u32>,
    pub(crate) s_demand: Vec<u32>,
    pub(crate) s_cost: Vec<f64>,
    pub(crate) integral: bool,
}

impl Instance {
    /// Builds an instance. `fixed[j]` marks site j as open already (an existing facility);
    /// the models choose among the others. Errors on a weight or cost that is negative or not
    /// finite, an index out of range, or a pair listed twice.
    pub fn new(
        weights: &[Weight],
        fixed: &[bool],
        arcs: &[Arc],
        unreachable: Cost,
    ) -> Result<Instance, SitingError> {
        Instance::from_arcs(weights, fixed, arcs.to_vec(), unreachable)
    }

    /// [`Instance::new`] taking the cost list by value: it is sorted in place and freed as
    /// soon as the per-demand lists are built, so at most 28 bytes per pair are alive while
    /// building (the instance itself keeps 24).
    pub fn from_arcs(
        weights: &[Weight],
        fixed: &[bool],
        mut arcs: Vec<Arc>,
        unreachable: Cost,
    ) -> Result<Instance, SitingError> {
        let n = weights.len();
        let m = fixed.len();
        if unreachable.0.is_nan() || unreachable.0 <= 0.0 {
            return Err(SitingError::Input(format!(
                "the unreachable cost must be positive (got {})",
                unreachable.0
            )));
        }
        for (i, w) in weights.iter().enumerate() {
            if !(w.0.is_finite() && w.0 >= 0.0) {
                return Err(SitingError::Input(format!(
                    "demand {i}: weight {} is not a non-negative number",
                    w.0
                )));
            }
        }
        for a in &arcs {
            let (i, j, c) = (a.demand.0, a.site.0, a.cost.0);
            if i as usize >= n || j as usize >= m {
                return Err(SitingError::Input(format!(
                    "pair ({i}, {j}) is out of range ({n} demand points, {m} sites)"
                )));
            }
            if !(c.is_finite() && c >= 0.0) {
                return Err(SitingError::Input(format!(
                    "pair ({i}, {j}): cost {c} is not a non-negative number"
                )));
            }
        }
        arcs.retain(|a| a.cost.0 < unreachable.0);
        // per demand, by cost then site: a total order while no pair is listed twice
        arcs.sort_unstable_by(|a, b| {
            a.demand
                .cmp(&b.demand)
                .then(a.cost.0.total_cmp(&b.cost.0))
                .then(a.site.cmp(&b.site))
        });
        // a pair listed twice: the smallest demand, then site, of any
        let mut seen = vec![false; m];
        let mut twice: Option<(u32, u32)> = None;
        for run in arcs.chunk_by(|a, b| a.demand == b.demand) {
            for a in run {
                let j = a.site.0;
                if std::mem::replace(&mut seen[j as usize], true) {
                    twice = Some(twice.map_or((a.demand.0, j), |t| t.min((a.demand.0, j))));
                }
            }
            if twice.is_some() {
                break;
            }
            for a in run {
                seen[a.site.0 as usize] = false;
            }
        }
        if let Some((i, j)) = twice {
            return Err(SitingError::Input(format!(
                "pair ({i}, {j}) is listed twice"
            )));
        }
        let integral = weights.iter().all(|w| w.0.fract() == 0.0)
            && arcs.iter().all(|a| a.cost.0.fract() == 0.0)
            && unreachable.0.fract() == 0.0;
        let mut d_start = vec![0u32; n + 1];
        for a in &arcs {
            d_start[a.demand.0 as usize + 1] += 1;
        }
        for i in 0..n {
            d_start[i + 1] += d_start[i];
        }
        let d_site: Vec<u32> = arcs.iter().map(|a| a.site.0).collect();
        let d_cost: Vec<f64> = arcs.iter().map(|a| a.cost.0).collect();
        drop(arcs);
        // per site, by cost then demand: placed in demand order, then each site's run sorted
        let mut s_start = vec![0u32; m + 1];
        for &j in &d_site {
            s_start[j as usize + 1] += 1;
        }
        for j in 0..m {
            s_start[j + 1] += s_start[j];
        }
        let mut fill = s_start.clone();
        let mut s_demand = vec![0u32; d_site.len()];
        let mut s_cost = vec![0f64; d_site.len()];
        for i in 0..n {
            for k in d_start[i] as usize..d_start[i + 1] as usize {
                let at = &mut fill[d_site[k] as usize];
                s_demand[*at as usize] = i as u32;
                s_cost[*at as usize] = d_cost[k];
                *at += 1;
            }
        }
        drop(fill);
        let mut run: Vec<(f64, u32)> = Vec::new();
        for j in 0..m {
            let r = s_start[j] as usize..s_start[j + 1] as usize;
            run.clear();
            run.extend(
                s_cost[r.clone()]
                    .iter()
                    .copied()
                    .zip(s_demand[r.clone()].iter().copied()),
            );
            run.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (k, &(c, i)) in r.zip(&run) {
                s_cost[k] = c;
                s_demand[k] = i;
            }
        }
        Ok(Instance {
            weight: weights.iter().map(|w| w.0).collect(),
            fixed: fixed.to_vec(),
            unreachable: unreachable.0,
            d_start,
            d_site,
            d_cost,
            s_start,
            s_demand,
            s_cost,
            integral,
        })
    }

    /// Number of demand points.
    pub fn demand_count(&self) -> usize {
        self.weight.len()
    }

    /// Number of sites (existing and candidate).
    pub fn site_count(&self) -> usize {
        self.fixed.len()
    }

    /// Number of listed pairs.
    pub fn arc_count(&self) -> usize {
        self.d_site.len()
    }

    /// Whether site j is fixed open.
    pub fn is_fixed(&self, site: SiteIx) -> bool {
        self.fixed[site.0 as usize]
    }

    /// Number of sites fixed open.
    pub fn fixed_count(&self) -> usize {
        self.fixed.iter().filter(|f| **f).count()
    }

    /// The cost of a pair not listed.
    pub fn unreachable(&self) -> Cost {
        Cost(self.unreachable)
    }

    /// Total demand weight.
    pub fn total_weight(&self) -> Weight {
        Weight(self.weight.iter().sum())
    }

    /// Weight of demand i.
    pub fn weight(&self, i: DemandIx) -> Weight {
        Weight(self.weight[i.0 as usize])
    }

    /// The listed sites of demand i, cheapest first.
    pub fn sites_of(&self, i: DemandIx) -> impl Iterator<Item = (SiteIx, Cost)> + '_ {
        let r = self.d_start[i.0 as usize] as usize..self.d_start[i.0 as usize + 1] as usize;
        self.d_site[r.clone()]
            .iter()
            .zip(&self.d_cost[r])
            .map(|(&j, &c)| (SiteIx(j), Cost(c)))
    }

    /// The demand point nearest to site j (cheapest, then lowest index), if any is listed.
    pub fn nearest_demand(&self, j: SiteIx) -> Option<(DemandIx, Cost)> {
        let k = self.s_start[j.0 as usize] as usize;
        (k < self.s_start[j.0 as usize + 1] as usize)
            .then(|| (DemandIx(self.s_demand[k]), Cost(self.s_cost[k])))
    }

    pub(crate) fn d_range(&self, i: usize) -> std::ops::Range<usize> {
        self.d_start[i] as usize..self.d_start[i + 1] as usize
    }

    pub(crate) fn s_range(&self, j: usize) -> std::ops::Range<usize> {
        self.s_start[j] as usize..self.s_start[j + 1] as usize
    }

    /// Whether every objective value is an integer (integer weights and costs): bounds are
    /// then rounded up.
    pub fn is_integral(&self) -> bool {
        self.integral
    }

    /// Cost from demand i to its nearest open site (`unreachable` when none is listed).
    pub fn nearest_open(&self, i: DemandIx, open: &[bool]) -> (Option<SiteIx>, Cost) {
        for k in self.d_range(i.0 as usize) {
            let j = self.d_site[k] as usize;
            if open[j] || self.fixed[j] {
                return (Some(SiteIx(j as u32)), Cost(self.d_cost[k]));
            }
        }
        (None, Cost(self.unreachable))
    }

    /// Marks of the sites open in a solution: the fixed ones and `chosen`.
    pub fn open_mask(&self, chosen: &[SiteIx]) -> Vec<bool> {
        let mut open = self.fixed.clone();
        for s in chosen {
            open[s.0 as usize] = true;
        }
        open
    }

    /// Σ weight × cost to the nearest open site (the p-median objective).
    pub fn total_cost(&self, chosen: &[SiteIx]) -> f64 {
        let open = self.open_mask(chosen);
        (0..self.demand_count())
            .map(|i| self.weight[i] * self.nearest_open(DemandIx(i as u32), &open).1.0)
            .sum()
    }

    /// Weight of the demand within `threshold` of an open site (the MCLP objective).
    pub fn covered_weight(&self, chosen: &[SiteIx], threshold: Cost) -> f64 {
        let open = self.open_mask(chosen);
        (0..self.demand_count())
            .filter(|&i| self.nearest_open(DemandIx(i as u32), &open).1.0 <= threshold.0)
            .map(|i| self.weight[i])
            .sum()
    }

    /// The largest cost from a demand (of positive weight) to its nearest open site
    /// (the p-center objective).
    pub fn max_cost(&self, chosen: &[SiteIx]) -> f64 {
        let open = self.open_mask(chosen);
        (0..self.demand_count())
            .filter(|&i| self.weight[i] > 0.0)
            .map(|i| self.nearest_open(DemandIx(i as u32), &open).1.0)
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arc(i: u32, j: u32, c: f64) -> Arc {
        Arc {
            demand: DemandIx(i),
            site: SiteIx(j),
            cost: Cost(c),
        }
    }

    #[test]
    fn lists_are_sorted_and_unlisted_pairs_cost_the_cap() {
        let inst = Instance::new(
            &[Weight(1.0), Weight(2.0)],
            &[false, false],
            &[
                arc(0, 1, 5.0),
                arc(0, 0, 3.0),
                arc(1, 1, 2.0),
                arc(1, 0, 99.0),
            ],
            Cost(50.0),
        )
        .unwrap();
        let l: Vec<_> = inst.sites_of(DemandIx(0)).collect();
        assert_eq!(l, vec![(SiteIx(0), Cost(3.0)), (SiteIx(1), Cost(5.0))]);
        assert_eq!(
            inst.arc_count(),
            3,
            "the cost at or above the cap is dropped"
        );
        assert_eq!(inst.total_cost(&[SiteIx(0)]), 3.0 + 2.0 * 50.0);
        assert_eq!(inst.total_cost(&[SiteIx(1)]), 5.0 + 2.0 * 2.0);
        assert_eq!(inst.covered_weight(&[SiteIx(0)], Cost(10.0)), 1.0);
        assert_eq!(inst.max_cost(&[SiteIx(1)]), 5.0);
        assert!(inst.is_integral());
    }

    #[test]
    fn bad_input_is_refused_with_the_pair() {
        let e = Instance::new(&[Weight(1.0)], &[false], &[arc(0, 3, 1.0)], Cost(9.0));
        assert!(e.unwrap_err().to_string().contains("(0, 3)"));
        let e = Instance::new(&[Weight(1.0)], &[false], &[arc(0, 0, f64::NAN)], Cost(9.0));
        assert!(e.unwrap_err().to_string().contains("cost"));
        let e = Instance::new(
            &[Weight(1.0)],
            &[false],
            &[arc(0, 0, 1.0), arc(0, 0, 2.0)],
            Cost(9.0),
        );
        assert!(e.unwrap_err().to_string().contains("twice"));
        let e = Instance::new(&[Weight(-1.0)], &[false], &[], Cost(9.0));
        assert!(e.unwrap_err().to_string().contains("weight"));
    }

    #[test]
    fn a_pair_listed_twice_is_found_when_other_pairs_sort_between_its_copies() {
        let e = Instance::new(
            &[Weight(1.0), Weight(1.0)],
            &[false, false, false],
            &[
                arc(1, 2, 4.0),
                arc(1, 0, 1.0),
                arc(1, 1, 2.0),
                arc(1, 0, 3.0),
                arc(1, 2, 0.5),
            ],
            Cost(9.0),
        );
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("(1, 0) is listed twice")
        );
        // a copy at or above the cap is dropped first, as any pair that dear
        let ok = Instance::new(
            &[Weight(1.0)],
            &[false],
            &[arc(0, 0, 1.0), arc(0, 0, 9.0)],
            Cost(9.0),
        );
        assert_eq!(ok.unwrap().arc_count(), 1);
    }

    /// Both orders against a plain sort of the listed pairs, on random lists with ties.
    #[test]
    fn per_demand_and_per_site_orders_match_a_plain_sort() {
        let mut rng = crate::rng::Rng::new(11);
        for _ in 0..200 {
            let (n, m) = (1 + rng.below(9), 1 + rng.below(7));
            let mut arcs = Vec::new();
            for i in 0..n {
                for j in 0..m {
                    if rng.below(3) > 0 {
                        arcs.push(arc(i as u32, j as u32, rng.below(6) as f64));
                    }
                }
            }
            // input order shuffled
            for k in (1..arcs.len()).rev() {
                arcs.swap(k, rng.below(k + 1));
            }
            let inst =
                Instance::new(&vec![Weight(1.0); n], &vec![false; m], &arcs, Cost(5.0)).unwrap();
            let inst = &inst;
            let mut kept: Vec<(u32, u32, f64)> = arcs
                .iter()
                .filter(|a| a.cost.0 < 5.0)
                .map(|a| (a.demand.0, a.site.0, a.cost.0))
                .collect();
            kept.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)).then(a.1.cmp(&b.1)));
            let by_demand: Vec<(u32, u32, f64)> = (0..n)
                .flat_map(|i| {
                    inst.sites_of(DemandIx(i as u32))
                        .map(move |(j, c)| (i as u32, j.0, c.0))
                })
                .collect();
            assert_eq!(by_demand, kept);
            kept.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
            let by_site: Vec<(u32, u32, f64)> = (0..m)
                .flat_map(|j| {
                    inst.s_range(j)
                        .map(move |k| (inst.s_demand[k], j as u32, inst.s_cost[k]))
                })
                .collect();
            assert_eq!(by_site, kept);
            for j in 0..m {
                let first = kept.iter().find(|a| a.1 == j as u32);
                assert_eq!(
                    inst.nearest_demand(SiteIx(j as u32)),
                    first.map(|a| (DemandIx(a.0), Cost(a.2)))
                );
            }
        }
    }
}
