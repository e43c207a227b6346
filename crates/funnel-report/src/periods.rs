//! Calendar periods for chart axes: the label of an instant's month or ISO
//! week in the playbook's zone (the same labels KPIs grouped `by month` or
//! `by week` use), and every period between two instants, so a month or
//! week with nothing in it still has its place on the axis.

use chrono::{Datelike, Duration, TimeZone};
use chrono_tz::Tz;
use funnel_engine::kpi::eval::period_label;
use funnel_engine::kpi::Period;

/// The label of the period holding `t`: `2026-03`, `2026-W10`.
pub fn label(p: Period, t: i64, tz: Tz) -> String {
    period_label(p, t, tz)
}

/// Every period label from the one holding `first` to the one holding
/// `last`, in order. At most `MAX_DAYS` days are walked: a span longer
/// than that (decades of data) keeps only the periods that `present`
/// names, which are always included.
pub fn span(p: Period, first: i64, last: i64, tz: Tz, present: &[String]) -> Vec<String> {
    const MAX_DAYS: i64 = 20_000;
    let mut out: Vec<String> = Vec::new();
    let start = tz.timestamp_opt(first.min(last), 0).single();
    let end = tz.timestamp_opt(first.max(last), 0).single();
    if let (Some(start), Some(end)) = (start, end) {
        let (d0, d1) = (start.date_naive(), end.date_naive());
        if (d1 - d0).num_days() <= MAX_DAYS {
            let mut d = d0;
            while d <= d1 {
                let l = day_label(p, d);
                if out.last() != Some(&l) {
                    out.push(l);
                }
                d += Duration::days(1);
            }
        }
    }
    out.extend(present.iter().cloned());
    out.sort();
    out.dedup();
    out
}

fn day_label(p: Period, d: chrono::NaiveDate) -> String {
    match p {
        Period::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Period::Week => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => format!("{:04}-{:02}", d.year(), d.month()),
        Period::Quarter => format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        Period::Year => d.year().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_has_every_month_between() {
        // 2026-01-31 12:00 UTC to 2026-04-01 00:30 UTC.
        let (a, b) = (1_769_860_800, 1_775_003_400);
        let months = span(Period::Month, a, b, Tz::UTC, &[]);
        assert_eq!(months, ["2026-01", "2026-02", "2026-03", "2026-04"]);
        // In New York the second instant is still March 31st.
        let ny = span(Period::Month, a, b, Tz::America__New_York, &[]);
        assert_eq!(ny, ["2026-01", "2026-02", "2026-03"]);
    }

    #[test]
    fn iso_weeks_cross_the_year_like_kpis() {
        // 2025-12-29 (Monday of 2026-W01) to 2026-01-12 (2026-W03).
        let (a, b) = (1_766_966_400, 1_768_176_000);
        let weeks = span(Period::Week, a, b, Tz::UTC, &[]);
        assert_eq!(weeks, ["2026-W01", "2026-W02", "2026-W03"]);
        assert_eq!(label(Period::Week, a, Tz::UTC), "2026-W01");
    }

    #[test]
    fn present_labels_are_kept_and_sorted() {
        let weeks = span(Period::Week, 0, 0, Tz::UTC, &["1970-W03".to_string()]);
        assert_eq!(weeks, ["1970-W01", "1970-W03"]);
    }
}
