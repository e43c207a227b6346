//! `funnel check` diagnostics as LSP diagnostics: the same code, severity and
//! message; the primary label's place as the range; the secondary labels as
//! related information; the help as a `help:` line under the message.

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, PublishDiagnosticsParams,
};

use funnel_syntax::{Diagnostic, Severity};

use crate::document::Doc;

/// The diagnostics to publish for a document.
pub fn publish(doc: &Doc) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams {
        uri: doc.uri.clone(),
        diagnostics: doc.diagnostics().iter().map(|d| convert(doc, d)).collect(),
        version: Some(doc.version),
    }
}

pub fn convert(doc: &Doc, d: &Diagnostic) -> LspDiagnostic {
    let mut message = d.message.clone();
    if let Some(primary) = d.labels.first().filter(|l| !l.text.is_empty()) {
        message.push_str(&format!(" ({})", primary.text));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(doc.uri.clone(), doc.range(l.span)),
            message: l.text.clone(),
        })
        .collect();
    LspDiagnostic {
        range: doc.range(d.primary_span()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("funnel".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
