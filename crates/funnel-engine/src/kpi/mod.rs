//! KPIs: compiling formulas, inferring their display type, and (in
//! [`eval`]) computing them at the end of a replay.
//!
//! A formula is arithmetic over aggregates (`count(entered X)`,
//! `sum(E.f)`, `avg(days(A -> B))`, …), inputs, literals and other KPIs.
//! Every value is an exact decimal; percent values are fractions; durations
//! are days. The display type follows the brief's table (count/count is a
//! percent, money/days is money a day, …).

pub mod eval;

use funnel_check::{Program, Ty};
use funnel_syntax::ast::{ArithOp, CallArg, CmpOp, Decl, Expr, ExprKind, Literal};
use rust_decimal::Decimal;

use crate::compile::{decimal, to_u16, Compiler};

pub use eval::{evaluate, KpiResult, TargetStatus};

/// How a KPI's value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KTy {
    Number,
    Percent,
    Money,
    /// Money per day (`pipeline velocity`).
    MoneyPerDay,
    /// A duration in days.
    Days,
}

impl KTy {
    pub fn as_str(self) -> &'static str {
        match self {
            KTy::Number => "number",
            KTy::Percent => "percent",
            KTy::Money => "money",
            KTy::MoneyPerDay => "money per day",
            KTy::Days => "days",
        }
    }
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fun {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// The facts an aggregate runs over.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Leads that entered the stage (by entry instant). `reached X` is the
    /// same set: skipped stages count as entered, so every lead at or past
    /// X entered X.
    Entered(u16),
    Breached(u16),
    /// Events of a type (value: 1, or the field's value).
    Events {
        event: u16,
        field: Option<u16>,
    },
    /// Days from entering A to entering B (by the instant B was entered).
    Days {
        from: u16,
        to: u16,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum KExpr {
    Const(Decimal),
    Input(u16),
    Kpi(u16),
    Agg(Fun, Source),
    Neg(Box<KExpr>),
    Arith(ArithOp, Box<KExpr>, Box<KExpr>),
    /// Something the engine cannot compute (the checker rejects it).
    Undefined,
}

/// A `by` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ByKey {
    Period(Period),
    LeadField(u16),
    /// A field of the aggregated event, by name.
    EventField(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Clone, Debug)]
pub struct KpiDef {
    pub name: String,
    pub expr: KExpr,
    pub by: Vec<ByKey>,
    pub by_names: Vec<String>,
    pub ty: KTy,
    pub line: u32,
    pub target: Option<(CmpOp, Decimal, String)>,
}

/// Compile every `kpi` and `target` of the program.
pub(crate) fn compile(cx: &mut Compiler<'_>, p: &Program) -> Vec<KpiDef> {
    let decls: Vec<&funnel_syntax::ast::KpiDecl> = p
        .ast
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Kpi(k) => Some(k),
            _ => None,
        })
        .collect();
    let names: Vec<String> = decls.iter().map(|k| k.name.name.clone()).collect();
    let mut defs: Vec<KpiDef> = Vec::new();
    for k in &decls {
        let expr = kexpr(p, &names, &k.expr);
        let mut by = Vec::new();
        for b in &k.by {
            let key = match b.name.as_str() {
                "day" => ByKey::Period(Period::Day),
                "week" => ByKey::Period(Period::Week),
                "month" => ByKey::Period(Period::Month),
                "quarter" => ByKey::Period(Period::Quarter),
                "year" => ByKey::Period(Period::Year),
                other => match p.lead_fields.iter().position(|f| f.name == other) {
                    Some(i) => ByKey::LeadField(to_u16(i)),
                    None => ByKey::EventField(other.to_string()),
                },
            };
            by.push(key);
        }
        defs.push(KpiDef {
            name: k.name.name.clone(),
            expr,
            by,
            by_names: k.by.iter().map(|b| b.name.clone()).collect(),
            ty: KTy::Number,
            line: cx.line(k.span),
            target: None,
        });
    }
    // Types: a KPI's type may depend on KPIs declared after it; iterate.
    for _ in 0..defs.len().max(1) {
        for i in 0..defs.len() {
            let t = infer(&defs[i].expr, &defs, p);
            defs[i].ty = t;
        }
    }
    for d in &p.ast.decls {
        if let Decl::Target(t) = d {
            if let Some(k) = defs.iter_mut().find(|k| k.name == t.kpi.name) {
                let v = target_value(&t.value);
                let full = cx.origin(t.span).text;
                let text = full
                    .strip_prefix("target")
                    .map(str::trim_start)
                    .and_then(|r| r.strip_prefix(t.kpi.name.as_str()))
                    .map_or(full.clone(), |r| r.trim().to_string());
                k.target = v.map(|v| (t.op, v, text));
            }
        }
    }
    defs
}

