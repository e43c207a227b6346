//! The write path: rows received and time passing, applied in one
//! transaction each.
//!
//! A write appends the new leads and events (a row whose key is already
//! stored is a duplicate and changes nothing), then replays every lead it
//! touched, plus every lead whose next timer or future event is due by the
//! new as-of instant, from the lead's whole stored history. Each replayed
//! lead's records are compared with what the outbox holds for it: new keys
//! are added (pending delivery), pending keys the replay no longer makes
//! are retracted, and the lead's derived state is rewritten. The rows, the
//! state and the outbox change together or not at all.
//!
//! A late event (older than the instant its lead was last stepped to) is
//! just another row of the history; the replay puts it in its place, and
//! whatever it changes in the outbox is reported as a [`Change`].

use std::collections::{BTreeSet, HashMap};

use funnel_engine::display::fmt_time;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::decode::Decoder;
use crate::error::Result;
use crate::input::{RawRow, RowError};
use crate::keys::event_key;
use crate::playbook::Playbook;
use crate::replay::{replay, LeadResult};
use crate::store::{self, meta, Store};

/// Leads replayed per engine pass.
const CHUNK: usize = 512;

/// A store with the playbook in force.
pub struct Live {
    pub store: Store,
    pub pb: Playbook,
}

/// Rows of one kind in one write.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub received: usize,
    pub added: usize,
    pub duplicate: usize,
    pub rejected: usize,
}

/// An outbox entry a write changed other than by adding it in time order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub key: String,
    pub lead: String,
    pub kind: String,
    pub at: String,
    /// `added` (at an instant already stepped past), `retracted` (pending,
    /// no longer made: it will not be delivered), `restored` (retracted,
    /// made again), `obsolete` (delivered, no longer made), `skipped`
    /// (made by a new playbook for the past: not delivered).
    pub change: &'static str,
}

/// A refused row: which input, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejected {
    /// `leads` or `events` (or the file they came from).
    pub input: String,
    #[serde(flatten)]
    pub error: RowError,
}

/// What a write did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub as_of: i64,
    pub leads: Counts,
    pub events: Counts,
    pub rejected: Vec<Rejected>,
    /// New events older than the instant their lead was stepped to.
    pub late_events: usize,
    pub replayed_leads: usize,
    /// Outbox entries added.
    pub actions: usize,
    pub changes: Vec<Change>,
}

/// How a write treats records the replay makes for the first time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// New records are pending delivery.
    Normal,
    /// A new playbook's rebuild: records at or before `before` are the
    /// past it would have made, recorded as `skipped`, never delivered.
    Rebuild { before: i64 },
}

impl Live {
    /// Apply `leads` then `events` (rows as received, or the reason a row
    /// could not be read) in one transaction. With `as_of`, step every
    /// touched or due lead to it (never back: the state's as-of instant only
    /// moves forward); without, only append the rows and mark their leads
    /// due, for a later write to step (a long file goes in several
    /// transactions, stepped once at the end). `now` is the wall clock,
    /// recorded with each row.
    pub fn write(
        &mut self,
        leads: &[Result<RawRow, RowError>],
        events: &[Result<RawRow, RowError>],
        as_of: Option<i64>,
        now: i64,
    ) -> Result<Report> {
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rep = apply(&tx, &self.pb, leads, events, as_of, now)?;
        tx.commit()?;
        Ok(rep)
    }

