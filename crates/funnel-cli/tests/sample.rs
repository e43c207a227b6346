//! `funnel sample`: the same seed gives byte-identical files, the shipped
//! `examples/data` is exactly what the documented command generates, and
//! the data runs cleanly through the playbook with every stage reached.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{funnel, root};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("funnel-sample-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn shipped_examples_match_the_documented_command() {
    let out = tmp("docs");
    let dir = out.display().to_string();
    let (code, _, err) = funnel(&[
        "sample",
        "playbooks/saas_inbound.funnel",
        "--count",
        "400",
        "--seed",
        "42",
        "--out",
        &dir,
    ]);
    assert_eq!(code, 0, "{err}");
    for f in ["leads.csv", "events.csv"] {
        let made = std::fs::read(out.join(f)).unwrap();
        let shipped = std::fs::read(root().join("examples/data").join(f)).unwrap();
        assert!(
            made == shipped,
            "examples/data/{f} differs from `funnel sample playbooks/saas_inbound.funnel --count 400 --seed 42`"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn same_seed_same_files_other_seed_other_files() {
    let (a, b, c) = (tmp("a"), tmp("b"), tmp("c"));
    for (d, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let dir = d.display().to_string();
        let (code, _, err) = funnel(&[
            "sample",
            "playbooks/saas_inbound.funnel",
            "--count",
            "60",
            "--seed",
            seed,
            "--out",
            &dir,
            "--format",
            "jsonl",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let read = |d: &PathBuf| std::fs::read(d.join("events.jsonl")).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn the_readme_command_reaches_every_stage() {
    let mut args = common::README_RUN.to_vec();
    args.extend(["--format", "json"]);
    let (code, out, err) = funnel(&args);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["input"]["events"]["rejected"], 0);
    for stage in doc["funnel"].as_array().unwrap() {
        assert!(
            stage["leads"].as_u64().unwrap() > 0,
            "no lead reached {stage}"
        );
    }
    for k in doc["kpis"].as_array().unwrap() {
        assert!(!k["total"].is_null(), "KPI {} is undefined", k["name"]);
    }
}
