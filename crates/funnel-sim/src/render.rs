//! The simulation report for people (tables) and machines (JSON).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use funnel_data::output::kpi_number;
use funnel_engine::display::fmt_kpi;
use funnel_engine::kpi::KTy;

use crate::report::{Report, Spread};
use crate::runs::{KpiMeta, Simulation};

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(1).normalize())
}

fn spread_cells(s: &Spread, ty: KTy, currency: &str) -> Vec<String> {
    let mut v = vec![
        fmt_kpi(s.p5, ty, currency),
        fmt_kpi(s.median, ty, currency),
        fmt_kpi(s.p95, ty, currency),
    ];
    v.push(if s.undefined_runs == 0 {
        String::new()
    } else {
        s.undefined_runs.to_string()
    });
    v
}

/// A change in the signed form `funnel plan` uses: `+4.85 pp` for
/// percents, `+2`, `-$1,200`, `+3 days`; `0` for no change.
pub fn signed(d: Option<Decimal>, ty: KTy, currency: &str) -> String {
    let Some(d) = d else {
        return fmt_kpi(None, ty, currency);
    };
    let sign = if d > Decimal::ZERO {
        "+"
    } else if d < Decimal::ZERO {
        "-"
    } else {
        ""
    };
    let body = fmt_kpi(Some(d.abs()), ty, currency);
    let body = match (ty, body.strip_suffix('%')) {
        (KTy::Percent, Some(b)) => format!("{b} pp"),
        _ => body,
    };
    format!("{sign}{body}")
}

fn signed_cells(s: &Spread, ty: KTy, currency: &str) -> Vec<String> {
    let mut v = vec![
        signed(s.p5, ty, currency),
        signed(s.median, ty, currency),
        signed(s.p95, ty, currency),
    ];
    v.push(if s.undefined_runs == 0 {
        String::new()
    } else {
        s.undefined_runs.to_string()
    });
    v
}

fn kpi_table(meta: &[KpiMeta], r: &Report, currency: &str) -> String {
    let mut t = table(&["KPI", "p5", "median", "p95", "undefined in runs"]);
    for (m, s) in meta.iter().zip(&r.kpis) {
        let mut row = vec![m.name.clone()];
        row.extend(spread_cells(s, m.ty, currency));
        t.add_row(row);
    }
    t.to_string()
}

fn targets(meta: &[KpiMeta], r: &Report) -> String {
    let mut out = String::new();
    for (m, p) in meta
        .iter()
        .filter(|m| m.target.is_some())
        .zip(&r.target_met)
    {
        out.push_str(&format!(
            "  {} {}: met in {} of runs\n",
            m.name,
            m.target.as_deref().unwrap_or_default(),
            pct(*p)
        ));
    }
    out
}

/// The weekly table; wider than `width`, it is cut into several tables of
/// whole columns, each starting with the week.
fn weekly(stages: &[String], r: &Report, width: Option<u16>) -> String {
    let mut header: Vec<&str> = vec!["week"];
    header.extend(stages.iter().map(String::as_str));
    header.push("sends/day (median)");
    header.push("busiest day (p95)");
    let rows = weekly_rows(r);
    // Each column's width: its longest cell, a space either side, a border.
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|row| row.get(i))
                .map(|c| c.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
                + 3
        })
        .collect();
    let limit = width.map_or(usize::MAX, usize::from);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut used = 1 + widths[0];
    for (i, w) in widths.iter().enumerate().skip(1) {
        if !current.is_empty() && used + w > limit {
            groups.push(std::mem::take(&mut current));
            used = 1 + widths[0];
        }
        current.push(i);
        used += w;
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let mut out = Vec::new();
    for g in groups {
        let cols: Vec<usize> = std::iter::once(0).chain(g).collect();
        let h: Vec<&str> = cols.iter().map(|&i| header[i]).collect();
        let mut t = table(&h);
        for row in &rows {
            t.add_row(
                cols.iter()
                    .map(|&i| row.get(i).cloned().unwrap_or_default())
                    .collect::<Vec<_>>(),
            );
        }
        out.push(t.to_string());
    }
    out.join("\n")
}

/// The weekly table's rows: week, leads per stage, sends per day.
fn weekly_rows(r: &Report) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (w, row) in r.stage_weekly.iter().enumerate() {
        let mut cells = vec![(w + 1).to_string()];
        cells.extend(row.iter().map(|d| d.normalize().to_string()));
        let days = r
            .sends_daily
            .get(w * 7..((w + 1) * 7).min(r.sends_daily.len()));
        let (med, p95) = days.map_or((Decimal::ZERO, Decimal::ZERO), |d| {
            let n = Decimal::from(d.len().max(1) as u64);
            let med: Decimal = d.iter().map(|x| x.0).sum::<Decimal>() / n;
            let p95 = d.iter().map(|x| x.1).max().unwrap_or_default();
            (med, p95)
        });
        cells.push(med.round_dp(1).normalize().to_string());
        cells.push(p95.normalize().to_string());
        rows.push(cells);
    }
    rows
}

