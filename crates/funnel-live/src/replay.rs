//! A lead's state, recomputed: the lead's stored history replayed by the
//! engine's lead-by-lead [`Stepper`], up to an as-of instant.
//!
//! Leads never affect each other, so the leads a write touches are put in a
//! small [`Dataset`] of their own and stepped one at a time: each lead's
//! events in (instant, received order), timers due strictly before an event
//! first (at the same instant the event comes first, as in `funnel run`),
//! then the timers due up to the as-of instant. What comes out per lead is
//! its stage, scores and stage entries, when it next needs stepping (its
//! next timer or its next event after the as-of instant), and its records:
//! every stage change and action, each with its outbox key and the JSON a
//! receiver gets.

use std::collections::HashMap;

use funnel_engine::data::{EventRec, Events};
use funnel_engine::display::{action_detail, fmt_time, fmt_value, reason_text, stage_name};
use funnel_engine::eval::NO_STAGE;
use funnel_engine::trace::{Action, ActionDetail, Transition};
use funnel_engine::{Compiled, Dataset, Outcome, RunOptions, Stepper};
use serde_json::json;

use crate::decode::{event_values, lead_values};
use crate::error::{LiveError, Result};
use crate::input::Cells;
use crate::keys::action_key;
use crate::playbook::Playbook;

/// A stored lead.
#[derive(Clone, Debug)]
pub struct StoredLead {
    pub no: i64,
    pub id: String,
    pub cells: Cells,
}

/// A stored event.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: i64,
    pub event: String,
    pub cells: Cells,
}

/// A lead and its events in (instant, received order).
#[derive(Clone, Debug)]
pub struct History {
    pub lead: StoredLead,
    pub events: Vec<StoredEvent>,
}

/// A stage change or an action, as the outbox holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub key: String,
    pub at: i64,
    /// `stage`, `send`, `notify` or `set`.
    pub kind: &'static str,
    /// `Null` for a record the caller said it holds already (see [`replay`]).
    pub payload: serde_json::Value,
}

/// One lead after its replay.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadResult {
    pub no: i64,
    /// `None` when not in the funnel.
    pub stage: Option<String>,
    /// Score name and value, in declaration order.
    pub scores: Vec<(String, f64)>,
    /// Stage name and entry instant, for the stages entered.
    pub entered: Vec<(String, i64)>,
    /// When the lead must be stepped again: its next timer or its next
    /// event after the as-of instant.
    pub next_due: Option<i64>,
    /// Events replayed (at or before the as-of instant).
    pub events: usize,
    pub records: Vec<Record>,
}

/// The leads of `hs` in a dataset of their own (lead `i` is `hs[i]`) and
/// their events decoded, in the dataset's interner.
pub fn dataset(pb: &Playbook, hs: &[History]) -> Result<(Dataset, Events)> {
    let c = &pb.compiled;
    let mut ds = Dataset::new(c);
    let mut events = Events::default();
    for (i, h) in hs.iter().enumerate() {
        let vals = lead_values(c, &h.lead.cells, &mut ds.texts)
            .map_err(|(f, m)| stored(&format!("lead `{}`", h.lead.id), &f, &m))?;
        ds.push_lead(c, &h.lead.id, &vals)
            .map_err(|m| stored(&format!("lead `{}`", h.lead.id), "id", &m))?;
        for e in &h.events {
            let ev = c
                .event_index(&e.event)
                .and_then(|x| u16::try_from(x).ok())
                .ok_or_else(|| {
                    stored(
                        &format!("event {}", e.seq),
                        "event",
                        &format!("unknown event type `{}`", e.event),
                    )
                })?;
            let vals = event_values(c, ev, &e.cells, &mut ds.texts)
                .map_err(|(f, m)| stored(&format!("event {}", e.seq), &f, &m))?;
            let off = u32::try_from(events.values.len()).unwrap_or(u32::MAX);
            let seq = u32::try_from(events.recs.len()).unwrap_or(u32::MAX);
            events.values.extend(vals);
            events.recs.push(EventRec {
                at: e.at,
                lead: u32::try_from(i).unwrap_or(u32::MAX),
                off,
                seq,
                event: ev,
            });
        }
    }
    Ok((ds, events))
}

