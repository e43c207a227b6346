//! Grammar-aware fuzzing of parse + check + fmt + run (issue 12): playbooks
//! built from the grammar's pieces, with deep nesting (past the limit too),
//! long lines and layout noise. For every one: nothing panics or overflows;
//! `funnel fmt` output is idempotent, checks with the same diagnostics, and
//! replays the same data to the same stages, scores, transitions, actions
//! (their source lines aside) and KPIs. `FUNNEL_FUZZ_CASES` sets the number
//! of cases (default 24, about half a minute in a debug build); see
//! docs/fuzzing.md for longer runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use funnel_data::{BadRows, Format, ReadData};

use funnel_engine::{Dataset, RunOptions};
use funnel_syntax::fmt::format;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FUNNEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

const HEAD: &str = "playbook \"Fuzz\"\n\
lead {\n  email text\n  size number?\n  industry one of software | retail\n}\n\
event signup\nevent visit { page: text }\nevent deal { amount: money }\n\
funnel {\n  Lead on signup\n  MQL on visit\n  Customer on deal\n}\n";

const LEADS: &str = "id,email,size,industry\nL1,a@x.io,5,software\nL2,b@x.io,,retail\n\
L3,c@x.io,40,software\nL4,d@x.io,12,retail\n";
const EVENTS: &str = "lead,event,at,page,amount\n\
L1,signup,2026-03-02 09:00,,\nL2,signup,2026-03-02 10:00,,\nL3,signup,2026-03-02 11:00,,\n\
L4,signup,2026-03-03 09:00,,\nL1,visit,2026-03-03 09:00,/pricing,\n\
L3,visit,2026-03-04 12:00,/blog,\nL3,deal,2026-03-09 12:00,,$1200\n\
L2,visit,2026-03-12 08:00,/pricing,\nL4,visit,2026-03-20 08:00,/docs,\n";

/// A numeric expression.
fn num() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("size".to_string()),
        (0u32..100).prop_map(|n| n.to_string()),
        Just("2.5".to_string()),
    ];
    leaf.prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} + {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} * {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} - {b}")),
        ]
    })
}

/// A condition, sometimes nested hundreds or thousands of levels deep.
fn cond() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (num(), num()).prop_map(|(a, b)| format!("{a} > {b}")),
        Just("size is missing".to_string()),
        Just("industry == software".to_string()),
        Just("email matches \"@x\\\\.io$\"".to_string()),
    ];
    let shallow = leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} or {b}")),
        ]
    });
    prop_oneof![
        6 => shallow.clone(),
        1 => (shallow.clone(), 0usize..1_100)
            .prop_map(|(c, n)| format!("{}{c}{}", "(".repeat(n), ")".repeat(n))),
        1 => (shallow, 0usize..1_100).prop_map(|(c, n)| format!("{}{c}", "not ".repeat(n))),
    ]
}

/// Nurture steps (one per line, unindented: `fmt` lays them out).
fn steps() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("send \"hello\"\n".to_string()),
        (1u32..5).prop_map(|n| format!("wait {n} days\n")),
        (0usize..70_000).prop_map(|n| format!("send \"{}\"\n", "x".repeat(n))),
        Just("notify sales \"{email} is here\"\n".to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let block = prop::collection::vec(inner, 1..3).prop_map(|v| v.concat());
        prop_oneof![
            (cond(), block.clone(), block.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{\n{a}}} else {{\n{b}}}\n")),
            (1u32..99, block.clone(), block.clone())
                .prop_map(|(p, a, b)| format!("split {p}% {{\n{a}}} else {{\n{b}}}\n")),
            (block.clone(), block.clone())
                .prop_map(|(a, b)| format!("split 30% {{\n{a}}} 30% {{\n{b}}}\n")),
            (block.clone(), block)
                .prop_map(|(a, b)| format!("wait up to 2 days for visit else {{\n{b}}}\n{a}")),
        ]
    })
}

fn playbook() -> impl Strategy<Value = String> {
    (cond(), num(), steps(), 0usize..3, any::<bool>()).prop_map(|(c, n, s, blank, comment)| {
        let gap = "\n".repeat(blank);
        let note = if comment { "  # a comment\n" } else { "" };
        format!(
            "{HEAD}{gap}score engagement {{\n{note}  +10 on visit where {c}\n  +5 on signup\n}}\n\
             {gap}kpi k = count(visit) + {n}\nkpi revenue = sum(deal.amount)\n\
             nurture n {{\n  enroll on signup\n{s}}}\n"
        )
    })
}

/// Diagnostic codes, sorted.
fn codes(text: &str) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = funnel_check::check_source(text)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    c.sort_unstable();
    c
}

/// What a run of the sample data shows, without source lines.
fn results(text: &str) -> Option<String> {
    let program = funnel_check::check_source(text).program?;
    let c = funnel_engine::compile(&program, text);
    let mut ds = Dataset::new(&c);
    ds.read_leads(&c, LEADS.as_bytes(), "leads", Format::Csv, BadRows::Error)
        .unwrap();
    ds.read_events(&c, EVENTS.as_bytes(), "events", Format::Csv, BadRows::Error)
        .unwrap();
    let opts = RunOptions {
        inputs: funnel_data::inputs::resolve(&c, &[], &mut ds.texts).unwrap(),
        ..RunOptions::default()
    };
    let o = funnel_engine::run(&c, &ds, &opts, &mut |_, _| {});
    let actions: Vec<String> = o
        .actions
        .iter()
        .map(|a| format!("{} {} {} {:?}", a.at, a.lead, a.nurture, a.detail))
        .collect();
    Some(format!(
        "{:?}\n{:?}\n{:?}\n{actions:?}\n{:?}",
        o.stage, o.scores, o.transitions, o.kpis
    ))
}

fn check_one(text: &str) -> Result<(), TestCaseError> {
    let before = codes(text);
    match format(text) {
        Ok(formatted) => {
            prop_assert_eq!(
                format(&formatted).ok(),
                Some(formatted.clone()),
                "not idempotent"
            );
            prop_assert_eq!(codes(&formatted), before, "fmt changed the diagnostics");
            prop_assert_eq!(
                results(&formatted),
                results(text),
                "fmt changed the results"
            );
        }
        Err(d) => {
            // Only a playbook that does not parse is not formatted.
            prop_assert!(
                funnel_syntax::parse(text).is_err(),
                "fmt refused: {}",
                d.message
            );
            prop_assert!(before.iter().any(|c| c.starts_with("funnel::syntax::")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn generated_playbooks_check_format_and_run_the_same(text in playbook()) {
        funnel_syntax::on_big_stack(|| check_one(&text))?;
    }
}
