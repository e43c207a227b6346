//! One lead's journey, driven through the real replay so that it goes where
//! it is meant to go. A lead aims for a funnel depth drawn from its fit
//! (each further stage less likely); for each stage on the way it emits
//! what enters it (the stage's `on` event with values that pass its
//! `where`, or events whose rules raise the scores a `when` condition or a
//! threshold reads) and asks the [`Stepper`] whether it got there, giving
//! up after a few tries as real leads do. Around that it has background
//! activity, opens and clicks some of the emails its nurtures actually
//! send, follows deals with their money events, and sometimes ends in a
//! lost stage.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use funnel_check::Ty;
use rand::Rng;

use super::plan::{Plan, Route};
use super::values::{self, after, pick, to_value, ASSETS, FORMS, LOSS_REASONS, NEWSLETTERS, PATHS};
use super::write::Strings;
use super::Rng8;
use funnel_engine::compile::Compiled;
use funnel_engine::eval::{CExpr, Ctx, StagePos, NO_STAGE};
use funnel_engine::trace::ActionDetail;
use funnel_engine::value::{Interner, Value};
use funnel_engine::Stepper;

/// Events one lead may have: a bound on any loop the playbook could cause.
const MAX_EVENTS: usize = 400;
/// Tries to enter a stage by its `on` event, and by raising scores.
const ON_TRIES: u32 = 2;
const BOOST_TRIES: u32 = 14;

/// One drawn event of the current lead; its cells are in the `cells` buffer.
#[derive(Clone, Copy)]
pub(crate) struct Drawn {
    pub t: i64,
    pub event: u16,
    pub first: u32,
    pub n: u16,
}

/// An event waiting for its time: background activity or a reaction.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    t: i64,
    seq: u32,
    event: u16,
    /// A template for an open or a click.
    template: Option<String>,
}

/// What the drive of one lead needs from outside.
pub(crate) struct Env<'a> {
    pub c: &'a Compiled,
    pub plan: &'a Plan,
    /// Event cells' column per event field.
    pub cols: &'a [Vec<usize>],
    pub inputs: &'a [Value],
    pub end: i64,
}

/// The drive of one lead.
pub(crate) struct Lead<'a, 'b> {
    pub env: &'a Env<'a>,
    pub st: &'a mut Stepper<'b>,
    pub texts: &'a Interner,
    pub lead: u32,
    pub lead_vals: &'a [Value],
    pub rng: Rng8,
    pub strings: &'a mut Strings,
    pub out: &'a mut Vec<Drawn>,
    pub cells: &'a mut Vec<(u16, u32)>,
    /// The deal amount this lead's money fields carry.
    pub deal: String,
    pub seen_actions: usize,
}

