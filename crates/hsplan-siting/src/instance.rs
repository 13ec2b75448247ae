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
        let mut list: Vec<(u32, u32, f64)> = Vec::with_capacity(arcs.len());
        for a in arcs {
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
            if c < unreachable.0 {
                list.push((i, j, c));
            }
        }
        list.sort_by_key(|a| (a.0, a.1));
        if let Some(w) = list
            .windows(2)
            .find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        {
            return Err(SitingError::Input(format!(
                "pair ({}, {}) is listed twice",
                w[0].0, w[0].1
            )));
        }
        // per demand, by cost then site
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)).then(a.1.cmp(&b.1)));
        let mut d_start = vec![0u32; n + 1];
        for &(i, _, _) in &list {
            d_start[i as usize + 1] += 1;
        }
        for i in 0..n {
            d_start[i + 1] += d_start[i];
        }
        let d_site = list.iter().map(|a| a.1).collect();
        let d_cost = list.iter().map(|a| a.2).collect();
        let mut by_site = list.clone();
        by_site.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
        let mut s_start = vec![0u32; m + 1];
        for &(_, j, _) in &by_site {
            s_start[j as usize + 1] += 1;
        }
        for j in 0..m {
            s_start[j + 1] += s_start[j];
        }
        let integral = weights.iter().all(|w| w.0.fract() == 0.0)
            && list.iter().all(|a| a.2.fract() == 0.0)
            && unreachable.0.fract() == 0.0;
        Ok(Instance {
            weight: weights.iter().map(|w| w.0).collect(),
            fixed: fixed.to_vec(),
            unreachable: unreachable.0,
            d_start,
            d_site,
            d_cost,
            s_start,
            s_demand: by_site.iter().map(|a| a.0).collect(),
            s_cost: by_site.iter().map(|a| a.2).collect(),
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
}
