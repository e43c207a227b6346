//! The row sinks: check each row of a leads or events file against the
//! playbook's declarations and store it compactly, or reject it (an error,
//! or a count under `--on-bad-row skip`).

#![allow(clippy::result_large_err)]

use crate::hash::FxHashMap;

use crate::compile::Compiled;
use crate::value::Value;

use super::decode::{decode, parse_instant};
use super::{BadRows, DataError, Dataset, InputReport, RejectKind, RowSink};

/// One event: fixed size, its field values in [`super::Events::values`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRec {
    pub at: i64,
    pub lead: u32,
    /// Offset of the first field value.
    pub off: u32,
    /// Input order, to keep ties stable.
    pub seq: u32,
    pub event: u16,
}

struct Common<'a> {
    c: &'a Compiled,
    ds: &'a mut Dataset,
    file: String,
    policy: BadRows,
    report: InputReport,
}

impl Common<'_> {
    fn reject(&mut self, e: DataError) -> Result<(), DataError> {
        match self.policy {
            BadRows::Error => Err(e),
            BadRows::Skip => {
                self.report.rejected += 1;
                let kind = e.kind.unwrap_or(RejectKind::BadValue);
                let entry = self
                    .report
                    .by_kind
                    .entry(kind)
                    .or_insert_with(|| (0, e.to_string()));
                entry.0 += 1;
                Ok(())
            }
        }
    }

    fn cell_error(
        &self,
        line: usize,
        pos: usize,
        column: &str,
        message: String,
        kind: RejectKind,
    ) -> DataError {
        DataError {
            file: self.file.clone(),
            line: Some(line),
            column: (pos > 0).then_some(pos),
            field: Some(column.to_string()),
            message,
            help: None,
            kind: Some(kind),
        }
    }

    fn finish(self, what: &str) -> Result<InputReport, DataError> {
        if self.report.read == 0 {
            return Err(
                DataError::file(&self.file, format!("the file has no {what}")).help(format!(
                    "add one row per {} after the header",
                    &what[..what.len() - 1]
                )),
            );
        }
        Ok(self.report)
    }
}

/// Reads leads: an `id` column and one column per lead field.
pub(crate) struct LeadSink<'a> {
    cm: Common<'a>,
}

impl<'a> LeadSink<'a> {
    pub(crate) fn new(c: &'a Compiled, ds: &'a mut Dataset, file: &str, policy: BadRows) -> Self {
        let report = InputReport {
            file: file.to_string(),
            ..InputReport::default()
        };
        LeadSink {
            cm: Common {
                c,
                ds,
                file: file.to_string(),
                policy,
                report,
            },
        }
    }

    pub(crate) fn finish(self) -> Result<InputReport, DataError> {
        self.cm.finish("leads")
    }
}

impl RowSink for LeadSink<'_> {
    fn column(&self, name: &str) -> Option<usize> {
        if name == "id" {
            return Some(0);
        }
        self.cm
            .c
            .lead_fields
            .iter()
            .position(|f| f.name == name)
            .map(|i| i + 1)
    }

    fn columns(&self) -> Vec<String> {
        let mut v = vec!["id".to_string()];
        v.extend(self.cm.c.lead_fields.iter().map(|f| f.name.clone()));
        v
    }

    fn check_header(&self, present: &[bool]) -> Result<(), String> {
        let cols = self.columns();
        for (i, name) in cols.iter().enumerate() {
            let required = i == 0 || !self.cm.c.lead_fields[i - 1].optional;
            if required && !present.get(i).copied().unwrap_or(false) {
                return Err(name.clone());
            }
        }
        Ok(())
    }

    fn bad_row(&mut self, e: DataError) -> Result<(), DataError> {
        self.cm.report.read += 1;
        self.cm.reject(e)
    }

    fn row(&mut self, line: usize, cells: &[Option<&str>], pos: &[usize]) -> Result<(), DataError> {
        self.cm.report.read += 1;
        let id = cells.first().copied().flatten().unwrap_or("").trim();
        let p = |i: usize| pos.get(i).copied().unwrap_or(0);
        if id.is_empty() {
            let e = self.cm.cell_error(
                line,
                p(0),
                "id",
                "the lead has no `id`".into(),
                RejectKind::BadValue,
            );
            return self.cm.reject(e);
        }
        if self.cm.ds.leads.index.contains_key(id) {
            let e = self.cm.cell_error(
                line,
                p(0),
                "id",
                format!("lead `{id}` appears twice"),
                RejectKind::DuplicateLead,
            );
            return self.cm.reject(e);
        }
        let start = self.cm.ds.leads.values.len();
        for (i, f) in self.cm.c.lead_fields.iter().enumerate() {
            let cell = cells
                .get(i + 1)
                .copied()
                .flatten()
                .filter(|s| !s.trim().is_empty());
            let v = match cell {
                None if f.optional => Ok(Value::Missing),
                None => Err(format!("the required field `{}` is empty", f.name)),
                Some(text) => decode(text, &f.ty, self.cm.c.tz, &mut self.cm.ds.texts),
            };
            match v {
                Ok(v) => self.cm.ds.leads.values.push(v),
                Err(reason) => {
                    self.cm.ds.leads.values.truncate(start);
                    let msg = format!("bad value in column `{}`: {reason}", f.name);
                    let e = self
                        .cm
                        .cell_error(line, p(i + 1), &f.name, msg, RejectKind::BadValue);
                    return self.cm.reject(e);
                }
            }
        }
        let leads = &mut self.cm.ds.leads;
        let idx = u32::try_from(leads.ids.len()).unwrap_or(u32::MAX);
        leads.ids.push(id.into());
        leads.index.insert(id.into(), idx);
        self.cm.report.used += 1;
        Ok(())
    }
}

