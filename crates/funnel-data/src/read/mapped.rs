//! A file read through a `--map` ([`crate::map`]): a schema around the
//! leads or events schema that renames columns (`Record ID` → `id`), reads
//! instants with declared formats, maps event names to the playbook's
//! events, counts rows whose event name the map does not know (errors under
//! `--strict`) and leaves out, and lists, columns nothing reads.

#![allow(clippy::result_large_err)]

use std::sync::Mutex;

use funnel_engine::data::RejectKind;
use funnel_engine::hash::FxHashMap;
use funnel_engine::Compiled;

use super::rows::{Part, Schema};
use super::{BadRows, DataError};
use crate::map::{instant_text, is_path, parse_with, Mapping, Side};

/// A declared format for one column.
pub(crate) struct ColFormat<'m> {
    pub col: usize,
    pub format: &'m str,
    /// The format's line in the map.
    pub line: usize,
}

/// The map's names: event name as it comes → playbook event.
pub(crate) struct Names<'m> {
    pub to: FxHashMap<&'m str, &'m str>,
    pub declared: Vec<&'m str>,
}

impl<'m> Names<'m> {
    pub fn new(c: &'m Compiled, side: &'m Side) -> Names<'m> {
        Names {
            to: side
                .names
                .iter()
                .map(|e| (e.source.as_str(), e.target.as_str()))
                .collect(),
            declared: c.events.iter().map(|e| e.name.as_str()).collect(),
        }
    }

    /// The playbook event a name means: mapped, or already a playbook event.
    pub fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.to
            .get(name)
            .copied()
            .or_else(|| self.declared.iter().find(|d| **d == name).copied())
    }
}

/// The formats of a side, by the inner schema's column.
pub(crate) fn formats<'m>(side: &'m Side, inner: &dyn Schema) -> Vec<ColFormat<'m>> {
    side.formats
        .iter()
        .filter_map(|e| {
            Some(ColFormat {
                col: inner.column(&e.source)?,
                format: &e.target,
                line: e.line,
            })
        })
        .collect()
}

/// A value that does not match its declared format.
pub(crate) fn format_error(
    file: &str,
    map_file: &str,
    line: usize,
    column: usize,
    field: &str,
    value: &str,
    f: &ColFormat,
) -> DataError {
    DataError {
        code: RejectKind::BadValue.code(),
        file: file.to_string(),
        line: Some(line),
        column: (column > 0).then_some(column),
        field: Some(field.to_string()),
        message: format!(
            "bad value in column `{field}`: `{}` does not match the date format `{}` ({map_file}:{})",
            value.trim(),
            f.format,
            f.line
        ),
        help: Some(format!(
            "fix the value, or the format at {map_file}:{}",
            f.line
        )),
        kind: Some(RejectKind::BadValue),
    }
}

/// The code of what `--strict` refuses.
pub(crate) const UNMAPPED: &str = "funnel::data::unmapped";

/// The error `--strict` makes of an event name the map does not know.
pub(crate) fn unmapped_error(
    file: &str,
    map_file: Option<&str>,
    line: usize,
    column: usize,
    name: &str,
) -> DataError {
    let map = map_file.unwrap_or("the --map file");
    DataError {
        code: UNMAPPED,
        file: file.to_string(),
        line: Some(line),
        column: (column > 0).then_some(column),
        field: Some("event".to_string()),
        message: format!("event `{name}` is neither mapped nor a playbook event (--strict)"),
        help: Some(format!(
            "map it under `events: names:` in {map} (`{name}: <playbook event>`), or leave out --strict to count such rows and go on"
        )),
        kind: Some(RejectKind::UnknownEvent),
    }
}

/// A leads or events schema read through a map.
pub(crate) struct MappedSchema<'a, S> {
    pub inner: &'a S,
    file: String,
    map_file: String,
    strict: bool,
    tz: chrono_tz::Tz,
    /// Column name as it comes → inner column.
    rename: FxHashMap<&'a str, usize>,
    /// The map's column sources, with their lines (each must be in a CSV header).
    sources: Vec<(&'a str, &'a str, usize)>,
    formats: Vec<ColFormat<'a>>,
    /// Event names (events only).
    names: Option<Names<'a>>,
    ignored: Mutex<Vec<String>>,
}