impl Lead<'_, '_> {
    /// Run the whole journey from `arrival`; `fit` (0..1) makes a lead go deeper.
    pub(crate) fn drive(&mut self, arrival: i64, fit: f64) {
        let plan = self.env.plan;
        let mut heap: BinaryHeap<Reverse<Pending>> = BinaryHeap::new();
        let mut seq = 0u32;
        let interest: f64 = self.rng.random::<f64>().powf(1.4);
        // Background activity over the weeks after arrival.
        let n = self.rng.random_range(1..(5.0 + interest * 16.0) as u32);
        let mut t = arrival;
        for _ in 0..n {
            t = self.after(t, 0.2, 9.0);
            if let Some(event) = self.weighted(&plan.ambient) {
                seq += 1;
                heap.push(Reverse(Pending {
                    t,
                    seq,
                    event,
                    template: None,
                }));
            }
        }
        // How deep it means to go: each further stage less likely, the
        // first step and winning a deal least.
        let go_on = (0.3 + 0.4 * fit + 0.25 * interest).min(0.85);
        let mut depth = 0;
        while depth + 1 < plan.forward.len() {
            let p = if depth == 0 {
                go_on * 0.75
            } else if self.deal_after_deal(depth + 1) {
                go_on * 0.5
            } else {
                go_on
            };
            if !self.rng.random_bool(p) {
                break;
            }
            depth += 1;
        }
        let mut j = Journey {
            used: Vec::new(),
            goal: 0,
            depth,
            tries: 0,
            t_last: arrival,
            last_money: false,
            lost_done: false,
            done: false,
            late_done: false,
        };
        let mut next = self.next_step(&mut j);
        let mut delivered = 0usize;
        while delivered < MAX_EVENTS {
            let t_heap = heap.peek().map(|p| p.0.t);
            let t_next = match (&next, t_heap) {
                (Some(n), Some(h)) => Some(n.0.min(h)),
                (Some(n), None) => Some(n.0),
                (None, h) => h,
            };
            if let Some(tt) = self.st.next_timer() {
                if tt < self.env.end && t_next.is_none_or(|x| tt < x) {
                    self.st.fire_next_timer();
                    self.react(&mut heap, &mut seq);
                    continue;
                }
            }
            let Some(tn) = t_next else { break };
            if tn >= self.env.end {
                break;
            }
            delivered += 1;
            let journey_first = next.as_ref().is_some_and(|n| Some(n.0) == t_next)
                && t_heap.is_none_or(|h| next.as_ref().is_some_and(|n| n.0 <= h));
            if journey_first {
                if let Some((t, event, filter)) = next.take() {
                    self.emit(t, event, filter.as_ref(), None);
                    j.t_last = t;
                    j.last_money = plan.money.get(event as usize) == Some(&true);
                }
            } else if let Some(Reverse(p)) = heap.pop() {
                self.emit(p.t, p.event, None, p.template.as_deref());
            }
            self.react(&mut heap, &mut seq);
            let (rank, lost) = self.position();
            if lost {
                heap.clear();
                next = None;
                j.done = true;
                continue;
            }
            if !j.late_done {
                let at_deal = plan.late.iter().any(|(_, from)| self.reached(*from, rank));
                if at_deal {
                    j.late_done = true;
                    for &(event, from) in &plan.late {
                        if self.reached(from, rank) && self.rng.random_bool(0.7) {
                            seq += 1;
                            let t = self.after(j.t_last, 2.0, 20.0);
                            heap.push(Reverse(Pending {
                                t,
                                seq,
                                event,
                                template: None,
                            }));
                        }
                    }
                }
            }
            if next.is_none() && !j.done {
                next = self.next_step(&mut j);
            }
        }
    }

    /// Whether forward position `k` is entered by a money event right after
    /// one that is (a deal won after a deal opened).
    fn deal_after_deal(&self, k: usize) -> bool {
        let money = |k: usize| match self.env.plan.forward.get(k) {
            Some((_, Route::On(evs))) => evs
                .iter()
                .any(|(e, _)| self.env.plan.money.get(*e as usize) == Some(&true)),
            _ => false,
        };
        k > 0 && money(k) && money(k - 1)
    }

    /// The points a lead has from `when` rules on its fields alone.
    fn fixed_scores(&self) -> Vec<f64> {
        let c = self.env.c;
        let zero = vec![0.0; c.scores.len()];
        let mut s = zero.clone();
        for (score, points, cond) in &self.env.plan.fixed {
            if self.holds_with(cond, &[], &zero) {
                if let Some(x) = s.get_mut(*score as usize) {
                    *x += points;
                }
            }
        }
        for (x, def) in s.iter_mut().zip(&c.scores) {
            *x = def.clamp(*x);
        }
        s
    }

    /// Whether a `when` stage can be entered by raising `scores` to their caps.
    fn feasible(&self, scores: &[u16], cond: Option<&CExpr>) -> bool {
        let Some(cond) = cond else { return true };
        let mut s = self.fixed_scores();
        for &i in scores {
            if let (Some(x), Some(def)) = (s.get_mut(i as usize), self.env.c.scores.get(i as usize))
            {
                *x = if def.cap.is_finite() { def.cap } else { 1e9 };
            }
        }
        self.holds_with(cond, &[], &s)
    }

