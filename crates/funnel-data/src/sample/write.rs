//! Writing a sample to the writers the CLI hands in: the leads as they are
//! drawn, then the events, kept compactly until every lead is drawn, put in
//! time order (a stable counting sort by minute, so ties keep drawing order,
//! which is lead order) and written row by row. CSV rows go through the
//! `csv` writer; JSON Lines objects list the non-empty cells as strings with
//! their keys in alphabetical order.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{draw, headers, SampleOptions};
use funnel_engine::compile::Compiled;
use funnel_engine::display::fmt_time_short;

/// The format of the generated files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    Csv,
    Jsonl,
}

/// How much was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleCounts {
    pub leads: usize,
    pub events: usize,
}

/// A write that failed, by file.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("cannot write the leads: {0}")]
    Leads(io::Error),
    #[error("cannot write the events: {0}")]
    Events(io::Error),
}

/// Interned cell texts of the events.
#[derive(Default)]
pub(crate) struct Strings {
    map: HashMap<String, u32>,
    list: Vec<String>,
}

impl Strings {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(s.to_string());
        self.map.insert(s.to_string(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        self.list.get(i as usize).map_or("", String::as_str)
    }
}

#[derive(Clone, Copy)]
struct Rec {
    lead: u32,
    first: u32,
    event: u16,
    n: u16,
}

/// Every drawn event: its instant, lead, type and cells `(column, text)`.
pub(crate) struct EventStore {
    ts: Vec<i64>,
    recs: Vec<Rec>,
    cells: Vec<(u16, u32)>,
    pub(crate) strings: Strings,
}

impl EventStore {
    pub(crate) fn new() -> EventStore {
        EventStore {
            ts: Vec::new(),
            recs: Vec::new(),
            cells: Vec::new(),
            strings: Strings::default(),
        }
    }

    /// `L0001`, …, `L9999`, `L10000`: zero-padded to 4 digits, whatever
    /// the number of leads, so an id names the same lead in any sample.
    pub(crate) fn lead_id(&self, i: usize) -> String {
        let mut s = String::new();
        self.write_id(&mut s, i as u64);
        s
    }

    fn write_id(&self, s: &mut String, i: u64) {
        let _ = write!(s, "L{:04}", i + 1);
    }

    pub(crate) fn push(&mut self, t: i64, lead: u32, event: u16, cells: &[(u16, u32)]) {
        self.ts.push(t);
        self.recs.push(Rec {
            lead,
            first: u32::try_from(self.cells.len()).unwrap_or(u32::MAX),
            event,
            n: u16::try_from(cells.len()).unwrap_or(u16::MAX),
        });
        self.cells.extend_from_slice(cells);
    }

    /// Event indices by instant; equal instants keep drawing order.
    fn order(&self) -> Vec<u32> {
        let n = self.ts.len();
        let (Some(&lo), Some(&hi)) = (self.ts.iter().min(), self.ts.iter().max()) else {
            return Vec::new();
        };
        let span = usize::try_from((hi - lo) / 60).unwrap_or(usize::MAX);
        let idx = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        if span > 4 * n + 4096 {
            let mut order: Vec<u32> = (0..n).map(idx).collect();
            order.sort_by_key(|&i| self.ts[i as usize]);
            return order;
        }
        let bucket = |t: i64| ((t - lo) / 60) as usize;
        let mut end = vec![0usize; span + 2];
        for &t in &self.ts {
            end[bucket(t) + 1] += 1;
        }
        for b in 1..end.len() {
            end[b] += end[b - 1];
        }
        let mut order = vec![0u32; n];
        for (i, &t) in self.ts.iter().enumerate() {
            let b = bucket(t);
            order[end[b]] = idx(i);
            end[b] += 1;
        }
        // Within a minute, order by the exact instant (stable).
        let mut from = 0;
        for &to in &end[..=span] {
            if to - from > 1 {
                order[from..to].sort_by_key(|&i| self.ts[i as usize]);
            }
            from = to;
        }
        order
    }
}

/// Generate leads and events for the compiled playbook and write them.
pub fn write_sample(
    c: &Compiled,
    o: &SampleOptions,
    format: SampleFormat,
    leads: &mut dyn Write,
    events: &mut dyn Write,
) -> Result<SampleCounts, SampleError> {
    let (lead_header, event_header) = headers(c);
    let store = write_leads(c, o, format, &lead_header, &event_header, leads)
        .map_err(SampleError::Leads)?;
    write_events(c, &store, &event_header, format, events).map_err(SampleError::Events)?;
    Ok(SampleCounts {
        leads: o.leads,
        events: store.ts.len(),
    })
}

/// Draw the leads, writing each as it comes; the events are kept.
fn write_leads(
    c: &Compiled,
    o: &SampleOptions,
    format: SampleFormat,
    lead_header: &[String],
    event_header: &[String],
    out: &mut dyn Write,
) -> io::Result<EventStore> {
    let store = match format {
        SampleFormat::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
            w.write_record(lead_header).map_err(csv_io)?;
            let store = draw(c, o, event_header, &mut |row| {
                w.write_record(row).map_err(csv_io)
            })?;
            w.flush()?;
            store
        }
        SampleFormat::Jsonl => {
            let keys = json_keys(lead_header);
            let mut line = Vec::new();
            draw(c, o, event_header, &mut |row| {
                line.clear();
                json_line(&mut line, &keys, row)?;
                out.write_all(&line)
            })?
        }
    };
    out.flush()?;
    Ok(store)
}

