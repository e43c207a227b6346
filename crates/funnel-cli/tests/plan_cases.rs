//! The `tests/plan/<case>/` corpus: each case holds `old.funnel`,
//! `new.funnel`, `leads.csv`, `events.csv`, optionally `args.txt` (extra
//! arguments, one per line) and a `README.md` with the expectation worked
//! out by hand. The harness runs `funnel plan` in the case directory and
//! snapshots the exit code, stdout and stderr; when the plan succeeds it
//! also runs `--format json --out DIR`, checks `plan.json` is the JSON on
//! stdout, that a second run prints the same bytes, and snapshots the JSON
//! and `changed_leads.csv` into `tests/plan/<case>/output.snap`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{funnel_in as funnel, lines};
use std::path::{Path, PathBuf};

fn plan_args(extra: &[String]) -> Vec<String> {
    let mut args: Vec<String> = [
        "plan",
        "old.funnel",
        "new.funnel",
        "--leads",
        "leads.csv",
        "--events",
        "events.csv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().cloned());
    args
}

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/plan")
        .join(name)
}

#[test]
fn plan_cases() {
    insta::glob!("../../../tests/plan", "*/new.funnel", |path| {
        let dir: PathBuf = path.parent().expect("case dir").to_path_buf();
        let case = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let extra = lines(&dir.join("args.txt"));
        let args = plan_args(&extra);
        let (code, stdout, stderr) = funnel(&dir, &args);
        let again = funnel(&dir, &args);
        assert_eq!(
            (code, &stdout, &stderr),
            (again.0, &again.1, &again.2),
            "{case}: two runs differ"
        );
        let mut snap = format!("$ funnel {}\nexit {code}\n{stdout}", args.join(" "));
        if !stderr.is_empty() {
            snap.push_str(&format!("---- stderr\n{stderr}"));
        }
        if code != 1 {
            let tmp =
                std::env::temp_dir().join(format!("funnel-plan-{}-{case}", std::process::id()));
            let _ = std::fs::remove_dir_all(&tmp);
            let mut json_args = args.clone();
            json_args.extend(["--format", "json", "--out"].map(String::from));
            json_args.push(tmp.display().to_string());
            let (jcode, json, jerr) = funnel(&dir, &json_args);
            assert_eq!(
                jcode, code,
                "{case}: --format json exits differently:\n{jerr}"
            );
            let file = std::fs::read_to_string(tmp.join("plan.json")).expect("plan.json");
            assert_eq!(
                file, json,
                "{case}: plan.json differs from the JSON on stdout"
            );
            let csv = std::fs::read_to_string(tmp.join("changed_leads.csv")).expect("csv");
            let _ = std::fs::remove_dir_all(&tmp);
            snap.push_str(&format!(
                "---- --format json\n{json}---- changed_leads.csv\n{csv}"
            ));
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.set_input_file(path);
        settings.bind(|| insta::assert_snapshot!("output", snap));
    });
}

#[test]
fn detailed_exit_codes() {
    let run = |case: &str, extra: &[&str]| {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        funnel(&case_dir(case), &plan_args(&extra)).0
    };
    let d = "--detailed-exitcode";
    assert_eq!(run("identical", &[d]), 0, "no change");
    assert_eq!(run("threshold", &[d]), 2, "changes");
    assert_eq!(run("threshold", &[]), 0, "changes without the flag");
    assert_eq!(run("event_missing_from_data", &[d]), 1, "different data");
    assert_eq!(
        run("event_old_rejects", &[d]),
        1,
        "the old playbook rejects a row"
    );
    // A usage problem (`--input` neither playbook declares) is 2 without
    // the flag, as for `run`, and 1 with it.
    assert_eq!(run("threshold", &["--input", "spend=5"]), 2);
    assert_eq!(run("threshold", &[d, "--input", "spend=5"]), 1);
}

#[test]
fn limit_cuts_the_list_of_changed_leads() {
    let args = plan_args(&["--limit".to_string(), "1".to_string()]);
    let (code, stdout, _) = funnel(&case_dir("threshold"), &args);
    assert_eq!(code, 0);
    assert!(stdout.contains("Changed leads (first 1 of 3)\n  L1: Lead → MQL  (forward, from 2026-03-10 09:00)\n  … 2 more;"));
    assert!(!stdout.contains("L3: Lead"));
}

#[test]
fn usage_errors_exit_one_under_detailed_exitcode_and_two_otherwise() {
    let bin = env!("CARGO_BIN_EXE_funnel");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .output()
            .map(|o| o.status.code())
            .ok()
            .flatten()
    };
    // `--no-such-flag` is a usage error: not "changes" (2) under --detailed-exitcode.
    assert_eq!(
        run(&[
            "plan",
            "a.funnel",
            "b.funnel",
            "--detailed-exitcode",
            "--no-such-flag"
        ]),
        Some(1)
    );
    assert_eq!(run(&["plan", "a.funnel", "--no-such-flag"]), Some(2));
    assert_eq!(run(&["--version"]), Some(0));
}