    /// Whether the lead's forward rank has reached forward position `k`.
    fn reached(&self, k: usize, rank: i32) -> bool {
        self.env
            .plan
            .forward
            .get(k)
            .and_then(|(s, _)| self.env.c.stages.get(*s as usize))
            .is_some_and(|def| rank >= def.rank)
    }

    /// The lead's forward rank (-1 outside the funnel) and whether it is lost.
    fn position(&self) -> (i32, bool) {
        let s = self.st.stage(self.lead);
        if s == NO_STAGE {
            return (-1, false);
        }
        match self.env.c.stages.get(s as usize) {
            Some(def) => (def.rank, def.lost),
            None => (-1, false),
        }
    }

    /// The next event the journey emits, if any: (instant, event, filter).
    fn next_step(&mut self, j: &mut Journey) -> Option<(i64, u16, Option<CExpr>)> {
        let plan = self.env.plan;
        while !j.done && j.goal <= j.depth {
            let (rank, _) = self.position();
            if self.reached(j.goal, rank) {
                j.goal += 1;
                j.tries = 0;
                continue;
            }
            let Some((_, route)) = plan.forward.get(j.goal) else {
                break;
            };
            let first = j.goal == 0 && j.tries == 0 && rank < 0;
            match route {
                Route::Never => {
                    j.goal += 1;
                    j.tries = 0;
                }
                Route::Any => {
                    if j.tries >= ON_TRIES {
                        break;
                    }
                    j.tries += 1;
                    let event = self.weighted(&plan.ambient).or_else(|| {
                        (!self.env.c.events.is_empty())
                            .then(|| self.rng.random_range(0..self.env.c.events.len()) as u16)
                    })?;
                    let t = if first {
                        j.t_last
                    } else {
                        self.after(j.t_last, 0.3, 6.0)
                    };
                    return Some((t, event, None));
                }
                Route::On(events) => {
                    if j.tries >= ON_TRIES || events.is_empty() {
                        break;
                    }
                    j.tries += 1;
                    let (event, filter) = events[self.rng.random_range(0..events.len())].clone();
                    let money = plan.money.get(event as usize) == Some(&true);
                    let t = if first {
                        j.t_last
                    } else if money && j.last_money {
                        self.after(j.t_last, 10.0, 60.0)
                    } else if money {
                        self.after(j.t_last, 3.0, 21.0)
                    } else if self.rng.random_bool(0.8) {
                        self.after(j.t_last, 0.02, 0.8)
                    } else {
                        self.after(j.t_last, 1.0, 5.0)
                    };
                    return Some((t, event, filter));
                }
                Route::Boost { scores, cond } => {
                    if j.tries >= BOOST_TRIES
                        || (j.tries == 0 && !self.feasible(scores, cond.as_ref()))
                    {
                        // Not a lead this stage takes (or it gave up): it stops here.
                        break;
                    }
                    j.tries += 1;
                    // Rules that count once are worth one try; others weigh 3.
                    let options: Vec<(u16, usize, u32)> = scores
                        .iter()
                        .flat_map(|&s| {
                            plan.boosts[s as usize]
                                .iter()
                                .enumerate()
                                .map(move |(i, b)| (s, i, if b.once { 1 } else { 3 }))
                        })
                        .filter(|(s, i, _)| !j.used.contains(&(*s, *i)))
                        .collect();
                    let total: u32 = options.iter().map(|o| o.2).sum();
                    if total == 0 {
                        break;
                    }
                    let mut x = self.rng.random_range(0..total);
                    let mut chosen = options[0];
                    for o in &options {
                        if x < o.2 {
                            chosen = *o;
                            break;
                        }
                        x -= o.2;
                    }
                    let b = &plan.boosts[chosen.0 as usize][chosen.1];
                    if b.once {
                        j.used.push((chosen.0, chosen.1));
                    }
                    let t = if first {
                        j.t_last
                    } else {
                        self.after(j.t_last, 0.1, 3.0)
                    };
                    return Some((t, b.event, b.filter.clone()));
                }
            }
        }
        j.done = true;
        // Some leads that stop end in a lost stage.
        // A lead with an open deal mostly loses it; others now and then drop out.
        let (rank, _) = self.position();
        let in_deal = !plan.deal_loss.is_empty()
            && (0..plan.forward.len()).any(|k| {
                self.reached(k, rank)
                    && matches!(&plan.forward[k].1, Route::On(evs)
                        if evs.iter().any(|(e, _)| plan.money.get(*e as usize) == Some(&true)))
            });
        let p = if in_deal { 0.6 } else { 0.15 };
        if !j.lost_done && !plan.lost.is_empty() && self.rng.random_bool(p) {
            j.lost_done = true;
            let which = if in_deal {
                plan.deal_loss[self.rng.random_range(0..plan.deal_loss.len())]
            } else {
                self.rng.random_range(0..plan.lost.len())
            };
            let evs = &plan.lost[which];
            if !evs.is_empty() {
                let event = evs[self.rng.random_range(0..evs.len())];
                let t = self.after(j.t_last, 2.0, 30.0);
                return Some((t, event, None));
            }
        }
        None
    }

