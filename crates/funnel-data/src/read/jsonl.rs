//! JSON Lines input: one JSON object per line, keys naming the columns.
//! Scalars are handed on as text (`12.5`, `true`); `null` is an empty cell.
//!
//! The file is cut into chunks at newlines and decoded in parallel; each
//! object is read key by key straight into the row's cells (strings are
//! borrowed when they have no escapes), with the checks of a whole-object
//! read: an unknown key is reported first in key order, and of several
//! non-scalar values the last in key order is the one reported.

#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::chunks::{each_part, Chunks};
use super::rows::{Part, Schema};
use super::{unknown_column, DataError};
use funnel_engine::data::RejectKind;

/// Read every line into parts handed to `merge`, decoding on `threads` threads.
pub(crate) fn read<S: Schema>(
    input: impl Read,
    file: &str,
    schema: &S,
    threads: usize,
    merge: &mut dyn FnMut(&mut Part) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let names = schema.columns();
    let mut any = false;
    let mut input = input;
    let start = skip_bom(&mut input).map_err(|e| {
        DataError::file(file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    })?;
    let mut chunks = Chunks::new(input, start, 1, false);
    let decode = |bytes: &[u8], line: usize, p: &mut Part| {
        if let Err(e) = lines(bytes, line, file, schema, &names, p) {
            p.stop = Some(e);
        }
    };
    each_part(&mut chunks, file, threads, &decode, &mut |p: &mut Part| {
        any |= p.read > 0;
        merge(p)
    })?;
    if !any {
        return Err(DataError::file(file, "the file is empty")
            .coded("funnel::data::empty_file")
            .help("write one JSON object per line"));
    }
    Ok(())
}

/// The first bytes of the input, without a UTF-8 byte order mark (read as
/// in CSV, YAML and playbooks).
pub(crate) fn skip_bom(input: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(3);
    Read::take(&mut *input, 3).read_to_end(&mut start)?;
    if start == b"\xEF\xBB\xBF" {
        start.clear();
    }
    Ok(start)
}

fn lines<S: Schema>(
    bytes: &[u8],
    first_line: usize,
    file: &str,
    schema: &S,
    names: &[String],
    p: &mut Part,
) -> Result<(), DataError> {
    let n_cols = names.len();
    let pos = vec![0usize; n_cols];
    let mut cells: Vec<Option<Cow<'_, str>>> = vec![None; n_cols];
    for (here, raw) in (first_line..).zip(bytes.split_inclusive(|b| *b == b'\n')) {
        let Ok(text) = std::str::from_utf8(raw) else {
            return Err(DataError::file(
                file,
                "cannot read the file: stream did not contain valid UTF-8",
            )
            .coded("funnel::data::malformed")
            .at(here));
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        cells.iter_mut().for_each(|c| *c = None);
        let mut obj = Obj {
            schema,
            cells: &mut cells,
            unknown: None,
            problem: None,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = (&mut obj)
            .deserialize(&mut de)
            .and_then(|is_object| de.end().map(|()| is_object));
        let Obj {
            unknown, problem, ..
        } = obj;
        match parsed {
            Ok(false) => {
                let e = bad(file, here, None, "the line is not a JSON object".into());
                schema.bad_row(p, e)?;
                continue;
            }
            Err(err) => {
                let msg = format!("malformed JSON: {err}");
                schema.bad_row(p, bad(file, here, Some(err.column()), msg))?;
                continue;
            }
            Ok(true) => {}
        }
        if let Some(k) = unknown {
            p.read += 1;
            return Err(unknown_column(file, &k, schema).at(here));
        }
        if let Some(msg) = problem.map(|(k, what)| format!("`{k}` is {what}, not a single value")) {
            schema.bad_row(p, bad(file, here, None, msg))?;
            continue;
        }
        let row: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        schema.row(p, here, &row, &pos)?;
    }
    Ok(())
}

/// One object read into the row's cells.
struct Obj<'s, 'c, 'de, S> {
    schema: &'s S,
    cells: &'c mut Vec<Option<Cow<'de, str>>>,
    /// The first unknown key in key order.
    unknown: Option<String>,
    /// The last key in key order whose value is a list or an object.
    problem: Option<(String, &'static str)>,
}

impl<'de, S: Schema> DeserializeSeed<'de> for &mut Obj<'_, '_, 'de, S> {
    /// Whether the value was an object.
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Schema> Visitor<'de> for &mut Obj<'_, '_, 'de, S> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let value: Scalar<'de> = map.next_value()?;
            let Some(col) = self.schema.column(&key) else {
                if self.schema.ignore(&key) {
                    continue;
                }
                if self.unknown.as_deref().is_none_or(|u| *key < *u) {
                    self.unknown = Some(key.into_owned());
                }
                continue;
            };
            match value {
                Scalar::Text(t) => self.cells[col] = t,
                Scalar::Not(what) => {
                    if self.problem.as_ref().is_none_or(|(k, _)| *key > **k) {
                        self.problem = Some((key.into_owned(), what));
                    }
                }
            }
        }
        Ok(true)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

/// A value: a scalar's text (`None` for null), or what else it is.
enum Scalar<'de> {
    Text(Option<Cow<'de, str>>),
    Not(&'static str),
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Borrowed(if v {
            "true"
        } else {
            "false"
        }))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Owned(
            serde_json::Number::from(v).to_string(),
        ))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Some(Cow::Owned(
            serde_json::Number::from(v).to_string(),
        ))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        let n = serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string());
        Ok(Scalar::Text(Some(Cow::Owned(n))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Text(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Not("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Not("an object"))
    }
}

fn bad(file: &str, line: usize, column: Option<usize>, message: String) -> DataError {
    let mut e = DataError::file(file, message)
        .coded(RejectKind::BadValue.code())
        .at(line);
    e.column = column;
    e.kind = Some(RejectKind::BadValue);
    e
}
