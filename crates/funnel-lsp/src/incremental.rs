//! Parsing a changed playbook again without parsing all of it: the text is
//! cut into top-level chunks (a chunk starts at each line that begins outside
//! every `{ }` and `( )`: one declaration with the comments and blank lines
//! after it), each chunk is parsed on its own and remembered by its text, and
//! the declarations are shifted to their place in the file (`shift.rs`).
//! After an edit only the edited chunk is parsed; a 1 MB playbook is checked
//! again in the time of the checker alone.
//!
//! Funnel is line-oriented: outside blocks and parentheses a newline ends a
//! declaration, so the chunks parse exactly as the whole text does. When any
//! chunk does not parse, [`Chunks::parse`] gives up (`None`) and the caller
//! parses the whole text, so a syntax error is reported exactly as
//! `funnel check` reports it.

use std::collections::HashMap;
use std::rc::Rc;

use funnel_syntax::ast::{Decl, Playbook};
use funnel_syntax::Span;

use funnel_syntax::chunks::split;
use funnel_syntax::shift::Shift;

/// Parsed chunks by their text; spans are relative to the chunk's start.
#[derive(Default)]
pub struct Chunks {
    parsed: HashMap<String, Rc<Playbook>>,
}

impl Chunks {
    /// The whole playbook, from remembered chunks and newly parsed ones;
    /// `None` when a chunk does not parse. Chunks no longer in the text are
    /// forgotten.
    pub fn parse(&mut self, text: &str) -> Option<Playbook> {
        let mut old = std::mem::take(&mut self.parsed);
        let mut decls: Vec<Decl> = Vec::new();
        let mut file_end = 0;
        for (start, end) in split(text) {
            let chunk = &text[start..end];
            let (key, parsed) = match old.remove_entry(chunk) {
                Some(entry) => entry,
                None => match self.parsed.get(chunk) {
                    Some(p) => (chunk.to_string(), p.clone()),
                    None => (
                        chunk.to_string(),
                        Rc::new(funnel_syntax::parse(chunk).ok()?),
                    ),
                },
            };
            let by = u32::try_from(start).ok()?;
            decls.extend(parsed.decls.iter().cloned().map(|mut d| {
                d.shift(by);
                d
            }));
            // The file's span ends where the parser ends the last chunk's.
            file_end = parsed.span.end as usize + start;
            self.parsed.insert(key, parsed);
        }
        Some(Playbook {
            decls,
            span: Span::new(0, file_end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: [&str; 10] = [
        include_str!("../../../playbooks/saas_inbound.funnel"),
        include_str!("../../../playbooks/webinar_nurture.funnel"),
        include_str!("../../../playbooks/enterprise_outbound.funnel"),
        include_str!("../../../examples/01_scoring.funnel"),
        include_str!("../../../examples/02_stages.funnel"),
        include_str!("../../../examples/03_slas.funnel"),
        include_str!("../../../examples/04_nurture.funnel"),
        include_str!("../../../examples/05_kpis.funnel"),
        include_str!("../../../examples/06_tests.funnel"),
        include_str!("../../../examples/07_conditions.funnel"),
    ];

    /// Equal playbooks; on a difference, the first declaration that differs.
    fn same(a: Option<Playbook>, b: &Playbook) {
        let a = a.expect("the chunks parse");
        for (x, y) in a.decls.iter().zip(&b.decls) {
            assert_eq!(x, y);
        }
        assert_eq!(a.decls.len(), b.decls.len());
        assert_eq!(a.span, b.span);
    }

    #[test]
    fn chunks_parse_exactly_as_the_whole_text() {
        for text in SHIPPED {
            let whole = funnel_syntax::parse(text).unwrap();
            let mut chunks = Chunks::default();
            same(chunks.parse(text), &whole);
            // Again from the remembered chunks.
            same(chunks.parse(text), &whole);
        }
    }

    #[test]
    fn the_generated_bench_playbook_too() {
        let text = crate::big_playbook::playbook(60_000);
        let whole = funnel_syntax::parse(&text).unwrap();
        same(Chunks::default().parse(&text), &whole);
    }

    #[test]
    fn an_edit_moves_the_chunks_after_it() {
        let text = SHIPPED[0];
        let mut chunks = Chunks::default();
        chunks.parse(text);
        let edited = text.replacen("score engagement {", "score engagement  {\n", 1);
        let whole = funnel_syntax::parse(&edited).unwrap();
        same(chunks.parse(&edited), &whole);
    }

    #[test]
    fn a_broken_chunk_gives_up() {
        let text = "event a\nfunnel {\n  Lead on\n}\n";
        assert_eq!(Chunks::default().parse(text), None);
    }
}
