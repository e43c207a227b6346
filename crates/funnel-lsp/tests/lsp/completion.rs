//! Completion in context, in files that do not parse while the line is
//! being typed.

use crate::support::*;

/// A small playbook with `$0` where the cursor is.
fn base(line: &str, block: &str) -> String {
    let template = "playbook \"p\"
lead {
  email     text
  industry  one of software | finance | retail
  size      number?
}
event demo_request
event deal_won { amount: money, kind: one of new | addon }
event email_click { template: text }
funnel {
  Lead      on demo_request
  MQL       when fit >= 10
  Customer  on deal_won
  FUNNEL
}
score fit {
  +10 when industry == software
  SCORE
}
nurture welcome {
  enroll on demo_request
  send \"hello\"
  send \"case-study\"
  NURTURE
}
kpi wins = count(deal_won)
kpi revenue = sum(deal_won.amount)
input spend: money
TOP
test \"t\" {
  TEST
  expect stage == Lead
}
";
    let mut out = template.to_string();
    for b in ["FUNNEL", "SCORE", "NURTURE", "TOP", "TEST"] {
        let fill = if b == block { line } else { "" };
        out = out.replace(b, fill);
    }
    out
}

fn complete(line: &str, block: &str) -> String {
    let (text, pos) = cursor(&base(line, block));
    let mut c = Client::start();
    c.open(&text);
    show_completion(&c.at("textDocument/completion", pos))
}

fn labels_for(line: &str, block: &str) -> Vec<String> {
    let (text, pos) = cursor(&base(line, block));
    let mut c = Client::start();
    c.open(&text);
    labels(&c.at("textDocument/completion", pos))
}

#[test]
fn event_names_after_on() {
    insta::assert_snapshot!(complete("+5 on $0", "SCORE"));
}

#[test]
fn event_names_after_a_comma_in_an_event_list() {
    assert_eq!(
        labels_for("+5 on demo_request, d$0", "SCORE"),
        ["demo_request", "deal_won", "email_click", "any event"]
    );
}

#[test]
fn stage_names_after_stage_ge() {
    insta::assert_snapshot!(complete("exit when stage >= $0", "NURTURE"));
}

#[test]
fn stage_names_in_an_sla() {
    assert_eq!(
        labels_for("sla MQL -> $0", "FUNNEL"),
        ["Lead", "MQL", "Customer"]
    );
    assert_eq!(labels_for("sla $0", "FUNNEL"), ["Lead", "MQL", "Customer"]);
}

#[test]
fn event_fields_first_after_where() {
    insta::assert_snapshot!(complete("+5 on deal_won where $0", "SCORE"));
}

#[test]
fn fields_in_a_when_condition() {
    assert_eq!(
        labels_for("+5 when size >= 10 and $0", "SCORE"),
        ["email", "industry", "size", "fit", "stage", "clicked", "opened", "not"]
    );
}

#[test]
fn event_fields_after_event_dot() {
    assert_eq!(
        labels_for("kpi avg_deal = avg(deal_won.$0", "TOP"),
        ["amount", "kind"]
    );
}

#[test]
fn enumeration_values_after_eq() {
    insta::assert_snapshot!(complete("+5 when industry == $0", "SCORE"));
}

#[test]
fn enumeration_values_of_an_event_field_in_a_list() {
    assert_eq!(
        labels_for("+5 on deal_won where kind in (new, $0", "SCORE"),
        ["new", "addon"]
    );
}

#[test]
fn templates_after_if_clicked() {
    insta::assert_snapshot!(complete("if clicked $0", "NURTURE"));
}

#[test]
fn templates_inside_the_quotes() {
    assert_eq!(
        labels_for("expect sent \"ca$0", "TEST"),
        ["hello", "case-study"]
    );
}

#[test]
fn keywords_at_the_start_of_a_nurture_line() {
    insta::assert_snapshot!(complete("$0", "NURTURE"));
}

#[test]
fn keywords_at_the_top_level() {
    assert_eq!(
        labels_for("k$0", "TOP"),
        [
            "playbook",
            "timezone",
            "currency",
            "calendar",
            "lead",
            "event",
            "funnel",
            "score",
            "nurture",
            "limit sends",
            "input",
            "kpi",
            "target",
            "test"
        ]
    );
}

#[test]
fn kpi_formulas_and_by_keys() {
    assert_eq!(
        labels_for("kpi rate = wins / $0", "TOP"),
        ["wins", "revenue", "spend", "count", "sum", "avg", "min", "max", "abs", "round", "prev"]
    );
    assert_eq!(
        labels_for("kpi c = count($0", "TOP"),
        [
            "entered",
            "reached",
            "breached",
            "in",
            "by",
            "demo_request",
            "deal_won",
            "email_click"
        ]
    );
    assert_eq!(
        labels_for("kpi c = count(deal_won) by $0", "TOP"),
        ["day", "week", "month", "quarter", "year", "email", "industry", "size"]
    );
}

#[test]
fn test_lines_records_and_expectations() {
    assert_eq!(
        labels_for("lead { industry: $0", "TEST"),
        ["software", "finance", "retail"]
    );
    assert_eq!(
        labels_for("at 2026-03-02 09:00 $0", "TEST"),
        ["demo_request", "deal_won", "email_click", "any event"]
    );
    assert_eq!(
        labels_for("at 2026-03-02 09:00 deal_won { $0", "TEST"),
        ["amount", "kind"]
    );
    assert_eq!(labels_for("expect score $0", "TEST"), ["fit"]);
    assert_eq!(
        labels_for("expect $0", "TEST"),
        ["stage", "score", "sent", "not sent", "field", "kpi", "at"]
    );
}

#[test]
fn completion_after_non_ascii_text_on_the_line() {
    // `ó` and `😀` before the cursor: the position is in UTF-16 units.
    let line = "notify sales \"dzień dobry 😀\" when industry == $0";
    let (text, pos) = cursor(&base(line, "NURTURE"));
    assert_eq!(pos.character, 49);
    let mut c = Client::start();
    c.open(&text);
    assert_eq!(
        labels(&c.at("textDocument/completion", pos)),
        ["software", "finance", "retail"]
    );
}

#[test]
fn completion_in_a_badly_broken_file() {
    // Unbalanced braces and a half-written condition at the end of the file.
    let text = "lead {\n  industry one of a | b\n}\nevent visit {{{\nfunnel {\n  Lead on visit\n  MQL when industry == \n";
    let pos = lsp_types::Position::new(6, 22);
    let mut c = Client::start();
    c.open(text);
    assert_eq!(labels(&c.at("textDocument/completion", pos)), ["a", "b"]);
}