impl<'a, S: Schema> MappedSchema<'a, S> {
    pub fn new(
        inner: &'a S,
        c: &'a Compiled,
        map: &'a Mapping,
        side: &'a Side,
        events: bool,
        file: &str,
        strict: bool,
    ) -> Self {
        let cols: Vec<_> = side.fields.iter().filter(|e| !is_path(&e.source)).collect();
        MappedSchema {
            inner,
            file: file.to_string(),
            map_file: map.file.clone(),
            strict,
            tz: c.tz,
            rename: cols
                .iter()
                .filter_map(|e| Some((e.source.as_str(), inner.column(&e.target)?)))
                .collect(),
            sources: cols
                .iter()
                .map(|e| (e.source.as_str(), e.target.as_str(), e.line))
                .collect(),
            formats: formats(side, inner),
            names: events.then(|| Names::new(c, side)),
            ignored: Mutex::new(Vec::new()),
        }
    }

    /// The columns left out, in the order met.
    pub fn ignored(&self) -> Vec<String> {
        self.ignored.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl<S: Schema> Schema for MappedSchema<'_, S> {
    fn policy(&self) -> BadRows {
        self.inner.policy()
    }

    fn column(&self, name: &str) -> Option<usize> {
        if let Some(&col) = self.rename.get(name) {
            return Some(col);
        }
        // A column the map renames another to is not read under its own name.
        if self.sources.iter().any(|(_, target, _)| *target == name) {
            return None;
        }
        self.inner.column(name)
    }

    fn columns(&self) -> Vec<String> {
        self.inner.columns()
    }

    fn check_header(&self, present: &[bool]) -> Result<(), String> {
        self.inner.check_header(present)
    }

    fn ignore(&self, name: &str) -> bool {
        if self.strict {
            return false;
        }
        if let Ok(mut v) = self.ignored.lock() {
            if !v.iter().any(|n| n == name) {
                v.push(name.to_string());
            }
        }
        true
    }

    fn check_names(&self, file: &str, names: &[&str]) -> Result<(), DataError> {
        for (source, target, line) in &self.sources {
            if !names.contains(source) {
                return Err(DataError::file(
                    file,
                    format!(
                        "the header has no `{source}` column, which {}:{line} maps to `{target}`",
                        self.map_file
                    ),
                )
                .at(1)
                .coded("funnel::data::missing_column")
                .help(format!(
                    "the header has: {}; fix the name at {}:{line} or remove that line",
                    names.join(", "),
                    self.map_file
                )));
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
        let at = |i: usize| pos.get(i).copied().unwrap_or(0);
        let mut row: Vec<Option<&str>> = cells.to_vec();
        if let Some(names) = &self.names {
            let name = cells.get(1).copied().flatten().unwrap_or("").trim();
            if !name.is_empty() {
                match names.get(name) {
                    Some(event) => row[1] = Some(event),
                    None if self.strict => {
                        p.read += 1;
                        let e = unmapped_error(&self.file, Some(&self.map_file), line, at(1), name);
                        return p.reject(self.policy(), e);
                    }
                    None => {
                        p.read += 1;
                        *p.unmapped.entry(name.to_string()).or_insert(0) += 1;
                        return Ok(());
                    }
                }
            }
        }
        let mut times: Vec<(usize, String)> = Vec::new();
        for f in &self.formats {
            let Some(text) = cells.get(f.col).copied().flatten() else {
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            match parse_with(text, f.format, self.tz) {
                Some(t) => times.push((f.col, instant_text(t))),
                None => {
                    p.read += 1;
                    // The column as the file names it.
                    let field = self
                        .rename
                        .iter()
                        .find(|(_, &c)| c == f.col)
                        .map(|(n, _)| n.to_string())
                        .or_else(|| self.inner.columns().get(f.col).cloned())
                        .unwrap_or_default();
                    let e =
                        format_error(&self.file, &self.map_file, line, at(f.col), &field, text, f);
                    return p.reject(self.policy(), e);
                }
            }
        }
        for (col, text) in &times {
            row[*col] = Some(text);
        }
        self.inner.row(p, line, &row, pos)
    }
}
