//! One walk over a typed program: triggers, nurture steps (nested blocks
//! included) and expressions, in source order. A pass implements
//! [`Visitor`] and overrides the methods for what it looks at; the default
//! methods walk on, so a pass never rewrites the traversal.

use super::decl::Trigger;
use super::expr::Expr;
use super::ids::{EventId, LeadFieldId, TemplateId};
use super::kpi::{ByKey, KCond, KExpr};
use super::nurture::{Piece, Step, StepKind};
use super::Hir;

/// What a pass looks at; each default walks into the parts.
pub trait Visitor {
    /// An expression; `scope` is the event whose fields it may read.
    fn expr(&mut self, e: &Expr, scope: Option<EventId>) {
        walk_expr(self, e, scope);
    }

    /// An event a trigger or a `wait … for` listens to.
    fn event(&mut self, _event: EventId) {}

    /// A lead field a `notify` message shows.
    fn shown(&mut self, _field: LeadFieldId) {}

    /// A lead field a `set` step writes.
    fn written(&mut self, _field: LeadFieldId) {}

    /// A template a `send` step sends.
    fn sent(&mut self, _template: TemplateId) {}

    /// A KPI formula (or part of one) computed by the keys `by`.
    fn kexpr(&mut self, e: &KExpr, by: &[ByKey]) {
        walk_kexpr(self, e, by);
    }

    fn trigger(&mut self, t: &Trigger) {
        walk_trigger(self, t);
    }

    fn step(&mut self, s: &Step) {
        walk_step(self, s);
    }
}

/// Visit every trigger, step and KPI of `hir` in source order: stages,
/// score rules, nurtures (enroll, exits, steps), then KPIs.
pub fn walk_hir<V: Visitor + ?Sized>(v: &mut V, hir: &Hir) {
    for s in &hir.stages {
        if let Some(t) = &s.trigger {
            v.trigger(t);
        }
    }
    for score in &hir.scores {
        for r in &score.rules {
            v.trigger(&r.trigger);
        }
    }
    for n in &hir.nurtures {
        if let Some((t, _)) = &n.enroll {
            v.trigger(t);
        }
        for (t, _) in &n.exits {
            v.trigger(t);
        }
        for s in &n.steps {
            v.step(s);
        }
    }
    for k in &hir.kpis {
        v.kexpr(&k.expr, &k.by);
    }
}

pub fn walk_trigger<V: Visitor + ?Sized>(v: &mut V, t: &Trigger) {
    match t {
        Trigger::When(e) => v.expr(e, None),
        Trigger::OnAny(filter) => {
            if let Some(f) = filter {
                v.expr(f, None);
            }
        }
        Trigger::On(events) => {
            for (ev, filter) in events {
                v.event(*ev);
                if let Some(f) = filter {
                    v.expr(f, Some(*ev));
                }
            }
        }
    }
}

pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, e: &Expr, scope: Option<EventId>) {
    for c in e.children() {
        v.expr(c, scope);
    }
}

pub fn walk_step<V: Visitor + ?Sized>(v: &mut V, s: &Step) {
    let block = |v: &mut V, steps: &[Step]| steps.iter().for_each(|s| v.step(s));
    match &s.kind {
        StepKind::Send { template, guard } => {
            v.sent(*template);
            guard.iter().for_each(|g| v.expr(g, None));
        }
        StepKind::Wait(_) | StepKind::WaitCron(_) => {}
        StepKind::WaitFor {
            event,
            filter,
            otherwise,
            ..
        } => {
            v.event(*event);
            filter.iter().for_each(|f| v.expr(f, Some(*event)));
            block(v, otherwise);
        }
        StepKind::If {
            cond,
            then,
            otherwise,
        } => {
            v.expr(cond, None);
            block(v, then);
            block(v, otherwise);
        }
        StepKind::Split { arms, otherwise } => {
            arms.iter().for_each(|(_, steps)| block(v, steps));
            block(v, otherwise);
        }
        StepKind::Notify { message, guard, .. } => {
            for p in message {
                if let Piece::LeadField(f) = p {
                    v.shown(*f);
                }
            }
            guard.iter().for_each(|g| v.expr(g, None));
        }
        StepKind::Set {
            field,
            value,
            guard,
        } => {
            v.written(*field);
            v.expr(value, None);
            guard.iter().for_each(|g| v.expr(g, None));
        }
    }
}

/// Walk a KPI formula; inside `count(by K where C)` the keys are `by`
/// followed by K.
pub fn walk_kexpr<V: Visitor + ?Sized>(v: &mut V, e: &KExpr, by: &[ByKey]) {
    match e {
        KExpr::Neg(a) | KExpr::Abs(a) | KExpr::Round(a, _) | KExpr::Prev(a) => v.kexpr(a, by),
        KExpr::Arith(_, a, b) => {
            v.kexpr(a, by);
            v.kexpr(b, by);
        }
        KExpr::Extreme(_, xs) => xs.iter().for_each(|x| v.kexpr(x, by)),
        KExpr::CountGroups(keys, cond) => {
            let mut inner = by.to_vec();
            inner.extend(keys.iter().cloned());
            walk_kcond(v, cond, &inner);
        }
        KExpr::Const(_) | KExpr::Input(_) | KExpr::Kpi(_) | KExpr::Agg(..) | KExpr::Undefined => {}
    }
}

fn walk_kcond<V: Visitor + ?Sized>(v: &mut V, c: &KCond, by: &[ByKey]) {
    match c {
        KCond::Compare(_, a, b) => {
            v.kexpr(a, by);
            v.kexpr(b, by);
        }
        KCond::And(a, b) | KCond::Or(a, b) => {
            walk_kcond(v, a, by);
            walk_kcond(v, b, by);
        }
        KCond::Not(a) => walk_kcond(v, a, by),
    }
}
