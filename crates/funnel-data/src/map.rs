//! The `--map` file: how data as it comes (a CDP's Segment-spec calls, a
//! CRM's CSV export) meets a playbook's events and fields.
//!
//! ```yaml
//! leads:
//!   fields:                       # source -> lead field (or `id`)
//!     traits.company.employee_count: company_size
//!     Record ID: id               # a CSV header
//!   formats:                      # lead field -> chrono format of its values
//!     signed_up: "%m/%d/%Y"
//! events:
//!   names:                        # event name as it comes -> playbook event
//!     Whitepaper Downloaded: content_download
//!   fields:                       # source -> event field (or `lead`, `event`, `at`)
//!     properties.asset: asset
//!   formats:
//!     at: "%m/%d/%Y %H:%M"
//! ```
//!
//! A source starting `traits.` (identify calls) or `properties.` (track
//! calls) is a path into the call's JSON; any other source is a CSV (or
//! JSON Lines) column name. The map is checked against the playbook when it
//! is read: every problem names the map file and line.

// Errors carry a message, location and help, as the readers' do.
#![allow(clippy::result_large_err)]

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use funnel_check::Ty;
use funnel_engine::calendar::local_to_instant;
use funnel_engine::Compiled;

use crate::error::DataError;

/// One `source: target` line of the map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub source: String,
    pub target: String,
    /// The line in the map file.
    pub line: usize,
}

/// The map of one file: leads or events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Side {
    /// Source → field.
    pub fields: Vec<Entry>,
    /// Event name as it comes → playbook event (events only).
    pub names: Vec<Entry>,
    /// Field → chrono format string (`source` is the field, `target` the format).
    pub formats: Vec<Entry>,
}

impl Side {
    /// The field a source maps to.
    pub fn target_of(&self, source: &str) -> Option<&Entry> {
        self.fields.iter().find(|e| e.source == source)
    }

    /// The source mapped to a field.
    pub fn source_of(&self, target: &str) -> Option<&Entry> {
        self.fields.iter().find(|e| e.target == target)
    }

    /// The declared format of a field's values.
    pub fn format_of(&self, field: &str) -> Option<&Entry> {
        self.formats.iter().find(|e| e.source == field)
    }
}

/// A parsed and checked `--map` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The map file's name, for messages.
    pub file: String,
    pub leads: Side,
    pub events: Side,
}

/// Whether a source is a path into a Segment call (not a column name).
pub fn is_path(source: &str) -> bool {
    source.starts_with("traits.") || source.starts_with("properties.")
}

impl Mapping {
    /// Read and check a map against the playbook.
    pub fn parse(text: &str, file: &str, c: &Compiled) -> Result<Mapping, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            let mut d = DataError::file(file, format!("malformed YAML in the map: {e}"))
                .coded(MALFORMED)
                .help("the map is YAML: `leads:` and `events:`, each with `fields:`, `names:` or `formats:` mappings of `source: target`");
            if let Some(l) = e.location() {
                d.line = Some(l.line());
                d.column = Some(l.column());
            }
            d
        })?;
        let lines = Lines(text);
        let mut m = Mapping {
            file: file.to_string(),
            ..Mapping::default()
        };
        let top = match doc {
            serde_yaml::Value::Null => return Ok(m),
            serde_yaml::Value::Mapping(top) => top,
            _ => {
                return Err(DataError::file(file, "the map is not a mapping")
                    .at(1)
                    .coded(MALFORMED)
                    .help("write `leads:` and `events:` sections at the left margin"))
            }
        };
        for (k, v) in &top {
            let key = scalar(k);
            let at = lines.find(&key, 0, 0);
            let side = match key.as_str() {
                "leads" => &mut m.leads,
                "events" => &mut m.events,
                _ => {
                    return Err(DataError::file(file, format!("unknown section `{key}`"))
                        .at(at)
                        .coded(MALFORMED)
                        .help("the map has two sections: `leads:` and `events:`"))
                }
            };
            *side = read_side(file, &lines, &key, at, v)?;
        }
        check(&m, c)?;
        Ok(m)
    }
}

