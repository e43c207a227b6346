//! Hover: declarations with their type and doc comment, keyword explanations
//! from docs/language.md, in clean and broken files.

use lsp_types::Position;
use serde_json::Value;

use crate::support::*;

fn hover(text: &str, pos: Position) -> String {
    let mut c = Client::start();
    c.open(text);
    let h = c.at("textDocument/hover", pos);
    if h.is_null() {
        return "(no hover)".to_string();
    }
    format!(
        "{}\n---\n{}",
        show_range(text, &h["range"]),
        h["contents"]["value"].as_str().unwrap_or("")
    )
}

#[test]
fn a_stage_in_a_condition() {
    // `exit when stage >= SAL`
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "stage >= SAL", 10)));
}

#[test]
fn a_lead_field_with_an_enumeration_type() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "industry in (software", 3)));
}

#[test]
fn an_event_field_after_where() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "where form ==", 7)));
}

#[test]
fn a_kpi_shows_its_inferred_type() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "target win_rate", 8)));
}

#[test]
fn an_event_with_its_trailing_comment() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "on deal_lost", 4)));
}

#[test]
fn a_template_string() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "clicked \"content-thanks\"", 10)));
}

#[test]
fn keyword_decay() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "  decay 50%", 3)));
}

#[test]
fn keyword_max_per() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "max 10 per day", 0)));
}

#[test]
fn keyword_wait_up_to() {
    let text = WEBINAR;
    insta::assert_snapshot!(hover(text, find(text, "wait up to", 0)));
}

#[test]
fn keyword_sla() {
    insta::assert_snapshot!(hover(SAAS, find(SAAS, "sla MQL", 0)));
}

#[test]
fn hover_in_a_file_that_does_not_parse() {
    // The line being typed breaks the parse; the rest is still understood.
    let (text, _) = cursor("lead {\n  industry one of software | retail\n}\nevent a\nfunnel {\n  Lead on a\n  MQL when industry == $0\n}\nscore s {\n  +5 on a where industry == retail\n  +3 on\n}\n");
    insta::assert_snapshot!(hover(&text, find(&text, "where industry", 8)));
}

#[test]
fn hover_after_non_ascii_text_on_the_line() {
    let text = "playbook \"p\"\nlead { email text }\nevent a\nfunnel {\n  Lead on a\n}\nnurture n {\n  enroll on a\n  notify sales \"Zażółć 😀 {email}\"\n}\n";
    // The cursor on `mail` inside `{email}`, after two-unit and one-unit characters.
    let pos = find(text, "{email}", 3);
    assert_eq!(pos, Position::new(8, 29));
    insta::assert_snapshot!(hover(text, pos));
}

#[test]
fn nothing_to_say_on_a_number() {
    let h = hover(SAAS, find(SAAS, "cap 100", 5));
    assert_eq!(h, "(no hover)");
    let _: Option<Value> = None;
}
