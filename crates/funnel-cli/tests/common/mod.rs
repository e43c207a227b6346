//! What the CLI's integration tests share: the repository root, fresh
//! scratch directories, and running the built `funnel` binary.

// Each test crate includes this module and uses part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The README's first command: the main job on the shipped sample.
pub const README_RUN: [&str; 6] = [
    "run",
    "playbooks/saas_inbound.funnel",
    "--leads",
    "examples/data/leads.csv",
    "--events",
    "examples/data/events.csv",
];

/// The repository root (playbooks, examples and corpora are relative to it).
pub fn root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf()
}

/// A fresh, empty directory for one test: `name` is unique in its file, the
/// process id keeps parallel test binaries apart.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("funnel-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run `funnel` in `dir`: (exit code, stdout, stderr). Colour and width
/// come from no environment variable, so outputs are the same everywhere.
pub fn funnel_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .expect("run funnel");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `funnel` from the repository root.
pub fn funnel<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    funnel_in(&root(), args)
}

/// The non-blank lines of a corpus file such as `args.txt`, without `#`
/// comment lines; none when the file does not exist.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}
