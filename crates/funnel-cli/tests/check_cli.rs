//! `funnel check` end to end: exit codes, the human summary, JSON and GitHub
//! output, directories, and IO errors.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLEAN: &str = "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signup\n}\n";
// `signp` is at line 4, columns 11..16.
const ONE_ERROR: &str = "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signp\n}\n";
// `referral` is declared and never used: one warning.
const ONE_WARNING: &str =
    "playbook \"T\"\nevent signup\nevent referral\nfunnel {\n  Lead on signup\n}\n";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("funnel-check-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn funnel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_funnel"))
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn clean_playbook_exits_zero_with_a_summary() {
    let dir = scratch("clean");
    let p = write(&dir, "ok.funnel", CLEAN);
    let out = funnel(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "checked 1 file: 0 errors, 0 warnings\n");
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn errors_exit_one_and_are_rendered() {
    let dir = scratch("errors");
    let p = write(&dir, "bad.funnel", ONE_ERROR);
    let out = funnel(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("funnel::check::unknown_event"), "{err}");
    assert!(err.contains("unknown event `signp`"), "{err}");
    assert!(err.contains("bad.funnel:4:11"), "{err}");
    assert!(err.contains("help: did you mean `signup`?"), "{err}");
    assert!(
        err.ends_with("checked 1 file: 1 error, 0 warnings\n"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no colour when not a terminal: {err}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = scratch("warnings");
    let p = write(&dir, "warn.funnel", ONE_WARNING);
    let out = funnel(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).ends_with("checked 1 file: 0 errors, 1 warning\n"));
    let denied = funnel(&["--deny-warnings", p.to_str().unwrap()]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn missing_path_exits_two_naming_it() {
    let dir = scratch("missing");
    let p = dir.join("nope.funnel");
    let out = funnel(&[p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("cannot read `{}`", p.display())),
        "{err}"
    );
    assert!(err.contains("check the path"), "{err}");
}

#[test]
fn directory_without_playbooks_exits_two() {
    let dir = scratch("empty");
    let out = funnel(&[dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no `.funnel` files"));
}

#[test]
fn json_output_is_exact() {
    let dir = scratch("json");
    let p = write(&dir, "bad.funnel", ONE_ERROR);
    let path = p.display().to_string();
    let out = funnel(&["--format", "json", &path]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = serde_json::json!({
        "version": 1,
        "files": [{
            "path": path,
            "diagnostics": [{
                "file": path,
                "line": 4, "column": 11, "end_line": 4, "end_column": 16,
                "severity": "error",
                "code": "funnel::check::unknown_event",
                "message": "unknown event `signp`",
                "help": "did you mean `signup`?",
                "labels": [{
                    "line": 4, "column": 11, "end_line": 4, "end_column": 16,
                    "text": "no event has this name"
                }]
            }]
        }],
        "summary": { "files": 1, "errors": 1, "warnings": 0 }
    });
    assert_eq!(doc, expected);
}

#[test]
fn github_output_is_exact() {
    let dir = scratch("github");
    let p = write(&dir, "bad.funnel", ONE_ERROR);
    let w = write(&dir, "warn.funnel", ONE_WARNING);
    let out = funnel(&[
        "--format",
        "github",
        p.to_str().unwrap(),
        w.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let expected = format!(
        "::error file={},line=4,col=11,endLine=4,endColumn=16,title=funnel%3A%3Acheck%3A%3Aunknown_event::unknown event `signp`\n\
         ::warning file={},line=3,col=7,endLine=3,endColumn=15,title=funnel%3A%3Acheck%3A%3Aunused_event::event `referral` is never used\n",
        p.display(),
        w.display()
    );
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn directories_are_searched_recursively_in_sorted_order() {
    let dir = scratch("tree");
    write(&dir, "b/second.funnel", ONE_WARNING);
    write(&dir, "a/deep/first.funnel", CLEAN);
    write(&dir, "a/notes.txt", "not a playbook");
    write(&dir, ".hidden/skip.funnel", ONE_ERROR);
    let out = funnel(&["--format", "json", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<String> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        vec![
            dir.join("a/deep/first.funnel").display().to_string(),
            dir.join("b/second.funnel").display().to_string(),
        ]
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({"files": 2, "errors": 0, "warnings": 1})
    );
}

#[test]
fn repository_playbooks_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = funnel(&[
        root.join("playbooks").to_str().unwrap(),
        root.join("examples").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