/// The text of the map, to find the line of a key (YAML values carry none).
struct Lines<'a>(&'a str);

impl Lines<'_> {
    /// The 1-based line of the first `key:` after line `after`, indented at
    /// least `indent` (falls back to the line after `after`).
    fn find(&self, key: &str, after: usize, indent: usize) -> usize {
        for (i, line) in self.0.lines().enumerate().skip(after) {
            let body = line.trim_start();
            if line.len() - body.len() < indent {
                continue;
            }
            for q in ["", "\"", "'"] {
                if let Some(rest) = body
                    .strip_prefix(q)
                    .and_then(|b| b.strip_prefix(key))
                    .and_then(|b| b.strip_prefix(q))
                {
                    if rest.trim_start().starts_with(':') {
                        return i + 1;
                    }
                }
            }
        }
        after + 1
    }
}

fn scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => String::new(),
        _ => "?".to_string(),
    }
}

fn read_side(
    file: &str,
    lines: &Lines,
    name: &str,
    line: usize,
    v: &serde_yaml::Value,
) -> Result<Side, DataError> {
    let mut side = Side::default();
    let serde_yaml::Value::Mapping(parts) = v else {
        if v.is_null() {
            return Ok(side);
        }
        return Err(DataError::file(file, format!("`{name}` is not a mapping"))
            .at(line)
            .coded(MALFORMED)
            .help("write `fields:`, `names:` or `formats:` under it, indented"));
    };
    for (k, v) in parts {
        let key = scalar(k);
        let at = lines.find(&key, line, 1);
        let list = match (name, key.as_str()) {
            (_, "fields") => &mut side.fields,
            ("events", "names") => &mut side.names,
            (_, "formats") => &mut side.formats,
            _ => {
                let parts = if name == "events" {
                    "`fields:`, `names:` and `formats:`"
                } else {
                    "`fields:` and `formats:`"
                };
                return Err(
                    DataError::file(file, format!("unknown part `{key}` in `{name}`"))
                        .at(at)
                        .coded(MALFORMED)
                        .help(format!("`{name}:` has {parts}")),
                );
            }
        };
        let serde_yaml::Value::Mapping(entries) = v else {
            if v.is_null() {
                continue;
            }
            return Err(
                DataError::file(file, format!("`{name}.{key}` is not a mapping"))
                    .at(at)
                    .coded(MALFORMED)
                    .help("write one `source: target` per line under it, indented"),
            );
        };
        for (s, t) in entries {
            let source = scalar(s);
            let eline = lines.find(&source, at, 2);
            let target = match t {
                serde_yaml::Value::String(_)
                | serde_yaml::Value::Number(_)
                | serde_yaml::Value::Bool(_) => scalar(t),
                _ => {
                    return Err(DataError::file(
                        file,
                        format!("`{source}` maps to something that is not a name"),
                    )
                    .at(eline)
                    .coded(MALFORMED)
                    .help("write `source: target` with one name as the target"))
                }
            };
            list.push(Entry {
                source,
                target,
                line: eline,
            });
        }
    }
    Ok(side)
}

fn error(m: &Mapping, line: usize, message: String, help: String) -> DataError {
    DataError::file(&m.file, message)
        .at(line)
        .coded(UNKNOWN_NAME)
        .help(help)
}

fn format_error(m: &Mapping, line: usize, message: String, help: String) -> DataError {
    error(m, line, message, help).coded(BAD_FORMAT)
}

/// The map's codes: not the map's shape, a name the playbook lacks (or one
/// mapped twice), a bad date format.
const MALFORMED: &str = "funnel::data::map_malformed";
const UNKNOWN_NAME: &str = "funnel::data::map_unknown_name";
const BAD_FORMAT: &str = "funnel::data::map_bad_format";

