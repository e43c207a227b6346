//! Assembling KPIs: formulas with KPI, input, stage, SLA, event and field
//! names resolved to ids, `round`'s decimals from the type the checker
//! found it rounds, `by` keys, each KPI's checked type, and targets with
//! their values decoded.

use funnel_syntax::ast::{self, CallArg, CmpOp, Decl, ExprKind as A, Literal};

use super::Assembler;
use crate::hir::ids::{EventId, InputId, KpiId, LeadFieldId, SlaId};
use crate::hir::kpi::{ByKey, Fun, KCond, KExpr, Kpi, Period, Source, Target};
use crate::hir::lit::{kpi_value, target_value};
use crate::types::Ty;

/// Every KPI in source order, with its target.
pub(super) fn kpis(a: &mut Assembler<'_>, ast: &ast::Playbook) -> Vec<Kpi> {
    let mut out: Vec<Kpi> = Vec::new();
    for d in &ast.decls {
        if let Decl::Kpi(k) = d {
            let i = out.len();
            out.push(Kpi {
                name: k.name.name.clone(),
                expr: a.kexpr(&k.expr),
                by: k.by.iter().map(|b| a.by_key(&b.name)).collect(),
                by_names: k.by.iter().map(|b| b.name.clone()).collect(),
                ty: a.parts.kpi_types.get(i).cloned().unwrap_or(Ty::Number),
                target: None,
                span: k.span,
            });
        }
    }
    for d in &ast.decls {
        if let Decl::Target(t) = d {
            if let Some(k) = out.iter_mut().find(|k| k.name == t.kpi.name) {
                k.target = target_value(&t.value).map(|value| Target {
                    op: t.op,
                    value,
                    span: t.span,
                });
            }
        }
    }
    out
}

