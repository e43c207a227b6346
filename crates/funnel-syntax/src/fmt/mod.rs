//! The canonical formatter behind `funnel fmt`.
//!
//! [`format`] parses a playbook and prints its AST in one canonical layout:
//! two-space indentation, one declaration or rule per line, aligned columns
//! (score points, stage triggers, field types, KPI `=`, the `{` of one-line
//! events), blank lines collapsed to one, and every comment kept in order
//! next to the code it was written with. The grammar drops comments, so they
//! are recovered from the source text ([`source`]).
//!
//! Formatting never changes meaning: before returning, [`format`] parses its
//! own output and compares the tree with the input's (spans aside), and
//! checks that every comment survived. A mismatch is a bug in Funnel and is
//! reported as an internal error instead of returning altered text.

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

/// Format a playbook's source text.
pub fn format(source: &str) -> Result<String, Diagnostic> {
    let book = crate::parse(source)?;
    let out = format_playbook(source, &book);
    verify(source, &book, &out)?;
    Ok(out)
}

/// Print an already parsed playbook; `source` is the text it was parsed from
/// (for comments, blank lines and numbers as written). No verification.
pub fn format_playbook(source: &str, book: &Playbook) -> String {
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