fn kexpr(p: &Program, kpis: &[String], e: &Expr) -> KExpr {
    match &e.kind {
        ExprKind::Lit(l) => literal(l).map_or(KExpr::Undefined, KExpr::Const),
        ExprKind::Paren(a) => kexpr(p, kpis, a),
        ExprKind::Neg(a) => KExpr::Neg(Box::new(kexpr(p, kpis, a))),
        ExprKind::Arith(op, a, b) => KExpr::Arith(
            *op,
            Box::new(kexpr(p, kpis, a)),
            Box::new(kexpr(p, kpis, b)),
        ),
        ExprKind::Name(n) => {
            if let Some(i) = kpis.iter().position(|k| *k == n.name) {
                KExpr::Kpi(to_u16(i))
            } else if let Some(i) = p.inputs.iter().position(|x| x.name == n.name) {
                KExpr::Input(to_u16(i))
            } else {
                KExpr::Undefined
            }
        }
        ExprKind::Call(f, arg) => call(p, &f.name, arg),
        _ => KExpr::Undefined,
    }
}

fn call(p: &Program, f: &str, arg: &CallArg) -> KExpr {
    let fun = match f {
        "count" => Fun::Count,
        "sum" => Fun::Sum,
        "avg" => Fun::Avg,
        "min" => Fun::Min,
        "max" => Fun::Max,
        _ => return KExpr::Undefined,
    };
    let stage = |n: &str| p.stage_index(n).map(to_u16);
    let src = match arg {
        CallArg::Entered(x) | CallArg::Reached(x) => stage(&x.name).map(Source::Entered),
        CallArg::Breached(a, b) => sla_index(p, &a.name, &b.name).map(Source::Breached),
        CallArg::Days(a, b, _) => match (stage(&a.name), stage(&b.name)) {
            (Some(from), Some(to)) => Some(Source::Days { from, to }),
            _ => None,
        },
        CallArg::Expr(e) => match &e.kind {
            ExprKind::Name(n) => {
                p.events
                    .iter()
                    .position(|x| x.name == n.name)
                    .map(|i| Source::Events {
                        event: to_u16(i),
                        field: None,
                    })
            }
            ExprKind::FieldPath(ev, field) => p
                .events
                .iter()
                .position(|x| x.name == ev.name)
                .and_then(|i| {
                    p.events[i]
                        .fields
                        .iter()
                        .position(|f| f.name == field.name)
                        .map(|fi| Source::Events {
                            event: to_u16(i),
                            field: Some(to_u16(fi)),
                        })
                }),
            _ => None,
        },
    };
    src.map_or(KExpr::Undefined, |s| KExpr::Agg(fun, s))
}

fn sla_index(p: &Program, from: &str, to: &str) -> Option<u16> {
    let mut i = 0;
    for d in &p.ast.decls {
        if let Decl::Funnel(f) = d {
            for item in &f.items {
                if let funnel_syntax::ast::FunnelItem::Sla(s) = item {
                    if s.from.name == from && s.to.name == to {
                        return Some(i);
                    }
                    i += 1;
                }
            }
        }
    }
    None
}

/// A literal as a KPI value: percent as a fraction, a duration in days.
fn literal(l: &Literal) -> Option<Decimal> {
    match l {
        Literal::Number(n) | Literal::Money(n) => Some(decimal(&n.text)),
        Literal::Percent(n) => decimal(&n.text).checked_div(Decimal::ONE_HUNDRED),
        Literal::Duration(d) => {
            let secs = decimal(&d.amount.text).checked_mul(Decimal::from(d.unit.seconds()))?;
            secs.checked_div(Decimal::from(86_400))
        }
        _ => None,
    }
}

