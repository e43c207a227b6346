//! A new user's first hour (issue 14): no panic on a closed pipe, `sample`
//! spelled like every other command and safe with existing files, outputs
//! that say what they mean (reached / now in stage, where `--out` wrote,
//! an `--as-of` before the data, a `--filter` that matches nothing), and
//! the conveniences people expect (`init`, completions, help with examples,
//! colour, `-` for stdin, hints for swapped files and misspelled events).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{root, scratch};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Run `funnel` from the repository root: (exit code, stdout, stderr).
fn funnel(args: &[&str]) -> (i32, String, String) {
    funnel_with(args, None, &[])
}

fn funnel_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_funnel"));
    cmd.current_dir(root())
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Replace the scratch directory's path so snapshots do not depend on it.
fn tidy(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "DIR")
}

const RUN: [&str; 6] = common::README_RUN;

#[test]
fn no_command_panics_on_a_closed_pipe() {
    let data = [
        "--leads",
        "examples/data/leads.csv",
        "--events",
        "examples/data/events.csv",
    ];
    let pb = "playbooks/saas_inbound.funnel";
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["test", "playbooks", "examples"],
        vec!["test", "playbooks", "--format", "junit"],
        vec!["check", "--format", "json", "playbooks", "examples"],
        vec!["check", "--format", "sarif", "playbooks"],
        vec!["check", "--format", "github", "tests/check/err"],
        vec!["completions", "bash"],
        vec!["--help"],
        vec![
            "simulate",
            pb,
            "--scenario",
            "examples/scenarios/saas_steady_inbound.yaml",
            "--runs",
            "2",
        ],
    ];
    let mut run = RUN.to_vec();
    run.extend(["--format", "json"]);
    cases.push(RUN.to_vec());
    cases.push(run);
    let mut explain = vec!["explain", pb, "L0042"];
    explain.extend(data);
    cases.push(explain);
    let mut plan = vec!["plan", pb, pb];
    plan.extend(data);
    cases.push(plan);
    let mut lines = Vec::new();
    for args in &cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_funnel"))
            .current_dir(root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked"),
            "`funnel {}`: {err}",
            args.join(" ")
        );
        lines.push(format!(
            "funnel {} | (closed): exit {}",
            args.join(" "),
            out.status.code().unwrap_or(-1)
        ));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn sample_takes_the_playbook_first_and_a_count() {
    let dir = scratch("sample-new");
    let out = dir.display().to_string();
    let (code, _, err) = funnel(&[
        "sample",
        "examples/02_stages.funnel",
        "--count",
        "25",
        "--out",
        &out,
    ]);
    assert_eq!(code, 0);
    let leads = std::fs::read_to_string(dir.join("leads.csv")).unwrap();
    assert_eq!(leads.lines().count(), 26);
    assert!(leads.lines().nth(1).unwrap().starts_with("L0001,"));
    insta::assert_snapshot!(tidy(&err, &dir));
}

