//! Rendering diagnostics: miette's graphical report for people, and
//! 1-based line/column positions for machine formats (JSON, GitHub
//! annotations). Pure: the caller decides where the text goes and whether
//! colour is on.

use std::sync::Arc;

use funnel_syntax::{Diagnostic, LineIndex, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

/// Labels further right than this many characters are not drawn under
/// their line (the line is too long to show, and miette cannot pad that
/// far): the report names the line and column instead.
pub const MAX_DRAWN_COLUMN: usize = 10_000;

/// Render diagnostics as miette reports, one after another. Without colour
/// the output is plain Unicode text, stable for snapshots. Each report reads
/// only the lines around its labels, so the time grows with the number of
/// diagnostics, not with it times the file's size.
pub fn render_human(diags: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    render_human_from(diags, file_name, source, 1, color)
}

/// [`render_human`] for an excerpt of a longer file whose first line is line
/// `first_line` (1-based) of that file, so a data row's report names its
/// real line without the whole file in memory.
pub fn render_human_from(
    diags: &[Diagnostic],
    file_name: &str,
    source: &str,
    first_line: usize,
    color: bool,
) -> String {
    if diags.is_empty() {
        return String::new();
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        // Wrap between words only: keep `2026-03-04T10:00:00-05:00`,
        // `content-thanks` and other hyphenated names whole.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let excerpt = Arc::new(Excerpt {
        name: file_name.to_string(),
        text: source.to_string(),
        index: LineIndex::new(source),
        skipped: first_line.saturating_sub(1),
    });
    let locator = Locator::from_line(source, first_line);
    let mut out = String::new();
    for d in diags {
        let too_wide = d.labels.iter().find(|l| {
            let p = locator.position(l.span);
            p.column > MAX_DRAWN_COLUMN || p.end_column > MAX_DRAWN_COLUMN
        });
        let rendered = match too_wide {
            Some(l) => {
                let p = locator.position(l.span);
                let mut plain = d.clone();
                plain.labels.clear();
                plain.message = format!(
                    "{} (at {file_name}:{}:{}; the line is too long to show)",
                    d.message, p.line, p.column
                );
                plain.with_source(Arc::clone(&excerpt) as Arc<dyn SourceCode + Send + Sync>)
            }
            None => d.with_source(Arc::clone(&excerpt) as Arc<dyn SourceCode + Send + Sync>),
        };
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&format!("{}: {}\n", d.severity.as_str(), d.message));
        }
        out.push('\n');
    }
    out
}

/// The source as miette reads it, one window at a time: a read slices the
/// lines around the span (found by binary search) and lets miette number
/// them as if it had scanned the whole text from the start.
struct Excerpt {
    name: String,
    text: String,
    index: LineIndex,
    /// Lines of the file before `text` (0 when `text` is the whole file).
    skipped: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let start = span.offset();
        if start > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        let end = (start + span.len()).min(bytes.len());
        let first = self.index.line_of(start).saturating_sub(before);
        let last = self.index.line_of(end.saturating_sub(1).max(start)) + after + 2;
        let lo = self.index.line_start(first).unwrap_or(0);
        let hi = self.index.line_start(last).unwrap_or(bytes.len()).max(end);
        let window = &bytes[lo..hi];
        let rel = SourceSpan::new((start - lo).into(), span.len());
        let inner = <[u8] as SourceCode>::read_span(window, &rel, before, after)?;
        let at = SourceSpan::new((inner.span().offset() + lo).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            at,
            inner.line() + first + self.skipped,
            inner.column(),
            inner.line_count() + first + self.skipped,
        )))
    }
}

/// A span as 1-based lines and columns (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A label with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedLabel {
    pub position: Position,
    pub text: String,
}

/// A diagnostic with positions resolved, ready for a machine format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub position: Position,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<LocatedLabel>,
}

/// Resolves spans of one source text to positions.
pub struct Locator<'s> {
    source: &'s str,
    index: LineIndex,
    /// Lines of the file before `source` (0 when it is the whole file).
    skipped: usize,
}

impl<'s> Locator<'s> {
    pub fn new(source: &'s str) -> Locator<'s> {
        Locator::from_line(source, 1)
    }

    /// A locator for an excerpt that starts at line `first_line` (1-based).
    pub fn from_line(source: &'s str, first_line: usize) -> Locator<'s> {
        Locator {
            source,
            index: LineIndex::new(source),
            skipped: first_line.saturating_sub(1),
        }
    }

    pub fn position(&self, span: Span) -> Position {
        let a = self.index.line_col(self.source, span.start as usize);
        let b = self.index.line_col(self.source, span.end as usize);
        Position {
            line: a.line + self.skipped,
            column: a.column,
            end_line: b.line + self.skipped,
            end_column: b.column,
        }
    }

    pub fn locate(&self, d: &Diagnostic) -> Located {
        Located {
            position: self.position(d.primary_span()),
            severity: d.severity.as_str(),
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
            labels: d
                .labels
                .iter()
                .map(|l| LocatedLabel {
                    position: self.position(l.span),
                    text: l.text.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let src = "playbook \"x\"\nevent a\n";
        let d = Diagnostic::error("funnel::check::x", "m").label(Span::new(19, 20), "here");
        let loc = Locator::new(src).locate(&d);
        assert_eq!(
            loc.position,
            Position {
                line: 2,
                column: 7,
                end_line: 2,
                end_column: 8
            }
        );
        assert_eq!(loc.labels[0].text, "here");
    }

    #[test]
    fn human_output_has_code_message_and_help() {
        let src = "event a\n";
        let d = Diagnostic::warning("funnel::check::unused_event", "event `a` is never used")
            .label(Span::new(6, 7), "declared here")
            .help("use it");
        let text = render_human(&[d], "x.funnel", src, false);
        assert!(text.contains("funnel::check::unused_event"), "{text}");
        assert!(text.contains("x.funnel:1:7"), "{text}");
        assert!(text.contains("help: use it"), "{text}");
    }

    #[test]
    fn an_excerpt_is_numbered_from_its_first_line() {
        // Line 41 of a data file, alone in memory: `b` is its 3rd character.
        let src = "a,b,c\n";
        let d = Diagnostic::error("funnel::data::bad_value", "bad").label(Span::new(2, 3), "here");
        let text = render_human_from(std::slice::from_ref(&d), "leads.csv", src, 41, false);
        assert!(text.contains("leads.csv:41:3"), "{text}");
        assert!(text.contains(" 41 │ a,b,c"), "{text}");
        let loc = Locator::from_line(src, 41).locate(&d);
        assert_eq!((loc.position.line, loc.position.column), (41, 3));
    }
}
