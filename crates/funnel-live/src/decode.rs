//! Rows checked against the playbook: a lead row (`id` and the lead
//! fields) or an event row (`lead`, `event`, `at` and the event's fields),
//! decoded cell by cell with the engine's own decoder
//! ([`funnel_data::decode`]), so live mode accepts exactly the
//! values `funnel run` accepts, with the same messages. A row may carry an
//! `_key` column: its idempotency key.
//!
//! The same functions decode stored rows when a lead is replayed: what was
//! received is kept as text, and the playbook in force reads it.

use std::collections::HashMap;

use funnel_data::decode::{decode, parse_instant};
use funnel_engine::value::{Interner, Value};
use funnel_engine::Compiled;

use crate::input::{Cells, RawRow, RowError};

/// The column that carries a row's own idempotency key.
pub const KEY_COLUMN: &str = "_key";

/// A lead row that passed the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadRow {
    pub row: usize,
    pub id: String,
    pub key: Option<String>,
    /// The lead fields' cells (no `id`, no `_key`).
    pub fields: Cells,
}

/// An event row that passed the checks (its lead is looked up later).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub row: usize,
    pub lead: String,
    pub event: String,
    pub at: i64,
    pub key: Option<String>,
    /// The event's field cells (no `lead`, `event`, `at`, `_key`).
    pub fields: Cells,
}

/// Checks rows against one compiled playbook.
pub struct Decoder<'c> {
    c: &'c Compiled,
    events: HashMap<&'c str, u16>,
    /// Every event field name, for "unknown column".
    event_columns: Vec<&'c str>,
    scratch: Interner,
}

