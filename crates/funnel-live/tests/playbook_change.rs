//! A new playbook on a state file: refused when its plan against the stored
//! history shows changes, unless accepted; on acceptance the state is
//! rebuilt, the past is not re-sent (new records for instants already
//! stepped past are `skipped`), delivered keys are never delivered again,
//! and an edit that changes nothing opens without a question.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::Duration;

use funnel_live::deliver::{Counters, Deliverer, Policy, Target};
use funnel_live::input::{parse, InputFormat};
use funnel_live::{Live, Playbook, Store};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn source() -> String {
    std::fs::read_to_string(format!("{ROOT}/playbooks/saas_inbound.funnel")).unwrap()
}

fn t(s: &str) -> i64 {
    funnel_data::decode::parse_instant(s, chrono_tz::America::New_York).unwrap()
}

/// The shipped sample ingested up to 2026-06-01 and every action delivered.
fn delivered_store(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("funnel-change-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let store = Store::create(&path, 0).unwrap();
    store.relax_sync().unwrap();
    let (mut live, _) = Live::open(store, Playbook::new(&source(), &[]).unwrap(), false).unwrap();
    let leads = std::fs::read(format!("{ROOT}/examples/data/leads.csv")).unwrap();
    let events = std::fs::read(format!("{ROOT}/examples/data/events.csv")).unwrap();
    let leads = parse(&leads, InputFormat::Csv).unwrap();
    let events = parse(&events, InputFormat::Csv).unwrap();
    live.write(&leads, &events, Some(t("2026-06-01 00:00")), 0)
        .unwrap();
    let mut d = Deliverer::new(
        Target::Jsonl {
            path: dir.join("out.jsonl"),
        },
        Policy {
            timeout: Duration::from_secs(5),
            ..Policy::default()
        },
        1,
    );
    while d
        .run_once(&live.store.conn, 0, 1000, &Counters::default())
        .unwrap()
        > 0
    {}
    path
}

fn outbox(live: &Live) -> HashMap<String, (String, i64, String)> {
    let mut q = live
        .store
        .conn
        .prepare("SELECT key, status, at, payload FROM outbox")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_changed_playbook_is_refused_then_accepted_without_resending_the_past() {
    let path = delivered_store("send");
    let before = {
        let (live, _) = Live::open(
            Store::open(&path).unwrap(),
            Playbook::new(&source(), &[]).unwrap(),
            false,
        )
        .unwrap();
        outbox(&live)
    };
    assert!(before.values().all(|(s, _, _)| s == "delivered"));
    let demos = before
        .values()
        .filter(|(_, _, p)| p.contains("\"template\":\"book-a-demo\""))
        .count();
    assert!(demos > 10, "{demos}");

    let changed = source().replace("\"book-a-demo\"", "\"book-a-demo-v2\"");
    let new = || Playbook::new(&changed, &[]).unwrap();
    let err = Live::open(Store::open(&path).unwrap(), new(), false)
        .err()
        .unwrap();
    assert!(
        err.message
            .starts_with("the playbook differs from the one the state was built with"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains(&format!(
            "send book-a-demo: {demos} -> 0 (0 added, {demos} removed, 0 moved)"
        )),
        "{}",
        err.message
    );
    assert!(
        err.message.contains(&format!(
            "send book-a-demo-v2: 0 -> {demos} ({demos} added, 0 removed, 0 moved)"
        )),
        "{}",
        err.message
    );
    // Refused: nothing changed.
    let (live, _) = Live::open(
        Store::open(&path).unwrap(),
        Playbook::new(&source(), &[]).unwrap(),
        false,
    )
    .unwrap();
    assert_eq!(outbox(&live), before);
    drop(live);

    let (mut live, change) = Live::open(Store::open(&path).unwrap(), new(), true).unwrap();
    let change = change.unwrap();
    assert_eq!(change.report.replayed_leads, 400);
    let after = outbox(&live);
    for (key, (status, _, payload)) in &after {
        match before.get(key) {
            // Delivered before: delivered still, or obsolete when the new
            // playbook no longer makes it; never pending again.
            Some(_) if payload.contains("\"template\":\"book-a-demo\"") => {
                assert_eq!(status, "obsolete")
            }
            Some(_) => assert_eq!(status, "delivered"),
            // New for the past: recorded, not delivered.
            None => {
                assert_eq!(status, "skipped");
                assert!(
                    payload.contains("\"template\":\"book-a-demo-v2\""),
                    "{payload}"
                );
            }
        }
    }
    assert_eq!(after.len(), before.len() + demos);
    // Time goes on: only what is due after the change is pending.
    let rep = live.advance(t("2026-06-20 00:00"), 0).unwrap();
    assert!(rep.actions > 0);
    for (key, (status, at, _)) in outbox(&live) {
        if status == "pending" {
            assert!(at > t("2026-06-01 00:00"), "{key} at {at}");
            assert!(!before.contains_key(&key));
        }
    }
}

#[test]
fn an_edit_that_changes_nothing_opens_without_a_question() {
    let path = delivered_store("comment");
    let edited = format!("# a comment added in review\n{}", source());
    let (live, change) = Live::open(
        Store::open(&path).unwrap(),
        Playbook::new(&edited, &[]).unwrap(),
        false,
    )
    .unwrap();
    let change = change.unwrap();
    assert!(
        change.report.changes.is_empty(),
        "{:?}",
        change.report.changes.first()
    );
    assert_eq!(change.report.actions, 0);
    assert!(outbox(&live).values().all(|(s, _, _)| s == "delivered"));
    drop(live);
    // The edited text is now the one in force: it opens at once.
    let (_, change) = Live::open(
        Store::open(&path).unwrap(),
        Playbook::new(&edited, &[]).unwrap(),
        false,
    )
    .unwrap();
    assert!(change.is_none());
}
