//! Decoding one cell of text into a typed [`Value`], and reading instants.
//!
//! Every input format hands cells to these functions as text (JSON and YAML
//! scalars are turned into their text first), so CSV, JSON Lines and YAML
//! accept exactly the same values.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use funnel_check::Ty;
use rust_decimal::Decimal;

use crate::values;
use funnel_engine::calendar::local_to_instant;
use funnel_engine::value::{Interner, Value};

/// Decode `text` as a value of type `ty`; `Err` is the reason, for a message.
pub fn decode(text: &str, ty: &Ty, tz: Tz, texts: &mut Interner) -> Result<Value, String> {
    let t = text.trim();
    match ty {
        Ty::Text => Ok(Value::Text(texts.intern(text))),
        Ty::Enum(values) => {
            if values.iter().any(|v| v == t) {
                Ok(Value::Text(texts.intern(t)))
            } else {
                Err(format!("`{t}` is not one of {}", values.join(" | ")))
            }
        }
        Ty::Number => values::number(t)
            .map(Value::Num)
            .ok_or_else(|| format!("`{t}` is not a number (write `1234.5` or `1,234.5`)")),
        Ty::Money => parse_money(t).map(Value::Money).ok_or_else(|| {
            format!("`{t}` is not an amount of money (write `1234.50` or `$1,234.50`)")
        }),
        Ty::Percent => parse_percent(t)
            .map(Value::Num)
            .ok_or_else(|| format!("`{t}` is not a percent (write `25%` or `0.25`)")),
        Ty::Duration => parse_duration(t)
            .map(Value::Dur)
            .ok_or_else(|| format!("`{t}` is not a duration (write `3 days`)")),
        Ty::Date | Ty::DateTime => parse_instant(t, tz).map(Value::Time),
        Ty::Bool => values::boolean(t)
            .map(Value::Bool)
            .ok_or_else(|| format!("`{t}` is not true or false")),
        Ty::Stage | Ty::MoneyPerDay | Ty::Error => Ok(Value::Text(texts.intern(t))),
    }
}

/// [`decode`] for a field nothing reads: the cell is checked the same way,
/// but text is not kept (the value is missing).
pub fn decode_unread(text: &str, ty: &Ty, tz: Tz, texts: &mut Interner) -> Result<Value, String> {
    match ty {
        Ty::Text | Ty::Stage | Ty::MoneyPerDay | Ty::Error => Ok(Value::Missing),
        Ty::Enum(values) => {
            let t = text.trim();
            if values.iter().any(|v| v == t) {
                Ok(Value::Missing)
            } else {
                Err(format!("`{t}` is not one of {}", values.join(" | ")))
            }
        }
        _ => decode(text, ty, tz, texts),
    }
}

/// `$10,000.50`, `10000.5`, `-3` (see [`values::money`]).
pub fn parse_money(t: &str) -> Option<Decimal> {
    values::money(t)
}

/// `25%` is 0.25; a plain number is already a fraction.
pub fn parse_percent(t: &str) -> Option<f64> {
    values::percent(t)
}

/// `3 days`, `12 hours`, `1 week`; a plain number is days. Seconds.
pub fn parse_duration(t: &str) -> Option<i64> {
    values::duration(t)
}

/// An instant: RFC 3339 (`2026-03-02T09:00:00+01:00`), or a local date-time
/// `2026-03-02 09:00[:ss]` (also with `T`) or a bare date, read in `tz`.
pub fn parse_instant(t: &str, tz: Tz) -> Result<i64, String> {
    if let Some(n) = fast_local(t) {
        return Ok(local_to_instant(tz, n));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(local_to_instant(tz, n));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(local_to_instant(tz, d.and_time(chrono::NaiveTime::MIN)));
    }
    Err(format!(
        "`{t}` is not a date-time (write `2026-03-02 09:00` or RFC 3339 `2026-03-02T09:00:00Z`)"
    ))
}

/// Instants read from many rows: `YYYY-MM-DD HH:MM[:SS]` (with a space or
/// a `T`) is turned into an instant by a shift cached per local hour, when
/// the zone's offset holds through that whole hour; anything else goes
/// through [`parse_instant`]. The results are the same.
#[derive(Clone, Debug)]
pub struct InstantCache {
    /// Per slot: the local hour (seconds / 3600 of the local time read as
    /// UTC) and the shift (local - instant), `None` when it varies.
    slots: Vec<(i64, Option<i64>)>,
}

