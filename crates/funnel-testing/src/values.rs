//! Test values: the literals of a test (`lead { … }` records, event fields,
//! inputs and expected values) turned into runtime [`Value`]s of the type the
//! checker gave them, and the comparison rule of expectations: numbers are
//! compared as reports show them, rounded to two decimals.

use chrono::NaiveDate;
use funnel_check::Ty;
use funnel_syntax::ast::{CmpOp, DateTimeLit, Expr, ExprKind, Literal};
use rust_decimal::{Decimal, RoundingStrategy};

use funnel_engine::calendar::local_to_instant;
use funnel_engine::compile::{business_seconds, decimal, Compiled};
use funnel_engine::value::{Interner, Value};

/// The instant of a date-time literal: its offset when written, otherwise
/// the playbook's zone (a bare date is midnight).
pub fn instant(c: &Compiled, d: &DateTimeLit) -> Option<i64> {
    let (h, m, s) = d.time.unwrap_or((0, 0, 0));
    let naive = NaiveDate::from_ymd_opt(d.year, d.month, d.day)?.and_hms_opt(h, m, s)?;
    Some(match d.offset {
        Some(off) => naive.and_utc().timestamp() - i64::from(off),
        None => local_to_instant(c.tz, naive),
    })
}

/// A duration literal in seconds (business units by the first calendar's
/// daily open span).
fn duration_secs(c: &Compiled, d: &funnel_syntax::ast::Duration) -> i64 {
    let unit = if d.business {
        let span = c.calendars.first().map_or(86_400, |cal| cal.daily_span());
        business_seconds(d.unit, span)
    } else {
        d.unit.seconds()
    };
    (d.amount.value * unit as f64).round() as i64
}

/// A test literal as a value of type `ty`. Enumeration values are bare
/// names; a plain number is read as money for a money field and as days for
/// a duration, as the checker accepts.
pub fn value(c: &Compiled, texts: &mut Interner, ty: &Ty, e: &Expr) -> Value {
    match &e.kind {
        ExprKind::Paren(x) => value(c, texts, ty, x),
        ExprKind::Neg(x) => match value(c, texts, ty, x) {
            Value::Num(n) => Value::Num(-n),
            Value::Money(d) => Value::Money(-d),
            Value::Dur(d) => Value::Dur(-d),
            v => v,
        },
        ExprKind::Name(id) => Value::Text(texts.intern(&id.name)),
        ExprKind::Lit(l) => match l {
            Literal::Number(n) => match ty {
                Ty::Money => Value::Money(decimal(&n.text)),
                Ty::Duration => Value::Dur((n.value * 86_400.0).round() as i64),
                _ => Value::Num(n.value),
            },
            Literal::Percent(n) => Value::Num(n.value / 100.0),
            Literal::Money(n) => Value::Money(decimal(&n.text)),
            Literal::Duration(d) => Value::Dur(duration_secs(c, d)),
            Literal::DateTime(d) => instant(c, d).map_or(Value::Missing, Value::Time),
            Literal::Str(s) => Value::Text(texts.intern(&s.value)),
            Literal::Bool(b, _) => Value::Bool(*b),
        },
        _ => Value::Missing,
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
            Some(Decimal::from(duration_secs(c, d)) / Decimal::from(86_400))
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
