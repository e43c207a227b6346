//! Every playbook in the repository's `playbooks/` and `examples/` checks
//! without errors (warnings are allowed).

#![allow(clippy::unwrap_used)] // test helpers: a failed read is a failed test

use std::path::{Path, PathBuf};

use funnel_check::render::render_human;

fn funnel_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            funnel_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "funnel") {
            out.push(path);
        }
    }
}

#[test]
fn playbooks_and_examples_check_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    funnel_files(&root.join("playbooks"), &mut files);
    funnel_files(&root.join("examples"), &mut files);
    files.sort();
    let mut failures = String::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let checked = funnel_check::check_source(&text);
        if checked.errors() > 0 {
            let name = path.display().to_string();
            failures.push_str(&render_human(&checked.diagnostics, &name, &text, false));
        }
    }
    assert!(failures.is_empty(), "playbooks with errors:\n{failures}");
}
