//! Segment-spec JSON Lines (also what RudderStack, Jitsu and most CDPs
//! emit): `identify` calls for the leads, `track` calls for the events.
//!
//! - A lead is a `userId`; its field `f` is read from the map's source for
//!   `f` (`traits.company.employee_count`), else from `traits.f`. The engine
//!   has no time-varying lead fields, so a lead's value is the one given by
//!   its latest `identify` call (by `timestamp`, then by line) that carries
//!   the trait; `null` clears it. A call whose values do not decode is a bad
//!   row on its own line; a lead still missing a required field after all
//!   its calls is a bad row on the line of its first call.
//! - An `identify` call that carries an `anonymousId` links it to the
//!   `userId` (the earliest such call wins); every `track` call with that
//!   `anonymousId` and no `userId` is the lead's, before or after the call.
//! - A `track` call's `event` is mapped (`names:`) or already a playbook
//!   event; its field `f` is read from the map's source or `properties.f`.
//! - Rows left out on purpose are counted by what they were: unmapped event
//!   names, calls of another type (`[page call]`), anonymous events no
//!   `identify` links (`[anonymous, never identified]`). Under `--strict`
//!   the first two are errors, except `track` calls in the leads file and
//!   `identify` calls in the events file: one export holding both may be
//!   given as both files.

#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::io::Read;

use serde_json::Value as Json;

use funnel_engine::data::RejectKind;
use funnel_engine::hash::FxHashMap;
use funnel_engine::value::Interner;
use funnel_engine::Compiled;

use super::chunks::{each_part, Chunks};
use super::jsonl::skip_bom;
use super::mapped::{format_error, formats, unmapped_error, ColFormat, Names, UNMAPPED};
use super::rows::{lead_value, Part, Schema};
use super::{BadRows, DataError};
use crate::map::{instant_text, parse_with, Side};

/// `anonymousId` → `userId`, from the leads file's `identify` calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    by_anonymous: FxHashMap<String, String>,
}

impl Links {
    /// The user an anonymous id is linked to.
    pub fn user(&self, anonymous: &str) -> Option<&str> {
        self.by_anonymous.get(anonymous).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_anonymous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_anonymous.is_empty()
    }
}

/// The count key of anonymous events no identify links.
pub const ANONYMOUS: &str = "[anonymous, never identified]";

/// Whether a first line is a Segment-spec call (`"type"` is one of the
/// spec's call types).
pub fn is_segment_line(line: &str) -> bool {
    let Ok(Json::Object(o)) = serde_json::from_str::<Json>(line.trim()) else {
        return false;
    };
    matches!(
        o.get("type").and_then(Json::as_str),
        Some("track" | "identify" | "page" | "screen" | "group" | "alias")
    )
}

/// One call: the keys Funnel reads; any other key (a CDP's `context`,
/// `integrations`, …) is skipped while parsing, not built.
#[derive(serde::Deserialize)]
struct Call<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event: Option<Cow<'a, str>>,
    #[serde(rename = "userId", default)]
    user_id: Option<Json>,
    #[serde(rename = "anonymousId", default)]
    anonymous_id: Option<Json>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "originalTimestamp", borrow, default)]
    original_timestamp: Option<Cow<'a, str>>,
    #[serde(default)]
    properties: Option<Json>,
    #[serde(default)]
    traits: Option<Json>,
}

impl Call<'_> {
    fn ty(&self) -> Option<&str> {
        self.ty.as_deref()
    }

    /// `userId` or `anonymousId`: a non-blank string or a number.
    fn id(&self, anonymous: bool) -> Option<String> {
        let v = if anonymous {
            &self.anonymous_id
        } else {
            &self.user_id
        };
        match v.as_ref()? {
            Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// A value at a dotted path (`traits.company.name`): absent, or its text
/// (`None` for `null`), or `Err` naming what else it is.
fn at_path(call: &Call, path: &str) -> Option<Result<Option<String>, &'static str>> {
    let mut keys = path.split('.');
    let mut v = match keys.next()? {
        "properties" => call.properties.as_ref()?,
        "traits" => call.traits.as_ref()?,
        _ => return None,
    };
    for key in keys {
        v = v.as_object()?.get(key)?;
    }
    Some(match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        Json::Bool(b) => Ok(Some(b.to_string())),
        Json::Number(n) => Ok(Some(n.to_string())),
        Json::Array(_) => Err("a list"),
        Json::Object(_) => Err("an object"),
    })
}

