//! Data as it comes (issue 17, part 2), end to end through `funnel run`:
//! the Segment-format sample (examples/data/segment/, made by its
//! convert.py) and gzip/Zstandard copies of the CSV sample give exactly the
//! CSV sample's results (summary and `--out` files), the input summary
//! counts and lists what the map leaves out, and errors name their place.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::Path;

use common::{funnel, root, scratch, README_RUN};
use serde_json::{json, Value};

/// The Segment sample's arguments (after the playbook).
const SEGMENT: [&str; 6] = [
    "--leads",
    "examples/data/segment/identify.jsonl",
    "--events",
    "examples/data/segment/track.jsonl",
    "--map",
    "examples/data/segment/map.yaml",
];

/// `funnel run saas_inbound --format json --out OUT` with these data
/// arguments: (the JSON summary, the four output files).
fn run(out: &Path, data: &[&str]) -> (Value, Vec<(String, Vec<u8>)>) {
    let mut args = vec!["run", "playbooks/saas_inbound.funnel", "--format", "json"];
    let out_dir = out.display().to_string();
    args.extend(["--out", &out_dir]);
    args.extend(data);
    let (code, stdout, stderr) = funnel(&args);
    assert_eq!(code, 0, "{data:?}: {stderr}");
    let files = ["leads.csv", "transitions.csv", "actions.jsonl", "kpis.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap()))
        .collect();
    (serde_json::from_str(&stdout).unwrap(), files)
}

/// The summary without the files' names and counts (the events replayed
/// and timers fired stay).
fn results(summary: &Value) -> Value {
    let mut v = summary.clone();
    let input = v["input"].as_object_mut().unwrap();
    input.remove("leads");
    input.remove("events");
    v
}

/// The files' names and counts.
fn input(summary: &Value) -> Value {
    json!({"leads": summary["input"]["leads"], "events": summary["input"]["events"]})
}

fn csv_sample(dir: &Path) -> (Value, Vec<(String, Vec<u8>)>) {
    run(&dir.join("csv"), &README_RUN[2..])
}

/// `funnel --error-format json run saas_inbound ARGS`: the exit code and
/// the one error.
fn error(args: &[&str]) -> (i32, Value) {
    let mut all = vec![
        "--error-format",
        "json",
        "run",
        "playbooks/saas_inbound.funnel",
    ];
    all.extend(args);
    let (code, _, stderr) = funnel(&all);
    (code, serde_json::from_str(&stderr).unwrap())
}

#[test]
fn the_segment_sample_gives_the_csv_samples_results() {
    let dir = scratch("as-it-comes-segment");
    let (csv_summary, csv_files) = csv_sample(&dir);
    let (seg_summary, seg_files) = run(&dir.join("seg"), &SEGMENT);
    assert_eq!(results(&seg_summary), results(&csv_summary));
    for ((name, a), (_, b)) in csv_files.iter().zip(&seg_files) {
        assert!(a == b, "{name} differs");
    }
    // 400 first identify calls and 58 out-of-date ones (every 7th lead);
    // 3,037 events plus 6 never-identified page views and 6 `Signed In`.
    assert_eq!(
        input(&seg_summary),
        json!({
            "leads": {"file": "examples/data/segment/identify.jsonl", "read": 458, "used": 458,
                      "rejected": 0, "rejected_by_kind": {}},
            "events": {"file": "examples/data/segment/track.jsonl", "read": 3049, "used": 3037,
                       "rejected": 0, "rejected_by_kind": {},
                       "unmapped": {"Signed In": 6, "[anonymous, never identified]": 6}},
        })
    );
    // The human summary lists them.
    let mut args = vec!["run", "playbooks/saas_inbound.funnel"];
    args.extend(SEGMENT);
    let (code, text, _) = funnel(&args);
    assert_eq!(code, 0);
    assert!(
        text.contains(
            "  events  examples/data/segment/track.jsonl  read 3049, used 3037, rejected 0, unmapped 12\n          unmapped: Signed In: 6, [anonymous, never identified]: 6\n"
        ),
        "{text}"
    );
    // --strict stops at the first unmapped event, naming it: line 253 is the
    // sample's event 251 (0-based 250) and the page view after it; column
    // 17 is where `"event"` starts.
    let mut args = SEGMENT.to_vec();
    args.push("--strict");
    let (code, err) = error(&args);
    assert_eq!(code, 1);
    assert_eq!(
        (
            &err["code"],
            &err["file"],
            &err["line"],
            &err["column"],
            &err["message"]
        ),
        (
            &json!("funnel::data::unmapped"),
            &json!("examples/data/segment/track.jsonl"),
            &json!(253),
            &json!(17),
            &json!("event `Signed In` is neither mapped nor a playbook event (--strict)"),
        )
    );
}

#[test]
fn gzip_and_zstd_inputs_give_identical_results() {
    let dir = scratch("as-it-comes-compressed");
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
    let track = p("track.jsonl.zst");
    let mut args = SEGMENT.to_vec();
    args[3] = &track;
    let (summary, files) = run(&dir.join("out-seg"), &args);
    assert_eq!(results(&summary), results(&csv_summary));
    assert_eq!(files, csv_files);
}

#[test]
fn a_csv_export_runs_with_a_map_and_bad_maps_name_their_line() {
    let dir = scratch("as-it-comes-export");
    // The first two leads of the sample as a CRM would export them.
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
    let p = |f: &str| dir.join(f).display().to_string();
    let (contacts, activities) = (p("contacts.csv"), p("activities.csv"));
    let data = |map: &str| {
        vec![
            "--leads".to_string(),
            contacts.clone(),
            "--events".to_string(),
            activities.clone(),
            "--map".to_string(),
            p(map),
        ]
    };
    let args = data("map.yaml");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (summary, _) = run(&dir.join("out"), &args);
    assert_eq!(
        summary["input"]["leads"]["ignored_columns"],
        json!(["Lifecycle Stage"])
    );
    // 09:30 AM and 02:15 PM in America/New_York (EST, UTC-5).
    let transitions = std::fs::read_to_string(dir.join("out/transitions.csv")).unwrap();
    assert_eq!(
        transitions,
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
    let args = data("bad.yaml");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, err) = error(&args);
    assert_eq!(code, 1);
    assert_eq!(
        (&err["code"], &err["file"], &err["line"], &err["message"], &err["help"]),
        (
            &json!("funnel::data::map_unknown_name"),
            &json!(p("bad.yaml")),
            &json!(3),
            &json!("`url` is not an event field of the playbook"),
            &json!("the playbook has: lead, event, at, path, form, asset, template, amount, kind, reason"),
        )
    );
}
