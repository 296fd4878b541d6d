//! Effective ownership through chains of holdings.
//!
//! The case subject is entity 0. A holding says "owner holds p % of owned". The effective ownership
//! of an entity in the subject is the sum, over every path owner → … → subject, of the product of
//! the percentages along the path.
//!
//! Cycles (cross-holdings: A owns part of B which owns part of A) are **cut**: a path never visits
//! an entity twice, so only simple paths count. The alternative — summing the infinite series of
//! walks round the loop — converges only under conditions and gives figures a reviewer cannot
//! re-derive by hand from the ownership chart; simple paths are what UBO registers ask for, each one
//! is listed as evidence, and the number of cycles cut is reported so a reviewer knows to look.
//! The subject is never an intermediate step: a path ends when it reaches it.
//!
//! Figures are kept unrounded for comparisons (with a 1e-9 tolerance, so 50 % × 50 % is 25 %)
//! and rounded to two decimals only for display.

use std::collections::BTreeMap;

/// Above this many paths the enumeration stops and says so; real ownership charts stay far below.
pub const MAX_PATHS: usize = 10_000;
/// Longest chain followed (a bound on recursion as much as on sense).
pub const MAX_PATH_LEN: usize = 64;
const TOLERANCE: f64 = 1e-9;

/// `owner` holds `percentage` % of `owned` (entity indexes; 0 is the case subject).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    pub owner: usize,
    pub owned: usize,
    pub percentage: f64,
}

/// One chain from an owner down to the subject, `entities[0]` being the owner.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnershipPath {
    pub entities: Vec<usize>,
    pub percentage: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnershipReport {
    /// Effective ownership of each entity in the subject, in percent, unrounded.
    pub effective: Vec<f64>,
    /// The paths that make each entity's figure.
    pub paths: BTreeMap<usize, Vec<OwnershipPath>>,
    /// How many times a path was stopped because it came back to an entity already on it.
    pub cycles_cut: usize,
    /// True when [`MAX_PATHS`] was reached: figures are then lower bounds.
    pub truncated: bool,
}

impl OwnershipReport {
    pub fn at_or_above(&self, entity: usize, threshold: f64) -> bool {
        at_or_above(
            self.effective.get(entity).copied().unwrap_or(0.0),
            threshold,
        )
    }
}

pub fn at_or_above(value: f64, threshold: f64) -> bool {
    value + TOLERANCE >= threshold
}

/// Two decimals, for display and for the CEL facts.
pub fn round_percentage(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Computes effective ownership for `entity_count` entities. Holdings with a non-positive or
/// non-finite percentage are ignored, above 100 % are read as 100 %, and a holding declared twice
/// (the same chart repeated under two branches) counts once, at its highest figure.
pub fn compute(entity_count: usize, holdings: &[Holding]) -> OwnershipReport {
    let mut owners_of: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); entity_count];
    for h in holdings {
        if h.owner >= entity_count || h.owned >= entity_count || h.owner == h.owned {
            continue;
        }
        if !h.percentage.is_finite() || h.percentage <= 0.0 {
            continue;
        }
        let fraction = h.percentage.min(100.0) / 100.0;
        let slot = owners_of[h.owned].entry(h.owner).or_insert(0.0);
        *slot = slot.max(fraction);
    }

    let mut report = OwnershipReport {
        effective: vec![0.0; entity_count],
        ..Default::default()
    };
    if entity_count == 0 {
        return report;
    }
    let mut on_path = vec![false; entity_count];
    let mut path = vec![0usize];
    on_path[0] = true;
    let mut path_count = 0usize;
    walk(
        &owners_of,
        0,
        1.0,
        &mut on_path,
        &mut path,
        &mut report,
        &mut path_count,
    );
    for value in &mut report.effective {
        *value *= 100.0;
    }
    report
}