fn target_value(e: &Expr) -> Option<Decimal> {
    match &e.kind {
        ExprKind::Lit(l) => literal(l),
        ExprKind::Paren(a) => target_value(a),
        ExprKind::Neg(a) => target_value(a).map(|d| -d),
        _ => None,
    }
}

fn input_kty(ty: &Ty) -> KTy {
    match ty {
        Ty::Money => KTy::Money,
        Ty::Percent => KTy::Percent,
        Ty::Duration => KTy::Days,
        _ => KTy::Number,
    }
}

fn infer(e: &KExpr, defs: &[KpiDef], p: &Program) -> KTy {
    use KTy::*;
    match e {
        KExpr::Const(_) | KExpr::Undefined => Number,
        KExpr::Input(i) => p
            .inputs
            .get(*i as usize)
            .map_or(Number, |x| input_kty(&x.ty.ty)),
        KExpr::Kpi(i) => defs.get(*i as usize).map_or(Number, |k| k.ty),
        KExpr::Agg(Fun::Count, _) => Number,
        KExpr::Agg(_, Source::Days { .. }) => Days,
        KExpr::Agg(
            _,
            Source::Events {
                event,
                field: Some(f),
            },
        ) => p
            .events
            .get(*event as usize)
            .and_then(|ev| ev.fields.get(*f as usize))
            .map_or(Number, |f| input_kty(&f.ty.ty)),
        KExpr::Agg(..) => Number,
        KExpr::Neg(a) => infer(a, defs, p),
        KExpr::Arith(op, a, b) => {
            let (x, y) = (const_aware(a, defs, p), const_aware(b, defs, p));
            arith_ty(*op, x, y)
        }
    }
}

/// A bare literal takes the type the other operand suggests (`1 - x`).
fn const_aware(e: &KExpr, defs: &[KpiDef], p: &Program) -> Option<KTy> {
    match e {
        KExpr::Const(_) => None,
        _ => Some(infer(e, defs, p)),
    }
}

fn arith_ty(op: ArithOp, a: Option<KTy>, b: Option<KTy>) -> KTy {
    use KTy::*;
    let (a, b) = match (a, b) {
        (None, None) => return Number,
        (Some(x), None) => return x,
        (None, Some(y)) => {
            return match op {
                ArithOp::Div if y == Days => Number,
                ArithOp::Div if y == Money => Number,
                _ => y,
            }
        }
        (Some(x), Some(y)) => (x, y),
    };
    match op {
        ArithOp::Add | ArithOp::Sub => match (a, b) {
            (Number, Percent) | (Percent, Number) => Percent,
            (x, _) => x,
        },
        ArithOp::Mul => match (a, b) {
            (Percent, x) | (x, Percent) => x,
            (Number, x) | (x, Number) => x,
            (MoneyPerDay, Days) | (Days, MoneyPerDay) => Money,
            (x, _) => x,
        },
        ArithOp::Div => match (a, b) {
            (Number, Number) | (Money, Money) | (Days, Days) | (Percent, Percent) => Percent,
            (Money, Days) => MoneyPerDay,
            (x, Number) | (x, Percent) => x,
            (Number, Days) => Number,
            (x, _) => x,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_table() {
        use KTy::*;
        assert_eq!(arith_ty(ArithOp::Div, Some(Number), Some(Number)), Percent);
        assert_eq!(arith_ty(ArithOp::Mul, Some(Number), Some(Percent)), Number);
        assert_eq!(arith_ty(ArithOp::Mul, Some(Number), Some(Money)), Money);
        assert_eq!(arith_ty(ArithOp::Div, Some(Money), Some(Days)), MoneyPerDay);
        assert_eq!(arith_ty(ArithOp::Div, Some(Money), Some(Number)), Money);
        assert_eq!(arith_ty(ArithOp::Sub, None, Some(Percent)), Percent);
        assert_eq!(arith_ty(ArithOp::Div, Some(Money), Some(Money)), Percent);
    }
}
