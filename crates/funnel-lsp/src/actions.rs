//! Code actions for diagnostics that have a fix: "did you mean `x`?" becomes
//! a quick fix writing `x` in place of the misspelt name, and an unknown
//! event gets "declare event `NAME`", which adds `event NAME` after the last
//! event declaration.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, WorkspaceEdit,
};

use funnel_syntax::ast::Decl;
use funnel_syntax::{Diagnostic, Span};

use crate::diagnostics::convert;
use crate::document::Doc;

pub fn actions(doc: &Doc, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let want = doc.lines.span(&doc.text, params.range);
    let mut out = Vec::new();
    for d in doc.diagnostics() {
        let span = d.primary_span();
        let touches = span.start <= want.end && want.start <= span.end;
        if !touches {
            continue;
        }
        if let Some(name) = suggestion(d) {
            let written = doc.slice(span);
            let replacement = if written.starts_with('"') {
                format!("\"{name}\"")
            } else if written.starts_with('{') {
                format!("{{{name}}}")
            } else {
                name.to_string()
            };
            out.push(action(
                doc,
                d,
                format!("Change to `{name}`"),
                span,
                replacement,
                true,
            ));
        }
        if d.code == "funnel::check::unknown_event" {
            let name = doc.slice(span).to_string();
            let (at, insert) = event_place(doc);
            let edit = format!("{}event {name}{}", insert.0, insert.1);
            out.push(action(
                doc,
                d,
                format!("Declare event `{name}`"),
                at,
                edit,
                false,
            ));
        }
    }
    out
}

/// The name in "did you mean `x`?".
fn suggestion(d: &Diagnostic) -> Option<&str> {
    let help = d.help.as_deref()?;
    let rest = help.strip_prefix("did you mean `")?;
    rest.strip_suffix("`?")
}

fn action(
    doc: &Doc,
    d: &Diagnostic,
    title: String,
    span: Span,
    text: String,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), vec![TextEdit::new(doc.range(span), text)]);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![convert(doc, d)]),
        edit: Some(WorkspaceEdit::new(changes)),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// Where a new `event` declaration goes (an empty span) and what surrounds
/// it: after the last event, else after the `lead` block, else after the
/// settings at the top.
fn event_place(doc: &Doc) -> (Span, (&'static str, &'static str)) {
    let decls: &[Decl] = doc.analysis().ast.as_ref().map_or(&[], |b| &b.decls);
    let end_of_line = |at: u32| {
        let at = at as usize;
        let end = doc.text[at.min(doc.text.len())..]
            .find('\n')
            .map_or(doc.text.len(), |i| at + i);
        Span::new(end, end)
    };
    if let Some(e) = decls.iter().rev().find_map(|d| match d {
        Decl::Event(e) => Some(e),
        _ => None,
    }) {
        return (end_of_line(e.span.end), ("\n", ""));
    }
    if let Some(l) = decls.iter().find_map(|d| match d {
        Decl::Lead(l) => Some(l),
        _ => None,
    }) {
        return (end_of_line(l.span.end), ("\n\n", ""));
    }
    if let Some(s) = decls.iter().rev().find_map(|d| match d {
        Decl::Playbook(_, s) | Decl::Timezone(_, s) | Decl::Currency(_, s) => Some(*s),
        _ => None,
    }) {
        return (end_of_line(s.end), ("\n\n", ""));
    }
    (Span::new(0, 0), ("", "\n\n"))
}
