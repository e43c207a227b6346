//! Stepping a replay from outside: the simulator's way in.
//!
//! `funnel run` replays a dataset whose events are all known up front. A
//! simulation instead reacts to what the playbook does (an email is opened
//! some time after it was sent, sales accepts a lead after it becomes an
//! MQL), so its events appear as the replay goes. A [`Stepper`] holds the
//! leads of a [`Dataset`] and takes events one at a time, in time order,
//! interleaved with the replay's own timers: the caller delivers an event
//! when it is due no later than the next timer (events come first at the
//! same instant, as in [`crate::run`]), fires the timer otherwise, and reads
//! the transitions and actions produced so far to decide what happens next.
//!
//! Leads never influence each other, so a stepper can also go lead by lead
//! ([`Stepper::lead_by_lead`]): the caller steps one lead's whole timeline
//! between [`Stepper::begin_lead`] and [`Stepper::end_lead`], with only that
//! lead's state and timers in play (small, and in cache). Every lead ends
//! the same as in a stepper over all leads at once. Either way the records
//! are listed as every run lists them when the stepper finishes: by
//! instant, then lead, then as made.

use crate::compile::Compiled;
use crate::data::{Dataset, EventRec, Events};
use crate::eval::NO_STAGE;
use crate::replay::{Replay, RunOptions};
use crate::trace::{Action, Transition};
use crate::value::Value;
use crate::{Outcome, Results};

/// A replay driven event by event.
pub struct Stepper<'a> {
    r: Replay<'a>,
    c: &'a Compiled,
    ds: &'a Dataset,
    /// The events delivered so far, in delivery order (time order, lead by
    /// lead in a lead-by-lead stepper).
    events: Events,
    /// A lead-by-lead stepper's finished leads.
    by_lead: Option<Box<Finished>>,
}

/// The final state of every lead a lead-by-lead stepper has finished (the
/// initial state for the others).
struct Finished {
    stage: Vec<u16>,
    scores: Vec<f64>,
    entered: Vec<i64>,
    vals: Vec<Value>,
    /// The lead being stepped.
    current: Option<u32>,
}

