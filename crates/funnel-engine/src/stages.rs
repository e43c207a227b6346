//! Stages: forward-only moves with skips, lost exits and SLA breaches.
//!
//! After every change of state the highest non-lost stage above the current
//! one whose trigger holds is found (`on E` matches the event being
//! processed, `when` holds now, or an `X at N` threshold is reached) and the
//! lead moves there; every stage in between is entered at the same instant
//! with reason `skipped`. A lost stage's trigger moves the lead to it from
//! anywhere; a lost lead never moves again.

use crate::compile::Trig;
use crate::eval::{Deps, NO_STAGE};
use crate::replay::{Replay, TimerKind};
use crate::trace::{Breach, Entry, Reason, Transition};
use crate::value::Value;

impl Replay<'_> {
    /// Does stage `si`'s trigger (or one of its thresholds) hold? The reason
    /// if so. `state`: what changed; `when` triggers and thresholds are only
    /// looked at when they read some of it (they cannot have changed else).
    fn stage_holds(
        &self,
        l: usize,
        si: u16,
        event: Option<(u16, &[Value])>,
        state: Deps,
    ) -> Option<Reason> {
        let s = &self.c.stages[si as usize];
        let state = state & self.c.deps.stages[si as usize] != 0;
        if let Some(t) = &s.trigger {
            let holds = match t {
                Trig::When(_) if !state => false,
                Trig::When(cond) => cond.holds(&self.ctx(l, &[])),
                Trig::On { .. } => match event {
                    Some((e, fields)) => match t.on_event(e) {
                        Some(Some(f)) => f.holds(&self.ctx(l, fields)),
                        Some(None) => true,
                        None => false,
                    },
                    None => false,
                },
            };
            if holds {
                return Some(Reason::Trigger);
            }
        }
        if !state {
            return None;
        }
        for (i, (score, points, _)) in s.thresholds.iter().enumerate() {
            if self.score(l, *score) >= *points {
                return Some(Reason::Threshold(u8::try_from(i).unwrap_or(u8::MAX)));
            }
        }
        None
    }

    /// Step (1): a lost stage's trigger moves the lead there. True if it moved.
    pub(crate) fn lost_triggers(
        &mut self,
        lead: u32,
        at: i64,
        event: Option<(u16, &[Value])>,
        state: Deps,
    ) -> bool {
        let c = self.c;
        let l = self.l(lead);
        if self.leads[l].lost || c.lost.is_empty() {
            return false;
        }
        for &s in &c.lost {
            if let Some(reason) = self.stage_holds(l, s, event, state) {
                self.enter(lead, s, at, reason);
                return true;
            }
        }
        false
    }

    /// Step (4): move forward to the highest stage whose trigger holds.
    pub(crate) fn forward_stages(
        &mut self,
        lead: u32,
        at: i64,
        event: Option<(u16, &[Value])>,
    ) -> bool {
        let c = self.c;
        let l = self.l(lead);
        let mut moved = false;
        for _ in 0..c.forward.len().max(1) {
            if self.leads[l].lost {
                break;
            }
            let cur = self.leads[l].rank;
            let state = self.mask();
            let mut target = None;
            for (rank, &s) in c.forward.iter().enumerate().rev() {
                if rank as i32 <= cur {
                    break;
                }
                if let Some(reason) = self.stage_holds(l, s, event, state) {
                    target = Some((rank, reason));
                    break;
                }
            }
            let Some((rank, reason)) = target else { break };
            let from = (cur + 1).max(0) as usize;
            for &skipped in &c.forward[from..rank] {
                self.enter(lead, skipped, at, Reason::Skipped);
            }
            self.enter(lead, c.forward[rank], at, reason);
            moved = true;
        }
        moved
    }

    /// Enter stage `s` now: record the transition, start its SLAs.
    fn enter(&mut self, lead: u32, s: u16, at: i64, reason: Reason) {
        let c = self.c;
        let l = self.l(lead);
        let st = &mut self.leads[l];
        let from = st.stage;
        st.stage = s;
        let def = &c.stages[s as usize];
        if def.lost {
            st.lost = true;
        } else {
            st.rank = def.rank;
        }
        self.entered[l * c.stages.len() + s as usize] = at;
        self.changed |= crate::eval::DEP_STAGE;
        let t = Transition {
            lead,
            from,
            to: s,
            at,
            reason,
        };
        self.transitions.push(t);
        self.record(lead, at, Entry::Stage(t));
        for (i, sla) in c.slas.iter().enumerate() {
            if sla.from == s {
                let due = c.add(at, sla.within);
                let sla = u16::try_from(i).unwrap_or(u16::MAX);
                self.push_timer(due, lead, TimerKind::Sla { sla });
            }
        }
    }

    /// An SLA deadline: a breach unless the lead entered the target (or a
    /// later non-lost stage) or is lost.
    pub(crate) fn sla_due(&mut self, lead: u32, sla: u16, at: i64) {
        let c = self.c;
        let l = self.l(lead);
        let st = self.leads[l];
        let def = &c.slas[sla as usize];
        let target = &c.stages[def.to as usize];
        if st.lost || st.stage == NO_STAGE {
            return;
        }
        let reached = if target.lost {
            st.stage == def.to
        } else {
            st.rank >= target.rank
        };
        if !reached {
            self.breaches.push(Breach { lead, sla, at });
            self.record(lead, at, Entry::Breach { sla });
        }
    }
}
