//! Moving every span of an AST by a byte offset, so a declaration parsed on
//! its own (spans from 0) can take its place in the whole file. Used by the
//! parallel parse (`chunks.rs`) and the language server's incremental parse;
//! their tests compare the result with a parse of the whole text, span for
//! span.

use crate::ast::*;
use crate::Span;

pub trait Shift {
    fn shift(&mut self, by: u32);
}

impl Shift for Span {
    fn shift(&mut self, by: u32) {
        self.start += by;
        self.end += by;
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: u32) {
        for x in self {
            x.shift(by);
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: u32) {
        if let Some(x) = self {
            x.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: u32) {
        self.as_mut().shift(by);
    }
}

/// `Shift` for a struct: every listed field is shifted.
macro_rules! fields {
    ($($t:ty { $($f:ident),* })*) => {
        $(impl Shift for $t {
            fn shift(&mut self, by: u32) {
                $(self.$f.shift(by);)*
            }
        })*
    };
}

fields! {
    Ident { span }
    StrLit { span }
    Number { span }
    Duration { amount, span }
    DateTimeLit { span }
    Expr { kind, span }
    TypeExpr { kind, span }
    FieldDecl { name, ty, span }
    Playbook { decls, span }
    Calendar { name, items, span }
    DaySpan { from, to, span }
    TimeOfDay { span }
    LeadDecl { fields, span }
    EventDecl { name, fields, span }
    FunnelDecl { items, span }
    StageDecl { name, trigger, span }
    SlaDecl { from, to, within, span }
    ScoreDecl { name, items, span }
    PointsRule { points, trigger, modifiers, span }
    DecayRule { percent, every, span }
    NurtureDecl { name, items, span }
    Step { kind, span }
    SplitArm { percent, steps, span }
    LimitDecl { count, window, span }
    InputDecl { name, ty, default, span }
    KpiDecl { name, expr, by, span }
    TargetDecl { kpi, value, span }
    TestDecl { name, items, span }
    RecordField { name, value, span }
}

impl Shift for Literal {
    fn shift(&mut self, by: u32) {
        match self {
            Literal::Number(n) | Literal::Percent(n) | Literal::Money(n) => n.shift(by),
            Literal::Duration(d) => d.shift(by),
            Literal::DateTime(d) => d.shift(by),
            Literal::Str(s) => s.shift(by),
            Literal::Bool(_, s) => s.shift(by),
        }
    }
}

impl Shift for CallArg {
    fn shift(&mut self, by: u32) {
        match self {
            CallArg::Entered(x) | CallArg::Reached(x) => x.shift(by),
            CallArg::Breached(a, b) => {
                a.shift(by);
                b.shift(by);
            }
            CallArg::Days(a, b, s) => {
                a.shift(by);
                b.shift(by);
                s.shift(by);
            }
            CallArg::In(x, _, s) => {
                x.shift(by);
                s.shift(by);
            }
            CallArg::Groups(keys, cond) => {
                keys.shift(by);
                cond.shift(by);
            }
            CallArg::Expr(e) => e.shift(by),
            CallArg::Many(xs) => xs.shift(by),
        }
    }
}

impl Shift for ExprKind {
    fn shift(&mut self, by: u32) {
        match self {
            ExprKind::Lit(l) => l.shift(by),
            ExprKind::Name(id) => id.shift(by),
            ExprKind::FieldPath(a, b) => {
                a.shift(by);
                b.shift(by);
            }
            ExprKind::Stage => {}
            ExprKind::Clicked(s) | ExprKind::Opened(s) => s.shift(by),
            ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::Paren(x) => x.shift(by),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b) => {
                a.shift(by);
                b.shift(by);
            }
            ExprKind::In(x, items) => {
                x.shift(by);
                items.shift(by);
            }
            ExprKind::Matches(x, s) => {
                x.shift(by);
                s.shift(by);
            }
            ExprKind::IsPresent(x, _) => x.shift(by),
            ExprKind::Call(f, arg) => {
                f.shift(by);
                arg.shift(by);
            }
        }
    }
}

impl Shift for TypeKind {
    fn shift(&mut self, by: u32) {
        match self {
            TypeKind::Named(id) => id.shift(by),
            TypeKind::OneOf(ids) => ids.shift(by),
        }
    }
}

impl Shift for EventSel {
    fn shift(&mut self, by: u32) {
        match self {
            EventSel::Any(s) => s.shift(by),
            EventSel::List(ids) => ids.shift(by),
        }
    }
}

impl Shift for Trigger {
    fn shift(&mut self, by: u32) {
        match self {
            Trigger::On {
                events,
                filter,
                span,
            } => {
                events.shift(by);
                filter.shift(by);
                span.shift(by);
            }
            Trigger::When(e) => e.shift(by),
        }
    }
}

impl Shift for Decl {
    fn shift(&mut self, by: u32) {
        match self {
            Decl::Playbook(s, sp) | Decl::Timezone(s, sp) | Decl::Currency(s, sp) => {
                s.shift(by);
                sp.shift(by);
            }
            Decl::Calendar(d) => d.shift(by),
            Decl::Lead(d) => d.shift(by),
            Decl::Event(d) => d.shift(by),
            Decl::Funnel(d) => d.shift(by),
            Decl::Score(d) => d.shift(by),
            Decl::Nurture(d) => d.shift(by),
            Decl::Limit(d) => d.shift(by),
            Decl::Input(d) => d.shift(by),
            Decl::Kpi(d) => d.shift(by),
            Decl::Target(d) => d.shift(by),
            Decl::Test(d) => d.shift(by),
        }
    }
}

impl Shift for CalendarItem {
    fn shift(&mut self, by: u32) {
        match self {
            CalendarItem::Days(spans, s) => {
                spans.shift(by);
                s.shift(by);
            }
            CalendarItem::Hours(a, b, s) => {
                a.shift(by);
                b.shift(by);
                s.shift(by);
            }
            CalendarItem::Holidays(ds, s) => {
                ds.shift(by);
                s.shift(by);
            }
        }
    }
}

impl Shift for FunnelItem {
    fn shift(&mut self, by: u32) {
        match self {
            FunnelItem::Stage(s) => s.shift(by),
            FunnelItem::Sla(s) => s.shift(by),
        }
    }
}

impl Shift for ScoreItem {
    fn shift(&mut self, by: u32) {
        match self {
            ScoreItem::Rule(r) => r.shift(by),
            ScoreItem::Decay(d) => d.shift(by),
            ScoreItem::Floor(n, s) | ScoreItem::Cap(n, s) => {
                n.shift(by);
                s.shift(by);
            }
            ScoreItem::Threshold(id, n, s) => {
                id.shift(by);
                n.shift(by);
                s.shift(by);
            }
        }
    }
}

impl Shift for Modifier {
    fn shift(&mut self, by: u32) {
        match self {
            Modifier::MaxPer(n, d, s) => {
                n.shift(by);
                d.shift(by);
                s.shift(by);
            }
            Modifier::Once(s) => s.shift(by),
            Modifier::OncePer(d, s) => {
                d.shift(by);
                s.shift(by);
            }
        }
    }
}

impl Shift for Reenroll {
    fn shift(&mut self, by: u32) {
        match self {
            Reenroll::After(d) => d.shift(by),
            Reenroll::Never(s) | Reenroll::Always(s) => s.shift(by),
        }
    }
}

impl Shift for NurtureItem {
    fn shift(&mut self, by: u32) {
        match self {
            NurtureItem::Enroll(t, s) | NurtureItem::Exit(t, s) => {
                t.shift(by);
                s.shift(by);
            }
            NurtureItem::Reenroll(r, s) => {
                r.shift(by);
                s.shift(by);
            }
            NurtureItem::SendWithin(c, s) => {
                c.shift(by);
                s.shift(by);
            }
            NurtureItem::Step(s) => s.shift(by),
        }
    }
}

impl Shift for StepKind {
    fn shift(&mut self, by: u32) {
        match self {
            StepKind::Send { template, guard } => {
                template.shift(by);
                guard.shift(by);
            }
            StepKind::Wait(d) => d.shift(by),
            StepKind::WaitCron(s) => s.shift(by),
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            } => {
                timeout.shift(by);
                event.shift(by);
                filter.shift(by);
                otherwise.shift(by);
            }
            StepKind::If {
                cond,
                then,
                otherwise,
            } => {
                cond.shift(by);
                then.shift(by);
                otherwise.shift(by);
            }
            StepKind::Split { arms, otherwise } => {
                arms.shift(by);
                otherwise.shift(by);
            }
            StepKind::Notify {
                channel,
                message,
                guard,
            } => {
                channel.shift(by);
                message.shift(by);
                guard.shift(by);
            }
            StepKind::Set {
                field,
                value,
                guard,
            } => {
                field.shift(by);
                value.shift(by);
                guard.shift(by);
            }
        }
    }
}

impl Shift for TestItem {
    fn shift(&mut self, by: u32) {
        match self {
            TestItem::Lead(fields, s) => {
                fields.shift(by);
                s.shift(by);
            }
            TestItem::Event {
                at,
                event,
                fields,
                span,
            } => {
                at.shift(by);
                event.shift(by);
                fields.shift(by);
                span.shift(by);
            }
            TestItem::Input(id, e, s) => {
                id.shift(by);
                e.shift(by);
                s.shift(by);
            }
            TestItem::Expect { at, what, span } => {
                at.shift(by);
                what.shift(by);
                span.shift(by);
            }
        }
    }
}

impl Shift for Expectation {
    fn shift(&mut self, by: u32) {
        match self {
            Expectation::Stage(_, id) => id.shift(by),
            Expectation::Score(id, _, e)
            | Expectation::Kpi(id, _, e)
            | Expectation::Field(id, _, e) => {
                id.shift(by);
                e.shift(by);
            }
            Expectation::Sent(s, at) => {
                s.shift(by);
                at.shift(by);
            }
            Expectation::NotSent(s) => s.shift(by),
        }
    }
}
