//! The canonical formatter behind `funnel fmt`.
//!
//! [`format`] parses a playbook and prints its AST in one canonical layout.
//! The grammar drops comments, so they are recovered from the source text
//! (`source.rs`) and placed by position (`printer.rs`).
//!
//! The layout:
//! - Two-space indentation; one declaration, rule, stage, field or step per
//!   line; blocks open with `{` at the end of their line and close with `}`
//!   alone, or with `} else {`, `} else if C {`, `} 30% {`.
//! - Blank lines: a block declaration has one blank line before and after
//!   it; elsewhere one blank line stays where the source had one or more, and
//!   none at the start or end of a block or file.
//! - Columns: score points pad to the group's widest (`+5  on x`), and the
//!   modifiers of a group's rules line up two spaces after the widest trigger;
//!   stage triggers and field types line up two spaces after the widest name;
//!   consecutive `kpi` lines align their `=`; consecutive one-line `event`s
//!   align their `{`. A group is a run of lines with no blank line between.
//! - Comments stay next to the code they were written with: a comment on its
//!   own line stays before the line that followed it, a trailing comment stays
//!   on its line, two spaces after the code (aligned when adjacent lines have
//!   one too). A comment written inside a construct printed on one line (a
//!   multi-line `in (…)` list) moves above that line.
//! - Spellings: `on any event`, `1 day` / `3 days`, `per day` for `per 1 day`,
//!   `09:00`, a space between date and time, `Z` for a zero offset, points
//!   with their sign, no `+` on `floor`/`cap`. Numbers and strings are kept as
//!   written (`10,000`, escapes). Parentheses are the user's, plus any that
//!   precedence needs.
//! - Event field lists and test records stay on one line when written on one
//!   line and they fit in [`MAX_WIDTH`] columns; otherwise one field per line.
//!   Holiday lists wrap at [`MAX_WIDTH`].
//!
//! Formatting never changes meaning: before returning, [`format`] parses its
//! own output and compares the tree with the input's (spans aside), and
//! checks that every comment survived in order. A mismatch is a bug in
//! Funnel and is reported as an internal error instead of returning altered
//! text.

mod align;
mod decls;
mod expr;
mod printer;
mod source;
mod steps;
mod test_decls;

use crate::ast::Playbook;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Lines longer than this break where the layout allows it (records, event
/// field lists, holiday lists).
pub const MAX_WIDTH: usize = 100;

/// Expressions nested deeper than this (a chain of thousands of operators)
/// are refused: checking the output would recurse that deep. The parser
/// already refuses deeper nesting than [`crate::MAX_NESTING`] (an
/// expression's depth is at most its nesting plus its leaf), so this is a
/// second guard that parsed playbooks never reach.
pub const MAX_DEPTH: usize = crate::MAX_NESTING + 1;

/// Format a playbook's source text.
pub fn format(source: &str) -> Result<String, Diagnostic> {
    let book = crate::parse(source)?;
    let (out, (depth, span)) = print(source, &book);
    if depth > MAX_DEPTH {
        return Err(Diagnostic::error(
            "funnel::fmt::too_deep",
            "expression is nested too deeply to format",
        )
        .label(
            span,
            format!("{depth} levels deep; the formatter handles {MAX_DEPTH}"),
        )
        .help("split the expression into smaller parts, for example several `kpi`s"));
    }
    verify(source, &book, &out)?;
    Ok(out)
}

/// Print an already parsed playbook; `source` is the text it was parsed from
/// (for comments, blank lines and numbers as written). No verification.
pub fn format_playbook(source: &str, book: &Playbook) -> String {
    print(source, book).0
}

/// The output and the deepest expression's depth and span.
fn print(source: &str, book: &Playbook) -> (String, (usize, Span)) {
    let mut p = printer::Printer::new(source);
    decls::file(&mut p, book);
    p.finish()
}

/// True when two playbooks are the same program: equal trees, spans aside.
pub fn same_meaning(a: &Playbook, b: &Playbook) -> bool {
    erase_spans(&format!("{a:?}")) == erase_spans(&format!("{b:?}"))
}

/// The text of every `#` comment in `source`, in order (trailing spaces
/// removed).
pub fn comments(source: &str) -> Vec<String> {
    source::scan_comments(source)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// The `Debug` text of a tree with every `Span { start: …, end: … }` removed.
pub fn erase_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        let after = &rest[i + OPEN.len()..];
        rest = match after.find(" }") {
            Some(j) => &after[j + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

fn verify(source: &str, book: &Playbook, out: &str) -> Result<(), Diagnostic> {
    let bug = |what: &str| {
        Diagnostic::error(
            "funnel::fmt::internal",
            format!("internal error while formatting: {what}"),
        )
        .label(Span::new(0, 0), "the file was left unchanged")
        .help("this is a bug in Funnel; please report it with the playbook that caused it")
    };
    let again = crate::parse(out).map_err(|d| {
        bug(&format!(
            "the formatted text does not parse ({})",
            d.message
        ))
    })?;
    if !same_meaning(book, &again) {
        return Err(bug("the formatted text means something else"));
    }
    if comments(source) != comments(out) {
        return Err(bug("a comment was lost or moved out of order"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_erased() {
        let d = "Ident { name: \"a\", span: Span { start: 3, end: 4 } }, Bool(true, Span { start: 9, end: 13 })";
        assert_eq!(
            erase_spans(d),
            "Ident { name: \"a\", span: Span }, Bool(true, Span)"
        );
    }
}
