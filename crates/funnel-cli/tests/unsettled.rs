//! Settle limits in `funnel run`: a lead whose rules keep changing each
//! other past the limits is a located error (the lead, the instant, the
//! rules and steps still changing with their playbook lines), exit code 1,
//! and no output files; the same data without the cycle runs.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::scratch as dir;
use std::path::Path;
use std::process::Command;

/// A score that follows a field, and two nurtures that flip the field as
/// the score crosses 10: each settle pass undoes the one before, until the
/// limit of 16 passes.
const THERMOSTAT: &str = r#"playbook "Thermostat"
lead { heating one of hot | cold }
event signup
funnel {
  Lead on signup
}
score warmth {
  +10 when heating == hot
}
nurture cool_down {
  enroll when warmth >= 10
  reenroll always
  set heating = cold
}
nurture warm_up {
  enroll when warmth < 10
  reenroll always
  set heating = hot
}
"#;

/// Two `when` rules of different scores that undo each other: the limit of
/// 8 passes of the `when` rules.
const TWO_SCORES: &str = r#"playbook "Two scores"
event signup
funnel {
  Lead on signup
  MQL  when a >= 10
}
score a {
  +10 when b < 5
}
score b {
  +10 when a >= 10
}
"#;

fn run(dir: &Path, playbook: &str, leads: &str) -> (i32, String, String) {
    std::fs::write(dir.join("p.funnel"), playbook).unwrap();
    std::fs::write(dir.join("leads.csv"), leads).unwrap();
    std::fs::write(
        dir.join("events.csv"),
        "lead,event,at\nL1,signup,2026-03-02 09:00\nL2,signup,2026-03-02 08:00\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(dir)
        .args([
            "run",
            "p.funnel",
            "--leads",
            "leads.csv",
            "--events",
            "events.csv",
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_settle_cycle_through_nurtures_is_a_located_error() {
    let d = dir("thermostat");
    // L2 starts cold: it warms up once, then the cycle runs as for L1; its
    // event is earlier, so it is the lead reported.
    let (code, stdout, stderr) = run(&d, THERMOSTAT, "id,heating\nL1,hot\nL2,cold\n");
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "funnel::run::unsettled\n\n  \
         × lead `L2` did not settle at 2026-03-02 08:00: its rules were still changing each other after\n  \
         │ 16 passes (1 more lead did not settle)\n    \
         ╭─[p.funnel:8:3]\n  \
         7 │ score warmth {\n  \
         8 │   +10 when heating == hot\n    \
         ·   ───────────┬───────────\n    \
         ·              ╰── rule +10 when heating == hot\n  \
         9 │ }\n \
         10 │ nurture cool_down {\n \
         11 │   enroll when warmth >= 10\n \
         12 │   reenroll always\n \
         13 │   set heating = cold\n    \
         ·   ─────────┬────────\n    \
         ·            ╰── step set heating = cold (nurture cool_down)\n \
         14 │ }\n \
         15 │ nurture warm_up {\n \
         16 │   enroll when warmth < 10\n \
         17 │   reenroll always\n \
         18 │   set heating = hot\n    \
         ·   ────────┬────────\n    \
         ·           ╰── step set heating = hot (nurture warm_up)\n \
         19 │ }\n    \
         ╰────\n  \
         help: rules that keep enabling each other have no result; make one of them depend on something\n        \
         the others do not change (docs/language.md, \"Settle limits\")\n\n"
    );
    assert!(!d.join("out").exists(), "no output files");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn when_rules_of_two_scores_undoing_each_other_are_a_located_error() {
    let d = dir("two");
    let (code, _, stderr) = run(&d, TWO_SCORES, "id\nL1\nL2\n");
    assert_eq!(code, 1);
    // The checker's warning about the cycle comes first; then the error.
    assert!(stderr.starts_with("funnel::check::when_rules_undo_each_other"));
    let error: Vec<&str> = stderr
        .lines()
        .skip_while(|l| *l != "funnel::run::unsettled")
        .filter(|l| l.contains('×') || l.contains('│') || l.contains("╰──"))
        .collect();
    assert_eq!(
        error,
        [
            "  × lead `L2` did not settle at 2026-03-02 08:00: its rules were still changing each other after 8",
            "  │ passes of its `when` rules (1 more lead did not settle)",
            "  7 │ score a {",
            "  8 │   +10 when b < 5",
            "    ·          ╰── rule +10 when b < 5",
            "  9 │ }",
            " 10 │ score b {",
            " 11 │   +10 when a >= 10",
            "    ·           ╰── rule +10 when a >= 10",
            " 12 │ }",
            "    ╰────",
        ]
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_same_rules_without_the_cycle_run() {
    let d = dir("fine");
    let settled = THERMOSTAT.replace("reenroll always\n  set heating = hot", "set heating = hot");
    let settled = settled.replace(
        "reenroll always\n  set heating = cold",
        "set heating = cold",
    );
    let (code, stdout, stderr) = run(&d, &settled, "id,heating\nL1,hot\nL2,cold\n");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(d.join("out/leads.csv").exists());
    let _ = std::fs::remove_dir_all(&d);
}
