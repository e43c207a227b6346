//! Crash safety of live mode, effectively once: `funnel serve` streaming
//! the shipped sample to a local receiver is killed with SIGKILL at random
//! points at least 100 times and restarted each time; `funnel ingest` is
//! killed mid-file over and over, then finishes. At the end: no row lost or
//! stored twice, the state's actions are exactly those of one batch ingest
//! (= `funnel run`), every one of them reached the receiver at least once
//! (zero lost), each key counts once after dedupe, and the raw duplicates
//! (deliveries repeated because a kill came between the receiver's 2xx and
//! the mark) are reported.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../../funnel-live/tests/common/receiver.rs"]
mod receiver;

mod common;

use common::scratch as tempdir;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use receiver::Receiver;

const FUNNEL: &str = env!("CARGO_BIN_EXE_funnel");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const AS_OF: &str = "2026-07-01 00:00";

fn playbook() -> String {
    format!("{ROOT}/playbooks/saas_inbound.funnel")
}

fn funnel(args: &[&str]) -> std::process::Output {
    Command::new(FUNNEL).args(args).output().unwrap()
}

fn init(state: &Path) {
    let out = funnel(&["live", "init", "--state", state.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Outbox key -> status.
fn outbox(state: &Path) -> HashMap<String, String> {
    let conn = rusqlite::Connection::open(state).unwrap();
    let mut q = conn.prepare("SELECT key, status FROM outbox").unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn live_set(o: &HashMap<String, String>) -> BTreeSet<String> {
    o.iter()
        .filter(|(_, s)| matches!(s.as_str(), "pending" | "delivered" | "dead"))
        .map(|(k, _)| k.clone())
        .collect()
}

fn rows(state: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(state).unwrap();
    let n = |t: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    (n("leads"), n("events"))
}

/// The actions of one uninterrupted ingest of the whole sample.
fn expected(name: &str) -> BTreeSet<String> {
    let dir = tempdir(&format!("expected-{name}"));
    let state = dir.join("state.db");
    init(&state);
    let out = funnel(&[
        "ingest",
        &playbook(),
        "--state",
        state.to_str().unwrap(),
        "--leads",
        &format!("{ROOT}/examples/data/leads.csv"),
        "--events",
        &format!("{ROOT}/examples/data/events.csv"),
        "--as-of",
        AS_OF,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let set = live_set(&outbox(&state));
    assert!(set.len() > 500, "{}", set.len());
    let _ = std::fs::remove_dir_all(&dir);
    set
}

/// Received keys: unique, and the raw count.
fn dedupe(keys: impl Iterator<Item = String>) -> (BTreeSet<String>, usize) {
    let mut raw = 0;
    let mut set = BTreeSet::new();
    for k in keys {
        raw += 1;
        set.insert(k);
    }
    (set, raw)
}

/// Zero lost, nothing extra but what late data withdrew after delivery.
fn check_delivered(
    what: &str,
    expected: &BTreeSet<String>,
    state: &Path,
    received: BTreeSet<String>,
    raw: usize,
) {
    let o = outbox(state);
    assert_eq!(
        &live_set(&o),
        expected,
        "{what}: the state's actions differ from one batch ingest"
    );
    let lost: Vec<&String> = expected.difference(&received).collect();
    assert!(
        lost.is_empty(),
        "{what}: {} actions never reached the receiver",
        lost.len()
    );
    let extra: Vec<&String> = received.difference(expected).collect();
    // An action the receiver has but the final state does not produce was
    // withdrawn by a late event after it went out: `obsolete` when its
    // delivery was recorded first, `retracted` when the server was killed
    // between the receiver's 2xx and recording it (at least once: the
    // receiver's key dedupes it).
    for k in &extra {
        let status = o.get(*k).map(String::as_str);
        assert!(
            matches!(status, Some("obsolete" | "retracted")),
            "{what}: {k} delivered but unknown ({status:?})"
        );
    }
    assert!(
        o.values().all(|s| s != "pending"),
        "{what}: actions left pending"
    );
    println!(
        "{what}: {} actions expected, {} delivered (0 lost), {} raw deliveries, {} raw duplicates, {} delivered then withdrawn by late events",
        expected.len(),
        received.len(),
        raw,
        raw - received.len(),
        extra.len()
    );
}

struct Server {
    child: Child,
    base: String,
}

fn start(state: &Path, dir: &Path, hook: &str) -> Server {
    let mut child = Command::new(FUNNEL)
        .args([
            "serve",
            &playbook(),
            "--state",
            state.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--now",
            AS_OF,
            "--token-file",
            dir.join("token").to_str().unwrap(),
            "--deliver",
            &format!("webhook={hook}"),
            "--secret-file",
            dir.join("secret").to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server did not start");
    let base = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    Server { child, base }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// POST a batch; `true` once the server answered 200.
fn post(agent: &ureq::Agent, base: &str, path: &str, key: &str, body: &str) -> bool {
    let resp = agent
        .post(format!("{base}{path}"))
        .header("Authorization", "Bearer crash-token")
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/x-ndjson")
        .send(body);
    match resp {
        Ok(r) if r.status().as_u16() == 200 => true,
        Ok(r) => panic!("{path} {key}: HTTP {}", r.status()),
        Err(_) => false,
    }
}

/// CSV file rows as NDJSON lines.
fn ndjson(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/examples/data/{file}")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let mut m = serde_json::Map::new();
            for (k, v) in header.iter().zip(l.split(',')) {
                if !v.is_empty() {
                    m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
                }
            }
            serde_json::Value::Object(m).to_string()
        })
        .collect()
}

#[test]
fn serve_killed_at_random_points_loses_nothing_and_delivers_each_key_effectively_once() {
    let expected = expected("serve");
    let dir = tempdir("serve");
    let state = dir.join("state.db");
    init(&state);
    std::fs::write(dir.join("token"), "crash-token\n").unwrap();
    std::fs::write(dir.join("secret"), "crash-secret\n").unwrap();
    // One first attempt in 25 fails: retries happen too.
    let rx = Receiver::start(|hit, n| {
        let b = hit.key.as_bytes().first().copied().unwrap_or(0);
        if n == 1 && b % 25 == 0 {
            503
        } else {
            200
        }
    });
    let mut batches: Vec<(String, String, String)> = Vec::new();
    for (i, chunk) in ndjson("leads.csv").chunks(100).enumerate() {
        batches.push(("/v1/leads".into(), format!("leads-{i}"), chunk.join("\n")));
    }
    for (i, chunk) in ndjson("events.csv").chunks(60).enumerate() {
        batches.push(("/v1/events".into(), format!("events-{i}"), chunk.join("\n")));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let agent = agent();
    let started = Instant::now();
    let (mut next, mut kills) = (0, 0);
    loop {
        let mut s = start(&state, &dir, &rx.url);
        let done = next == batches.len();
        if done && kills >= 100 {
            // Let the last server drain the outbox, then kill it too.
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let pending = outbox(&state).values().filter(|v| *v == "pending").count();
                if pending == 0 || Instant::now() > deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            s.child.kill().unwrap();
            s.child.wait().unwrap();
            break;
        }
        // A few batches (the in-flight one is resent after the restart with
        // the same Idempotency-Key), then a kill after a random pause.
        let k = rng.random_range(0..3);
        let sender = {
            let (agent, base) = (agent.clone(), s.base.clone());
            let todo: Vec<_> = batches[next..(next + k).min(batches.len())].to_vec();
            std::thread::spawn(move || {
                let mut ok = 0;
                for (path, key, body) in todo {
                    if !post(&agent, &base, &path, &key, &body) {
                        break;
                    }
                    ok += 1;
                }
                ok
            })
        };
        std::thread::sleep(Duration::from_millis(rng.random_range(0..120)));
        s.child.kill().unwrap();
        s.child.wait().unwrap();
        kills += 1;
        next += sender.join().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the harness took too long"
        );
    }
    assert!(kills >= 100);
    assert_eq!(rows(&state), (400, 3037));
    let (received, raw) = dedupe(rx.hits().into_iter().map(|h| h.key));
    println!("serve: {kills} kills");
    check_delivered("serve", &expected, &state, received, raw);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ingest_killed_mid_file_loses_nothing_and_delivers_each_key_effectively_once() {
    let expected = expected("ingest");
    let dir = tempdir("ingest");
    let state = dir.join("state.db");
    let sink = dir.join("actions.jsonl");
    init(&state);
    let args: Vec<String> = vec![
        "ingest".into(),
        playbook(),
        "--state".into(),
        state.display().to_string(),
        "--leads".into(),
        format!("{ROOT}/examples/data/leads.csv"),
        "--events".into(),
        format!("{ROOT}/examples/data/events.csv"),
        "--as-of".into(),
        AS_OF.into(),
        "--chunk".into(),
        "250".into(),
        "--deliver".into(),
        format!("jsonl={}", sink.display()),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut kills = 0;
    for _ in 0..30 {
        let mut child = Command::new(FUNNEL)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Each run applies only what is new, so later runs are short: the
        // kill comes early enough to land mid-file on a fast machine too.
        std::thread::sleep(Duration::from_millis(rng.random_range(5..400)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    let out = Command::new(FUNNEL).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(kills >= 3, "only {kills} runs were killed midway");
    assert_eq!(rows(&state), (400, 3037));
    let text = std::fs::read_to_string(&sink).unwrap();
    let (received, raw) = dedupe(text.lines().map(|l| {
        let v: serde_json::Value = serde_json::from_str(l).expect("a whole line");
        v["key"].as_str().unwrap().to_string()
    }));
    println!("ingest: {kills} kills");
    check_delivered("ingest", &expected, &state, received, raw);
    let _ = std::fs::remove_dir_all(&dir);
}
