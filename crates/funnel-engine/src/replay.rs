//! The replay: a deterministic discrete-event simulation in event time.
//!
//! Events (sorted by instant, then input order) and timers (a binary heap
//! ordered by instant, then creation order) are processed in time order up
//! to the as-of instant; at the same instant events come before timers.
//! Per event: (0) at a lead's first event, its `when` rules and lost
//! stages' `when` triggers on its fields; (1) lost stages' `on` triggers,
//! (2) score `on` rules in source order, then [`Replay::settle`]: (3) `when`
//! score rules, (4) forward stage triggers, (5) nurture exits, enrollments
//! and `wait … for` resumptions, repeated — with lost stages' `when`
//! triggers from the second pass on — while something changes. Per-lead state lives in flat vectors
//! indexed by lead (and score, stage, rule slot or nurture), so the hot path
//! does no lookups by name and no allocation. Those vectors hold a window of
//! leads starting at `base`: every lead for a plain replay (and the
//! [`crate::Stepper`]), one lead at a time for the lead-major replay of
//! [`crate::shard`] and the lead-by-lead [`crate::Stepper`].

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::compile::Compiled;
use crate::data::Dataset;
use crate::eval::{Ctx, Deps, RegexCache, StagePos, DEP_ALL, DEP_CLICKS, NO_STAGE};
use crate::trace::{Action, Breach, Entry, TraceEntry, Transition};
use crate::value::{Sym, Value};

use crate::unsettled::{Limit, Unsettled, MAX_SETTLE_PASSES, WATCHED_PASSES};

/// The awards of one `max N per D` rule to one lead inside its window, in
/// time order, and the sum of their sizes: expired awards leave from the
/// front and the sum is kept as they come and go, so each event costs
/// amortised O(1), however long the window (it used to be O(awards)).
#[derive(Clone, Debug, Default)]
pub struct Window {
    pub awards: std::collections::VecDeque<(i64, f64)>,
    pub used: f64,
}

impl Window {
    pub fn clear(&mut self) {
        self.awards.clear();
        self.used = 0.0;
    }
}

/// Options of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop at this instant; default: the last event's instant.
    pub as_of: Option<i64>,
    /// Record the full timeline of this lead (for `explain`).
    pub trace: Option<u32>,
    /// Input values, one per declared input (in declaration order).
    pub inputs: Vec<Value>,
    /// Collect which rules, stage triggers, steps and branches acted, over
    /// every lead (for `funnel run --coverage`).
    pub coverage: bool,
}

/// A timer: something due at an instant for a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timer {
    pub at: i64,
    pub seq: u64,
    pub lead: u32,
    pub kind: TimerKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Resume nurture `n` if the enrollment's generation is still `gen`.
    Nurture {
        n: u16,
        gen: u32,
    },
    Decay {
        score: u16,
    },
    Sla {
        sla: u16,
    },
}

impl Ord for Timer {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Where a lead is in the funnel.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LeadState {
    pub stage: u16,
    pub rank: i32,
    pub lost: bool,
    pub started: bool,
}

/// Decay bookkeeping for one score of one lead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DecayState {
    /// Next instant the score decays; `i64::MIN` when none is due.
    pub due: i64,
    /// The first award's instant (for decay without `inactive`).
    pub first: i64,
    /// A timer is in the heap.
    pub pending: bool,
}

/// One lead's enrollment state in one nurture.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Enroll {
    pub active: bool,
    pub ever: bool,
    pub when_prev: bool,
    pub waiting: Waiting,
    pub pc: u32,
    pub gen: u32,
    pub started_at: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Waiting {
    #[default]
    No,
    /// A timer resumes at `pc`.
    Resume,
    /// `wait up to … for E` at `pc`: the event continues, the timer times out.
    ForEvent,
}

