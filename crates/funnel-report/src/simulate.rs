//! The `funnel simulate --report` page: each KPI's distribution over the
//! runs (a histogram with p5, median and p95 marked, the target line and
//! the probability it is met), the probability of every target, leads per
//! stage week by week as a fan chart (median line, p5–p95 band) and sends
//! per day. With `--vs`, both playbooks' distributions overlaid, the
//! distribution of the per-run difference, and the other's fan chart.

use funnel_engine::display::fmt_kpi;
use funnel_engine::kpi::KTy;
use funnel_engine::Compiled;
use funnel_sim::render::signed;
use funnel_sim::report::{percentile, RunSummary, Spread};
use funnel_sim::runs::{KpiMeta, Simulation};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use crate::build::{bars, fill, Cell};
use crate::histogram::{bins, Bin};
use crate::model::{Axis, Chart, Datum, Kind, Layout, Page, Rule, RuleKind, Section, Table, Unit};
use crate::units::{kpi_label, num, percent, unit};

/// What the page says about its inputs beside the simulation.
pub struct SimFiles<'a> {
    pub scenario: &'a str,
    pub base: &'a Compiled,
    pub vs: Option<&'a Compiled>,
}

fn n(d: Option<Decimal>) -> String {
    fmt_kpi(d, KTy::Number, "")
}

/// A playbook's short name for legends: its file name.
fn short(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// The report of a simulation as a [`Page`].
pub fn page(sim: &Simulation, files: &SimFiles<'_>) -> Page {
    let (name, meta, r) = &sim.base;
    let mut facts = vec![
        ("Playbook".to_string(), name.clone()),
        ("Scenario".to_string(), files.scenario.to_string()),
        ("Runs".to_string(), sim.runs.to_string()),
        ("Seed".to_string(), sim.seed.to_string()),
    ];
    if let Some(v) = &sim.vs {
        facts.push(("Compared with".to_string(), v.name.clone()));
    }
    facts.push(("Currency".to_string(), sim.currency.clone()));
    let summary = vec![format!(
        "{} runs; leads per run p5 {}, median {}, p95 {}; SLA breaches per run median {}.",
        sim.runs,
        n(r.leads.p5),
        n(r.leads.median),
        n(r.leads.p95),
        n(r.breaches.median)
    )];
    let mut t = Section::new("targets", "Targets");
    t.charts.push(targets_chart(sim, meta));
    let mut sections = vec![overview(sim), t, fan_section(sim), kpi_section(sim, files)];
    let mut sends = Section::new("sends", "Sends per day");
    sends.charts.push(sends_chart(sim));
    sections.push(sends);
    Page {
        command: "simulate".to_string(),
        title: format!("Funnel simulation: {}", short(name)),
        facts,
        summary,
        sections,
    }
}

fn overview(sim: &Simulation) -> Section {
    let mut s = Section::new("overview", "Across runs");
    let mut table = Table {
        header: ["", "p5", "median", "p95"].map(String::from).to_vec(),
        numeric: vec![1, 2, 3],
        rows: Vec::new(),
    };
    let mut add = |what: String, sp: &Spread| {
        table
            .rows
            .push(vec![what, n(sp.p5), n(sp.median), n(sp.p95)]);
    };
    let (name, _, r) = &sim.base;
    let suffix = |p: &str| {
        if sim.vs.is_some() {
            format!(" ({})", short(p))
        } else {
            String::new()
        }
    };
    add(format!("leads per run{}", suffix(name)), &r.leads);
    add(format!("SLA breaches per run{}", suffix(name)), &r.breaches);
    if let Some(v) = &sim.vs {
        add(format!("leads per run{}", suffix(&v.name)), &v.report.leads);
        add(
            format!("SLA breaches per run{}", suffix(&v.name)),
            &v.report.breaches,
        );
    }
    s.table = Some(table);
    s
}

/// A KPI's value in every run where it is defined.
fn values(runs: &[RunSummary], k: usize) -> Vec<Decimal> {
    runs.iter()
        .filter_map(|r| r.kpis.get(k).copied().flatten())
        .collect()
}

fn target_of(c: &Compiled, name: &str) -> Option<(Decimal, String)> {
    c.kpis
        .iter()
        .find(|k| k.name == name)
        .and_then(|k| k.target.as_ref())
        .map(|(_, v, text)| (*v, text.trim().to_string()))
}

fn target_met(meta: &[KpiMeta], met: &[Decimal], name: &str) -> Option<Decimal> {
    meta.iter()
        .filter(|m| m.target.is_some())
        .zip(met)
        .find(|(m, _)| m.name == name)
        .map(|(_, p)| *p)
}

fn bin_label(b: &Bin, ty: KTy, whole: bool, cur: &str) -> String {
    let d = |x: f64| Decimal::from_f64(x);
    if whole && b.x2 - b.x1 <= 1.0 {
        return fmt_kpi(d(b.x1), ty, cur);
    }
    let hi = if whole { b.x2 - 1.0 } else { b.x2 };
    let sep = if whole { "–" } else { " to <" };
    format!(
        "{}{sep}{}",
        fmt_kpi(d(b.x1), ty, cur),
        fmt_kpi(d(hi), ty, cur)
    )
}

/// p5, median and p95 of `sp` as rules labelled by `fmt` (each on its own
/// label row).
fn spread_rules(sp: &Spread, fmt: &dyn Fn(Decimal) -> String) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (i, (kind, word, v)) in [
        (RuleKind::P5, "p5", sp.p5),
        (RuleKind::Median, "median", sp.median),
        (RuleKind::P95, "p95", sp.p95),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(v) = v {
            rules.push(Rule {
                kind,
                value: num(v),
                label: format!("{word} {}", fmt(v)),
                row: i as u8,
            });
        }
    }
    rules
}

