//! The whole store replayed at once, by the engine's plain `run`: the KPIs
//! (`GET /v1/kpis`, `funnel live status --kpis`) and, when the playbook
//! changes, the `funnel plan` of the old playbook against the new one over
//! the stored history.

use funnel_engine::{Dataset, Outcome, RunOptions};
use funnel_plan::{diff, Plan, Side};
use rusqlite::Connection;

use crate::error::Result;
use crate::playbook::Playbook;
use crate::replay::{dataset, History};
use crate::store;

/// Every stored lead's history.
pub fn all_histories(conn: &Connection) -> Result<Vec<History>> {
    store::histories(conn, &store::all_leads(conn)?)
}

/// Replay every history under `pb` up to `as_of` with `funnel run`.
pub fn run(pb: &Playbook, hs: &[History], as_of: i64) -> Result<(Dataset, Outcome)> {
    let (mut ds, mut events) = dataset(pb, hs)?;
    let inputs = pb.input_values(&mut ds.texts)?;
    events.sort();
    ds.events = events;
    let opts = RunOptions {
        as_of: Some(as_of),
        inputs,
        ..RunOptions::default()
    };
    let o = funnel_engine::run(&pb.compiled, &ds, &opts, &mut |_, _| {});
    Ok((ds, o))
}

/// `kpis.json` of the whole store at `as_of`, as `funnel run --out` writes it.
pub fn kpis_json(conn: &Connection, pb: &Playbook, as_of: i64) -> Result<String> {
    let hs = all_histories(conn)?;
    let (_, o) = run(pb, &hs, as_of)?;
    Ok(funnel_data::output::kpis_json(&pb.compiled, &o))
}

/// What replacing `old` by `new` does to the stored history at `as_of`.
pub fn plan(conn: &Connection, old: &Playbook, new: &Playbook, as_of: i64) -> Result<Plan> {
    let hs = all_histories(conn)?;
    let (ods, oo) = run(old, &hs, as_of)?;
    let (nds, no) = run(new, &hs, as_of)?;
    Ok(diff(
        Side {
            c: &old.compiled,
            o: &oo,
            texts: &ods.texts,
        },
        Side {
            c: &new.compiled,
            o: &no,
            texts: &nds.texts,
        },
        &nds.leads.ids,
    ))
}

/// A plan in a few lines, for a refusal or an acceptance.
pub fn plan_summary(p: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    out.push(format!(
        "{} of {} leads change final stage, {} change when they move",
        p.changed.len(),
        p.leads,
        p.retimed.len()
    ));
    for a in p.actions.iter().filter(|a| a.changed()) {
        out.push(format!(
            "{} {}: {} -> {} ({} added, {} removed, {} moved)",
            a.kind, a.what, a.before, a.after, a.added, a.removed, a.moved
        ));
    }
    for k in p.kpis.iter().filter(|k| k.changed()) {
        let v = |x: &Option<funnel_plan::KpiValue>| {
            x.as_ref()
                .and_then(|v| v.value)
                .map_or("undefined".to_string(), |d| d.normalize().to_string())
        };
        out.push(format!(
            "kpi {}: {} -> {}",
            k.name,
            v(&k.before),
            v(&k.after)
        ));
    }
    for t in &p.targets {
        let s = |x: &Option<(String, funnel_engine::TargetStatus)>| {
            x.as_ref()
                .map_or("none".to_string(), |(_, s)| s.as_str().to_string())
        };
        out.push(format!(
            "target {}: {} -> {}",
            t.kpi,
            s(&t.before),
            s(&t.after)
        ));
    }
    out
}
