//! Test values: the literals of a test (`lead { … }` records, event fields,
//! inputs and expected values) turned into runtime [`Value`]s of the type the
//! checker gave them, and the comparison rule of expectations: numbers are
//! compared as reports show them, rounded to two decimals.

use funnel_check::Ty;
use funnel_syntax::ast::{CmpOp, DateTimeLit, Expr, ExprKind, Literal};
use rust_decimal::{Decimal, RoundingStrategy};

use funnel_engine::compile::{decimal, lit_value, Compiled};
use funnel_engine::value::{Interner, Value};

/// The instant of a date-time literal: its offset when written, otherwise
/// the playbook's zone (a bare date is midnight).
pub fn instant(c: &Compiled, d: &DateTimeLit) -> Option<i64> {
    c.decoder().instant(d)
}

/// A test literal as a value of type `ty`, decoded by the playbook's one
/// literal decoder. Enumeration values are bare names; a plain number is
/// read as money for a money field and as days for a duration, as the
/// checker accepts.
pub fn value(c: &Compiled, texts: &mut Interner, ty: &Ty, e: &Expr) -> Value {
    match &e.kind {
        ExprKind::Paren(x) => value(c, texts, ty, x),
        ExprKind::Name(id) => Value::Text(texts.intern(&id.name)),
        _ => c
            .decoder()
            .constant(e, ty)
            .map_or(Value::Missing, |l| lit_value(&l, texts)),
    }
}

/// An expected KPI total as an exact decimal in the KPI's unit (a percent
/// as a fraction, a duration in days).
pub fn kpi_value(c: &Compiled, e: &Expr) -> Option<Decimal> {
    match &e.kind {
        ExprKind::Paren(x) => kpi_value(c, x),
        ExprKind::Neg(x) => kpi_value(c, x).map(|d| -d),
        ExprKind::Lit(Literal::Number(n) | Literal::Money(n)) => Some(decimal(&n.text)),
        ExprKind::Lit(Literal::Percent(n)) => Some(decimal(&n.text) / Decimal::ONE_HUNDRED),
        ExprKind::Lit(Literal::Duration(d)) => {
            Some(Decimal::from(c.decoder().duration(d).secs) / Decimal::from(86_400))
        }
        _ => None,
    }
}

/// Round to two decimals, halves away from zero.
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `actual OP expected` for decimals, both rounded to two decimals first.
pub fn cmp_decimal(op: CmpOp, actual: Decimal, expected: Decimal) -> bool {
    let (a, e) = (round2(actual), round2(expected));
    match op {
        CmpOp::Eq => a == e,
        CmpOp::Ne => a != e,
        CmpOp::Ge => a >= e,
        CmpOp::Le => a <= e,
        CmpOp::Gt => a > e,
        CmpOp::Lt => a < e,
    }
}

/// `actual OP expected` for numbers (scores), rounded to two decimals.
pub fn cmp_f64(op: CmpOp, actual: f64, expected: f64) -> bool {
    match (Decimal::try_from(actual), Decimal::try_from(expected)) {
        (Ok(a), Ok(e)) => cmp_decimal(op, a, e),
        // Not a finite number: only `!=` holds.
        _ => op == CmpOp::Ne,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_as_reports_show_them() {
        assert!(cmp_f64(CmpOp::Eq, 1.0 / 3.0 * 100.0, 33.33));
        assert!(cmp_f64(CmpOp::Eq, 0.1 + 0.2, 0.3));
        assert!(!cmp_f64(CmpOp::Eq, 10.4, 10.0));
        assert!(cmp_f64(CmpOp::Gt, 10.4, 10.0));
        assert!(cmp_f64(CmpOp::Ne, f64::NAN, 1.0));
        assert!(!cmp_f64(CmpOp::Eq, f64::NAN, 1.0));
        assert!(cmp_decimal(
            CmpOp::Le,
            Decimal::new(12345, 3),
            Decimal::new(1235, 2)
        ));
    }
}