/// The replay state.
pub(crate) struct Replay<'a> {
    pub c: &'a Compiled,
    pub ds: &'a Dataset,
    pub inputs: Vec<Value>,
    pub n_leads: usize,
    /// The lead whose state is at index 0 of the per-lead vectors.
    pub base: u32,
    pub leads: Vec<LeadState>,
    pub vals: Vec<Value>,
    pub scores: Vec<f64>,
    pub when_contrib: Vec<f64>,
    pub last_award: Vec<i64>,
    pub windows: Vec<Window>,
    pub decay: Vec<DecayState>,
    pub entered: Vec<i64>,
    pub enroll: Vec<Enroll>,
    pub sends: Vec<i64>,
    pub clicks: Vec<Vec<Sym>>,
    pub opens: Vec<Vec<Sym>>,
    pub timers: BinaryHeap<Reverse<Timer>>,
    pub timer_seq: u64,
    pub transitions: Vec<Transition>,
    pub actions: Vec<Action>,
    pub breaches: Vec<Breach>,
    pub trace_lead: Option<u32>,
    pub trace: Vec<TraceEntry>,
    /// What acted, with `RunOptions::coverage`.
    pub covered: Option<std::collections::BTreeSet<crate::coverage::Key>>,
    pub timers_fired: usize,
    pub regex_cache: RegexCache,
    /// What conditions can read and changed since they were last evaluated
    /// (a score, a lead field, the stage, the clicked templates; see
    /// [`crate::eval::Deps`]).
    pub changed: Deps,
    /// The changes the current settle pass started with; `pass_state`: the
    /// pass looks at `when` conditions at all (see [`Replay::mask`]).
    seen: Deps,
    pass_state: bool,
    /// Leads that reached a settle limit (the first time each did).
    pub unsettled: Vec<Unsettled>,
    /// Collect what acts into `involved` (in the last passes a limit allows).
    watch: bool,
    involved: Vec<crate::coverage::Key>,
}