fn stored(what: &str, field: &str, msg: &str) -> LiveError {
    LiveError::new(format!(
        "stored {what} does not fit the playbook (`{field}`): {msg}"
    ))
    .help(
        "the playbook in force no longer reads data it accepted before; \
         change it back or rebuild the state under a compatible playbook",
    )
}

/// Replay every lead of `hs` up to `as_of`. `known(lead, key)` says which
/// records the caller holds already: their JSON is not made again.
pub fn replay(
    pb: &Playbook,
    hs: &[History],
    as_of: i64,
    known: &dyn Fn(i64, &str) -> bool,
) -> Result<Vec<LeadResult>> {
    let c = &pb.compiled;
    let (mut ds, events) = dataset(pb, hs)?;
    let inputs = pb.input_values(&mut ds.texts)?;
    let opts = RunOptions {
        as_of: Some(as_of),
        inputs,
        ..RunOptions::default()
    };
    let mut next_due = Vec::with_capacity(hs.len());
    let mut replayed = Vec::with_capacity(hs.len());
    let mut s = Stepper::lead_by_lead(c, &ds, &opts);
    let mut recs = events.recs.iter().peekable();
    for lead in 0..hs.len() {
        let lead = u32::try_from(lead).unwrap_or(u32::MAX);
        s.begin_lead(lead);
        let mut n = 0;
        let mut future = None;
        while let Some(r) = recs.next_if(|r| r.lead == lead) {
            if r.at > as_of {
                future = future.or(Some(r.at));
                continue;
            }
            while s.next_timer().is_some_and(|t| t < r.at) {
                s.fire_next_timer();
            }
            let k = c.events.get(r.event as usize).map_or(0, |e| e.fields.len());
            let fields = events
                .values
                .get(r.off as usize..r.off as usize + k)
                .unwrap_or_default();
            s.deliver(lead, r.event, r.at, fields);
            n += 1;
        }
        while s.next_timer().is_some_and(|t| t <= as_of) {
            s.fire_next_timer();
        }
        next_due.push(match (s.next_timer(), future) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        });
        replayed.push(n);
        s.end_lead(as_of);
    }
    let o = s.finish(as_of);
    Ok(results(c, &ds, &o, hs, &next_due, &replayed, known))
}

fn results(
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    hs: &[History],
    next_due: &[Option<i64>],
    replayed: &[usize],
    known: &dyn Fn(i64, &str) -> bool,
) -> Vec<LeadResult> {
    let mut records: Vec<Vec<Record>> = vec![Vec::new(); hs.len()];
    let mut nth: Vec<HashMap<String, usize>> = vec![HashMap::new(); hs.len()];
    // Stage changes and actions of a lead, each in the order made; stage
    // changes first at the same instant, as the engine lists them.
    let mut items: Vec<(i64, u32, u8, usize)> = Vec::new();
    items.extend(
        o.transitions
            .iter()
            .enumerate()
            .map(|(i, t)| (t.at, t.lead, 0, i)),
    );
    items.extend(
        o.actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.at, a.lead, 1, i)),
    );
    items.sort_by_key(|&(at, lead, kind, i)| (lead, at, kind, i));
    for (_, lead, kind, i) in items {
        let l = lead as usize;
        let (Some(h), Some(out), Some(seen)) = (hs.get(l), records.get_mut(l), nth.get_mut(l))
        else {
            continue;
        };
        let held = |key: &str| known(h.lead.no, key);
        let rec = match kind {
            0 => o
                .transitions
                .get(i)
                .map(|t| stage_record(c, &h.lead.id, t, seen, &held)),
            _ => o
                .actions
                .get(i)
                .map(|a| action_record(c, ds, &h.lead.id, a, seen, &held)),
        };
        out.extend(rec);
    }
    let (ns, nst) = (c.scores.len(), c.stages.len());
    hs.iter()
        .enumerate()
        .zip(records)
        .map(|((l, h), records)| {
            let stage = o.stage.get(l).copied().unwrap_or(NO_STAGE);
            LeadResult {
                no: h.lead.no,
                stage: (stage != NO_STAGE).then(|| stage_name(c, stage).to_string()),
                scores: c
                    .scores
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            s.name.clone(),
                            o.scores.get(l * ns + i).copied().unwrap_or(0.0),
                        )
                    })
                    .collect(),
                entered: c
                    .stages
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        let t = o.entered.get(l * nst + i).copied().unwrap_or(i64::MIN);
                        (t != i64::MIN).then(|| (s.name.clone(), t))
                    })
                    .collect(),
                next_due: next_due.get(l).copied().flatten(),
                events: replayed.get(l).copied().unwrap_or(0),
                records,
            }
        })
        .collect()
}

