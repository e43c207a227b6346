//! The formatting of values, instants, money and KPI values for people,
//! and of stage changes and actions in words: what `explain` and nurture
//! messages show, and what the output files and reports are written with.

use chrono::TimeZone;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::compile::Compiled;
use crate::eval::NO_STAGE;
use crate::kpi::KTy;
use crate::source::strip_comment;
use crate::trace::{ActionDetail, Reason, Transition};
use crate::value::{fmt_num, Interner, Value};

/// An instant as RFC 3339 in the playbook's zone: `2026-03-02T09:00:00+01:00`.
pub fn fmt_time(t: i64, tz: chrono_tz::Tz) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(d) => d.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => t.to_string(),
    }
}

/// An instant for people: `2026-03-02 09:00` in the playbook's zone.
pub fn fmt_time_short(t: i64, tz: chrono_tz::Tz) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(d) => d.format("%Y-%m-%d %H:%M").to_string(),
        None => t.to_string(),
    }
}

fn currency_symbol(code: &str) -> String {
    match code {
        "USD" | "$" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        "JPY" => "¥".into(),
        other => format!("{other} "),
    }
}

/// Digits with thousands separators.
fn group_thousands(int: &str) -> String {
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

/// A decimal rounded to `dp` places, trailing zeros dropped, with separators.
fn fmt_decimal(d: Decimal, dp: u32) -> String {
    let r = d
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let s = r.to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let int = if int == "-0" { "0".to_string() } else { int };
    match frac {
        Some(f) => format!("{}.{f}", group_thousands(&int)),
        None => group_thousands(&int),
    }
}

/// Money for people: `$10,000`, `$1,234.50`.
pub fn fmt_money(d: Decimal, currency: &str) -> String {
    let sym = currency_symbol(currency);
    let neg = d.is_sign_negative() && !d.is_zero();
    let r = d
        .abs()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let body = if r.fract().is_zero() {
        fmt_decimal(r, 0)
    } else {
        let s = format!("{:.2}", r);
        match s.split_once('.') {
            Some((i, f)) => format!("{}.{f}", group_thousands(i)),
            None => s,
        }
    };
    format!("{}{sym}{body}", if neg { "-" } else { "" })
}

/// A KPI value for people, by its type; `undefined` for no value.
pub fn fmt_kpi(v: Option<Decimal>, ty: KTy, currency: &str) -> String {
    let Some(d) = v else {
        return "undefined".to_string();
    };
    match ty {
        KTy::Number => fmt_decimal(d, 2),
        KTy::Percent => format!("{}%", fmt_decimal(d * Decimal::ONE_HUNDRED, 2)),
        KTy::Money => fmt_money(d, currency),
        KTy::MoneyPerDay => format!("{} a day", fmt_money(d, currency)),
        KTy::Days => {
            let s = fmt_decimal(d, 2);
            if s == "1" {
                "1 day".to_string()
            } else {
                format!("{s} days")
            }
        }
    }
}

/// A field value as text (empty for missing).
pub fn fmt_value(v: Value, texts: &Interner, c: &Compiled) -> String {
    match v {
        Value::Missing => String::new(),
        Value::Num(n) => fmt_num(n),
        Value::Money(d) => fmt_money(d, &c.currency),
        Value::Text(s) => texts.resolve(s).to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Time(t) => fmt_time(t, c.tz),
        Value::Dur(s) => format!("{} days", fmt_num(s as f64 / 86_400.0)),
    }
}

/// A stage's name, empty for "no stage".
pub fn stage_name(c: &Compiled, s: u16) -> &str {
    if s == NO_STAGE {
        return "";
    }
    c.stages.get(s as usize).map_or("", |d| d.name.as_str())
}

/// Why a transition happened, in words: `on demo_request`,
/// `when fit >= 20 and engagement >= 50`, `engagement at 50`, `skipped`.
pub fn reason_text(c: &Compiled, t: &Transition) -> String {
    let Some(stage) = c.stages.get(t.to as usize) else {
        return String::new();
    };
    match t.reason {
        Reason::Skipped => "skipped".to_string(),
        Reason::Trigger => {
            let text = stage.origin.text.trim_start();
            let text = text.strip_prefix("lost").map_or(text, str::trim_start);
            let text = text.strip_prefix(stage.name.as_str()).unwrap_or(text);
            strip_comment(text).trim().to_string()
        }
        Reason::Threshold(i) => match stage.thresholds.get(i as usize) {
            Some((score, points, _)) => {
                let name = c
                    .scores
                    .get(*score as usize)
                    .map_or("", |s| s.name.as_str());
                format!("{name} at {}", fmt_num(*points))
            }
            None => String::new(),
        },
    }
}

/// The detail of an action in words: template, `channel: message`, `field = value`.
pub fn action_detail(c: &Compiled, texts: &Interner, d: &ActionDetail) -> String {
    match d {
        ActionDetail::Send(t) => texts.resolve(*t).to_string(),
        ActionDetail::Notify { channel, message } => {
            format!("{}: {message}", texts.resolve(*channel))
        }
        ActionDetail::Set { field, value } => format!(
            "{} = {}",
            c.lead_fields
                .get(*field as usize)
                .map_or("", |f| f.name.as_str()),
            fmt_value(*value, texts, c)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_values_read_like_the_design() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(fmt_kpi(d("0.2"), KTy::Percent, "USD"), "20%");
        assert_eq!(fmt_kpi(d("10000"), KTy::Money, "USD"), "$10,000");
        assert_eq!(
            fmt_kpi(d("20000"), KTy::MoneyPerDay, "USD"),
            "$20,000 a day"
        );
        assert_eq!(fmt_kpi(d("20"), KTy::Days, "USD"), "20 days");
        assert_eq!(fmt_kpi(d("0.06"), KTy::Percent, "USD"), "6%");
        assert_eq!(fmt_kpi(d("1234.5"), KTy::Money, "USD"), "$1,234.50");
        assert_eq!(fmt_kpi(d("1234567"), KTy::Number, "USD"), "1,234,567");
        assert_eq!(fmt_kpi(None, KTy::Percent, "USD"), "undefined");
        assert_eq!(fmt_kpi(d("0.333333"), KTy::Percent, "USD"), "33.33%");
    }
}