    /// [`Live::write`] for a request with an idempotency key: the first
    /// time, apply it and keep the response `render` makes, in the same
    /// transaction; later, return the kept response and change nothing.
    /// The `bool` is true for a kept response.
    #[allow(clippy::too_many_arguments)]
    pub fn write_once(
        &mut self,
        request: &str,
        leads: &[Result<RawRow, RowError>],
        events: &[Result<RawRow, RowError>],
        as_of: i64,
        now: i64,
        render: impl FnOnce(&Report) -> (u16, String),
    ) -> Result<(u16, String, bool)> {
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kept: Option<(u16, String)> = tx
            .query_row(
                "SELECT status, body FROM requests WHERE key = ?1",
                [request],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((status, body)) = kept {
            return Ok((status, body, true));
        }
        let rep = apply(&tx, &self.pb, leads, events, Some(as_of), now)?;
        let (status, body) = render(&rep);
        tx.execute(
            "INSERT INTO requests(key, status, body, received) VALUES (?1, ?2, ?3, ?4)",
            params![request, status, body, now],
        )?;
        tx.commit()?;
        Ok((status, body, false))
    }

    /// Step every lead whose timer is due by `as_of`.
    pub fn advance(&mut self, as_of: i64, now: i64) -> Result<Report> {
        self.write(&[], &[], Some(as_of), now)
    }
}

fn apply(
    tx: &rusqlite::Transaction<'_>,
    pb: &Playbook,
    leads: &[Result<RawRow, RowError>],
    events: &[Result<RawRow, RowError>],
    as_of: Option<i64>,
    now: i64,
) -> Result<Report> {
    let prev = store::meta_get(tx, meta::AS_OF)?.and_then(|s| s.parse::<i64>().ok());
    let step_to = as_of.map(|t| prev.map_or(t, |p| p.max(t)));
    let mut rep = Report {
        as_of: step_to.or(prev).unwrap_or(i64::MIN),
        ..Report::default()
    };
    let mut dec = Decoder::new(&pb.compiled);
    let mut touched: BTreeSet<i64> = BTreeSet::new();
    let mut new_at: HashMap<i64, Vec<i64>> = HashMap::new();
    add_leads(tx, &mut dec, leads, now, &mut rep, &mut touched)?;
    add_events(
        tx,
        &mut dec,
        events,
        now,
        &mut rep,
        &mut touched,
        &mut new_at,
    )?;
    let Some(as_of) = step_to else {
        // Append only: the touched leads are due at their earliest new
        // event (a lead without one needs no step: it has not started).
        for no in touched {
            let due = new_at.get(&no).and_then(|v| v.iter().min().copied());
            tx.prepare_cached(
                "INSERT INTO lead_state(lead, stage, scores, entered, replayed_to, next_due, events)
                 VALUES (?1, NULL, '{}', '{}', ?3, ?2, 0)
                 ON CONFLICT(lead) DO UPDATE SET next_due = CASE
                   WHEN ?2 IS NULL THEN next_due
                   WHEN next_due IS NULL OR ?2 < next_due THEN ?2 ELSE next_due END",
            )?
            .execute(params![no, due, i64::MIN])?;
        }
        return Ok(rep);
    };
    {
        let mut q = tx.prepare_cached(
            "SELECT lead FROM lead_state WHERE next_due IS NOT NULL AND next_due <= ?1",
        )?;
        for no in q.query_map([as_of], |r| r.get::<_, i64>(0))? {
            touched.insert(no?);
        }
    }
    let nos: Vec<i64> = touched.into_iter().collect();
    step_leads(tx, pb, &nos, as_of, Mode::Normal, &new_at, &mut rep)?;
    store::meta_set(tx, meta::AS_OF, &as_of.to_string())?;
    Ok(rep)
}

fn reject(rep: &mut Report, input: &'static str, error: RowError) {
    rep.rejected.push(Rejected {
        input: input.to_string(),
        error,
    });
}

fn add_leads(
    tx: &rusqlite::Transaction<'_>,
    dec: &mut Decoder<'_>,
    rows: &[Result<RawRow, RowError>],
    now: i64,
    rep: &mut Report,
    touched: &mut BTreeSet<i64>,
) -> Result<()> {
    let mut find = tx.prepare_cached("SELECT no, cells FROM leads WHERE id = ?1")?;
    let mut key_used = tx.prepare_cached("SELECT id FROM leads WHERE key = ?1")?;
    let mut insert =
        tx.prepare_cached("INSERT INTO leads(id, key, cells, received) VALUES (?1, ?2, ?3, ?4)")?;
    for raw in rows {
        rep.leads.received += 1;
        let row = match raw {
            Ok(raw) => dec.lead(raw),
            Err(e) => Err(e.clone()),
        };
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                rep.leads.rejected += 1;
                reject(rep, "leads", e);
                continue;
            }
        };
        let cells = serde_json::to_string(&row.fields)?;
        let found: Option<(i64, String)> = find
            .query_row([&row.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((_, stored)) = found {
            if stored == cells {
                rep.leads.duplicate += 1;
            } else {
                rep.leads.rejected += 1;
                let e = RowError::new(
                    row.row,
                    Some("id"),
                    format!("lead `{}` was already received with other values", row.id),
                )
                .help("a lead's fields are fixed once received; send what changes as events");
                reject(rep, "leads", e);
            }
            continue;
        }
        let key = row.key.clone().unwrap_or_else(|| row.id.clone());
        let other: Option<String> = key_used.query_row([&key], |r| r.get(0)).optional()?;
        if let Some(other) = other {
            rep.leads.rejected += 1;
            let e = RowError::new(
                row.row,
                Some(crate::decode::KEY_COLUMN),
                format!("the key `{key}` was already used for lead `{other}`"),
            )
            .help("give every lead its own `_key`, or leave `_key` out (the id is the key)");
            reject(rep, "leads", e);
            continue;
        }
        insert.execute(params![row.id, key, cells, now])?;
        touched.insert(tx.last_insert_rowid());
        rep.leads.added += 1;
    }
    Ok(())
}

fn add_events(
    tx: &rusqlite::Transaction<'_>,
    dec: &mut Decoder<'_>,
    rows: &[Result<RawRow, RowError>],
    now: i64,
    rep: &mut Report,
    touched: &mut BTreeSet<i64>,
    new_at: &mut HashMap<i64, Vec<i64>>,
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events(key, lead, at, event, cells, received) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(key) DO NOTHING",
    )?;
    let mut leads: HashMap<String, Option<i64>> = HashMap::new();
    let mut repeats: HashMap<String, usize> = HashMap::new();
    for raw in rows {
        rep.events.received += 1;
        let row = match raw {
            Ok(raw) => dec.event_row(raw),
            Err(e) => Err(e.clone()),
        };
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                rep.events.rejected += 1;
                reject(rep, "events", e);
                continue;
            }
        };
        let no = match leads.get(&row.lead) {
            Some(no) => *no,
            None => {
                let no = store::lead_no(tx, &row.lead)?;
                leads.insert(row.lead.clone(), no);
                no
            }
        };
        let Some(no) = no else {
            rep.events.rejected += 1;
            let e = RowError::new(
                row.row,
                Some("lead"),
                format!("event for unknown lead `{}`", row.lead),
            )
            .help("send the lead first (`POST /v1/leads`, or `--leads` of `funnel ingest`)");
            reject(rep, "events", e);
            continue;
        };
        let key = match &row.key {
            Some(k) => k.clone(),
            None => {
                let k = event_key(&row.lead, &row.event, row.at, &row.fields);
                let n = repeats.entry(k.clone()).or_insert(0);
                *n += 1;
                if *n == 1 {
                    k
                } else {
                    format!("{k}#{n}")
                }
            }
        };
        let cells = serde_json::to_string(&row.fields)?;
        let added = insert.execute(params![key, no, row.at, row.event, cells, now])?;
        if added == 0 {
            rep.events.duplicate += 1;
            continue;
        }
        rep.events.added += 1;
        touched.insert(no);
        new_at.entry(no).or_default().push(row.at);
    }
    Ok(())
}