    /// Read the actions since the last look; opens and clicks for some sends.
    fn react(&mut self, heap: &mut BinaryHeap<Reverse<Pending>>, seq: &mut u32) {
        let c = self.env.c;
        let new: Vec<(i64, String)> = self.st.actions()[self.seen_actions..]
            .iter()
            .filter_map(|a| match a.detail {
                ActionDetail::Send(t) => Some((a.at, self.texts.resolve(t).to_string())),
                _ => None,
            })
            .collect();
        self.seen_actions = self.st.actions().len();
        for (at, template) in new {
            let Some((open, _)) = c.open_event.or(c.click_event) else {
                return;
            };
            if !self.rng.random_bool(0.5) {
                continue;
            }
            let ot = self.after(at, 0.02, 2.0);
            *seq += 1;
            heap.push(Reverse(Pending {
                t: ot,
                seq: *seq,
                event: open,
                template: Some(template.clone()),
            }));
            if let (Some((click, _)), Some(_)) = (c.click_event, c.open_event) {
                if self.rng.random_bool(0.45) {
                    *seq += 1;
                    let ct = ot + self.rng.random_range(1..40) * 60;
                    heap.push(Reverse(Pending {
                        t: ct,
                        seq: *seq,
                        event: click,
                        template: Some(template),
                    }));
                }
            }
        }
    }

    /// Draw the event's fields (passing `filter` when it can), record it and
    /// deliver it to the replay.
    fn emit(&mut self, t: i64, event: u16, filter: Option<&CExpr>, template: Option<&str>) {
        let c = self.env.c;
        let Some(def) = c.events.get(event as usize) else {
            return;
        };
        let mut best: Option<(Vec<Option<String>>, Vec<Value>)> = None;
        for _ in 0..8 {
            let texts: Vec<Option<String>> = (0..def.fields.len())
                .map(|i| self.field_text(event, i, template))
                .collect();
            let vals: Vec<Value> = def
                .fields
                .iter()
                .zip(&texts)
                .map(|(f, s)| match s {
                    Some(s) => to_value(s, &f.ty, c, self.texts),
                    None => Value::Missing,
                })
                .collect();
            let ok = filter.is_none_or(|f| self.holds(f, &vals));
            best = Some((texts, vals));
            if ok {
                break;
            }
        }
        let Some((texts, vals)) = best else { return };
        let first = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
        let cols = self.env.cols.get(event as usize);
        for (i, text) in texts.iter().enumerate() {
            if let (Some(text), Some(&col)) = (text, cols.and_then(|cs| cs.get(i))) {
                let sym = self.strings.intern(text);
                self.cells
                    .push((u16::try_from(col).unwrap_or(u16::MAX), sym));
            }
        }
        let n = self.cells.len() - first as usize;
        self.out.push(Drawn {
            t,
            event,
            first,
            n: u16::try_from(n).unwrap_or(u16::MAX),
        });
        self.st.deliver(self.lead, event, t, &vals);
    }

