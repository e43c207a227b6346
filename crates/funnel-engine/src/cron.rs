//! `wait until cron "expr"`: cron schedules in the playbook's zone.
//!
//! The `cron` crate wants six or seven fields (seconds first) and numbers
//! weekdays 1-7 from Sunday. Playbooks use the common five-field form with
//! weekdays 0-7 from Sunday (0 and 7 both Sunday), so a five-field
//! expression gets `0 ` prepended and its numeric weekdays shifted by one.

use std::str::FromStr;

use chrono::TimeZone;
use chrono_tz::Tz;

/// A parsed schedule.
#[derive(Clone, Debug)]
pub struct Cron {
    schedule: cron::Schedule,
}

impl Cron {
    /// Parse a five-, six- or seven-field expression.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let full = if fields.len() == 5 {
            let dow = shift_weekdays(fields[4]);
            format!(
                "0 {} {} {} {} {}",
                fields[0], fields[1], fields[2], fields[3], dow
            )
        } else {
            expr.to_string()
        };
        cron::Schedule::from_str(&full)
            .map(|schedule| Cron { schedule })
            .map_err(|e| format!("bad cron expression `{expr}`: {e}"))
    }

    /// The first fire strictly after `t`, in `tz`.
    pub fn next_after(&self, t: i64, tz: Tz) -> Option<i64> {
        let now = tz.timestamp_opt(t, 0).single()?;
        self.schedule.after(&now).next().map(|d| d.timestamp())
    }
}

/// Standard cron weekday numbers (0-7, Sunday = 0 or 7) to the `cron`
/// crate's (1-7, Sunday = 1). Names (`TUE`) and `*` pass through.
fn shift_weekdays(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 2);
    let mut num = String::new();
    let mut after_slash = false;
    let flush = |num: &mut String, out: &mut String, after_slash: bool| {
        if num.is_empty() {
            return;
        }
        if after_slash {
            out.push_str(num);
        } else if let Ok(n) = num.parse::<u32>() {
            let shifted = if n == 7 { 1 } else { n + 1 };
            out.push_str(&shifted.to_string());
        } else {
            out.push_str(num);
        }
        num.clear();
    };
    for ch in field.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
        } else {
            flush(&mut num, &mut out, after_slash);
            after_slash = ch == '/';
            out.push(ch);
        }
    }
    flush(&mut num, &mut out, after_slash);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn ts(tz: Tz, s: &str) -> i64 {
        let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        crate::calendar::local_to_instant(tz, n)
    }

    #[test]
    fn next_tuesday_ten_in_zone() {
        let tz: Tz = "Europe/Warsaw".parse().unwrap();
        let c = Cron::parse("0 10 * * TUE").unwrap();
        // Wednesday 2026-03-04 12:00 -> Tuesday 2026-03-10 10:00 Warsaw.
        assert_eq!(
            c.next_after(ts(tz, "2026-03-04 12:00"), tz),
            Some(ts(tz, "2026-03-10 10:00"))
        );
        // Strictly after: at exactly Tuesday 10:00 the next is a week later.
        assert_eq!(
            c.next_after(ts(tz, "2026-03-10 10:00"), tz),
            Some(ts(tz, "2026-03-17 10:00"))
        );
    }

    #[test]
    fn numeric_weekdays_are_standard_cron() {
        assert_eq!(shift_weekdays("2"), "3");
        assert_eq!(shift_weekdays("1-5"), "2-6");
        assert_eq!(shift_weekdays("0,7"), "1,1");
        assert_eq!(shift_weekdays("*/2"), "*/2");
        assert_eq!(shift_weekdays("MON-FRI"), "MON-FRI");
    }
}
