//! The plan for machines: one JSON document (stdout with `--format json`,
//! `plan.json` with `--out`) and `changed_leads.csv`. Keys are sorted and
//! lists have a fixed order, so the same inputs give the same bytes.

use funnel_data::output::kpi_number;

use funnel_engine::display::{fmt_kpi, fmt_time};
use funnel_plan::{DirectionCounts, KpiValue, Plan};
use serde_json::{json, Value};

use super::Meta;

fn counts(c: &DirectionCounts) -> Value {
    json!({
        "back": c.back,
        "forward": c.forward,
        "from_lost": c.from_lost,
        "other": c.other,
        "to_lost": c.to_lost,
    })
}

fn kpi_value(v: &Option<KpiValue>, currency: &str) -> Value {
    match v {
        None => Value::Null,
        Some(k) => json!({
            "display": fmt_kpi(k.value, k.ty, currency),
            "type": k.ty.as_str(),
            "value": kpi_number(k.value),
        }),
    }
}

fn target(t: &Option<(String, funnel_engine::TargetStatus)>) -> Value {
    match t {
        None => Value::Null,
        Some((text, s)) => json!({"status": s.as_str(), "target": text}),
    }
}

/// The whole plan as pretty-printed JSON.
pub fn plan_json(p: &Plan, m: &Meta<'_>) -> String {
    let (sends_added, sends_removed) = p.sends();
    let stages: Vec<Value> = p
        .stages
        .iter()
        .map(|s| json!({"in_new": s.in_new, "in_old": s.in_old, "lost": s.lost, "name": s.name}))
        .collect();
    let changed: Vec<Value> = p
        .changed
        .iter()
        .map(|c| {
            json!({
                "at": c.at.map(|t| fmt_time(t, m.new.tz)),
                "direction": c.direction.as_str(),
                "from": c.from,
                "id": c.id,
                "to": c.to,
            })
        })
        .collect();
    let moves: Vec<Value> = p
        .moves
        .iter()
        .map(|x| {
            json!({
                "direction": x.direction.as_str(),
                "from": x.from,
                "leads": x.leads,
                "to": x.to,
            })
        })
        .collect();
    let periods: Vec<Value> = p
        .periods
        .iter()
        .map(|x| json!({"changes": counts(&x.counts), "period": x.period}))
        .collect();
    let entries: Vec<Value> = p
        .entries
        .iter()
        .map(|e| {
            json!({
                "after": e.after,
                "before": e.before,
                "change": e.after as i64 - e.before as i64,
                "period": e.period,
                "stage": e.stage,
            })
        })
        .collect();
    let actions: Vec<Value> = p
        .actions
        .iter()
        .map(|a| {
            json!({
                "added": a.added,
                "after": a.after,
                "before": a.before,
                "kind": a.kind,
                "moved": a.moved,
                "removed": a.removed,
                "what": a.what,
            })
        })
        .collect();
    let weeks: Vec<Value> = p
        .sends_by_week
        .iter()
        .map(|w| {
            json!({
                "after": w.after,
                "before": w.before,
                "template": w.template,
                "week": w.week,
            })
        })
        .collect();
    let kpis: Vec<Value> = p
        .kpis
        .iter()
        .map(|k| {
            json!({
                "after": kpi_value(&k.after, &m.new.currency),
                "before": kpi_value(&k.before, &m.old.currency),
                "change": k.change.map_or(Value::Null, |c| kpi_number(Some(c))),
                "changed": k.changed(),
                "groups_changed": k.groups_changed,
                "name": k.name,
                "relative": k.relative.map_or(Value::Null, |r| kpi_number(Some(r))),
            })
        })
        .collect();
    let targets: Vec<Value> = p
        .targets
        .iter()
        .map(|t| json!({"after": target(&t.after), "before": target(&t.before), "kpi": t.kpi}))
        .collect();
    let breaches: Vec<Value> = p
        .breaches
        .iter()
        .map(|b| json!({"after": b.after, "before": b.before, "sla": b.sla}))
        .collect();
    let doc = json!({
        "actions": actions,
        "as_of": m.as_of.map(|t| fmt_time(t, m.new.tz)),
        "breaches": breaches,
        "changed_leads": changed,
        "changes": p.has_changes(),
        "data": {"events": m.events, "events_file": m.events_file, "leads": p.leads, "leads_file": m.leads_file},
        "entries": entries,
        "kpis": kpis,
        "moves": moves,
        "new": {"file": m.new_file, "playbook": m.new.name},
        "old": {"file": m.old_file, "playbook": m.old.name},
        "periods": periods,
        "retimed_leads": p.retimed,
        "sends_by_week": weeks,
        "stages": stages,
        "summary": {
            "changed_leads": p.changed.len(),
            "directions": counts(&p.counts),
            "retimed_leads": p.retimed.len(),
            "sends_added": sends_added,
            "sends_removed": sends_removed,
        },
        "targets": targets,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A CSV cell, quoted when it must be.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `changed_leads.csv`: id, from, to, direction, changed_at (every changed
/// lead, by id; an empty stage is outside the funnel).
pub fn changed_leads_csv(p: &Plan, m: &Meta<'_>) -> String {
    let mut out = String::from("id,from,to,direction,changed_at\n");
    for c in &p.changed {
        let row = [
            cell(&c.id),
            cell(c.from.as_deref().unwrap_or("")),
            cell(c.to.as_deref().unwrap_or("")),
            c.direction.as_str().to_string(),
            c.at.map_or(String::new(), |t| fmt_time(t, m.new.tz)),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}
