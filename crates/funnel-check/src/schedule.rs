//! Cron schedules as playbooks write them (`wait until cron "0 10 * * TUE"`):
//! the one cron implementation, used by `check`, `run`, `test` and `simulate`.
//!
//! The checker parses each expression once into a [`Cron`] and hands it to the
//! engine in the checked program, so what `funnel check` accepts is exactly
//! what the replay runs.
//!
//! Meaning (docs/language.md, `wait until cron`):
//! - five fields `MINUTE HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK` fire at second 0;
//!   six or seven fields put seconds first (and a year last);
//! - day-of-week numbers are the standard ones in every form: 0–7 with 0 and 7
//!   both Sunday, or names `SUN`…`SAT` (ranges such as `5-7` or `FRI-SUN` end on
//!   Sunday);
//! - when both day-of-month and day-of-week are restricted (neither starts with
//!   `*` or `?`), a day matches when *either* matches, as in standard cron.
//!
//! The `cron` crate does the calendar search. It numbers weekdays 1–7 from
//! Sunday and requires both day fields to match, so the day-of-week field is
//! rewritten as a list of day names, and the "either" rule is two schedules
//! whose earliest fire wins.

use std::str::FromStr;

use chrono::TimeZone;
use chrono_tz::Tz;

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A parsed cron schedule.
#[derive(Clone, Debug)]
pub struct Cron {
    /// The expression as written.
    source: String,
    /// One schedule, or two when day-of-month and day-of-week are both
    /// restricted (a day matches either).
    schedules: Vec<cron::Schedule>,
    /// No instant from 1970 on matches (`"0 10 31 2 *"`).
    never: bool,
}

impl Cron {
    /// Parse a five-, six- or seven-field expression, or say why it is not one.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let trimmed = expr.trim();
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if !(5..=7).contains(&fields.len()) {
            return Err(format!(
                "expected 5 fields (minute hour day month weekday), found {}",
                fields.len()
            ));
        }
        let mut full: Vec<String> = Vec::with_capacity(7);
        if fields.len() == 5 {
            full.push("0".to_string());
        }
        full.extend(fields.iter().map(|f| f.to_string()));
        full[5] = weekdays(&full[5])?;
        let dom_restricted = restricted(&full[3]);
        let dow_restricted = restricted(&full[5]);
        let mut schedules = Vec::with_capacity(2);
        if dom_restricted && dow_restricted {
            let mut by_dom = full.clone();
            by_dom[5] = "*".to_string();
            let mut by_dow = full;
            by_dow[3] = "*".to_string();
            schedules.push(schedule(&by_dom.join(" "))?);
            schedules.push(schedule(&by_dow.join(" "))?);
        } else {
            schedules.push(schedule(&full.join(" "))?);
        }
        let mut c = Cron {
            source: trimmed.to_string(),
            schedules,
            never: false,
        };
        c.never = c.search_after(0, Tz::UTC).is_none();
        Ok(c)
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether no instant from 1970 on matches: a wait on it never ends.
    pub fn never_fires(&self) -> bool {
        self.never
    }

    /// The first fire strictly after instant `t` (Unix seconds), in zone
    /// `tz`; `None` when it never fires again.
    pub fn next_after(&self, t: i64, tz: Tz) -> Option<i64> {
        if self.never {
            return None;
        }
        self.search_after(t, tz)
    }

    fn search_after(&self, t: i64, tz: Tz) -> Option<i64> {
        let now = tz.timestamp_opt(t, 0).single()?;
        self.schedules
            .iter()
            .filter_map(|s| s.after(&now).next().map(|d| d.timestamp()))
            .min()
    }
}

/// A field that restricts the days it matches (standard cron's rule: one
/// starting with `*` or `?` does not).
fn restricted(field: &str) -> bool {
    !(field.starts_with('*') || field.starts_with('?'))
}

fn schedule(full: &str) -> Result<cron::Schedule, String> {
    cron::Schedule::from_str(full).map_err(|e| {
        e.to_string()
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or("invalid expression")
            .to_string()
    })
}

/// Rewrite a standard day-of-week field as the `cron` crate's: `*` when every
/// day matches, otherwise the matching days as a list of names.
fn weekdays(field: &str) -> Result<String, String> {
    let mut days = [false; 7];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: usize = s.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
                    format!("day of week `{item}`: `{s}` is not a step of 1 or more")
                })?;
                (r, step)
            }
            None => (item, 1),
        };
        let (from, to) = if range == "*" || range == "?" {
            (0, 6)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = day(a, item)?;
            let mut b = day(b, item)?;
            if b == 0 && a > 0 {
                b = 7;
            }
            if a > b {
                return Err(format!(
                    "day of week `{item}`: a range runs forward, Sunday (0) to Saturday (6) or Sunday (7)"
                ));
            }
            (a, b)
        } else {
            let a = day(range, item)?;
            (a, if step > 1 { 6 } else { a })
        };
        let mut d = from;
        while d <= to {
            days[d % 7] = true;
            d += step;
        }
    }
    if days.iter().all(|&d| d) {
        return Ok("*".to_string());
    }
    let names: Vec<&str> = (0..7).filter(|&d| days[d]).map(|d| DAY_NAMES[d]).collect();
    Ok(names.join(","))
}

