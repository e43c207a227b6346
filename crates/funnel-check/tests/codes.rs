//! Every diagnostic code the checker and the parser can report appears in at
//! least one corpus snapshot, so each one is shown working at least once.

#![allow(clippy::unwrap_used)] // test helpers: a failed read is a failed test

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn codes_in(path: &Path, prefix: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let re = regex::Regex::new(&format!("\"({}[a-z_]+)\"", regex::escape(prefix))).unwrap();
    re.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

#[test]
fn codes_are_covered() {
    let dir = crate_dir();
    let mut codes = codes_in(&dir.join("src/diagnostics.rs"), "funnel::check::");
    assert!(codes.len() >= 40, "found only {} check codes", codes.len());
    let syntax = codes_in(
        &dir.join("../funnel-syntax/src/parser.rs"),
        "funnel::syntax::",
    );
    assert!(syntax.contains("funnel::syntax::unexpected"));
    codes.extend(syntax);
    // A grammar/lowering mismatch is a bug in Funnel; no playbook can cause it.
    codes.remove("funnel::syntax::internal");

    let mut snapshots = String::new();
    for entry in std::fs::read_dir(dir.join("tests/snapshots")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "snap") {
            snapshots.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !snapshots.contains(&format!("{c}\n")))
        .collect();
    assert!(missing.is_empty(), "codes with no corpus case: {missing:?}");
}
