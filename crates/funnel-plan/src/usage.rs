//! Which declarations a compiled playbook reads: event types, lead fields
//! and event fields. It follows the checker's notion of "used" for events
//! (named by a trigger, a score rule, an enrollment or exit, a `wait … for`,
//! a KPI, or `clicked`/`opened`; `on any event` names none) and extends it
//! to fields: a field is used when a condition, a notify message or a KPI
//! (`sum(E.f)`, `by f`) reads it. A `set` writes a field without reading it.

use funnel_engine::compile::{Compiled, Instr, Piece, Trig};
use funnel_engine::eval::CExpr;
use funnel_engine::kpi::{ByKey, KCond, KExpr, Source};

/// Per declaration, whether the playbook reads it.
pub(crate) struct Usage {
    pub events: Vec<bool>,
    pub lead_fields: Vec<bool>,
    /// Per event type, per field.
    pub event_fields: Vec<Vec<bool>>,
}

impl Usage {
    fn event(&mut self, e: u16) {
        if let Some(u) = self.events.get_mut(e as usize) {
            *u = true;
        }
    }

    fn event_field(&mut self, e: u16, f: u16) {
        self.event(e);
        if let Some(u) = self
            .event_fields
            .get_mut(e as usize)
            .and_then(|fs| fs.get_mut(f as usize))
        {
            *u = true;
        }
    }

    fn lead_field(&mut self, f: u16) {
        if let Some(u) = self.lead_fields.get_mut(f as usize) {
            *u = true;
        }
    }

    /// Mark what an expression reads; `event` is the event its `where` is about.
    fn expr(&mut self, c: &Compiled, e: &CExpr, event: Option<u16>) {
        match e {
            CExpr::Lit(_) | CExpr::Score(_) | CExpr::Input(_) | CExpr::Stage { .. } => {}
            CExpr::EventField(f) => {
                if let Some(ev) = event {
                    self.event_field(ev, *f);
                }
            }
            CExpr::LeadField(f) => self.lead_field(*f),
            CExpr::Clicked(_) => {
                if let Some((ev, f)) = c.click_event {
                    self.event_field(ev, f);
                }
            }
            CExpr::Opened(_) => {
                if let Some((ev, f)) = c.open_event {
                    self.event_field(ev, f);
                }
            }
            CExpr::Neg(a) | CExpr::Not(a) | CExpr::Matches(a, _) | CExpr::IsPresent(a, _) => {
                self.expr(c, a, event);
            }
            CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Arith(_, a, b) | CExpr::Cmp(_, a, b) => {
                self.expr(c, a, event);
                self.expr(c, b, event);
            }
            CExpr::In(a, list) => {
                self.expr(c, a, event);
                for x in list {
                    self.expr(c, x, event);
                }
            }
        }
    }

    fn trig(&mut self, c: &Compiled, t: &Trig) {
        match t {
            Trig::On { events, .. } => {
                for (ev, filter) in events {
                    self.event(*ev);
                    if let Some(f) = filter {
                        self.expr(c, f, Some(*ev));
                    }
                }
            }
            Trig::When(e) => self.expr(c, e, None),
        }
    }

    fn instr(&mut self, c: &Compiled, i: &Instr) {
        match i {
            Instr::Send { guard, .. } => {
                if let Some(g) = guard {
                    self.expr(c, g, None);
                }
            }
            Instr::WaitFor { event, filter, .. } => {
                self.event(*event);
                if let Some(f) = filter {
                    self.expr(c, f, Some(*event));
                }
            }
            Instr::If { cond, .. } => self.expr(c, cond, None),
            Instr::Notify { message, guard, .. } => {
                for p in message {
                    if let Piece::LeadField(f) = p {
                        self.lead_field(*f);
                    }
                }
                if let Some(g) = guard {
                    self.expr(c, g, None);
                }
            }
            Instr::Set { value, guard, .. } => {
                self.expr(c, value, None);
                if let Some(g) = guard {
                    self.expr(c, g, None);
                }
            }
            Instr::Wait { .. }
            | Instr::WaitCron { .. }
            | Instr::Jump(_)
            | Instr::Split { .. }
            | Instr::End => {}
        }
    }

    fn kcond(&mut self, cond: &KCond, aggregated: &mut Vec<u16>) {
        match cond {
            KCond::Compare(_, a, b) => {
                self.kexpr(a, aggregated);
                self.kexpr(b, aggregated);
            }
            KCond::And(a, b) | KCond::Or(a, b) => {
                self.kcond(a, aggregated);
                self.kcond(b, aggregated);
            }
            KCond::Not(a) => self.kcond(a, aggregated),
        }
    }

    /// Mark a KPI formula's reads; returns the event types it aggregates.
    fn kexpr(&mut self, e: &KExpr, aggregated: &mut Vec<u16>) {
        match e {
            KExpr::Agg(_, Source::Events { event, field }) => {
                self.event(*event);
                if let Some(f) = field {
                    self.event_field(*event, *f);
                }
                aggregated.push(*event);
            }
            KExpr::Neg(a) | KExpr::Abs(a) | KExpr::Round(a, _) | KExpr::Prev(a) => {
                self.kexpr(a, aggregated)
            }
            KExpr::Arith(_, a, b) => {
                self.kexpr(a, aggregated);
                self.kexpr(b, aggregated);
            }
            KExpr::Extreme(_, xs) => xs.iter().for_each(|x| self.kexpr(x, aggregated)),
            KExpr::CountGroups(_, cond) => self.kcond(cond, aggregated),
            KExpr::Const(_)
            | KExpr::Input(_)
            | KExpr::Kpi(_)
            | KExpr::Agg(..)
            | KExpr::Undefined => {}
        }
    }
}

/// What `c` reads.
pub(crate) fn usage(c: &Compiled) -> Usage {
    let mut u = Usage {
        events: vec![false; c.events.len()],
        lead_fields: vec![false; c.lead_fields.len()],
        event_fields: c
            .events
            .iter()
            .map(|e| vec![false; e.fields.len()])
            .collect(),
    };
    for s in &c.stages {
        if let Some(t) = &s.trigger {
            u.trig(c, t);
        }
    }
    for r in &c.rules {
        u.trig(c, &r.trig);
    }
    for n in &c.nurtures {
        if let Some((t, _)) = &n.enroll {
            u.trig(c, t);
        }
        for (t, _) in &n.exits {
            u.trig(c, t);
        }
        for i in &n.code {
            u.instr(c, i);
        }
    }
    for k in &c.kpis {
        let mut aggregated = Vec::new();
        u.kexpr(&k.expr, &mut aggregated);
        for b in &k.by {
            match b {
                ByKey::LeadField(f) => u.lead_field(*f),
                ByKey::EventField(name) => {
                    for ev in &aggregated {
                        let pos = c
                            .events
                            .get(*ev as usize)
                            .and_then(|e| e.fields.iter().position(|f| f.name == *name));
                        if let Some(f) = pos {
                            u.event_field(*ev, f as u16);
                        }
                    }
                }
                ByKey::Period(_) => {}
            }
        }
    }
    u
}
