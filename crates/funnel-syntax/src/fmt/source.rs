//! What the formatter reads from the source text besides the AST: comments
//! (the grammar drops them), blank lines, and the positions of braces that the
//! AST does not record.
//!
//! Every scan here knows about string literals, so a `#` or a `{` inside
//! `"..."` is never taken for a comment or a brace.

use std::cell::Cell;

use crate::span::Span;

/// A `#` comment as written, without its line break or trailing spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Byte offset of the `#`.
    pub start: u32,
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

/// The source text with its comments found.
pub(crate) struct Source<'s> {
    pub text: &'s str,
    pub comments: Vec<Comment>,
    /// The deepest expression printed so far and where it is.
    deepest: Cell<(usize, Span)>,
}

impl<'s> Source<'s> {
    pub fn new(text: &'s str) -> Source<'s> {
        Source {
            text,
            comments: scan_comments(text),
            deepest: Cell::new((0, Span::default())),
        }
    }

    /// Remember an expression's nesting depth if it is the deepest yet.
    pub fn note_depth(&self, depth: usize, span: Span) {
        if depth > self.deepest.get().0 {
            self.deepest.set((depth, span));
        }
    }

    /// The deepest expression's nesting depth and span.
    pub fn deepest(&self) -> (usize, Span) {
        self.deepest.get()
    }

    /// The text of `start..end`, or `""` when the range does not fit.
    pub fn slice(&self, start: u32, end: u32) -> &'s str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Offset of the first byte of the line holding `pos`.
    fn line_start(&self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        self.text.as_bytes()[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    }

    /// True when `pos` starts its line (only whitespace before it) and the
    /// line above it is blank.
    pub fn blank_before(&self, pos: u32) -> bool {
        let pos = pos as usize;
        let ls = self.line_start(pos);
        if ls == 0 || !is_blank(self.text.get(ls..pos).unwrap_or("x")) {
            return false;
        }
        let prev = self.line_start(ls - 1);
        is_blank(self.text.get(prev..ls - 1).unwrap_or("x"))
    }

    /// True when some whole line strictly between the line of `a` and the
    /// line of `b` is blank.
    pub fn blank_between(&self, a: u32, b: u32) -> bool {
        let (a, b) = (a as usize, (b as usize).min(self.text.len()));
        if a >= b {
            return false;
        }
        let Some(first_nl) = self.text[a..b].find('\n') else {
            return false;
        };
        let inner_start = a + first_nl + 1;
        let inner_end = self.line_start(b);
        inner_start < inner_end && self.text[inner_start..inner_end].lines().any(is_blank)
    }

    /// The end of the last code in `start..end`: pest spans of rules ending in
    /// an optional part can take in the spaces and the comment after them.
    pub fn code_end(&self, start: u32, end: u32) -> u32 {
        let bytes = self.text.as_bytes();
        let start = start as usize;
        let mut end = (end as usize).min(bytes.len());
        loop {
            while end > start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            if end == start {
                return u32::try_from(end).unwrap_or(u32::MAX);
            }
            // Is the last byte inside a comment on its line?
            let mut i = self.line_start(end - 1);
            let mut comment = None;
            while i < end {
                match bytes[i] {
                    b'"' => i = skip_string(bytes, i),
                    b'#' => {
                        comment = Some(i);
                        break;
                    }
                    _ => i += 1,
                }
            }
            match comment {
                Some(c) if c >= start => end = c,
                _ => return u32::try_from(end).unwrap_or(u32::MAX),
            }
        }
    }

    /// True when the text between `a` and `b` holds a line break.
    pub fn has_newline(&self, a: u32, b: u32) -> bool {
        self.slice(a, b).contains('\n')
    }

    /// True when only spaces, tabs and commas separate `a` from `b` (both on
    /// one line): a comment at `b` then trails whatever ends at `a`.
    pub fn trails(&self, a: u32, b: u32) -> bool {
        a <= b
            && self
                .slice(a, b)
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | ','))
    }

    /// Offset of the first `ch` at or after `from` that is code (not inside a
    /// string or a comment). `from` must be outside strings and comments.
    pub fn find_code(&self, from: u32, ch: u8) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let mut i = from as usize;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => i = skip_string(bytes, i),
                b'#' => i = skip_comment(bytes, i),
                b if b == ch => return u32::try_from(i).ok(),
                _ => i += 1,
            }
        }
        None
    }
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Index just past the string literal opening at `i` (or at its line end).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            b'\n' | b'\r' => return j,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Index of the line break ending the comment opening at `i`.
fn skip_comment(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < bytes.len() && bytes[j] != b'\n' && bytes[j] != b'\r' {
        j += 1;
    }
    j
}

/// Every comment of `text`, in order.
pub(crate) fn scan_comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'#' => {
                let end = skip_comment(bytes, i);
                let own_line = bytes[line_start..i]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t'));
                out.push(Comment {
                    start: u32::try_from(i).unwrap_or(u32::MAX),
                    text: text.get(i..end).unwrap_or("#").trim_end().to_string(),
                    own_line,
                });
                i = end;
            }
            b'\n' | b'\r' => {
                i += 1;
                line_start = i;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_and_know_their_line() {
        let text = "a \"x # y\" # one\n  # two\nb";
        let cs = scan_comments(text);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].text, "# one");
        assert!(!cs[0].own_line);
        assert_eq!(cs[0].start, 10);
        assert_eq!(cs[1].text, "# two");
        assert!(cs[1].own_line);
    }

    #[test]
    fn blank_lines_are_seen() {
        let s = Source::new("a\n\n  b\nc\n# x\n\nd");
        assert!(s.blank_before(5));
        assert!(!s.blank_before(7));
        assert!(s.blank_between(0, 5));
        assert!(!s.blank_between(5, 7));
        // A comment line is not blank; the empty line after it is.
        assert!(s.blank_between(7, 14));
    }

    #[test]
    fn code_end_drops_trailing_spaces_and_comments() {
        let s = Source::new("a \"#\"  # c\n  # d\n");
        assert_eq!(s.code_end(0, 19), 5);
        assert_eq!(s.code_end(0, 3), 3);
        assert_eq!(s.code_end(0, 7), 5);
    }

    #[test]
    fn braces_inside_strings_are_skipped() {
        let s = Source::new("test \"a {b}\" # {\n {");
        assert_eq!(s.find_code(0, b'{'), Some(18));
    }
}
