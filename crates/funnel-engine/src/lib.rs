//! Funnel's engine: replays lead data through a checked playbook and
//! computes its KPIs. The pure core: it never opens files, never reads the
//! clock and knows no file format; a checked program and a [`Dataset`] go
//! in, an [`Outcome`] comes out.
//!
//! Pipeline position: `funnel-check` [`Program`](funnel_check::Program) →
//! [`compile`] → [`Dataset`] (leads and events, read from files by
//! `funnel-data` or built by the test runner and the simulator) → [`run`] →
//! [`Outcome`] → `funnel-data`'s output files, and [`explain`]'s timeline
//! (values formatted by [`display`]).
//!
//! Glossary:
//! - **stage**: a step of the funnel (`Lead`, `MQL`, …). A lead moves forward
//!   only, may skip stages (they count as entered at that instant), and a
//!   `lost` stage ends its progress.
//! - **score**: a named number per lead (`engagement`), changed by rules,
//!   decay, and clamped by `floor`/`cap`.
//! - **rule**: a line of a score block: `+10 on E where …` (awarded per
//!   matching event) or `+15 when C` (held while C holds).
//! - **enrollment**: one lead going through one nurture's steps, from
//!   enrolling to completing or exiting.
//! - **ledger**: the list of every point change with the rule (and source
//!   line) that caused it; kept for the traced lead of `explain`.
//! - **period**: a KPI grouping by calendar time in the playbook's zone
//!   (day, ISO week, month, quarter, year).
//! - **timer**: something due at an instant (a wait ending, a decay step, an
//!   SLA deadline, a deferred send), replayed in time order with the events.

pub mod calendar;
pub mod compile;
pub mod coverage;
pub mod data;
pub mod display;
pub mod eval;
pub mod explain;
pub mod hash;
pub mod kpi;
mod nurture;
mod replay;
mod scores;
mod shard;
pub mod source;
mod stages;
pub mod step;
pub mod trace;
pub mod unsettled;
pub mod value;

pub use compile::{compile, Compiled};
pub use data::{Dataset, InputReport};
pub use kpi::{KpiResult, TargetStatus};
pub use nurture::split_bucket;
pub use replay::RunOptions;
pub use step::Stepper;

use trace::{Action, Breach, TraceEntry, Transition};
use value::Value;

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The instant the replay stopped at (`None` when there were no events).
    pub as_of: Option<i64>,
    /// Events replayed (at or before the as-of instant).
    pub events_replayed: usize,
    pub timers_fired: usize,
    /// Final stage per lead (`eval::NO_STAGE` when never in the funnel).
    pub stage: Vec<u16>,
    /// Final scores, lead by lead.
    pub scores: Vec<f64>,
    /// Final lead field values (after `set`), lead by lead.
    pub vals: Vec<Value>,
    /// Entry instant per lead and stage (`i64::MIN`: never entered).
    pub entered: Vec<i64>,
    pub transitions: Vec<Transition>,
    pub actions: Vec<Action>,
    pub breaches: Vec<Breach>,
    /// The traced lead's timeline (empty without [`RunOptions::trace`]).
    pub trace: Vec<TraceEntry>,
    /// What acted over the whole run, with [`RunOptions::coverage`].
    pub covered: std::collections::BTreeSet<coverage::Key>,
    pub kpis: Vec<KpiResult>,
    /// Leads that reached a settle limit, sorted by instant and lead: a run
    /// with any has no trustworthy result (see [`unsettled`]).
    pub unsettled: Vec<unsettled::Unsettled>,
}

