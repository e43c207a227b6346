//! A full disk or a read-only state file is a clean error, never a
//! half-written transaction: the write that failed left no row, state or
//! outbox entry behind, and the same write succeeds once there is room.
//! A full disk is made with `PRAGMA max_page_count` (SQLite then fails the
//! way it does on a full disk, `SQLITE_FULL`); a read-only file with
//! `PRAGMA query_only` (`SQLITE_READONLY`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use funnel_live::input::{parse, InputFormat};
use funnel_live::{Live, Playbook, Store};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn live(name: &str) -> Live {
    let source = std::fs::read_to_string(format!("{ROOT}/playbooks/saas_inbound.funnel")).unwrap();
    let dir = std::env::temp_dir().join(format!("funnel-fail-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::create(&dir.join("state.db"), 0).unwrap();
    let (mut live, _) = Live::open(store, Playbook::new(&source, &[]).unwrap(), false).unwrap();
    let leads = std::fs::read(format!("{ROOT}/examples/data/leads.csv")).unwrap();
    live.write(&parse(&leads, InputFormat::Csv).unwrap(), &[], None, 0)
        .unwrap();
    live
}

fn counts(live: &Live) -> (i64, i64, i64) {
    let n = |t: &str| {
        live.store
            .conn
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    (n("events"), n("outbox"), n("lead_state"))
}

fn events() -> Vec<Result<funnel_live::input::RawRow, funnel_live::input::RowError>> {
    let bytes = std::fs::read(format!("{ROOT}/examples/data/events.csv")).unwrap();
    parse(&bytes, InputFormat::Csv).unwrap()
}

const AS_OF: i64 = 1_782_864_000; // 2026-07-01

#[test]
fn a_full_disk_fails_the_write_whole_and_the_retry_succeeds() {
    let mut live = live("full");
    let before = counts(&live);
    let pages: i64 = live
        .store
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    live.store
        .conn
        .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 2))
        .unwrap();
    let e = live.write(&[], &events(), Some(AS_OF), 0).unwrap_err();
    assert_eq!(e.message, "the disk holding the state file is full");
    assert_eq!(
        e.help.as_deref(),
        Some("free space and retry; nothing of this write was kept")
    );
    assert_eq!(counts(&live), before);
    assert_eq!(live.store.as_of().unwrap(), None);
    live.store
        .conn
        .execute_batch("PRAGMA max_page_count = 1073741823")
        .unwrap();
    let rep = live.write(&[], &events(), Some(AS_OF), 0).unwrap();
    assert_eq!(rep.events.added, 3037);
    assert_eq!(counts(&live).0, 3037);
}

#[test]
fn a_read_only_state_file_fails_the_write_whole() {
    let mut live = live("readonly");
    let before = counts(&live);
    live.store
        .conn
        .execute_batch("PRAGMA query_only = 1")
        .unwrap();
    let e = live.write(&[], &events(), Some(AS_OF), 0).unwrap_err();
    assert_eq!(e.message, "the state file is read-only");
    assert_eq!(counts(&live), before);
}
