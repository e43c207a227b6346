//! The order of `transitions.csv` and `actions.jsonl` (docs/data.md): time
//! order, and at the same instant by lead in the leads file's order, for any
//! number of threads. The case is `tests/run/tie_order/`, worked by hand in
//! its playbook's comments.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn records_at_the_same_instant_follow_the_leads_file() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/run/tie_order");
    for threads in ["1", "2", "3"] {
        let out = std::env::temp_dir().join(format!("funnel-tie-order-{threads}"));
        let _ = std::fs::remove_dir_all(&out);
        let status = Command::new(env!("CARGO_BIN_EXE_funnel"))
            .current_dir(&case)
            .args(["run", "playbook.funnel", "--leads", "leads.csv"])
            .args(["--events", "events.csv", "--as-of", "2026-03-05"])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .output()
            .expect("run funnel");
        assert!(status.status.success(), "{threads} threads");
        let transitions = std::fs::read_to_string(out.join("transitions.csv")).unwrap();
        let rows: Vec<&str> = transitions.lines().collect();
        assert_eq!(
            rows,
            [
                "lead,from,to,at,reason",
                "z,,Lead,2026-03-01T09:00:00+00:00,on signup",
                "y,,Lead,2026-03-01T09:00:00+00:00,on signup",
                "x,,Lead,2026-03-01T09:00:00+00:00,on signup",
                "y,Lead,SQL,2026-03-02T12:00:00+00:00,on demo_request",
                "x,Lead,SQL,2026-03-02T12:00:00+00:00,on demo_request",
            ],
            "{threads} threads"
        );
        let actions = std::fs::read_to_string(out.join("actions.jsonl")).unwrap();
        let sends: Vec<(String, String)> = actions
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["lead"].to_string(), v["at"].to_string())
            })
            .collect();
        let at = "\"2026-03-03T09:00:00+00:00\"".to_string();
        assert_eq!(
            sends,
            [
                ("\"z\"".to_string(), at.clone()),
                ("\"y\"".to_string(), at.clone()),
                ("\"x\"".to_string(), at),
            ],
            "{threads} threads"
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}
