//! Diagnostics: published on open and after every change, with the checker's
//! codes, messages, help, and secondary labels as related information.

use std::time::Duration;

use lsp_types::{Position, Range};

use crate::support::*;

#[test]
fn a_clean_playbook_has_no_diagnostics() {
    let mut c = Client::start();
    let d = c.open(SAAS);
    assert_eq!(d["uri"], URI);
    assert_eq!(d["version"], 1);
    assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(0));
}

const TYPO: &str = "playbook \"t\"
lead { email text }
event demo_request
event demo_request
funnel {
  Lead on demo_requset
}
";

#[test]
fn errors_carry_code_help_and_related_information() {
    let mut c = Client::start();
    let d = c.open(TYPO);
    insta::assert_snapshot!(show_diagnostics(TYPO, &d));
}

#[test]
fn warnings_are_published_too() {
    let text = "lead { email text }\nevent a\nevent b\nfunnel {\n  Lead on a\n}\n";
    let mut c = Client::start();
    let d = c.open(text);
    insta::assert_snapshot!(show_diagnostics(text, &d));
}

#[test]
fn a_syntax_error_is_one_diagnostic() {
    let text = "lead { email text }\nevent a\nfunnel {\n  Lead on a\n  MQL when\n}\n";
    let mut c = Client::start();
    let d = c.open(text);
    insta::assert_snapshot!(show_diagnostics(text, &d));
}

#[test]
fn a_change_that_fixes_the_error_clears_it() {
    let mut c = Client::start();
    let d = c.open(TYPO);
    assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(2));
    // Replace `requset` with `request` and drop the duplicate event line.
    let at = find(TYPO, "requset", 0);
    c.change(
        2,
        Range::new(at, Position::new(at.line, at.character + 7)),
        "request",
    );
    let d = c.wait_for("textDocument/publishDiagnostics");
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(1));
    c.change(3, Range::new(Position::new(3, 0), Position::new(4, 0)), "");
    let d = c.wait_for("textDocument/publishDiagnostics");
    assert_eq!(d["version"], 3);
    assert_eq!(d["diagnostics"], serde_json::json!([]));
}

#[test]
fn utf16_ranges_on_a_line_with_non_ascii_text() {
    // `ż`, `ó`, `ł`, `ć` are one UTF-16 unit each; `😀` is two.
    let text = "playbook \"Zażółć 😀\"\nlead { email text }\nevent a\nfunnel {\n  Lead on a\n}\nnurture n {\n  enroll on a\n  notify sales \"Zażółć 😀 {emial}\"\n}\n";
    let mut c = Client::start();
    let d = c.open(text);
    insta::assert_snapshot!(show_diagnostics(text, &d));
    let r = range_of(&d["diagnostics"][0]["range"]);
    // `  notify sales "` is 16 units, `Zażółć 😀 ` 10 more: `{` is at 26.
    assert_eq!(
        (r.start.line, r.start.character, r.end.character),
        (8, 26, 33)
    );
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let mut c = Client::start();
    c.open(TYPO);
    c.notify(
        "textDocument/didClose",
        serde_json::json!({ "textDocument": { "uri": URI } }),
    );
    let d = c.wait_for("textDocument/publishDiagnostics");
    assert_eq!(d["diagnostics"], serde_json::json!([]));
    let r = c.request_raw(
        "textDocument/hover",
        serde_json::json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(
        r["error"]["message"],
        "`file:///work/playbook.funnel` is not open"
    );
}

#[test]
fn a_burst_of_changes_is_checked_once() {
    let mut c = Client::with_debounce(Duration::from_millis(200));
    c.open("lead { email text }\nevent a\nfunnel {\n  Lead on a\n}\n");
    for (v, ch) in [(2, "x"), (3, "y"), (4, "z")] {
        c.change(v, Range::new(Position::new(5, 0), Position::new(5, 0)), ch);
    }
    let d = c.wait_for("textDocument/publishDiagnostics");
    assert_eq!(d["version"], 4);
    // A request answered after it: no second publish was queued.
    c.doc("textDocument/foldingRange");
    assert!(c
        .notes
        .iter()
        .all(|n| n.method != "textDocument/publishDiagnostics"));
}

#[test]
fn unknown_requests_are_refused() {
    let mut c = Client::start();
    c.open(SAAS);
    let r = c.request_raw("textDocument/typeDefinition", serde_json::json!({}));
    assert_eq!(r["error"]["code"], -32601);
}

#[test]
fn the_server_announces_its_features() {
    let c = Client::start();
    insta::assert_json_snapshot!(c.capabilities);
}
