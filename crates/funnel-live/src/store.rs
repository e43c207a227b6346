//! The state file: opening it (WAL, full sync, a busy timeout, the format
//! migrated), its `meta` values, reading stored histories back, and the
//! counts `funnel live status` prints.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::error::{LiveError, Result};
use crate::input::Cells;
use crate::replay::{History, StoredEvent, StoredLead};
use crate::schema;

/// An open state file.
pub struct Store {
    pub conn: Connection,
    pub path: String,
}

/// `meta` keys.
pub mod meta {
    pub const PLAYBOOK: &str = "playbook_source";
    pub const DIGEST: &str = "playbook_digest";
    pub const INPUTS: &str = "playbook_inputs";
    /// The as-of instant every lead has been stepped to.
    pub const AS_OF: &str = "as_of";
    pub const CREATED: &str = "created";
}

impl Store {
    /// Create the state file (or open and migrate an existing one).
    pub fn create(path: &Path, now: i64) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut s = Store::connect(path, flags)?;
        schema::migrate(&mut s.conn)?;
        if s.meta(meta::CREATED)?.is_none() {
            s.set_meta(meta::CREATED, &now.to_string())?;
        }
        Ok(s)
    }

    /// Open an existing state file for reading and writing.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(LiveError::new(format!(
                "the state file `{}` does not exist",
                path.display()
            ))
            .help(format!(
                "create it with `funnel live init --state {}`",
                path.display()
            )));
        }
        let mut s = Store::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        if schema::version(&s.conn)? == 0 {
            return Err(
                LiveError::new(format!("`{}` is not a funnel state file", path.display()))
                    .help("point `--state` at a file made by `funnel live init`"),
            );
        }
        schema::migrate(&mut s.conn)?;
        Ok(s)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Store> {
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| {
                LiveError::from(e).help(format!(
                    "check that `{}` and its directory exist and are writable",
                    path.display()
                ))
            })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers never block the writer; FULL: a committed write
        // survives a power cut, not only a killed process.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(LiveError::new(format!(
                "the state file cannot use write-ahead logging (journal mode `{mode}`)"
            ))
            .help("put the state file on a local file system"));
        }
        // A 64 MiB page cache and the file mapped in memory: a write reads
        // the histories of the leads it touches, all over the file. Foreign
        // keys are documentation only: the write path checks every lead
        // before it stores a row, and checking again costs a lookup per row.
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;",
        )?;
        Ok(Store {
            conn,
            path: path.display().to_string(),
        })
    }

    /// Sync at checkpoints only (`PRAGMA synchronous = NORMAL`): a killed
    /// process still loses nothing committed, a power cut may lose the last
    /// writes. For tests and bulk loads; the default is a sync per commit.
    pub fn relax_sync(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        Ok(())
    }

    /// Copy the state, consistent as of one instant, to a new file while
    /// others keep reading and writing (SQLite's `VACUUM INTO`).
    pub fn backup(&self, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(LiveError::new(format!("`{}` already exists", to.display()))
                .help("back up to a new file name"));
        }
        let target = to
            .to_str()
            .ok_or_else(|| LiveError::new(format!("`{}` is not a UTF-8 path", to.display())))?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, key)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, key, value)
    }

    /// The as-of instant of the state, if anything was ever stepped.
    pub fn as_of(&self) -> Result<Option<i64>> {
        Ok(self.meta(meta::AS_OF)?.and_then(|s| s.parse().ok()))
    }

    /// Counts for `funnel live status` and `/metrics`.
    pub fn status(&self) -> Result<Status> {
        status(&self.conn)
    }
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// What the state file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub version: i64,
    pub playbook: Option<String>,
    pub as_of: Option<i64>,
    pub leads: i64,
    pub events: i64,
    /// Leads with a timer or a future event, and the earliest such instant.
    pub leads_waiting: i64,
    pub next_due: Option<i64>,
    /// Outbox rows per status, in status order.
    pub outbox: Vec<(String, i64)>,
}

impl Status {
    pub fn outbox_count(&self, status: &str) -> i64 {
        self.outbox
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    }
}

pub fn status(conn: &Connection) -> Result<Status> {
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let playbook = meta_get(conn, meta::PLAYBOOK)?.map(|src| {
        src.lines()
            .find_map(|l| l.trim().strip_prefix("playbook "))
            .map(|n| n.trim().trim_matches('"').to_string())
            .unwrap_or_default()
    });
    let mut outbox = Vec::new();
    let mut stmt = conn.prepare("SELECT status, count(*) FROM outbox GROUP BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for r in rows {
        outbox.push(r?);
    }
    let order = [
        "pending",
        "delivered",
        "dead",
        "retracted",
        "obsolete",
        "skipped",
    ];
    outbox.sort_by_key(|(s, _)| order.iter().position(|o| o == s).unwrap_or(order.len()));
    Ok(Status {
        version: schema::version(conn)?,
        playbook,
        as_of: meta_get(conn, meta::AS_OF)?.and_then(|s| s.parse().ok()),
        leads: count("SELECT count(*) FROM leads")?,
        events: count("SELECT count(*) FROM events")?,
        leads_waiting: count("SELECT count(*) FROM lead_state WHERE next_due IS NOT NULL")?,
        next_due: conn.query_row("SELECT min(next_due) FROM lead_state", [], |r| r.get(0))?,
        outbox,
    })
}

fn cells(json: &str) -> Result<Cells> {
    Ok(serde_json::from_str(json)?)
}

/// The histories of the leads numbered `nos`, in that order.
pub fn histories(conn: &Connection, nos: &[i64]) -> Result<Vec<History>> {
    let mut lead_q = conn.prepare_cached("SELECT id, cells FROM leads WHERE no = ?1")?;
    let mut ev_q = conn.prepare_cached(
        "SELECT seq, at, event, cells FROM events WHERE lead = ?1 ORDER BY at, seq",
    )?;
    let mut out = Vec::with_capacity(nos.len());
    for &no in nos {
        let (id, c): (String, String) = lead_q.query_row([no], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut events = Vec::new();
        let mut rows = ev_q.query([no])?;
        while let Some(r) = rows.next()? {
            let c: String = r.get(3)?;
            events.push(StoredEvent {
                seq: r.get(0)?,
                at: r.get(1)?,
                event: r.get(2)?,
                cells: cells(&c)?,
            });
        }
        out.push(History {
            lead: StoredLead {
                no,
                id,
                cells: cells(&c)?,
            },
            events,
        });
    }
    Ok(out)
}

/// Every lead number, in received order.
pub fn all_leads(conn: &Connection) -> Result<Vec<i64>> {
    let mut q = conn.prepare("SELECT no FROM leads ORDER BY no")?;
    let rows = q.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<i64>, _>>()?)
}

/// The number of the lead with this id.
pub fn lead_no(conn: &Connection, id: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT no FROM leads WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}