/// Replay the leads `nos` to `as_of` and bring their state and outbox
/// entries up to date.
pub(crate) fn step_leads(
    tx: &rusqlite::Transaction<'_>,
    pb: &Playbook,
    nos: &[i64],
    as_of: i64,
    mode: Mode,
    new_at: &HashMap<i64, Vec<i64>>,
    rep: &mut Report,
) -> Result<()> {
    let mut fresh: Vec<Fresh> = Vec::new();
    for chunk in nos.chunks(CHUNK) {
        let hs = store::histories(tx, chunk)?;
        let (mut held, before) = chunk_state(tx, chunk)?;
        let known = |lead: i64, key: &str| held.get(&lead).is_some_and(|m| m.contains_key(key));
        let results = replay(pb, &hs, as_of, &known)?;
        for (h, r) in hs.iter().zip(&results) {
            let before = before.get(&r.no).copied();
            if let (Some(b), Some(ats)) = (before, new_at.get(&r.no)) {
                rep.late_events += ats.iter().filter(|&&a| a < b).count();
            }
            let lead_held = held.remove(&r.no).unwrap_or_default();
            sync_outbox(
                tx, pb, &h.lead.id, r, lead_held, before, mode, rep, &mut fresh,
            )?;
            save_state(tx, r, as_of)?;
            rep.replayed_leads += 1;
        }
    }
    // New entries go in by instant, then lead: the order they are delivered in.
    fresh.sort_by_key(|f| (f.at, f.lead));
    let mut insert = tx.prepare_cached(
        "INSERT INTO outbox(key, lead, at, kind, payload, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for f in fresh {
        insert.execute(params![f.key, f.lead, f.at, f.kind, f.payload, f.status])?;
    }
    Ok(())
}

