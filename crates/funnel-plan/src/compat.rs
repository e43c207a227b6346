//! Whether two playbooks read the same data, so that comparing their
//! replays compares rules and nothing else.
//!
//! Each playbook reads the data files itself (its declarations decide how
//! cells decode), so the CLI loads two [`Dataset`]s. [`same_data`] then
//! refuses a plan when:
//!
//! 1. a playbook declares and uses an event type the other does not declare
//!    and the events file has no event of that type: its rules would be
//!    judged on data that cannot trigger them;
//! 2. likewise a lead field (or an event field) the other playbook does not
//!    declare and the data has no value for (if the data had the column,
//!    the other playbook would have rejected it as unknown);
//! 3. the two accepted different rows (possible with `--on-bad-row skip`,
//!    or when a field's type changed so one side rejects a value).
//!
//! Declarations only one playbook has that it does not read (its unused
//! columns) are allowed, and so is anything both declare alike: the data
//! affects both sides the same way.

use std::collections::HashMap;

use funnel_engine::compile::Compiled;
use funnel_engine::data::{Dataset, EventRec};
use funnel_engine::display::fmt_time_short;
use funnel_engine::value::Value;

use funnel_check::hir::reads::Reads;

/// One playbook as loaded: its path (for messages), program and data.
#[derive(Clone, Copy)]
pub struct DataSide<'a> {
    pub label: &'a str,
    pub c: &'a Compiled,
    pub ds: &'a Dataset,
}

/// Why the two playbooks do not read the same data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub message: String,
    pub help: String,
}

/// Check that `old` and `new` read the same data (see the module docs).
pub fn same_data(old: DataSide<'_>, new: DataSide<'_>) -> Result<(), Mismatch> {
    let (u_old, u_new) = (&old.c.uses, &new.c.uses);
    declared_without_data(new, u_new, old)?;
    declared_without_data(old, u_old, new)?;
    same_leads(old, new)?;
    same_events(old, new)
}

fn declared_without_data(a: DataSide<'_>, u: &Reads, b: DataSide<'_>) -> Result<(), Mismatch> {
    let events_file = &a.ds.event_report.file;
    let leads_file = &a.ds.lead_report.file;
    for (i, e) in a.c.events.iter().enumerate() {
        let used = u.events.get(i).copied().unwrap_or(false);
        if !used {
            continue;
        }
        let rows: Vec<usize> =
            a.ds.events
                .recs
                .iter()
                .filter(|r| r.event as usize == i)
                .map(|r| r.off as usize)
                .collect();
        let Some(other) = b.c.events.iter().find(|x| x.name == e.name) else {
            if rows.is_empty() {
                return Err(Mismatch {
                    message: format!(
                        "`{}` declares event `{}`, which `{}` does not declare and `{events_file}` does not contain",
                        a.label, e.name, b.label
                    ),
                    help: format!(
                        "a plan replays the same data under both playbooks, so rules on `{0}` would never fire; \
                         use an events file that has `{0}` events, and declare `event {0}` in `{1}` too so both playbooks read them",
                        e.name, b.label
                    ),
                });
            }
            continue;
        };
        if rows.is_empty() {
            continue;
        }
        for (fi, f) in e.fields.iter().enumerate() {
            let read = u
                .event_fields
                .get(i)
                .and_then(|fs| fs.get(fi))
                .copied()
                .unwrap_or(false);
            if !read || other.fields.iter().any(|x| x.name == f.name) {
                continue;
            }
            let none = rows.iter().all(|off| {
                a.ds.events
                    .values
                    .get(off + fi)
                    .is_none_or(|v| *v == Value::Missing)
            });
            if none {
                return Err(Mismatch {
                    message: format!(
                        "`{}` declares field `{}` of event `{}`, which `{}` does not declare and `{events_file}` has no values for",
                        a.label, f.name, e.name, b.label
                    ),
                    help: format!(
                        "rules reading `{0}.{1}` would see it missing on every event; add a `{1}` column with values to `{events_file}`, \
                         and declare the field in `{2}` too so both playbooks read it",
                        e.name, f.name, b.label
                    ),
                });
            }
        }
    }
    let n = a.ds.leads.n_fields;
    if a.ds.leads.is_empty() || n == 0 {
        return Ok(());
    }
    for (fi, f) in a.c.lead_fields.iter().enumerate() {
        let read = u.lead.get(fi).copied().unwrap_or(false);
        if !read || b.c.lead_fields.iter().any(|x| x.name == f.name) {
            continue;
        }
        let none =
            a.ds.leads
                .values
                .iter()
                .skip(fi)
                .step_by(n)
                .all(|v| *v == Value::Missing);
        if none {
            return Err(Mismatch {
                message: format!(
                    "`{}` declares lead field `{}`, which `{}` does not declare and `{leads_file}` has no values for",
                    a.label, f.name, b.label
                ),
                help: format!(
                    "rules reading `{0}` would see it missing for every lead; add a `{0}` column with values to `{leads_file}`, \
                     and declare the field in `{1}` too so both playbooks read it",
                    f.name, b.label
                ),
            });
        }
    }
    Ok(())
}

