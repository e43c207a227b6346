//! Go to definition, find references and rename, over the name index.
//!
//! Rename refuses a new name that is not a name (or is a keyword), and one
//! that would collide: another declaration of the same kind, or a name the
//! renamed one would be confused with in conditions (lead fields, scores and
//! event fields are all looked up by bare name, KPIs and inputs share one
//! namespace).

use std::collections::HashMap;

use lsp_types::{GotoDefinitionResponse, Location, PrepareRenameResponse, TextEdit, WorkspaceEdit};

use crate::document::Doc;
use crate::index::{Index, Kind};
use crate::refusal::Refusal;
use crate::tokens::{is_reserved, is_valid_name, DECL_WORDS};

pub fn definition(doc: &Doc, offset: usize) -> Option<GotoDefinitionResponse> {
    let ix = &doc.analysis().index;
    let (sym, _) = ix.at(offset)?;
    let def = ix.symbols[sym].def;
    Some(GotoDefinitionResponse::Scalar(Location::new(
        doc.uri.clone(),
        doc.range(def),
    )))
}

pub fn references(doc: &Doc, offset: usize, with_declaration: bool) -> Option<Vec<Location>> {
    let ix = &doc.analysis().index;
    let (sym, _) = ix.at(offset)?;
    let mut spans: Vec<_> = ix.uses(sym).collect();
    if with_declaration {
        spans.push(ix.symbols[sym].def);
    }
    spans.sort();
    spans.dedup();
    Some(
        spans
            .into_iter()
            .map(|s| Location::new(doc.uri.clone(), doc.range(s)))
            .collect(),
    )
}

pub fn prepare_rename(doc: &Doc, offset: usize) -> Result<PrepareRenameResponse, Refusal> {
    let ix = &doc.analysis().index;
    let (sym, span) = ix
        .at(offset)
        .ok_or_else(|| Refusal::failed("there is no declared name here to rename"))?;
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.range(span),
        placeholder: ix.symbols[sym].name.clone(),
    })
}

pub fn rename(doc: &Doc, offset: usize, new_name: &str) -> Result<WorkspaceEdit, Refusal> {
    let ix = &doc.analysis().index;
    let (sym, _) = ix
        .at(offset)
        .ok_or_else(|| Refusal::failed("there is no declared name here to rename"))?;
    let s = &ix.symbols[sym];
    check_name(s.kind, new_name)?;
    if s.name != new_name {
        if let Some(other) = collision(ix, sym, new_name) {
            let o = &ix.symbols[other];
            let line = doc.range(o.def).start.line + 1;
            return Err(Refusal::failed(format!(
                "cannot rename {} `{}` to `{new_name}`: {} `{new_name}` already exists (line {line})",
                s.kind.word(),
                s.name,
                o.kind.word(),
            )));
        }
    }
    let mut spans: Vec<_> = ix.uses(sym).collect();
    spans.push(s.def);
    spans.sort();
    spans.dedup();
    let edits: Vec<TextEdit> = spans
        .into_iter()
        .map(|span| TextEdit::new(doc.range(span), new_name.to_string()))
        .collect();
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), edits);
    Ok(WorkspaceEdit::new(changes))
}

fn check_name(kind: Kind, name: &str) -> Result<(), Refusal> {
    if kind.quoted() {
        if name.is_empty() || name.contains(['"', '\\', '\n', '\r']) {
            return Err(Refusal::invalid(format!(
                "`{name}` cannot be a {} name: write it without quotes, backslashes or line breaks",
                kind.word()
            )));
        }
        return Ok(());
    }
    if !is_valid_name(name) {
        return Err(Refusal::invalid(format!(
            "`{name}` is not a name: start with a letter or `_` and use letters, digits and `_`"
        )));
    }
    if is_reserved(name) || DECL_WORDS.contains(&name) {
        return Err(Refusal::invalid(format!(
            "`{name}` is a keyword of the language; choose another name"
        )));
    }
    Ok(())
}

/// A declaration the renamed symbol would collide with.
fn collision(ix: &Index, sym: usize, name: &str) -> Option<usize> {
    let s = &ix.symbols[sym];
    let clash = |kinds: &[Kind]| {
        ix.symbols
            .iter()
            .position(|o| o.name == name && kinds.contains(&o.kind))
    };
    match s.kind {
        Kind::EventField => ix
            .symbols
            .iter()
            .position(|o| o.name == name && o.kind == Kind::EventField && o.owner == s.owner)
            .or_else(|| clash(&[Kind::LeadField, Kind::Score])),
        Kind::LeadField | Kind::Score => clash(&[Kind::LeadField, Kind::Score, Kind::EventField]),
        Kind::EnumValue => ix
            .symbols
            .iter()
            .position(|o| o.name == name && o.kind == Kind::EnumValue && o.owner == s.owner),
        Kind::Input | Kind::Kpi => clash(&[Kind::Input, Kind::Kpi]),
        other => clash(&[other]),
    }
}
