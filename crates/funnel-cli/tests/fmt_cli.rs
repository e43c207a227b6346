//! `funnel fmt` end to end: the built binary on temporary copies of
//! playbooks, asserting exit codes, the summary, diffs and rewritten files.
#![allow(clippy::unwrap_used)] // test helpers: a failed setup is a failed test

mod common;

use common::scratch;
use std::path::Path;
use std::process::{Command, Output};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn funnel(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MESSY: &str = "kpi a=1\nkpi long_name = a*2 # doubled\n";
const TIDY: &str = "kpi a         = 1\nkpi long_name = a * 2  # doubled\n";

#[test]
fn check_prints_a_diff_writes_nothing_and_exits_1() {
    let dir = scratch("check");
    write(&dir.join("k.funnel"), MESSY);
    let out = funnel(&dir, &["fmt", "--check", "k.funnel"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "--- k.funnel\n+++ k.funnel\n@@ -1,2 +1,2 @@\n-kpi a=1\n-kpi long_name = a*2 # doubled\n\
         +kpi a         = 1\n+kpi long_name = a * 2  # doubled\n"
    );
    assert_eq!(stderr(&out), "1 file checked, 1 would be reformatted\n");
    assert_eq!(read(&dir.join("k.funnel")), MESSY);
}

#[test]
fn fmt_rewrites_in_place_then_has_nothing_to_do() {
    let dir = scratch("rewrite");
    write(&dir.join("k.funnel"), MESSY);
    let out = funnel(&dir, &["fmt", "k.funnel"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "1 file checked, 1 reformatted\n");
    assert_eq!(read(&dir.join("k.funnel")), TIDY);

    let again = funnel(&dir, &["fmt", "k.funnel"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stderr(&again), "1 file checked, 0 reformatted\n");
    let check = funnel(&dir, &["fmt", "--check", "k.funnel"]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(stdout(&check), "");
    assert_eq!(stderr(&check), "1 file checked, 0 would be reformatted\n");
}

#[test]
fn directories_are_searched_recursively_for_funnel_files() {
    let dir = scratch("walk");
    write(&dir.join("a.funnel"), TIDY);
    write(&dir.join("nested/deeper/b.funnel"), MESSY);
    write(&dir.join("nested/notes.txt"), "kpi a=1\n");
    write(&dir.join(".hidden/c.funnel"), MESSY);
    // The default path is the current directory.
    let out = funnel(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "2 files checked, 1 reformatted\n");
    assert_eq!(read(&dir.join("nested/deeper/b.funnel")), TIDY);
    assert_eq!(read(&dir.join("nested/notes.txt")), "kpi a=1\n");
    assert_eq!(read(&dir.join(".hidden/c.funnel")), MESSY);
}

#[test]
fn syntax_errors_name_the_place_and_exit_2_while_other_files_are_formatted() {
    let dir = scratch("syntax");
    write(&dir.join("bad.funnel"), "playbook \"x\"\nkpi = 1\n");
    write(&dir.join("good.funnel"), MESSY);
    let out = funnel(&dir, &["fmt", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "funnel::syntax::unexpected\n\n  × unexpected `=`\n   ╭─[./bad.funnel:2:5]\n 1 │ playbook \"x\"\n 2 │ kpi = 1\n   ·     ┬\n   ·     ╰── not expected here\n   ╰────\n  help: expected a name\n"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("2 files checked, 1 reformatted, 1 with errors\n"),
        "{err}"
    );
    assert_eq!(read(&dir.join("bad.funnel")), "playbook \"x\"\nkpi = 1\n");
    assert_eq!(read(&dir.join("good.funnel")), TIDY);
}

#[test]
fn missing_paths_and_empty_directories_exit_2() {
    let dir = scratch("missing");
    let out = funnel(&dir, &["fmt", "nope.funnel"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "funnel::cli::unreadable\n\n  × cannot read `nope.funnel`: no such file or directory\n"
        ),
        "{}",
        stderr(&out)
    );
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let out = funnel(&dir, &["fmt", "--check", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .starts_with("funnel::cli::no_playbooks\n\n  × no `.funnel` files in `empty`\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_repository_playbooks_format_and_then_check_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = scratch("repo");
    let mut n = 0;
    for sub in ["playbooks", "examples", "tests/fmt"] {
        let Ok(entries) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "funnel") {
                let name = format!(
                    "{}-{}",
                    sub.replace('/', "-"),
                    p.file_name().unwrap().to_string_lossy()
                );
                std::fs::copy(&p, dir.join(name)).unwrap();
                n += 1;
            }
        }
    }
    assert!(n >= 8);
    let out = funnel(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!("{n} files checked, ")),
        "{}",
        stderr(&out)
    );
    let check = funnel(&dir, &["fmt", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(
        stderr(&check),
        format!("{n} files checked, 0 would be reformatted\n")
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_to_directories_are_not_followed() {
    let dir = scratch("symlink");
    write(&dir.join("sub/a.funnel"), MESSY);
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    let out = funnel(&dir, &["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "1 file checked, 1 would be reformatted\n");
}

/// The checked program of every repository playbook is the same before and
/// after formatting (spans aside), and so are the diagnostics' codes and
/// messages.
#[test]
fn formatting_keeps_the_checked_program() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut n = 0;
    for sub in ["playbooks", "examples", "tests/fmt", "tests/check/ok"] {
        let Ok(entries) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "funnel") {
                continue;
            }
            let src = read(&p);
            let out = funnel_syntax::fmt::format(&src).unwrap();
            let (a, b) = (
                funnel_check::check_source(&src),
                funnel_check::check_source(&out),
            );
            let said = |c: &funnel_check::Checked| -> Vec<(String, String)> {
                let d = c.diagnostics.iter();
                d.map(|d| (d.code.to_string(), d.message.clone())).collect()
            };
            assert_eq!(said(&a), said(&b), "{}", p.display());
            let program = |c: &funnel_check::Checked| {
                funnel_syntax::fmt::erase_spans(&format!("{:?}", c.program))
            };
            assert_eq!(program(&a), program(&b), "{}", p.display());
            n += 1;
        }
    }
    assert!(n >= 8);
}
