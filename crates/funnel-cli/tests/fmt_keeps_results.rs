//! A formatter must never change results (issue 12, finding 4). For every
//! corpus playbook (`playbooks/`, `examples/`, `tests/run/*/`), the same
//! data is run under the playbook as written, under a copy with its layout
//! disturbed (comment and blank lines added at the top and doubled blank
//! lines, so every step moves to another line), and under `funnel fmt` of
//! that copy. The summaries and output files must be the same apart from
//! the source lines actions cite (`step_line`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::root;
use std::path::{Path, PathBuf};
use std::process::Command;

fn funnel(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run funnel");
    assert!(
        out.status.success(),
        "funnel {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const FILES: [&str; 4] = ["leads.csv", "transitions.csv", "actions.jsonl", "kpis.json"];

/// The run's summary and output files, with `"step_line":N` blanked.
fn run(dir: &Path, playbook: &str, extra: &[String], out: &str) -> Vec<String> {
    let mut args = vec![
        "run",
        playbook,
        "--leads",
        "leads.csv",
        "--events",
        "events.csv",
        "--out",
        out,
    ];
    args.extend(extra.iter().map(String::as_str));
    // The summary names the output directory; that is the one difference
    // the three runs are meant to have.
    let mut all = vec![funnel(dir, &args).replace(out, "OUT")];
    for f in FILES {
        let text = std::fs::read_to_string(dir.join(out).join(f)).expect("output file");
        all.push(blank_lines(&text));
    }
    all
}

fn blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("\"step_line\":") {
        let (head, tail) = rest.split_at(i + "\"step_line\":".len());
        out.push_str(head);
        out.push('_');
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// The playbook with every step on another line: a comment and blank lines
/// on top, and each blank line doubled.
fn disturbed(text: &str) -> String {
    format!("# moved\n\n\n{}", text.replace("\n\n", "\n\n\n"))
}

fn check_case(name: &str, playbook: &Path, data: Option<&Path>, extra: &[String]) {
    let tmp = std::env::temp_dir().join(format!("funnel-fmtrun-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let text = std::fs::read_to_string(playbook).unwrap();
    std::fs::write(tmp.join("a.funnel"), &text).unwrap();
    std::fs::write(tmp.join("b.funnel"), disturbed(&text)).unwrap();
    std::fs::write(tmp.join("c.funnel"), disturbed(&text)).unwrap();
    funnel(&tmp, &["fmt", "c.funnel"]);
    assert_ne!(
        std::fs::read_to_string(tmp.join("c.funnel")).unwrap(),
        disturbed(&text)
    );
    match data {
        Some(dir) => {
            for f in ["leads.csv", "events.csv"] {
                std::fs::copy(dir.join(f), tmp.join(f)).unwrap();
            }
        }
        None => {
            funnel(
                &tmp,
                &[
                    "sample",
                    "--playbook",
                    "a.funnel",
                    "--leads",
                    "150",
                    "--seed",
                    "3",
                ],
            );
        }
    }
    let mut extra = extra.to_vec();
    if data.is_none() {
        extra.extend(inputs(&text));
    }
    let extra = &extra[..];
    let a = run(&tmp, "a.funnel", extra, "out-a");
    let b = run(&tmp, "b.funnel", extra, "out-b");
    let c = run(&tmp, "c.funnel", extra, "out-c");
    let _ = std::fs::remove_dir_all(&tmp);
    same(name, "moving lines", &a, &b);
    same(name, "`funnel fmt`", &a, &c);
}

/// Equal outputs, or a failure naming the first line that differs.
fn same(name: &str, what: &str, a: &[String], b: &[String]) {
    let labels = ["summary"].into_iter().chain(FILES);
    for ((label, x), y) in labels.zip(a).zip(b) {
        if x != y {
            let first = x.lines().zip(y.lines()).find(|(p, q)| p != q);
            panic!("{name}: {what} changed {label}; first difference: {first:?}");
        }
    }
}

/// `--input NAME=VALUE` for every input of the playbook, a value of its type.
fn inputs(text: &str) -> Vec<String> {
    let program = funnel_check::check_source(text)
        .program
        .expect("a valid playbook");
    let mut args = Vec::new();
    for i in &program.hir.inputs {
        let value = match i.ty.ty {
            funnel_check::Ty::Money => "$5000",
            funnel_check::Ty::Percent => "10%",
            funnel_check::Ty::Duration => "3 days",
            _ => "10",
        };
        args.push("--input".to_string());
        args.push(format!("{}={value}", i.name));
    }
    args
}

fn funnel_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "funnel"))
        .collect();
    v.sort();
    v
}

#[test]
fn fmt_keeps_the_results_of_every_corpus_playbook() {
    let root = root();
    let mut seen = 0;
    for dir in ["playbooks", "examples"] {
        for p in funnel_files(&root.join(dir)) {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            check_case(&name, &p, None, &[]);
            seen += 1;
        }
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("tests/run"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let extra = common::lines(&case.join("args.txt"));
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        check_case(&name, &case.join("playbook.funnel"), Some(&case), &extra);
        seen += 1;
    }
    assert!(seen >= 17, "only {seen} corpus playbooks");
}