impl<'a> Replay<'a> {
    pub fn new(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions) -> Replay<'a> {
        Replay::window(c, ds, opts, ds.leads.len())
    }

    /// A replay that holds one lead at a time ([`Replay::begin_lead`]).
    pub fn one_lead(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions) -> Replay<'a> {
        Replay::window(c, ds, opts, 1)
    }

    fn window(c: &'a Compiled, ds: &'a Dataset, opts: &RunOptions, n: usize) -> Replay<'a> {
        let ns = c.scores.len();
        let init: Vec<f64> = c.scores.iter().map(|s| s.initial()).collect();
        let mut scores = Vec::with_capacity(n * ns);
        for _ in 0..n {
            scores.extend_from_slice(&init);
        }
        let limit_n = c.limit.map_or(0, |(k, _)| k as usize);
        let track_clicks = c.click_event.is_some();
        let track_opens = c.open_event.is_some();
        Replay {
            c,
            ds,
            inputs: opts.inputs.clone(),
            n_leads: n,
            base: 0,
            leads: vec![
                LeadState {
                    stage: NO_STAGE,
                    rank: -1,
                    lost: false,
                    started: false,
                };
                n
            ],
            vals: ds
                .leads
                .values
                .get(..n * ds.leads.n_fields)
                .unwrap_or_default()
                .to_vec(),
            scores,
            when_contrib: vec![f64::NAN; n * c.when_rules.len()],
            last_award: vec![i64::MIN; n * c.n_last_slots],
            windows: vec![Window::default(); n * c.n_window_slots],
            decay: vec![
                DecayState {
                    due: i64::MIN,
                    first: i64::MIN,
                    pending: false,
                };
                if c.scores.iter().any(|s| s.decay.is_some()) {
                    n * ns
                } else {
                    0
                }
            ],
            entered: vec![i64::MIN; n * c.stages.len()],
            enroll: vec![Enroll::default(); n * c.nurtures.len()],
            sends: vec![i64::MIN; n * limit_n],
            clicks: if track_clicks {
                vec![Vec::new(); n]
            } else {
                Vec::new()
            },
            opens: if track_opens {
                vec![Vec::new(); n]
            } else {
                Vec::new()
            },
            timers: BinaryHeap::new(),
            timer_seq: 0,
            transitions: Vec::new(),
            actions: Vec::new(),
            breaches: Vec::new(),
            trace_lead: opts.trace,
            trace: Vec::new(),
            covered: opts.coverage.then(std::collections::BTreeSet::new),
            timers_fired: 0,
            regex_cache: RegexCache::new(c.regexes.len()),
            changed: 0,
            seen: 0,
            pass_state: false,
            unsettled: Vec::new(),
            watch: false,
            involved: Vec::new(),
        }
    }

    /// The index of `lead` in the per-lead vectors.
    #[inline]
    pub fn l(&self, lead: u32) -> usize {
        lead.wrapping_sub(self.base) as usize
    }

    /// Start replaying `lead` in a one-lead window: its state starts afresh,
    /// its field values are `fields`.
    pub fn begin_lead(&mut self, lead: u32, fields: &[Value]) {
        let c = self.c;
        self.base = lead;
        self.leads[0] = LeadState {
            stage: NO_STAGE,
            rank: -1,
            lost: false,
            started: false,
        };
        self.vals.clear();
        self.vals.extend_from_slice(fields);
        for (s, def) in self.scores.iter_mut().zip(&c.scores) {
            *s = def.initial();
        }
        self.when_contrib.fill(f64::NAN);
        self.last_award.fill(i64::MIN);
        self.windows.iter_mut().for_each(Window::clear);
        self.decay.fill(DecayState {
            due: i64::MIN,
            first: i64::MIN,
            pending: false,
        });
        self.entered.fill(i64::MIN);
        self.enroll.fill(Enroll::default());
        self.sends.fill(i64::MIN);
        self.clicks.iter_mut().for_each(Vec::clear);
        self.opens.iter_mut().for_each(Vec::clear);
        self.timers.clear();
        self.changed = 0;
    }

    /// Fire every timer due strictly before `t`.
    pub fn fire_timers_before(&mut self, t: i64) {
        while let Some(Reverse(top)) = self.timers.peek() {
            if top.at >= t {
                break;
            }
            let timer = *top;
            self.timers.pop();
            self.timers_fired += 1;
            self.fire(timer);
        }
    }

    pub fn push_timer(&mut self, at: i64, lead: u32, kind: TimerKind) {
        self.timer_seq += 1;
        self.timers.push(Reverse(Timer {
            at,
            seq: self.timer_seq,
            lead,
            kind,
        }));
    }

    fn fire(&mut self, t: Timer) {
        self.changed = 0;
        match t.kind {
            TimerKind::Sla { sla } => self.sla_due(t.lead, sla, t.at),
            TimerKind::Decay { score } => {
                if self.decay_due(t.lead, score, t.at) {
                    self.settle(t.lead, t.at, None);
                }
            }
            TimerKind::Nurture { n, gen } => {
                if self.nurture_timer(t.lead, n, gen, t.at) {
                    self.settle(t.lead, t.at, None);
                }
            }
        }
    }

    /// The instant of the next due timer, if any.
    pub fn next_timer_at(&self) -> Option<i64> {
        self.timers.peek().map(|Reverse(t)| t.at)
    }

    /// Fire the next due timer (for a caller that interleaves its own events).
    pub fn fire_next_timer(&mut self) {
        if let Some(Reverse(timer)) = self.timers.pop() {
            self.timers_fired += 1;
            self.fire(timer);
        }
    }

    /// Process one event whose field values are given (`off` is where they
    /// live in the event store, for the trace).
    pub fn event_with(&mut self, lead: u32, event: u16, at: i64, off: u32, fields: &[Value]) {
        let l = self.l(lead);
        // A lead's first event evaluates every condition once.
        let first = !self.leads[l].started;
        self.changed = if first { DEP_ALL } else { 0 };
        self.leads[l].started = true;
        if self.trace_lead == Some(lead) {
            self.trace.push(TraceEntry {
                at,
                entry: Entry::Event { event, off },
            });
        }
        self.note_template(l, event, fields);
        if first {
            self.initial_state(lead, at);
        }
        // Step (1) looks at lost stages' `on` triggers only: their `when`
        // triggers join the repeats of steps (3)-(5).
        self.lost_triggers(lead, at, Some((event, fields)), 0);
        self.on_rules(lead, event, at, fields);
        self.settle(lead, at, Some((event, fields)));
    }

    /// Step (0), at a lead's first event: the state its fields give it before
    /// any event acts, that is its `when` rules and then its lost stages'
    /// `when` triggers (a throwaway address is lost before it enters a
    /// stage or a nurture; a fit score counts before `lost … when fit < N`
    /// is judged).
    fn initial_state(&mut self, lead: u32, at: i64) {
        self.seen = DEP_ALL;
        self.pass_state = true;
        self.when_rules(lead, at);
        self.lost_triggers(lead, at, None, self.mask());
        self.pass_state = false;
        self.seen = 0;
        self.changed = DEP_ALL;
    }

    /// Remember clicked and opened templates for `clicked "t"` / `opened "t"`.
    fn note_template(&mut self, l: usize, event: u16, fields: &[Value]) {
        for (which, list) in [
            (self.c.click_event, &mut self.clicks),
            (self.c.open_event, &mut self.opens),
        ] {
            if let Some((e, f)) = which {
                if e == event {
                    if let Some(Value::Text(t)) = fields.get(f as usize) {
                        if !list[l].contains(t) {
                            list[l].push(*t);
                            self.changed |= DEP_CLICKS;
                        }
                    }
                }
            }
        }
    }

    /// Steps (3)-(5) after a change of state, repeated while anything changes.
    /// `event` is the event being processed, if any; event-bound triggers only
    /// look at it in the first pass.
    pub fn settle(&mut self, lead: u32, at: i64, event: Option<(u16, &[Value])>) {
        let mut ev = event;
        // What changed before an event's first pass, for the lost stages'
        // `when` triggers, which that pass leaves to the next one.
        let mut deferred = 0;
        let mut settled = false;
        for pass in 0..MAX_SETTLE_PASSES {
            if pass + WATCHED_PASSES >= MAX_SETTLE_PASSES {
                self.watch_last_pass();
            }
            // Conditions read only state; when nothing changed since they were
            // last evaluated they cannot have changed, so only the event-bound
            // triggers need a look, and of the `when` conditions only those
            // reading something that changed.
            self.seen = std::mem::take(&mut self.changed) | deferred;
            self.pass_state = self.seen != 0;
            if self.pass_state {
                self.when_rules(lead, at);
                if ev.is_none() {
                    self.lost_triggers(lead, at, None, self.mask());
                }
            }
            if self.pass_state || ev.is_some() {
                self.forward_stages(lead, at, ev);
                self.nurtures(lead, at, ev);
            }
            deferred = if ev.is_some() { self.seen } else { 0 };
            ev = None;
            if self.changed == 0 && deferred == 0 {
                settled = true;
                break;
            }
        }
        if !settled {
            self.not_settled(lead, at, Limit::Settle);
        }
        self.watch = false;
        self.changed = 0;
        self.pass_state = false;
    }

    /// Start collecting what acts: the last passes a limit allows.
    pub(crate) fn watch_last_pass(&mut self) {
        if !self.watch {
            self.watch = true;
            self.involved.clear();
        }
    }

    /// Whether what acts is being collected (see [`Replay::watch_last_pass`]).
    pub(crate) fn watching(&self) -> bool {
        self.watch
    }

    pub(crate) fn stop_watching(&mut self) {
        self.watch = false;
    }

    /// Record that `lead` reached `limit` at `at`, with what acted in the
    /// last passes; only the first time for a lead.
    pub(crate) fn not_settled(&mut self, lead: u32, at: i64, limit: Limit) {
        if self.unsettled.iter().any(|u| u.lead == lead) {
            return;
        }
        self.unsettled.push(Unsettled {
            lead,
            at,
            limit,
            involved: self.involved.clone(),
        });
    }

    /// Which `when` conditions the current settle pass must evaluate: those
    /// reading something that changed since the pass began or before it
    /// (none in a pass that began without a change, as only event-bound
    /// triggers can hold then).
    #[inline]
    pub fn mask(&self) -> Deps {
        if self.pass_state {
            self.seen | self.changed
        } else {
            0
        }
    }

    /// The evaluation context for lead `l` with the event's fields.
    pub fn ctx<'b>(&'b self, l: usize, event: &'b [Value]) -> Ctx<'b> {
        let nf = self.c.lead_fields.len();
        let ns = self.c.scores.len();
        let st = self.leads[l];
        Ctx {
            lead: self.vals.get(l * nf..l * nf + nf).unwrap_or_default(),
            scores: self.scores.get(l * ns..l * ns + ns).unwrap_or_default(),
            inputs: &self.inputs,
            stage: StagePos {
                stage: st.stage,
                rank: if st.lost { -1 } else { st.rank },
                lost: st.lost,
            },
            event,
            clicks: self.clicks.get(l).map_or(&[], |v| v.as_slice()),
            opens: self.opens.get(l).map_or(&[], |v| v.as_slice()),
            texts: &self.ds.texts,
            regexes: &self.c.regexes,
            regex_cache: Some(&self.regex_cache),
        }
    }

    pub fn record(&mut self, lead: u32, at: i64, entry: Entry) {
        if self.watch {
            if let Some(key) = crate::coverage::key_of(&entry) {
                if !self.involved.contains(&key) {
                    self.involved.push(key);
                }
            }
        }
        if let Some(covered) = self.covered.as_mut() {
            if let Some(key) = crate::coverage::key_of(&entry) {
                covered.insert(key);
            }
        }
        if self.trace_lead == Some(lead) {
            self.trace.push(TraceEntry { at, entry });
        }
    }

    pub fn score(&self, l: usize, s: u16) -> f64 {
        self.scores[l * self.c.scores.len() + s as usize]
    }
}