impl<'a> Stepper<'a> {
    /// A stepper over the leads of `ds` (its events, if any, are ignored).
    pub fn new(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions) -> Stepper<'a> {
        Stepper {
            r: Replay::new(c, ds, opts),
            c,
            ds,
            events: Events::default(),
            by_lead: None,
        }
    }

    /// A stepper that takes the leads of `ds` one at a time: every event of
    /// a lead is delivered between its [`Stepper::begin_lead`] and
    /// [`Stepper::end_lead`], and only events of that lead (a lead number of
    /// `ds`); delivering another lead's event there is a caller's bug.
    pub fn lead_by_lead(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions) -> Stepper<'a> {
        let init = Results::initial(c, ds, ds.leads.values.clone());
        Stepper {
            r: Replay::one_lead(c, ds, opts),
            c,
            ds,
            events: Events::default(),
            by_lead: Some(Box::new(Finished {
                stage: init.stage,
                scores: init.scores,
                entered: init.entered,
                vals: init.vals,
                current: None,
            })),
        }
    }

    /// Start stepping `lead` (a lead-by-lead stepper; the lead before it
    /// must have ended). Does nothing in a stepper over all leads.
    pub fn begin_lead(&mut self, lead: u32) {
        let Some(f) = &mut self.by_lead else { return };
        let nf = self.c.lead_fields.len();
        let l = lead as usize;
        let fields = f.vals.get(l * nf..l * nf + nf).unwrap_or_default();
        self.r.begin_lead(lead, fields);
        f.current = Some(lead);
    }

    /// Fire the current lead's timers due up to `as_of` and keep its final
    /// state (a lead-by-lead stepper; nothing otherwise).
    pub fn end_lead(&mut self, as_of: i64) {
        if let Some(f) = &mut self.by_lead {
            end_lead(&mut self.r, self.c, f, as_of);
        }
    }

    /// When the next timer (a wait, a deferred send, a decay step, an SLA
    /// deadline) is due.
    pub fn next_timer(&self) -> Option<i64> {
        self.r.next_timer_at()
    }

    /// Fire the next timer.
    pub fn fire_next_timer(&mut self) {
        self.r.fire_next_timer();
    }

    /// Deliver one event; `fields` are its declared fields in order, and
    /// text values must be interned in the dataset's interner. Events must
    /// come in time order and no later than [`Stepper::next_timer`] (in a
    /// lead-by-lead stepper: the current lead's events, in its time order).
    pub fn deliver(&mut self, lead: u32, event: u16, at: i64, fields: &[Value]) {
        let n = self
            .c
            .events
            .get(event as usize)
            .map_or(0, |e| e.fields.len());
        let off = u32::try_from(self.events.values.len()).unwrap_or(u32::MAX);
        let seq = u32::try_from(self.events.recs.len()).unwrap_or(u32::MAX);
        self.events
            .values
            .extend((0..n).map(|i| fields.get(i).copied().unwrap_or(Value::Missing)));
        self.events.recs.push(EventRec {
            at,
            lead,
            off,
            seq,
            event,
        });
        let stored = &self.events.values[off as usize..];
        self.r.event_with(lead, event, at, off, stored);
    }

    /// The lead's current stage (`eval::NO_STAGE` before it enters the funnel).
    pub fn stage(&self, lead: u32) -> u16 {
        self.r
            .leads
            .get(self.r.l(lead))
            .map_or(crate::eval::NO_STAGE, |l| l.stage)
    }

    /// Every stage change so far, in order (lead by lead in a lead-by-lead
    /// stepper).
    pub fn transitions(&self) -> &[Transition] {
        &self.r.transitions
    }

    /// Every action (send, notify, set) so far, in order (lead by lead in a
    /// lead-by-lead stepper).
    pub fn actions(&self) -> &[Action] {
        &self.r.actions
    }

    /// Forget the transitions and actions made so far: a caller that has
    /// read and summed them up keeps the stepper's memory flat. The
    /// outcome then lists only the records made after the last call.
    pub fn forget_records(&mut self) {
        self.r.transitions.clear();
        self.r.actions.clear();
    }

    /// Fire the timers due up to `as_of` and compute the KPIs.
    pub fn finish(mut self, as_of: i64) -> Outcome {
        let Some(mut f) = self.by_lead.take() else {
            while self.r.next_timer_at().is_some_and(|t| t <= as_of) {
                self.r.fire_next_timer();
            }
            let events = std::mem::take(&mut self.events);
            return crate::outcome(
                self.r,
                self.c,
                &self.ds.texts,
                &events.recs,
                &events.values,
                Some(as_of),
            );
        };
        let r = &mut self.r;
        end_lead(r, self.c, &mut f, as_of);
        // Lead by lead, each lead's records are in time order: a stable
        // sort by instant and lead merges them (then as made), as in `run`.
        // The per-lead state of every lead is in `f`, not in the one-lead
        // window.
        let mut res = Results {
            stage: f.stage,
            scores: f.scores,
            vals: f.vals,
            entered: f.entered,
            ..Results::take(r)
        };
        res.list_records();
        // The events stay lead by lead: the KPIs only count and add them
        // up (exactly, in decimals) by type, period and field, which no
        // order changes.
        let events = std::mem::take(&mut self.events);
        let inputs = std::mem::take(&mut r.inputs);
        crate::outcome_with(
            res,
            self.c,
            &self.ds.texts,
            self.ds.leads.len(),
            &events.recs,
            &events.values,
            &inputs,
            Some(as_of),
        )
    }
}

/// End `f`'s current lead, if any: fire its timers due up to `as_of` and
/// keep its final state.
fn end_lead(r: &mut Replay<'_>, c: &Compiled, f: &mut Finished, as_of: i64) {
    let Some(lead) = f.current.take() else { return };
    while r.next_timer_at().is_some_and(|t| t <= as_of) {
        r.fire_next_timer();
    }
    let (l, ns, nst, nf) = (
        lead as usize,
        c.scores.len(),
        c.stages.len(),
        c.lead_fields.len(),
    );
    if let Some(s) = f.stage.get_mut(l) {
        *s = r.leads.first().map_or(NO_STAGE, |s| s.stage);
    }
    copy_into(&mut f.scores, l * ns, &r.scores);
    copy_into(&mut f.entered, l * nst, &r.entered);
    copy_into(&mut f.vals, l * nf, &r.vals);
}

fn copy_into<T: Copy>(dst: &mut [T], at: usize, src: &[T]) {
    if let Some(d) = dst.get_mut(at..at + src.len()) {
        d.copy_from_slice(src);
    }
}
