//! The row schemas: check each row of a leads or events file against the
//! playbook's declarations and decode it into a [`Part`] (a stretch of the
//! file's rows, decoded on one thread with its own interner), or reject it
//! (an error, or a count under `--on-bad-row skip`). Parts are merged into
//! the dataset in file order ([`super::merge`]), so the result does not
//! depend on how the file was split.

#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use funnel_engine::data::{EventRec, LeadIndex, RejectKind};
use funnel_engine::hash::FxHashMap;
use funnel_engine::value::{Interner, Value};
use funnel_engine::Compiled;

use super::{BadRows, DataError};
use crate::decode::{decode, decode_unread, InstantCache};

/// The columns a file may have and what a row means.
pub(crate) trait Schema: Sync {
    /// The column's index, or `None` when the column is unknown.
    fn column(&self, name: &str) -> Option<usize>;
    /// The names of all accepted columns, for "unknown column" help.
    fn columns(&self) -> Vec<String>;
    /// Columns that must be present in a CSV header.
    fn check_header(&self, present: &[bool]) -> Result<(), String>;
    /// One row: `cells[col]` is the text, `None` when absent. `pos[col]`
    /// is the 1-based CSV column number (0 when not CSV). An error stops
    /// the reading.
    fn row(
        &self,
        p: &mut Part,
        line: usize,
        cells: &[Option<&str>],
        pos: &[usize],
    ) -> Result<(), DataError>;
    /// A row that could not even be split into cells (counted as read).
    fn bad_row(&self, p: &mut Part, e: DataError) -> Result<(), DataError> {
        p.read += 1;
        p.reject(self.policy(), e)
    }
    fn policy(&self) -> BadRows;
    /// Whether a column the schema does not know is left out rather than
    /// an error (a mapped export's extra columns); records it when so.
    fn ignore(&self, _name: &str) -> bool {
        false
    }
    /// Check a CSV header's names (a map's columns must be there).
    fn check_names(&self, _file: &str, _names: &[&str]) -> Result<(), DataError> {
        Ok(())
    }
    /// Prepare to look up these keys soon (see [`LeadIndex::warm`]).
    fn warm<'k>(&self, _keys: impl Iterator<Item = &'k str>) -> u32
    where
        Self: Sized,
    {
        0
    }
}

/// Decoded rows of a stretch of a file.
#[derive(Debug, Default)]
pub(crate) struct Part {
    /// Rows read, used, rejected (and per kind, with the first message).
    pub read: usize,
    pub used: usize,
    pub rejected: usize,
    pub by_kind: BTreeMap<RejectKind, (usize, String)>,
    /// Rows left out on purpose (see [`funnel_engine::InputReport::unmapped`]).
    pub unmapped: BTreeMap<String, usize>,
    /// Texts of this part's values (their symbols are local to the part).
    pub texts: Interner,
    pub values: Vec<Value>,
    /// Events (`seq` counts within the part).
    pub recs: Vec<EventRec>,
    /// Leads, in file order, rejected ones included: whether a lead id
    /// appears twice can only be told when the parts are merged, and it is
    /// reported before a bad value of the same row.
    pub leads: Vec<LeadRow>,
    pub ids: String,
    pub times: InstantCache,
    /// What stopped this part: an error (under `--on-bad-row error`, or a
    /// whole-file problem); the rows before it are kept.
    pub stop: Option<DataError>,
}

/// One row of a leads file.
#[derive(Debug)]
pub(crate) struct LeadRow {
    pub line: usize,
    /// The id's range in [`Part::ids`] (empty for a row without one).
    pub id: (usize, usize),
    /// The CSV column of the id (0 when not CSV).
    pub id_pos: usize,
    /// Where the row's values start in [`Part::values`].
    pub values: usize,
    /// Why the row is rejected, unless its id turns out to be a duplicate.
    pub err: Option<DataError>,
}

