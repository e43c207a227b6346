//! Delivery of outbox entries: marked delivered only after a 2xx, signed,
//! retried with backoff, dead-lettered after the last attempt, requeued by
//! `retry`; and appended to a JSON Lines file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::receiver::Receiver;
use funnel_live::deliver::{dead_letters, retry, signature, Counters, Deliverer, Policy, Target};
use funnel_live::input::{parse, InputFormat};
use funnel_live::{Live, Playbook, Store};
use rand::SeedableRng;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const SECRET: &[u8] = b"hook-secret";

/// A store holding one lead with a content download: a stage change and a
/// "content-thanks" send, both at 2026-03-02 10:00 New York.
fn store_with_two_actions(name: &str) -> Live {
    let source = std::fs::read_to_string(format!("{ROOT}/playbooks/saas_inbound.funnel")).unwrap();
    let pb = Playbook::new(&source, &[]).unwrap();
    let dir = std::env::temp_dir().join(format!("funnel-deliver-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::create(&dir.join("state.db"), 0).unwrap();
    let (mut live, _) = Live::open(store, pb, false).unwrap();
    let leads = parse(
        br#"{"id":"D1","email":"dana@northwind.io","industry":"software","source":"organic"}"#,
        InputFormat::Ndjson,
    )
    .unwrap();
    let events = parse(
        br#"{"lead":"D1","event":"content_download","at":"2026-03-02 10:00","asset":"x"}"#,
        InputFormat::Ndjson,
    )
    .unwrap();
    // 10:30, before "wait 2 days" ends.
    let t = funnel_data::decode::parse_instant("2026-03-02 10:30", chrono_tz::America::New_York)
        .unwrap();
    let rep = live.write(&leads, &events, Some(t), 0).unwrap();
    assert_eq!(rep.actions, 2);
    live
}

fn statuses(live: &Live) -> Vec<(String, String, u32)> {
    let mut q = live
        .store
        .conn
        .prepare("SELECT kind, status, attempts FROM outbox ORDER BY id")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn policy(max_attempts: u32) -> Policy {
    Policy {
        max_attempts,
        base: Duration::from_secs(10),
        cap: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn an_entry_is_delivered_after_a_2xx_only_and_retried_with_backoff() {
    let live = store_with_two_actions("retry");
    // The send fails twice, then succeeds; the stage change succeeds at once.
    let rx = Receiver::start(|hit, n| {
        if hit.body.contains("\"kind\":\"send\"") && n <= 2 {
            503
        } else {
            200
        }
    });
    let target = Target::Webhook {
        url: rx.url.clone(),
        secret: SECRET.to_vec(),
    };
    let counters = Counters::default();
    let mut d = Deliverer::new(target, policy(5), 7);
    let conn = &live.store.conn;
    assert_eq!(d.run_once(conn, 1000, 10, &counters).unwrap(), 2);
    assert_eq!(
        statuses(&live),
        vec![
            ("stage".into(), "delivered".into(), 1),
            ("send".into(), "pending".into(), 1)
        ]
    );
    // The retry waits 5 to 10 s (10 s halved at most by jitter).
    let next: i64 = conn
        .query_row(
            "SELECT next_attempt FROM outbox WHERE kind = 'send'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!((1005..=1010).contains(&next), "{next}");
    assert_eq!(d.run_once(conn, next - 1, 10, &counters).unwrap(), 0);
    assert_eq!(d.run_once(conn, next, 10, &counters).unwrap(), 1);
    let next2: i64 = conn
        .query_row(
            "SELECT next_attempt FROM outbox WHERE kind = 'send'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Second failure: 20 s halved at most.
    assert!((next + 10..=next + 20).contains(&next2), "{next} {next2}");
    assert_eq!(d.run_once(conn, next2, 10, &counters).unwrap(), 1);
    assert_eq!(statuses(&live)[1], ("send".into(), "delivered".into(), 3));
    assert_eq!(d.run_once(conn, next2 + 1000, 10, &counters).unwrap(), 0);

    let hits = rx.hits();
    assert_eq!(hits.len(), 4);
    // Every request is signed over its timestamp and body, and carries the
    // outbox key, the same on every retry.
    for h in &hits {
        let t: i64 = h
            .signature
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("t=")
            .parse()
            .unwrap();
        assert_eq!(h.signature, signature(SECRET, t, &h.body));
        let v: serde_json::Value = serde_json::from_str(&h.body).unwrap();
        assert_eq!(v["key"], h.key.as_str());
    }
    assert_eq!(hits[1].key, hits[2].key);
    assert_eq!(hits[2].key, hits[3].key);
    let send: serde_json::Value = serde_json::from_str(&hits[3].body).unwrap();
    assert_eq!(send["template"], "content-thanks");
    assert_eq!(send["at"], "2026-03-02T10:00:00-05:00");
    assert_eq!(send["nurture"], "content_followup");
    assert_eq!(
        counters
            .delivered
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    assert_eq!(
        counters.retries.load(std::sync::atomic::Ordering::Relaxed),
        2
    );
}

#[test]
fn an_entry_that_never_gets_a_2xx_becomes_a_dead_letter_and_can_be_requeued() {
    let mut live = store_with_two_actions("dead");
    let rx = Receiver::start(|_, _| 500);
    let target = Target::Webhook {
        url: rx.url.clone(),
        secret: SECRET.to_vec(),
    };
    let counters = Counters::default();
    let mut d = Deliverer::new(target, policy(2), 1);
    d.run_once(&live.store.conn, 0, 10, &counters).unwrap();
    d.run_once(&live.store.conn, 10_000, 10, &counters).unwrap();
    assert_eq!(
        statuses(&live),
        vec![
            ("stage".into(), "dead".into(), 2),
            ("send".into(), "dead".into(), 2)
        ]
    );
    let dead = dead_letters(&live.store.conn).unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].lead, "D1");
    assert_eq!(dead[0].error, "the receiver answered HTTP 500");
    // Nothing is due any more.
    assert_eq!(
        d.run_once(&live.store.conn, 99_999, 10, &counters).unwrap(),
        0
    );
    let key = dead[1].key.clone();
    assert_eq!(retry(&mut live.store.conn, &[key]).unwrap(), 1);
    assert_eq!(statuses(&live)[1], ("send".into(), "pending".into(), 0));
    let e = retry(&mut live.store.conn, &["nope".into()]).unwrap_err();
    assert_eq!(
        e.message,
        "no dead letter or skipped action has the key `nope`"
    );
    assert_eq!(retry(&mut live.store.conn, &[]).unwrap(), 1);
    assert_eq!(rx.hits().len(), 4);
}

#[test]
fn a_jsonl_target_appends_one_line_per_entry() {
    let live = store_with_two_actions("jsonl");
    let path = std::env::temp_dir().join(format!("funnel-deliver-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut d = Deliverer::new(Target::Jsonl { path: path.clone() }, Policy::default(), 1);
    let counters = Counters::default();
    assert_eq!(d.run_once(&live.store.conn, 0, 10, &counters).unwrap(), 2);
    let text = std::fs::read_to_string(&path).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, vec!["stage", "send"]);
    assert_eq!(d.run_once(&live.store.conn, 0, 10, &counters).unwrap(), 0);
}

#[test]
fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
    let p = policy(10);
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    for (attempts, full) in [(1, 10.0), (2, 20.0), (3, 40.0), (4, 60.0), (9, 60.0)] {
        for _ in 0..50 {
            let d = p.backoff(attempts, &mut rng).as_secs_f64();
            assert!(d >= full / 2.0 && d <= full, "{attempts}: {d}");
        }
    }
}

#[test]
fn delivery_specs_are_read_or_refused_with_what_to_write() {
    assert_eq!(
        Target::parse("jsonl=out.jsonl", None).unwrap(),
        Target::Jsonl {
            path: "out.jsonl".into()
        }
    );
    assert_eq!(
        Target::parse("webhook=ftp://x", Some(vec![1]))
            .unwrap_err()
            .message,
        "`ftp://x` is not an http(s) URL"
    );
    assert_eq!(
        Target::parse("webhook=http://127.0.0.1:9/h", None)
            .unwrap_err()
            .message,
        "a webhook needs a signing secret"
    );
    assert_eq!(
        Target::parse("kafka", None).unwrap_err().message,
        "bad `--deliver kafka`"
    );
}
