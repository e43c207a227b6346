//! Data as it comes (issue 17, part 2), end to end through `funnel run`:
//! the Segment-format sample (examples/data/segment/, made by its
//! convert.py) and gzip/Zstandard copies of the CSV sample give exactly the
//! CSV sample's results (summary and `--out` files), and the input summary
//! counts and lists what the map leaves out.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("funnel-as-it-comes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `funnel run saas_inbound` with these arguments, writing to `out/`:
/// (stdout, the four output files).
fn run(out: &Path, args: &[&str]) -> (String, Vec<(String, Vec<u8>)>) {
    let o = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(root())
        .args([
            "run",
            "playbooks/saas_inbound.funnel",
            "--format",
            "json",
            "--out",
        ])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let files = ["leads.csv", "transitions.csv", "actions.jsonl", "kpis.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap()))
        .collect();
    (String::from_utf8(o.stdout).unwrap(), files)
}

/// The JSON summary without the files' names and counts (the events
/// replayed and timers fired stay).
fn results(summary: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(summary).unwrap();
    let input = v["input"].as_object_mut().unwrap();
    input.remove("leads");
    input.remove("events");
    v
}

/// The files' names and counts.
fn input(summary: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(summary).unwrap();
    serde_json::json!({"leads": v["input"]["leads"], "events": v["input"]["events"]})
}

fn csv_sample(dir: &Path) -> (String, Vec<(String, Vec<u8>)>) {
    run(
        &dir.join("csv"),
        &[
            "--leads",
            "examples/data/leads.csv",
            "--events",
            "examples/data/events.csv",
        ],
    )
}

#[test]
fn the_segment_sample_gives_the_csv_samples_results() {
    let dir = tmp("segment");
    let (csv_summary, csv_files) = csv_sample(&dir);
    let (seg_summary, seg_files) = run(
        &dir.join("seg"),
        &[
            "--leads",
            "examples/data/segment/identify.jsonl",
            "--events",
            "examples/data/segment/track.jsonl",
            "--map",
            "examples/data/segment/map.yaml",
        ],
    );
    assert_eq!(results(&seg_summary), results(&csv_summary));
    for ((name, a), (_, b)) in csv_files.iter().zip(&seg_files) {
        assert!(a == b, "{name} differs");
    }
    // 400 first identify calls and 58 out-of-date ones (every 7th lead);
    // 3,037 events plus 6 never-identified page views and 6 `Signed In`.
    assert_eq!(
        input(&seg_summary),
        serde_json::json!({
            "leads": {"file": "examples/data/segment/identify.jsonl", "read": 458, "used": 458,
                      "rejected": 0, "rejected_by_kind": {}},
            "events": {"file": "examples/data/segment/track.jsonl", "read": 3049, "used": 3037,
                       "rejected": 0, "rejected_by_kind": {},
                       "unmapped": {"Signed In": 6, "[anonymous, never identified]": 6}},
        })
    );
    // The human summary lists them.
    let o = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(root())
        .args([
            "run",
            "playbooks/saas_inbound.funnel",
            "--leads",
            "examples/data/segment/identify.jsonl",
            "--events",
            "examples/data/segment/track.jsonl",
            "--map",
            "examples/data/segment/map.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains(
            "  events  examples/data/segment/track.jsonl  read 3049, used 3037, rejected 0, unmapped 12\n          unmapped: Signed In: 6, [anonymous, never identified]: 6\n"
        ),
        "{text}"
    );
    // --strict stops at the first unmapped event, naming it.
    let o = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(root())
        .args([
            "--error-format",
            "json",
            "run",
            "playbooks/saas_inbound.funnel",
            "--leads",
            "examples/data/segment/identify.jsonl",
            "--events",
            "examples/data/segment/track.jsonl",
            "--map",
            "examples/data/segment/map.yaml",
            "--strict",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    // Line 253: the sample's event 251 (0-based 250) and the page view after it;
    // column 17 is where `"event"` starts.
    assert_eq!(
        (
            &err["code"],
            &err["file"],
            &err["line"],
            &err["column"],
            &err["message"]
        ),
        (
            &serde_json::json!("funnel::data::unmapped"),
            &serde_json::json!("examples/data/segment/track.jsonl"),
            &serde_json::json!(253),
            &serde_json::json!(17),
            &serde_json::json!(
                "event `Signed In` is neither mapped nor a playbook event (--strict)"
            ),
        )
    );
}

#[test]
fn gzip_and_zstd_inputs_give_identical_results() {
    let dir = tmp("compressed");
    let (csv_summary, csv_files) = csv_sample(&dir);
    let root = root();
    let leads = std::fs::read(root.join("examples/data/leads.csv")).unwrap();
    let events = std::fs::read(root.join("examples/data/events.csv")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&events).unwrap();
    std::fs::write(dir.join("events.csv.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(
        dir.join("leads.csv.zst"),
        zstd::stream::encode_all(&leads[..], 3).unwrap(),
    )
    .unwrap();
    let seg = std::fs::read(root.join("examples/data/segment/track.jsonl")).unwrap();
    std::fs::write(
        dir.join("track.jsonl.zst"),
        zstd::stream::encode_all(&seg[..], 3).unwrap(),
    )
    .unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    let (summary, files) = run(
        &dir.join("out-gz"),
        &[
            "--leads",
            &p("leads.csv.zst"),
            "--events",
            &p("events.csv.gz"),
        ],
    );
    assert_eq!(results(&summary), results(&csv_summary));
    assert_eq!(files, csv_files);
    let i = input(&summary);
    assert_eq!(
        (i["leads"]["read"].as_u64(), i["events"]["read"].as_u64()),
        (Some(400), Some(3037))
    );
    // A compressed Segment file is told by its first decompressed line.
    let (summary, files) = run(
        &dir.join("out-seg"),
        &[
            "--leads",
            "examples/data/segment/identify.jsonl",
            "--events",
            &p("track.jsonl.zst"),
            "--map",
            "examples/data/segment/map.yaml",
        ],
    );
    assert_eq!(results(&summary), results(&csv_summary));
    assert_eq!(files, csv_files);
}

#[test]
fn a_csv_export_runs_with_a_map_and_bad_maps_name_their_line() {
    let dir = tmp("export");
    // The first three leads of the sample as a CRM would export them.
    std::fs::write(
        dir.join("contacts.csv"),
        "Record ID,Email,Job Title,Company Name,Industry,Original Source,Lifecycle Stage\n\
         L0001,nia.rossi@yahoo.com,Marketing Manager,Northscale,education,organic,lead\n\
         L0002,raj.nowak@riverloop.com,Sales Operations Manager,Riverloop,fintech,referral,lead\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("activities.csv"),
        "Contact ID,Activity,Activity Date,Page URL\n\
         L0001,Page View,03/02/2026 09:30 AM,/pricing\n\
         L0002,Demo Request,03/03/2026 02:15 PM,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("map.yaml"),
        "leads:\n  fields:\n    Record ID: id\n    Email: email\n    Job Title: title\n    Company Name: company\n    Industry: industry\n    Original Source: source\nevents:\n  names:\n    Page View: page_view\n    Demo Request: demo_request\n  fields:\n    Contact ID: lead\n    Activity: event\n    Activity Date: at\n    Page URL: path\n  formats:\n    at: \"%m/%d/%Y %I:%M %p\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(root())
        .args([
            "run",
            "playbooks/saas_inbound.funnel",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.join("out"))
        .arg("--leads")
        .arg(dir.join("contacts.csv"))
        .arg("--events")
        .arg(dir.join("activities.csv"))
        .arg("--map")
        .arg(dir.join("map.yaml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        input(&summary)["leads"]["ignored_columns"],
        serde_json::json!(["Lifecycle Stage"])
    );
    // 09:30 AM and 02:15 PM in America/New_York (EST, UTC-5).
    let actions = std::fs::read_to_string(dir.join("out/transitions.csv")).unwrap();
    assert_eq!(
        actions,
        "lead,from,to,at,reason\n\
         L0001,,Lead,2026-03-02T09:30:00-05:00,on any event\n\
         L0002,,Lead,2026-03-03T14:15:00-05:00,on any event\n"
    );

    // A map naming a field the playbook lacks: the map's file and line.
    std::fs::write(
        dir.join("bad.yaml"),
        "events:\n  fields:\n    Page URL: url\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .current_dir(root())
        .args([
            "--error-format",
            "json",
            "run",
            "playbooks/saas_inbound.funnel",
        ])
        .arg("--leads")
        .arg(dir.join("contacts.csv"))
        .arg("--events")
        .arg(dir.join("activities.csv"))
        .arg("--map")
        .arg(dir.join("bad.yaml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    let bad = dir.join("bad.yaml").display().to_string();
    assert_eq!(
        (&err["code"], &err["file"], &err["line"], &err["message"], &err["help"]),
        (
            &serde_json::json!("funnel::data::map_unknown_name"),
            &serde_json::json!(bad),
            &serde_json::json!(3),
            &serde_json::json!("`url` is not an event field of the playbook"),
            &serde_json::json!("the playbook has: lead, event, at, path, form, asset, template, amount, kind, reason"),
        )
    );
}
