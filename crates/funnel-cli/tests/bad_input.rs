//! Bad input to `funnel run` and `funnel explain`: each problem is a clear
//! message naming the file, line and column, exit code 1 (2 for usage), and
//! nothing is silently dropped. Also: JSON Lines and YAML read the same data
//! as CSV, and `--on-bad-row skip` counts what it skips.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

const PLAYBOOK: &str = r#"playbook "Bad input"
lead {
  email    text
  industry one of software | retail
}
event visit { page: text }
event deal  { amount: money }
funnel {
  Lead on any event
  Customer on deal
}
input spend: money
kpi revenue = sum(deal.amount)
kpi cac = spend / count(entered Customer)
"#;

const LEADS: &str = "id,email,industry\nL1,a@x.io,software\nL2,b@x.io,retail\n";
const EVENTS: &str = "lead,event,at,page,amount\n\
L1,visit,2026-03-02 09:00,/pricing,\n\
L2,deal,2026-03-03 10:00,,$5000\n\
L1,deal,2026-03-04T10:00:00Z,,2500.50\n";

struct Case {
    dir: PathBuf,
}

impl Case {
    fn new(name: &str, leads: &str, events: &str) -> Case {
        let dir = std::env::temp_dir().join(format!("funnel-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("p.funnel"), PLAYBOOK).unwrap();
        std::fs::write(dir.join("leads.csv"), leads).unwrap();
        std::fs::write(dir.join("events.csv"), events).unwrap();
        Case { dir }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.join(name), text).unwrap();
    }

    fn funnel(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_funnel"))
            .current_dir(&self.dir)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn run(&self, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "run",
            "p.funnel",
            "--leads",
            "leads.csv",
            "--events",
            "events.csv",
        ];
        if !extra.iter().any(|a| a.starts_with("--leads")) {
            args.extend(["--input", "spend=$1000"]);
        }
        args.extend(extra);
        self.funnel(&args)
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn good_data_runs() {
    let c = Case::new("good", LEADS, EVENTS);
    let (code, out, err) = c.run(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("read 3, used 3, rejected 0"), "{out}");
    assert!(out.contains("$7,500.50"), "{out}");
    assert!(out.contains("$500"), "{out}"); // cac: $1000 / 2 customers
}

#[test]
fn malformed_row_names_file_and_line() {
    let events = format!("{EVENTS}L1,visit,2026-03-05 09:00,/a,,extra\n");
    let c = Case::new("malformed", LEADS, &events);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("events.csv:5"), "{err}");
    assert!(
        err.contains("the row has 6 cells but the header has 5"),
        "{err}"
    );
}

#[test]
fn unknown_column_names_column_and_file() {
    let c = Case::new(
        "unknown-col",
        "id,email,industry,phone\nL1,a@x.io,software,123\n",
        EVENTS,
    );
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("funnel::data::unknown_column\n\n  × "),
        "{err}"
    );
    assert!(err.contains("unknown column `phone`"), "{err}");
    // `phone` is the 4th cell, starting at the 19th character of line 1.
    assert!(err.contains("[leads.csv:1:19]"), "{err}");
    assert!(err.contains("column 4, `phone`"), "{err}");
}

#[test]
fn bad_date_names_line_and_column() {
    let events = "lead,event,at,page,amount\nL1,visit,2026-02-30 09:00,/a,\n";
    let c = Case::new("bad-date", LEADS, events);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("funnel::data::bad_value\n\n  × "), "{err}");
    // The 3rd cell starts at the 10th character: the row is shown, the cell underlined.
    assert!(err.contains("[events.csv:2:10]"), "{err}");
    assert!(
        err.contains(" 2 │ L1,visit,2026-02-30 09:00,/a,\n"),
        "{err}"
    );
    assert!(err.contains("column 3, `at`"), "{err}");
    assert!(err.contains("bad value in column `at`"), "{err}");
    assert!(
        err.contains("`2026-02-30 09:00` is not a date-time"),
        "{err}"
    );
}

#[test]
fn bad_value_names_the_declared_type() {
    let c = Case::new("bad-enum", "id,email,industry\nL1,a@x.io,mining\n", EVENTS);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[leads.csv:2:11]"), "{err}");
    assert!(
        err.contains("`mining` is not one of software | retail"),
        "{err}"
    );
}

#[test]
fn unknown_event_type_is_an_error() {
    let events = format!("{EVENTS}L1,webinar,2026-03-05 09:00,,\n");
    let c = Case::new("unknown-event", LEADS, &events);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("funnel::data::unknown_event\n\n  × "), "{err}");
    assert!(err.contains("unknown event type `webinar`"), "{err}");
    assert!(err.contains("[events.csv:5:4]"), "{err}");
}

#[test]
fn event_for_unknown_lead_is_an_error() {
    let events = format!("{EVENTS}L9,visit,2026-03-05 09:00,/a,\n");
    let c = Case::new("unknown-lead", LEADS, &events);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("event for unknown lead `L9`"), "{err}");
    assert!(err.contains("events.csv:5:1"), "{err}");
}

#[test]
fn empty_files_are_errors() {
    let c = Case::new("empty", "", EVENTS);
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the file is empty") && err.contains("leads.csv"),
        "{err}"
    );
    let c = Case::new("header-only", LEADS, "lead,event,at\n");
    let (code, _, err) = c.run(&[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("events.csv: the file has no events")
            || err.contains("the file has no events"),
        "{err}"
    );
    assert!(err.contains("events.csv"), "{err}");
}

