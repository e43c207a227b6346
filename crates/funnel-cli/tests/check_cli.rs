//! `funnel check` end to end: exit codes, the human summary, JSON and GitHub
//! output, directories, and IO errors.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup is a failed test

mod common;

use common::scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLEAN: &str = "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signup\n}\n";
// `signp` is at line 4, columns 11..16.
const ONE_ERROR: &str = "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signp\n}\n";
// `referral` is declared and never used: one warning.
const ONE_WARNING: &str =
    "playbook \"T\"\nevent signup\nevent referral\nfunnel {\n  Lead on signup\n}\n";

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

#[test]
fn sarif_output_carries_rules_levels_and_regions() {
    let dir = scratch("sarif");
    let p = write(&dir, "bad.funnel", ONE_ERROR);
    let w = write(&dir, "warn.funnel", ONE_WARNING);
    let out = funnel(&[
        "--format",
        "sarif",
        p.to_str().unwrap(),
        w.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "funnel");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "funnel::check::unknown_event",
            "funnel::check::unused_event"
        ]
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let first = &results[0];
    assert_eq!(first["ruleId"], "funnel::check::unknown_event");
    assert_eq!(first["ruleIndex"], 0);
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["message"]["text"],
        "unknown event `signp`; help: did you mean `signup`?"
    );
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        p.display().to_string().replace('\\', "/")
    );
    assert_eq!(
        loc["region"],
        serde_json::json!({"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 16})
    );
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[1]["ruleIndex"], 1);
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn sarif_related_locations_point_at_the_first_definition() {
    let dir = scratch("sarif-dup");
    let src = "playbook \"T\"\nevent signup\nevent signup\nfunnel {\n  Lead on signup\n}\n";
    let p = write(&dir, "dup.funnel", src);
    let out = funnel(&["--format", "sarif", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "funnel::check::duplicate_definition");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn error_format_json_writes_check_diagnostics_as_json_lines() {
    let dir = scratch("error-format");
    let p = write(
        &dir,
        "p.funnel",
        "playbook \"T\"\nevent signup\nfunnel {\n  Lead on signp\n}\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .args(["--error-format", "json", "check", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // `signp` is on line 4, columns 11 to 16.
    assert_eq!(lines.len(), 1, "{err}");
    assert_eq!(lines[0]["code"], "funnel::check::unknown_event");
    assert_eq!(lines[0]["file"], p.to_str().unwrap());
    assert_eq!(
        (
            &lines[0]["line"],
            &lines[0]["column"],
            &lines[0]["end_column"]
        ),
        (
            &serde_json::json!(4),
            &serde_json::json!(11),
            &serde_json::json!(16)
        )
    );
}