/// A histogram of `series` (name, values) sharing bins.
fn histogram(mut chart: Chart, series: &[(String, Vec<Decimal>)], ty: KTy, cur: &str) -> Chart {
    let floats: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, v)| v.iter().map(|d| num(*d)).collect())
        .collect();
    let whole = ty == KTy::Number
        && series
            .iter()
            .all(|(_, v)| v.iter().all(|d| d.fract().is_zero()));
    let slices: Vec<&[f64]> = floats.iter().map(Vec::as_slice).collect();
    let bins = bins(&slices, whole);
    let many = series.len() > 1;
    let mut header = vec![chart.x.label.clone()];
    header.extend(series.iter().map(|(s, _)| format!("runs ({s})")));
    if !many {
        header.truncate(1);
        header.push("runs".to_string());
    }
    let mut rows = Vec::new();
    for b in &bins {
        let label = bin_label(b, ty, whole, cur);
        let mut row = vec![label.clone()];
        for (i, (s, _)) in series.iter().enumerate() {
            let c = b.counts[i];
            row.push(c.to_string());
            if c > 0 {
                chart.data.push(Datum {
                    x1: Some(b.x1),
                    x2: Some(b.x2),
                    y: Some(c.into()),
                    s: many.then(|| s.clone()),
                    label: label.clone(),
                    ..Datum::default()
                });
            }
        }
        rows.push(row);
    }
    chart.table = Table {
        numeric: (1..header.len()).collect(),
        header,
        rows,
    };
    if many {
        chart.series = Some(series.iter().map(|(s, _)| s.clone()).collect());
    }
    if bins.is_empty() {
        chart.empty = Some("The KPI is undefined in every run.".into());
    }
    chart
}

