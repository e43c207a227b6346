//! Which lead fields and event fields a playbook reads: in conditions and
//! `where` filters, `set` values and targets, notify messages, KPI
//! aggregates and `by` keys, and the `template` of clicks and opens. A run
//! that only needs its outputs may decode the other fields' cells (so a bad
//! value is still reported) without keeping their text ([`crate::Dataset`]'s
//! `keep_unread`): nothing a run writes depends on them.

use super::{Compiled, Instr, Piece, Trig};
use crate::eval::CExpr;
use crate::kpi::{ByKey, KCond, KExpr, Source};

/// Per lead field, and per event type and field: read by the playbook.
#[derive(Clone, Debug, Default)]
pub struct Reads {
    pub lead: Vec<bool>,
    pub events: Vec<Vec<bool>>,
}

impl Reads {
    fn expr(&mut self, e: &CExpr, event: Option<u16>) {
        match e {
            CExpr::LeadField(i) => self.lead_field(*i),
            CExpr::EventField(i) => {
                if let Some(ev) = event {
                    self.event_field(ev, *i);
                }
            }
            CExpr::Lit(_)
            | CExpr::Score(_)
            | CExpr::Input(_)
            | CExpr::Stage { .. }
            | CExpr::Clicked(_)
            | CExpr::Opened(_) => {}
            CExpr::Neg(a) | CExpr::Not(a) | CExpr::Matches(a, _) | CExpr::IsPresent(a, _) => {
                self.expr(a, event)
            }
            CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Arith(_, a, b) | CExpr::Cmp(_, a, b) => {
                self.expr(a, event);
                self.expr(b, event);
            }
            CExpr::In(a, list) => {
                self.expr(a, event);
                list.iter().for_each(|x| self.expr(x, event));
            }
        }
    }

    fn trig(&mut self, t: &Trig) {
        match t {
            Trig::When(e) => self.expr(e, None),
            Trig::On { events, .. } => {
                for (ev, filter) in events {
                    if let Some(f) = filter {
                        self.expr(f, Some(*ev));
                    }
                }
            }
        }
    }

    fn lead_field(&mut self, i: u16) {
        if let Some(r) = self.lead.get_mut(i as usize) {
            *r = true;
        }
    }

    fn event_field(&mut self, e: u16, i: u16) {
        if let Some(r) = self
            .events
            .get_mut(e as usize)
            .and_then(|f| f.get_mut(i as usize))
        {
            *r = true;
        }
    }

    fn kexpr(&mut self, c: &Compiled, e: &KExpr, by: &[ByKey]) {
        match e {
            KExpr::Agg(_, Source::Events { event, field }) => {
                if let Some(f) = field {
                    self.event_field(*event, *f);
                }
                for key in by {
                    if let ByKey::EventField(name) = key {
                        let fields = c.events.get(*event as usize).map(|d| &d.fields);
                        let at = fields.and_then(|fs| fs.iter().position(|f| f.name == *name));
                        if let Some(i) = at {
                            self.event_field(*event, u16::try_from(i).unwrap_or(u16::MAX));
                        }
                    }
                }
            }
            KExpr::Neg(a) | KExpr::Abs(a) | KExpr::Round(a, _) | KExpr::Prev(a) => {
                self.kexpr(c, a, by)
            }
            KExpr::Arith(_, a, b) => {
                self.kexpr(c, a, by);
                self.kexpr(c, b, by);
            }
            KExpr::Extreme(_, xs) => xs.iter().for_each(|x| self.kexpr(c, x, by)),
            KExpr::CountGroups(keys, cond) => {
                let mut inner = by.to_vec();
                inner.extend(keys.iter().cloned());
                for key in keys {
                    if let ByKey::LeadField(i) = key {
                        self.lead_field(*i);
                    }
                }
                self.kcond(c, cond, &inner);
            }
            _ => {}
        }
    }