fn numbered(seen: &mut HashMap<String, usize>, parts: String) -> usize {
    let n = seen.entry(parts).or_insert(0);
    *n += 1;
    *n
}

fn stage_record(
    c: &Compiled,
    lead: &str,
    t: &Transition,
    seen: &mut HashMap<String, usize>,
    held: &dyn Fn(&str) -> bool,
) -> Record {
    let to = stage_name(c, t.to);
    let nth = numbered(seen, format!("stage\x1f{to}\x1f{}", t.at));
    let key = action_key(lead, "stage", "", to, t.at, nth);
    if held(&key) {
        return Record {
            key,
            at: t.at,
            kind: "stage",
            payload: serde_json::Value::Null,
        };
    }
    let from = stage_name(c, t.from);
    let payload = json!({
        "key": key,
        "kind": "stage",
        "lead": lead,
        "at": fmt_time(t.at, c.tz),
        "from": (!from.is_empty()).then_some(from),
        "to": to,
        "reason": reason_text(c, t),
        "playbook": c.name,
    });
    Record {
        key,
        at: t.at,
        kind: "stage",
        payload,
    }
}

fn action_record(
    c: &Compiled,
    ds: &Dataset,
    lead: &str,
    a: &Action,
    seen: &mut HashMap<String, usize>,
    held: &dyn Fn(&str) -> bool,
) -> Record {
    let nurture = c
        .nurtures
        .get(a.nurture as usize)
        .map_or("", |n| n.name.as_str());
    let kind = a.detail.kind();
    let texts = &ds.texts;
    let (target, extra) = match &a.detail {
        ActionDetail::Send(t) => (
            texts.resolve(*t).to_string(),
            json!({ "template": texts.resolve(*t) }),
        ),
        ActionDetail::Notify { channel, message } => (
            texts.resolve(*channel).to_string(),
            json!({ "channel": texts.resolve(*channel), "message": message }),
        ),
        ActionDetail::Set { field, value } => {
            let name = c
                .lead_fields
                .get(*field as usize)
                .map_or("", |f| f.name.as_str());
            (
                name.to_string(),
                json!({ "field": name, "value": fmt_value(*value, texts, c) }),
            )
        }
    };
    let nth = numbered(seen, format!("{kind}\x1f{nurture}\x1f{target}\x1f{}", a.at));
    let key = action_key(lead, kind, nurture, &target, a.at, nth);
    if held(&key) {
        return Record {
            key,
            at: a.at,
            kind,
            payload: serde_json::Value::Null,
        };
    }
    let mut payload = json!({
        "key": key,
        "kind": kind,
        "lead": lead,
        "at": fmt_time(a.at, c.tz),
        "nurture": nurture,
        "step_line": a.line,
        "detail": action_detail(c, texts, &a.detail),
        "playbook": c.name,
    });
    if let (Some(p), serde_json::Value::Object(x)) = (payload.as_object_mut(), extra) {
        p.extend(x);
    }
    Record {
        key,
        at: a.at,
        kind,
        payload,
    }
}

/// Replay one lead with its timeline traced: the stage, scores and the
/// `explain` timeline as lines of text.
pub fn explain(pb: &Playbook, h: &History, as_of: i64) -> Result<(LeadResult, Vec<String>)> {
    let c = &pb.compiled;
    let hs = std::slice::from_ref(h);
    let (mut ds, mut events) = dataset(pb, hs)?;
    let inputs = pb.input_values(&mut ds.texts)?;
    events.sort();
    ds.events = events;
    let opts = RunOptions {
        as_of: Some(as_of),
        trace: Some(0),
        inputs,
        coverage: false,
    };
    let o = funnel_engine::run(c, &ds, &opts, &mut |_, _| {});
    let text = funnel_engine::explain::timeline(c, &ds, &o, 0);
    let replayed = o.events_replayed;
    let mut res = results(c, &ds, &o, hs, &[None], &[replayed], &|_, _| true);
    let lines = text.lines().map(str::to_string).collect();
    res.pop()
        .map(|r| (r, lines))
        .ok_or_else(|| LiveError::new("the lead was not replayed"))
}
