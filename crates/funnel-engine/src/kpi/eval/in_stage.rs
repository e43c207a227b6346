//! `count(in X at period start)` / `at period end`: the leads whose stage is
//! X at an instant, after everything at that instant. A lead is in forward
//! stage X from its entry into X until it enters a later stage or a lost
//! one (a stage it skipped it is never in), and in a lost stage from its
//! entry for good.
//!
//! Grouped by a period (the KPI's first period key), every period from the
//! one the data starts in (the first event's) to the one of the as-of
//! instant counts the leads in X at its start (its first day's 00:00) or at
//! its end (the last second before the next period starts, or the as-of
//! instant for the last one), dated then. Without a period, and for the
//! total, the whole run is the one period: its start is the first event's
//! instant and its end the as-of instant.

use std::collections::{BTreeMap, HashMap};

use funnel_check::hir::PeriodEdge;
use rust_decimal::Decimal;

use super::{label, Fact, Facts, KVal};
use crate::kpi::{periods, ByKey};

/// When each lead is in stage `s`: `(lead, from, until)`, until exclusive.
fn stays(f: &Facts<'_>, s: usize) -> Vec<(usize, i64, i64)> {
    let stages = &f.c.stages;
    let ns = stages.len();
    let Some(me) = stages.get(s) else {
        return Vec::new();
    };
    (0..f.n_leads)
        .filter_map(|lead| {
            let row = f.entered.get(lead * ns..lead * ns + ns)?;
            let from = row[s];
            if from == i64::MIN {
                return None;
            }
            let until = if me.lost {
                i64::MAX
            } else {
                row.iter()
                    .zip(stages)
                    .filter(|(t, st)| **t != i64::MIN && (st.lost || st.rank > me.rank))
                    .map(|(t, _)| *t)
                    .min()
                    .unwrap_or(i64::MAX)
            };
            Some((lead, from, until))
        })
        .collect()
}

pub(super) fn count(f: &Facts<'_>, stage: u16, edge: PeriodEdge, by: &[ByKey]) -> KVal {
    let stays = stays(f, stage as usize);
    let whole = match edge {
        PeriodEdge::Start => f.start,
        PeriodEdge::End => f.as_of,
    };
    let in_at = |t: i64| stays.iter().filter(move |(_, a, b)| *a <= t && t < *b);
    let total = whole.map_or(0, |t| in_at(t).count());
    let mut groups: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    let fact = |lead: usize, at: i64| Fact {
        at,
        lead,
        event: None,
        value: Some(Decimal::ONE),
    };
    let period = by.iter().enumerate().find_map(|(i, k)| match k {
        ByKey::Period(p) => Some((i, *p)),
        _ => None,
    });
    match (period, f.start.zip(f.as_of)) {
        _ if by.is_empty() => {}
        (None, _) => {
            if let Some(t) = whole {
                for (lead, _, _) in in_at(t) {
                    let x = fact(*lead, t);
                    let key = by.iter().map(|k| label(f, k, &x)).collect();
                    *groups.entry(key).or_default() += 1;
                }
            }
        }
        (Some((pi, p)), Some((start, as_of))) => {
            let list = periods::between(p, start, as_of, f.c.tz);
            // The instant each period is judged at.
            let instants: Vec<i64> = match edge {
                PeriodEdge::Start => list.iter().map(|(_, t)| *t).collect(),
                PeriodEdge::End => (0..list.len())
                    .map(|j| list.get(j + 1).map_or(as_of, |(_, t)| (t - 1).min(as_of)))
                    .collect(),
            };
            // Another period key labels each period on its own.
            let two_periods = by
                .iter()
                .enumerate()
                .any(|(i, k)| i != pi && matches!(k, ByKey::Period(_)));
            // Per lead the periods it is counted in are consecutive: count
            // them as a range per combination of its other keys' labels.
            let mut diffs: HashMap<Vec<String>, Vec<i64>> = HashMap::new();
            for (lead, a, b) in &stays {
                let lo = instants.partition_point(|t| t < a);
                let hi = instants.partition_point(|t| t < b);
                if lo >= hi {
                    continue;
                }
                if two_periods {
                    for (j, t) in instants.iter().enumerate().take(hi).skip(lo) {
                        let x = fact(*lead, *t);
                        let mut key: Vec<String> = by.iter().map(|k| label(f, k, &x)).collect();
                        key[pi] = list[j].0.clone();
                        *groups.entry(key).or_default() += 1;
                    }
                    continue;
                }
                let x = fact(*lead, instants[lo]);
                let others: Vec<String> = by
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        if i == pi {
                            String::new()
                        } else {
                            label(f, k, &x)
                        }
                    })
                    .collect();
                let d = diffs
                    .entry(others)
                    .or_insert_with(|| vec![0; instants.len() + 1]);
                d[lo] += 1;
                d[hi] -= 1;
            }
            for (others, d) in diffs {
                let mut n = 0i64;
                for (j, step) in d.iter().take(instants.len()).enumerate() {
                    n += step;
                    if n > 0 {
                        let mut key = others.clone();
                        key[pi] = list[j].0.clone();
                        groups.insert(key, n.unsigned_abs());
                    }
                }
            }
        }
        // No events: no periods.
        (Some(_), None) => {}
    }
    KVal {
        total: Some(Decimal::from(total)),
        grouped: !by.is_empty(),
        groups: groups
            .into_iter()
            .map(|(k, n)| (k, Some(Decimal::from(n))))
            .collect(),
        empty: Some(Decimal::ZERO),
        through: None,
        fault: None,
    }
}
