//! One open document: its text and version, and what the server has worked
//! out about it, computed on first need and kept until the next change
//! (diagnostics from `funnel-check`, the [`Analysis`], the checked program).

use std::cell::OnceCell;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use funnel_check::{Checked, Program};
use funnel_syntax::{Diagnostic, Span};

use crate::analysis::{self, Analysis};
use crate::lines::Lines;

pub struct Doc {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub lines: Lines,
    checked: OnceCell<(Vec<Diagnostic>, Option<Program>)>,
    analysis: OnceCell<Analysis>,
}

impl Doc {
    pub fn new(uri: Uri, version: i32, text: String) -> Doc {
        Doc {
            uri,
            version,
            lines: Lines::new(&text),
            text,
            checked: OnceCell::new(),
            analysis: OnceCell::new(),
        }
    }

    /// Apply the client's changes in order (ranges or whole texts).
    pub fn change(self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> Doc {
        let mut text = self.text;
        let mut lines = self.lines;
        for ch in changes {
            match ch.range {
                Some(range) => {
                    let span = lines.span(&text, range);
                    let (a, b) = (
                        span.start as usize,
                        (span.end as usize).max(span.start as usize),
                    );
                    text.replace_range(a..b, &ch.text);
                }
                None => text = ch.text,
            }
            lines = Lines::new(&text);
        }
        Doc {
            uri: self.uri,
            version,
            text,
            lines,
            checked: OnceCell::new(),
            analysis: OnceCell::new(),
        }
    }

    /// Every diagnostic `funnel check` reports for this text.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked().0
    }

    /// The checked program, when the text has no errors.
    pub fn program(&self) -> Option<&Program> {
        self.checked().1.as_ref()
    }

    fn checked(&self) -> &(Vec<Diagnostic>, Option<Program>) {
        self.checked.get_or_init(|| {
            let Checked {
                diagnostics,
                program,
            } = funnel_check::check_source(&self.text);
            (diagnostics, program)
        })
    }

    pub fn analysis(&self) -> &Analysis {
        self.analysis.get_or_init(|| analysis::analyse(&self.text))
    }

    pub fn offset(&self, pos: Position) -> usize {
        self.lines.offset(&self.text, pos)
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(&self.text, span)
    }

    /// The text of a span ("" when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}
