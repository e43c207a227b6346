//! Across-run statistics of a simulation: percentiles of every KPI, the
//! probability each target is met, leads per stage week by week, sends per
//! day and SLA breaches, and with `--vs` the spread of the differences.
//!
//! Percentiles are nearest-rank over the sorted values of the runs where the
//! value is defined, so the report is exact and deterministic.

use rust_decimal::Decimal;

/// What one run of one playbook produced, reduced to what the report needs.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// KPI totals in the playbook's KPI order; `None` is undefined.
    pub kpis: Vec<Option<Decimal>>,
    /// Per KPI with a target: met (`Some(true)`), missed, or undefined.
    pub targets: Vec<Option<bool>>,
    /// Per week of the horizon, per stage: leads whose stage at the end of
    /// that week is this one.
    pub stage_weekly: Vec<Vec<u32>>,
    /// Sends per day of the horizon.
    pub sends_daily: Vec<u32>,
    /// SLA breaches in the run.
    pub breaches: u32,
    /// Leads that arrived.
    pub leads: u32,
}

/// p5, median and p95 of a set of values, and how many runs had none.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    pub p5: Option<Decimal>,
    pub median: Option<Decimal>,
    pub p95: Option<Decimal>,
    pub undefined_runs: usize,
}

/// Nearest-rank percentile `p` (0..=100) of sorted values.
pub fn percentile(sorted: &[Decimal], p: u32) -> Option<Decimal> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u64::from(p) * n as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(n) - 1).copied()
}

/// The spread of values over runs (`None` entries are undefined runs).
pub fn spread(values: impl IntoIterator<Item = Option<Decimal>>) -> Spread {
    let mut undefined_runs = 0;
    let mut v: Vec<Decimal> = Vec::new();
    for x in values {
        match x {
            Some(d) => v.push(d),
            None => undefined_runs += 1,
        }
    }
    v.sort();
    Spread {
        p5: percentile(&v, 5),
        median: percentile(&v, 50),
        p95: percentile(&v, 95),
        undefined_runs,
    }
}

/// The across-run report of one playbook (and its difference to another).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub runs: usize,
    pub kpis: Vec<Spread>,
    /// Probability (0..=1) that each target is met, over all runs.
    pub target_met: Vec<Decimal>,
    /// Median over runs, per week and stage.
    pub stage_weekly: Vec<Vec<Decimal>>,
    /// Median and p95 of sends per day, per day.
    pub sends_daily: Vec<(Decimal, Decimal)>,
    pub breaches: Spread,
    pub leads: Spread,
}

fn median_of(values: impl IntoIterator<Item = u32>) -> Decimal {
    let mut v: Vec<Decimal> = values.into_iter().map(Decimal::from).collect();
    v.sort();
    percentile(&v, 50).unwrap_or_default()
}

fn p95_of(values: impl IntoIterator<Item = u32>) -> Decimal {
    let mut v: Vec<Decimal> = values.into_iter().map(Decimal::from).collect();
    v.sort();
    percentile(&v, 95).unwrap_or_default()
}

/// Aggregate runs (all of the same playbook and scenario).
pub fn aggregate(runs: &[RunSummary]) -> Report {
    let n_kpis = runs.first().map_or(0, |r| r.kpis.len());
    let n_targets = runs.first().map_or(0, |r| r.targets.len());
    let weeks = runs.first().map_or(0, |r| r.stage_weekly.len());
    let stages = runs
        .first()
        .and_then(|r| r.stage_weekly.first())
        .map_or(0, Vec::len);
    let days = runs.first().map_or(0, |r| r.sends_daily.len());
    let total = Decimal::from(runs.len().max(1) as u64);
    Report {
        runs: runs.len(),
        kpis: (0..n_kpis)
            .map(|k| spread(runs.iter().map(|r| r.kpis.get(k).copied().flatten())))
            .collect(),
        target_met: (0..n_targets)
            .map(|t| {
                let met = runs
                    .iter()
                    .filter(|r| r.targets.get(t).copied().flatten() == Some(true))
                    .count();
                Decimal::from(met as u64) / total
            })
            .collect(),
        stage_weekly: (0..weeks)
            .map(|w| {
                (0..stages)
                    .map(|s| median_of(runs.iter().map(|r| r.stage_weekly[w][s])))
                    .collect()
            })
            .collect(),
        sends_daily: (0..days)
            .map(|d| {
                (
                    median_of(runs.iter().map(|r| r.sends_daily[d])),
                    p95_of(runs.iter().map(|r| r.sends_daily[d])),
                )
            })
            .collect(),
        breaches: spread(runs.iter().map(|r| Some(Decimal::from(r.breaches)))),
        leads: spread(runs.iter().map(|r| Some(Decimal::from(r.leads)))),
    }
}

/// Per KPI, the spread of (other − base) over runs where both are defined.
pub fn differences(base: &[RunSummary], other: &[RunSummary]) -> Vec<Spread> {
    let n = base.first().map_or(0, |r| r.kpis.len());
    (0..n)
        .map(|k| {
            spread(base.iter().zip(other).map(|(a, b)| {
                match (
                    a.kpis.get(k).copied().flatten(),
                    b.kpis.get(k).copied().flatten(),
                ) {
                    (Some(x), Some(y)) => Some(y - x),
                    _ => None,
                }
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: i64) -> Decimal {
        Decimal::from(x)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Decimal> = (1..=20).map(d).collect();
        // ceil(0.05 * 20) = 1st, ceil(0.5 * 20) = 10th, ceil(0.95 * 20) = 19th.
        assert_eq!(percentile(&v, 5), Some(d(1)));
        assert_eq!(percentile(&v, 50), Some(d(10)));
        assert_eq!(percentile(&v, 95), Some(d(19)));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[d(7)], 5), Some(d(7)));
    }

    #[test]
    fn undefined_runs_are_counted_not_zero() {
        let s = spread([Some(d(3)), None, Some(d(1)), None]);
        assert_eq!(s.undefined_runs, 2);
        assert_eq!(s.median, Some(d(1)));
        assert_eq!(s.p95, Some(d(3)));
    }

    #[test]
    fn aggregate_and_differences() {
        let run = |k: i64, met: bool, sends: u32| RunSummary {
            kpis: vec![Some(d(k)), None],
            targets: vec![Some(met)],
            stage_weekly: vec![vec![2, 1]],
            sends_daily: vec![sends],
            breaches: 1,
            leads: 3,
        };
        let a = vec![
            run(10, true, 4),
            run(20, false, 6),
            run(30, true, 8),
            run(40, true, 2),
        ];
        let r = aggregate(&a);
        assert_eq!(r.runs, 4);
        assert_eq!(r.kpis[0].median, Some(d(20)));
        assert_eq!(r.kpis[1].undefined_runs, 4);
        assert_eq!(r.target_met, vec![Decimal::new(75, 2)]);
        assert_eq!(r.sends_daily, vec![(d(4), d(8))]);
        let b: Vec<RunSummary> = a
            .iter()
            .map(|x| RunSummary {
                kpis: vec![x.kpis[0].map(|v| v + d(5)), None],
                ..x.clone()
            })
            .collect();
        let diff = differences(&a, &b);
        assert_eq!(diff[0].median, Some(d(5)));
        assert_eq!(diff[1].undefined_runs, 4);
    }
}
