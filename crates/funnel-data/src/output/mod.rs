//! Pure serialisers of a run's results: `leads.csv`, `transitions.csv`,
//! `actions.jsonl` (streamed to a writer by [`files`], or as strings) and
//! `kpis.json`. Values are formatted for people by the engine's
//! [`funnel_engine::display`].

mod files;
mod time;

pub use files::{write_actions_jsonl, write_leads_csv, write_transitions_csv};
pub use time::TimeFmt;

use funnel_engine::display::{fmt_kpi, fmt_time};
use funnel_engine::{Compiled, Dataset, Outcome};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

/// A KPI value for machines: the exact decimal rounded to 6 places.
pub fn kpi_number(v: Option<Decimal>) -> serde_json::Value {
    match v {
        Some(d) => json!(d
            .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string()),
        None => serde_json::Value::Null,
    }
}

/// Run a writer into a string.
fn to_string(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = f(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// `leads.csv`: id, stage, one column per score, the fields `set` writes.
pub fn leads_csv(c: &Compiled, ds: &Dataset, o: &Outcome) -> String {
    to_string(|w| write_leads_csv(w, c, ds, o, 1))
}

/// `transitions.csv`: lead, from, to, at, reason.
pub fn transitions_csv(c: &Compiled, ds: &Dataset, o: &Outcome) -> String {
    to_string(|w| write_transitions_csv(w, c, ds, o, 1))
}

/// `actions.jsonl`: one JSON object per send, notify and set.
pub fn actions_jsonl(c: &Compiled, ds: &Dataset, o: &Outcome) -> String {
    to_string(|w| write_actions_jsonl(w, c, ds, o, 1))
}

/// `kpis.json`: per KPI its type, total, groups and target status.
pub fn kpis_json(c: &Compiled, o: &Outcome) -> String {
    let kpis: Vec<serde_json::Value> = o
        .kpis
        .iter()
        .map(|k| {
            let groups: Vec<serde_json::Value> = k
                .groups
                .iter()
                .map(|(key, v)| {
                    json!({
                        "key": key,
                        "value": kpi_number(*v),
                        "display": fmt_kpi(*v, k.ty, &c.currency),
                    })
                })
                .collect();
            json!({
                "name": k.name,
                "type": k.ty.as_str(),
                "by": k.by,
                "total": kpi_number(k.total),
                "display": fmt_kpi(k.total, k.ty, &c.currency),
                "groups": groups,
                "target": k.target.as_ref().map(|(text, s)| json!({
                    "target": text,
                    "status": s.as_str(),
                })),
            })
        })
        .collect();
    let doc = json!({
        "playbook": c.name,
        "as_of": o.as_of.map(|t| fmt_time(t, c.tz)),
        "kpis": kpis,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
