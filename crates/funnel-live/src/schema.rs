//! The state file's format: SQLite tables and the migrations that make
//! them, one per format version, kept in `PRAGMA user_version`.
//!
//! The file is event-sourced. `leads` and `events` are what was received,
//! append-only, each row with its received sequence number and idempotency
//! key: the source of truth. `lead_state` is derived from them (a lead's
//! state is always recomputed by replaying the lead's stored history; the
//! table only answers reads and says when a lead's next timer is due).
//! `outbox` holds every action the engine produced, written in the same
//! transaction as the state it came from, with its delivery status.
//! `requests` remembers HTTP responses by `Idempotency-Key`; `changes`
//! lists actions that a late event or a playbook change altered.

use rusqlite::Connection;

use crate::error::{LiveError, Result};

/// The format this build writes; files of older versions are migrated.
pub const VERSION: i64 = 1;

/// Migration `i` takes a file from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first format.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE leads (
        no       INTEGER PRIMARY KEY,   -- received sequence among leads
        id       TEXT NOT NULL UNIQUE,
        key      TEXT NOT NULL UNIQUE,  -- idempotency key it came with
        cells    TEXT NOT NULL,         -- JSON object: field -> text as received
        received INTEGER NOT NULL       -- wall clock, Unix seconds
    );
    CREATE TABLE events (
        seq      INTEGER PRIMARY KEY,   -- received sequence
        key      TEXT NOT NULL UNIQUE,
        lead     INTEGER NOT NULL REFERENCES leads(no),
        at       INTEGER NOT NULL,      -- the event's instant, Unix seconds
        event    TEXT NOT NULL,
        cells    TEXT NOT NULL,         -- JSON object: field -> text as received
        received INTEGER NOT NULL
    );
    CREATE INDEX events_by_lead ON events(lead, at, seq);
    CREATE TABLE lead_state (
        lead        INTEGER PRIMARY KEY REFERENCES leads(no),
        stage       TEXT,               -- NULL: not in the funnel
        scores      TEXT NOT NULL,      -- JSON object: score -> value
        entered     TEXT NOT NULL,      -- JSON object: stage -> instant
        replayed_to INTEGER NOT NULL,   -- the as-of instant of its last replay
        next_due    INTEGER,            -- next timer or future event, if any
        events      INTEGER NOT NULL    -- events replayed
    );
    CREATE INDEX lead_state_due ON lead_state(next_due) WHERE next_due IS NOT NULL;
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY, -- creation order
        key          TEXT NOT NULL UNIQUE,
        lead         INTEGER NOT NULL REFERENCES leads(no),
        at           INTEGER NOT NULL,
        kind         TEXT NOT NULL,       -- send | notify | set | stage
        payload      TEXT NOT NULL,       -- the JSON body a receiver gets
        status       TEXT NOT NULL,       -- pending | delivered | dead | retracted | skipped
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        delivered_at INTEGER
    );
    CREATE INDEX outbox_by_lead ON outbox(lead);
    CREATE INDEX outbox_due ON outbox(status, next_attempt, id);
    CREATE TABLE requests (
        key      TEXT PRIMARY KEY,      -- route + Idempotency-Key
        status   INTEGER NOT NULL,
        body     TEXT NOT NULL,
        received INTEGER NOT NULL
    );
    CREATE TABLE changes (
        id     INTEGER PRIMARY KEY,
        noted  INTEGER NOT NULL,        -- wall clock
        cause  TEXT NOT NULL,           -- late-event | playbook
        key    TEXT NOT NULL,           -- the outbox key
        change TEXT NOT NULL,           -- added | retracted | restored | gone-after-delivery
        at     INTEGER NOT NULL
    );
    ",
];

/// The file's format version.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Bring the file up to [`VERSION`], one migration per transaction. The
/// version is read again inside each transaction, so two processes opening
/// a new file at once migrate it once.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let v = version(&tx)?;
        if v > VERSION {
            return Err(LiveError::new(format!(
                "the state file has format version {v}; this funnel reads up to version {VERSION}"
            ))
            .help("use the funnel release that wrote the file, or a newer one"));
        }
        if v == VERSION {
            return Ok(());
        }
        let sql = MIGRATIONS
            .get(usize::try_from(v).unwrap_or(usize::MAX))
            .ok_or_else(|| LiveError::new(format!("no migration from format version {v}")))?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", v + 1))?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_migrated_to_the_current_version_and_a_newer_one_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        // Migrating again changes nothing.
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        let e = migrate(&mut conn).unwrap_err();
        assert_eq!(
            e.message,
            "the state file has format version 99; this funnel reads up to version 1"
        );
    }
}
