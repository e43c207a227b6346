//! KPIs: compiling formulas and (in [`eval`]) computing them at the end of
//! a replay. Each KPI's type is the one the checker inferred.
//!
//! A formula is arithmetic over aggregates (`count(entered X)`,
//! `sum(E.f)`, `avg(days(A -> B))`, …), inputs, literals and other KPIs.
//! Every value is an exact decimal; percent values are fractions; durations
//! are days.

pub mod eval;
mod funcs;
pub mod periods;

use funnel_check::{Program, Ty};
use funnel_syntax::ast::{ArithOp, CallArg, CmpOp, Decl, Expr, ExprKind, Literal, PeriodEdge};
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
    /// How a KPI of the checker's type `ty` is shown (the checker gives a
    /// KPI only these types).
    pub fn of(ty: &Ty) -> KTy {
        match ty {
            Ty::Money => KTy::Money,
            Ty::Percent => KTy::Percent,
            Ty::MoneyPerDay => KTy::MoneyPerDay,
            Ty::Duration => KTy::Days,
            _ => KTy::Number,
        }
    }

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
    /// Leads in the stage at the start (or end) of each period, dated then;
    /// ungrouped, at the start of the data (or the as-of instant).
    In {
        stage: u16,
        edge: PeriodEdge,
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
    /// `abs(x)`.
    Abs(Box<KExpr>),
    /// `round(x[, digits])`: to this many decimals of the value as stored
    /// (a percent's fraction: two more than its percentage's).
    Round(Box<KExpr>, u32),
    /// `min(a, b, …)` (`false`) or `max(a, b, …)` (`true`).
    Extreme(bool, Vec<KExpr>),
    /// `prev(K)`: K one period earlier, by the KPI's first period key.
    Prev(Box<KExpr>),
    /// `count(by K, … where C)`: the groups by the KPI's keys and these
    /// where C holds.
    CountGroups(Vec<ByKey>, Box<KCond>),
    /// Something the engine cannot compute (the checker rejects it).
    Undefined,
}

/// The condition of `count(by K where C)`: comparisons of KPI values.
#[derive(Clone, Debug, PartialEq)]
pub enum KCond {
    Compare(CmpOp, KExpr, KExpr),
    And(Box<KCond>, Box<KCond>),
    Or(Box<KCond>, Box<KCond>),
    Not(Box<KCond>),
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
        let by = k.by.iter().map(|b| by_key(p, &b.name)).collect();
        defs.push(KpiDef {
            name: k.name.name.clone(),
            expr,
            by,
            by_names: k.by.iter().map(|b| b.name.clone()).collect(),
            // The type the checker inferred and reported: never re-inferred.
            ty: p
                .kpi(&k.name.name)
                .map_or(KTy::Number, |info| KTy::of(&info.ty)),
            line: cx.line(k.span),
            target: None,
        });
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

/// A `by` key by name: a period, a lead field, or a field of the aggregated event.
fn by_key(p: &Program, name: &str) -> ByKey {
    match name {
        "day" => ByKey::Period(Period::Day),
        "week" => ByKey::Period(Period::Week),
        "month" => ByKey::Period(Period::Month),
        "quarter" => ByKey::Period(Period::Quarter),
        "year" => ByKey::Period(Period::Year),
        other => match p.lead_fields.iter().position(|f| f.name == other) {
            Some(i) => ByKey::LeadField(to_u16(i)),
            None => ByKey::EventField(other.to_string()),
        },
    }
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
        ExprKind::Call(f, arg) => call(p, kpis, &f.name, arg),
        _ => KExpr::Undefined,
    }
}

fn call(p: &Program, kpis: &[String], f: &str, arg: &CallArg) -> KExpr {
    if let Some(x) = funcs::compile(p, kpis, f, arg) {
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
    let stage = |n: &str| p.stage_index(n).map(to_u16);
    let src = match arg {
        CallArg::Entered(x) | CallArg::Reached(x) => stage(&x.name).map(Source::Entered),
        CallArg::Breached(a, b) => sla_index(p, &a.name, &b.name).map(Source::Breached),
        CallArg::Days(a, b, _) => match (stage(&a.name), stage(&b.name)) {
            (Some(from), Some(to)) => Some(Source::Days { from, to }),
            _ => None,
        },
        CallArg::In(x, edge, _) => stage(&x.name).map(|stage| Source::In { stage, edge: *edge }),
        CallArg::Groups(..) | CallArg::Many(_) => None,
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
