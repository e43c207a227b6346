//! Diagnostics to output, shared by every command: loading and checking a
//! playbook ([`load_playbook`]), and printing diagnostics for people (miette,
//! to stderr), as JSON, or as GitHub workflow annotations.
//!
//! Human-readable diagnostics always go to stderr, so a command's real output
//! on stdout stays clean; machine formats (`--format json|github`) go to stdout.

use std::path::{Path, PathBuf};

use funnel_check::render::{render_human, Locator};
use funnel_syntax::Diagnostic;
use serde_json::{json, Value};

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rendered reports with source excerpts, for people.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// SARIF 2.1.0 on stdout, for code-scanning uploaders.
    Sarif,
}

/// One checked file: its path as given, its text and its diagnostics.
pub struct FileReport {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Whether to colour output to stderr (`--color`; by default a terminal and
/// `NO_COLOR` unset or empty).
pub fn stderr_color() -> bool {
    crate::style::stderr_color()
}

/// Human-readable reports for one file.
pub fn human(report: &FileReport, color: bool) -> String {
    render_human(&report.diagnostics, &report.path, &report.source, color)
}

/// The JSON document for a set of checked files.
pub fn json_document(files: &[FileReport]) -> Value {
    let mut errors = 0;
    let mut warnings = 0;
    let files_json: Vec<Value> = files
        .iter()
        .map(|f| {
            errors += f.errors();
            warnings += f.warnings();
            let locator = Locator::new(&f.source);
            let diags: Vec<Value> = f
                .diagnostics
                .iter()
                .map(|d| crate::diag::diagnostic_json(&f.path, &locator.locate(d)))
                .collect();
            json!({ "path": f.path, "diagnostics": diags })
        })
        .collect();
    json!({
        "version": 1,
        "files": files_json,
        "summary": { "files": files.len(), "errors": errors, "warnings": warnings },
    })
}

/// GitHub workflow commands, one line per diagnostic.
pub fn github_lines(report: &FileReport) -> String {
    let locator = Locator::new(&report.source);
    let mut out = String::new();
    for d in &report.diagnostics {
        let loc = locator.locate(d);
        let p = &loc.position;
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            if d.is_error() { "error" } else { "warning" },
            escape_property(&report.path),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            escape_property(loc.code),
            escape_data(&loc.message),
        ));
    }
    out
}

/// Escape a workflow command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command property (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The playbook files the paths name, sorted; true when a path failed.
pub fn playbooks(paths: &[PathBuf]) -> (Vec<PathBuf>, bool) {
    let mut failed = false;
    let mut files = Vec::new();
    for path in paths {
        match playbook_files(path) {
            Ok(found) if found.is_empty() => {
                crate::diag::error(
                    "funnel::cli::no_playbooks",
                    format!("no `.funnel` files in `{}`", path.display()),
                    Some(
                        "check the path; pass a playbook file or a directory that holds some"
                            .into(),
                    ),
                );
                failed = true;
            }
            Ok(found) => files.extend(found),
            Err(e) => {
                crate::diag::io_error(path, &e);
                failed = true;
            }
        }
    }
    files.sort();
    files.dedup();
    (files, failed)
}

/// The playbooks a path names: the file itself, or every `*.funnel` below a
/// directory, sorted. Hidden directories are skipped and symbolic links to
/// directories are not followed (no cycles).
pub fn playbook_files(path: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if crate::load::is_stdin(path) {
        return Ok(vec![path.to_path_buf()]);
    }
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let p = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type()?.is_dir() {
                if !hidden {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|e| e == "funnel") && p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(escape_data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(
            escape_property("funnel::check::x,y"),
            "funnel%3A%3Acheck%3A%3Ax%2Cy"
        );
    }
}