impl<'c> Decoder<'c> {
    pub fn new(c: &'c Compiled) -> Decoder<'c> {
        let events = c
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.as_str(), u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        let mut event_columns: Vec<&str> = Vec::new();
        for f in c.events.iter().flat_map(|e| &e.fields) {
            if !event_columns.contains(&f.name.as_str()) {
                event_columns.push(&f.name);
            }
        }
        Decoder {
            c,
            events,
            event_columns,
            scratch: Interner::new(),
        }
    }

    /// The event type's number.
    pub fn event(&self, name: &str) -> Option<u16> {
        self.events.get(name).copied()
    }

    /// Check a lead row.
    pub fn lead(&mut self, raw: &RawRow) -> Result<LeadRow, RowError> {
        let row = raw.row;
        let mut fields = raw.cells.clone();
        let id = fields.remove("id").map(|s| s.trim().to_string());
        let key = fields.remove(KEY_COLUMN);
        let Some(id) = id.filter(|s| !s.is_empty()) else {
            return Err(RowError::new(row, Some("id"), "the lead has no `id`")
                .help("give every lead an `id`"));
        };
        if let Some(k) = fields
            .keys()
            .find(|k| !self.c.lead_fields.iter().any(|f| f.name == **k))
        {
            let mut cols = vec!["id".to_string(), KEY_COLUMN.to_string()];
            cols.extend(self.c.lead_fields.iter().map(|f| f.name.clone()));
            return Err(
                RowError::new(row, Some(k), format!("unknown column `{k}`")).help(format!(
                "the playbook declares these columns: {}; remove the column or declare the field",
                cols.join(", ")
            )),
            );
        }
        let mut texts = std::mem::take(&mut self.scratch);
        let checked = lead_values(self.c, &fields, &mut texts);
        self.scratch = texts;
        checked.map_err(|(field, msg)| RowError::new(row, Some(&field), msg))?;
        Ok(LeadRow {
            row,
            id,
            key,
            fields,
        })
    }

    /// Check an event row.
    pub fn event_row(&mut self, raw: &RawRow) -> Result<EventRow, RowError> {
        let row = raw.row;
        let mut fields = raw.cells.clone();
        let lead = fields.remove("lead").map(|s| s.trim().to_string());
        let event = fields.remove("event").map(|s| s.trim().to_string());
        let at = fields.remove("at");
        let key = fields.remove(KEY_COLUMN);
        let Some(lead) = lead.filter(|s| !s.is_empty()) else {
            return Err(RowError::new(row, Some("lead"), "the event has no `lead`")
                .help("every event's `lead` must be the `id` of a lead already received"));
        };
        let Some(name) = event.filter(|s| !s.is_empty()) else {
            return Err(RowError::new(
                row,
                Some("event"),
                "the event has no `event` type",
            ));
        };
        let Some(ev) = self.event(&name) else {
            let known: Vec<&str> = self.c.events.iter().map(|e| e.name.as_str()).collect();
            return Err(
                RowError::new(row, Some("event"), format!("unknown event type `{name}`")).help(
                    format!(
                        "declare it with `event {name}` in the playbook, or use one of: {}",
                        known.join(", ")
                    ),
                ),
            );
        };
        let Some(at_text) = at else {
            return Err(
                RowError::new(row, Some("at"), "the event has no `at` instant")
                    .help("give `at` as RFC 3339 (`2026-03-02T09:00:00Z`) or `2026-03-02 09:00`"),
            );
        };
        let at = parse_instant(at_text.trim(), self.c.tz).map_err(|reason| {
            RowError::new(
                row,
                Some("at"),
                format!("bad value in column `at`: {reason}"),
            )
        })?;
        if let Some(k) = fields
            .keys()
            .find(|k| !self.event_columns.contains(&k.as_str()))
        {
            let mut cols = vec!["lead", "event", "at", KEY_COLUMN];
            cols.extend(self.event_columns.iter().copied());
            return Err(
                RowError::new(row, Some(k), format!("unknown column `{k}`")).help(format!(
                "the playbook declares these columns: {}; remove the column or declare the field",
                cols.join(", ")
            )),
            );
        }
        let mut texts = std::mem::take(&mut self.scratch);
        let checked = event_values(self.c, ev, &fields, &mut texts);
        self.scratch = texts;
        checked.map_err(|(field, msg)| RowError::new(row, Some(&field), msg))?;
        Ok(EventRow {
            row,
            lead,
            event: name,
            at,
            key,
            fields,
        })
    }
}

/// A lead's field values from its cells; the error names the field.
pub fn lead_values(
    c: &Compiled,
    cells: &Cells,
    texts: &mut Interner,
) -> Result<Vec<Value>, (String, String)> {
    let mut out = Vec::with_capacity(c.lead_fields.len());
    for f in &c.lead_fields {
        let v = match cells.get(&f.name).filter(|s| !s.trim().is_empty()) {
            None if f.optional => Value::Missing,
            None => {
                return Err((
                    f.name.clone(),
                    format!("the required field `{}` is empty", f.name),
                ))
            }
            Some(t) => decode(t, &f.ty, c.tz, texts).map_err(|reason| {
                (
                    f.name.clone(),
                    format!("bad value in column `{}`: {reason}", f.name),
                )
            })?,
        };
        out.push(v);
    }
    Ok(out)
}

/// An event's field values from its cells; the error names the field.
pub fn event_values(
    c: &Compiled,
    event: u16,
    cells: &Cells,
    texts: &mut Interner,
) -> Result<Vec<Value>, (String, String)> {
    let Some(def) = c.events.get(event as usize) else {
        return Ok(Vec::new());
    };
    if let Some(k) = cells
        .keys()
        .find(|k| !def.fields.iter().any(|f| f.name == **k))
    {
        return Err((
            k.clone(),
            format!("`{k}` is not a field of event `{}`", def.name),
        ));
    }
    let mut out = Vec::with_capacity(def.fields.len());
    for f in &def.fields {
        let v = match cells.get(&f.name).filter(|s| !s.trim().is_empty()) {
            None if f.optional => Value::Missing,
            None => {
                return Err((
                    f.name.clone(),
                    format!("event `{}` needs a value for `{}`", def.name, f.name),
                ))
            }
            Some(t) => decode(t, &f.ty, c.tz, texts).map_err(|reason| {
                (
                    f.name.clone(),
                    format!("bad value in column `{}`: {reason}", f.name),
                )
            })?,
        };
        out.push(v);
    }
    Ok(out)
}
