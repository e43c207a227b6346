//! Formatting: the whole document through `funnel fmt`'s formatter
//! (`funnel_syntax::fmt::format`), as one edit; a text that does not parse
//! is refused with the syntax error and its place.

use lsp_types::{Position, Range, TextEdit};

use crate::document::Doc;
use crate::refusal::Refusal;

pub fn format(doc: &Doc) -> Result<Option<Vec<TextEdit>>, Refusal> {
    match funnel_syntax::fmt::format(&doc.text) {
        Ok(out) if out == doc.text => Ok(Some(Vec::new())),
        Ok(out) => {
            let end = doc.lines.position(&doc.text, doc.text.len());
            Ok(Some(vec![TextEdit::new(
                Range::new(Position::new(0, 0), end),
                out,
            )]))
        }
        Err(d) => {
            let at = doc.range(d.primary_span()).start;
            Err(Refusal::failed(format!(
                "cannot format: {} at line {}, column {}; fix it and format again",
                d.message,
                at.line + 1,
                at.character + 1
            )))
        }
    }
}