fn bad(file: &str, line: usize, field: Option<&str>, message: String) -> DataError {
    let mut e = DataError::file(file, message)
        .at(line)
        .coded(RejectKind::BadValue.code());
    e.field = field.map(str::to_string);
    e.kind = Some(RejectKind::BadValue);
    e
}

/// Parse one line into a call; `Err` is the bad row.
fn call<'t>(file: &str, line: usize, text: &'t str) -> Result<Call<'t>, DataError> {
    serde_json::from_str::<Call>(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "not a Segment call",
            _ => "malformed JSON",
        };
        let mut d = bad(file, line, None, format!("{what}: {e}")).coded("funnel::data::malformed");
        d.column = Some(e.column());
        d
    })
}

/// A call's instant: `timestamp` (else `originalTimestamp`), RFC 3339 or a
/// form `at` takes, or the declared format of `at`.
fn when(
    file: &str,
    line: usize,
    o: &Call,
    format: Option<&ColFormat>,
    map_file: &str,
    tz: chrono_tz::Tz,
) -> Result<i64, DataError> {
    let text = o.timestamp.as_deref().or(o.original_timestamp.as_deref());
    let Some(text) = text else {
        return Err(bad(
            file,
            line,
            Some("timestamp"),
            "the call has no `timestamp`".into(),
        )
        .help("every call needs `\"timestamp\": \"2026-03-02T09:00:00Z\"`"));
    };
    match format {
        Some(f) => parse_with(text, f.format, tz)
            .ok_or_else(|| format_error(file, map_file, line, 0, "timestamp", text, f)),
        None => crate::decode::parse_instant(text.trim(), tz).map_err(|reason| {
            bad(
                file,
                line,
                Some("timestamp"),
                format!("bad value in `timestamp`: {reason}"),
            )
        }),
    }
}

/// What a leads or events read needs besides the schema.
pub(crate) struct Ctx<'a> {
    pub c: &'a Compiled,
    pub side: &'a Side,
    pub map_file: Option<&'a str>,
    pub file: &'a str,
    pub strict: bool,
    pub policy: BadRows,
}

impl Ctx<'_> {
    /// The source path of a field: the map's, else under `prefix`.
    fn path(&self, prefix: &str, field: &str) -> String {
        match self.side.source_of(field) {
            Some(e) if crate::map::is_path(&e.source) => e.source.clone(),
            _ => format!("{prefix}.{field}"),
        }
    }

    /// A call of another type than `want`: counted, or an error.
    fn other_call(&self, p: &mut Part, line: usize, o: &Call, want: &str) -> Result<(), DataError> {
        p.read += 1;
        let ty = o.ty().unwrap_or("untyped");
        // One export may hold both kinds and be given as both files: the
        // other file's calls are counted, never refused.
        let read_elsewhere = matches!(ty, "identify" | "track");
        if self.strict && !read_elsewhere {
            let e = bad(
                self.file,
                line,
                Some("type"),
                format!("a `{ty}` call where `{want}` calls are read (--strict)"),
            )
            .coded(UNMAPPED)
            .help(format!(
                "give this file only `{want}` calls, or leave out --strict to count the others and go on"
            ));
            return p.reject(self.policy, e);
        }
        *p.unmapped.entry(format!("[{ty} call]")).or_insert(0) += 1;
        Ok(())
    }
}

/// Non-blank lines with their 1-based numbers.
fn each_line(bytes: &[u8], first: usize) -> impl Iterator<Item = (usize, &[u8])> {
    (first..)
        .zip(bytes.split(|b| *b == b'\n'))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
}

fn utf8<'b>(file: &str, line: usize, raw: &'b [u8]) -> Result<&'b str, DataError> {
    std::str::from_utf8(raw).map_err(|_| {
        DataError::file(
            file,
            "cannot read the file: stream did not contain valid UTF-8",
        )
        .at(line)
        .coded("funnel::data::malformed")
    })
}