fn suggest<'c>(name: &str, known: impl IntoIterator<Item = &'c str> + Clone) -> String {
    match funnel_check::suggest::did_you_mean(name, known.clone()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "the playbook has: {}",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Check every target against the playbook, and every format.
fn check(m: &Mapping, c: &Compiled) -> Result<(), DataError> {
    let lead_targets: Vec<&str> = std::iter::once("id")
        .chain(c.lead_fields.iter().map(|f| f.name.as_str()))
        .collect();
    let mut event_targets: Vec<&str> = vec!["lead", "event", "at"];
    for f in c.events.iter().flat_map(|e| &e.fields) {
        if !event_targets.contains(&f.name.as_str()) {
            event_targets.push(&f.name);
        }
    }
    for (side, targets, what) in [
        (&m.leads, &lead_targets, "a lead field"),
        (&m.events, &event_targets, "an event field"),
    ] {
        for (i, e) in side.fields.iter().enumerate() {
            if !targets.contains(&e.target.as_str()) {
                return Err(error(
                    m,
                    e.line,
                    format!("`{}` is not {what} of the playbook", e.target),
                    suggest(&e.target, targets.iter().copied()),
                ));
            }
            if let Some(first) = side.fields[..i].iter().find(|f| f.target == e.target) {
                return Err(error(
                    m,
                    e.line,
                    format!(
                        "`{}` is mapped twice: from `{}` (line {}) and from `{}`",
                        e.target, first.source, first.line, e.source
                    ),
                    "map each field from one source".into(),
                ));
            }
        }
        for e in &side.formats {
            check_format(m, c, e, what)?;
        }
    }
    let events: Vec<&str> = c.events.iter().map(|e| e.name.as_str()).collect();
    for e in &m.events.names {
        if !events.contains(&e.target.as_str()) {
            return Err(error(
                m,
                e.line,
                format!("`{}` is not an event of the playbook", e.target),
                suggest(&e.target, events.iter().copied()),
            ));
        }
    }
    Ok(())
}

fn check_format(m: &Mapping, c: &Compiled, e: &Entry, what: &str) -> Result<(), DataError> {
    let field = &e.source;
    let is_time = |ty: &Ty| matches!(ty, Ty::Date | Ty::DateTime);
    let ok = if what == "a lead field" {
        c.lead_fields
            .iter()
            .any(|f| f.name == *field && is_time(&f.ty))
    } else {
        field == "at"
            || c.events
                .iter()
                .flat_map(|ev| &ev.fields)
                .any(|f| f.name == *field && is_time(&f.ty))
    };
    if !ok {
        return Err(format_error(
            m,
            e.line,
            format!(
                "`{field}` is not {} of the playbook declared `date` or `datetime`",
                what
            ),
            "formats are for instants: `at` and fields declared `date` or `datetime`".into(),
        ));
    }
    if let Err(why) = valid_format(&e.target) {
        return Err(format_error(
            m,
            e.line,
            format!("bad date format `{}`: {why}", e.target),
            "write a chrono format, e.g. `%m/%d/%Y %H:%M` for `03/02/2026 09:00` or `%Y-%m-%d %I:%M %p` for `2026-03-02 09:00 AM`".into(),
        ));
    }
    Ok(())
}

/// A format must be chrono's and read back what it writes.
fn valid_format(fmt: &str) -> Result<(), String> {
    if let Some(i) = StrftimeItems::new(fmt).position(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "it has a specifier chrono does not know (item {})",
            i + 1
        ));
    }
    let sample =
        DateTime::parse_from_rfc3339("2026-03-02T09:05:07+00:00").map_err(|e| e.to_string())?;
    let text = sample.format(fmt).to_string();
    parse_with(&text, fmt, Tz::UTC)
        .map(|_| ())
        .ok_or_else(|| "it does not name a whole date (it needs a year, a month and a day)".into())
}

/// Read an instant with a declared format: with an offset (`%z`) as given,
/// a date and time in the playbook's zone, or a date at 00:00 there.
pub fn parse_with(text: &str, fmt: &str, tz: Tz) -> Option<i64> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_str(t, fmt) {
        return Some(d.timestamp());
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
        return Some(local_to_instant(tz, n));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
        return Some(local_to_instant(tz, d.and_time(chrono::NaiveTime::MIN)));
    }
    None
}

/// An instant as RFC 3339 text in UTC, as the readers take it.
pub fn instant_text(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