/// One day of week: 0–7 (0 and 7 Sunday) or a three-letter name.
fn day(text: &str, item: &str) -> Result<usize, String> {
    if let Ok(n) = text.parse::<usize>() {
        return if n <= 7 {
            Ok(n)
        } else {
            Err(format!(
                "day of week `{item}`: {n} is not a day; use 0-7 (0 and 7 are Sunday) or MON-SUN"
            ))
        };
    }
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            format!("day of week `{item}`: `{text}` is not a day; use 0-7 (0 and 7 are Sunday) or MON-SUN")
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn at(tz: Tz, s: &str) -> i64 {
        let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        tz.from_local_datetime(&n).single().unwrap().timestamp()
    }

    fn next(expr: &str, from: &str) -> String {
        let tz: Tz = "Europe/Warsaw".parse().unwrap();
        let c = Cron::parse(expr).unwrap();
        let t = c.next_after(at(tz, from), tz).unwrap();
        tz.timestamp_opt(t, 0)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S %a")
            .to_string()
    }

    #[test]
    fn next_tuesday_ten_in_zone_strictly_after() {
        // Wednesday 2026-03-04 12:00 -> Tuesday 2026-03-10 10:00 Warsaw.
        assert_eq!(
            next("0 10 * * TUE", "2026-03-04 12:00"),
            "2026-03-10 10:00:00 Tue"
        );
        // At exactly Tuesday 10:00 the next is a week later.
        assert_eq!(
            next("0 10 * * TUE", "2026-03-10 10:00"),
            "2026-03-17 10:00:00 Tue"
        );
    }

    #[test]
    fn weekday_zero_and_seven_are_sunday() {
        // Wednesday 2026-03-04 -> Sunday 2026-03-08.
        assert_eq!(
            next("0 10 * * 0", "2026-03-04 12:00"),
            "2026-03-08 10:00:00 Sun"
        );
        assert_eq!(
            next("0 10 * * 7", "2026-03-04 12:00"),
            "2026-03-08 10:00:00 Sun"
        );
        assert_eq!(
            next("0 10 * * 2", "2026-03-04 12:00"),
            "2026-03-10 10:00:00 Tue"
        );
    }

    #[test]
    fn ranges_ending_in_seven_end_on_sunday() {
        // 5-7 is Friday, Saturday, Sunday: from Saturday 12:00 the next is Sunday.
        assert_eq!(
            next("0 10 * * 5-7", "2026-03-07 12:00"),
            "2026-03-08 10:00:00 Sun"
        );
        assert_eq!(
            next("0 10 * * 5-7", "2026-03-08 12:00"),
            "2026-03-13 10:00:00 Fri"
        );
        assert_eq!(
            next("0 10 * * FRI-SUN", "2026-03-08 12:00"),
            "2026-03-13 10:00:00 Fri"
        );
        assert_eq!(weekdays("1-5").unwrap(), "MON,TUE,WED,THU,FRI");
        assert_eq!(weekdays("*/2").unwrap(), "SUN,TUE,THU,SAT");
        assert_eq!(weekdays("0-7").unwrap(), "*");
        assert!(weekdays("5-1").is_err());
        assert!(weekdays("8").is_err());
    }

    #[test]
    fn six_fields_number_weekdays_the_same_way() {
        assert_eq!(
            next("0 0 10 * * 2", "2026-03-04 12:00"),
            "2026-03-10 10:00:00 Tue"
        );
        assert_eq!(
            next("30 0 9 * * Fri", "2026-03-04 12:00"),
            "2026-03-06 09:00:30 Fri"
        );
    }

    #[test]
    fn day_of_month_or_day_of_week() {
        // Thu 2026-04-02: the next 1st is Fri 05-01, the next Monday 04-06;
        // standard cron fires on either.
        assert_eq!(
            next("0 10 1 * MON", "2026-04-02 12:00"),
            "2026-04-06 10:00:00 Mon"
        );
        assert_eq!(
            next("0 10 1 * MON", "2026-04-27 12:00"),
            "2026-05-01 10:00:00 Fri"
        );
        // A `*` day of week leaves the day of month alone.
        assert_eq!(
            next("0 10 1 * *", "2026-04-02 12:00"),
            "2026-05-01 10:00:00 Fri"
        );
    }

    #[test]
    fn an_impossible_date_never_fires() {
        let c = Cron::parse("0 10 31 2 *").unwrap();
        assert!(c.never_fires());
        assert_eq!(c.next_after(0, Tz::UTC), None);
        assert!(!Cron::parse("0 10 29 2 *").unwrap().never_fires());
    }

    #[test]
    fn bad_expressions_say_why() {
        assert_eq!(
            Cron::parse("0 10 *").err().as_deref(),
            Some("expected 5 fields (minute hour day month weekday), found 3")
        );
        assert!(Cron::parse("61 10 * * *").is_err());
        assert!(Cron::parse("0 25 * * *").is_err());
    }
}