fn write_events(
    c: &Compiled,
    store: &EventStore,
    header: &[String],
    format: SampleFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        SampleFormat::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
            w.write_record(header).map_err(csv_io)?;
            each_row(c, store, header.len(), &mut |row| {
                w.write_record(row).map_err(csv_io)
            })?;
            w.flush()?;
        }
        SampleFormat::Jsonl => {
            let keys = json_keys(header);
            let mut line = Vec::new();
            each_row(c, store, header.len(), &mut |row| {
                line.clear();
                json_line(&mut line, &keys, row)?;
                out.write_all(&line)
            })?;
        }
    }
    out.flush()
}

/// Every event as a row of cells, in time order.
fn each_row(
    c: &Compiled,
    store: &EventStore,
    width: usize,
    f: &mut dyn FnMut(&[&str]) -> io::Result<()>,
) -> io::Result<()> {
    let mut id = String::new();
    let mut last_t = None;
    let mut at = String::new();
    let mut spare: Vec<&str> = Vec::with_capacity(width);
    for i in store.order() {
        let r = store.recs[i as usize];
        let t = store.ts[i as usize];
        if last_t != Some(t) {
            at = fmt_time_short(t, c.tz);
            last_t = Some(t);
        }
        id.clear();
        store.write_id(&mut id, u64::from(r.lead));
        let mut row = recycle(std::mem::take(&mut spare));
        row.resize(width, "");
        row[0] = &id;
        row[1] = c
            .events
            .get(r.event as usize)
            .map_or("", |e| e.name.as_str());
        row[2] = &at;
        let first = r.first as usize;
        for &(col, sym) in &store.cells[first..first + r.n as usize] {
            if let Some(cell) = row.get_mut(col as usize) {
                *cell = store.strings.get(sym);
            }
        }
        let done = f(&row);
        spare = recycle(row);
        done?;
    }
    Ok(())
}

/// Reuse a row's allocation for borrows of the next row (the in-place
/// `collect` keeps the allocation; the row is emptied first).
fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

/// The columns in alphabetical order (the order of a JSON object's keys).
fn json_keys(header: &[String]) -> Vec<(usize, &str)> {
    let mut keys: Vec<(usize, &str)> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (i, h.as_str()))
        .collect();
    keys.sort_by(|a, b| a.1.cmp(b.1));
    keys
}

/// One JSON object of the non-empty cells, all as strings, and a newline.
fn json_line(out: &mut Vec<u8>, keys: &[(usize, &str)], row: &[&str]) -> io::Result<()> {
    out.push(b'{');
    let mut first = true;
    for &(col, key) in keys {
        let v = row.get(col).copied().unwrap_or("");
        if v.is_empty() {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        serde_json::to_writer(&mut *out, v)?;
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

#[cfg(test)]
mod tests {
    use super::EventStore;

    fn store(ts: &[i64]) -> EventStore {
        let mut s = EventStore::new();
        for (i, &t) in ts.iter().enumerate() {
            s.push(t, i as u32, 0, &[]);
        }
        s
    }

    #[test]
    fn events_sort_by_instant_and_keep_drawing_order_on_ties() {
        // Buckets by minute, then by the exact second inside a minute.
        let s = store(&[120, 60, 61, 60, 119, 0]);
        assert_eq!(s.order(), vec![5, 1, 3, 2, 4, 0]);
        // A span too wide for buckets falls back to a stable sort.
        let s = store(&[9_000_000_000, 5, 5, -3]);
        assert_eq!(s.order(), vec![3, 1, 2, 0]);
    }

    #[test]
    fn lead_ids_are_the_same_for_any_count() {
        let s = EventStore::new();
        assert_eq!(s.lead_id(41), "L0042");
        assert_eq!(s.lead_id(9_998), "L9999");
        assert_eq!(s.lead_id(99_999), "L100000");
    }
}
