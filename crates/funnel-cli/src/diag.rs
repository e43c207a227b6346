//! One renderer for every error a user can cause: a playbook's diagnostics,
//! a data row, a scenario key, or a problem with no file text behind it (a
//! missing file, a bad flag value). Each is a [`Diagnostic`] with a stable
//! code, written to stderr as a miette report for people or, with the global
//! `--error-format json`, as one JSON object per line in the shape of
//! `funnel check --format json`'s diagnostics.
//!
//! Data files are not kept in memory: a data error's report reads the one
//! line it names back from the file, so the excerpt shows the real row.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::OnceLock;

use funnel_check::render::{render_human_from, Located, Locator, Position};
use funnel_data::{DataError, Format};
use funnel_syntax::{Diagnostic, Span};
use serde_json::{json, Value};

/// How errors are written (`--error-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Reports with source excerpts, for people.
    #[default]
    Human,
    /// One JSON object per line: file, line, column, severity, code, message, help, labels.
    Json,
}

static FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Set once from the command line, before any command runs.
pub fn set_format(f: ErrorFormat) {
    let _ = FORMAT.set(f);
}

pub fn format() -> ErrorFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Diagnostics about `source`, the text of `file` from line `first_line` on.
pub fn emit(diags: &[Diagnostic], file: &str, source: &str, first_line: usize) {
    if diags.is_empty() {
        return;
    }
    match format() {
        ErrorFormat::Human => eprint!(
            "{}",
            render_human_from(
                diags,
                file,
                source,
                first_line,
                crate::style::stderr_color()
            )
        ),
        ErrorFormat::Json => {
            let locator = Locator::from_line(source, first_line);
            for d in diags {
                eprintln!("{}", diagnostic_json(file, &locator.locate(d)));
            }
        }
    }
}

/// A problem with no file text to point into: a missing file, a bad flag.
pub fn error(code: &'static str, message: impl Into<String>, help: Option<String>) {
    unlocated(Diagnostic::error(code, message), help);
}

/// A KPI whose value does not fit (`funnel::run::kpi_overflow`), named
/// after `whose` (a playbook or a run, for commands that have several).
pub fn kpi_overflow(whose: Option<&str>, kpi: &str, why: &str) {
    let whose = whose.map(|w| format!("{w}: ")).unwrap_or_default();
    error(
        "funnel::run::kpi_overflow",
        format!("{whose}kpi `{kpi}` cannot be computed: {why}"),
        Some(
            "check the data behind it for absurd amounts, or split the formula into several kpis"
                .into(),
        ),
    );
}

/// A flag's instant that does not decode (`--as-of`, `--now`, `--start`).
pub fn bad_instant(flag: &str, reason: &str) {
    error(
        "funnel::cli::bad_instant",
        format!("bad `{flag}`: {reason}"),
        Some("write a date (`2026-06-30`), a local time in the playbook's zone (`2026-06-30 17:00`) or an RFC 3339 instant".into()),
    );
}

/// A warning with no file text to point into.
pub fn warning(code: &'static str, message: impl Into<String>, help: Option<String>) {
    unlocated(Diagnostic::warning(code, message), help);
}

fn unlocated(mut d: Diagnostic, help: Option<String>) {
    d.help = help;
    match format() {
        ErrorFormat::Human => eprint!(
            "{}",
            render_human_from(&[d], "", "", 1, crate::style::stderr_color())
        ),
        ErrorFormat::Json => eprintln!("{}", unlocated_json(&d)),
    }
}

/// A line of context after an error (`note: …`, `hint: …`): indented text
/// for people, `{"severity":"note",…}` in JSON.
pub fn note(kind: &str, message: &str) {
    match format() {
        ErrorFormat::Human => eprintln!("  {kind}: {message}"),
        ErrorFormat::Json => {
            eprintln!(
                "{}",
                json!({ "severity": "note", "kind": kind, "message": message })
            )
        }
    }
}

fn unlocated_json(d: &Diagnostic) -> Value {
    json!({
        "file": null,
        "severity": d.severity.as_str(),
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "labels": [],
    })
}

