//! Document symbols, formatting, folding, semantic tokens, quick fixes and
//! the test code lenses.

use serde_json::{json, Value};

use crate::support::*;

const EX_NURTURE: &str = include_str!("../../../../examples/04_nurture.funnel");
const EX_TESTS: &str = include_str!("../../../../examples/06_tests.funnel");

fn outline(v: &Value, depth: usize, out: &mut String) {
    for s in v.as_array().cloned().unwrap_or_default() {
        out.push_str(&format!(
            "{}{} ({}) {}\n",
            "  ".repeat(depth),
            s["name"].as_str().unwrap_or(""),
            s["kind"],
            s["selectionRange"]["start"]["line"]
        ));
        outline(&s["children"], depth + 1, out);
    }
}

#[test]
fn document_symbols_outline_a_playbook() {
    let mut c = Client::start();
    c.open(EX_NURTURE);
    let mut out = String::new();
    outline(&c.doc("textDocument/documentSymbol"), 0, &mut out);
    insta::assert_snapshot!(out);
}

#[test]
fn formatting_uses_funnel_fmt() {
    let text = "lead {\nemail text\n    industry one of a|b\n}\nevent visit\nfunnel {\nLead on visit\n  MQL when industry==a\n}\n";
    let mut c = Client::start();
    c.open(text);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let out = apply(text, &json!({ "changes": { URI: edits } }));
    assert_eq!(out, funnel_syntax::fmt::format(text).unwrap());
    insta::assert_snapshot!(out);
    // Formatted text formats to no edit at all.
    let mut c = Client::start();
    c.open(&out);
    let again = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(again, json!([]));
}

#[test]
fn formatting_a_broken_file_says_why_not() {
    let text = "lead {\n  email text\n}\nfunnel {\n  Lead on\n}\n";
    let mut c = Client::start();
    c.open(text);
    let r = c.request_raw(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        r["error"]["message"],
        "cannot format: unexpected end of line at line 5, column 10; fix it and format again"
    );
}

#[test]
fn folding_ranges_for_blocks_and_comment_runs() {
    let mut c = Client::start();
    c.open(EX_TESTS);
    let f = c.doc("textDocument/foldingRange");
    let shown: Vec<String> = f
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            format!(
                "{}-{} {}",
                r["startLine"],
                r["endLine"],
                r["kind"].as_str().unwrap_or("region")
            )
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn semantic_tokens_classify_names_keywords_and_literals() {
    let text = "lead { industry one of a | b }  # hé\nevent visit { path: text }\nfunnel {\n  Lead on visit where path == \"/x\"\n  MQL when industry == a\n}\n";
    let mut c = Client::start();
    c.open(text);
    let result = c.doc("textDocument/semanticTokens/full");
    let legend: Vec<String> = c.capabilities["semanticTokensProvider"]["legend"]["tokenTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let data: Vec<u64> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = String::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        let start = offset(text, lsp_types::Position::new(line as u32, col as u32));
        let end = offset(
            text,
            lsp_types::Position::new(line as u32, (col + t[2]) as u32),
        );
        out.push_str(&format!(
            "{line}:{col} {} {}{}\n",
            &text[start..end],
            legend[t[3] as usize],
            if t[4] == 1 { " declaration" } else { "" }
        ));
    }
    insta::assert_snapshot!(out);
}

fn code_actions(text: &str, needle: &str) -> Value {
    let mut c = Client::start();
    c.open(text);
    let at = find(text, needle, 0);
    c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": at, "end": at },
            "context": { "diagnostics": [] }
        }),
    )
}

#[test]
fn did_you_mean_becomes_a_quick_fix() {
    let text = "lead { email text }\nevent demo_request\nevent email_click { template: text }\nfunnel {\n  Lead on demo_requset\n}\nnurture n {\n  enroll on demo_request\n  send \"hello\"\n  if clicked \"helo\" {\n    send \"bye\"\n  }\n}\n";
    let actions = code_actions(text, "demo_requset");
    assert_eq!(actions[0]["title"], "Change to `demo_request`");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["diagnostics"][0]["code"],
        "funnel::check::unknown_event"
    );
    let fixed = apply(text, &actions[0]["edit"]);
    assert!(fixed.contains("  Lead on demo_request\n"));
    // A template keeps its quotes.
    let actions = code_actions(&fixed, "\"helo\"");
    let fixed = apply(&fixed, &actions[0]["edit"]);
    assert!(fixed.contains("if clicked \"hello\" {"));
    assert_eq!(funnel_check::check_source(&fixed).errors(), 0);
}

#[test]
fn an_unknown_event_can_be_declared() {
    let text = "lead { email text }\nevent visit\nevent signup { plan: text }\nfunnel {\n  Lead on visit\n  Customer on purchase\n}\n";
    let actions = code_actions(text, "purchase");
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Declare event `purchase`"]);
    let fixed = apply(text, &actions[0]["edit"]);
    assert_eq!(
        fixed,
        "lead { email text }\nevent visit\nevent signup { plan: text }\nevent purchase\nfunnel {\n  Lead on visit\n  Customer on purchase\n}\n"
    );
    assert_eq!(funnel_check::check_source(&fixed).errors(), 0);
}

#[test]
fn each_test_block_has_a_lens_with_its_result() {
    let mut c = Client::start();
    c.open(SAAS);
    let lenses = c.doc("textDocument/codeLens");
    let shown: Vec<String> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {} {}",
                l["range"]["start"]["line"],
                l["command"]["title"].as_str().unwrap(),
                l["command"]["arguments"][1]
            )
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn a_failing_test_shows_fail_and_the_command_explains() {
    let text = SAAS.replace("expect score fit == 35", "expect score fit == 36");
    let mut c = Client::start();
    c.open(&text);
    let lenses = c.doc("textDocument/codeLens");
    assert_eq!(
        lenses[0]["command"]["title"],
        "✗ FAIL: 1 of 10 expectations · run test"
    );
    let cmd = &lenses[0]["command"];
    let result = c.request(
        "workspace/executeCommand",
        json!({ "command": cmd["command"], "arguments": cmd["arguments"] }),
    );
    insta::assert_json_snapshot!(result);
    let shown = c.wait_for("window/showMessage");
    assert_eq!(shown["type"], 1);
    insta::assert_snapshot!(shown["message"].as_str().unwrap());
}

#[test]
fn lenses_in_a_playbook_with_errors_do_not_run() {
    let text = SAAS.replace("on deal_won\n", "on deal_wonn\n");
    let mut c = Client::start();
    c.open(&text);
    let lenses = c.doc("textDocument/codeLens");
    assert_eq!(lenses.as_array().map(Vec::len), Some(6));
    assert_eq!(
        lenses[0]["command"]["title"],
        "▶ run test (the playbook has errors)"
    );
    let cmd = &lenses[2]["command"];
    let result = c.request(
        "workspace/executeCommand",
        json!({ "command": cmd["command"], "arguments": cmd["arguments"] }),
    );
    assert_eq!(result["status"], "error");
    assert_eq!(
        result["message"],
        "the playbook has 1 error; fix them to run its tests"
    );
}
