//! Scores: `on` rules with `where`, `once`, `once per D` and `max N per D`;
//! `when` rules that hold their points while their condition holds; decay;
//! floor and cap. Every applied change goes to the ledger of a traced lead.

use crate::compile::Trig;
use crate::replay::{Replay, TimerKind};
use crate::trace::{Blocked, Cause, Entry};
use crate::value::Value;

use crate::unsettled::{Limit, MAX_WHEN_PASSES, WATCHED_PASSES};

impl Replay<'_> {
    /// Step (2): every `on` rule for this event type, in source order.
    pub(crate) fn on_rules(
        &mut self,
        lead: u32,
        event: u16,
        at: i64,
        fields: &[crate::value::Value],
    ) {
        let c = self.c;
        let Some(ids) = c.on_rules.get(event as usize) else {
            return;
        };
        for &id in ids {
            self.award(lead, id, event, at, fields);
        }
    }

    fn award(&mut self, lead: u32, id: u32, event: u16, at: i64, fields: &[Value]) {
        let c = self.c;
        let l = self.l(lead);
        let r = &c.rules[id as usize];
        if let Some(Some(filter)) = r.trig.on_event(event) {
            if !filter.holds(&self.ctx(l, fields)) {
                return;
            }
        }
        if let Some(slot) = r.last_slot {
            let last = self.last_award[l * c.n_last_slots + slot as usize];
            if last != i64::MIN {
                if r.once {
                    self.blocked(lead, at, id, Blocked::Once { last });
                    return;
                }
                if let Some(d) = r.once_per {
                    if c.add(last, d) > at {
                        self.blocked(lead, at, id, Blocked::OncePer { last });
                        return;
                    }
                }
            }
        }
        let mut points = r.points;
        if let (Some((max, d)), Some(slot)) = (r.max_per, r.window_slot) {
            let w = &mut self.windows[l * c.n_window_slots + slot as usize];
            // Awards are kept in time order and `add` only grows with its
            // instant, so the ones out of the window are at the front.
            while let Some(&(t, p)) = w.awards.front() {
                if c.add(t, d) > at {
                    break;
                }
                w.awards.pop_front();
                w.used -= p.abs();
            }
            if w.awards.is_empty() {
                w.used = 0.0;
            }
            let room = max - w.used;
            if room <= 0.0 {
                self.blocked(lead, at, id, Blocked::MaxPer);
                return;
            }
            if points.abs() > room {
                points = room.copysign(points);
            }
            w.awards.push_back((at, points));
            w.used += points.abs();
        }
        if let Some(slot) = r.last_slot {
            self.last_award[l * c.n_last_slots + slot as usize] = at;
        }
        if self.apply(lead, r.score, points, at, Cause::Rule(id)) == 0.0 && points != 0.0 {
            self.blocked(lead, at, id, Blocked::Clamped);
        }
        if points > 0.0 {
            self.positive_award(lead, r.score, at);
        }
    }

    /// Note a rule that matched and gave nothing, for the traced lead only.
    fn blocked(&mut self, lead: u32, at: i64, rule: u32, why: Blocked) {
        if self.trace_lead == Some(lead) {
            self.record(lead, at, Entry::Blocked { rule, why });
        }
    }

    /// Add `delta` to a score, clamped; returns the applied change.
    pub(crate) fn apply(
        &mut self,
        lead: u32,
        score: u16,
        delta: f64,
        at: i64,
        cause: Cause,
    ) -> f64 {
        let c = self.c;
        let i = self.l(lead) * c.scores.len() + score as usize;
        let old = self.scores[i];
        let new = c.scores[score as usize].clamp(old + delta);
        self.scores[i] = new;
        let applied = new - old;
        if applied != 0.0 {
            self.changed |= crate::eval::dep_score(score);
            self.record(
                lead,
                at,
                Entry::Points {
                    score,
                    delta: applied,
                    now: new,
                    cause,
                },
            );
        }
        applied
    }

    /// Step (3): recompute `when` rules; true when a score changed.
    pub(crate) fn when_rules(&mut self, lead: u32, at: i64) -> bool {
        let c = self.c;
        if c.when_rules.is_empty() {
            return false;
        }
        let l = self.l(lead);
        let nw = c.when_rules.len();
        let mut any = false;
        let mut settled = false;
        let watching = self.watching();
        for pass in 0..MAX_WHEN_PASSES {
            if pass + WATCHED_PASSES >= MAX_WHEN_PASSES {
                self.watch_last_pass();
            }
            let mut changed = false;
            for (k, &id) in c.when_rules.iter().enumerate() {
                let r = &c.rules[id as usize];
                let Trig::When(cond) = &r.trig else { continue };
                if c.deps.rules[id as usize] & self.mask() == 0 {
                    continue;
                }
                let holds = cond.holds(&self.ctx(l, &[]));
                let slot = l * nw + k;
                let active = !self.when_contrib[slot].is_nan();
                if holds && !active {
                    let applied = self.apply(lead, r.score, r.points, at, Cause::Rule(id));
                    self.when_contrib[slot] = applied;
                    if r.points > 0.0 {
                        self.positive_award(lead, r.score, at);
                    }
                    changed |= applied != 0.0;
                } else if !holds && active {
                    let back = -self.when_contrib[slot];
                    self.when_contrib[slot] = f64::NAN;
                    let applied = self.apply(lead, r.score, back, at, Cause::RuleOff(id));
                    changed |= applied != 0.0;
                }
            }
            any |= changed;
            if !changed {
                settled = true;
                break;
            }
        }
        if !settled {
            self.not_settled(lead, at, Limit::When);
        }
        if !watching {
            self.stop_watching();
        }
        any
    }

    /// A positive award restarts the inactivity clock of a decaying score.
    fn positive_award(&mut self, lead: u32, score: u16, at: i64) {
        let c = self.c;
        let Some(decay) = &c.scores[score as usize].decay else {
            return;
        };
        let i = self.l(lead) * c.scores.len() + score as usize;
        let st = &mut self.decay[i];
        if st.first == i64::MIN {
            st.first = at;
        }
        let due = if decay.inactive {
            c.add(at, decay.every)
        } else if st.due == i64::MIN {
            // Every full period since the first award, whatever the activity.
            let mut due = c.add(st.first, decay.every);
            for _ in 0..100_000 {
                if due > at {
                    break;
                }
                due = c.add(due, decay.every);
            }
            due
        } else {
            return;
        };
        st.due = due;
        if !st.pending {
            st.pending = true;
            self.push_timer(due, lead, TimerKind::Decay { score });
        }
    }

    /// A decay timer fired; true when the score changed.
    pub(crate) fn decay_due(&mut self, lead: u32, score: u16, at: i64) -> bool {
        let c = self.c;
        let Some(decay) = &c.scores[score as usize].decay else {
            return false;
        };
        let i = self.l(lead) * c.scores.len() + score as usize;
        self.decay[i].pending = false;
        let due = self.decay[i].due;
        if due == i64::MIN {
            return false;
        }
        if at < due {
            // An award moved the deadline: wait for the new one.
            self.decay[i].pending = true;
            self.push_timer(due, lead, TimerKind::Decay { score });
            return false;
        }
        let old = self.scores[i];
        let target = c.scores[score as usize].clamp(old * decay.factor);
        let applied = self.apply(lead, score, target - old, at, Cause::Decay);
        let next = c.add(due, decay.every);
        let still_moves = {
            let now = self.scores[i];
            c.scores[score as usize].clamp(now * decay.factor) != now
        };
        if still_moves {
            self.decay[i].due = next;
            self.decay[i].pending = true;
            self.push_timer(next, lead, TimerKind::Decay { score });
        } else {
            self.decay[i].due = i64::MIN;
        }
        applied != 0.0
    }
}
