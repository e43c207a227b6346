//! What the server knows about one version of a document: the tokens, an AST
//! (parsed, or recovered from a text with a syntax error), and the name index.
//!
//! Recovery: the parser stops at the first syntax error, so the line it
//! points at is blanked (each byte of it becomes a space, so every offset
//! stays valid) and the text is parsed again; a file that ends inside a block
//! gets closing braces appended. After a few tries without success the index
//! comes from the token scan (`fallback.rs`) instead.

use funnel_syntax::ast::Playbook;

use crate::index::Index;
use crate::tokens::{self, Token};
use crate::{fallback, walk};

/// How many lines recovery blanks before it gives up.
const MAX_TRIES: usize = 24;

pub struct Analysis {
    pub tokens: Vec<Token>,
    /// The parsed playbook, or the one recovered from a broken text (some
    /// lines left out).
    pub ast: Option<Playbook>,
    pub index: Index,
}

/// Analyse `text`; `parsed` is its playbook when the caller has it already.
pub fn analyse(text: &str, parsed: Option<Playbook>) -> Analysis {
    let tokens = tokens::scan(text);
    let ast = match parsed.map(Ok).unwrap_or_else(|| funnel_syntax::parse(text)) {
        Ok(ast) => Some(ast),
        Err(d) => recover(text, d.primary_span().start as usize),
    };
    let index = match &ast {
        Some(ast) => walk::index(ast),
        None => fallback::index(text, &tokens),
    };
    Analysis { tokens, ast, index }
}

/// Parse `text` again with the offending lines blanked.
fn recover(text: &str, first_error: usize) -> Option<Playbook> {
    let mut bytes: Vec<u8> = text.as_bytes().to_vec();
    let mut at = first_error;
    let mut closers = 0;
    for _ in 0..MAX_TRIES {
        if at >= text.len() {
            // The file ends inside a block: close it.
            if closers >= 4 {
                return None;
            }
            bytes.extend_from_slice(b"\n}");
            closers += 1;
        } else {
            blank_line(&mut bytes, at);
        }
        let candidate = String::from_utf8_lossy(&bytes);
        match funnel_syntax::parse(&candidate) {
            Ok(ast) => return Some(ast),
            Err(d) => at = d.primary_span().start as usize,
        }
    }
    None
}

/// Blank the line holding `at`; when it is blank already (the error is where
/// the line starts), blank the previous line that has text.
fn blank_line(bytes: &mut [u8], at: usize) {
    let at = at.min(bytes.len().saturating_sub(1));
    let mut start = at;
    while start > 0 && bytes[start - 1] != b'\n' {
        start -= 1;
    }
    let mut end = at;
    while end < bytes.len() && bytes[end] != b'\n' {
        end += 1;
    }
    let empty = bytes[start..end].iter().all(|b| b.is_ascii_whitespace());
    if empty && start > 0 {
        // Walk back to the previous line with text.
        let mut prev_end = start - 1;
        while prev_end > 0 {
            let mut s = prev_end;
            while s > 0 && bytes[s - 1] != b'\n' {
                s -= 1;
            }
            if !bytes[s..prev_end].iter().all(|b| b.is_ascii_whitespace()) {
                blank(&mut bytes[s..prev_end]);
                return;
            }
            if s == 0 {
                return;
            }
            prev_end = s - 1;
        }
        return;
    }
    blank(&mut bytes[start..end]);
}

/// Spaces for every byte except a line's `\r`.
fn blank(bytes: &mut [u8]) {
    for b in bytes {
        if *b != b'\r' {
            *b = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Kind;

    #[test]
    fn recovers_around_a_broken_line() {
        let text = "event a\nevent b\nfunnel {\n  Lead on a\n  MQL on \n  SQL on b\n}\n";
        let a = analyse(text, None);
        assert!(a.ast.is_some());
        let stages: Vec<&str> = a
            .index
            .of_kind(Kind::Stage)
            .map(|(_, s)| s.name.as_str())
            .collect();
        assert_eq!(stages, vec!["Lead", "SQL"]);
    }

    #[test]
    fn closes_an_unclosed_block() {
        let text = "event a\nscore s {\n  +1 on a\n";
        let a = analyse(text, None);
        assert!(a.ast.is_some());
        assert!(a.index.find(Kind::Score, "s").is_some());
        assert_eq!(a.index.uses(0).count(), 1);
    }
}
