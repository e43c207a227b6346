//! Bad scenario files each give an error naming the key and its line.

use funnel_sim::{validate, Scenario, ScenarioError};

const PLAYBOOK: &str = r#"playbook "sim test"
lead {
  email   text
  source  one of organic | paid
  size    number?
}
event signup
event demo_request { note: text }
funnel {
  Lead  on signup
  SQL   on demo_request
}
"#;

const GOOD: &str = "start: 2026-01-05
horizon_days: 30
arrivals:
  rate: 10
  per: day
  sources:
    organic: 3
    paid: 1
attributes:
  email:
    template: lead{n}@example.com
  size:
    normal: { mean: 200, sd: 50, min: 1 }
    missing: 0.1
behaviour:
  - event: signup
    after: arrival
    probability: 1
  - event: demo_request
    after: event signup
    probability: 0.25
    delay_days: { min: 1, max: 5 }
    only_in: [Lead]
    fields:
      note:
        constant: hi
";

fn program() -> funnel_check::Program {
    let checked = funnel_check::check_source(PLAYBOOK);
    match checked.program {
        Some(p) => p,
        None => unreachable!("test playbook must check: {:?}", checked.diagnostics),
    }
}

fn errors(yaml: &str) -> Vec<ScenarioError> {
    match Scenario::from_yaml(yaml) {
        Err(e) => vec![e],
        Ok(s) => validate(&s, yaml, &program()),
    }
}

fn one(yaml: &str) -> (usize, String, String) {
    let errs = errors(yaml);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:?}");
    let e = &errs[0];
    (e.line, e.key.clone(), e.message.clone())
}

#[test]
fn the_good_scenario_validates() {
    assert_eq!(errors(GOOD), vec![]);
}

#[test]
fn unknown_key_names_the_key_and_line() {
    let yaml = GOOD.replace("  per: day\n", "  per: day\n  burst: 3\n");
    let (line, _, msg) = one(&yaml);
    assert_eq!(line, 6);
    assert!(msg.contains("unknown field `burst`"), "{msg}");
}

#[test]
fn negative_rate_is_rejected_at_its_line() {
    let yaml = GOOD.replace("rate: 10", "rate: -2");
    let (line, _, msg) = one(&yaml);
    assert_eq!(line, 4);
    assert!(msg.contains("-2 is negative"), "{msg}");
}

#[test]
fn probability_above_one_is_rejected_at_its_line() {
    let yaml = GOOD.replace("probability: 0.25", "probability: 25");
    let (line, _, msg) = one(&yaml);
    assert_eq!(line, 21);
    assert!(msg.contains("probability 25 is outside 0..1"), "{msg}");
}

#[test]
fn unknown_event_names_the_behaviour_key() {
    let yaml = GOOD.replace("- event: demo_request", "- event: demo_requested");
    let errs = errors(&yaml);
    // The unknown event, and nothing about its fields (they cannot be judged).
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].key, "behaviour[1].event");
    assert_eq!(errs[0].line, 19);
    assert!(errs[0].message.contains("unknown event `demo_requested`"));
}

#[test]
fn unknown_stage_in_only_in_and_after() {
    let yaml = GOOD
        .replace("only_in: [Lead]", "only_in: [MQL]")
        .replace("after: event signup", "after: stage Leed");
    let errs = errors(&yaml);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].key.as_str()),
        (20, "behaviour[1].after")
    );
    assert!(errs[0].message.contains("unknown stage `Leed`"));
    assert_eq!(
        (errs[1].line, errs[1].key.as_str()),
        (23, "behaviour[1].only_in")
    );
    assert!(errs[1].message.contains("unknown stage `MQL`"));
}

#[test]
fn source_values_must_be_enum_values() {
    let yaml = GOOD.replace("    paid: 1", "    partner: 1");
    let (line, key, msg) = one(&yaml);
    assert_eq!((line, key.as_str()), (8, "arrivals.sources.partner"));
    assert!(msg.contains("expected one of `organic`, `paid`"), "{msg}");
}

#[test]
fn missing_required_event_field_and_unknown_attribute() {
    let yaml = GOOD
        .replace("    fields:\n      note:\n        constant: hi\n", "")
        .replace("  email:\n", "  mail:\n");
    let errs = errors(&yaml);
    assert_eq!(errs.len(), 3, "{errs:?}");
    // `email` is required and no longer drawn; `mail` is no lead field.
    assert_eq!((errs[0].line, errs[0].key.as_str()), (9, "attributes"));
    assert!(errs[0].message.contains("`email` is required"));
    assert_eq!(
        (errs[1].line, errs[1].key.as_str()),
        (10, "attributes.mail")
    );
    assert!(errs[1].message.contains("no field `mail`"));
    assert_eq!(
        (errs[2].line, errs[2].key.as_str()),
        (19, "behaviour[1].event")
    );
    assert!(errs[2].message.contains("needs its field `note`"));
}

#[test]
fn enum_constants_and_numbers_are_checked_before_running() {
    let yaml = GOOD.replace("constant: hi", "template: \"note {n}\"");
    let (line, key, msg) = one(&yaml);
    assert_eq!((line, key.as_str()), (25, "behaviour[1].fields.note"));
    assert!(msg.contains("draw it from `weights`"), "{msg}");
    let yaml = GOOD.replace(
        "  size:\n    normal: { mean: 200, sd: 50, min: 1 }\n    missing: 0.1\n",
        "  size:\n    constant: lots\n",
    );
    let (line, key, msg) = one(&yaml);
    assert_eq!((line, key.as_str()), (13, "attributes.size.constant"));
    assert!(msg.contains("`lots` is not a number"), "{msg}");
}

#[test]
fn zero_horizon_and_inline_keys_point_at_their_lines() {
    let (line, key, msg) = one(&GOOD.replace("horizon_days: 30", "horizon_days: 0"));
    assert_eq!((line, key.as_str()), (2, "horizon_days"));
    assert!(msg.contains("at least 1"), "{msg}");
    // `sd` sits inside `{ … }` on line 13: the error points at that line.
    let (line, _, msg) = one(&GOOD.replace("sd: 50", "sd: -5"));
    assert_eq!(line, 13);
    assert!(msg.contains("-5 is negative"), "{msg}");
}

#[test]
fn a_draw_needs_exactly_one_distribution() {
    let yaml = GOOD.replace("    missing: 0.1\n", "    uniform: { min: 1, max: 3 }\n");
    let (line, key, msg) = one(&yaml);
    assert_eq!((line, key.as_str()), (12, "attributes.size"));
    assert!(msg.contains("exactly one of"), "{msg}");
}

#[test]
fn bad_start_date_is_reported() {
    let yaml = GOOD.replace("2026-01-05", "2026-02-30");
    let (line, _, msg) = one(&yaml);
    assert_eq!(line, 1);
    assert!(msg.contains("`2026-02-30` is not a date"), "{msg}");
}
