//! Stream = batch: ingesting events in random batches (one batch, 7, 100,
//! every event alone), in order and with late events, gives the same
//! per-lead stages, scores, KPIs and the same set of actions as one
//! `funnel run` over all of them. On the shipped sample and on data the
//! sample generator makes for another playbook.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use funnel_data::sample::{write_sample, SampleFormat, SampleOptions};
use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::display::stage_name;
use funnel_engine::trace::ActionDetail;
use funnel_engine::{Dataset, Outcome, RunOptions};
use funnel_live::input::{parse, InputFormat, RawRow, RowError};
use funnel_live::keys::action_key;
use funnel_live::{Live, Playbook, Store};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

struct Case {
    pb: Playbook,
    leads: Vec<u8>,
    events: Vec<u8>,
}

fn shipped() -> Case {
    let source = std::fs::read_to_string(format!("{ROOT}/playbooks/saas_inbound.funnel")).unwrap();
    Case {
        pb: Playbook::new(&source, &[]).unwrap(),
        leads: std::fs::read(format!("{ROOT}/examples/data/leads.csv")).unwrap(),
        events: std::fs::read(format!("{ROOT}/examples/data/events.csv")).unwrap(),
    }
}

fn generated() -> Case {
    let source =
        std::fs::read_to_string(format!("{ROOT}/playbooks/webinar_nurture.funnel")).unwrap();
    let pb = Playbook::new(&source, &[]).unwrap();
    let (mut leads, mut events) = (Vec::new(), Vec::new());
    let opts = SampleOptions {
        leads: 120,
        seed: 11,
        start: 1_767_225_600, // 2026-01-01
        days: 60,
    };
    write_sample(
        &pb.compiled,
        &opts,
        SampleFormat::Csv,
        &mut leads,
        &mut events,
    )
    .unwrap();
    Case { pb, leads, events }
}

/// One `funnel run` over all the data, and its action keys.
fn batch(case: &Case, as_of: i64) -> (Dataset, Outcome, BTreeSet<String>) {
    let c = &case.pb.compiled;
    let mut ds = Dataset::new(c);
    ds.read_leads(c, &case.leads[..], "leads.csv", Format::Csv, BadRows::Error)
        .unwrap();
    ds.read_events(
        c,
        &case.events[..],
        "events.csv",
        Format::Csv,
        BadRows::Error,
    )
    .unwrap();
    let opts = RunOptions {
        as_of: Some(as_of),
        ..RunOptions::default()
    };
    let o = funnel_engine::run(c, &ds, &opts, &mut |_, _| {});
    let mut keys = BTreeSet::new();
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut nth = |parts: String| {
        let n = seen.entry(parts).or_insert(0);
        *n += 1;
        *n
    };
    for t in &o.transitions {
        let id = &ds.leads.ids[t.lead as usize];
        let to = stage_name(c, t.to);
        let n = nth(format!("{id}|stage|{to}|{}", t.at));
        keys.insert(action_key(id, "stage", "", to, t.at, n));
    }
    for a in &o.actions {
        let id = &ds.leads.ids[a.lead as usize];
        let nurture = &c.nurtures[a.nurture as usize].name;
        let target = match &a.detail {
            ActionDetail::Send(t) => ds.texts.resolve(*t).to_string(),
            ActionDetail::Notify { channel, .. } => ds.texts.resolve(*channel).to_string(),
            ActionDetail::Set { field, .. } => c.lead_fields[*field as usize].name.clone(),
        };
        let kind = a.detail.kind();
        let n = nth(format!("{id}|{kind}|{nurture}|{target}|{}", a.at));
        keys.insert(action_key(id, kind, nurture, &target, a.at, n));
    }
    (ds, o, keys)
}

/// The event rows cut into `n` random batches (`n == 0`: every row alone);
/// with `late`, about one row in twenty arrives one to three batches late.
fn batches(
    rows: Vec<Result<RawRow, RowError>>,
    n: usize,
    late: bool,
    seed: u64,
) -> Vec<Vec<Result<RawRow, RowError>>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let len = rows.len();
    let n = if n == 0 { len } else { n.min(len) };
    let mut cuts: Vec<usize> = if n == len {
        (1..len).collect()
    } else {
        let mut all: Vec<usize> = (1..len).collect();
        all.shuffle(&mut rng);
        all.truncate(n - 1);
        all.sort_unstable();
        all
    };
    cuts.push(len);
    let mut out: Vec<Vec<Result<RawRow, RowError>>> = Vec::new();
    let mut from = 0;
    for to in cuts {
        out.push(rows[from..to].to_vec());
        from = to;
    }
    if late && out.len() > 1 {
        let count = out.len();
        let mut moved = Vec::new();
        for (b, batch) in out.iter_mut().enumerate() {
            let mut keep = Vec::new();
            for r in batch.drain(..) {
                if b + 1 < count && rng.random_range(0..20) == 0 {
                    let to = (b + rng.random_range(1..=3)).min(count - 1);
                    moved.push((to, r));
                } else {
                    keep.push(r);
                }
            }
            *batch = keep;
        }
        for (to, r) in moved {
            out[to].push(r);
        }
    }
    out
}