fn kpi_section(sim: &Simulation, files: &SimFiles<'_>) -> Section {
    let (name, meta, r) = &sim.base;
    let cur = &sim.currency;
    let mut s = Section::new("kpis", "KPIs across runs");
    s.intro = Some(format!(
        "How each KPI came out over the {} runs: a histogram of its values, with the p5, median and p95 (nearest rank) and the target as a dashed line.{}",
        sim.runs,
        if sim.vs.is_some() {
            " Both playbooks are overlaid, and the per-run difference has its own histogram."
        } else {
            ""
        }
    ));
    let mut table = Table {
        header: [
            "kpi",
            "p5",
            "median",
            "p95",
            "undefined in runs",
            "target",
            "met in",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![1, 2, 3, 4, 6],
        rows: Vec::new(),
    };
    for (k, (m, sp)) in meta.iter().zip(&r.kpis).enumerate() {
        let target = target_of(files.base, &m.name);
        let p = target_met(meta, &r.target_met, &m.name);
        table.rows.push(vec![
            m.name.clone(),
            fmt_kpi(sp.p5, m.ty, cur),
            fmt_kpi(sp.median, m.ty, cur),
            fmt_kpi(sp.p95, m.ty, cur),
            sp.undefined_runs.to_string(),
            target.as_ref().map_or(String::new(), |t| t.1.clone()),
            p.map_or(String::new(), |p| format!("{} of runs", percent(p))),
        ]);
        let mut series = vec![(short(name), values(&sim.base_runs, k))];
        let other_k = sim
            .vs
            .as_ref()
            .and_then(|v| v.meta.iter().position(|o| o.name == m.name).map(|i| (v, i)));
        if let Some((v, i)) = other_k {
            series.push((short(&v.name), values(&v.runs, i)));
        }
        let met_words = match (&target, p) {
            (Some((_, text)), Some(p)) => {
                format!(" Target {text}: met in {} of runs.", percent(p))
            }
            _ => String::new(),
        };
        let chart = Chart::new(
            &format!("kpi-{}", m.name),
            Kind::Histogram,
            format!("{} over {} runs", m.name, sim.runs),
            Axis::new(kpi_label(&m.name, m.ty, cur), Some(unit(m.ty, cur))),
            Axis::new("runs", Some(Unit::Count)),
        )
        .describe(format!(
            "Runs per range of values{}.{met_words}{}",
            if sp.undefined_runs > 0 {
                format!(
                    " ({} runs where it is undefined are left out)",
                    sp.undefined_runs
                )
            } else {
                String::new()
            },
            if other_k.is_some() {
                " Lines mark the first playbook's p5, median and p95."
            } else {
                ""
            }
        ));
        let mut chart = histogram(chart, &series, m.ty, cur);
        chart.rules = spread_rules(sp, &|v| fmt_kpi(Some(v), m.ty, cur));
        if let Some((v, _)) = &target {
            chart.rules.push(Rule {
                kind: RuleKind::Target,
                value: num(*v),
                label: format!("target {}", fmt_kpi(Some(*v), m.ty, cur)),
                row: 3,
            });
        }
        s.charts.push(chart);
        if let Some((v, i)) = other_k {
            s.charts.push(difference_chart(sim, k, i, m, v));
        }
    }
    s.table = Some(table);
    s
}

fn difference_chart(
    sim: &Simulation,
    k: usize,
    i: usize,
    m: &KpiMeta,
    v: &funnel_sim::runs::Versus,
) -> Chart {
    let cur = &sim.currency;
    let (name, _, _) = &sim.base;
    let diffs: Vec<Decimal> = sim
        .base_runs
        .iter()
        .zip(&v.runs)
        .filter_map(|(a, b)| {
            match (
                a.kpis.get(k).copied().flatten(),
                b.kpis.get(i).copied().flatten(),
            ) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            }
        })
        .collect();
    let chart = Chart::new(
        &format!("diff-{}", m.name),
        Kind::Histogram,
        format!("{}: {} − {} per run", m.name, short(&v.name), short(name)),
        Axis::new(
            format!("difference in {}", kpi_label(&m.name, m.ty, cur)),
            Some(unit(m.ty, cur)),
        ),
        Axis::new("runs", Some(Unit::Count)),
    )
    .describe("The same runs (same leads, same draws) under both playbooks: how much the KPI differs, run by run, with p5, median and p95 of the difference.");
    let mut chart = histogram(chart, &[("difference".to_string(), diffs)], m.ty, cur);
    if let Some((_, sp)) = v.differences.iter().find(|(n, _)| *n == m.name) {
        chart.rules = spread_rules(sp, &|v| signed(Some(v), m.ty, cur));
    }
    chart.rules.push(Rule {
        kind: RuleKind::Zero,
        value: 0.0,
        label: String::new(),
        row: 0,
    });
    chart
}

