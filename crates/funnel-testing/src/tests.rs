//! Unit tests of `testing`: test blocks run on small playbooks whose
//! outcomes are worked out by hand.

use super::*;

fn compiled(text: &str) -> (Program, Compiled) {
    let checked = funnel_check::check_source(text);
    let program = checked
        .program
        .unwrap_or_else(|| panic!("does not check: {:?}", checked.diagnostics));
    let c = funnel_engine::compile(&program, text);
    (program, c)
}

fn run_all(text: &str) -> Vec<TestRun> {
    let (program, c) = compiled(text);
    tests(&program)
        .into_iter()
        .map(|t| run_test(&c, text, t))
        .collect()
}

const PLAYBOOK: &str = r#"playbook "t"
timezone "Europe/Warsaw"
lead {
  email text
  owner text?
  tier  one of gold | silver
}
event signup
event email_click { template: text }
event demo_request
event deal_won { amount: money }
funnel {
  Lead on signup
  MQL
  SQL on demo_request
  Customer on deal_won
  lost Gone when email matches "@spam\\."
}
score interest {
  +10 on signup
  +20 on email_click
  +5 when tier == gold
  MQL at 30
}
nurture welcome {
  enroll on signup
  send "welcome"
  wait 2 days
  if clicked "welcome" {
    set owner = "sdr"
  } else {
    send "welcome-again"
  }
}
kpi wins = count(entered Customer)
kpi revenue = sum(deal_won.amount)
kpi win_rate = count(reached Customer) / count(reached Lead)
"#;

fn with_tests(tests: &str) -> String {
    format!("{PLAYBOOK}\n{tests}")
}

#[test]
fn a_passing_test_judges_the_end_and_earlier_instants() {
    let text = with_tests(
        r#"test "click then demo" {
  lead { email: "a@x.io", tier: gold }
  at 2026-03-02 09:00 signup
  at 2026-03-02 15:00 email_click { template: "welcome" }
  at 2026-03-05 09:00 demo_request
  at 2026-03-06 09:00 deal_won { amount: $1,200 }
  expect at 2026-03-02 12:00 stage == Lead
  expect at 2026-03-02 12:00 score interest == 15
  expect at 2026-03-03 stage == MQL
  expect stage == Customer
  expect stage >= SQL
  expect stage != Gone
  expect score interest == 35
  expect sent "welcome" at 2026-03-02 09:00
  expect not sent "welcome-again"
  expect at 2026-03-04 08:00 field owner != "sdr"
  expect field owner == "sdr"
  expect kpi revenue == $1,200
  expect kpi win_rate == 100%
  expect kpi wins >= 1
}"#,
    );
    let runs = run_all(&text);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.failures, Vec::<Failure>::new());
    assert_eq!(r.expectations, 14);
    assert_eq!(r.name, "click then demo");
    assert_eq!(r.line, 39);
    assert!(r.passed());
    assert!(r.timelines.is_empty());
}

#[test]
fn failures_say_what_the_lead_had_instead() {
    let text = with_tests(
        r#"test "no click" {
  lead { email: "b@x.io", tier: silver }
  at 2026-03-02 09:00 signup
  at 2026-03-03 09:00 signup
  expect stage == MQL
  expect score interest == 30
  expect sent "welcome-again"
  expect sent "welcome" at 2026-03-02 10:00
  expect not sent "welcome"
  expect field owner == "sdr"
  expect kpi win_rate == 50%
  expect kpi wins == 0
  expect at 2026-03-04 09:00 sent "welcome-again" at 2026-03-04 09:00
  expect sent "welcome-again" at 2026-03-04 09:00
}"#,
    );
    let runs = run_all(&text);
    let r = &runs[0];
    let got: Vec<(u32, &str, &str)> = r
        .failures
        .iter()
        .map(|f| (f.line, f.expected.as_str(), f.actual.as_str()))
        .collect();
    let first = r.line;
    assert_eq!(
        got,
        vec![
            (first + 4, "stage == MQL", "Lead"),
            (first + 5, "score interest == 30", "20"),
            // The wait of 2 days ends after the last event (03-03 09:00).
            (first + 6, "sent \"welcome-again\"", "never sent"),
            (
                first + 7,
                "sent \"welcome\" at 2026-03-02 10:00",
                "sent at 2026-03-02 09:00"
            ),
            (
                first + 8,
                "not sent \"welcome\"",
                "sent at 2026-03-02 09:00"
            ),
            (first + 9, "field owner == \"sdr\"", "missing"),
            (first + 10, "kpi win_rate == 50%", "0%"),
            (
                first + 13,
                "sent \"welcome-again\" at 2026-03-04 09:00",
                "never sent"
            ),
        ]
    );
    let last = &r.failures[7];
    assert_eq!(
        last.note.as_deref(),
        Some(
            "the test ends at its last event (2026-03-03 09:00); write \
             `expect at 2026-03-04 09:00 sent \"welcome-again\" at 2026-03-04 09:00` \
             to let it run on to 2026-03-04 09:00"
        )
    );
    assert_eq!(
        r.failures[0].source, "expect stage == MQL",
        "the source line as written"
    );
    // Every failure is judged at the end: one timeline.
    assert_eq!(r.timelines.len(), 1);
    let tl = &r.timelines[0];
    assert!(tl.end);
    assert!(tl
        .text
        .starts_with("lead test\n  email: b@x.io\n  tier: silver\n"));
    assert!(tl.text.contains("2026-03-02 09:00  event signup\n"));
    assert!(tl
        .text
        .ends_with("now: stage Lead, interest 20 (as of 2026-03-03 09:00)\n"));
}

