//! Lowering literals: names, numbers, strings, durations, windows, dates
//! and times.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;

use super::pairs::{bug, span, Bug, Children, R};

pub(super) fn lower_ident(p: Pair<'_, Rule>) -> R<Ident> {
    Ok(Ident {
        name: p.as_str().to_string(),
        span: span(&p),
    })
}

/// Numbers, percents (`25%`), money (`$1,000`) and signed points (`+10`).
pub(super) fn lower_number(p: Pair<'_, Rule>) -> R<Number> {
    let sp = span(&p);
    let text: String = p
        .as_str()
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '%' | '+'))
        .collect();
    match text.parse::<f64>() {
        Ok(value) => Ok(Number {
            value,
            text,
            span: sp,
        }),
        Err(_) => bug("number did not parse", &p),
    }
}

pub(super) fn lower_string(p: Pair<'_, Rule>) -> R<StrLit> {
    let sp = span(&p);
    let raw = p.as_str();
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(c @ ('"' | '\\')) => value.push(c),
                // Any other backslash is kept, so regexes read as written: `"\bvp\b"`.
                Some(other) => {
                    value.push('\\');
                    value.push(other);
                }
                None => value.push('\\'),
            }
        } else {
            value.push(ch);
        }
    }
    Ok(StrLit { value, span: sp })
}

pub(super) fn lower_unit(p: &Pair<'_, Rule>) -> R<Unit> {
    let w = p.as_str();
    Ok(match w.trim_end_matches('s') {
        "minute" => Unit::Minute,
        "hour" => Unit::Hour,
        "day" => Unit::Day,
        "week" => Unit::Week,
        "month" => Unit::Month,
        _ => return bug("unexpected unit", p),
    })
}

pub(super) fn lower_duration(p: Pair<'_, Rule>) -> R<Duration> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let amount = lower_number(c.next("amount")?)?;
    let business = c.next_if(Rule::kw_business).is_some();
    let u = c.next("unit")?;
    let unit = lower_unit(&u)?;
    Ok(Duration {
        amount,
        unit,
        business,
        span: sp,
    })
}

/// `per day` is `per 1 day`.
pub(super) fn lower_window(p: Pair<'_, Rule>) -> R<Duration> {
    let sp = span(&p);
    let inner = Children::of(p).next("window")?;
    match inner.as_rule() {
        Rule::lit_duration => lower_duration(inner),
        Rule::unit => Ok(Duration {
            amount: Number {
                value: 1.0,
                text: "1".into(),
                span: sp,
            },
            unit: lower_unit(&inner)?,
            business: false,
            span: sp,
        }),
        _ => bug("unexpected window", &inner),
    }
}

pub(super) fn num<T: std::str::FromStr>(s: &str, p: &Pair<'_, Rule>) -> R<T> {
    s.parse::<T>()
        .map_err(|_| Bug(format!("bad number `{s}`"), span(p)))
}

pub(super) fn lower_date(p: Pair<'_, Rule>) -> R<DateTimeLit> {
    let s = p.as_str();
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        return bug("bad date", &p);
    }
    Ok(DateTimeLit {
        year: num(parts[0], &p)?,
        month: num(parts[1], &p)?,
        day: num(parts[2], &p)?,
        time: None,
        offset: None,
        span: span(&p),
    })
}

pub(super) fn lower_time_parts(p: &Pair<'_, Rule>) -> R<(u32, u32, u32)> {
    let parts: Vec<&str> = p.as_str().split(':').collect();
    let h = num(parts.first().copied().unwrap_or(""), p)?;
    let m = num(parts.get(1).copied().unwrap_or(""), p)?;
    let s = match parts.get(2) {
        Some(x) => num(x, p)?,
        None => 0,
    };
    Ok((h, m, s))
}

pub(super) fn lower_time_of_day(p: Pair<'_, Rule>) -> R<TimeOfDay> {
    let (hour, minute, _) = lower_time_parts(&p)?;
    Ok(TimeOfDay {
        hour,
        minute,
        span: span(&p),
    })
}

pub(super) fn lower_datetime(p: Pair<'_, Rule>) -> R<DateTimeLit> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let mut dt = lower_date(c.next("date")?)?;
    dt.span = sp;
    if let Some(t) = c.next_if(Rule::lit_time) {
        dt.time = Some(lower_time_parts(&t)?);
    }
    if let Some(o) = c.next_if(Rule::lit_offset) {
        let s = o.as_str();
        dt.offset = Some(if s == "Z" {
            0
        } else {
            let sign = if s.starts_with('-') { -1 } else { 1 };
            let hh: i32 = num(s.get(1..3).unwrap_or(""), &o)?;
            let mm: i32 = num(s.get(4..6).unwrap_or(""), &o)?;
            sign * (hh * 3600 + mm * 60)
        });
    }
    Ok(dt)
}