fn targets_chart(sim: &Simulation, meta: &[KpiMeta]) -> Chart {
    let (name, _, r) = &sim.base;
    let mut cells = Vec::new();
    let mut kpis = Vec::new();
    let mut series = vec![short(name)];
    for (m, p) in meta
        .iter()
        .filter(|m| m.target.is_some())
        .zip(&r.target_met)
    {
        let x = format!("{} {}", m.name, m.target.as_deref().unwrap_or("").trim());
        kpis.push(x.clone());
        cells.push(Cell::new(x, Some(&short(name)), Some(num(*p)), percent(*p)));
    }
    if let Some(v) = &sim.vs {
        series.push(short(&v.name));
        for (m, p) in v
            .meta
            .iter()
            .filter(|m| m.target.is_some())
            .zip(&v.report.target_met)
        {
            let x = format!("{} {}", m.name, m.target.as_deref().unwrap_or("").trim());
            if !kpis.contains(&x) {
                kpis.push(x.clone());
            }
            cells.push(Cell::new(
                x,
                Some(&short(&v.name)),
                Some(num(*p)),
                percent(*p),
            ));
        }
    }
    let chart = Chart::new(
        "targets",
        Kind::Bars,
        "Probability each target is met",
        Axis::new("target", None),
        Axis::new("runs where the target is met (%)", Some(Unit::Percent)),
    )
    .describe("The share of runs in which each target is met (an undefined KPI counts as not met).")
    .margin_for(&kpis);
    let empty = cells.is_empty();
    let layout = if sim.vs.is_some() {
        Layout::Grouped
    } else {
        Layout::Single
    };
    let series = if sim.vs.is_some() { series } else { Vec::new() };
    let cells: Vec<Cell> = if sim.vs.is_some() {
        cells
    } else {
        cells.into_iter().map(|c| Cell { s: None, ..c }).collect()
    };
    let mut chart = bars(fill(chart, kpis, series, &cells, false), layout, true);
    chart.value_labels = true;
    if empty {
        chart.empty = Some("The playbook sets no targets.".into());
    }
    chart
}

/// One chart per stage (of either playbook): leads in it at the end of each
/// week, median line and p5–p95 band, one series per playbook with `--vs`.
fn fan_section(sim: &Simulation) -> Section {
    let (name, _, _) = &sim.base;
    let mut sides: Vec<(String, &[String], &[RunSummary])> =
        vec![(short(name), &sim.stages, &sim.base_runs)];
    if let Some(v) = &sim.vs {
        sides.push((short(&v.name), &v.stages, &v.runs));
    }
    let mut stages: Vec<String> = Vec::new();
    for (_, names, _) in &sides {
        for n in names.iter() {
            if !stages.contains(n) {
                stages.push(n.clone());
            }
        }
    }
    let mut s = Section::new("stages", "Leads per stage, week by week");
    s.grid = true;
    s.intro = Some(format!(
        "For each stage, the leads in it at the end of each week of the horizon: the median over the {} runs as a line, the band from p5 to p95.{}",
        sim.runs,
        if sim.vs.is_some() { " Both playbooks, in two colours." } else { "" }
    ));
    for (i, stage) in stages.iter().enumerate() {
        let present: Vec<(&String, usize, &[RunSummary])> = sides
            .iter()
            .filter_map(|(who, names, runs)| {
                names
                    .iter()
                    .position(|n| n == stage)
                    .map(|p| (who, p, *runs))
            })
            .collect();
        s.charts.push(fan(i, stage, &present, sim.vs.is_some()));
    }
    s
}

/// p5, median and p95 over runs of the leads in stage `p` at the end of week `w`.
fn week_spread(runs: &[RunSummary], w: usize, p: usize) -> [Option<Decimal>; 3] {
    let mut v: Vec<Decimal> = runs
        .iter()
        .map(|r| {
            r.stage_weekly
                .get(w)
                .and_then(|x| x.get(p))
                .map_or(Decimal::ZERO, |x| Decimal::from(*x))
        })
        .collect();
    v.sort();
    [percentile(&v, 5), percentile(&v, 50), percentile(&v, 95)]
}