/// The first reason given for rejected rows of a file, for help texts.
fn rejections(side: DataSide<'_>, events: bool) -> String {
    let r = if events {
        &side.ds.event_report
    } else {
        &side.ds.lead_report
    };
    match r.by_kind.values().next() {
        Some((n, first)) => format!(
            "`{}` rejected {} row(s) of `{}`, the first: {}",
            side.label,
            r.rejected.max(*n),
            r.file,
            first.replace('\n', " ")
        ),
        None => format!("`{}` rejected no row of `{}`", side.label, r.file),
    }
}

fn different(old: DataSide<'_>, new: DataSide<'_>, what: String, events: bool) -> Mismatch {
    Mismatch {
        message: format!(
            "`{}` and `{}` read different data: {what}",
            old.label, new.label
        ),
        help: format!(
            "a plan compares rules on the same rows; {}; {}; make both playbooks accept the same rows \
             (declare the same fields, values and events) or fix the data",
            rejections(old, events),
            rejections(new, events)
        ),
    }
}

fn same_leads(old: DataSide<'_>, new: DataSide<'_>) -> Result<(), Mismatch> {
    let (a, b) = (&old.ds.leads.ids, &new.ds.leads.ids);
    if a == b {
        return Ok(());
    }
    let only = |x: DataSide<'_>, y: DataSide<'_>| {
        x.ds.leads
            .ids
            .iter()
            .find(|id| !y.ds.leads.index.contains_key(*id))
            .map(|id| {
                format!(
                    "`{}` accepts lead `{id}` of `{}` and `{}` does not",
                    x.label, x.ds.lead_report.file, y.label
                )
            })
    };
    let what = only(old, new)
        .or_else(|| only(new, old))
        .unwrap_or_else(|| "the leads are read in a different order".to_string());
    Err(different(old, new, what, false))
}

fn same_events(old: DataSide<'_>, new: DataSide<'_>) -> Result<(), Mismatch> {
    fn name<'a>(s: DataSide<'a>, e: u16) -> &'a str {
        s.c.events.get(e as usize).map_or("", |d| d.name.as_str())
    }
    fn key<'a>(s: DataSide<'a>, r: &EventRec) -> (u32, i64, &'a str) {
        (r.lead, r.at, name(s, r.event))
    }
    let (a, b) = (&old.ds.events.recs, &new.ds.events.recs);
    if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(old, x) == key(new, y)) {
        return Ok(());
    }
    // Events are sorted by instant; find the first one only one side kept.
    let mut counts: HashMap<(u32, i64, &str), i64> = HashMap::new();
    for r in a {
        *counts.entry(key(old, r)).or_insert(0) += 1;
    }
    for r in b {
        *counts.entry(key(new, r)).or_insert(0) -= 1;
    }
    let extra = |s: DataSide<'_>, recs: &[EventRec], sign: i64| {
        recs.iter()
            .find(|r| counts.get(&key(s, r)).is_some_and(|n| n * sign > 0))
            .copied()
    };
    let (x, y) = (extra(old, a, 1), extra(new, b, -1));
    let (side, other, r) = match (x, y) {
        (Some(x), Some(y)) if y.at < x.at => (new, old, y),
        (Some(x), _) => (old, new, x),
        (None, Some(y)) => (new, old, y),
        (None, None) => {
            return Err(different(old, new, "the events differ".to_string(), true));
        }
    };
    let id = side.ds.leads.ids.get(r.lead as usize).map_or("", |x| x);
    let what = format!(
        "`{}` accepts event `{}` of lead `{id}` at {} in `{}` and `{}` does not",
        side.label,
        name(side, r.event),
        fmt_time_short(r.at, side.c.tz),
        side.ds.event_report.file,
        other.label
    );
    Err(different(old, new, what, true))
}