#[test]
fn sample_keeps_the_old_spellings_with_a_note() {
    let dir = scratch("sample-old");
    let out = dir.display().to_string();
    let (code, _, err) = funnel(&[
        "sample",
        "--playbook",
        "examples/02_stages.funnel",
        "--leads",
        "10",
        "--out",
        &out,
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(tidy(&err, &dir));
    // Both spellings of the same thing at once is an error.
    let (code, _, err) = funnel(&[
        "sample",
        "examples/02_stages.funnel",
        "--count",
        "5",
        "--leads",
        "5",
        "--out",
        &out,
        "--force",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "funnel::cli::bad_flag\n\n  × the lead count is given twice (`--count` and `--leads`)\n  help: drop `--leads`; it is the old spelling of `--count`\n\n"
    );
}

#[test]
fn sample_never_overwrites_without_force() {
    let dir = scratch("sample-force");
    let out = dir.display().to_string();
    std::fs::write(dir.join("events.csv"), "mine\n").unwrap();
    let args = [
        "sample",
        "examples/02_stages.funnel",
        "--count",
        "5",
        "--out",
        &out,
    ];
    let (code, _, err) = funnel(&args);
    assert_eq!(code, 2);
    assert_eq!(
        tidy(&err, &dir),
        "funnel::cli::already_exists\n\n  × `DIR/events.csv` already exist(s)\n  help: pass `--force` to overwrite, or `--out DIR` to write elsewhere\n\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("events.csv")).unwrap(),
        "mine\n"
    );
    assert!(!dir.join("leads.csv").exists());
    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, _, _) = funnel(&forced);
    assert_eq!(code, 0);
    assert_ne!(
        std::fs::read_to_string(dir.join("events.csv")).unwrap(),
        "mine\n"
    );
}

#[test]
fn run_says_what_its_numbers_mean_and_where_it_wrote() {
    let (code, out, err) = funnel(&RUN);
    assert_eq!(code, 0, "{err}");
    // Without `--out` there is no kpis.json to point at.
    assert!(!out.contains("see kpis.json"), "{out}");
    let funnel_table: String = out
        .lines()
        .skip_while(|l| *l != "Funnel")
        .take_while(|l| *l != "KPIs")
        .map(|l| format!("{l}\n"))
        .collect();
    let more: Vec<&str> = out.lines().filter(|l| l.contains("more (")).collect();
    insta::assert_snapshot!(format!("{funnel_table}{}", more.join("\n")));

    let dir = scratch("run-out");
    let d = dir.display().to_string();
    let mut args = RUN.to_vec();
    args.extend(["--out", &d]);
    let (code, out, err) = funnel(&args);
    assert_eq!(code, 0);
    assert_eq!(
        tidy(&err, &dir),
        "wrote leads.csv, transitions.csv, actions.jsonl and kpis.json to DIR\n"
    );
    assert!(
        tidy(&out, &dir).contains("more groups (see DIR/kpis.json)"),
        "{out}"
    );
}

#[test]
fn an_as_of_before_the_data_is_warned_about() {
    let mut args = RUN.to_vec();
    args.extend(["--as-of", "2025-01-01"]);
    let (code, _, err) = funnel(&args);
    assert_eq!(code, 0);
    insta::assert_snapshot!(err);
}

#[test]
fn a_filter_that_matches_no_test_fails() {
    let (code, out, err) = funnel(&[
        "test",
        "examples/06_tests.funnel",
        "--filter",
        "nothing like it",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(format!("exit {code}\n--- stdout\n{out}--- stderr\n{err}"));
}

#[test]
fn help_says_what_funnel_is_with_examples() {
    let (code, out, _) = funnel(&["--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
    for cmd in ["sample", "init", "completions"] {
        let (code, out, _) = funnel(&[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("Examples:\n  funnel "), "{cmd}: {out}");
    }
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_funnel()"),
        ("zsh", "#compdef funnel"),
        ("fish", "complete -c funnel"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, err) = funnel(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(marker), "{shell}");
        assert!(out.contains("sample"), "{shell} completes subcommands");
    }
    let (code, _, err) = funnel(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("[possible values: bash, zsh, fish, powershell]"),
        "{err}"
    );
}

#[test]
fn init_scaffolds_a_project_that_checks_tests_and_runs() {
    let dir = scratch("init");
    let d = dir.display().to_string();
    let (code, _, err) = funnel(&["init", &d]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(tidy(&err, &dir));
    let pb = format!("{d}/playbook.funnel");
    let (code, _, err) = funnel(&["check", &pb]);
    assert_eq!(
        (code, err.as_str()),
        (0, "checked 1 file: 0 errors, 0 warnings\n")
    );
    let (code, out, _) = funnel(&["test", &pb]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
    let (leads, events) = (
        format!("{d}/data/leads.csv"),
        format!("{d}/data/events.csv"),
    );
    let (code, out, err) = funnel(&["run", &pb, "--leads", &leads, "--events", &events]);
    assert_eq!(code, 0, "{err}");
    let funnel_table: String = out
        .lines()
        .skip_while(|l| *l != "Funnel")
        .take_while(|l| !l.starts_with("  reached"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("init_run", funnel_table);
    // A second `init` leaves the edited files alone.
    let (code, _, err) = funnel(&["init", &d]);
    assert_eq!(code, 2);
    assert!(err.contains("already exist"), "{err}");
}

#[test]
fn colour_on_request_and_never_with_no_color() {
    let args = ["test", "examples/06_tests.funnel"];
    let (_, plain, _) = funnel(&args);
    assert!(!plain.contains('\u{1b}'));
    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let (_, painted, _) = funnel(&always);
    assert!(
        painted.contains("\u{1b}[32mok\u{1b}[0m   examples/06_tests.funnel"),
        "{painted}"
    );
    assert!(
        painted.ends_with("\u{1b}[32m2 passed, 0 failed\u{1b}[0m\n"),
        "{painted}"
    );
    assert_eq!(
        painted.replace("\u{1b}[32m", "").replace("\u{1b}[0m", ""),
        plain
    );
    let (_, run_painted, _) = funnel_with(&[&RUN[..], &["--color", "always"]].concat(), None, &[]);
    assert!(
        run_painted.contains("\u{1b}[31mmissed\u{1b}[0m")
            || run_painted.contains("\u{1b}[32mmet\u{1b}[0m")
    );
    // `auto` never colours a pipe, and NO_COLOR wins over a terminal.
    let (_, auto, _) = funnel_with(&args, None, &[("NO_COLOR", "1")]);
    assert!(!auto.contains('\u{1b}'));
}

#[test]
fn dash_reads_standard_input() {
    let text = std::fs::read_to_string(root().join("examples/06_tests.funnel")).unwrap();
    let (code, out, _) = funnel_with(&["test", "-"], Some(&text), &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok   -: \"a click makes an MQL"), "{out}");
    let (code, _, err) = funnel_with(
        &["check", "-"],
        Some("playbook \"x\"\nevent a\nfunnel {\n  Lead on b\n}\n"),
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("-:4:11") || err.contains("[-:4:11]"), "{err}");
    let events = std::fs::read_to_string(root().join("examples/data/events.csv")).unwrap();
    let (code, out, err) = funnel_with(
        &[
            "run",
            "playbooks/saas_inbound.funnel",
            "--leads",
            "examples/data/leads.csv",
            "--events",
            "-",
        ],
        Some(&events),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.replace("events  -  read", "events  examples/data/events.csv  read"),
        funnel(&RUN).1
    );
}

#[test]
fn swapped_files_and_misspelled_events_get_a_hint() {
    let (code, _, err) = funnel(&[
        "run",
        "playbooks/saas_inbound.funnel",
        "--leads",
        "examples/data/events.csv",
        "--events",
        "examples/data/leads.csv",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("swapped", err);
    let dir = scratch("misspelled");
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "lead,event,at,path\nL0001,page_veiw,2026-03-02 09:00,/\n",
    )
    .unwrap();
    let ev = events.display().to_string();
    let (code, _, err) = funnel(&[
        "run",
        "playbooks/saas_inbound.funnel",
        "--leads",
        "examples/data/leads.csv",
        "--events",
        &ev,
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("misspelled", tidy(&err, &dir));
}

#[test]
fn test_watch_runs_again_when_a_playbook_changes() {
    use std::io::BufRead;
    use std::sync::mpsc;
    use std::time::Duration;
    let dir = scratch("watch");
    let pb = dir.join("w.funnel");
    let text = std::fs::read_to_string(root().join("examples/06_tests.funnel")).unwrap();
    std::fs::write(&pb, &text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .args(["test", "--watch"])
        .arg(&pb)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let wait_for = |want: &str| -> bool {
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
            if line == want {
                return true;
            }
        }
        false
    };
    let first = wait_for("2 passed, 0 failed");
    // Break one expectation: the next run reports it.
    std::fs::write(
        &pb,
        text.replace("expect score interest == 20", "expect score interest == 21"),
    )
    .unwrap();
    let second = wait_for("1 passed, 1 failed");
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "the first run did not finish");
    assert!(second, "no second run after the change");
}

#[test]
fn simulate_changes_are_signed_like_plan_and_tables_fit_the_width() {
    let det = [
        "simulate",
        "tests/simulate/deterministic/playbook.funnel",
        "--scenario",
        "tests/simulate/deterministic/scenario.yaml",
        "--runs",
        "3",
    ];
    let mut vs = det.to_vec();
    vs.extend(["--vs", "tests/simulate/vs/sql_on_signup.funnel"]);
    let (code, out, err) = funnel(&vs);
    assert_eq!(code, 0, "{err}");
    let diff: String = out
        .lines()
        .skip_while(|l| !l.starts_with("Difference"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(diff);
    // A narrow terminal: the weekly table is cut into tables that fit.
    let wide = [
        "simulate",
        "playbooks/saas_inbound.funnel",
        "--scenario",
        "examples/scenarios/saas_steady_inbound.yaml",
        "--runs",
        "2",
    ];
    let (_, out, _) = funnel(&wide);
    let weekly = |out: &str| -> Vec<String> {
        out.lines()
            .skip_while(|l| !l.starts_with("Leads per stage"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let widest = |lines: &[String]| lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest(&weekly(&out)) > 80);
    let (_, narrow, _) = funnel_with(&wide, None, &[("COLUMNS", "80")]);
    let lines = weekly(&narrow);
    assert!(widest(&lines) <= 80, "{}", lines.join("\n"));
    assert_eq!(lines.iter().filter(|l| l.starts_with("│ week")).count(), 3);
}
