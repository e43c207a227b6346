//! YAML input: a list of mappings, one per record. YAML values carry no
//! positions, so each record's line is found by scanning for the `- ` that
//! starts it at the left margin.
//!
//! Scalars are handed on as written (`1.50` stays `1.50`, `0x1F` stays
//! `0x1F`), so a value means what it means in CSV: the file is read once
//! for its shape and once more for the text of the records that are flat
//! mappings. Flow nesting (`[[[…]]]`) deeper than [`MAX_DEPTH`] is refused
//! before parsing.

#![allow(clippy::result_large_err)]

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::rows::{Part, Schema};
use super::{unknown_column, DataError};
use funnel_engine::data::RejectKind;

/// Read every record into `p`.
pub(crate) fn read<S: Schema>(
    mut input: impl Read,
    file: &str,
    sink: &S,
    p: &mut Part,
) -> Result<(), DataError> {
    let mut text = String::new();
    input.read_to_string(&mut text).map_err(|e| {
        DataError::file(file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    })?;
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_string();
    }
    if text.trim().is_empty() {
        return Err(DataError::file(file, "the file is empty")
            .coded("funnel::data::empty_file")
            .help("write a list of records (`- id: …`)"));
    }
    if let Some(line) = too_deep(&text) {
        return Err(DataError::file(
            file,
            format!("the value is nested more than {MAX_DEPTH} levels deep"),
        )
        .coded("funnel::data::too_deep")
        .at(line)
        .help("a record holds single values: write each as `key: value`"));
    }
    let malformed = |e: serde_yaml::Error| {
        let mut d =
            DataError::file(file, format!("malformed YAML: {e}")).coded("funnel::data::malformed");
        if let Some(l) = e.location() {
            d.line = Some(l.line());
            d.column = Some(l.column());
        }
        d
    };
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(malformed)?;
    let serde_yaml::Value::Sequence(items) = doc else {
        return Err(DataError::file(file, "the file is not a list of records")
            .coded("funnel::data::malformed")
            .help("write each record as `- key: value` at the left margin"));
    };
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect();
    let flat: Vec<bool> = items.iter().map(is_flat).collect();
    let raw = Items(&flat)
        .deserialize(serde_yaml::Deserializer::from_str(&text))
        .map_err(malformed)?;
    let n_cols = sink.columns().len();
    let pos = vec![0usize; n_cols];
    for (i, item) in items.iter().enumerate() {
        let line = if starts.len() == items.len() {
            starts[i]
        } else {
            i + 1
        };
        let serde_yaml::Value::Mapping(m) = item else {
            let mut e = DataError::file(file, "the record is not a mapping")
                .coded(RejectKind::BadValue.code())
                .at(line);
            e.kind = Some(RejectKind::BadValue);
            sink.bad_row(p, e)?;
            continue;
        };
        let mut owned: Vec<Option<String>> = vec![None; n_cols];
        let mut problem = None;
        if let Some(Some(pairs)) = raw.get(i) {
            for (key, value) in pairs {
                let Some(col) = sink.column(key) else {
                    if sink.ignore(key) {
                        continue;
                    }
                    return Err(unknown_column(file, key, sink).at(line));
                };
                owned[col] = value.clone();
            }
            let cells: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
            sink.row(p, line, &cells, &pos)?;
            continue;
        }
        for (k, v) in m {
            let key = match k {
                serde_yaml::Value::String(s) => s.clone(),
                other => scalar(other).unwrap_or_default(),
            };
            let Some(col) = sink.column(&key) else {
                if sink.ignore(&key) {
                    continue;
                }
                return Err(unknown_column(file, &key, sink).at(line));
            };
            match v {
                serde_yaml::Value::Null => {}
                serde_yaml::Value::Sequence(_) | serde_yaml::Value::Mapping(_) => {
                    problem = Some(format!("`{key}` is not a single value"));
                }
                other => owned[col] = scalar(other),
            }
        }
        if let Some(msg) = problem {
            let mut e = DataError::file(file, msg)
                .coded(RejectKind::BadValue.code())
                .at(line);
            e.kind = Some(RejectKind::BadValue);
            sink.bad_row(p, e)?;
            continue;
        }
        let cells: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
        sink.row(p, line, &cells, &pos)?;
    }
    Ok(())
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// Flow nesting deeper than this is refused (a record is a flat mapping;
/// deep nesting only costs parse time).
pub const MAX_DEPTH: usize = 64;

/// The line of the first `[` or `{` nested deeper than [`MAX_DEPTH`],
/// outside quotes and comments (block nesting by indentation is bounded by
/// the parser's own recursion limit).
pub fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (n, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if prev.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(n + 1);
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
    }
    None
}

/// A mapping whose keys and values are plain scalars (or null).
fn is_flat(item: &serde_yaml::Value) -> bool {
    let plain = |v: &serde_yaml::Value| {
        matches!(
            v,
            serde_yaml::Value::Null
                | serde_yaml::Value::Bool(_)
                | serde_yaml::Value::Number(_)
                | serde_yaml::Value::String(_)
        )
    };
    match item {
        serde_yaml::Value::Mapping(m) => {
            m.iter().all(|(k, v)| plain(k) && !k.is_null() && plain(v))
        }
        _ => false,
    }
}

/// The records' keys and values as written, for the flat ones (`flat[i]`);
/// `None` for the others, which are skipped.
type Raw = Vec<Option<Vec<(String, Option<String>)>>>;

struct Items<'a>(&'a [bool]);

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = Raw;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut out = Vec::with_capacity(self.0.len());
        loop {
            let flat = self.0.get(out.len()).copied().unwrap_or(false);
            let item = if flat {
                seq.next_element_seed(Record).map(|o| o.map(Some))?
            } else {
                seq.next_element::<IgnoredAny>()?.map(|_| None)
            };
            match item {
                Some(r) => out.push(r),
                None => return Ok(out),
            }
        }
    }
}

/// One flat record: its keys and values as text.
struct Record;

impl<'de> DeserializeSeed<'de> for Record {
    type Value = Vec<(String, Option<String>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Record {
    type Value = Vec<(String, Option<String>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        // `String` and `Option<String>` take a YAML scalar's text as written.
        while let Some(entry) = map.next_entry::<String, Option<String>>()? {
            out.push(entry);
        }
        Ok(out)
    }
}
