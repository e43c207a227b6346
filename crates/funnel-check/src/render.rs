//! Rendering diagnostics: miette's graphical report for people, and
//! 1-based line/column positions for machine formats (JSON, GitHub
//! annotations). Pure: the caller decides where the text goes and whether
//! colour is on.

use std::sync::Arc;

use funnel_syntax::{Diagnostic, LineIndex, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};

/// Render diagnostics as miette reports, one after another. Without colour
/// the output is plain Unicode text, stable for snapshots.
pub fn render_human(diags: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let named = Arc::new(NamedSource::new(file_name, source.to_string()));
    let mut out = String::new();
    for d in diags {
        let rendered = d.with_source(Arc::clone(&named));
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&format!("{}: {}\n", d.severity.as_str(), d.message));
        }
        out.push('\n');
    }
    out
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
}

impl<'s> Locator<'s> {
    pub fn new(source: &'s str) -> Locator<'s> {
        Locator {
            source,
            index: LineIndex::new(source),
        }
    }

    pub fn position(&self, span: Span) -> Position {
        let a = self.index.line_col(self.source, span.start as usize);
        let b = self.index.line_col(self.source, span.end as usize);
        Position {
            line: a.line,
            column: a.column,
            end_line: b.line,
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
}
