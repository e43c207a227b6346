//! Folding ranges: every `{ … }` block that spans lines (from the token scan,
//! so a file that does not parse still folds), and runs of two or more
//! comment lines.

use lsp_types::{FoldingRange, FoldingRangeKind};

use crate::document::Doc;
use crate::tokens::Tok;

pub fn ranges(doc: &Doc) -> Vec<FoldingRange> {
    let text = &doc.text;
    let a = doc.analysis();
    let mut out = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    // The line of the last comment-only line and where its run started.
    let mut run: Option<(usize, usize)> = None;
    let mut line_has_code = false;
    for t in &a.tokens {
        let line = doc.lines.line_of(t.span.start as usize);
        match t.kind {
            Tok::Newline => line_has_code = false,
            Tok::Comment if !line_has_code => {
                run = match run {
                    Some((start, last)) if last + 1 == line => Some((start, line)),
                    other => {
                        push_comments(&mut out, other);
                        Some((line, line))
                    }
                };
            }
            Tok::Comment => {}
            _ => {
                line_has_code = true;
                match t.text(text) {
                    "{" => open.push(line),
                    "}" => {
                        if let Some(start) = open.pop() {
                            // Keep the closing line visible.
                            if line > start + 1 {
                                out.push(fold(start, line.saturating_sub(1), None));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    push_comments(&mut out, run);
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out
}

fn push_comments(out: &mut Vec<FoldingRange>, run: Option<(usize, usize)>) {
    if let Some((start, end)) = run {
        if end > start {
            out.push(fold(start, end, Some(FoldingRangeKind::Comment)));
        }
    }
}

fn fold(start: usize, end: usize, kind: Option<FoldingRangeKind>) -> FoldingRange {
    FoldingRange {
        start_line: start as u32,
        start_character: None,
        end_line: end as u32,
        end_character: None,
        kind,
        collapsed_text: None,
    }
}
