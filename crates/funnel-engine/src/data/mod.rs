//! The data a run replays, in memory: the leads (ids, the index by id and
//! their field values) and the events (fixed-size records with their field
//! values in a side arena), with the interner their text values live in.
//! Memory grows with leads and with events only by a few bytes each.
//!
//! Reading files into a [`Dataset`] is `funnel-data`'s work (CSV, JSON Lines
//! and YAML); the test runner and the simulator build one directly.

mod index;

use std::collections::BTreeMap;

use crate::compile::Compiled;
use crate::value::{Interner, Value};

pub use index::LeadIndex;

/// One event: fixed size, its field values in [`Events::values`].
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

/// Why a row was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectKind {
    /// A cell that does not decode, a missing required value, a wrong number of cells.
    BadValue,
    UnknownEvent,
    UnknownLead,
    DuplicateLead,
}

impl RejectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::BadValue => "bad value",
            RejectKind::UnknownEvent => "unknown event type",
            RejectKind::UnknownLead => "unknown lead",
            RejectKind::DuplicateLead => "duplicate lead id",
        }
    }

    /// The stable code of a row rejected for this reason.
    pub fn code(self) -> &'static str {
        match self {
            RejectKind::BadValue => "funnel::data::bad_value",
            RejectKind::UnknownEvent => "funnel::data::unknown_event",
            RejectKind::UnknownLead => "funnel::data::unknown_lead",
            RejectKind::DuplicateLead => "funnel::data::duplicate_lead",
        }
    }
}

/// Counts for one input file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputReport {
    pub file: String,
    /// Data rows read (the header not counted).
    pub read: usize,
    pub used: usize,
    pub rejected: usize,
    /// Rejected rows per kind, with the first such problem's message.
    pub by_kind: BTreeMap<RejectKind, (usize, String)>,
    /// Rows read but left out on purpose, not errors (a `--map`'s unmapped
    /// event names, Segment calls of another type, anonymous events no
    /// `identify` links to a lead): what they were, with their counts.
    pub unmapped: BTreeMap<String, usize>,
    /// Columns of a mapped CSV export that nothing reads, in file order.
    pub ignored_columns: Vec<String>,
}

impl InputReport {
    /// Rows left out by the map ([`InputReport::unmapped`]).
    pub fn unmapped_rows(&self) -> usize {
        self.unmapped.values().sum()
    }
}

/// The leads: ids, an index by id, and their field values (row-major).
#[derive(Clone, Debug, Default)]
pub struct Leads {
    pub ids: Vec<Box<str>>,
    pub index: LeadIndex,
    /// `ids.len() * n_fields` values, lead by lead.
    pub values: Vec<Value>,
    pub n_fields: usize,
}

impl Leads {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn fields(&self, lead: usize) -> &[Value] {
        let n = self.n_fields;
        self.values.get(lead * n..lead * n + n).unwrap_or_default()
    }
}

/// The events, in input order until [`Events::sort`]; field values of event
/// `r` are `values[r.off .. r.off + fields of r.event]`.
#[derive(Clone, Debug, Default)]
pub struct Events {
    pub recs: Vec<EventRec>,
    pub values: Vec<Value>,
}

impl Events {
    /// Sort by (instant, input order).
    pub fn sort(&mut self) {
        self.recs.sort_unstable_by_key(|r| (r.at, r.seq));
    }
}

/// Leads, events and the interner their text values live in.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub texts: Interner,
    pub leads: Leads,
    pub events: Events,
    pub lead_report: InputReport,
    pub event_report: InputReport,
    /// Keep the text of lead and event fields the playbook never reads
    /// (default). Without it such cells are still checked, but their values
    /// are read as missing: enough for `funnel run`, whose outputs never
    /// show them, and faster.
    pub keep_unread: bool,
}

impl Dataset {
    /// An empty dataset sharing the compiled playbook's interned literals.
    pub fn new(c: &Compiled) -> Dataset {
        Dataset {
            texts: c.texts.clone(),
            leads: Leads {
                n_fields: c.lead_fields.len(),
                ..Leads::default()
            },
            events: Events::default(),
            lead_report: InputReport::default(),
            event_report: InputReport::default(),
            keep_unread: true,
        }
    }

    /// Add one lead whose field values are already decoded (one per lead
    /// field, text interned in this dataset's interner), without a file:
    /// the simulator's synthetic leads. Returns the lead's number; the error
    /// names a required field that is missing or the repeated id.
    pub fn push_lead(&mut self, c: &Compiled, id: &str, values: &[Value]) -> Result<u32, String> {
        if values.len() != c.lead_fields.len() {
            return Err(format!(
                "{} values for {} lead fields",
                values.len(),
                c.lead_fields.len()
            ));
        }
        if let Some((f, _)) = c
            .lead_fields
            .iter()
            .zip(values)
            .find(|(f, v)| !f.optional && matches!(v, Value::Missing))
        {
            return Err(format!("the required field `{}` is empty", f.name));
        }
        let n = u32::try_from(self.leads.ids.len()).map_err(|_| "too many leads".to_string())?;
        if self.leads.index.insert_new(id, n).is_some() {
            return Err(format!("the lead id `{id}` appears twice"));
        }
        self.leads.values.extend_from_slice(values);
        self.leads.ids.push(id.into());
        self.lead_report.read += 1;
        self.lead_report.used += 1;
        Ok(n)
    }
}
