//! Putting a playbook in force on a state file. The first playbook is
//! simply recorded. The same playbook (same text and inputs) opens at
//! once. Another playbook is planned against the stored history first, as
//! `funnel plan` would: a change that alters anything is refused unless
//! accepted, and an accepted change rebuilds every lead's state under the
//! new playbook in one transaction. Outbox keys already present are never
//! made pending again; records the new playbook makes for instants already
//! stepped past are recorded as `skipped` (the past is not re-sent); pending
//! records it no longer makes are retracted.

use std::collections::HashMap;

use rusqlite::TransactionBehavior;

use crate::apply::{step_leads, Live, Mode, Report};
use crate::error::{LiveError, Result};
use crate::playbook::Playbook;
use crate::store::{self, meta, Store};
use crate::whole;

/// What opening did when the playbook changed.
#[derive(Debug)]
pub struct Changeover {
    /// The plan in a few lines (empty when nothing was stored yet).
    pub plan: Vec<String>,
    pub report: Report,
}

impl Live {
    /// Open `store` under `pb`; see the module documentation.
    pub fn open(
        store: Store,
        pb: Playbook,
        accept_plan: bool,
    ) -> Result<(Live, Option<Changeover>)> {
        let stored = store.meta(meta::DIGEST)?;
        let mut live = Live { store, pb };
        match stored {
            None => {
                live.record_playbook()?;
                Ok((live, None))
            }
            Some(d) if d == live.pb.digest => Ok((live, None)),
            Some(_) => {
                let change = live.change_playbook(accept_plan)?;
                Ok((live, Some(change)))
            }
        }
    }

    fn record_playbook(&self) -> Result<()> {
        record(&self.store.conn, &self.pb)
    }

    fn change_playbook(&mut self, accept: bool) -> Result<Changeover> {
        let conn = &self.store.conn;
        let source = store::meta_get(conn, meta::PLAYBOOK)?.unwrap_or_default();
        let inputs: Vec<String> = match store::meta_get(conn, meta::INPUTS)? {
            Some(s) => serde_json::from_str(&s)?,
            None => Vec::new(),
        };
        let as_of = self.store.as_of()?;
        let events: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        let plan = match (as_of, events) {
            (Some(t), n) if n > 0 => {
                let old = Playbook::new(&source, &inputs).map_err(|e| {
                    LiveError::new(format!(
                        "the playbook the state was built with no longer checks: {}",
                        e.message
                    ))
                    .help("open the state with that playbook's funnel release")
                })?;
                let p = whole::plan(conn, &old, &self.pb, t)?;
                let lines = whole::plan_summary(&p);
                if p.has_changes() && !accept {
                    let mut msg = String::from(
                        "the playbook differs from the one the state was built with, \
                         and the change alters the stored history:",
                    );
                    for l in &lines {
                        msg.push_str("\n    ");
                        msg.push_str(l);
                    }
                    return Err(LiveError::new(msg).help(
                        "review the change (`funnel live plan`, or `funnel plan` on exported data), \
                         then pass `--accept-plan` to rebuild the state under the new playbook",
                    ));
                }
                lines
            }
            _ => Vec::new(),
        };
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        record(&tx, &self.pb)?;
        let mut report = Report::default();
        if let Some(t) = as_of {
            report.as_of = t;
            let nos = store::all_leads(&tx)?;
            step_leads(
                &tx,
                &self.pb,
                &nos,
                t,
                Mode::Rebuild { before: t },
                &HashMap::new(),
                &mut report,
            )?;
        }
        tx.commit()?;
        Ok(Changeover { plan, report })
    }
}

fn record(conn: &rusqlite::Connection, pb: &Playbook) -> Result<()> {
    store::meta_set(conn, meta::PLAYBOOK, &pb.source)?;
    store::meta_set(conn, meta::INPUTS, &serde_json::to_string(&pb.inputs)?)?;
    store::meta_set(conn, meta::DIGEST, &pb.digest)
}
