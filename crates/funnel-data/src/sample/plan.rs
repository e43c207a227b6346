//! What the sample generator reads from a playbook before drawing anyone:
//! how each stage of the funnel is entered (its `on` events, or the scores
//! its `when` condition and `X at N` thresholds read, and the rules that
//! raise them), which events are background activity, which end a lead
//! (lost stages), and the values the playbook's conditions compare fields
//! with ("hints": `minutes >= 30` makes 30, 31 and 29 likely minutes), so
//! both sides of every `where`, `when` and `if` come up in the data.

use std::collections::BTreeSet;

use funnel_check::Ty;

use funnel_engine::compile::{Compiled, Instr, Trig};
use funnel_engine::eval::CExpr;
use funnel_engine::value::{fmt_num, Value};

/// How a stage is entered.
#[derive(Clone, Debug)]
pub(crate) enum Route {
    /// One of these events (with the stage's `where`, if any).
    On(Vec<(u16, Option<CExpr>)>),
    /// Any event at all.
    Any,
    /// Raise these scores with their rules until the stage is entered
    /// (`cond`: the stage's `when`, to tell whether a lead can get there).
    Boost {
        scores: Vec<u16>,
        cond: Option<CExpr>,
    },
    /// Nothing the data can do (a condition on lead fields or stages only).
    Never,
}

/// An `on` rule that raises a score.
#[derive(Clone, Debug)]
pub(crate) struct Boost {
    pub event: u16,
    pub filter: Option<CExpr>,
    /// `once` or `once per`: worth emitting once.
    pub once: bool,
}

/// Everything drawn per lead depends on this, computed once per playbook.
pub(crate) struct Plan {
    /// Per forward stage, in funnel order: its stage index and route.
    pub forward: Vec<(u16, Route)>,
    /// Lost stages entered by an event: their events.
    pub lost: Vec<Vec<u16>>,
    /// Events that are background activity, with a weight.
    pub ambient: Vec<(u16, u32)>,
    /// Background events that only make sense once a deal exists (they carry
    /// money), by the forward position from which they may appear.
    pub late: Vec<(u16, usize)>,
    /// Per score: its `on` rules with positive points.
    pub boosts: Vec<Vec<Boost>>,
    /// Score `when` rules: (score, points, condition), for a lead's fixed points.
    pub fixed: Vec<(u16, f64, CExpr)>,
    /// Lost stages (positions in `lost`) whose event ends a deal (`deal_lost`).
    pub deal_loss: Vec<usize>,
    /// Per event, per field: values conditions compare it with.
    pub event_hints: Vec<Vec<Vec<String>>>,
    /// Per lead field: values conditions compare it with.
    pub lead_hints: Vec<Vec<String>>,
    /// Every template a nurture sends or a condition asks about.
    pub templates: Vec<String>,
    /// Per event: whether it carries money (a deal).
    pub money: Vec<bool>,
}

