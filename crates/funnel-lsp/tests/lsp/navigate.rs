//! Go to definition and find references.

use lsp_types::Position;
use serde_json::json;

use crate::support::*;

fn definition(text: &str, pos: Position) -> String {
    let mut c = Client::start();
    c.open(text);
    let d = c.at("textDocument/definition", pos);
    assert_eq!(d["uri"], URI);
    show_range(text, &d["range"])
}

fn references(text: &str, pos: Position, with_decl: bool) -> String {
    let mut c = Client::start();
    c.open(text);
    let r = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": pos, "context": { "includeDeclaration": with_decl } }),
    );
    r.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|l| show_range(text, &l["range"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn definition_of_an_event_after_on() {
    assert_eq!(
        definition(SAAS, find(SAAS, "on sales_accepted", 5)),
        "45:6-45:20 `sales_accepted`"
    );
}

#[test]
fn definition_of_an_enumeration_value() {
    assert_eq!(
        definition(SAAS, find(SAAS, "(software, fintech)", 12)),
        "30:34-30:41 `fintech`"
    );
}

#[test]
fn definition_of_a_template_from_clicked() {
    assert_eq!(
        definition(SAAS, find(SAAS, "clicked \"content-thanks\"", 12)),
        "109:8-109:22 `content-thanks`"
    );
}

#[test]
fn definition_of_a_field_in_a_kpi() {
    assert_eq!(
        definition(SAAS, find(SAAS, "avg(deal_won.amount)", 14)),
        "48:21-48:27 `amount`"
    );
}

#[test]
fn references_of_a_score() {
    insta::assert_snapshot!(references(SAAS, find(SAAS, "score engagement", 8), true));
}

#[test]
fn references_of_an_event_field_without_the_declaration() {
    insta::assert_snapshot!(references(
        SAAS,
        find(SAAS, "deal_won     { amount", 16),
        false
    ));
}

#[test]
fn no_definition_on_a_keyword() {
    let mut c = Client::start();
    c.open(SAAS);
    let d = c.at("textDocument/definition", find(SAAS, "  decay 50%", 2));
    assert!(d.is_null());
}
