//! Synthetic leads of one run: who arrives when, with which attributes.
//!
//! Arrivals are a Poisson process per day of the horizon; each arrival gets
//! a uniform instant within its day (in the playbook's zone) and a lead
//! number. Attributes are drawn from the lead's own stream, so the same lead
//! of the same run has the same attributes whichever playbook replays it.

use std::borrow::Cow;

use chrono::{NaiveTime, TimeZone};

use crate::draw;
use crate::scenario::Scenario;

/// Purposes of the random streams (part of each stream's seed).
pub const ARRIVALS: u64 = 1;
pub const ATTRIBUTES: u64 = 2;
pub const BEHAVIOUR: u64 = 3;

/// One synthetic lead.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthLead<'s> {
    /// `sim-<run>-<n>`: stable across playbooks for common random numbers.
    pub id: String,
    pub n: u64,
    pub arrival: i64,
    /// One cell per lead field of the playbook, in declaration order; `None` is missing.
    pub cells: Vec<Option<Cow<'s, str>>>,
}

/// The instant a day of the horizon starts, in the zone.
pub fn day_start(s: &Scenario, tz: chrono_tz::Tz, day: u32) -> Option<i64> {
    let date = s
        .start
        .0
        .checked_add_days(chrono::Days::new(u64::from(day)))?;
    let naive = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

/// The leads of run `run`, in arrival order.
pub fn leads<'s>(
    s: &'s Scenario,
    fields: &[String],
    tz: chrono_tz::Tz,
    seed: u64,
    run: u64,
) -> Vec<SynthLead<'s>> {
    let mut out = Vec::new();
    let per_day = s.arrivals.rate.0 / s.arrivals.per.days();
    let source_col = fields.iter().position(|f| f == &s.arrivals.source_field);
    for day in 0..s.horizon_days.0 {
        let (Some(start), Some(end)) = (day_start(s, tz, day), day_start(s, tz, day + 1)) else {
            continue;
        };
        let mut rng = draw::stream(seed, run, u64::from(day), ARRIVALS);
        let instants: Vec<i64> = if s.arrivals.exact {
            exact_instants(s, day, start, end)
        } else {
            let count = draw::poisson(&mut rng, per_day);
            let mut v: Vec<i64> = (0..count)
                .map(|_| start + (draw::unit(&mut rng) * (end - start) as f64) as i64)
                .collect();
            v.sort_unstable();
            v
        };
        for at in instants {
            let n = out.len() as u64 + 1;
            let mut rng = draw::stream(seed, run, n, ATTRIBUTES);
            let mut cells: Vec<Option<Cow<'s, str>>> = fields
                .iter()
                .map(|f| {
                    s.attributes
                        .get(f)
                        .and_then(|d| draw::value(&mut rng, d, n, None))
                })
                .collect();
            if let Some(col) = source_col {
                if !s.arrivals.sources.is_empty() {
                    cells[col] = draw::weighted(&mut rng, &s.arrivals.sources).map(Cow::Borrowed);
                }
            }
            out.push(SynthLead {
                id: format!("sim-{run}-{n}"),
                n,
                arrival: at,
                cells,
            });
        }
    }
    out
}

/// `exact` arrivals: `rate` leads per period, evenly spaced over the
/// period; with `per: week` they fall in the week's days in turn.
fn exact_instants(s: &Scenario, day: u32, start: i64, end: i64) -> Vec<i64> {
    let per_period = s.arrivals.rate.0.round() as u64;
    let period_days = s.arrivals.per.days() as u64;
    // Lead k of the period arrives at (k + 0.5) / n of the period.
    let day_in_period = u64::from(day) % period_days;
    let day_len = (end - start) as f64;
    (0..per_period)
        .filter_map(|k| {
            let pos = (k as f64 + 0.5) / per_period as f64 * period_days as f64;
            let d = pos.floor() as u64;
            (d == day_in_period).then(|| start + ((pos - d as f64) * day_len) as i64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "start: 2026-03-02
horizon_days: 200
arrivals:
  rate: 70
  per: week
  sources: { organic: 1, paid: 1 }
attributes:
  email: { template: \"lead{n}@example.com\" }
";

    #[test]
    fn arrivals_follow_the_rate_and_stay_in_the_horizon() {
        let s = match Scenario::from_yaml(YAML) {
            Ok(s) => s,
            Err(e) => unreachable!("{e}"),
        };
        let fields = vec!["email".to_string(), "source".to_string()];
        let tz = chrono_tz::Europe::Warsaw;
        let ls = leads(&s, &fields, tz, 42, 0);
        // 70 a week = 10 a day over 200 days: 2,000 expected, sd ~45.
        assert!((1850..2150).contains(&ls.len()), "{}", ls.len());
        let first = day_start(&s, tz, 0).unwrap_or_default();
        let last = day_start(&s, tz, 200).unwrap_or_default();
        assert!(ls.iter().all(|l| l.arrival >= first && l.arrival < last));
        assert!(ls.windows(2).all(|w| w[0].arrival <= w[1].arrival));
        assert_eq!(ls[0].cells[0].as_deref(), Some("lead1@example.com"));
        let organic = ls
            .iter()
            .filter(|l| l.cells[1].as_deref() == Some("organic"))
            .count();
        let share = organic as f64 / ls.len() as f64;
        assert!((share - 0.5).abs() < 0.05, "{share}");
        // Same seed and run: the same leads.
        assert_eq!(leads(&s, &fields, tz, 42, 0), ls);
        assert_ne!(leads(&s, &fields, tz, 42, 1), ls);
    }
}
