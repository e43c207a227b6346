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

use crate::compile::Compiled;
use crate::data::{Dataset, EventRec, Events};
use crate::replay::{Replay, RunOptions};
use crate::trace::{Action, Transition};
use crate::value::Value;
use crate::Outcome;

/// A replay driven event by event.
pub struct Stepper<'a> {
    r: Replay<'a>,
    c: &'a Compiled,
    ds: &'a Dataset,
    /// The events delivered so far, in delivery order (which is time order).
    events: Events,
}

impl<'a> Stepper<'a> {
    /// A stepper over the leads of `ds` (its events, if any, are ignored).
    pub fn new(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions) -> Stepper<'a> {
        Stepper {
            r: Replay::new(c, ds, opts),
            c,
            ds,
            events: Events::default(),
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
    /// come in time order and no later than [`Stepper::next_timer`].
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
            .get(lead as usize)
            .map_or(crate::eval::NO_STAGE, |l| l.stage)
    }

    /// Every stage change so far, in order.
    pub fn transitions(&self) -> &[Transition] {
        &self.r.transitions
    }

    /// Every action (send, notify, set) so far, in order.
    pub fn actions(&self) -> &[Action] {
        &self.r.actions
    }

    /// Fire the timers due up to `as_of` and compute the KPIs.
    pub fn finish(mut self, as_of: i64) -> Outcome {
        while self.r.next_timer_at().is_some_and(|t| t <= as_of) {
            self.r.fire_next_timer();
        }
        let events = std::mem::take(&mut self.events);
        crate::outcome(
            self.r,
            self.c,
            &self.ds.texts,
            &events.recs,
            &events.values,
            Some(as_of),
        )
    }
}
