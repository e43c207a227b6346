//! Rename: every use changes, the playbook still checks, collisions and
//! non-names are refused; prepareRename says what would be renamed.

use lsp_types::Position;
use serde_json::{json, Value};

use crate::support::*;

fn rename(text: &str, pos: Position, new_name: &str) -> Value {
    let mut c = Client::start();
    c.open(text);
    c.request_raw(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": pos, "newName": new_name }),
    )
}

/// Rename, apply the edits, and check the result: the number of edits and
/// the new text, which must check without errors.
fn rename_clean(text: &str, pos: Position, new_name: &str) -> (usize, String) {
    let r = rename(text, pos, new_name);
    assert!(r.get("error").is_none(), "refused: {r}");
    let edit = &r["result"];
    let n = edit["changes"][URI].as_array().map_or(0, Vec::len);
    let out = apply(text, edit);
    let checked = funnel_check::check_source(&out);
    assert_eq!(checked.errors(), 0, "{:?}", checked.diagnostics.first());
    assert_eq!(
        checked.warnings(),
        funnel_check::check_source(text).warnings()
    );
    (n, out)
}

#[test]
fn a_score_across_the_whole_playbook() {
    let (n, out) = rename_clean(SAAS, find(SAAS, "fit >= 30 and engagement", 14), "activity");
    // The declaration, the MQL trigger, the notify message's `{engagement}`,
    // its guard, and 11 `expect score engagement` lines; comments, the test's
    // name and the message's words stay as they were.
    assert_eq!(n, 15);
    assert_eq!(out.matches("activity").count(), 15);
    assert!(out.contains("fit {fit}, engagement {activity}\" when activity >= 40"));
    assert!(out.contains("test \"a quiet lead's engagement halves every 30 days\""));
}

#[test]
fn an_event_used_in_triggers_kpis_and_tests() {
    let (n, out) = rename_clean(SAAS, find(SAAS, "event deal_won", 7), "closed_won");
    // The declaration, `Customer on deal_won`, two kpi aggregates, two test events.
    assert_eq!(n, 6);
    assert!(!out.contains("deal_won"));
}

#[test]
fn a_stage_in_the_funnel_slas_kpis_and_tests() {
    let (n, out) = rename_clean(SAAS, find(SAAS, "MQL          when", 0), "Marketing");
    assert!(out.contains("sla Marketing -> SAL"));
    assert!(out.contains("count(breached Marketing -> SAL)"));
    // The declaration, the sla, three kpis and two tests; not the comment
    // or the test name that mention an MQL.
    assert_eq!(n, 7);
    assert!(out.contains("becomes an MQL"));
}

#[test]
fn a_template_and_its_clicked_and_sent_uses() {
    let (n, out) = rename_clean(
        SAAS,
        find(SAAS, "expect not sent \"case-study\"", 18),
        "customer-story",
    );
    assert_eq!(n, 3);
    assert!(out.contains("send \"customer-story\""));
    assert!(out.contains("expect sent \"customer-story\" at 2026-04-08 10:00"));
}

#[test]
fn an_enumeration_value_in_conditions_and_test_records() {
    let (n, out) = rename_clean(SAAS, find(SAAS, "| fintech |", 2), "finance");
    // The declaration, `industry in (software, fintech)`, one test lead.
    assert_eq!(n, 3);
    assert!(out.contains("industry: finance"));
}

#[test]
fn an_event_field_in_where_sum_and_records() {
    let text = OUTBOUND;
    let r = rename(text, find(text, "amount", 0), "value");
    assert!(r.get("error").is_none(), "refused: {r}");
    let out = apply(text, &r["result"]);
    assert_eq!(funnel_check::check_source(&out).errors(), 0);
}

#[test]
fn a_collision_is_refused() {
    let r = rename(SAAS, find(SAAS, "score fit", 6), "country");
    insta::assert_snapshot!(r["error"]["message"].as_str().unwrap_or(""));
    let r = rename(SAAS, find(SAAS, "kpi mqls", 4), "win_rate");
    insta::assert_snapshot!(r["error"]["message"].as_str().unwrap_or(""));
}

#[test]
fn keywords_and_non_names_are_refused() {
    let at = find(SAAS, "event pricing_view", 7);
    let r = rename(SAAS, at, "where");
    assert_eq!(
        r["error"]["message"],
        "`where` is a keyword of the language; choose another name"
    );
    let r = rename(SAAS, at, "pricing-view");
    assert_eq!(
        r["error"]["message"],
        "`pricing-view` is not a name: start with a letter or `_` and use letters, digits and `_`"
    );
    let r = rename(SAAS, find(SAAS, "send \"book-a-demo\"", 7), "say \"hi\"");
    assert_eq!(
        r["error"]["message"],
        "`say \"hi\"` cannot be a template name: write it without quotes, backslashes or line breaks"
    );
}

#[test]
fn prepare_rename() {
    let mut c = Client::start();
    c.open(SAAS);
    let ok = c.at(
        "textDocument/prepareRename",
        find(SAAS, "on trial_started", 5),
    );
    assert_eq!(ok["placeholder"], "trial_started");
    assert_eq!(show_range(SAAS, &ok["range"]), "82:9-82:22 `trial_started`");
    let r = c.request_raw(
        "textDocument/prepareRename",
        json!({ "textDocument": { "uri": URI }, "position": find(SAAS, "  decay 50%", 4) }),
    );
    assert_eq!(
        r["error"]["message"],
        "there is no declared name here to rename"
    );
}

#[test]
fn rename_in_a_file_with_a_syntax_error() {
    // The broken line is left alone; every other use of `a` is renamed.
    let text = "lead { email text }\nevent a\nfunnel {\n  Lead on a\n  MQL on a where\n}\nscore s {\n  +1 on a\n}\n";
    let r = rename(text, find(text, "event a", 6), "visit");
    let out = apply(text, &r["result"]);
    assert_eq!(
        out,
        "lead { email text }\nevent visit\nfunnel {\n  Lead on visit\n  MQL on a where\n}\nscore s {\n  +1 on visit\n}\n"
    );
}