    /// Whether `filter` holds for these event values (scores read as 0).
    fn holds(&self, filter: &CExpr, event: &[Value]) -> bool {
        self.holds_with(filter, event, &vec![0.0; self.env.c.scores.len()])
    }

    /// Whether `e` holds for these event values and scores.
    fn holds_with(&self, e: &CExpr, event: &[Value], scores: &[f64]) -> bool {
        let (rank, lost) = self.position();
        let cx = Ctx {
            lead: self.lead_vals,
            scores,
            inputs: self.env.inputs,
            stage: StagePos {
                stage: self.st.stage(self.lead),
                rank: if lost { -1 } else { rank },
                lost,
            },
            event,
            clicks: &[],
            opens: &[],
            texts: self.texts,
            regexes: &self.env.c.regexes,
            regex_cache: None,
        };
        e.holds(&cx)
    }

    /// A value for field `i` of `event` as text; `None` leaves it empty.
    fn field_text(&mut self, event: u16, i: usize, template: Option<&str>) -> Option<String> {
        let c = self.env.c;
        let f = c.events.get(event as usize)?.fields.get(i)?;
        let name = f.name.to_ascii_lowercase();
        let is_template = [c.open_event, c.click_event]
            .iter()
            .flatten()
            .any(|&(e, fi)| e == event && fi as usize == i);
        if is_template {
            if let Some(t) = template {
                return Some(t.to_string());
            }
            return Some(self.template());
        }
        let hints = self
            .env
            .plan
            .event_hints
            .get(event as usize)
            .and_then(|h| h.get(i))
            .filter(|h| !h.is_empty());
        if let Some(h) = hints {
            if self.rng.random_bool(0.4) {
                return Some(h[self.rng.random_range(0..h.len())].clone());
            }
        }
        if f.optional && self.rng.random_bool(0.1) {
            return None;
        }
        Some(match (&f.ty, name.as_str()) {
            (Ty::Money, _) => self.deal.clone(),
            (Ty::Text, n) if n.contains("path") || n.contains("url") || n.contains("page") => {
                pick(&mut self.rng, PATHS).to_string()
            }
            (Ty::Text, n) if n.contains("asset") || n.contains("content") => {
                values::one(&mut self.rng, ASSETS).to_string()
            }
            (Ty::Text, n) if n.contains("form") => pick(&mut self.rng, FORMS).to_string(),
            (Ty::Text, n) if n.contains("reason") => {
                values::one(&mut self.rng, LOSS_REASONS).to_string()
            }
            (Ty::Text, n) if n.contains("template") => self.template(),
            _ => values::value(&mut self.rng, &f.name, &f.ty),
        })
    }

    /// A template name: one the playbook knows, or a newsletter.
    fn template(&mut self) -> String {
        let ts = &self.env.plan.templates;
        if !ts.is_empty() && self.rng.random_bool(0.7) {
            ts[self.rng.random_range(0..ts.len())].clone()
        } else {
            values::one(&mut self.rng, NEWSLETTERS).to_string()
        }
    }

    fn weighted(&mut self, items: &[(u16, u32)]) -> Option<u16> {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        if total == 0 {
            return None;
        }
        let mut x = self.rng.random_range(0..total);
        for &(e, w) in items {
            if x < w {
                return Some(e);
            }
            x -= w;
        }
        None
    }

    /// An instant `min..max` days after `t`, in waking hours most of the time.
    fn after(&mut self, t: i64, min_days: f64, max_days: f64) -> i64 {
        after(&mut self.rng, t, min_days, max_days)
    }
}

/// Where a lead's journey stands.
struct Journey {
    /// Boosts counted once that were emitted: (score, position).
    used: Vec<(u16, usize)>,
    /// The forward position aimed at next.
    goal: usize,
    /// The deepest forward position this lead aims for.
    depth: usize,
    tries: u32,
    t_last: i64,
    last_money: bool,
    lost_done: bool,
    done: bool,
    late_done: bool,
}
