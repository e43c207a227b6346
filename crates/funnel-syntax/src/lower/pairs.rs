//! The tools every lowering function shares: the bug type for a
//! grammar/lowering mismatch, spans without trailing comments, and an
//! iterator over a pair's children that reports a bug instead of panicking.

use pest::iterators::{Pair, Pairs};

use crate::grammar::Rule;
use crate::span::Span;

/// A grammar/lowering mismatch: a bug in Funnel, never the user's fault.
#[derive(Debug)]
pub struct Bug(pub String, pub Span);

impl Bug {
    const TOO_LONG: &'static str = "expression chain too long";

    /// Not a bug: an expression with more than [`MAX_CHAIN`](crate::nesting::MAX_CHAIN) operands.
    pub(super) fn too_long(span: Span) -> Bug {
        Bug(Bug::TOO_LONG.to_string(), span)
    }

    pub fn is_too_long(&self) -> bool {
        self.0 == Bug::TOO_LONG
    }
}

pub(super) type R<T> = Result<T, Bug>;

/// The span of a pair without the spaces and comment that pest's implicit
/// whitespace leaves at its end (a rule ending in an optional part takes
/// them in), so labels underline the code and nothing after it.
pub(super) fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    let text = s.as_str();
    Span::new(s.start(), s.start() + code_len(text))
}

/// The length of `text` once trailing whitespace and comments are removed.
pub(super) fn code_len(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let trimmed = text[..end].trim_end().len();
        let line_start = text[..trimmed].rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..trimmed]) {
            Some(i) => end = line_start + i,
            None => return trimmed,
        }
    }
}

/// Where a `#` comment starts in one line, outside string literals.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    // Most lines have no `#` at all: one byte search instead of a walk.
    if !line.as_bytes().contains(&b'#') {
        return None;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

pub(super) fn bug<T>(what: &str, p: &Pair<'_, Rule>) -> R<T> {
    Err(Bug(format!("{what} (at rule {:?})", p.as_rule()), span(p)))
}

/// Iterator over a pair's children that reports a bug instead of panicking.
pub(super) struct Children<'i> {
    inner: Pairs<'i, Rule>,
    pub(super) parent: Span,
}

impl<'i> Children<'i> {
    pub(super) fn of(p: Pair<'i, Rule>) -> Children<'i> {
        let parent = span(&p);
        Children {
            inner: p.into_inner(),
            parent,
        }
    }

    pub(super) fn next(&mut self, what: &str) -> R<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| Bug(format!("missing {what}"), self.parent))
    }

    pub(super) fn peek_rule(&self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    pub(super) fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek_rule() == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    pub(super) fn rest(self) -> Pairs<'i, Rule> {
        self.inner
    }
}