impl Part {
    /// Empty the part for the next chunk, keeping its allocations (and the
    /// instant cache, which holds for any chunk).
    pub(crate) fn clear(&mut self) {
        self.read = 0;
        self.used = 0;
        self.rejected = 0;
        self.by_kind.clear();
        self.unmapped.clear();
        self.texts = Interner::new();
        self.values.clear();
        self.recs.clear();
        self.leads.clear();
        self.ids.clear();
        self.stop = None;
    }

    pub(crate) fn reject(&mut self, policy: BadRows, e: DataError) -> Result<(), DataError> {
        match policy {
            BadRows::Error => Err(e),
            BadRows::Skip => {
                self.rejected += 1;
                let kind = e.kind.unwrap_or(RejectKind::BadValue);
                self.by_kind
                    .entry(kind)
                    .or_insert_with(|| (0, e.to_string()))
                    .0 += 1;
                Ok(())
            }
        }
    }
}

fn cell_error(
    file: &str,
    line: usize,
    pos: usize,
    column: &str,
    message: String,
    kind: RejectKind,
) -> DataError {
    DataError {
        code: kind.code(),
        file: file.to_string(),
        line: Some(line),
        column: (pos > 0).then_some(pos),
        field: Some(column.to_string()),
        message,
        help: None,
        kind: Some(kind),
    }
}

/// Lead field `i`'s cell decoded by its type (no cell or a blank one:
/// missing, an error for a required field); without `keep` the text of a
/// field nothing reads is checked but not kept.
pub(crate) fn lead_value(
    c: &Compiled,
    i: usize,
    cell: Option<&str>,
    keep: bool,
    texts: &mut Interner,
) -> Result<Value, String> {
    let Some(f) = c.lead_fields.get(i) else {
        return Ok(Value::Missing);
    };
    match cell.filter(|s| !s.trim().is_empty()) {
        None if f.optional => Ok(Value::Missing),
        None => Err(format!("the required field `{}` is empty", f.name)),
        Some(text) if !keep && !c.reads.lead.get(i).copied().unwrap_or(true) => {
            decode_unread(text, &f.ty, c.tz, texts)
        }
        Some(text) => decode(text, &f.ty, c.tz, texts),
    }
}

/// Reads leads: an `id` column and one column per lead field.
pub(crate) struct LeadSchema<'a> {
    pub c: &'a Compiled,
    pub file: String,
    pub policy: BadRows,
    /// Keep the text of fields nothing reads (else they are checked only).
    pub keep_unread: bool,
}

impl Schema for LeadSchema<'_> {
    fn policy(&self) -> BadRows {
        self.policy
    }

    fn column(&self, name: &str) -> Option<usize> {
        if name == "id" {
            return Some(0);
        }
        self.c
            .lead_fields
            .iter()
            .position(|f| f.name == name)
            .map(|i| i + 1)
    }

    fn columns(&self) -> Vec<String> {
        let mut v = vec!["id".to_string()];
        v.extend(self.c.lead_fields.iter().map(|f| f.name.clone()));
        v
    }

    fn check_header(&self, present: &[bool]) -> Result<(), String> {
        let cols = self.columns();
        for (i, name) in cols.iter().enumerate() {
            let required = i == 0 || !self.c.lead_fields[i - 1].optional;
            if required && !present.get(i).copied().unwrap_or(false) {
                return Err(name.clone());
            }
        }
        Ok(())
    }

    fn bad_row(&self, p: &mut Part, e: DataError) -> Result<(), DataError> {
        p.read += 1;
        let line = e.line.unwrap_or(0);
        p.leads.push(LeadRow {
            line,
            id: (0, 0),
            id_pos: 0,
            values: p.values.len(),
            err: Some(e),
        });
        Ok(())
    }

    fn row(
        &self,
        p: &mut Part,
        line: usize,
        cells: &[Option<&str>],
        pos: &[usize],
    ) -> Result<(), DataError> {
        p.read += 1;
        let id = cells.first().copied().flatten().unwrap_or("").trim();
        let at = |i: usize| pos.get(i).copied().unwrap_or(0);
        let id_start = p.ids.len();
        p.ids.push_str(id);
        let mut row = LeadRow {
            line,
            id: (id_start, p.ids.len()),
            id_pos: at(0),
            values: p.values.len(),
            err: None,
        };
        if id.is_empty() {
            let msg = "the lead has no `id`".to_string();
            row.err = Some(cell_error(
                &self.file,
                line,
                at(0),
                "id",
                msg,
                RejectKind::BadValue,
            ));
            p.leads.push(row);
            return Ok(());
        }
        for (i, f) in self.c.lead_fields.iter().enumerate() {
            let cell = cells.get(i + 1).copied().flatten();
            match lead_value(self.c, i, cell, self.keep_unread, &mut p.texts) {
                Ok(v) => p.values.push(v),
                Err(reason) => {
                    p.values.truncate(row.values);
                    let msg = format!("bad value in column `{}`: {reason}", f.name);
                    row.err = Some(cell_error(
                        &self.file,
                        line,
                        at(i + 1),
                        &f.name,
                        msg,
                        RejectKind::BadValue,
                    ));
                    break;
                }
            }
        }
        p.leads.push(row);
        Ok(())
    }
}

