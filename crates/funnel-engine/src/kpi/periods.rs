//! Calendar periods of KPI grouping (`by day`, ISO `week`, `month`,
//! `quarter`, `year`) in the playbook's zone: a period's label (`2026-03`),
//! the periods before and after a label (for `prev(K)`), and the instants
//! periods start at (for `count(in X at period start)`). Labels of one kind
//! sort in time order, as text.

use chrono::{Datelike, Days, Months, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;

use super::Period;

/// The local date of instant `t` in `tz`.
fn local_date(t: i64, tz: Tz) -> Option<NaiveDate> {
    tz.timestamp_opt(t, 0).single().map(|d| d.date_naive())
}

/// The first day of the period that contains `d`.
pub fn first_day(p: Period, d: NaiveDate) -> NaiveDate {
    let on = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(d);
    match p {
        Period::Day => d,
        Period::Week => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
        Period::Month => on(d.year(), d.month(), 1),
        Period::Quarter => on(d.year(), (d.month() - 1) / 3 * 3 + 1, 1),
        Period::Year => on(d.year(), 1, 1),
    }
}

/// The first day of the period after (`forward`) or before the period that
/// starts on `first`.
fn step(p: Period, first: NaiveDate, forward: bool) -> Option<NaiveDate> {
    let months = |n: u32| {
        if forward {
            first.checked_add_months(Months::new(n))
        } else {
            first.checked_sub_months(Months::new(n))
        }
    };
    let days = |n: u64| {
        if forward {
            first.checked_add_days(Days::new(n))
        } else {
            first.checked_sub_days(Days::new(n))
        }
    };
    match p {
        Period::Day => days(1),
        Period::Week => days(7),
        Period::Month => months(1),
        Period::Quarter => months(3),
        Period::Year => months(12),
    }
}

/// The label of the period that starts on `first`: `2026-03-02`,
/// `2026-W10`, `2026-03`, `2026-Q1`, `2026`.
pub fn label(p: Period, first: NaiveDate) -> String {
    match p {
        Period::Day => format!(
            "{:04}-{:02}-{:02}",
            first.year(),
            first.month(),
            first.day()
        ),
        Period::Week => {
            let w = first.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => format!("{:04}-{:02}", first.year(), first.month()),
        Period::Quarter => format!("{}-Q{}", first.year(), (first.month() - 1) / 3 + 1),
        Period::Year => first.year().to_string(),
    }
}

/// The first day of the period a label names.
fn parse(p: Period, text: &str) -> Option<NaiveDate> {
    let num = |s: &str| s.parse::<u32>().ok();
    match p {
        Period::Day => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        Period::Week => {
            let (y, w) = text.split_once("-W")?;
            NaiveDate::from_isoywd_opt(y.parse().ok()?, num(w)?, Weekday::Mon)
        }
        Period::Month => {
            let (y, m) = text.split_once('-')?;
            NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, 1)
        }
        Period::Quarter => {
            let (y, q) = text.split_once("-Q")?;
            NaiveDate::from_ymd_opt(y.parse().ok()?, num(q)?.checked_sub(1)? * 3 + 1, 1)
        }
        Period::Year => NaiveDate::from_ymd_opt(text.parse().ok()?, 1, 1),
    }
}

/// The label of the period just before (`forward` false) or after the one
/// labelled `text`.
pub fn shift(p: Period, text: &str, forward: bool) -> Option<String> {
    let first = parse(p, text)?;
    step(p, first, forward).map(|d| label(p, d))
}

/// The label of the period that contains instant `t`.
pub fn label_at(p: Period, t: i64, tz: Tz) -> Option<String> {
    local_date(t, tz).map(|d| label(p, first_day(p, d)))
}

/// The periods from the one containing `from` to the one containing `to`:
/// each one's label and the instant it starts (its first day's 00:00 in the
/// zone, or the first instant after it when the clock skips midnight).
pub fn between(p: Period, from: i64, to: i64, tz: Tz) -> Vec<(String, i64)> {
    let (Some(a), Some(b)) = (local_date(from, tz), local_date(to, tz)) else {
        return Vec::new();
    };
    let last = first_day(p, b);
    let mut day = first_day(p, a);
    let mut out = Vec::new();
    while day <= last {
        let start = crate::calendar::local_to_instant(tz, day.and_time(chrono::NaiveTime::MIN));
        out.push((label(p, day), start));
        match step(p, day, true) {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn labels_step_back_and_forward_across_years() {
        assert_eq!(shift(Period::Month, "2026-01", false).unwrap(), "2025-12");
        assert_eq!(shift(Period::Month, "2025-12", true).unwrap(), "2026-01");
        assert_eq!(shift(Period::Quarter, "2026-Q1", false).unwrap(), "2025-Q4");
        assert_eq!(shift(Period::Year, "2026", false).unwrap(), "2025");
        assert_eq!(
            shift(Period::Day, "2024-03-01", false).unwrap(),
            "2024-02-29"
        );
        // 2026-W01 starts on Monday 2025-12-29; the week before is 2025-W52.
        assert_eq!(shift(Period::Week, "2026-W01", false).unwrap(), "2025-W52");
        // 2020 has 53 ISO weeks.
        assert_eq!(shift(Period::Week, "2020-W53", true).unwrap(), "2021-W01");
    }

    #[test]
    fn periods_between_two_instants_start_at_local_midnight() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2026-01-15 12:00 and 2026-03-20 12:00 New York (UTC-5, then -4).
        let from = 1_768_496_400;
        let to = 1_774_022_400;
        let got = between(Period::Month, from, to, tz);
        let labels: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
        // 2026-03-01 00:00 EST is 05:00 UTC.
        assert_eq!(got[2].1, 1_772_341_200);
    }
}
