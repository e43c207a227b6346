//! Many runs, in parallel, with a result independent of the thread count.
//!
//! Run `r` draws only from streams seeded by (seed, r, …), runs are
//! independent, and results are collected in run order, so the same seed
//! gives the same report on one thread or many. `--vs` replays a second
//! playbook over the same runs: the same arrivals, attributes and per-lead
//! streams (common random numbers), so differences are due to the playbooks.

use rayon::prelude::*;

use funnel_engine::kpi::KTy;
use funnel_engine::value::Value;
use funnel_engine::Compiled;

use crate::driver::{simulate, Setup};
use crate::report::{aggregate, differences, Report, RunSummary, Spread};
use crate::scenario::Scenario;

/// One playbook to simulate.
pub struct Subject<'a> {
    pub name: String,
    pub compiled: &'a Compiled,
    pub inputs: Vec<Value>,
}

/// KPI names, types and targets of a playbook, for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiMeta {
    pub name: String,
    pub ty: KTy,
    pub target: Option<String>,
}

/// What `funnel simulate` reports.
pub struct Simulation {
    pub runs: u64,
    pub seed: u64,
    pub base: (String, Vec<KpiMeta>, Report),
    /// Every run's summary, in run order (`--report` draws distributions).
    pub base_runs: Vec<RunSummary>,
    pub vs: Option<Versus>,
    pub stages: Vec<String>,
    pub currency: String,
}

/// The `--vs` playbook's report and, per base KPI it also has (matched by
/// name), the spread of (other − base) over the runs.
pub struct Versus {
    pub name: String,
    pub meta: Vec<KpiMeta>,
    pub report: Report,
    /// Every run's summary, in run order, with the KPIs in `meta`'s order.
    pub runs: Vec<RunSummary>,
    pub differences: Vec<(String, Spread)>,
    pub stages: Vec<String>,
}

fn all_runs(
    s: &Scenario,
    subject: &Subject<'_>,
    seed: u64,
    runs: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<(Vec<KpiMeta>, Vec<RunSummary>), String> {
    let setup = Setup {
        scenario: s,
        compiled: subject.compiled,
        seed,
        inputs: subject.inputs.clone(),
    };
    // Each run is reduced to its summary as soon as it ends (a run's full
    // outcome is large); the KPI names and types come from run 0.
    let results: Vec<(RunSummary, Option<Vec<KpiMeta>>)> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let out = simulate(&setup, r).map(|res| {
                let meta = (r == 0).then(|| {
                    res.outcome
                        .kpis
                        .iter()
                        .map(|k| KpiMeta {
                            name: k.name.clone(),
                            ty: k.ty,
                            target: k.target.as_ref().map(|(t, _)| t.clone()),
                        })
                        .collect()
                });
                (res.summary, meta)
            });
            tick();
            out
        })
        .collect::<Result<_, _>>()?;
    let meta = results
        .first()
        .and_then(|(_, m)| m.clone())
        .unwrap_or_default();
    Ok((
        meta,
        results.into_iter().map(|(summary, _)| summary).collect(),
    ))
}

/// Simulate `base` (and `vs`) over `runs` runs; `tick` is called once per run.
pub fn simulate_all(
    s: &Scenario,
    base: &Subject<'_>,
    vs: Option<&Subject<'_>>,
    seed: u64,
    runs: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<Simulation, String> {
    let (meta, summaries) = all_runs(s, base, seed, runs, tick)?;
    let report = aggregate(&summaries);
    let vs = match vs {
        None => None,
        Some(other) => {
            let (ometa, osum) = all_runs(s, other, seed, runs, tick)?;
            // Match KPIs by name: reorder the other's values to the base's order.
            let aligned: Vec<RunSummary> = osum
                .iter()
                .map(|r| RunSummary {
                    kpis: meta
                        .iter()
                        .map(|m| {
                            ometa
                                .iter()
                                .position(|o| o.name == m.name)
                                .and_then(|i| r.kpis.get(i).copied().flatten())
                        })
                        .collect(),
                    ..r.clone()
                })
                .collect();
            let diffs = differences(&summaries, &aligned)
                .into_iter()
                .zip(&meta)
                .filter(|(_, m)| ometa.iter().any(|o| o.name == m.name))
                .map(|(d, m)| (m.name.clone(), d))
                .collect();
            Some(Versus {
                name: other.name.clone(),
                report: aggregate(&osum),
                runs: osum,
                meta: ometa,
                differences: diffs,
                stages: other
                    .compiled
                    .stages
                    .iter()
                    .map(|s| s.name.clone())
                    .collect(),
            })
        }
    };
    Ok(Simulation {
        runs,
        seed,
        base: (base.name.clone(), meta, report),
        base_runs: summaries,
        vs,
        stages: base
            .compiled
            .stages
            .iter()
            .map(|s| s.name.clone())
            .collect(),
        currency: base.compiled.currency.clone(),
    })
}
