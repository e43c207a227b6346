//! One open document: its text and version, and what the server has worked
//! out about it, computed on first need and kept until the next change
//! (diagnostics from `funnel-check`, the [`Analysis`], the checked program).

use std::cell::{OnceCell, RefCell};

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use funnel_check::{Checked, Program};
use funnel_syntax::{Diagnostic, Span};

use crate::analysis::{self, Analysis};
use crate::incremental::Chunks;
use crate::lines::Lines;

pub struct Doc {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub lines: Lines,
    checked: OnceCell<(Vec<Diagnostic>, Option<Program>)>,
    analysis: OnceCell<Analysis>,
    /// Parsed top-level chunks, kept across changes (`incremental.rs`).
    chunks: RefCell<Chunks>,
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
            chunks: RefCell::new(Chunks::default()),
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
        // A big playbook's cached AST and program take milliseconds to free:
        // free them on another thread, not in the way of the next answer.
        if self.checked.get().is_some() || self.analysis.get().is_some() {
            let stale = (self.checked, self.analysis);
            std::thread::spawn(move || drop(stale));
        }
        Doc {
            uri: self.uri,
            version,
            text,
            lines,
            checked: OnceCell::new(),
            analysis: OnceCell::new(),
            chunks: self.chunks,
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
            } = match self.parse() {
                Some(ast) => funnel_check::check(ast),
                // A syntax error: reported as `funnel check` reports it.
                None => funnel_check::check_source(&self.text),
            };
            (diagnostics, program)
        })
    }

    pub fn analysis(&self) -> &Analysis {
        self.analysis
            .get_or_init(|| analysis::analyse(&self.text, self.parse()))
    }

    /// The playbook from the chunk cache, or `None` when the text has a
    /// syntax error.
    fn parse(&self) -> Option<funnel_syntax::ast::Playbook> {
        self.chunks.borrow_mut().parse(&self.text)
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
