//! Byte offsets to LSP positions and back. LSP counts columns in UTF-16 code
//! units; Funnel's spans are byte offsets into UTF-8 text. Lines end at `\n`
//! (a `\r` before it belongs to the line's text, as LSP clients expect).

use lsp_types::{Position, Range};

use funnel_syntax::Span;

/// The start of every line of one text, for conversions both ways.
#[derive(Clone, Debug)]
pub struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            starts,
            len: text.len(),
        }
    }

    /// The number of lines (a text ending in `\n` has an empty last line).
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of line `line` (0-based), without its `\n`.
    pub fn line_range(&self, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.len, |next| next.saturating_sub(1));
        Some((start, end.max(start)))
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The LSP position of byte `offset` (clamped to the text; an offset inside
    /// a character counts from that character's start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.starts[line];
        let mut units = 0u32;
        for (i, c) in text[start..].char_indices() {
            if start + i >= offset {
                break;
            }
            units += c.len_utf16() as u32;
        }
        Position {
            line: line as u32,
            character: units,
        }
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range {
            start: self.position(text, span.start as usize),
            end: self.position(text, span.end as usize),
        }
    }

    /// The byte offset of an LSP position. A column past the end of its line
    /// is the line's end; a line past the end is the end of the text; a column
    /// inside a surrogate pair is the character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some((start, end)) = self.line_range(pos.line as usize) else {
            return self.len;
        };
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > pos.character {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// A byte span for an LSP range.
    pub fn span(&self, text: &str, range: Range) -> Span {
        Span::new(self.offset(text, range.start), self.offset(text, range.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "ab\né😀x\n";
        let l = Lines::new(text);
        assert_eq!(l.count(), 3);
        assert_eq!(l.position(text, 3), Position::new(1, 0));
        assert_eq!(l.position(text, 5), Position::new(1, 1));
        assert_eq!(l.position(text, 9), Position::new(1, 3));
        assert_eq!(l.offset(text, Position::new(1, 3)), 9);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(l.offset(text, Position::new(1, 2)), 5);
        // Past the line's end: the end of the line.
        assert_eq!(l.offset(text, Position::new(0, 40)), 2);
        assert_eq!(l.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(l.line_range(1), Some((3, 10)));
    }
}
