//! The `tests/run/<case>/` corpus: each case holds `playbook.funnel`,
//! `leads.csv`, `events.csv`, optionally `args.txt` (extra arguments, one
//! per line) and `explain.txt` (lead ids to explain, one per line). The
//! harness runs `funnel run --out` in the case directory, twice, checks the
//! two runs are byte-identical, and snapshots the summary and every output
//! file (and the explanations) into `tests/run/<case>/output.snap`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{funnel_in as funnel, lines};
use std::path::{Path, PathBuf};

const FILES: [&str; 4] = ["leads.csv", "transitions.csv", "actions.jsonl", "kpis.json"];

fn run_once(dir: &Path, extra: &[String], out: &Path) -> (String, Vec<String>) {
    let _ = std::fs::remove_dir_all(out);
    let mut args: Vec<String> = [
        "run",
        "playbook.funnel",
        "--leads",
        "leads.csv",
        "--events",
        "events.csv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().cloned());
    args.push("--out".into());
    args.push(out.display().to_string());
    let (code, stdout, stderr) = funnel(dir, &args);
    assert_eq!(code, 0, "funnel run failed in {}:\n{stderr}", dir.display());
    let files = FILES
        .iter()
        .map(|f| std::fs::read_to_string(out.join(f)).expect("output file"))
        .collect();
    (stdout, files)
}

#[test]
fn run_cases() {
    insta::glob!("../../../tests/run", "*/playbook.funnel", |path| {
        let dir: PathBuf = path.parent().expect("case dir").to_path_buf();
        let case = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let extra = lines(&dir.join("args.txt"));
        let tmp = std::env::temp_dir().join(format!("funnel-run-{}-{case}", std::process::id()));
        let (summary, files) = run_once(&dir, &extra, &tmp.join("a"));
        let (summary2, files2) = run_once(&dir, &extra, &tmp.join("b"));
        assert_eq!(
            summary, summary2,
            "{case}: two runs printed different summaries"
        );
        assert_eq!(files, files2, "{case}: two runs wrote different files");
        let mut snap = format!(
            "$ funnel run playbook.funnel --leads leads.csv --events events.csv {}",
            extra.join(" ")
        )
        .trim_end()
        .to_string();
        snap.push('\n');
        snap.push_str(&summary);
        for (name, text) in FILES.iter().zip(&files) {
            snap.push_str(&format!("\n---- {name}\n{text}"));
        }
        for id in lines(&dir.join("explain.txt")) {
            let mut args: Vec<String> = [
                "explain",
                "playbook.funnel",
                "--leads",
                "leads.csv",
                "--events",
                "events.csv",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.extend(extra.iter().cloned());
            args.push(id.clone());
            let (code, stdout, stderr) = funnel(&dir, &args);
            assert_eq!(code, 0, "{case}: explain {id} failed:\n{stderr}");
            snap.push_str(&format!("\n---- explain {id}\n{stdout}"));
        }
        let _ = std::fs::remove_dir_all(&tmp);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.set_input_file(path);
        settings.bind(|| insta::assert_snapshot!("output", snap));
    });
}