fn instant(r: &Result<RawRow, RowError>, pb: &Playbook) -> i64 {
    let at = &r.as_ref().unwrap().cells["at"];
    funnel_data::decode::parse_instant(at, pb.compiled.tz).unwrap()
}

/// Ingest `case` in `n` batches and compare with the batch run.
fn stream_equals_batch(case: Case, n: usize, late: bool, seed: u64) {
    let last = parse(&case.events, InputFormat::Csv)
        .unwrap()
        .iter()
        .map(|r| instant(r, &case.pb))
        .max()
        .unwrap();
    let as_of = last + 10 * 86_400;
    let (ds, o, keys) = batch(&case, as_of);
    assert!(keys.len() > 100, "{} action keys", keys.len());

    let dir = tempdir();
    let path = dir.join("state.db");
    let store = Store::create(&path, 0).unwrap();
    store.relax_sync().unwrap();
    let leads = parse(&case.leads, InputFormat::Csv).unwrap();
    let events = parse(&case.events, InputFormat::Csv).unwrap();
    let pb = Playbook::new(&case.pb.source, &[]).unwrap();
    let (mut live, _) = Live::open(store, pb, false).unwrap();
    let first = events.iter().map(|r| instant(r, &live.pb)).min().unwrap();
    let rep = live.write(&leads, &[], Some(first - 1), 0).unwrap();
    assert_eq!(rep.leads.added, ds.leads.len());
    let mut late_events = 0;
    let mut seen = i64::MIN;
    let parts = batches(events, n, late, seed);
    for part in &parts {
        // The clock is the newest instant seen so far.
        seen = seen.max(
            part.iter()
                .map(|r| instant(r, &live.pb))
                .max()
                .unwrap_or(seen),
        );
        let rep = live.write(&[], part, Some(seen), 0).unwrap();
        assert!(rep.rejected.is_empty(), "{:?}", rep.rejected);
        assert_eq!(rep.events.added, part.len());
        late_events += rep.late_events;
    }
    live.advance(as_of, 0).unwrap();
    if late {
        assert!(late_events > 0, "no event arrived late");
    } else {
        assert_eq!(late_events, 0);
    }

    // Per-lead stages and scores.
    let c = &live.pb.compiled;
    let ns = c.scores.len();
    let conn = &live.store.conn;
    let mut q = conn
        .prepare(
            "SELECT l.id, s.stage, s.scores FROM leads l LEFT JOIN lead_state s ON s.lead = l.no",
        )
        .unwrap();
    let rows: Vec<(String, Option<String>, Option<String>)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), ds.leads.len());
    for (id, stage, scores) in rows {
        let l = *ds.leads.index.get(id.as_str()).unwrap() as usize;
        let want = stage_name(c, o.stage[l]);
        assert_eq!(stage.as_deref().unwrap_or(""), want, "stage of {id}");
        let scores: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(scores.as_deref().unwrap_or("{}")).unwrap();
        for (i, s) in c.scores.iter().enumerate() {
            let got = scores.get(&s.name).and_then(|v| v.as_f64());
            let want = o.scores[l * ns + i];
            // Leads never replayed (no events) keep their initial scores.
            assert_eq!(got.unwrap_or(s.initial()), want, "{} of {id}", s.name);
        }
    }

    // The same actions (stage changes included), none twice.
    let mut q = conn
        .prepare("SELECT key FROM outbox WHERE status IN ('pending', 'delivered', 'dead')")
        .unwrap();
    let live_keys: Vec<String> = q
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let set: BTreeSet<String> = live_keys.iter().cloned().collect();
    assert_eq!(set.len(), live_keys.len());
    assert_eq!(set.len(), keys.len());
    assert!(set == keys, "the action sets differ");

    // KPIs, as `GET /v1/kpis` computes them.
    let got = funnel_live::whole::kpis_json(conn, &live.pb, as_of).unwrap();
    assert_eq!(got, funnel_data::output::kpis_json(c, &o));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let base = std::env::var_os("CARGO_TARGET_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = base.join(format!("funnel-live-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn shipped_sample_in_one_batch() {
    stream_equals_batch(shipped(), 1, false, 1);
}

#[test]
fn shipped_sample_in_7_batches_in_order_and_late() {
    stream_equals_batch(shipped(), 7, false, 2);
    stream_equals_batch(shipped(), 7, true, 3);
}

#[test]
fn shipped_sample_in_100_batches_in_order_and_late() {
    stream_equals_batch(shipped(), 100, false, 4);
    stream_equals_batch(shipped(), 100, true, 5);
}

#[test]
fn shipped_sample_every_event_alone_in_order_and_late() {
    stream_equals_batch(shipped(), 0, false, 6);
    stream_equals_batch(shipped(), 0, true, 7);
}

#[test]
fn generated_data_in_1_7_and_100_batches() {
    stream_equals_batch(generated(), 1, false, 8);
    stream_equals_batch(generated(), 7, true, 9);
    stream_equals_batch(generated(), 100, true, 10);
}
