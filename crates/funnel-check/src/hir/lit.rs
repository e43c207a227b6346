//! The one decoder of literals: instants (in the playbook's zone unless an
//! offset is written), durations (one rounding rule: to the nearest whole
//! second; business time counts the first calendar's open time), money
//! (exact decimals from the literal's text) and percentages (fractions).
//! The engine, the KPI formulas, targets and input defaults all use the
//! values decoded here.

use chrono_tz::Tz;
use funnel_syntax::ast::{DateTimeLit, Duration, Expr, ExprKind, Literal, Unit};
use rust_decimal::Decimal;

use crate::types::Ty;

/// A decoded duration: whole seconds of calendar time, or of open business
/// time when `business`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur {
    pub secs: i64,
    pub business: bool,
}

/// A decoded literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Number(f64),
    /// A fraction: `25%` is 0.25.
    Percent(f64),
    Money(Decimal),
    Duration(Dur),
    /// An instant in seconds since the epoch; `None` for a date that does
    /// not exist (the checker reports those first).
    Instant(Option<i64>),
    Text(String),
    Bool(bool),
}

/// Decodes literals with the facts they depend on: the playbook's zone and
/// the length of a business day (the first calendar's daily open span).
#[derive(Clone, Copy, Debug)]
pub struct Decoder {
    pub tz: Tz,
    /// Seconds of open time in one business day (86,400 without a calendar).
    pub daily_span: i64,
}

impl Decoder {
    /// A duration in whole seconds (rounded to the nearest second).
    pub fn duration(&self, d: &Duration) -> Dur {
        let unit = if d.business {
            business_seconds(d.unit, self.daily_span)
        } else {
            d.unit.seconds()
        };
        Dur {
            secs: (d.amount.value * unit as f64).round() as i64,
            business: d.business,
        }
    }

    /// A literal's value.
    pub fn literal(&self, l: &Literal) -> Lit {
        match l {
            Literal::Number(n) => Lit::Number(n.value),
            Literal::Percent(n) => Lit::Percent(n.value / 100.0),
            Literal::Money(n) => Lit::Money(decimal(&n.text)),
            Literal::Duration(d) => Lit::Duration(self.duration(d)),
            Literal::DateTime(d) => Lit::Instant(self.instant(d)),
            Literal::Str(s) => Lit::Text(s.value.clone()),
            Literal::Bool(b, _) => Lit::Bool(*b),
        }
    }

    /// The instant of a date-time literal: its offset when written,
    /// otherwise the playbook's zone (a bare date is midnight); `None` for a
    /// date or time that does not exist.
    pub fn instant(&self, d: &DateTimeLit) -> Option<i64> {
        let (h, m, s) = d.time.unwrap_or((0, 0, 0));
        let naive =
            chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day)?.and_hms_opt(h, m, s)?;
        Some(match d.offset {
            Some(off) => naive.and_utc().timestamp() - i64::from(off),
            None => local_to_instant(self.tz, naive),
        })
    }

    /// A constant of declared type `ty` (an input's default): a literal,
    /// possibly negated or in parentheses. A plain number is money for a
    /// money input and days for a duration input, as the checker accepts.
    pub fn constant(&self, e: &Expr, ty: &Ty) -> Option<Lit> {
        match &e.kind {
            ExprKind::Paren(x) => self.constant(x, ty),
            ExprKind::Neg(x) => Some(match self.constant(x, ty)? {
                Lit::Number(n) => Lit::Number(-n),
                Lit::Percent(n) => Lit::Percent(-n),
                Lit::Money(d) => Lit::Money(-d),
                Lit::Duration(d) => Lit::Duration(Dur { secs: -d.secs, ..d }),
                other => other,
            }),
            ExprKind::Lit(Literal::Number(n)) => Some(match ty {
                Ty::Money => Lit::Money(decimal(&n.text)),
                Ty::Duration => Lit::Duration(Dur {
                    secs: (n.value * 86_400.0).round() as i64,
                    business: false,
                }),
                _ => Lit::Number(n.value),
            }),
            ExprKind::Lit(l) => Some(self.literal(l)),
            _ => None,
        }
    }
}

/// A literal as an exact KPI value: a percent as a fraction, a duration in
/// (calendar) days; `None` for other literals.
pub fn kpi_value(l: &Literal) -> Option<Decimal> {
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

/// A target's value: a literal, possibly negated or in parentheses.
pub fn target_value(e: &Expr) -> Option<Decimal> {
    match &e.kind {
        ExprKind::Lit(l) => kpi_value(l),
        ExprKind::Paren(a) => target_value(a),
        ExprKind::Neg(a) => target_value(a).map(|d| -d),
        _ => None,
    }
}

/// Parse a number's text as an exact decimal.
pub fn decimal(text: &str) -> Decimal {
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .unwrap_or_default()
}

/// A unit's length in business seconds, given the daily open span.
pub fn business_seconds(unit: Unit, daily_span: i64) -> i64 {
    match unit {
        Unit::Minute => 60,
        Unit::Hour => 3_600,
        Unit::Day => daily_span,
        Unit::Week => 5 * daily_span,
        Unit::Month => 20 * daily_span,
    }
}

/// The instant of a local date-time in `tz`: the earlier of two in a
/// fall-back overlap; in a spring-forward gap, the instant the clock jumped.
pub fn local_to_instant(tz: Tz, naive: chrono::NaiveDateTime) -> i64 {
    use chrono::{TimeZone, Timelike};
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(d) => d.timestamp(),
        chrono::LocalResult::Ambiguous(a, _) => a.timestamp(),
        chrono::LocalResult::None => {
            // In a gap every earlier minute of the gap is missing too, so the
            // first whole minute that exists is where the gap ends: the
            // instant the clock jumped (03:00 EDT for 02:30 on the night
            // New York springs forward; 02:30 for Lord Howe's half hour).
            let start = naive.with_second(0).unwrap_or(naive);
            (1..=2 * 1440)
                .map(|m| start + chrono::Duration::minutes(m))
                .find_map(|t| tz.from_local_datetime(&t).earliest())
                .map_or_else(|| naive.and_utc().timestamp(), |d| d.timestamp())
        }
    }
}