/// Read `track` calls into parts handed to `merge`.
pub(crate) fn read_track<S: Schema>(
    input: impl Read,
    ctx: &Ctx,
    schema: &S,
    links: &Links,
    threads: usize,
    merge: &mut dyn FnMut(&mut Part) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let c = ctx.c;
    let names = Names::new(c, ctx.side);
    let at_format = formats(ctx.side, schema).into_iter().find(|f| f.col == 2);
    let field_formats = formats(ctx.side, schema);
    // Per event type: (column, source path) of each field.
    let plans: Vec<Vec<(usize, String)>> = c
        .events
        .iter()
        .map(|e| {
            e.fields
                .iter()
                .filter_map(|f| Some((schema.column(&f.name)?, ctx.path("properties", &f.name))))
                .collect()
        })
        .collect();
    let by_name: FxHashMap<&str, usize> = c
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let n_cols = schema.columns().len();
    let map_file = ctx.map_file.unwrap_or("");
    let decode = |bytes: &[u8], first: usize, p: &mut Part| {
        let pos = vec![0usize; n_cols];
        let mut cells: Vec<Option<String>> = vec![None; n_cols];
        for (line, raw) in each_line(bytes, first) {
            let r = (|| -> Result<(), DataError> {
                let text = utf8(ctx.file, line, raw)?;
                let o = match call(ctx.file, line, text) {
                    Ok(o) => o,
                    Err(e) => return schema.bad_row(p, e),
                };
                if o.ty() != Some("track") {
                    return ctx.other_call(p, line, &o, "track");
                }
                let Some(name) = o.event.as_deref() else {
                    let e = bad(
                        ctx.file,
                        line,
                        Some("event"),
                        "the track call has no `event`".into(),
                    );
                    return schema.bad_row(p, e);
                };
                let Some(event) = names.get(name) else {
                    p.read += 1;
                    if ctx.strict {
                        let e = unmapped_error(ctx.file, ctx.map_file, line, 0, name);
                        return p.reject(ctx.policy, e);
                    }
                    *p.unmapped.entry(name.to_string()).or_insert(0) += 1;
                    return Ok(());
                };
                let lead = match o.id(false) {
                    Some(id) => id,
                    None => match o.id(true) {
                        Some(anon) => match links.user(&anon) {
                            Some(user) => user.to_string(),
                            None => {
                                p.read += 1;
                                *p.unmapped.entry(ANONYMOUS.to_string()).or_insert(0) += 1;
                                return Ok(());
                            }
                        },
                        None => {
                            let e = bad(
                                ctx.file,
                                line,
                                Some("userId"),
                                "the call has neither `userId` nor `anonymousId`".into(),
                            );
                            return schema.bad_row(p, e);
                        }
                    },
                };
                let t = match when(ctx.file, line, &o, at_format.as_ref(), map_file, c.tz) {
                    Ok(t) => t,
                    Err(e) => return schema.bad_row(p, e),
                };
                cells.iter_mut().for_each(|c| *c = None);
                cells[0] = Some(lead);
                cells[1] = Some(event.to_string());
                cells[2] = Some(instant_text(t));
                let plan = by_name.get(event).and_then(|&i| plans.get(i));
                for (col, path) in plan.into_iter().flatten() {
                    match at_path(&o, path) {
                        None | Some(Ok(None)) => {}
                        Some(Ok(Some(v))) => {
                            let v = match field_formats.iter().find(|f| f.col == *col) {
                                Some(f) => match parse_with(&v, f.format, c.tz) {
                                    Some(t) => instant_text(t),
                                    None => {
                                        let e =
                                            format_error(ctx.file, map_file, line, 0, path, &v, f);
                                        return schema.bad_row(p, e);
                                    }
                                },
                                None => v,
                            };
                            cells[*col] = Some(v);
                        }
                        Some(Err(what)) => {
                            let msg = format!("`{path}` is {what}, not a single value");
                            return schema.bad_row(p, bad(ctx.file, line, Some(path), msg));
                        }
                    }
                }
                let row: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
                schema.row(p, line, &row, &pos)
            })();
            if let Err(e) = r {
                p.stop = Some(e);
                return;
            }
        }
    };
    let mut input = input;
    let start = skip_bom(&mut input).map_err(|e| {
        DataError::file(ctx.file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    })?;
    let mut chunks = Chunks::new(input, start, 1, false);
    each_part(&mut chunks, ctx.file, threads, &decode, merge)
}

/// One lead as its identify calls build it.
struct User {
    id: String,
    first_line: usize,
    calls: usize,
    /// Per lead field: the latest value given (instant, text).
    values: Vec<Option<(i64, Option<String>)>>,
}

/// What reading identify calls gives: the leads (as rows for the schema)
/// and the links.
pub(crate) struct Identified {
    /// Lines of the file that were calls or bad rows, in a part without rows.
    pub calls: Part,
    users: Vec<User>,
    pub links: Links,
}

impl Identified {
    /// Hand each lead to the schema, in the order of their first calls.
    pub fn rows<S: Schema>(&self, schema: &S, p: &mut Part) -> Result<(), DataError> {
        let n = schema.columns().len();
        let pos = vec![0usize; n];
        for u in &self.users {
            let mut cells: Vec<Option<&str>> = vec![None; n];
            cells[0] = Some(&u.id);
            for (i, v) in u.values.iter().enumerate() {
                if let Some(cell) = cells.get_mut(i + 1) {
                    *cell = v.as_ref().and_then(|(_, t)| t.as_deref());
                }
            }
            schema.row(p, u.first_line, &cells, &pos)?;
        }
        Ok(())
    }

    pub fn user_ids(&self) -> impl Iterator<Item = (&str, usize)> {
        self.users.iter().map(|u| (u.id.as_str(), u.calls))
    }
}

/// Read every `identify` call of a leads file.
pub(crate) fn read_identify<S: Schema>(
    mut input: impl Read,
    ctx: &Ctx,
    schema: &S,
) -> Result<Identified, DataError> {
    let c = ctx.c;
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| {
        DataError::file(ctx.file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    })?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let paths: Vec<String> = c
        .lead_fields
        .iter()
        .map(|f| ctx.path("traits", &f.name))
        .collect();
    let fmts = formats(ctx.side, schema);
    let map_file = ctx.map_file.unwrap_or("");
    let mut out = Identified {
        calls: Part::default(),
        users: Vec::new(),
        links: Links::default(),
    };
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut linked_at: FxHashMap<String, i64> = FxHashMap::default();
    let mut scratch = Interner::new();
    let p = &mut out.calls;
    for (line, raw) in each_line(body, 1) {
        let text = utf8(ctx.file, line, raw)?;
        let o = match call(ctx.file, line, text) {
            Ok(o) => o,
            Err(e) => {
                p.read += 1;
                p.reject(ctx.policy, e)?;
                continue;
            }
        };
        if o.ty() != Some("identify") {
            ctx.other_call(p, line, &o, "identify")?;
            continue;
        }
        p.read += 1;
        let Some(user) = o.id(false) else {
            *p.unmapped
                .entry("[identify call without userId]".to_string())
                .or_insert(0) += 1;
            continue;
        };
        let t = match when(ctx.file, line, &o, None, map_file, c.tz) {
            Ok(t) => t,
            Err(e) => {
                p.reject(ctx.policy, e)?;
                continue;
            }
        };
        // Every value of the call is checked before any is kept.
        let mut given: Vec<(usize, Option<String>)> = Vec::new();
        let mut problem = None;
        for (i, path) in paths.iter().enumerate() {
            match at_path(&o, path) {
                None => {}
                Some(Ok(None)) => given.push((i, None)),
                Some(Ok(Some(v))) => {
                    let v = match fmts.iter().find(|f| f.col == i + 1) {
                        Some(f) => match parse_with(&v, f.format, c.tz) {
                            Some(t) => instant_text(t),
                            None => {
                                problem =
                                    Some(format_error(ctx.file, map_file, line, 0, path, &v, f));
                                break;
                            }
                        },
                        None => v,
                    };
                    // Optional here: a required field may come in a later call.
                    if !v.trim().is_empty() {
                        if let Err(reason) = lead_value(c, i, Some(&v), true, &mut scratch) {
                            let msg = format!("bad value in `{path}`: {reason}");
                            problem = Some(bad(ctx.file, line, Some(path), msg));
                            break;
                        }
                    }
                    given.push((i, Some(v)));
                }
                Some(Err(what)) => {
                    let msg = format!("`{path}` is {what}, not a single value");
                    problem = Some(bad(ctx.file, line, Some(path), msg));
                    break;
                }
            }
        }
        if let Some(e) = problem {
            p.reject(ctx.policy, e)?;
            continue;
        }
        let u = *index.entry(user.clone()).or_insert_with(|| {
            out.users.push(User {
                id: user.clone(),
                first_line: line,
                calls: 0,
                values: vec![None; paths.len()],
            });
            out.users.len() - 1
        });
        let u = &mut out.users[u];
        u.calls += 1;
        for (i, v) in given {
            // Later lines win ties, so `>=`.
            if u.values[i].as_ref().is_none_or(|(at, _)| t >= *at) {
                u.values[i] = Some((t, v));
            }
        }
        if let Some(anon) = o.id(true) {
            if linked_at.get(&anon).is_none_or(|at| t < *at) {
                linked_at.insert(anon.clone(), t);
                out.links.by_anonymous.insert(anon, user);
            }
        }
    }
    Ok(out)
}