/// A data problem, pointing into the row it names when the file can be read
/// back (standard input cannot).
pub fn data_error(e: &DataError, format: Format) {
    let excerpt = e.line.and_then(|l| read_line(&e.file, l));
    let mut d = Diagnostic::error(e.code, e.message.clone());
    d.help = e.help.clone();
    match (excerpt, e.line) {
        (Some(text), Some(line)) => {
            // A CSV cell named only by its column: find it through the header.
            let header = match (format, e.column, &e.field) {
                (Format::Csv, None, Some(_)) if line > 1 => read_line(&e.file, 1),
                _ => None,
            };
            let span = span_in_line(&text, header.as_deref(), e, format);
            // A CSV cell is also named by its number, as a spreadsheet shows it.
            let label = match (&e.field, e.column.filter(|_| format == Format::Csv)) {
                (Some(f), Some(c)) => format!("column {c}, `{f}`"),
                (Some(f), None) => format!("`{f}`"),
                (None, Some(c)) => format!("column {c}"),
                (None, None) => "here".to_string(),
            };
            emit(&[d.label(span, label)], &e.file, &text, line);
        }
        _ => {
            d.message = format!("{} (in `{}`{})", d.message, e.file, line_suffix(e));
            match self::format() {
                ErrorFormat::Human => eprint!(
                    "{}",
                    render_human_from(&[d], "", "", 1, crate::style::stderr_color())
                ),
                ErrorFormat::Json => {
                    let mut v = unlocated_json(&d);
                    v["file"] = json!(e.file);
                    if let Some(l) = e.line {
                        v["line"] = json!(l);
                    }
                    if let Some(c) = e.column {
                        v["column"] = json!(c);
                    }
                    eprintln!("{v}");
                }
            }
        }
    }
}

fn line_suffix(e: &DataError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// Line `n` (1-based) of a file, without its line ending; `None` for
/// standard input, an unreadable file or a line that is not UTF-8.
fn read_line(file: &str, n: usize) -> Option<String> {
    // A compressed file's bytes are not its lines.
    let compressed = funnel_data::compress::Compression::from_name(file)
        != funnel_data::compress::Compression::None;
    if file == "-" || file == "<stdin>" || compressed {
        return None;
    }
    let f = std::fs::File::open(file).ok()?;
    let mut buf = Vec::new();
    let mut r = BufReader::new(f);
    for _ in 0..n {
        buf.clear();
        if r.read_until(b'\n', &mut buf).ok()? == 0 {
            return None;
        }
    }
    let mut s = String::from_utf8(buf).ok()?;
    while s.ends_with('\n') || s.ends_with('\r') {
        s.pop();
    }
    s.strip_prefix('\u{feff}').map(str::to_string).or(Some(s))
}

/// What in the row the error is about: a CSV cell by its number or header
/// name, a JSON key, a character column, or else the whole line.
fn span_in_line(text: &str, header: Option<&str>, e: &DataError, format: Format) -> Span {
    let whole = Span::new(0, text.len());
    match format {
        Format::Csv => {
            let cells = csv_cells(text);
            let by_number = e.column.and_then(|c| cells.get(c.checked_sub(1)?).copied());
            // By name: the header cell itself, or the row's cell under it.
            let by_name = || {
                let name = e.field.as_deref()?;
                let named = |line: &str| {
                    csv_cells(line)
                        .iter()
                        .position(|&(a, b)| line[a..b].trim().trim_matches('"') == name)
                };
                let i = named(header.unwrap_or(text))?;
                cells.get(i).copied()
            };
            by_number
                .or_else(by_name)
                .map_or(whole, |(a, b)| Span::new(a, b))
        }
        Format::Jsonl | Format::Yaml | Format::Segment => {
            if let Some(key) = &e.field {
                let quoted = format!("\"{key}\"");
                let found = text
                    .find(&quoted)
                    .map(|a| (a, a + quoted.len()))
                    .or_else(|| text.find(&format!("{key}:")).map(|a| (a, a + key.len())));
                if let Some((a, b)) = found {
                    return Span::new(a, b);
                }
            }
            match e.column {
                Some(c) if c >= 1 => {
                    let a = text
                        .char_indices()
                        .nth(c - 1)
                        .map_or(text.len(), |(i, _)| i);
                    let b = text[a..].chars().next().map_or(a, |ch| a + ch.len_utf8());
                    Span::new(a, b)
                }
                _ => whole,
            }
        }
    }
}

/// Byte ranges of a CSV line's cells (quotes kept; commas inside quotes do
/// not split).
fn csv_cells(text: &str) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                cells.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push((start, text.len()));
    cells
}

