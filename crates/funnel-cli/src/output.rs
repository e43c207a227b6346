//! The `run` summary, for people (tables) and as JSON: input counts, the
//! funnel with conversion between consecutive stages, KPIs with their
//! targets, and actions by kind and template. Rendering returns strings so
//! tests can snapshot them.

use funnel_report::run::stage_counts;
use std::collections::BTreeMap;
use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, Table, Width};
use funnel_data::output::kpi_number;
use funnel_engine::display::{fmt_kpi, fmt_time_short};
use funnel_engine::trace::ActionDetail;
use funnel_engine::{Compiled, Dataset, InputReport, Outcome};
use rust_decimal::Decimal;
use serde_json::json;

/// How many groups of a grouped KPI the human summary lists.
const MAX_GROUP_ROWS: usize = 12;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    crate::style::fit(&mut t);
    t
}

fn right(t: &mut Table, cols: &[usize]) {
    for &c in cols {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Per stage in funnel order: leads now in it (their final stage).
pub fn now_counts(c: &Compiled, o: &Outcome) -> Vec<usize> {
    let mut n = vec![0usize; c.stages.len()];
    for &s in &o.stage {
        if let Some(x) = n.get_mut(s as usize) {
            *x += 1;
        }
    }
    n
}

fn conversion(prev: usize, n: usize) -> String {
    if prev == 0 {
        return "undefined".to_string();
    }
    let pct = Decimal::from(n * 100) / Decimal::from(prev);
    format!("{}%", pct.round_dp(1).normalize())
}

/// Actions counted by (kind, template or channel or field).
pub fn action_counts(c: &Compiled, ds: &Dataset, o: &Outcome) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for a in &o.actions {
        let what = match &a.detail {
            ActionDetail::Send(t) => ds.texts.resolve(*t).to_string(),
            ActionDetail::Notify { channel, .. } => ds.texts.resolve(*channel).to_string(),
            ActionDetail::Set { field, .. } => c
                .lead_fields
                .get(*field as usize)
                .map_or(String::new(), |f| f.name.clone()),
        };
        *m.entry((a.detail.kind().to_string(), what)).or_insert(0) += 1;
    }
    m
}

fn input_line(what: &str, r: &InputReport) -> String {
    let mut s = format!(
        "  {what:<7} {}  read {}, used {}, rejected {}",
        r.file, r.read, r.used, r.rejected
    );
    if !r.by_kind.is_empty() {
        let kinds: Vec<String> = r
            .by_kind
            .iter()
            .map(|(k, (n, _))| format!("{}: {n}", k.as_str()))
            .collect();
        s.push_str(&format!(" ({})", kinds.join(", ")));
    }
    if !r.unmapped.is_empty() {
        s.push_str(&format!(", unmapped {}", r.unmapped_rows()));
    }
    s.push('\n');
    for (_, first) in r.by_kind.values() {
        s.push_str(&format!("          first: {}\n", first.replace('\n', " ")));
    }
    if !r.unmapped.is_empty() {
        let what: Vec<String> = r
            .unmapped
            .iter()
            .map(|(w, n)| format!("{w}: {n}"))
            .collect();
        s.push_str(&format!("          unmapped: {}\n", what.join(", ")));
    }
    if !r.ignored_columns.is_empty() {
        s.push_str(&format!(
            "          ignored columns: {}\n",
            r.ignored_columns.join(", ")
        ));
    }
    s
}

/// The human summary; `out` is the `--out` directory, if any.
pub fn human(c: &Compiled, ds: &Dataset, o: &Outcome, out_dir: Option<&Path>) -> String {
    let mut out = String::new();
    let name = if c.name.is_empty() {
        "playbook"
    } else {
        &c.name
    };
    out.push_str(&format!("Run of {name}"));
    if let Some(t) = o.as_of {
        out.push_str(&format!(
            " as of {} ({})",
            fmt_time_short(t, c.tz),
            c.tz.name()
        ));
    }
    out.push_str("\n\nInput\n");
    out.push_str(&input_line("leads", &ds.lead_report));
    out.push_str(&input_line("events", &ds.event_report));
    out.push_str(&format!(
        "  replayed {} events and {} timers\n\n",
        o.events_replayed, o.timers_fired
    ));

    out.push_str("Funnel\n");
    let mut t = table(&["stage", "reached", "now in stage", "conversion"]);
    let mut prev: Option<usize> = None;
    let now = now_counts(c, o);
    for ((name, lost, n), now) in stage_counts(c, o).into_iter().zip(now) {
        if lost {
            t.add_row(vec![
                format!("{name} (lost)"),
                n.to_string(),
                now.to_string(),
                String::new(),
            ]);
        } else {
            let conv = prev.map_or(String::new(), |p| conversion(p, n));
            t.add_row(vec![name, n.to_string(), now.to_string(), conv]);
            prev = Some(n);
        }
    }
    right(&mut t, &[1, 2, 3]);
    out.push_str(&format!("{t}\n"));
    out.push_str(
        "  reached: leads that ever entered the stage (a stage jumped over counts)\n  \
         now in stage: leads whose current stage it is; conversion: reached / reached of the stage above\n\n",
    );

    if !o.kpis.is_empty() {
        out.push_str("KPIs\n");
        let mut t = table(&["kpi", "value", "target", "status"]);
        for k in &o.kpis {
            let (target, status) = match &k.target {
                Some((text, s)) => (text.clone(), s.as_str().to_string()),
                None => (String::new(), String::new()),
            };
            t.add_row(vec![
                k.name.clone(),
                fmt_kpi(k.total, k.ty, &c.currency),
                target,
                status,
            ]);
            for (key, v) in k.groups.iter().take(MAX_GROUP_ROWS) {
                t.add_row(vec![
                    format!("  {}", key.join(" · ")),
                    fmt_kpi(*v, k.ty, &c.currency),
                    String::new(),
                    String::new(),
                ]);
            }
            if k.groups.len() > MAX_GROUP_ROWS {
                let more = k.groups.len() - MAX_GROUP_ROWS;
                t.add_row(vec![
                    match out_dir {
                        Some(d) => format!(
                            "  … {more} more groups (see {})",
                            d.join("kpis.json").display()
                        ),
                        None => format!("  … {more} more (`--out DIR` lists all)"),
                    },
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        right(&mut t, &[1]);
        if let Some(col) = t.column_mut(0) {
            col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(8)));
        }
        out.push_str(&format!("{t}\n\n"));
    }

    out.push_str("Actions\n");
    let counts = action_counts(c, ds, o);
    if counts.is_empty() {
        out.push_str("  none\n");
    } else {
        let mut t = table(&["kind", "template / channel / field", "count"]);
        for ((kind, what), n) in &counts {
            t.add_row(vec![kind.clone(), what.clone(), n.to_string()]);
        }
        right(&mut t, &[2]);
        out.push_str(&format!("{t}\n"));
    }
    if !o.breaches.is_empty() {
        out.push_str(&format!("\nSLA breaches: {}\n", o.breaches.len()));
    }
    out
}

fn report_json(r: &InputReport) -> serde_json::Value {
    let kinds: serde_json::Map<String, serde_json::Value> = r
        .by_kind
        .iter()
        .map(|(k, (n, first))| (k.as_str().to_string(), json!({"count": n, "first": first})))
        .collect();
    let mut v = json!({
        "file": r.file,
        "read": r.read,
        "used": r.used,
        "rejected": r.rejected,
        "rejected_by_kind": kinds,
    });
    // Only for mapped data (`--map`, Segment), so other runs' JSON keeps its shape.
    if let Some(o) = v.as_object_mut() {
        if !r.unmapped.is_empty() {
            o.insert("unmapped".into(), json!(r.unmapped));
        }
        if !r.ignored_columns.is_empty() {
            o.insert("ignored_columns".into(), json!(r.ignored_columns));
        }
    }
    v
}

/// The summary as one JSON document.
pub fn json_summary(c: &Compiled, ds: &Dataset, o: &Outcome) -> String {
    let mut prev: Option<usize> = None;
    let now = now_counts(c, o);
    let funnel: Vec<serde_json::Value> = stage_counts(c, o)
        .into_iter()
        .zip(now)
        .map(|((name, lost, n), now)| {
            let conv = if lost {
                serde_json::Value::Null
            } else {
                let v = match prev {
                    Some(p) if p > 0 => kpi_number(Some(Decimal::from(n) / Decimal::from(p))),
                    _ => serde_json::Value::Null,
                };
                prev = Some(n);
                v
            };
            json!({"stage": name, "lost": lost, "leads": n, "now": now, "conversion": conv})
        })
        .collect();
    let kpis: serde_json::Value =
        serde_json::from_str(&funnel_data::output::kpis_json(c, o)).unwrap_or_default();
    let actions: Vec<serde_json::Value> = action_counts(c, ds, o)
        .into_iter()
        .map(|((kind, what), n)| json!({"kind": kind, "what": what, "count": n}))
        .collect();
    let doc = json!({
        "playbook": c.name,
        "as_of": o.as_of.map(|t| funnel_engine::display::fmt_time(t, c.tz)),
        "input": {
            "leads": report_json(&ds.lead_report),
            "events": report_json(&ds.event_report),
            "events_replayed": o.events_replayed,
            "timers_fired": o.timers_fired,
        },
        "funnel": funnel,
        "kpis": kpis["kpis"],
        "actions": actions,
        "sla_breaches": o.breaches.len(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
