//! Compiling the KPI functions beyond aggregates: `abs`, `round`, `min` and
//! `max` of two or more values, `prev`, and `count(by K where C)` (their
//! evaluation is in [`super::eval`]).

use funnel_check::{Program, Ty};
use funnel_syntax::ast::{CallArg, Expr, ExprKind};

use super::{by_key, kexpr, KCond, KExpr};

/// The function call `f(arg)` when it is one of these, else `None` (an
/// aggregate, compiled by the caller).
pub(super) fn compile(p: &Program, kpis: &[String], f: &str, arg: &CallArg) -> Option<KExpr> {
    let args: Vec<&Expr> = match arg {
        CallArg::Expr(x) => vec![x],
        CallArg::Many(xs) => xs.iter().collect(),
        CallArg::Groups(keys, cond) if f == "count" => {
            let keys = keys.iter().map(|k| by_key(p, &k.name)).collect();
            return Some(KExpr::CountGroups(keys, Box::new(kcond(p, kpis, cond))));
        }
        _ => return None,
    };
    let first = args.first()?;
    let x = |e: &Expr| Box::new(kexpr(p, kpis, e));
    Some(match f {
        "abs" => KExpr::Abs(x(first)),
        "prev" => KExpr::Prev(x(first)),
        "round" => {
            let ty = p.round_type(first.span).unwrap_or(Ty::Number);
            let digits = args.get(1).map(|d| digits_of(d));
            KExpr::Round(x(first), decimals(&ty, digits))
        }
        "min" | "max" if args.len() > 1 => {
            KExpr::Extreme(f == "max", args.iter().map(|a| kexpr(p, kpis, a)).collect())
        }
        _ => return None,
    })
}

/// The whole number of `round(x, digits)` (the checker allows 0 to 10).
fn digits_of(e: &Expr) -> u32 {
    match &e.kind {
        ExprKind::Lit(funnel_syntax::ast::Literal::Number(n)) => n.text.parse().unwrap_or(0),
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

fn kcond(p: &Program, kpis: &[String], e: &Expr) -> KCond {
    let c = |x: &Expr| Box::new(kcond(p, kpis, x));
    match &e.kind {
        ExprKind::Paren(x) => kcond(p, kpis, x),
        ExprKind::Not(x) => KCond::Not(c(x)),
        ExprKind::And(a, b) => KCond::And(c(a), c(b)),
        ExprKind::Or(a, b) => KCond::Or(c(a), c(b)),
        ExprKind::Compare(op, a, b) => KCond::Compare(*op, kexpr(p, kpis, a), kexpr(p, kpis, b)),
        // The checker allows nothing else: a condition that never holds.
        _ => KCond::Compare(
            funnel_syntax::ast::CmpOp::Eq,
            KExpr::Undefined,
            KExpr::Undefined,
        ),
    }
}
