//! Lead data input: leads and events from CSV, JSON Lines or YAML, read into
//! the engine's [`Dataset`].
//!
//! Parsing is pure: readers take `impl Read` and a file name for messages.
//! Each format turns its rows into cells of text keyed by column, and the
//! schemas in [`rows`] check them against the playbook's declarations and
//! decode them into compact storage: leads as a flat table of values, events
//! as fixed-size records with their field values in a side arena, so memory
//! grows with leads and with events only by a few bytes each. CSV and JSON
//! Lines files are cut into chunks decoded on several threads
//! ([`chunks`]) and merged in file order ([`merge`]).

// Errors are the rare path and carry a message, location and help; boxing
// them would only add an allocation to every error site.
#![allow(clippy::result_large_err)]

mod chunks;
mod csv;
mod jsonl;
mod mapped;
mod merge;
mod rows;
mod segment;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_csv;
#[cfg(test)]
mod tests_formats;
#[cfg(test)]
mod tests_mapped;
mod yaml;

use std::io::Read;

use funnel_engine::data::{Dataset, InputReport};
use funnel_engine::Compiled;

/// Where the last complete CSV record of `buf` ends, as the reader cuts
/// chunks (exposed for the benchmark that compares it with `csv-core`).
#[doc(hidden)]
pub fn csv_record_boundary(buf: &[u8]) -> Option<usize> {
    chunks::scan_csv(buf).boundary
}
pub use segment::{is_segment_line, Links, ANONYMOUS};
pub use yaml::{too_deep as yaml_too_deep, MAX_DEPTH as YAML_MAX_DEPTH};

pub use crate::error::DataError;
use crate::map::Mapping;

/// The format of a data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Yaml,
    /// Segment-spec JSON Lines: `identify` calls for leads, `track` calls
    /// for events ([`segment`]).
    Segment,
}

impl Format {
    /// The format a file name's extension implies.
    pub fn from_path(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next().unwrap_or_default();
        match ext {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "yaml" | "yml" => Some(Format::Yaml),
            "segment" => Some(Format::Segment),
            _ => None,
        }
    }

    /// A JSON Lines file whose first non-blank line is a Segment-spec call
    /// (`"type": "track"`, `"identify"`, …) is [`Format::Segment`]; any
    /// other format stays as it is.
    pub fn refine(self, head: &[u8]) -> Format {
        if self != Format::Jsonl {
            return self;
        }
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = head
            .split(|b| *b == b'\n')
            .find(|l| !l.iter().all(u8::is_ascii_whitespace));
        match first.and_then(|l| std::str::from_utf8(l).ok()) {
            Some(line) if is_segment_line(line) => Format::Segment,
            _ => self,
        }
    }
}

/// How to read a file beyond its format: a `--map` and `--strict`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mapped<'m> {
    pub map: Option<&'m Mapping>,
    /// Event names neither mapped nor declared, and Segment calls of
    /// another type, are errors rather than counted.
    pub strict: bool,
}

/// What to do with a row that does not match the declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BadRows {
    /// Stop with an error naming the file, line and column.
    #[default]
    Error,
    /// Skip the row and count it.
    Skip,
}

/// Reading a leads or an events file into a [`Dataset`].
pub trait ReadData {
    fn read_leads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
    ) -> Result<(), DataError>;

    /// [`ReadData::read_leads`], decoding on `threads` threads (the result
    /// is the same for any number).
    fn read_leads_threads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
    ) -> Result<(), DataError>;

    fn read_events(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
    ) -> Result<(), DataError>;

    /// [`ReadData::read_events`], decoding on `threads` threads (the result
    /// is the same for any number).
    fn read_events_threads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
    ) -> Result<(), DataError>;

    /// [`ReadData::read_leads_threads`] through a map; the [`Links`] found
    /// (Segment `identify` calls' `anonymousId`s) are for the events.
    #[allow(clippy::too_many_arguments)]
    fn read_leads_mapped(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
        mapped: Mapped,
    ) -> Result<Links, DataError>;

    /// [`ReadData::read_events_threads`] through a map, joining anonymous
    /// Segment events by `links`.
    #[allow(clippy::too_many_arguments)]
    fn read_events_mapped(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
        mapped: Mapped,
        links: &Links,
    ) -> Result<(), DataError>;
}