/// An outbox entry to add.
struct Fresh {
    key: String,
    lead: i64,
    at: i64,
    kind: &'static str,
    payload: String,
    status: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn sync_outbox(
    tx: &rusqlite::Transaction<'_>,
    pb: &Playbook,
    lead: &str,
    r: &LeadResult,
    mut held: HashMap<String, (String, i64)>,
    before: Option<i64>,
    mode: Mode,
    rep: &mut Report,
    fresh: &mut Vec<Fresh>,
) -> Result<()> {
    let tz = pb.compiled.tz;
    let mut set = tx.prepare_cached("UPDATE outbox SET status = ?2 WHERE key = ?1")?;
    let note = |rep: &mut Report, key: &str, kind: &str, at: i64, change: &'static str| {
        rep.changes.push(Change {
            key: key.to_string(),
            lead: lead.to_string(),
            kind: kind.to_string(),
            at: fmt_time(at, tz),
            change,
        });
    };
    for rec in &r.records {
        match held.remove(&rec.key) {
            None => {
                let skip = matches!(mode, Mode::Rebuild { before } if rec.at <= before);
                fresh.push(Fresh {
                    key: rec.key.clone(),
                    lead: r.no,
                    at: rec.at,
                    kind: rec.kind,
                    payload: serde_json::to_string(&rec.payload)?,
                    status: if skip { "skipped" } else { "pending" },
                });
                rep.actions += 1;
                if skip {
                    note(rep, &rec.key, rec.kind, rec.at, "skipped");
                } else if before.is_some_and(|b| rec.at < b) {
                    note(rep, &rec.key, rec.kind, rec.at, "added");
                }
            }
            Some((status, _)) if status == "retracted" => {
                set.execute(params![rec.key, "pending"])?;
                note(rep, &rec.key, rec.kind, rec.at, "restored");
            }
            Some((status, _)) if status == "obsolete" => {
                set.execute(params![rec.key, "delivered"])?;
            }
            Some(_) => {}
        }
    }
    // What the outbox holds for the lead and the replay no longer makes.
    let mut gone: Vec<(String, (String, i64))> = held.into_iter().collect();
    gone.sort();
    for (key, (status, at)) in gone {
        let to = match status.as_str() {
            "pending" | "dead" => "retracted",
            "delivered" => "obsolete",
            _ => continue,
        };
        set.execute(params![key, to])?;
        let kind: String = tx
            .prepare_cached("SELECT kind FROM outbox WHERE key = ?1")?
            .query_row([&key], |x| x.get(0))?;
        note(
            rep,
            &key,
            &kind,
            at,
            if to == "retracted" {
                "retracted"
            } else {
                "obsolete"
            },
        );
    }
    Ok(())
}

/// The outbox entries (key -> status, instant) and the last as-of instant
/// of the leads `nos`, each in one query.
#[allow(clippy::type_complexity)]
fn chunk_state(
    tx: &rusqlite::Transaction<'_>,
    nos: &[i64],
) -> Result<(
    HashMap<i64, HashMap<String, (String, i64)>>,
    HashMap<i64, i64>,
)> {
    // Lead numbers are integers: the list is safe to put in the query.
    let list = nos.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut held: HashMap<i64, HashMap<String, (String, i64)>> = HashMap::new();
    let mut q = tx.prepare(&format!(
        "SELECT lead, key, status, at FROM outbox WHERE lead IN ({list})"
    ))?;
    let mut rows = q.query([])?;
    while let Some(r) = rows.next()? {
        held.entry(r.get(0)?)
            .or_default()
            .insert(r.get(1)?, (r.get(2)?, r.get(3)?));
    }
    let mut before = HashMap::new();
    let mut q = tx.prepare(&format!(
        "SELECT lead, replayed_to FROM lead_state WHERE lead IN ({list})"
    ))?;
    let mut rows = q.query([])?;
    while let Some(r) = rows.next()? {
        let t: i64 = r.get(1)?;
        // A lead appended but never stepped has no as-of instant yet.
        if t != i64::MIN {
            before.insert(r.get(0)?, t);
        }
    }
    Ok((held, before))
}

fn save_state(tx: &rusqlite::Transaction<'_>, r: &LeadResult, as_of: i64) -> Result<()> {
    let scores: serde_json::Map<String, serde_json::Value> = r
        .scores
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::json!(v)))
        .collect();
    let entered: serde_json::Map<String, serde_json::Value> = r
        .entered
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::json!(v)))
        .collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO lead_state(lead, stage, scores, entered, replayed_to, next_due, events)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        r.no,
        r.stage,
        serde_json::to_string(&scores)?,
        serde_json::to_string(&entered)?,
        as_of,
        r.next_due,
        i64::try_from(r.events).unwrap_or(i64::MAX)
    ])?;
    Ok(())
}