impl Assembler<'_> {
    /// A `by` key by name: a period, a lead field, or a field of the aggregated event.
    fn by_key(&self, name: &str) -> ByKey {
        match name {
            "day" => ByKey::Period(Period::Day),
            "week" => ByKey::Period(Period::Week),
            "month" => ByKey::Period(Period::Month),
            "quarter" => ByKey::Period(Period::Quarter),
            "year" => ByKey::Period(Period::Year),
            other => match self.hir.lead_fields.iter().position(|f| f.name == other) {
                Some(i) => ByKey::LeadField(LeadFieldId::new(i)),
                None => ByKey::EventField(other.to_string()),
            },
        }
    }

    fn kexpr(&self, e: &ast::Expr) -> KExpr {
        match &e.kind {
            A::Lit(l) => kpi_value(l).map_or(KExpr::Undefined, KExpr::Const),
            A::Paren(x) => self.kexpr(x),
            A::Neg(x) => KExpr::Neg(Box::new(self.kexpr(x))),
            A::Arith(op, x, y) => {
                KExpr::Arith(*op, Box::new(self.kexpr(x)), Box::new(self.kexpr(y)))
            }
            A::Name(n) => match self.values.get(&n.name) {
                Some(super::KExprRef::Kpi(i)) => KExpr::Kpi(KpiId::new(*i)),
                Some(super::KExprRef::Input(i)) => KExpr::Input(InputId::new(*i)),
                None => KExpr::Undefined,
            },
            A::Call(f, arg) => self.call(&f.name, arg),
            _ => KExpr::Undefined,
        }
    }

    fn call(&self, f: &str, arg: &CallArg) -> KExpr {
        if let Some(x) = self.function(f, arg) {
            return x;
        }
        let fun = match f {
            "count" => Fun::Count,
            "sum" => Fun::Sum,
            "avg" => Fun::Avg,
            "min" => Fun::Min,
            "max" => Fun::Max,
            _ => return KExpr::Undefined,
        };
        let stage = |n: &str| self.hir.stage_id(n);
        let src = match arg {
            CallArg::Entered(x) | CallArg::Reached(x) => stage(&x.name).map(Source::Entered),
            CallArg::Breached(a, b) => self.sla(&a.name, &b.name).map(Source::Breached),
            CallArg::Days(a, b, _) => match (stage(&a.name), stage(&b.name)) {
                (Some(from), Some(to)) => Some(Source::Days { from, to }),
                _ => None,
            },
            CallArg::In(x, edge, _) => {
                stage(&x.name).map(|stage| Source::In { stage, edge: *edge })
            }
            CallArg::Groups(..) | CallArg::Many(_) => None,
            CallArg::Expr(e) => match &e.kind {
                A::Name(n) => self
                    .hir
                    .event_id(&n.name)
                    .map(|event| Source::Events { event, field: None }),
                A::FieldPath(ev, field) => {
                    let event: Option<EventId> = self.hir.event_id(&ev.name);
                    event.and_then(|event| {
                        let field = self.hir.event(event).field(&field.name)?;
                        Some(Source::Events {
                            event,
                            field: Some(field),
                        })
                    })
                }
                _ => None,
            },
        };
        src.map_or(KExpr::Undefined, |s| KExpr::Agg(fun, s))
    }

    /// The SLA `from -> to`, by its place among the funnel's `sla` lines.
    fn sla(&self, from: &str, to: &str) -> Option<SlaId> {
        let (from, to) = (self.hir.stage_id(from)?, self.hir.stage_id(to)?);
        self.hir
            .slas
            .iter()
            .position(|s| s.from == from && s.to == to)
            .map(SlaId::new)
    }

    /// `abs`, `round`, `min`/`max` of several values, `prev` and
    /// `count(by K where C)`; `None` for an aggregate.
    fn function(&self, f: &str, arg: &CallArg) -> Option<KExpr> {
        let args: Vec<&ast::Expr> = match arg {
            CallArg::Expr(x) => vec![x],
            CallArg::Many(xs) => xs.iter().collect(),
            CallArg::Groups(keys, cond) if f == "count" => {
                let keys = keys.iter().map(|k| self.by_key(&k.name)).collect();
                return Some(KExpr::CountGroups(keys, Box::new(self.kcond(cond))));
            }
            _ => return None,
        };
        let first = args.first()?;
        let x = |e: &ast::Expr| Box::new(self.kexpr(e));
        Some(match f {
            "abs" => KExpr::Abs(x(first)),
            "prev" => KExpr::Prev(x(first)),
            "round" => {
                let ty = self
                    .parts
                    .rounds
                    .get(&first.span)
                    .cloned()
                    .unwrap_or(Ty::Number);
                let digits = args.get(1).map(|d| digits_of(d));
                KExpr::Round(x(first), decimals(&ty, digits))
            }
            "min" | "max" if args.len() > 1 => {
                KExpr::Extreme(f == "max", args.iter().map(|a| self.kexpr(a)).collect())
            }
            _ => return None,
        })
    }

    fn kcond(&self, e: &ast::Expr) -> KCond {
        let c = |x: &ast::Expr| Box::new(self.kcond(x));
        match &e.kind {
            A::Paren(x) => self.kcond(x),
            A::Not(x) => KCond::Not(c(x)),
            A::And(a, b) => KCond::And(c(a), c(b)),
            A::Or(a, b) => KCond::Or(c(a), c(b)),
            A::Compare(op, a, b) => KCond::Compare(*op, self.kexpr(a), self.kexpr(b)),
            // The checker allows nothing else: a condition that never holds.
            _ => KCond::Compare(CmpOp::Eq, KExpr::Undefined, KExpr::Undefined),
        }
    }
}

/// The whole number of `round(x, digits)` (the checker allows 0 to 10).
fn digits_of(e: &ast::Expr) -> u32 {
    match &e.kind {
        A::Lit(Literal::Number(n)) => n.text.parse().unwrap_or(0),
        _ => 0,
    }
}

/// Decimals of the stored value `round` keeps: money to cents and the rest
/// to whole units unless `digits` says otherwise; a percent is stored as a
/// fraction, so its percentage's decimals are two more.
fn decimals(ty: &Ty, digits: Option<u32>) -> u32 {
    match ty {
        Ty::Money | Ty::MoneyPerDay => digits.unwrap_or(2),
        Ty::Percent => digits.unwrap_or(0) + 2,
        _ => digits.unwrap_or(0),
    }
}