#[test]
fn skip_counts_every_rejected_row_per_kind() {
    let events = format!(
        "{EVENTS}L9,visit,2026-03-05 09:00,/a,\nL1,webinar,2026-03-05 09:00,,\n\
         L1,visit,yesterday,/a,\nL1,visit,2026-03-05 09:00,/a\n"
    );
    let c = Case::new("skip", LEADS, &events);
    let (code, out, err) = c.run(&["--on-bad-row", "skip"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("read 7, used 3, rejected 4"), "{out}");
    assert!(out.contains("bad value: 2"), "{out}");
    assert!(out.contains("unknown event type: 1"), "{out}");
    assert!(out.contains("unknown lead: 1"), "{out}");
}

#[test]
fn missing_input_is_a_usage_error() {
    let c = Case::new("no-input", LEADS, EVENTS);
    let (code, _, err) = c.funnel(&[
        "run",
        "p.funnel",
        "--leads",
        "leads.csv",
        "--events",
        "events.csv",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing input `spend` (money)"), "{err}");
    assert!(err.contains("--input spend=VALUE"), "{err}");
}

#[test]
fn explain_suggests_a_near_lead_id() {
    let c = Case::new("explain", LEADS, EVENTS);
    let (code, _, err) = c.funnel(&[
        "explain",
        "p.funnel",
        "--leads",
        "leads.csv",
        "--events",
        "events.csv",
        "--input",
        "spend=1000",
        "L11",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no lead `L11`"), "{err}");
    assert!(err.contains("did you mean `L1`?"), "{err}");
}

#[test]
fn jsonl_and_yaml_read_like_csv() {
    let c = Case::new("formats", LEADS, EVENTS);
    c.write(
        "leads.jsonl",
        "{\"id\":\"L1\",\"email\":\"a@x.io\",\"industry\":\"software\"}\n\
         {\"id\":\"L2\",\"email\":\"b@x.io\",\"industry\":\"retail\"}\n",
    );
    c.write(
        "events.yaml",
        "- lead: L1\n  event: visit\n  at: 2026-03-02 09:00\n  page: /pricing\n\
         - lead: L2\n  event: deal\n  at: 2026-03-03 10:00\n  amount: 5000\n\
         - lead: L1\n  event: deal\n  at: 2026-03-04T10:00:00Z\n  amount: 2500.50\n",
    );
    let (code, csv_out, err) = c.run(&[]);
    assert_eq!(code, 0, "{err}");
    let (code, other, err) = c.funnel(&[
        "run",
        "p.funnel",
        "--leads",
        "leads.jsonl",
        "--events",
        "events.yaml",
        "--input",
        "spend=$1000",
    ]);
    assert_eq!(code, 0, "{err}");
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.contains(".csv") && !l.contains(".jsonl") && !l.contains(".yaml"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&csv_out), body(&other));
    c.write(
        "bad.jsonl",
        "{\"id\":\"L1\",\"email\":\"a@x.io\",\"industry\":\"software\",\"x\":1}\n",
    );
    let (code, _, err) = c.funnel(&[
        "run",
        "p.funnel",
        "--leads",
        "bad.jsonl",
        "--events",
        "events.yaml",
        "--input",
        "spend=1",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("unknown column `x`") && err.contains("bad.jsonl:1"),
        "{err}"
    );
}

#[test]
fn error_format_json_writes_each_problem_as_one_json_line() {
    let events = "lead,event,at,page,amount\nL1,visit,2026-02-30 09:00,/a,\n";
    let c = Case::new("json-errors", LEADS, events);
    let (code, _, err) = c.run(&["--error-format", "json"]);
    assert_eq!(code, 1, "{err}");
    // Every line is a JSON object: the playbook's warning, then the data error.
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines[0]["code"], "funnel::check::unused_event");
    assert_eq!(lines[0]["severity"], "warning");
    // The 3rd cell, `2026-02-30 09:00`, spans characters 10 to 26 of line 2.
    let want = serde_json::json!({
        "file": "events.csv",
        "line": 2, "column": 10, "end_line": 2, "end_column": 26,
        "severity": "error",
        "code": "funnel::data::bad_value",
        "message": "bad value in column `at`: `2026-02-30 09:00` is not a date-time (write `2026-03-02 09:00` or RFC 3339 `2026-03-02T09:00:00Z`)",
        "help": null,
        "labels": [{ "line": 2, "column": 10, "end_line": 2, "end_column": 26, "text": "column 3, `at`" }],
    });
    assert_eq!(lines.last(), Some(&want));
}

#[test]
fn error_format_json_covers_problems_without_a_file_line() {
    let c = Case::new("json-missing", LEADS, EVENTS);
    let (code, _, err) = c.funnel(&[
        "--error-format",
        "json",
        "run",
        "p.funnel",
        "--leads",
        "nope.csv",
        "--events",
        "events.csv",
        "--input",
        "spend=$1000",
    ]);
    assert_eq!(code, 2, "{err}");
    let last: serde_json::Value = serde_json::from_str(err.lines().last().unwrap()).unwrap();
    assert_eq!(
        last,
        serde_json::json!({
            "file": null,
            "severity": "error",
            "code": "funnel::data::unreadable",
            "message": "cannot read `nope.csv`: no such file or directory",
            "help": "check the path; it must name a readable data file",
            "labels": [],
        })
    );
}
