//! The line printer: collects output lines, places comments, and applies the
//! blank-line rules, then renders the lines with trailing comments aligned.
//!
//! Comments are placed by position. Before a line that covers source up to
//! offset `q` is emitted, every comment starting before `q` that has not been
//! placed yet is emitted on its own line (so comments never move past code
//! that followed them). After the line, a comment on the same source line
//! right after the code it ends with becomes the line's trailing comment.

use super::source::Source;

/// Indentation of one block level.
pub(crate) const INDENT: &str = "  ";

/// One output line: code (empty for a comment on its own line), an optional
/// trailing comment, and whether a blank line precedes it.
#[derive(Debug)]
struct OutLine {
    blank: bool,
    indent: usize,
    code: String,
    comment: Option<String>,
}

/// Builds the output of one playbook.
pub(crate) struct Printer<'s> {
    pub src: Source<'s>,
    /// Index of the first comment not placed yet.
    next: usize,
    lines: Vec<OutLine>,
    /// Current block depth.
    pub indent: usize,
    /// The next line opens a block or the file: no blank line before it.
    suppress_blank: bool,
    /// The next line needs a blank line before it (around top-level blocks).
    pub force_blank: bool,
}

impl<'s> Printer<'s> {
    pub fn new(text: &'s str) -> Printer<'s> {
        Printer {
            src: Source::new(text),
            next: 0,
            lines: Vec::new(),
            indent: 0,
            suppress_blank: true,
            force_blank: false,
        }
    }

    /// Emit, each on its own line at the current depth, every unplaced comment
    /// that starts before `before`.
    pub fn flush(&mut self, before: u32) {
        while let Some(c) = self.src.comments.get(self.next) {
            if c.start >= before {
                break;
            }
            let blank = c.own_line && self.src.blank_before(c.start);
            let text = c.text.clone();
            self.next += 1;
            self.push(String::new(), blank, Some(text));
        }
    }

    /// The unplaced comment trailing code that ends at `end`, if any.
    pub fn trailing(&mut self, end: u32) -> Option<String> {
        let c = self.src.comments.get(self.next)?;
        if c.own_line || !self.src.trails(end, c.start) {
            return None;
        }
        self.next += 1;
        Some(c.text.clone())
    }

    /// Add a line at the current depth.
    pub fn push(&mut self, code: String, blank: bool, comment: Option<String>) {
        let blank = !self.suppress_blank && (blank || self.force_blank);
        self.suppress_blank = false;
        self.force_blank = false;
        self.lines.push(OutLine {
            blank,
            indent: self.indent,
            code,
            comment,
        });
    }

    /// A one-line item whose source is `start..end`.
    pub fn item(&mut self, start: u32, end: u32, code: String) {
        let end = self.src.code_end(start, end);
        self.flush(end);
        let blank = self.src.blank_before(start);
        let comment = self.trailing(end);
        self.push(code, blank, comment);
    }

    /// Several output lines for one item (a wrapped list); the trailing
    /// comment goes on the last.
    pub fn item_lines(&mut self, start: u32, end: u32, code: Vec<String>) {
        let end = self.src.code_end(start, end);
        self.flush(end);
        let blank = self.src.blank_before(start);
        let comment = self.trailing(end);
        let n = code.len();
        for (i, line) in code.into_iter().enumerate() {
            let c = if i + 1 == n { comment.clone() } else { None };
            self.push(line, blank && i == 0, c);
        }
    }

    /// A line opening a block, `header` ending with `{` at `brace`; the
    /// following lines are one level deeper.
    pub fn open(&mut self, start: u32, brace: u32, header: String) {
        self.flush(brace);
        let blank = self.src.blank_before(start);
        let comment = self.trailing(brace + 1);
        self.push(header, blank, comment);
        self.indent += 1;
        self.suppress_blank = true;
    }

    /// Close a block: comments left before `close` stay inside it, then `}`.
    pub fn close(&mut self, close: u32) {
        self.flush(close);
        self.indent = self.indent.saturating_sub(1);
        let comment = self.trailing(close + 1);
        self.suppress_blank = true;
        self.push("}".to_string(), false, comment);
    }

    /// Close a block and open the next on the same line: `} else {`.
    /// Comments before `brace` stay inside the closed block.
    pub fn reopen(&mut self, brace: u32, line: String) {
        self.flush(brace);
        self.indent = self.indent.saturating_sub(1);
        let comment = self.trailing(brace + 1);
        self.suppress_blank = true;
        self.push(line, false, comment);
        self.indent += 1;
        self.suppress_blank = true;
    }

    /// Place the comments left at the end of the file and render; also
    /// the deepest expression printed (depth and span).
    pub fn finish(mut self) -> (String, (usize, crate::Span)) {
        self.flush(u32::MAX);
        (render(&self.lines), self.src.deepest())
    }
}

/// Render lines; runs of adjacent code lines with trailing comments get
/// their comments aligned two spaces after the longest code.
fn render(lines: &[OutLine]) -> String {
    let width = |l: &OutLine| l.indent * INDENT.len() + l.code.chars().count();
    let has_trailing = |l: &OutLine| !l.code.is_empty() && l.comment.is_some();
    let mut comment_col = vec![0; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !has_trailing(&lines[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && has_trailing(&lines[j]) && !lines[j].blank {
            j += 1;
        }
        let col = lines[i..j].iter().map(width).max().unwrap_or(0) + 2;
        for c in &mut comment_col[i..j] {
            *c = col;
        }
        i = j;
    }
    let mut out = String::new();
    for (l, col) in lines.iter().zip(comment_col) {
        if l.blank {
            out.push('\n');
        }
        for _ in 0..l.indent {
            out.push_str(INDENT);
        }
        out.push_str(&l.code);
        if let Some(c) = &l.comment {
            if !l.code.is_empty() {
                let pad = col.saturating_sub(width(l)).max(1);
                out.push_str(&" ".repeat(pad));
            }
            out.push_str(c);
        }
        out.push('\n');
    }
    out
}