/// Reads events: `lead`, `event`, `at` and the union of the event fields.
pub(crate) struct EventSchema<'a> {
    pub c: &'a Compiled,
    pub index: &'a LeadIndex,
    pub file: String,
    pub policy: BadRows,
    /// Keep the text of fields nothing reads (else they are checked only).
    pub keep_unread: bool,
    /// Union of event field names (columns 3..).
    names: Vec<String>,
    /// Per event type: the union column of each of its fields.
    field_cols: Vec<Vec<usize>>,
    by_name: FxHashMap<Box<str>, u16>,
}

impl<'a> EventSchema<'a> {
    pub(crate) fn new(
        c: &'a Compiled,
        index: &'a LeadIndex,
        file: &str,
        policy: BadRows,
        keep_unread: bool,
    ) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut field_cols = Vec::new();
        for e in &c.events {
            let mut cols = Vec::new();
            for f in &e.fields {
                let col = match names.iter().position(|n| *n == f.name) {
                    Some(i) => i,
                    None => {
                        names.push(f.name.clone());
                        names.len() - 1
                    }
                };
                cols.push(col + 3);
            }
            field_cols.push(cols);
        }
        let by_name = c
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.as_str().into(), u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        EventSchema {
            c,
            index,
            file: file.to_string(),
            policy,
            keep_unread,
            names,
            field_cols,
            by_name,
        }
    }

    fn unknown_event(&self, line: usize, pos: usize, name: &str) -> DataError {
        let known: Vec<&str> = self.c.events.iter().map(|e| e.name.as_str()).collect();
        cell_error(
            &self.file,
            line,
            pos,
            "event",
            format!("unknown event type `{name}`"),
            RejectKind::UnknownEvent,
        )
        .help(
            match funnel_check::suggest::did_you_mean(name, known.iter().copied()) {
                Some(near) => format!(
                    "did you mean `{near}`? Otherwise declare it with `event {name}` in the playbook"
                ),
                None => format!(
                    "declare it with `event {name}` in the playbook, or use one of: {}",
                    known.join(", ")
                ),
            },
        )
    }
}