/// Depth-first from the subject up through its owners; `path` holds subject … current.
fn walk(
    owners_of: &[BTreeMap<usize, f64>],
    current: usize,
    product: f64,
    on_path: &mut [bool],
    path: &mut Vec<usize>,
    report: &mut OwnershipReport,
    path_count: &mut usize,
) {
    for (&owner, &fraction) in &owners_of[current] {
        if on_path[owner] {
            report.cycles_cut += 1;
            continue;
        }
        if *path_count >= MAX_PATHS || path.len() > MAX_PATH_LEN {
            report.truncated = true;
            return;
        }
        *path_count += 1;
        let share = product * fraction;
        report.effective[owner] += share;
        path.push(owner);
        let mut entities: Vec<usize> = path.clone();
        entities.reverse();
        report.paths.entry(owner).or_default().push(OwnershipPath {
            entities,
            percentage: share * 100.0,
        });
        on_path[owner] = true;
        walk(owners_of, owner, share, on_path, path, report, path_count);
        on_path[owner] = false;
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(owner: usize, owned: usize, percentage: f64) -> Holding {
        Holding {
            owner,
            owned,
            percentage,
        }
    }

    #[test]
    fn products_along_a_chain_and_sums_over_paths() {
        // 0 ← 1 (holding, 100 %) ← 2 (person, 60 %); 2 also holds 10 % directly.
        let report = compute(3, &[h(1, 0, 100.0), h(2, 1, 60.0), h(2, 0, 10.0)]);
        assert!((report.effective[1] - 100.0).abs() < 1e-9);
        assert!((report.effective[2] - 70.0).abs() < 1e-9);
        assert_eq!(report.paths[&2].len(), 2);
        assert_eq!(report.paths[&2][0].entities.first(), Some(&2));
        assert_eq!(report.paths[&2][0].entities.last(), Some(&0));
    }

    #[test]
    fn fifty_percent_of_fifty_percent_reaches_the_threshold() {
        let report = compute(3, &[h(1, 0, 50.0), h(2, 1, 50.0)]);
        assert!(report.at_or_above(2, 25.0));
        let report = compute(3, &[h(1, 0, 50.0), h(2, 1, 49.99)]);
        assert!(!report.at_or_above(2, 25.0));
    }

    #[test]
    fn cross_holding_cycle_is_cut_and_counted() {
        // 0 ← 1 100 %; 1 ← 0 50 % (the subject owns half its parent) and ← 2 50 %.
        let report = compute(3, &[h(1, 0, 100.0), h(0, 1, 50.0), h(2, 1, 50.0)]);
        assert!((report.effective[2] - 50.0).abs() < 1e-9);
        assert_eq!(report.cycles_cut, 1);
        // A cycle not through the subject: 1 ← 2 ← 1.
        let report = compute(
            4,
            &[h(1, 0, 80.0), h(2, 1, 50.0), h(1, 2, 30.0), h(3, 2, 70.0)],
        );
        assert!((report.effective[3] - 28.0).abs() < 1e-9);
        assert_eq!(report.cycles_cut, 1);
        assert!(!report.truncated);
    }

    #[test]
    fn duplicated_and_invalid_holdings() {
        let report = compute(
            3,
            &[
                h(1, 0, 40.0),
                h(1, 0, 40.0),
                h(2, 0, f64::NAN),
                h(2, 0, -5.0),
                h(1, 1, 50.0),
            ],
        );
        assert!((report.effective[1] - 40.0).abs() < 1e-9);
        assert_eq!(report.effective[2], 0.0);
        let report = compute(2, &[h(1, 0, 250.0)]);
        assert!((report.effective[1] - 100.0).abs() < 1e-9);
    }

    #[test]
    fn very_long_chains_are_cut_and_reported() {
        let n = MAX_PATH_LEN + 10;
        let holdings: Vec<Holding> = (1..n).map(|i| h(i, i - 1, 100.0)).collect();
        let report = compute(n, &holdings);
        assert!(report.truncated);
        assert!((report.effective[MAX_PATH_LEN] - 100.0).abs() < 1e-9);
        assert_eq!(report.effective[n - 1], 0.0);
    }

    #[test]
    fn rounding_for_display() {
        assert_eq!(round_percentage(33.333_333), 33.33);
        assert_eq!(round_percentage(24.999_999_999_9), 25.0);
        assert_eq!(round_percentage(0.004), 0.0);
    }

    /// Random charts: businesses 0..b (0 is the subject), persons b..b+p hold no shares of
    /// themselves. Each business's owners hold at most 100 % in total.
    fn chart() -> impl Strategy<Value = (usize, Vec<Holding>)> {
        (1usize..6, 1usize..5).prop_flat_map(|(businesses, persons)| {
            let n = businesses + persons;
            let per_business = proptest::collection::vec((0..n, 1u32..=100), 0..4);
            proptest::collection::vec(per_business, businesses).prop_map(move |owners| {
                let mut holdings = Vec::new();
                for (owned, list) in owners.into_iter().enumerate() {
                    let total: u32 = list.iter().map(|(_, p)| p).sum();
                    let scale = if total > 100 {
                        100.0 / f64::from(total)
                    } else {
                        1.0
                    };
                    for (owner, p) in list {
                        holdings.push(h(owner, owned, f64::from(p) * scale));
                    }
                }
                (n, holdings)
            })
        })
    }

    proptest! {
        #[test]
        fn persons_never_hold_more_than_the_whole((n, holdings) in chart()) {
            // Persons are the entities nobody owns; with cycles cut, what reaches them is at most
            // what the subject's owners hold in total.
            let report = compute(n, &holdings);
            let owned: std::collections::BTreeSet<usize> = holdings.iter().map(|h| h.owned).collect();
            let persons_total: f64 = (1..n).filter(|e| !owned.contains(e)).map(|e| report.effective[e]).sum();
            prop_assert!(persons_total <= 100.0 + 1e-6, "total {persons_total}");
            for e in 0..n {
                prop_assert!(report.effective[e] >= 0.0);
                prop_assert!(report.effective[e] <= 100.0 * n as f64);
            }
        }

        #[test]
        fn effective_figure_is_the_sum_of_its_paths((n, holdings) in chart()) {
            let report = compute(n, &holdings);
            for (entity, paths) in &report.paths {
                let sum: f64 = paths.iter().map(|p| p.percentage).sum();
                prop_assert!((sum - report.effective[*entity]).abs() < 1e-6);
                for path in paths {
                    // Simple paths: no entity twice, ending at the subject.
                    let mut seen = std::collections::BTreeSet::new();
                    prop_assert!(path.entities.iter().all(|e| seen.insert(*e)));
                    prop_assert_eq!(path.entities.last(), Some(&0));
                }
            }
        }

        #[test]
        fn a_chain_is_the_product_of_its_links(links in proptest::collection::vec(1u32..=100, 1..8)) {
            let holdings: Vec<Holding> = links.iter().enumerate()
                .map(|(i, p)| h(i + 1, i, f64::from(*p))).collect();
            let report = compute(links.len() + 1, &holdings);
            let expected = links.iter().fold(100.0, |acc, p| acc * f64::from(*p) / 100.0);
            let last = report.effective[links.len()];
            prop_assert!((last - expected).abs() < 1e-9);
            prop_assert!((round_percentage(last) - last).abs() <= 0.005 + 1e-12);
        }
    }
}