fn fan(i: usize, stage: &str, sides: &[(&String, usize, &[RunSummary])], vs: bool) -> Chart {
    let weeks = sides
        .iter()
        .map(|(_, _, runs)| runs.first().map_or(0, |r| r.stage_weekly.len()))
        .max()
        .unwrap_or(0);
    let mut chart = Chart::new(
        &format!("fan-{i}"),
        Kind::Fan,
        format!("{stage}: leads at the end of each week"),
        Axis::new("week of the horizon", None),
        Axis::new("leads in the stage", Some(Unit::Count)),
    )
    .describe(format!(
        "Leads whose stage is {stage} at the end of each week: median over runs, band from p5 to p95."
    ));
    let mut header = vec!["week".to_string()];
    header.extend(sides.iter().map(|(who, _, _)| {
        if vs {
            format!("{who}: p5 / median / p95")
        } else {
            "p5 / median / p95".to_string()
        }
    }));
    let mut rows = Vec::new();
    for w in 0..weeks {
        let mut row = vec![(w + 1).to_string()];
        for (who, p, runs) in sides {
            let [lo, mid, hi] = week_spread(runs, w, *p);
            row.push(format!("{} / {} / {}", n(lo), n(mid), n(hi)));
            let prefix = if vs {
                format!("{who}, ")
            } else {
                String::new()
            };
            chart.data.push(Datum {
                x: Some((w + 1).into()),
                s: vs.then(|| who.to_string()),
                lo: lo.map(num),
                mid: mid.map(num),
                hi: hi.map(num),
                label: format!(
                    "{prefix}week {}: median {} (p5 {}, p95 {})",
                    w + 1,
                    n(mid),
                    n(lo),
                    n(hi)
                ),
                ..Datum::default()
            });
        }
        rows.push(row);
    }
    chart.table = Table {
        numeric: (1..header.len()).collect(),
        header,
        rows,
    };
    if vs {
        chart.series = Some(sides.iter().map(|(who, _, _)| who.to_string()).collect());
    }
    if weeks == 0 {
        chart.empty = Some("The horizon is shorter than a week.".into());
    }
    chart
}

fn sends_chart(sim: &Simulation) -> Chart {
    let (name, _, r) = &sim.base;
    let mut sides = vec![(short(name), &r.sends_daily)];
    if let Some(v) = &sim.vs {
        sides.push((short(&v.name), &v.report.sends_daily));
    }
    let days = sides.iter().map(|(_, d)| d.len()).max().unwrap_or(0);
    let categories: Vec<String> = (1..=days).map(|d| d.to_string()).collect();
    let mut cells = Vec::new();
    let mut series = Vec::new();
    for (who, daily) in &sides {
        let prefix = if sim.vs.is_some() {
            format!("{who}: ")
        } else {
            String::new()
        };
        let (med, p95) = (format!("{prefix}median"), format!("{prefix}p95"));
        series.push(med.clone());
        series.push(p95.clone());
        for (d, (m, p)) in daily.iter().enumerate() {
            let day = (d + 1).to_string();
            cells.push(Cell::new(
                day.clone(),
                Some(&med),
                Some(num(*m)),
                n(Some(*m)),
            ));
            cells.push(Cell::new(day, Some(&p95), Some(num(*p)), n(Some(*p))));
        }
    }
    let chart = Chart::new(
        "sends-per-day",
        Kind::Lines,
        "Sends per day",
        Axis::new("day of the horizon", None),
        Axis::new("sends", Some(Unit::Count)),
    )
    .describe("Emails sent per day: the median over runs and the p95 (a busy day's volume).");
    let mut chart = fill(chart, categories, series, &cells, false);
    if days == 0 {
        chart.empty = Some("The horizon has no days.".into());
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_read_as_ranges() {
        let b = Bin {
            x1: 10.0,
            x2: 12.0,
            counts: vec![1],
        };
        assert_eq!(bin_label(&b, KTy::Number, true, "USD"), "10–11");
        let one = Bin {
            x1: 3.0,
            x2: 4.0,
            counts: vec![1],
        };
        assert_eq!(bin_label(&one, KTy::Number, true, "USD"), "3");
        let p = Bin {
            x1: 0.2,
            x2: 0.25,
            counts: vec![1],
        };
        assert_eq!(bin_label(&p, KTy::Percent, false, "USD"), "20% to <25%");
        assert_eq!(
            short("playbooks/saas_inbound.funnel"),
            "saas_inbound.funnel"
        );
    }
}
