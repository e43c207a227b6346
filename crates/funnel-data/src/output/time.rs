//! Writing many instants fast: RFC 3339 in the playbook's zone, exactly as
//! [`fmt_time`] (chrono's `%Y-%m-%dT%H:%M:%S%:z`) writes them, but
//! with the zone's offset looked up once per hour of UTC time and the
//! digits written by hand. Anything unusual (an offset with seconds, a year
//! outside 1..=9999, an hour in which the offset changes) goes through
//! chrono.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use funnel_engine::display::fmt_time;

/// Slots of the per-hour offset cache (a power of two).
const SLOTS: usize = 1024;

/// A formatter of instants with its cache of offsets.
pub struct TimeFmt {
    tz: Tz,
    /// Per slot: the UTC hour it holds and the offset (seconds) through the
    /// whole hour, or `None` when the offset changes within it.
    cache: Vec<(i64, Option<i32>)>,
}

impl TimeFmt {
    pub fn new(tz: Tz) -> TimeFmt {
        TimeFmt {
            tz,
            cache: vec![(i64::MIN, None); SLOTS],
        }
    }

    fn offset_at(&self, t: i64) -> Option<i32> {
        let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
        Some(
            self.tz
                .offset_from_utc_datetime(&utc)
                .fix()
                .local_minus_utc(),
        )
    }

    /// The offset that holds through the hour of `t`, if one does.
    fn offset(&mut self, t: i64) -> Option<i32> {
        let hour = t.div_euclid(3600);
        let slot = (hour as usize) & (SLOTS - 1);
        if self.cache[slot].0 == hour {
            return self.cache[slot].1;
        }
        let start = hour * 3600;
        let a = self.offset_at(start);
        let b = self.offset_at(start + 3599);
        let off = if a == b { a } else { None };
        self.cache[slot] = (hour, off);
        off
    }

    /// Append `t` as `2026-03-02T09:00:00-05:00`.
    pub fn write(&mut self, t: i64, out: &mut Vec<u8>) {
        match self.offset(t) {
            Some(off) if off % 60 == 0 && write_fast(t, off, out) => {}
            _ => out.extend_from_slice(fmt_time(t, self.tz).as_bytes()),
        }
    }
}

/// The fast path; false (writing nothing) when chrono must do it.
fn write_fast(t: i64, off: i32, out: &mut Vec<u8>) -> bool {
    let local = t + i64::from(off);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    if !(1..=9999).contains(&y) {
        return false;
    }
    let mut b = [0u8; 25];
    two(&mut b[0..2], (y / 100) as u32);
    two(&mut b[2..4], (y % 100) as u32);
    b[4] = b'-';
    two(&mut b[5..7], m);
    b[7] = b'-';
    two(&mut b[8..10], d);
    b[10] = b'T';
    two(&mut b[11..13], (secs / 3600) as u32);
    b[13] = b':';
    two(&mut b[14..16], (secs / 60 % 60) as u32);
    b[16] = b':';
    two(&mut b[17..19], (secs % 60) as u32);
    b[19] = if off < 0 { b'-' } else { b'+' };
    let a = off.unsigned_abs() / 60;
    two(&mut b[20..22], a / 60);
    b[22] = b':';
    two(&mut b[23..25], a % 60);
    out.extend_from_slice(&b);
    true
}

fn two(b: &mut [u8], v: u32) {
    b[0] = b'0' + (v / 10 % 10) as u8;
    b[1] = b'0' + (v % 10) as u8;
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic
/// Gregorian; Howard Hinnant's `civil_from_days`).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn instants_match_chrono_in_every_kind_of_zone() {
        let zones = [
            "UTC",
            "America/New_York",
            "Europe/Warsaw",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Pacific/Chatham",
            "Africa/Monrovia",
        ];
        for name in zones {
            let tz: Tz = name.parse().unwrap();
            let mut f = TimeFmt::new(tz);
            // Every ~5.8 days over 1960..2040, every hour or so over
            // 2025..2027 (DST changes included), and the seconds around.
            let wide = (-315_619_200i64..2_208_988_800).step_by(500_009);
            let near = (1_735_689_600i64..1_798_761_600).step_by(3_607);
            for t in wide.chain(near) {
                for u in [t, t + 1, t - 1] {
                    let mut out = Vec::new();
                    f.write(u, &mut out);
                    let want = funnel_engine::display::fmt_time(u, tz);
                    assert_eq!(String::from_utf8(out).unwrap(), want);
                }
            }
        }
    }

    #[test]
    fn days_become_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_514), (2026, 3, 2));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