const CACHE_SLOTS: usize = 4096;

impl Default for InstantCache {
    fn default() -> Self {
        InstantCache {
            slots: vec![(i64::MIN, None); CACHE_SLOTS],
        }
    }
}

impl InstantCache {
    pub fn parse(&mut self, t: &str, tz: Tz) -> Result<i64, String> {
        let Some(n) = fast_local(t) else {
            return parse_instant(t, tz);
        };
        let local = n.and_utc().timestamp();
        let hour = local.div_euclid(3600);
        let slot = (hour as usize) & (CACHE_SLOTS - 1);
        if self.slots[slot].0 != hour {
            self.slots[slot] = (hour, hour_shift(hour, tz));
        }
        Ok(match self.slots[slot].1 {
            Some(shift) => local - shift,
            None => local_to_instant(tz, n),
        })
    }
}

/// The shift (local - instant) that holds through a whole local hour.
fn hour_shift(hour: i64, tz: Tz) -> Option<i64> {
    let at = |secs: i64| {
        let n = DateTime::from_timestamp(hour * 3600 + secs, 0)?.naive_utc();
        Some(local_to_instant(tz, n) - (hour * 3600 + secs))
    };
    let first = at(0)?;
    (at(1_800)? == first && at(3_599)? == first).then_some(-first)
}

/// `YYYY-MM-DD HH:MM[:SS]` (or with `T`) without chrono's format parser
/// (the common case).
fn fast_local(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    if !(b.len() == 16 || b.len() == 19)
        || b[4] != b'-'
        || b[7] != b'-'
        || (b[10] != b' ' && b[10] != b'T')
        || b[13] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(r)?;
        s.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let secs = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        num(17..19)?
    } else {
        0
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, secs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_decode_by_type() {
        let mut i = Interner::new();
        let tz = Tz::UTC;
        assert_eq!(
            decode("$10,000", &Ty::Money, tz, &mut i),
            Ok(Value::Money(Decimal::new(10_000, 0)))
        );
        assert_eq!(
            decode("25%", &Ty::Percent, tz, &mut i),
            Ok(Value::Num(0.25))
        );
        assert!(decode("abc", &Ty::Number, tz, &mut i).is_err());
        let e = decode("retail", &Ty::Enum(vec!["software".into()]), tz, &mut i);
        assert_eq!(e, Err("`retail` is not one of software".to_string()));
        assert_eq!(decode("yes", &Ty::Bool, tz, &mut i), Ok(Value::Bool(true)));
    }

    #[test]
    fn instants_read_in_the_zone() {
        let warsaw: Tz = "Europe/Warsaw".parse().unwrap();
        // 09:00 in Warsaw in March is 08:00 UTC.
        assert_eq!(parse_instant("2026-03-02 09:00", warsaw), Ok(1_772_438_400));
        assert_eq!(
            parse_instant("2026-03-02T08:00:00Z", warsaw),
            Ok(1_772_438_400)
        );
        assert!(parse_instant("2026-13-02", warsaw).is_err());
    }

    #[test]
    fn cached_instants_equal_parsed_ones_across_dst_changes() {
        for zone in [
            "America/New_York",
            "Australia/Lord_Howe",
            "Europe/Warsaw",
            "UTC",
        ] {
            let tz: Tz = zone.parse().unwrap();
            let mut cache = InstantCache::default();
            // Every 7 minutes over 2026, both separators, with and without seconds.
            let start = NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_time(chrono::NaiveTime::MIN);
            for k in 0..(366 * 24 * 60 / 7) {
                let n = start + chrono::Duration::minutes(7 * k);
                for f in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
                    let text = n.format(f).to_string();
                    assert_eq!(
                        cache.parse(&text, tz),
                        parse_instant(&text, tz),
                        "{zone} {text}"
                    );
                }
            }
            assert!(cache.parse("2026-02-30 10:00", tz).is_err());
            assert_eq!(
                cache.parse("2026-03-02T09:00:00Z", tz),
                parse_instant("2026-03-02T09:00:00Z", tz)
            );
        }
    }
}
