//! `funnel sample` follows the playbook's own funnel: for every shipped
//! playbook and example, 300 sampled leads replayed with `funnel run
//! --coverage` reach every stage (lost ones too) and exercise at least 90%
//! of the rules, stage triggers, nurture steps and branches. The snapshot
//! holds each playbook's funnel (reached / now) and coverage, so a change to
//! the generator shows its effect in review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{funnel, root};

/// `--input NAME=VALUE` for every input the playbook declares without a default.
fn inputs(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.strip_prefix("input "))
        .filter(|l| !l.contains('='))
        .filter_map(|l| {
            let (name, ty) = l.split_once(':')?;
            let value = match ty.trim() {
                "money" => "250000",
                "percent" => "10%",
                "text" => "x",
                _ => "5",
            };
            Some(format!("{}={value}", name.trim()))
        })
        .collect()
}

fn playbooks() -> Vec<String> {
    let mut all = Vec::new();
    for dir in ["playbooks", "examples"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "funnel") {
                all.push(format!(
                    "{dir}/{}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn sampled_leads_reach_every_stage_of_every_shipped_playbook() {
    let mut report = String::new();
    let mut failures = Vec::new();
    for pb in playbooks() {
        let dir = std::env::temp_dir().join(format!(
            "funnel-sample-fit-{}-{}",
            std::process::id(),
            pb.replace('/', "_")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let d = dir.display().to_string();
        let (code, _, err) = funnel(&["sample", &pb, "--count", "300", "--out", &d]);
        assert_eq!(code, 0, "{pb}: {err}");
        let leads = format!("{d}/leads.csv");
        let events = format!("{d}/events.csv");
        let text = std::fs::read_to_string(root().join(&pb)).unwrap();
        let mut args: Vec<String> = [
            "run",
            &pb,
            "--leads",
            &leads,
            "--events",
            &events,
            "--coverage",
            "--format",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for i in inputs(&text) {
            args.push("--input".into());
            args.push(i);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = funnel(&refs);
        assert_eq!(code, 0, "{pb}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["input"]["events"]["rejected"], 0, "{pb}");
        report.push_str(&format!(
            "{pb}: {} events\n",
            doc["input"]["events"]["read"]
        ));
        for s in doc["funnel"].as_array().unwrap() {
            let reached = s["leads"].as_u64().unwrap();
            report.push_str(&format!(
                "  {:<14} reached {:>3}  now {:>3}\n",
                s["stage"].as_str().unwrap(),
                reached,
                s["now"].as_u64().unwrap()
            ));
            if reached == 0 {
                failures.push(format!("{pb}: no lead reached {}", s["stage"]));
            }
        }
        let cov = err.lines().next().unwrap_or("");
        let pct: f64 = cov
            .split(": ")
            .nth(1)
            .and_then(|s| s.split('%').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0);
        report.push_str(&format!("  {}\n", cov.replace(&format!("of {pb}: "), "")));
        if pct < 90.0 {
            failures.push(format!("{pb}: {err}"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}\n\n{report}", failures.join("\n"));
    insta::assert_snapshot!(report);
}