/// Reads events: `lead`, `event`, `at` and the union of the event fields.
pub(crate) struct EventSink<'a> {
    cm: Common<'a>,
    /// Union of event field names (columns 3..).
    names: Vec<String>,
    /// Per event type: the union column of each of its fields.
    field_cols: Vec<Vec<usize>>,
    by_name: FxHashMap<String, u16>,
    seq: u32,
}

impl<'a> EventSink<'a> {
    pub(crate) fn new(c: &'a Compiled, ds: &'a mut Dataset, file: &str, policy: BadRows) -> Self {
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
            .map(|(i, e)| (e.name.clone(), u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        let report = InputReport {
            file: file.to_string(),
            ..InputReport::default()
        };
        EventSink {
            cm: Common {
                c,
                ds,
                file: file.to_string(),
                policy,
                report,
            },
            names,
            field_cols,
            by_name,
            seq: 0,
        }
    }

    pub(crate) fn finish(self) -> Result<InputReport, DataError> {
        self.cm.finish("events")
    }
}

impl RowSink for EventSink<'_> {
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

    fn bad_row(&mut self, e: DataError) -> Result<(), DataError> {
        self.cm.report.read += 1;
        self.cm.reject(e)
    }

    fn row(&mut self, line: usize, cells: &[Option<&str>], pos: &[usize]) -> Result<(), DataError> {
        self.cm.report.read += 1;
        let p = |i: usize| pos.get(i).copied().unwrap_or(0);
        let cell = |i: usize| cells.get(i).copied().flatten().map(str::trim).unwrap_or("");
        let lead_id = cell(0);
        let Some(&lead) = self.cm.ds.leads.index.get(lead_id) else {
            let msg = if lead_id.is_empty() {
                "the event has no `lead`".to_string()
            } else {
                format!("event for unknown lead `{lead_id}`")
            };
            let kind = if lead_id.is_empty() {
                RejectKind::BadValue
            } else {
                RejectKind::UnknownLead
            };
            let e = self
                .cm
                .cell_error(line, p(0), "lead", msg, kind)
                .help("every event's `lead` must be an `id` in the leads file");
            return self.cm.reject(e);
        };
        let name = cell(1);
        let Some(&event) = self.by_name.get(name) else {
            let e = self
                .cm
                .cell_error(
                    line,
                    p(1),
                    "event",
                    format!("unknown event type `{name}`"),
                    RejectKind::UnknownEvent,
                )
                .help(format!(
                    "declare it with `event {name}` in the playbook, or use one of: {}",
                    self.cm
                        .c
                        .events
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            return self.cm.reject(e);
        };
        let at = match parse_instant(cell(2), self.cm.c.tz) {
            Ok(t) => t,
            Err(reason) => {
                let msg = format!("bad value in column `at`: {reason}");
                let e = self
                    .cm
                    .cell_error(line, p(2), "at", msg, RejectKind::BadValue);
                return self.cm.reject(e);
            }
        };
        let ev = event as usize;
        let cols = &self.field_cols[ev];
        // A value in a column that is not a field of this event is an error.
        for (col, cell) in cells.iter().enumerate().skip(3) {
            if cell.is_some_and(|s| !s.trim().is_empty()) && !cols.contains(&col) {
                let col_name = &self.names[col - 3];
                let msg = format!("`{col_name}` is not a field of event `{name}`");
                let e = self
                    .cm
                    .cell_error(line, p(col), col_name, msg, RejectKind::BadValue);
                return self.cm.reject(e);
            }
        }
        let start = self.cm.ds.events.values.len();
        let fields = &self.cm.c.events[ev].fields;
        for (f, &col) in fields.iter().zip(cols) {
            let text = cells
                .get(col)
                .copied()
                .flatten()
                .filter(|s| !s.trim().is_empty());
            let v = match text {
                None if f.optional => Ok(Value::Missing),
                None => Err(format!("event `{name}` needs a value for `{}`", f.name)),
                Some(t) => decode(t, &f.ty, self.cm.c.tz, &mut self.cm.ds.texts),
            };
            match v {
                Ok(v) => self.cm.ds.events.values.push(v),
                Err(reason) => {
                    self.cm.ds.events.values.truncate(start);
                    let msg = format!("bad value in column `{}`: {reason}", f.name);
                    let e = self
                        .cm
                        .cell_error(line, p(col), &f.name, msg, RejectKind::BadValue);
                    return self.cm.reject(e);
                }
            }
        }
        self.cm.ds.events.recs.push(EventRec {
            at,
            lead,
            off: u32::try_from(start).unwrap_or(u32::MAX),
            seq: self.seq,
            event,
        });
        self.seq += 1;
        self.cm.report.used += 1;
        Ok(())
    }
}