/// A scenario problem at `line`:`column` of the scenario's text.
pub fn scenario_error(file: &str, text: &str, e: &funnel_sim::ScenarioError) {
    let message = if e.key.is_empty() {
        e.message.clone()
    } else {
        format!("`{}`: {}", e.key, e.message)
    };
    let d = Diagnostic::error(e.code, message)
        .help("see docs/simulate.md for every scenario key".to_string());
    let line = text.lines().nth(e.line.saturating_sub(1));
    match line {
        Some(l) => {
            let a = l
                .char_indices()
                .nth(e.column.saturating_sub(1))
                .map_or(l.len(), |(i, _)| i);
            let b = l.trim_end().len().max(a);
            let b = if b == a { l.len() } else { b };
            let label = if e.key.is_empty() { "here" } else { "this key" };
            emit(&[d.label(Span::new(a, b), label)], file, l, e.line);
        }
        None => emit(&[d], file, "", 1),
    }
}

/// Print an IO problem the way every command does: what failed and what to do.
pub fn io_error(path: &Path, err: &std::io::Error) {
    error(
        "funnel::cli::unreadable",
        format!("cannot read `{}`: {}", path.display(), io_reason(err)),
        Some("check the path; it must name a readable playbook file".into()),
    );
}

/// What went wrong, in words: the common reasons without the OS's error number.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

fn position_json(p: &Position) -> [(&'static str, Value); 4] {
    [
        ("line", json!(p.line)),
        ("column", json!(p.column)),
        ("end_line", json!(p.end_line)),
        ("end_column", json!(p.end_column)),
    ]
}

/// One diagnostic as JSON, with 1-based positions (`check --format json`'s shape).
pub fn diagnostic_json(path: &str, loc: &Located) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("file".into(), json!(path));
    for (k, v) in position_json(&loc.position) {
        obj.insert(k.into(), v);
    }
    obj.insert("severity".into(), json!(loc.severity));
    obj.insert("code".into(), json!(loc.code));
    obj.insert("message".into(), json!(loc.message));
    obj.insert("help".into(), json!(loc.help));
    let labels: Vec<Value> = loc
        .labels
        .iter()
        .map(|l| {
            let mut o = serde_json::Map::new();
            for (k, v) in position_json(&l.position) {
                o.insert(k.into(), v);
            }
            o.insert("text".into(), json!(l.text));
            Value::Object(o)
        })
        .collect();
    obj.insert("labels".into(), Value::Array(labels));
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_err(column: Option<usize>, field: Option<&str>) -> DataError {
        DataError {
            code: "funnel::data::bad_value",
            file: "x".into(),
            line: Some(2),
            column,
            field: field.map(str::to_string),
            message: "m".into(),
            help: None,
            kind: None,
        }
    }

    #[test]
    fn a_csv_cell_is_found_by_number_past_quoted_commas() {
        let row = r#"l1,"Acme, Inc",x@y.com"#;
        let s = span_in_line(row, None, &data_err(Some(3), None), Format::Csv);
        assert_eq!(&row[s.start as usize..s.end as usize], "x@y.com");
        let s = span_in_line(row, None, &data_err(Some(2), None), Format::Csv);
        assert_eq!(&row[s.start as usize..s.end as usize], "\"Acme, Inc\"");
    }

    #[test]
    fn a_csv_header_cell_is_found_by_name() {
        let row = "id,emial,source";
        let s = span_in_line(row, None, &data_err(None, Some("emial")), Format::Csv);
        assert_eq!((s.start, s.end), (3, 8));
    }

    #[test]
    fn a_csv_cell_is_found_by_its_column_in_the_header() {
        let row = "D9,page_view,2026-03-02 10:06";
        let s = span_in_line(
            row,
            Some("lead,event,at"),
            &data_err(None, Some("event")),
            Format::Csv,
        );
        assert_eq!(&row[s.start as usize..s.end as usize], "page_view");
    }

    #[test]
    fn a_json_key_is_found_by_name_and_a_column_by_character() {
        let row = r#"{"lead":"l1","at":"yesterday"}"#;
        let s = span_in_line(row, None, &data_err(None, Some("at")), Format::Jsonl);
        assert_eq!(&row[s.start as usize..s.end as usize], "\"at\"");
        let s = span_in_line(row, None, &data_err(Some(9), None), Format::Jsonl);
        assert_eq!(&row[s.start as usize..s.end as usize], "\"");
    }
}
