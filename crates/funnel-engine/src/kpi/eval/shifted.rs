//! `prev(K)`: K's values one period earlier. The period is the KPI's first
//! period key. In a group whose period is P, `prev(K)` is K's value in the
//! group with the period before P and the same other keys: K's empty value
//! (0 for a count or a sum) when that group has no facts, and undefined
//! when P is the period the data starts in (the first event's), or before
//! it. Its groups are K's, and the groups one period later up to the period
//! of the as-of instant; its total is undefined (a whole run has no
//! previous period).

use std::collections::BTreeSet;

use super::{Facts, KVal};
use crate::kpi::periods;
use crate::kpi::ByKey;

pub(super) fn prev(f: &Facts<'_>, v: KVal, by: &[ByKey]) -> KVal {
    let Some((i, p)) = by.iter().enumerate().find_map(|(i, k)| match k {
        ByKey::Period(p) => Some((i, *p)),
        _ => None,
    }) else {
        // The checker requires a period; without one there is nothing before.
        return KVal {
            fault: v.fault,
            ..KVal::scalar(None)
        };
    };
    let tz = f.c.tz;
    let bounds = f
        .start
        .zip(f.as_of)
        .and_then(|(s, a)| Some((periods::label_at(p, s, tz)?, periods::label_at(p, a, tz)?)));
    let Some((first, last)) = bounds else {
        // No data: no groups, and nothing before it.
        return KVal {
            total: None,
            grouped: true,
            groups: Default::default(),
            empty: None,
            through: None,
            fault: v.fault,
        };
    };
    let mut keys: BTreeSet<Vec<String>> = BTreeSet::new();
    for key in v.groups.keys() {
        keys.insert(key.clone());
        let next = key
            .get(i)
            .and_then(|label| periods::shift(p, label, true))
            .filter(|n| *n <= last);
        if let Some(n) = next {
            let mut k = key.clone();
            k[i] = n;
            keys.insert(k);
        }
    }
    let groups = keys
        .into_iter()
        .map(|key| {
            let before = key
                .get(i)
                .filter(|label| **label > first)
                .and_then(|label| periods::shift(p, label, false));
            let value = before.and_then(|b| {
                let mut k = key.clone();
                k[i] = b;
                v.at(&k)
            });
            (key, value)
        })
        .collect();
    // Undefined through the first period, and one period later than
    // whatever `v` itself is undefined through.
    let later = v
        .through
        .as_ref()
        .and_then(|(_, l)| periods::shift(p, l, true))
        .filter(|l| *l > first);
    KVal {
        total: None,
        grouped: true,
        groups,
        empty: v.empty,
        through: Some((i, later.unwrap_or(first))),
        fault: v.fault,
    }
}
