//! Funnel's engine: replays lead data through a checked playbook and
//! computes its KPIs. Pure library code: it never opens files and never
//! reads the clock; the CLI hands it readers and instants.
//!
//! Pipeline position: `funnel-check` [`Program`](funnel_check::Program) →
//! [`compile`] → [`Dataset`] (leads and events read from CSV, JSON Lines or
//! YAML) → [`run`] → [`Outcome`] → serialisers in [`output`] and [`explain`].
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
pub mod cron;
pub mod data;
pub mod eval;
pub mod explain;
pub mod inputs;
pub mod kpi;
mod nurture;
pub mod output;
pub mod plan;
mod replay;
pub mod sample;
mod scores;
mod stages;
pub mod step;
pub mod testing;
pub mod trace;
pub mod value;

pub use compile::{compile, CompileError, Compiled};
pub use data::{BadRows, DataError, Dataset, Format, InputReport};
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
    pub covered: std::collections::BTreeSet<testing::coverage::Key>,
    pub kpis: Vec<KpiResult>,
}

/// Replay `ds` through `c` and compute the KPIs. `progress(done, total)` is
/// called every 65,536 events and at the end.
pub fn run(
    c: &Compiled,
    ds: &Dataset,
    opts: &RunOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Outcome {
    let last = ds.events.recs.last().map(|r| r.at);
    let as_of = opts.as_of.or(last);
    let mut r = replay::Replay::new(c, ds, opts);
    let replayed = match as_of {
        Some(t) => r.run(t, progress),
        None => 0,
    };
    outcome(
        r,
        c,
        &ds.texts,
        ds.events.recs.get(..replayed).unwrap_or_default(),
        &ds.events.values,
        as_of,
    )
}

/// Compute the KPIs over the replayed events and gather the replay's results.
fn outcome(
    mut r: replay::Replay<'_>,
    c: &Compiled,
    texts: &value::Interner,
    events: &[data::EventRec],
    event_values: &[Value],
    as_of: Option<i64>,
) -> Outcome {
    let facts = kpi::eval::Facts {
        c,
        texts,
        vals: &r.vals,
        entered: &r.entered,
        n_leads: r.n_leads,
        breaches: &r.breaches,
        events,
        event_values,
        inputs: &r.inputs,
    };
    let kpis = kpi::evaluate(&facts);
    Outcome {
        as_of,
        events_replayed: events.len(),
        timers_fired: r.timers_fired,
        stage: r.leads.iter().map(|l| l.stage).collect(),
        scores: std::mem::take(&mut r.scores),
        vals: std::mem::take(&mut r.vals),
        entered: std::mem::take(&mut r.entered),
        transitions: std::mem::take(&mut r.transitions),
        actions: std::mem::take(&mut r.actions),
        breaches: std::mem::take(&mut r.breaches),
        trace: std::mem::take(&mut r.trace),
        covered: r.covered.take().unwrap_or_default(),
        kpis,
    }
}