/// Replay `ds` through `c` and compute the KPIs. `progress(done, total)` is
/// called every 65,536 events or so and at the end.
pub fn run(
    c: &Compiled,
    ds: &Dataset,
    opts: &RunOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Outcome {
    run_threads(c, ds, opts, 1, progress)
}

/// [`run`] on `threads` threads: the leads are split between them. The
/// outcome is the same for any number of threads.
pub fn run_threads(
    c: &Compiled,
    ds: &Dataset,
    opts: &RunOptions,
    threads: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Outcome {
    let (mut res, shards, kpis, replayed) =
        replay_and_kpis(c, ds, ds.leads.values.clone(), opts, threads, progress);
    shard::gather(shards, &mut res);
    finish(
        res,
        kpis,
        replayed,
        opts.as_of.or(ds.events.recs.last().map(|r| r.at)),
    )
}

/// [`run_threads`] for a caller that needs the dataset's values and events
/// no more (`funnel run`): the leads' field values move into
/// [`Outcome::vals`] instead of being copied, and the events are dropped
/// once the KPIs are computed, before the records are merged, so they never
/// take memory together. Afterwards `ds.leads.values` and `ds.events` are
/// empty.
pub fn run_taking(
    c: &Compiled,
    ds: &mut Dataset,
    opts: &RunOptions,
    threads: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Outcome {
    let as_of = opts.as_of.or(ds.events.recs.last().map(|r| r.at));
    let vals = std::mem::take(&mut ds.leads.values);
    let (mut res, shards, kpis, replayed) = replay_and_kpis(c, ds, vals, opts, threads, progress);
    ds.events = data::Events::default();
    shard::gather(shards, &mut res);
    finish(res, kpis, replayed, as_of)
}

/// Replay (records still per shard) and compute the KPIs.
fn replay_and_kpis(
    c: &Compiled,
    ds: &Dataset,
    vals: Vec<Value>,
    opts: &RunOptions,
    threads: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> (Results, Vec<shard::Shard>, Vec<KpiResult>, usize) {
    let recs = &ds.events.recs;
    let as_of = opts.as_of.or(recs.last().map(|r| r.at));
    let (replayed, res, shards) = match as_of {
        Some(t) => {
            let replayed = recs.partition_point(|r| r.at <= t);
            let (res, shards) = shard::replay(c, ds, opts, replayed, t, threads, vals, progress);
            progress(recs.len(), recs.len());
            (replayed, res, shards)
        }
        None => (0, Results::initial(c, ds, vals), Vec::new()),
    };
    // Breaches are only counted, so their order does not matter here.
    let breaches = shard::breaches(&shards);
    let facts = kpi::eval::Facts {
        c,
        texts: &ds.texts,
        vals: &res.vals,
        entered: &res.entered,
        n_leads: ds.leads.len(),
        breaches: &breaches,
        events: recs.get(..replayed).unwrap_or_default(),
        event_values: &ds.events.values,
        inputs: &opts.inputs,
        start: recs.get(..replayed).and_then(|r| r.first()).map(|r| r.at),
        as_of: as_of.filter(|_| replayed > 0),
    };
    let kpis = kpi::eval::evaluate_threads(&facts, threads);
    (res, shards, kpis, replayed)
}

fn finish(res: Results, kpis: Vec<KpiResult>, replayed: usize, as_of: Option<i64>) -> Outcome {
    Outcome {
        as_of,
        events_replayed: replayed,
        timers_fired: res.timers_fired,
        stage: res.stage,
        scores: res.scores,
        vals: res.vals,
        entered: res.entered,
        transitions: res.transitions,
        actions: res.actions,
        breaches: res.breaches,
        trace: res.trace,
        covered: res.covered,
        kpis,
        unsettled: res.unsettled,
    }
}

/// What a replay produced, before the KPIs.
#[derive(Debug, Default)]
pub(crate) struct Results {
    pub stage: Vec<u16>,
    pub scores: Vec<f64>,
    pub vals: Vec<Value>,
    pub entered: Vec<i64>,
    pub transitions: Vec<Transition>,
    pub actions: Vec<Action>,
    pub breaches: Vec<Breach>,
    pub trace: Vec<TraceEntry>,
    pub covered: std::collections::BTreeSet<coverage::Key>,
    pub timers_fired: usize,
    pub unsettled: Vec<unsettled::Unsettled>,
}

impl Results {
    /// Everything a plain replay's window holds, taken out of it.
    fn take(r: &mut replay::Replay<'_>) -> Results {
        Results {
            stage: r.leads.iter().map(|l| l.stage).collect(),
            scores: std::mem::take(&mut r.scores),
            vals: std::mem::take(&mut r.vals),
            entered: std::mem::take(&mut r.entered),
            transitions: std::mem::take(&mut r.transitions),
            actions: std::mem::take(&mut r.actions),
            breaches: std::mem::take(&mut r.breaches),
            trace: std::mem::take(&mut r.trace),
            covered: r.covered.take().unwrap_or_default(),
            timers_fired: r.timers_fired,
            unsettled: std::mem::take(&mut r.unsettled),
        }
    }

    /// Put the records in the order every run lists them: by instant, then
    /// lead, then as made (the sorts are stable, and each lead's records are
    /// made in time order).
    fn list_records(&mut self) {
        self.transitions.sort_by_key(|t| (t.at, t.lead));
        self.actions.sort_by_key(|a| (a.at, a.lead));
        self.breaches.sort_by_key(|b| (b.at, b.lead));
        self.unsettled.sort_by_key(|u| (u.at, u.lead));
    }

    /// Every lead as it starts: outside the funnel, initial scores.
    fn initial(c: &Compiled, ds: &Dataset, vals: Vec<Value>) -> Results {
        let n = ds.leads.len();
        let init: Vec<f64> = c.scores.iter().map(|s| s.initial()).collect();
        Results {
            stage: vec![eval::NO_STAGE; n],
            scores: init.iter().copied().cycle().take(n * init.len()).collect(),
            vals,
            entered: vec![i64::MIN; n * c.stages.len()],
            ..Results::default()
        }
    }
}

/// Compute the KPIs over the replayed events and gather a plain replay's results.
fn outcome(
    mut r: replay::Replay<'_>,
    c: &Compiled,
    texts: &value::Interner,
    events: &[data::EventRec],
    event_values: &[Value],
    as_of: Option<i64>,
) -> Outcome {
    let mut res = Results::take(&mut r);
    // A plain replay makes its records in one time order, leads interleaved.
    res.list_records();
    let inputs = std::mem::take(&mut r.inputs);
    outcome_with(
        res,
        c,
        texts,
        r.n_leads,
        events,
        event_values,
        &inputs,
        as_of,
    )
}

#[allow(clippy::too_many_arguments)]
fn outcome_with(
    res: Results,
    c: &Compiled,
    texts: &value::Interner,
    n_leads: usize,
    events: &[data::EventRec],
    event_values: &[Value],
    inputs: &[Value],
    as_of: Option<i64>,
) -> Outcome {
    let facts = kpi::eval::Facts {
        c,
        texts,
        vals: &res.vals,
        entered: &res.entered,
        n_leads,
        breaches: &res.breaches,
        events,
        event_values,
        inputs,
        start: events.iter().map(|r| r.at).min(),
        as_of: as_of.filter(|_| !events.is_empty()),
    };
    let kpis = kpi::evaluate(&facts);
    Outcome {
        as_of,
        events_replayed: events.len(),
        timers_fired: res.timers_fired,
        stage: res.stage,
        scores: res.scores,
        vals: res.vals,
        entered: res.entered,
        transitions: res.transitions,
        actions: res.actions,
        breaches: res.breaches,
        trace: res.trace,
        covered: res.covered,
        kpis,
        unsettled: res.unsettled,
    }
}