impl Schema for EventSchema<'_> {
    fn policy(&self) -> BadRows {
        self.policy
    }

    fn warm<'k>(&self, keys: impl Iterator<Item = &'k str>) -> u32 {
        self.index.warm(keys)
    }

    fn column(&self, name: &str) -> Option<usize> {
        match name {
            "lead" => Some(0),
            "event" => Some(1),
            "at" => Some(2),
            _ => self.names.iter().position(|n| n == name).map(|i| i + 3),
        }
    }

    fn columns(&self) -> Vec<String> {
        let mut v = vec!["lead".to_string(), "event".to_string(), "at".to_string()];
        v.extend(self.names.iter().cloned());
        v
    }

    fn check_header(&self, present: &[bool]) -> Result<(), String> {
        for (i, name) in ["lead", "event", "at"].iter().enumerate() {
            if !present.get(i).copied().unwrap_or(false) {
                return Err(name.to_string());
            }
        }
        Ok(())
    }

    fn row(
        &self,
        p: &mut Part,
        line: usize,
        cells: &[Option<&str>],
        pos: &[usize],
    ) -> Result<(), DataError> {
        p.read += 1;
        let at = |i: usize| pos.get(i).copied().unwrap_or(0);
        let cell = |i: usize| cells.get(i).copied().flatten().map(str::trim).unwrap_or("");
        let lead_id = cell(0);
        let Some(&lead) = self.index.get(lead_id) else {
            let (msg, kind) = if lead_id.is_empty() {
                ("the event has no `lead`".to_string(), RejectKind::BadValue)
            } else {
                (
                    format!("event for unknown lead `{lead_id}`"),
                    RejectKind::UnknownLead,
                )
            };
            let e = cell_error(&self.file, line, at(0), "lead", msg, kind)
                .help("every event's `lead` must be an `id` in the leads file");
            return p.reject(self.policy, e);
        };
        let name = cell(1);
        let Some(&event) = self.by_name.get(name) else {
            let e = self.unknown_event(line, at(1), name);
            return p.reject(self.policy, e);
        };
        let when = match p.times.parse(cell(2), self.c.tz) {
            Ok(t) => t,
            Err(reason) => {
                let msg = format!("bad value in column `at`: {reason}");
                let e = cell_error(&self.file, line, at(2), "at", msg, RejectKind::BadValue);
                return p.reject(self.policy, e);
            }
        };
        let ev = event as usize;
        let cols = &self.field_cols[ev];
        // A value in a column that is not a field of this event is an error.
        for (col, cell) in cells.iter().enumerate().skip(3) {
            if cell.is_some_and(|s| !s.trim().is_empty()) && !cols.contains(&col) {
                let col_name = &self.names[col - 3];
                let msg = format!("`{col_name}` is not a field of event `{name}`");
                let e = cell_error(
                    &self.file,
                    line,
                    at(col),
                    col_name,
                    msg,
                    RejectKind::BadValue,
                );
                return p.reject(self.policy, e);
            }
        }
        let start = p.values.len();
        let fields = &self.c.events[ev].fields;
        let reads = &self.c.reads.events[ev];
        for ((f, &col), &read) in fields.iter().zip(cols).zip(reads) {
            let text = cells
                .get(col)
                .copied()
                .flatten()
                .filter(|s| !s.trim().is_empty());
            let v = match text {
                None if f.optional => Ok(Value::Missing),
                None => Err(format!("event `{name}` needs a value for `{}`", f.name)),
                Some(t) if !self.keep_unread && !read => {
                    decode_unread(t, &f.ty, self.c.tz, &mut p.texts)
                }
                Some(t) => decode(t, &f.ty, self.c.tz, &mut p.texts),
            };
            match v {
                Ok(v) => p.values.push(v),
                Err(reason) => {
                    p.values.truncate(start);
                    let msg = format!("bad value in column `{}`: {reason}", f.name);
                    let e = cell_error(
                        &self.file,
                        line,
                        at(col),
                        &f.name,
                        msg,
                        RejectKind::BadValue,
                    );
                    return p.reject(self.policy, e);
                }
            }
        }
        let seq = u32::try_from(p.recs.len()).unwrap_or(u32::MAX);
        p.recs.push(EventRec {
            at: when,
            lead,
            off: u32::try_from(start).unwrap_or(u32::MAX),
            seq,
            event,
        });
        p.used += 1;
        Ok(())
    }
}
