//! Nurtures: enrollment and re-enrollment, exits, and running steps.
//!
//! An enrollment runs its instructions until one suspends it (a wait, a
//! cron wait, a `wait up to … for`, or a send deferred by the `send within`
//! calendar or the `limit sends` cap) or it reaches the end. `exit when`
//! rules are checked before every step and after every change of state;
//! `exit on E` as E arrives. Every suspension takes a new generation number,
//! so a timer left over from an earlier suspension is recognised and ignored.

use crate::compile::{Instr, NurtureDef, Piece, Reenroll, Trig};
use crate::display::fmt_value;
use crate::eval::{Deps, DEP_ALL, DEP_LEAD};
use crate::replay::{Replay, TimerKind, Waiting};
use crate::trace::{Action, ActionDetail, Entry, ExitCause, WaitWhy};
use crate::value::{fmt_num, Value};

/// Steps one run of an enrollment may take without suspending (the
/// instruction list only jumps forward, so this is never reached by a
/// well-formed nurture; it bounds the work regardless).
const MAX_STEPS: usize = 100_000;

impl Replay<'_> {
    fn slot(&self, lead: u32, n: u16) -> usize {
        self.l(lead) * self.c.nurtures.len() + n as usize
    }

    /// Step (5) for every nurture: exits, enrollments, `wait … for` resumption.
    /// True when a step changed the lead's state (`set`). `when` exits and
    /// enrollments are only looked at when they read something that changed
    /// ([`Replay::mask`]).
    pub(crate) fn nurtures(&mut self, lead: u32, at: i64, event: Option<(u16, &[Value])>) -> bool {
        let c = self.c;
        let mut changed = false;
        for (n, def) in c.nurtures.iter().enumerate() {
            let n = u16::try_from(n).unwrap_or(u16::MAX);
            let slot = self.slot(lead, n);
            if self.enroll[slot].active {
                if let Some(i) = self.exit_rule(lead, n, event, self.mask()) {
                    self.exit(lead, n, at, ExitCause::Rule(i));
                }
            }
            let mut enrolled_now = false;
            match &def.enroll {
                Some((Trig::When(_), _)) if c.deps.enroll[n as usize] & self.mask() == 0 => {}
                Some((Trig::When(cond), _)) => {
                    let now = cond.holds(&self.ctx(self.l(lead), &[]));
                    let before = std::mem::replace(&mut self.enroll[slot].when_prev, now);
                    if now && !before {
                        enrolled_now = self.try_enroll(lead, n, at);
                    }
                }
                Some((t @ Trig::On { .. }, _)) => {
                    if let Some((e, fields)) = event {
                        let fires = match t.on_event(e) {
                            Some(Some(f)) => f.holds(&self.ctx(self.l(lead), fields)),
                            Some(None) => true,
                            None => false,
                        };
                        if fires {
                            enrolled_now = self.try_enroll(lead, n, at);
                        }
                    }
                }
                None => {}
            }
            if enrolled_now {
                changed |= self.run_steps(lead, n, at);
                continue;
            }
            if let Some((e, fields)) = event {
                changed |= self.wait_for_event(lead, n, at, e, fields);
            }
        }
        changed
    }

    /// The first `exit` rule that holds (an `on` rule only for `event`).
    /// `state`: what changed; a `when` exit is only looked at when it reads
    /// some of it.
    fn exit_rule(
        &self,
        lead: u32,
        n: u16,
        event: Option<(u16, &[Value])>,
        state: Deps,
    ) -> Option<u16> {
        let l = self.l(lead);
        let def = &self.c.nurtures[n as usize];
        let deps = &self.c.deps.exits[n as usize];
        def.exits
            .iter()
            .zip(deps)
            .position(|((t, _), d)| match t {
                Trig::When(cond) => state & d != 0 && cond.holds(&self.ctx(l, &[])),
                Trig::On { .. } => event.is_some_and(|(e, fields)| match t.on_event(e) {
                    Some(Some(f)) => f.holds(&self.ctx(l, fields)),
                    Some(None) => true,
                    None => false,
                }),
            })
            .map(|i| u16::try_from(i).unwrap_or(u16::MAX))
    }

    fn exit(&mut self, lead: u32, n: u16, at: i64, cause: ExitCause) {
        let slot = self.slot(lead, n);
        let e = &mut self.enroll[slot];
        e.active = false;
        e.waiting = Waiting::No;
        e.gen = e.gen.wrapping_add(1);
        self.record(lead, at, Entry::Exited { nurture: n, cause });
    }

    fn try_enroll(&mut self, lead: u32, n: u16, at: i64) -> bool {
        let c = self.c;
        let slot = self.slot(lead, n);
        let e = self.enroll[slot];
        if e.active {
            return false;
        }
        if e.ever {
            match c.nurtures[n as usize].reenroll {
                Reenroll::Never => return false,
                Reenroll::After(d) => {
                    if c.add(e.started_at, d) > at {
                        return false;
                    }
                }
                Reenroll::Always => {}
            }
        }
        let e = &mut self.enroll[slot];
        e.active = true;
        e.ever = true;
        e.pc = 0;
        e.gen = e.gen.wrapping_add(1);
        e.started_at = at;
        e.waiting = Waiting::No;
        self.record(lead, at, Entry::Enrolled { nurture: n });
        true
    }

    /// `wait up to … for E`: the event arrived in time.
    fn wait_for_event(&mut self, lead: u32, n: u16, at: i64, event: u16, fields: &[Value]) -> bool {
        let slot = self.slot(lead, n);
        let st = self.enroll[slot];
        if !st.active || st.waiting != Waiting::ForEvent {
            return false;
        }
        let def = &self.c.nurtures[n as usize];
        let Some(Instr::WaitFor {
            event: want,
            filter,
            skip_to,
            line,
            ..
        }) = def.code.get(st.pc as usize)
        else {
            return false;
        };
        if *want != event
            || filter
                .as_ref()
                .is_some_and(|f| !f.holds(&self.ctx(self.l(lead), fields)))
        {
            return false;
        }
        let e = &mut self.enroll[slot];
        e.waiting = Waiting::No;
        e.gen = e.gen.wrapping_add(1);
        e.pc = *skip_to;
        let line = *line;
        self.record(
            lead,
            at,
            Entry::WaitEnded {
                nurture: n,
                line,
                by_event: true,
            },
        );
        self.run_steps(lead, n, at)
    }

    /// A nurture timer fired; true when a step changed the lead's state.
    pub(crate) fn nurture_timer(&mut self, lead: u32, n: u16, gen: u32, at: i64) -> bool {
        let slot = self.slot(lead, n);
        let st = self.enroll[slot];
        if !st.active || st.gen != gen {
            return false;
        }
        match st.waiting {
            Waiting::No => return false,
            Waiting::Resume => {}
            Waiting::ForEvent => {
                let line = match self.c.nurtures[n as usize].code.get(st.pc as usize) {
                    Some(Instr::WaitFor { line, .. }) => *line,
                    _ => 0,
                };
                self.enroll[slot].pc += 1;
                self.record(
                    lead,
                    at,
                    Entry::WaitEnded {
                        nurture: n,
                        line,
                        by_event: false,
                    },
                );
            }
        }
        self.enroll[slot].waiting = Waiting::No;
        self.run_steps(lead, n, at)
    }

    fn suspend(&mut self, lead: u32, n: u16, until: i64, line: u32, why: WaitWhy, at: i64) {
        let how = if why == WaitWhy::WaitFor {
            Waiting::ForEvent
        } else {
            Waiting::Resume
        };
        let slot = self.slot(lead, n);
        let e = &mut self.enroll[slot];
        e.waiting = how;
        e.gen = e.gen.wrapping_add(1);
        let gen = e.gen;
        if until != i64::MAX {
            self.push_timer(until, lead, TimerKind::Nurture { n, gen });
        }
        self.record(
            lead,
            at,
            Entry::Waiting {
                nurture: n,
                line,
                until,
                why,
            },
        );
    }

    /// Run an enrollment's steps from its `pc` until it suspends or ends.
    /// True when a `set` changed the lead.
    pub(crate) fn run_steps(&mut self, lead: u32, n: u16, at: i64) -> bool {
        let c = self.c;
        let l = self.l(lead);
        let def = &c.nurtures[n as usize];
        let slot = self.slot(lead, n);
        let mut changed = false;
        for _ in 0..MAX_STEPS {
            if !self.enroll[slot].active {
                break;
            }
            let pc = self.enroll[slot].pc;
            let Some(instr) = def.code.get(pc as usize) else {
                break;
            };
            if !matches!(instr, Instr::Jump(_)) {
                if let Some(i) = self.exit_rule(lead, n, None, DEP_ALL) {
                    self.exit(lead, n, at, ExitCause::Rule(i));
                    break;
                }
            }
            let next = pc + 1;
            match instr {
                Instr::Send {
                    template,
                    guard,
                    line,
                } => {
                    if guard.as_ref().is_some_and(|g| !g.holds(&self.ctx(l, &[]))) {
                        self.enroll[slot].pc = next;
                        continue;
                    }
                    let (when, why) = self.send_time(lead, def, at);
                    if when > at {
                        self.suspend(lead, n, when, *line, why, at);
                        break;
                    }
                    self.note_send(l, at);
                    self.act(lead, n, *line, at, ActionDetail::Send(*template));
                    self.enroll[slot].pc = next;
                }
                Instr::Wait { dur, line } => {
                    self.enroll[slot].pc = next;
                    let until = c.add(at, *dur);
                    self.suspend(lead, n, until, *line, WaitWhy::Wait, at);
                    break;
                }
                Instr::WaitCron { cron, line } => {
                    self.enroll[slot].pc = next;
                    // A schedule that never fires again holds the
                    // enrollment here for good (no timer is due).
                    let until = cron.next_after(at, c.tz).unwrap_or(i64::MAX);
                    self.suspend(lead, n, until, *line, WaitWhy::Cron, at);
                    break;
                }
                Instr::WaitFor { dur, line, .. } => {
                    let until = c.add(at, *dur);
                    self.suspend(lead, n, until, *line, WaitWhy::WaitFor, at);
                    break;
                }
                Instr::If {
                    cond,
                    else_pc,
                    line,
                } => {
                    let holds = cond.holds(&self.ctx(l, &[]));
                    let taken = if holds { "then" } else { "else" };
                    self.record(
                        lead,
                        at,
                        Entry::Branch {
                            nurture: n,
                            line: *line,
                            taken: taken.to_string(),
                        },
                    );
                    self.enroll[slot].pc = if holds { next } else { *else_pc };
                }
                Instr::Jump(to) => self.enroll[slot].pc = *to,
                Instr::Split {
                    arms,
                    else_pc,
                    ordinal,
                    line,
                } => {
                    let id = &self.ds.leads.ids[lead as usize];
                    let bucket = split_bucket(id, &def.name, *ordinal);
                    let arm = arms.iter().position(|(upper, _)| bucket < *upper);
                    let (pc, taken) = match arm {
                        Some(i) => (arms[i].1, format!("arm {} (bucket {bucket})", i + 1)),
                        None => (*else_pc, format!("else (bucket {bucket})")),
                    };
                    self.record(
                        lead,
                        at,
                        Entry::Branch {
                            nurture: n,
                            line: *line,
                            taken,
                        },
                    );
                    self.enroll[slot].pc = pc;
                }
                Instr::Notify {
                    channel,
                    message,
                    guard,
                    line,
                } => {
                    self.enroll[slot].pc = next;
                    if guard.as_ref().is_some_and(|g| !g.holds(&self.ctx(l, &[]))) {
                        continue;
                    }
                    let message = self.interpolate(lead, message);
                    let detail = ActionDetail::Notify {
                        channel: *channel,
                        message,
                    };
                    self.act(lead, n, *line, at, detail);
                }
                Instr::Set {
                    field,
                    value,
                    guard,
                    line,
                } => {
                    self.enroll[slot].pc = next;
                    if guard.as_ref().is_some_and(|g| !g.holds(&self.ctx(l, &[]))) {
                        continue;
                    }
                    let v = value.eval(&self.ctx(l, &[]));
                    let nf = c.lead_fields.len();
                    self.vals[l * nf + *field as usize] = v;
                    changed = true;
                    self.changed |= DEP_LEAD;
                    let detail = ActionDetail::Set {
                        field: *field,
                        value: v,
                    };
                    self.act(lead, n, *line, at, detail);
                }
                Instr::End => {
                    self.exit(lead, n, at, ExitCause::Completed);
                    break;
                }
            }
        }
        changed
    }

    fn act(&mut self, lead: u32, nurture: u16, line: u32, at: i64, detail: ActionDetail) {
        let a = Action {
            at,
            lead,
            nurture,
            line,
            detail,
        };
        if self.trace_lead == Some(lead) || self.covered.is_some() || self.watching() {
            self.record(lead, at, Entry::Action(a.clone()));
        }
        self.actions.push(a);
    }

    /// When a send due at `at` may go out: the calendar's next opening, then
    /// the send limit (wait for the oldest send to leave the window), repeated.
    fn send_time(&self, lead: u32, def: &NurtureDef, at: i64) -> (i64, WaitWhy) {
        let c = self.c;
        let mut when = at;
        let mut why = WaitWhy::Calendar;
        let cal = def.send_within.and_then(|i| c.calendars.get(i as usize));
        for _ in 0..1_000 {
            let mut moved = false;
            if let Some(cal) = cal {
                let open = cal.next_opening(when);
                if open > when {
                    when = open;
                    why = WaitWhy::Calendar;
                    moved = true;
                }
            }
            if let Some((k, d)) = c.limit {
                let k = k as usize;
                let l = self.l(lead);
                let ring = &self.sends[l * k..l * k + k];
                let oldest = ring.first().copied().unwrap_or(i64::MIN);
                if k == 0 {
                    break;
                }
                if oldest != i64::MIN && c.add(oldest, d) > when {
                    when = c.add(oldest, d);
                    why = WaitWhy::Limit;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        (when, why)
    }

    /// Remember a send for the `limit sends` window (the last N, oldest first).
    fn note_send(&mut self, l: usize, at: i64) {
        if let Some((k, _)) = self.c.limit {
            let k = k as usize;
            if k == 0 {
                return;
            }
            let ring = &mut self.sends[l * k..l * k + k];
            ring.rotate_left(1);
            ring[k - 1] = at;
        }
    }

    fn interpolate(&self, lead: u32, pieces: &[Piece]) -> String {
        let c = self.c;
        let l = self.l(lead);
        let nf = c.lead_fields.len();
        let mut s = String::new();
        for p in pieces {
            match p {
                Piece::Text(t) => s.push_str(t),
                Piece::LeadField(f) => {
                    let v = self.vals[l * nf + *f as usize];
                    s.push_str(&fmt_value(v, &self.ds.texts, c));
                }
                Piece::Score(i) => s.push_str(&fmt_num(self.score(l, *i))),
                Piece::Id => s.push_str(&self.ds.leads.ids[lead as usize]),
                Piece::Stage => {
                    if let Some(st) = c.stages.get(self.leads[l].stage as usize) {
                        s.push_str(&st.name);
                    }
                }
            }
        }
        s
    }
}

/// The split bucket of a lead: FNV-1a 64 of `lead_id/nurture/ordinal`, mod
/// 10,000, where `ordinal` numbers the nurture's splits in source order
/// (the first is 1). No source position goes in, so layout (and `funnel
/// fmt`) never moves a lead to another arm.
pub fn split_bucket(lead_id: &str, nurture: &str, ordinal: u32) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    feed(lead_id.as_bytes());
    feed(b"/");
    feed(nurture.as_bytes());
    feed(b"/");
    feed(ordinal.to_string().as_bytes());
    (h % 10_000) as u32
}

#[cfg(test)]
mod tests {
    use super::split_bucket;

    #[test]
    fn buckets_are_fnv1a_of_id_nurture_and_ordinal() {
        // Reference values computed independently (Python FNV-1a 64).
        assert_eq!(split_bucket("L1", "n", 3), 7601);
        assert_eq!(split_bucket("L1", "n", 1), 1179);
        assert_eq!(split_bucket("lead-42", "ebook_followup", 2), 8567);
    }
}