/// The report for people.
pub fn human(sim: &Simulation, scenario_name: &str) -> String {
    human_width(sim, scenario_name, None)
}

/// The report for people, wide tables cut to fit `width` columns.
pub fn human_width(sim: &Simulation, scenario_name: &str, width: Option<u16>) -> String {
    let (name, meta, r) = &sim.base;
    let mut out = format!(
        "Simulated {} runs of `{}` with scenario {} (seed {})\n",
        sim.runs, name, scenario_name, sim.seed
    );
    out.push_str(&format!(
        "leads per run: p5 {}, median {}, p95 {}\nSLA breaches per run: p5 {}, median {}, p95 {}\n\n",
        fmt_kpi(r.leads.p5, KTy::Number, ""),
        fmt_kpi(r.leads.median, KTy::Number, ""),
        fmt_kpi(r.leads.p95, KTy::Number, ""),
        fmt_kpi(r.breaches.p5, KTy::Number, ""),
        fmt_kpi(r.breaches.median, KTy::Number, ""),
        fmt_kpi(r.breaches.p95, KTy::Number, ""),
    ));
    out.push_str("KPIs across runs\n");
    out.push_str(&kpi_table(meta, r, &sim.currency));
    out.push('\n');
    let t = targets(meta, r);
    if !t.is_empty() {
        out.push_str("\nTargets\n");
        out.push_str(&t);
    }
    out.push_str("\nLeads per stage at the end of each week (median across runs)\n");
    out.push_str(&weekly(&sim.stages, r, width));
    out.push('\n');
    if let Some(v) = &sim.vs {
        let (other, ometa, or, diffs) = (&v.name, &v.meta, &v.report, &v.differences);
        out.push_str(&format!("\n--vs `{other}` on the same draws\n"));
        out.push_str(&kpi_table(ometa, or, &sim.currency));
        out.push('\n');
        let t = targets(ometa, or);
        if !t.is_empty() {
            out.push_str("Targets\n");
            out.push_str(&t);
        }
        out.push_str(&format!("\nDifference `{other}` − `{name}` per run\n"));
        let mut t = table(&["KPI", "p5", "median", "p95", "undefined in runs"]);
        for (k, s) in diffs {
            let ty = meta
                .iter()
                .find(|m| &m.name == k)
                .map_or(KTy::Number, |m| m.ty);
            let mut row = vec![k.clone()];
            row.extend(signed_cells(s, ty, &sim.currency));
            t.add_row(row);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

fn spread_json(s: &Spread) -> Value {
    json!({
        "p5": kpi_number(s.p5),
        "median": kpi_number(s.median),
        "p95": kpi_number(s.p95),
        "undefined_runs": s.undefined_runs,
    })
}

fn report_json(name: &str, meta: &[KpiMeta], r: &Report, stages: &[String]) -> Value {
    let kpis: Vec<Value> = meta
        .iter()
        .zip(&r.kpis)
        .map(|(m, s)| {
            let mut v = spread_json(s);
            v["name"] = json!(m.name);
            v["type"] = json!(m.ty.as_str());
            v
        })
        .collect();
    let targets: Vec<Value> = meta
        .iter()
        .filter(|m| m.target.is_some())
        .zip(&r.target_met)
        .map(|(m, p)| json!({"kpi": m.name, "target": m.target, "probability_met": kpi_number(Some(*p))}))
        .collect();
    let weekly: Vec<Value> = r
        .stage_weekly
        .iter()
        .enumerate()
        .map(|(w, row)| {
            let mut o = serde_json::Map::new();
            o.insert("week".into(), json!(w + 1));
            for (s, v) in stages.iter().zip(row) {
                o.insert(s.clone(), kpi_number(Some(*v)));
            }
            Value::Object(o)
        })
        .collect();
    let sends: Vec<Value> = r
        .sends_daily
        .iter()
        .enumerate()
        .map(|(d, (m, p))| json!({"day": d + 1, "median": kpi_number(Some(*m)), "p95": kpi_number(Some(*p))}))
        .collect();
    json!({
        "playbook": name,
        "leads": spread_json(&r.leads),
        "sla_breaches": spread_json(&r.breaches),
        "kpis": kpis,
        "targets": targets,
        "stages_weekly_median": weekly,
        "sends_daily": sends,
    })
}

/// The report for machines.
pub fn json(sim: &Simulation) -> Value {
    let (name, meta, r) = &sim.base;
    let mut doc = json!({
        "version": 1,
        "runs": sim.runs,
        "seed": sim.seed,
        "result": report_json(name, meta, r, &sim.stages),
    });
    if let Some(v) = &sim.vs {
        let diffs = &v.differences;
        doc["vs"] = report_json(&v.name, &v.meta, &v.report, &v.stages);
        doc["differences"] = Value::Array(
            diffs
                .iter()
                .map(|(k, s)| {
                    let mut v = spread_json(s);
                    v["kpi"] = json!(k);
                    v
                })
                .collect(),
        );
    }
    doc
}