#[test]
fn expect_at_runs_timers_on_past_the_last_event() {
    let text = with_tests(
        r#"test "the second welcome goes out after the last event" {
  lead { email: "c@x.io", tier: silver, id: "lead-7" }
  at 2026-03-02 09:00 signup
  expect at 2026-03-04 09:00 sent "welcome-again" at 2026-03-04 09:00
  expect at 2026-03-04 08:59 not sent "welcome-again"
  expect not sent "welcome-again"
  expect at 2026-03-04 09:00 stage == SQL
}"#,
    );
    let runs = run_all(&text);
    let r = &runs[0];
    assert_eq!(r.failures.len(), 1);
    let f = &r.failures[0];
    assert_eq!(f.expected, "stage == SQL");
    assert_eq!(f.actual, "Lead");
    assert_eq!(f.source, "expect at 2026-03-04 09:00 stage == SQL");
    // 2026-03-04 09:00 in Warsaw (UTC+1).
    assert_eq!(f.at, Some(1_772_611_200));
    assert_eq!(r.timelines.len(), 1);
    assert!(!r.timelines[0].end);
    // The record's id names the lead.
    assert!(r.timelines[0].text.starts_with("lead lead-7\n"));
    assert!(r.timelines[0]
        .text
        .contains("2026-03-04 09:00    send \"welcome-again\"  (welcome, step at line "));
}

#[test]
fn lost_stages_and_missing_stage() {
    let text = with_tests(
        r#"test "spam" {
  lead { email: "x@spam.io", tier: silver }
  at 2026-03-02 09:00 signup
  expect stage == Gone
  expect stage >= Lead
  expect stage != Lead
}

test "no events" {
  lead { email: "y@x.io", tier: gold }
  expect stage == Lead
  expect score interest == 0
}"#,
    );
    let runs = run_all(&text);
    let spam: Vec<&str> = runs[0]
        .failures
        .iter()
        .map(|f| f.expected.as_str())
        .collect();
    assert_eq!(spam, vec!["stage >= Lead"]);
    let none: Vec<(&str, &str)> = runs[1]
        .failures
        .iter()
        .map(|f| (f.expected.as_str(), f.actual.as_str()))
        .collect();
    // Without events the lead never enters the funnel; when rules have not run.
    assert_eq!(
        none,
        vec![("stage == Lead", "(not in the funnel)")],
        "{:?}",
        runs[1].failures
    );
    assert_eq!(runs[1].failures[0].at, None);
}

#[test]
fn coverage_follows_the_trace() {
    let text = with_tests(
        r#"test "no click" {
  lead { email: "b@x.io", tier: silver }
  at 2026-03-02 09:00 signup
  expect at 2026-03-05 stage == Lead
}"#,
    );
    let (program, c) = compiled(&text);
    let mut cov = Coverage::new(&c, &text);
    for t in tests(&program) {
        cov.add(&run_test(&c, &text, t).exercised);
    }
    let missed: Vec<String> = cov
        .missed()
        .map(|i| format!("{}: {}", i.line, i.text))
        .collect();
    assert_eq!(
        missed,
        vec![
            "15: stage SQL on demo_request",
            "16: stage Customer on deal_won",
            "17: stage lost Gone when email matches \"@spam\\\\.\"",
            "21: rule +20 on email_click",
            "22: rule +5 when tier == gold",
            "23: threshold MQL at 30 (score interest)",
            "29: branch if clicked \"welcome\": then (nurture welcome)",
            "30: step set owner = \"sdr\" (nurture welcome)",
        ]
    );
    // rules 3, triggers 4 + threshold 1, steps send/wait/set/send 4, arms 2.
    assert_eq!((cov.hit(), cov.total()), (6, 14));
}