impl Plan {
    pub(crate) fn new(c: &Compiled) -> Plan {
        let mut h = Hints {
            c,
            event: c
                .events
                .iter()
                .map(|e| vec![BTreeSet::new(); e.fields.len()])
                .collect(),
            lead: vec![BTreeSet::new(); c.lead_fields.len()],
            templates: BTreeSet::new(),
        };
        let mut boosts: Vec<Vec<Boost>> = vec![Vec::new(); c.scores.len()];
        let mut fixed = Vec::new();
        for r in &c.rules {
            h.trig(&r.trig);
            match (&r.trig, r.points > 0.0) {
                (Trig::On { events, .. }, true) => {
                    if let Some(b) = boosts.get_mut(r.score as usize) {
                        b.extend(events.iter().map(|(event, filter)| Boost {
                            event: *event,
                            filter: filter.clone(),
                            once: r.once || r.once_per.is_some(),
                        }));
                    }
                }
                (Trig::When(cond), _) => fixed.push((r.score, r.points, cond.clone())),
                _ => {}
            }
        }
        for n in &c.nurtures {
            if let Some((t, _)) = &n.enroll {
                h.trig(t);
            }
            for (t, _) in &n.exits {
                h.trig(t);
            }
            for i in &n.code {
                match i {
                    Instr::Send {
                        template, guard, ..
                    } => {
                        h.templates.insert(c.texts.resolve(*template).to_string());
                        if let Some(g) = guard {
                            h.expr(g, None);
                        }
                    }
                    Instr::Notify { guard, .. } | Instr::Set { guard, .. } => {
                        if let Some(g) = guard {
                            h.expr(g, None);
                        }
                    }
                    Instr::If { cond, .. } => h.expr(cond, None),
                    Instr::WaitFor {
                        event,
                        filter: Some(f),
                        ..
                    } => h.expr(f, Some(*event)),
                    _ => {}
                }
            }
        }
        let mut triggers = BTreeSet::new();
        let mut forward = Vec::new();
        for &s in &c.forward {
            let def = &c.stages[s as usize];
            if let Some(t) = &def.trigger {
                h.trig(t);
            }
            let route = match &def.trigger {
                Some(Trig::On { any: true, .. }) => Route::Any,
                Some(Trig::On { events, .. }) => {
                    if forward.is_empty() {
                        // The entry stage's events are the usual first touch.
                    } else {
                        triggers.extend(events.iter().map(|(e, _)| *e));
                    }
                    Route::On(events.clone())
                }
                Some(Trig::When(cond)) => {
                    let mut scores = BTreeSet::new();
                    score_refs(cond, &mut scores);
                    scores.extend(def.thresholds.iter().map(|(s, _, _)| *s));
                    boost_route(scores, Some(cond.clone()), &boosts)
                }
                None => boost_route(
                    def.thresholds.iter().map(|(s, _, _)| *s).collect(),
                    None,
                    &boosts,
                ),
            };
            forward.push((s, route));
        }
        let mut lost: Vec<Vec<u16>> = Vec::new();
        for &s in &c.lost {
            match &c.stages[s as usize].trigger {
                Some(Trig::On { events, .. }) => {
                    triggers.extend(events.iter().map(|(e, _)| *e));
                    lost.push(events.iter().map(|(e, _)| *e).collect());
                }
                Some(t) => h.trig(t),
                None => {}
            }
        }
        let money: Vec<bool> = c
            .events
            .iter()
            .map(|e| e.fields.iter().any(|f| f.ty == Ty::Money))
            .collect();
        // The first forward position entered by a money event: deals exist from there.
        let deal_from = forward.iter().position(|(_, r)| match r {
            Route::On(evs) => evs.iter().any(|(e, _)| money[*e as usize]),
            _ => false,
        });
        let mut ambient = Vec::new();
        let mut late = Vec::new();
        for (i, e) in c.events.iter().enumerate() {
            let ev = i as u16;
            if triggers.contains(&ev) {
                continue;
            }
            match (money[i], deal_from) {
                (true, Some(from)) => late.push((ev, from)),
                _ => {
                    let n = e.name.to_ascii_lowercase();
                    let busy = ["view", "visit", "open"].iter().any(|w| n.contains(w));
                    ambient.push((ev, if busy { 4 } else { 1 }));
                }
            }
        }
        let deal_loss = lost
            .iter()
            .enumerate()
            .filter(|(_, evs)| {
                evs.iter().any(|e| {
                    let n = c.events[*e as usize].name.to_ascii_lowercase();
                    n.contains("lost") || n.contains("closed")
                })
            })
            .map(|(i, _)| i)
            .collect();
        Plan {
            forward,
            lost,
            fixed,
            deal_loss,
            ambient,
            late,
            boosts,
            event_hints: h
                .event
                .into_iter()
                .map(|fs| fs.into_iter().map(|s| s.into_iter().collect()).collect())
                .collect(),
            lead_hints: h
                .lead
                .into_iter()
                .map(|s| s.into_iter().collect())
                .collect(),
            templates: h.templates.into_iter().collect(),
            money,
        }
    }
}

