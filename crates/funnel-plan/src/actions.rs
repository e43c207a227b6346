//! Actions that appear, disappear or move between two replays.
//!
//! Actions are keyed by kind and what they name (a send's template, a
//! notify's channel, a set's field) and compared lead by lead: for one lead
//! and key, the k-th action of the old replay (in time order) pairs with the
//! k-th of the new one; pairs at different instants are *moved*, the extra
//! ones on either side *added* or *removed*. Sends are also counted per ISO
//! week (each playbook in its own zone).

use std::collections::{BTreeMap, HashMap};

use super::{ActionChange, Side, WeekSends};
use funnel_engine::kpi::eval::period_label;
use funnel_engine::kpi::Period;
use funnel_engine::trace::ActionDetail;

type Key = (String, String);

/// Per key, per lead: the instants of its actions, in time order.
fn by_key(side: Side<'_>) -> BTreeMap<Key, HashMap<u32, Vec<i64>>> {
    let mut m: BTreeMap<Key, HashMap<u32, Vec<i64>>> = BTreeMap::new();
    for a in &side.o.actions {
        let what = match &a.detail {
            ActionDetail::Send(t) => side.texts.resolve(*t).to_string(),
            ActionDetail::Notify { channel, .. } => side.texts.resolve(*channel).to_string(),
            ActionDetail::Set { field, .. } => side
                .c
                .lead_fields
                .get(*field as usize)
                .map_or(String::new(), |f| f.name.clone()),
        };
        m.entry((a.detail.kind().to_string(), what))
            .or_default()
            .entry(a.lead)
            .or_default()
            .push(a.at);
    }
    for leads in m.values_mut() {
        for times in leads.values_mut() {
            times.sort_unstable();
        }
    }
    m
}

fn weeks(side: Side<'_>) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for a in &side.o.actions {
        if let ActionDetail::Send(t) = &a.detail {
            let week = period_label(Period::Week, a.at, side.c.tz);
            *m.entry((week, side.texts.resolve(*t).to_string()))
                .or_insert(0) += 1;
        }
    }
    m
}

/// Every (kind, what) of either side, and the sends per week that differ.
pub(super) fn diff(old: Side<'_>, new: Side<'_>) -> (Vec<ActionChange>, Vec<WeekSends>) {
    let (b, a) = (by_key(old), by_key(new));
    let empty = HashMap::new();
    let mut keys: Vec<&Key> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changes = Vec::with_capacity(keys.len());
    for key in keys {
        let lb = b.get(key).unwrap_or(&empty);
        let la = a.get(key).unwrap_or(&empty);
        let mut ch = ActionChange {
            kind: key.0.clone(),
            what: key.1.clone(),
            ..ActionChange::default()
        };
        for (lead, tb) in lb {
            let ta = la.get(lead).map_or(&[][..], Vec::as_slice);
            ch.before += tb.len();
            let paired = tb.len().min(ta.len());
            ch.removed += tb.len() - paired;
            ch.added += ta.len() - paired;
            ch.moved += tb.iter().zip(ta).filter(|(x, y)| x != y).count();
        }
        for (lead, ta) in la {
            ch.after += ta.len();
            if !lb.contains_key(lead) {
                ch.added += ta.len();
            }
        }
        changes.push(ch);
    }
    let (wb, wa) = (weeks(old), weeks(new));
    let mut wkeys: Vec<&(String, String)> = wb.keys().chain(wa.keys()).collect();
    wkeys.sort();
    wkeys.dedup();
    let by_week = wkeys
        .into_iter()
        .filter_map(|k| {
            let before = wb.get(k).copied().unwrap_or(0);
            let after = wa.get(k).copied().unwrap_or(0);
            (before != after).then(|| WeekSends {
                week: k.0.clone(),
                template: k.1.clone(),
                before,
                after,
            })
        })
        .collect();
    (changes, by_week)
}
