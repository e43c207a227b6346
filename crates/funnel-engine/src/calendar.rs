//! Business calendars: open days, daily open hours and holidays in the
//! playbook's zone; the next opening after an instant and business-time
//! arithmetic (`2 business days` = twice the daily open span of open time).

use chrono::{Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use funnel_check::CalendarInfo;

pub use funnel_check::hir::lit::local_to_instant;

/// How far ahead we look for an opening before giving up (ten years).
const MAX_DAYS_AHEAD: i64 = 3_660;

/// A compiled `calendar` block.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub name: String,
    /// Open weekdays, Monday first.
    pub days: [bool; 7],
    /// Opening and closing time, seconds after local midnight.
    pub open: u32,
    pub close: u32,
    /// Holidays, sorted.
    pub holidays: Vec<NaiveDate>,
    pub tz: Tz,
}

impl Calendar {
    /// The engine's form of a checked calendar in the playbook's zone.
    pub fn new(c: &CalendarInfo, tz: Tz) -> Calendar {
        let mut holidays = c.holidays.clone();
        holidays.sort();
        Calendar {
            name: c.name.clone(),
            days: c.days,
            open: c.open_minute * 60,
            close: (c.close_minute * 60).min(86_400),
            holidays,
            tz,
        }
    }

    /// Seconds of open time in one open day: the length of a `business day`.
    pub fn daily_span(&self) -> i64 {
        i64::from(self.close - self.open)
    }

    fn is_open_day(&self, d: NaiveDate) -> bool {
        self.days[d.weekday().num_days_from_monday() as usize]
            && self.holidays.binary_search(&d).is_err()
    }

    /// The instant of local `date` + `secs` seconds in the calendar's zone.
    fn at(&self, date: NaiveDate, secs: u32) -> i64 {
        let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default()
            + ChronoDuration::seconds(i64::from(secs));
        local_to_instant(self.tz, naive)
    }

    fn local(&self, t: i64) -> NaiveDateTime {
        self.tz
            .timestamp_opt(t, 0)
            .single()
            .map(|d| d.naive_local())
            .unwrap_or_default()
    }

    /// `t` itself when the calendar is open at `t`, else the next opening.
    pub fn next_opening(&self, t: i64) -> i64 {
        let local = self.local(t);
        let mut date = local.date();
        let secs = local.time().num_seconds_from_midnight_u32();
        if self.is_open_day(date) {
            if secs >= self.open && secs < self.close {
                return t;
            }
            if secs < self.open {
                return self.at(date, self.open).max(t);
            }
        }
        for _ in 0..MAX_DAYS_AHEAD {
            date = date.succ_opt().unwrap_or(date);
            if self.is_open_day(date) {
                return self.at(date, self.open).max(t);
            }
        }
        t
    }

    /// The instant after `amount` seconds of open time counted from `t`
    /// (counting starts at the next opening when closed).
    pub fn add_business(&self, t: i64, amount: i64) -> i64 {
        if amount <= 0 {
            return t;
        }
        let mut cur = self.next_opening(t);
        let mut left = amount;
        for _ in 0..MAX_DAYS_AHEAD * 2 {
            let date = self.local(cur).date();
            let close = self.at(date, self.close);
            let avail = close - cur;
            if left <= avail {
                return cur.saturating_add(left);
            }
            left -= avail.max(0);
            let next = self.next_opening(close);
            if next <= cur {
                break;
            }
            cur = next;
        }
        // Beyond the days searched ahead, the rest counts as plain time,
        // saturating like plain durations (an instant past every as-of).
        cur.saturating_add(left)
    }
}

trait SecsFromMidnight {
    fn num_seconds_from_midnight_u32(&self) -> u32;
}

impl SecsFromMidnight for chrono::NaiveTime {
    fn num_seconds_from_midnight_u32(&self) -> u32 {
        chrono::Timelike::num_seconds_from_midnight(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar {
            name: "business".into(),
            days: [true, true, true, true, true, false, false],
            open: 9 * 3600,
            close: 17 * 3600 + 1800,
            holidays: vec![NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()],
            tz: Tz::UTC,
        }
    }

    fn ts(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn huge_business_durations_saturate() {
        // Issue 12, finding 6: `1000000000000000 business days` wrapped
        // around to an instant before 1970.
        let c = cal();
        let t = ts("2026-03-02 10:00");
        let secs = (1e15_f64 * 30_600.0).round() as i64;
        assert_eq!(secs, i64::MAX);
        assert_eq!(c.add_business(t, secs), i64::MAX);
        assert_eq!(c.add_business(t, i64::MAX - 1), i64::MAX);
        // Long but representable: counted as plain time past the search.
        let long = 400_000 * 30_600;
        assert!(c.add_business(t, long) > t + long);
    }

    #[test]
    fn a_missing_local_time_is_the_first_instant_after_the_gap() {
        let at = |tz: &str, s: &str| {
            let tz: Tz = tz.parse().unwrap();
            let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
            let t = local_to_instant(tz, n);
            tz.timestamp_opt(t, 0)
                .unwrap()
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        };
        // New York springs forward at 02:00 -> 03:00 on 2026-03-08.
        assert_eq!(
            at("America/New_York", "2026-03-08 02:30"),
            "2026-03-08 03:00 EDT"
        );
        assert_eq!(
            at("America/New_York", "2026-03-08 02:00"),
            "2026-03-08 03:00 EDT"
        );
        // Lord Howe springs forward half an hour, 02:00 -> 02:30, on 2026-10-04.
        assert_eq!(
            at("Australia/Lord_Howe", "2026-10-04 02:15"),
            "2026-10-04 02:30 +11"
        );
        // Times that exist are unchanged; in a fold the earlier one is taken.
        assert_eq!(
            at("America/New_York", "2026-03-08 03:30"),
            "2026-03-08 03:30 EDT"
        );
        assert_eq!(
            at("America/New_York", "2026-11-01 01:30"),
            "2026-11-01 01:30 EDT"
        );
    }

    #[test]
    fn next_opening_skips_nights_weekends_and_holidays() {
        let c = cal();
        // Friday 2026-03-06 18:00 -> Monday 03-09 is a holiday -> Tuesday 09:00.
        assert_eq!(
            c.next_opening(ts("2026-03-06 18:00")),
            ts("2026-03-10 09:00")
        );
        assert_eq!(
            c.next_opening(ts("2026-03-05 10:00")),
            ts("2026-03-05 10:00")
        );
        assert_eq!(
            c.next_opening(ts("2026-03-05 07:00")),
            ts("2026-03-05 09:00")
        );
    }

    #[test]
    fn business_days_count_open_time_only() {
        let c = cal();
        // Thursday 16:30 + 2 business days (2 x 8.5 h): one hour Thursday,
        // all of Friday, Monday is a holiday, then 7.5 h on Tuesday.
        let two_days = 2 * c.daily_span();
        assert_eq!(
            c.add_business(ts("2026-03-05 16:30"), two_days),
            ts("2026-03-10 16:30")
        );
        assert_eq!(
            c.add_business(ts("2026-03-05 09:00"), 3600),
            ts("2026-03-05 10:00")
        );
    }
}