fn boost_route(scores: BTreeSet<u16>, cond: Option<CExpr>, boosts: &[Vec<Boost>]) -> Route {
    let raisable: Vec<u16> = scores
        .into_iter()
        .filter(|s| boosts.get(*s as usize).is_some_and(|b| !b.is_empty()))
        .collect();
    if raisable.is_empty() {
        Route::Never
    } else {
        Route::Boost {
            scores: raisable,
            cond,
        }
    }
}

/// The scores an expression reads.
fn score_refs(e: &CExpr, out: &mut BTreeSet<u16>) {
    match e {
        CExpr::Score(i) => {
            out.insert(*i);
        }
        CExpr::Neg(a) | CExpr::Not(a) | CExpr::Matches(a, _) | CExpr::IsPresent(a, _) => {
            score_refs(a, out);
        }
        CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Arith(_, a, b) | CExpr::Cmp(_, a, b) => {
            score_refs(a, out);
            score_refs(b, out);
        }
        CExpr::In(a, list) => {
            score_refs(a, out);
            for x in list {
                score_refs(x, out);
            }
        }
        _ => {}
    }
}

/// Collects hint values from conditions.
struct Hints<'a> {
    c: &'a Compiled,
    event: Vec<Vec<BTreeSet<String>>>,
    lead: Vec<BTreeSet<String>>,
    templates: BTreeSet<String>,
}

impl Hints<'_> {
    fn trig(&mut self, t: &Trig) {
        match t {
            Trig::On { events, .. } => {
                for (e, f) in events {
                    if let Some(f) = f {
                        self.expr(f, Some(*e));
                    }
                }
            }
            Trig::When(e) => self.expr(e, None),
        }
    }

    /// Walk `e`; `event` is the event whose fields `EventField` names.
    fn expr(&mut self, e: &CExpr, event: Option<u16>) {
        match e {
            CExpr::Cmp(_, a, b) => {
                self.pair(a, b, event);
                self.pair(b, a, event);
                self.expr(a, event);
                self.expr(b, event);
            }
            CExpr::In(a, list) => {
                for x in list {
                    self.pair(a, x, event);
                }
                self.expr(a, event);
            }
            CExpr::Clicked(t) | CExpr::Opened(t) => {
                self.templates.insert(self.c.texts.resolve(*t).to_string());
            }
            CExpr::Neg(a) | CExpr::Not(a) | CExpr::Matches(a, _) | CExpr::IsPresent(a, _) => {
                self.expr(a, event);
            }
            CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Arith(_, a, b) => {
                self.expr(a, event);
                self.expr(b, event);
            }
            _ => {}
        }
    }

    /// `field OP literal`: the literal and its neighbours become hints.
    fn pair(&mut self, field: &CExpr, lit: &CExpr, event: Option<u16>) {
        let CExpr::Lit(v) = lit else { return };
        let slot = match (field, event) {
            (CExpr::EventField(i), Some(e)) => self
                .event
                .get_mut(e as usize)
                .and_then(|fs| fs.get_mut(*i as usize)),
            (CExpr::LeadField(i), _) => self.lead.get_mut(*i as usize),
            _ => None,
        };
        let Some(slot) = slot else { return };
        match v {
            Value::Num(n) => {
                for x in [*n, n + 1.0, n - 1.0, n * 2.0, (n / 2.0).floor()] {
                    if x >= 0.0 {
                        slot.insert(fmt_num(x));
                    }
                }
            }
            Value::Money(d) => {
                for x in [
                    *d,
                    d * rust_decimal::Decimal::TWO,
                    d / rust_decimal::Decimal::TWO,
                ] {
                    slot.insert(x.round_dp(2).normalize().to_string());
                }
            }
            Value::Text(s) => {
                slot.insert(self.c.texts.resolve(*s).to_string());
            }
            Value::Bool(b) => {
                slot.insert(b.to_string());
                slot.insert((!b).to_string());
            }
            _ => {}
        }
    }
}