impl ReadData for Dataset {
    fn read_leads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
    ) -> Result<(), DataError> {
        self.read_leads_threads(c, input, file, format, policy, 1)
    }

    fn read_leads_threads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
    ) -> Result<(), DataError> {
        let m = Mapped::default();
        self.read_leads_mapped(c, input, file, format, policy, threads, m)
            .map(|_| ())
    }

    fn read_events(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
    ) -> Result<(), DataError> {
        self.read_events_threads(c, input, file, format, policy, 1)
    }

    fn read_events_threads(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
    ) -> Result<(), DataError> {
        let (m, links) = (Mapped::default(), Links::default());
        self.read_events_mapped(c, input, file, format, policy, threads, m, &links)
    }

    fn read_leads_mapped(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
        mapped: Mapped,
    ) -> Result<Links, DataError> {
        let schema = rows::LeadSchema {
            c,
            file: file.to_string(),
            policy,
            keep_unread: self.keep_unread,
        };
        let mut report = InputReport {
            file: file.to_string(),
            ..InputReport::default()
        };
        let (leads, texts) = (&mut self.leads, &mut self.texts);
        let mut merge =
            |p: &mut rows::Part| merge::leads(leads, texts, &mut report, file, policy, p);
        let empty = Mapping::default();
        let map = mapped.map.unwrap_or(&empty);
        let mut links = Links::default();
        match (format, mapped.map) {
            (Format::Segment, _) => {
                let ctx = segment::Ctx {
                    c,
                    side: &map.leads,
                    map_file: mapped.map.map(|m| m.file.as_str()),
                    file,
                    strict: mapped.strict,
                    policy,
                };
                let mut found = segment::read_identify(input, &ctx, &schema)?;
                let mut part = rows::Part::default();
                let r = found.rows(&schema, &mut part);
                if let Err(e) = r {
                    part.stop = Some(e);
                }
                merge(&mut part)?;
                // Counted by calls: a lead's calls are used with it.
                let by_leads = std::mem::take(&mut report);
                let mut calls = std::mem::take(&mut found.calls);
                report = InputReport {
                    file: file.to_string(),
                    ..InputReport::default()
                };
                let mut rejected_calls = 0;
                for (id, n) in found.user_ids() {
                    if self.leads.index.get(id).is_some() {
                        calls.used += n;
                    } else {
                        rejected_calls += n;
                    }
                }
                // A lead is rejected only for a required field no call gave
                // (every value was checked with its call): a bad value.
                calls.rejected += rejected_calls;
                if let Some((_, first)) = by_leads.by_kind.into_values().next() {
                    let kind = funnel_engine::data::RejectKind::BadValue;
                    calls.by_kind.entry(kind).or_insert((0, first)).0 += rejected_calls;
                }
                merge::absorb(&mut report, &mut calls);
                links = std::mem::take(&mut found.links);
            }
            (_, None) => read_rows(input, file, format, &schema, threads, &mut merge)?,
            (_, Some(m)) => {
                let ms =
                    mapped::MappedSchema::new(&schema, c, m, &m.leads, false, file, mapped.strict);
                read_rows(input, file, format, &ms, threads, &mut merge)?;
                report.ignored_columns = ms.ignored();
            }
        }
        self.lead_report = finish(report, "leads")?;
        self.leads.ids.shrink_to_fit();
        self.leads.values.shrink_to_fit();
        Ok(links)
    }

    fn read_events_mapped(
        &mut self,
        c: &Compiled,
        input: impl Read,
        file: &str,
        format: Format,
        policy: BadRows,
        threads: usize,
        mapped: Mapped,
        links: &Links,
    ) -> Result<(), DataError> {
        let schema = rows::EventSchema::new(c, &self.leads.index, file, policy, self.keep_unread);
        let mut report = InputReport {
            file: file.to_string(),
            ..InputReport::default()
        };
        let (events, texts) = (&mut self.events, &mut self.texts);
        let mut merge = |p: &mut rows::Part| merge::events(events, texts, &mut report, p);
        let empty = Mapping::default();
        let map = mapped.map.unwrap_or(&empty);
        match (format, mapped.map) {
            (Format::Segment, _) => {
                let ctx = segment::Ctx {
                    c,
                    side: &map.events,
                    map_file: mapped.map.map(|m| m.file.as_str()),
                    file,
                    strict: mapped.strict,
                    policy,
                };
                segment::read_track(input, &ctx, &schema, links, threads, &mut merge)?;
            }
            (_, None) => read_rows(input, file, format, &schema, threads, &mut merge)?,
            (_, Some(m)) => {
                let ms =
                    mapped::MappedSchema::new(&schema, c, m, &m.events, true, file, mapped.strict);
                read_rows(input, file, format, &ms, threads, &mut merge)?;
                report.ignored_columns = ms.ignored();
            }
        }
        self.event_report = finish(report, "events")?;
        self.events.sort();
        // The events stay for the whole run: give back what growing left.
        self.events.recs.shrink_to_fit();
        self.events.values.shrink_to_fit();
        Ok(())
    }
}

/// A file without rows is a problem.
fn finish(report: InputReport, what: &str) -> Result<InputReport, DataError> {
    if report.read == 0 {
        return Err(
            DataError::file(&report.file, format!("the file has no {what}"))
                .coded("funnel::data::empty_file")
                .help(format!(
                    "add one row per {} after the header",
                    &what[..what.len() - 1]
                )),
        );
    }
    Ok(report)
}

fn read_rows<S: rows::Schema>(
    input: impl Read,
    file: &str,
    format: Format,
    schema: &S,
    threads: usize,
    merge: &mut dyn FnMut(&mut rows::Part) -> Result<(), DataError>,
) -> Result<(), DataError> {
    match format {
        Format::Csv => csv::read(input, file, schema, threads, merge),
        Format::Jsonl => jsonl::read(input, file, schema, threads, merge),
        // Segment files are read by their own readers (`read_*_mapped`).
        Format::Yaml | Format::Segment => {
            let mut p = rows::Part::default();
            if let Err(e) = yaml::read(input, file, schema, &mut p) {
                p.stop = Some(e);
            }
            merge(&mut p)
        }
    }
}

/// The "unknown column" error every format reports the same way.
pub(crate) fn unknown_column(file: &str, name: &str, sink: &dyn rows::Schema) -> DataError {
    let mut e = DataError::file(file, format!("unknown column `{name}`"))
        .coded("funnel::data::unknown_column");
    e.field = Some(name.to_string());
    e.help(format!(
        "the playbook declares these columns: {}; remove the column or declare the field",
        sink.columns().join(", ")
    ))
}
