//! `count(by K, … where C)`: the condition's values are computed grouped by
//! the KPI's own keys followed by K, …; each such group where C holds
//! counts one in the KPI's group its leading keys name (a KPI group whose
//! inner groups all fail counts 0). The total counts the groups by K, …
//! alone. The groups are those the condition's values have (a key with no
//! facts in any of them is not counted). An undefined value makes a
//! comparison false, as a missing value does in conditions.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::{eval, holds, Ctx, KVal};
use crate::kpi::{ByKey, KCond};

pub(super) fn count(
    f: &Ctx<'_>,
    keys: &[ByKey],
    cond: &KCond,
    by: &[ByKey],
    totals: &mut Vec<Option<Option<Decimal>>>,
    depth: usize,
) -> KVal {
    let mut inner: Vec<ByKey> = by.to_vec();
    inner.extend(keys.iter().cloned());
    let (judged, fault) = judge(f, cond, &inner, totals, depth);
    // Every group of the KPI that has groups by the inner keys is listed,
    // with 0 when none of them meets the condition.
    let mut groups: BTreeMap<Vec<String>, Option<Decimal>> = BTreeMap::new();
    for (key, held) in &judged {
        let outer = key.get(..by.len()).unwrap_or_default().to_vec();
        let n = groups.entry(outer).or_insert(Some(Decimal::ZERO));
        if *held {
            *n = n.map(|n| n + Decimal::ONE);
        }
    }
    let met = |j: &[(Vec<String>, bool)]| j.iter().filter(|(_, h)| *h).count();
    let (total, fault) = if by.is_empty() {
        (met(&judged), fault)
    } else {
        let (all, f2) = judge(f, cond, keys, totals, depth);
        (met(&all), fault.or(f2))
    };
    KVal {
        total: Some(Decimal::from(total)),
        grouped: !by.is_empty(),
        groups: if by.is_empty() {
            BTreeMap::new()
        } else {
            groups
        },
        empty: Some(Decimal::ZERO),
        through: None,
        fault,
    }
}

/// Every group (by `by`) the condition's values have, and whether `cond`
/// holds in it.
fn judge(
    f: &Ctx<'_>,
    cond: &KCond,
    by: &[ByKey],
    totals: &mut Vec<Option<Option<Decimal>>>,
    depth: usize,
) -> (Vec<(Vec<String>, bool)>, Option<super::Fault>) {
    let mut vals: Vec<KVal> = Vec::new();
    values(f, cond, by, totals, depth, &mut vals);
    let keys: BTreeSet<Vec<String>> = vals.iter().flat_map(|v| v.groups.keys().cloned()).collect();
    let fault = vals.iter().find_map(|v| v.fault);
    let judged = keys
        .into_iter()
        .map(|k| {
            let mut next = 0;
            let held = truth(cond, &vals, &mut next, &k);
            (k, held)
        })
        .collect();
    (judged, fault)
}

/// Evaluate every value the condition compares, in order.
fn values(
    f: &Ctx<'_>,
    c: &KCond,
    by: &[ByKey],
    totals: &mut Vec<Option<Option<Decimal>>>,
    depth: usize,
    out: &mut Vec<KVal>,
) {
    match c {
        KCond::Compare(_, a, b) => {
            for x in [a, b] {
                out.push(eval(f, x, by, totals, depth + 1));
            }
        }
        KCond::And(a, b) | KCond::Or(a, b) => {
            values(f, a, by, totals, depth, out);
            values(f, b, by, totals, depth, out);
        }
        KCond::Not(a) => values(f, a, by, totals, depth, out),
    }
}

/// Whether the condition holds in group `key`, reading the values in the
/// order [`values`] computed them (`next` is the next one to read).
fn truth(c: &KCond, vals: &[KVal], next: &mut usize, key: &[String]) -> bool {
    match c {
        KCond::Compare(op, _, _) => {
            let a = vals.get(*next).and_then(|v| v.at(key));
            let b = vals.get(*next + 1).and_then(|v| v.at(key));
            *next += 2;
            matches!((a, b), (Some(a), Some(b)) if holds(*op, a, b))
        }
        // Both sides are read, whatever the first says, to keep `next` right.
        KCond::And(a, b) => {
            let x = truth(a, vals, next, key);
            let y = truth(b, vals, next, key);
            x && y
        }
        KCond::Or(a, b) => {
            let x = truth(a, vals, next, key);
            let y = truth(b, vals, next, key);
            x || y
        }
        KCond::Not(a) => !truth(a, vals, next, key),
    }
}