    fn kcond(&mut self, c: &Compiled, cond: &KCond, by: &[ByKey]) {
        match cond {
            KCond::Compare(_, a, b) => {
                self.kexpr(c, a, by);
                self.kexpr(c, b, by);
            }
            KCond::And(a, b) | KCond::Or(a, b) => {
                self.kcond(c, a, by);
                self.kcond(c, b, by);
            }
            KCond::Not(a) => self.kcond(c, a, by),
        }
    }
}

/// What `c` reads.
pub(crate) fn reads(c: &Compiled) -> Reads {
    let mut r = Reads {
        lead: vec![false; c.lead_fields.len()],
        events: c
            .events
            .iter()
            .map(|e| vec![false; e.fields.len()])
            .collect(),
    };
    for rule in &c.rules {
        r.trig(&rule.trig);
    }
    for s in &c.stages {
        if let Some(t) = &s.trigger {
            r.trig(t);
        }
    }
    for n in &c.nurtures {
        for (t, _) in n.enroll.iter().chain(&n.exits) {
            r.trig(t);
        }
        for i in &n.code {
            match i {
                Instr::Send { guard, .. } => {
                    guard.iter().for_each(|g| r.expr(g, None));
                }
                Instr::WaitFor { event, filter, .. } => {
                    filter.iter().for_each(|f| r.expr(f, Some(*event)));
                }
                Instr::If { cond, .. } => r.expr(cond, None),
                Instr::Notify { message, guard, .. } => {
                    guard.iter().for_each(|g| r.expr(g, None));
                    for p in message {
                        if let Piece::LeadField(f) = p {
                            r.lead_field(*f);
                        }
                    }
                }
                Instr::Set {
                    field,
                    value,
                    guard,
                    ..
                } => {
                    r.lead_field(*field);
                    r.expr(value, None);
                    guard.iter().for_each(|g| r.expr(g, None));
                }
                Instr::Wait { .. }
                | Instr::WaitCron { .. }
                | Instr::Jump(_)
                | Instr::Split { .. }
                | Instr::End => {}
            }
        }
    }
    for k in &c.kpis {
        r.kexpr(c, &k.expr, &k.by);
        for key in &k.by {
            if let ByKey::LeadField(i) = key {
                r.lead_field(*i);
            }
        }
    }
    for (e, f) in c.click_event.iter().chain(&c.open_event) {
        r.event_field(*e, *f);
    }
    r
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_bench_playbook_reads_few_fields() {
        let text = include_str!("../../../../bench/bench.funnel");
        let program = funnel_check::check_source(text).program.unwrap();
        let c = crate::compile(&program, text);
        let lead: Vec<&str> = c
            .lead_fields
            .iter()
            .zip(&c.reads.lead)
            .filter(|(_, r)| **r)
            .map(|(f, _)| f.name.as_str())
            .collect();
        assert_eq!(lead, ["company_size", "industry"]);
        let events: Vec<String> = c
            .events
            .iter()
            .zip(&c.reads.events)
            .flat_map(|(e, r)| {
                e.fields
                    .iter()
                    .zip(r)
                    .filter(|(_, r)| **r)
                    .map(move |(f, _)| format!("{}.{}", e.name, f.name))
            })
            .collect();
        // The templates of opens and clicks are always kept: the engine
        // remembers them for `clicked`/`opened`.
        assert_eq!(
            events,
            [
                "form_submit.form",
                "email_open.template",
                "email_click.template",
                "deal_won.amount"
            ]
        );
    }

    #[test]
    fn saas_inbound_reads_its_lead_fields_and_templates() {
        let text = include_str!("../../../../playbooks/saas_inbound.funnel");
        let program = funnel_check::check_source(text).program.unwrap();
        let c = crate::compile(&program, text);
        // email (matches), title (matches), company (notify), company_size,
        // industry, country (when rules), source (KPI `by`).
        assert!(c.reads.lead.iter().all(|r| *r));
        let click = c.event_index("email_click").unwrap();
        assert_eq!(c.reads.events[click], [true]);
        let page = c.event_index("page_view").unwrap();
        assert_eq!(c.reads.events[page], [true]);
    }
}
