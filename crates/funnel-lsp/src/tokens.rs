//! A forgiving token scan of a playbook: words, numbers, strings, comments,
//! punctuation and newlines, with byte spans. It never fails, so it serves
//! the features that must answer on a file that does not parse (completion
//! context, folding, semantic tokens, the fallback name index).

use funnel_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A name or keyword: `[A-Za-z_][A-Za-z0-9_]*`.
    Word,
    /// A number, date, time or amount: digits with `,` `.` `:` `-` inside,
    /// an optional leading `$` or sign-less, an optional trailing `%`.
    Number,
    /// A string literal, closed or not (an unclosed one ends at the line's end).
    Str,
    Comment,
    /// One or two characters of punctuation: `{`, `->`, `==`, `..`, `+`, …
    Punct,
    Newline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub span: Span,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.range()).unwrap_or("")
    }
}

const TWO: [&str; 8] = ["->", "==", "!=", ">=", "<=", "..", "+=", "-="];

/// Scan the whole text.
pub fn scan(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\n' => {
                i += 1;
                Tok::Newline
            }
            b'#' => {
                i = line_end(bytes, i);
                Tok::Comment
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\n' {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                Tok::Str
            }
            b'$' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() {
                    let c = bytes[i];
                    let joins = matches!(c, b',' | b'.' | b':' | b'-')
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                    if c.is_ascii_digit() || joins {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if bytes.get(i) == Some(&b'%') {
                    i += 1;
                }
                Tok::Number
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Tok::Word
            }
            _ => {
                let two = text.get(i..i + 2).unwrap_or("");
                if TWO.contains(&two) {
                    i += 2;
                } else {
                    // One character, however many bytes it takes.
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                }
                Tok::Punct
            }
        };
        out.push(Token {
            kind,
            span: Span::new(start, i),
        });
    }
    out
}

fn line_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

/// The words Funnel reserves or recognises as keywords anywhere.
pub const KEYWORDS: &[&str] = &[
    "and", "at", "by", "clicked", "else", "every", "false", "in", "is", "lost", "matches", "max",
    "missing", "not", "on", "once", "opened", "or", "per", "present", "stage", "true", "when",
    "where", "within",
];

/// Words that start a declaration or a block line, keywords where they stand.
pub const DECL_WORDS: &[&str] = &[
    "playbook", "timezone", "currency", "calendar", "lead", "event", "funnel", "score", "nurture",
    "limit", "input", "kpi", "target", "test", "sla", "decay", "floor", "cap", "enroll",
    "reenroll", "exit", "send", "wait", "if", "split", "notify", "set", "days", "hours",
    "holidays", "expect", "sent", "field", "up", "to", "for", "until", "cron", "after", "never",
    "always", "business", "inactive", "any", "one", "of", "entered", "reached", "breached",
    "sends",
];

/// The reserved words: these cannot be names (`grammar/funnel.pest`, `keyword`;
/// `max` is reserved by the docs, so a rename refuses it too).
pub fn is_reserved(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// True when `c` can be part of a name.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A valid new name: starts with a letter or `_`, ASCII letters, digits, `_`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(is_name_char)
}

/// The word (name characters) around byte `offset`, if any.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let offset = offset.min(text.len());
    let bytes = text.as_bytes();
    let is = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut start = offset;
    while start > 0 && is(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is(bytes[end]) {
        end += 1;
    }
    (end > start).then(|| Span::new(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_a_line() {
        let text = "  +10 on pricing_view where path == \"/x\"  # hé\nsla A -> B within 2 days";
        let toks = scan(text);
        let shown: Vec<(Tok, &str)> = toks.iter().map(|t| (t.kind, t.text(text))).collect();
        assert_eq!(
            shown,
            vec![
                (Tok::Punct, "+"),
                (Tok::Number, "10"),
                (Tok::Word, "on"),
                (Tok::Word, "pricing_view"),
                (Tok::Word, "where"),
                (Tok::Word, "path"),
                (Tok::Punct, "=="),
                (Tok::Str, "\"/x\""),
                (Tok::Comment, "# hé"),
                (Tok::Newline, "\n"),
                (Tok::Word, "sla"),
                (Tok::Word, "A"),
                (Tok::Punct, "->"),
                (Tok::Word, "B"),
                (Tok::Word, "within"),
                (Tok::Number, "2"),
                (Tok::Word, "days"),
            ]
        );
    }

    #[test]
    fn numbers_and_unclosed_strings() {
        let text = "at 2026-03-02 09:00 x { amount: $24,000 } 25% \"open";
        let kinds: Vec<&str> = scan(text)
            .iter()
            .filter(|t| matches!(t.kind, Tok::Number | Tok::Str))
            .map(|t| t.text(text))
            .collect();
        assert_eq!(
            kinds,
            vec!["2026-03-02", "09:00", "$24,000", "25%", "\"open"]
        );
    }

    #[test]
    fn names() {
        assert!(is_valid_name("deal_won2"));
        assert!(!is_valid_name("2x"));
        assert!(!is_valid_name("a-b"));
        assert!(is_reserved("stage"));
        assert!(is_reserved("max"));
        assert!(!is_reserved("engagement"));
        assert_eq!(word_at("ab cd", 4), Some(Span::new(3, 5)));
        assert_eq!(word_at("ab  cd", 3), None);
    }
}
