//! The `funnel run --report` page: the funnel (leads that reached each
//! stage, leads in it now, conversion between consecutive stages), stage
//! entries per month, every KPI (a scorecard; KPIs grouped by a period as
//! lines with their target; other grouped KPIs as bars), SLA breaches per
//! month, sends per template per week, and the input summary with the
//! first rejection of each kind.

use std::collections::BTreeMap;

use funnel_engine::kpi::eval::KpiResult;
use funnel_engine::kpi::{ByKey, KTy, Period};
use funnel_engine::output::{fmt_kpi, fmt_time_short};
use funnel_engine::trace::ActionDetail;
use funnel_engine::{Compiled, Dataset, InputReport, Outcome};
use rust_decimal::Decimal;

use crate::build::{bars, categories_of, fill, series_of, Cell};
use crate::model::{Axis, Chart, Kind, Layout, Page, Rule, RuleKind, Section, Table, Unit};
use crate::periods;
use crate::units::{count, kpi_label, num, percent, unit};

/// Bars a grouped KPI shows at most (the table lists every group).
pub const MAX_GROUP_BARS: usize = 40;
/// Lines a KPI grouped by a period and more shows at most.
pub const MAX_SERIES: usize = 12;

/// The files a run read, as the user named them.
pub struct RunFiles<'a> {
    pub playbook: &'a str,
}

/// Per stage in funnel order: name, lost, leads that entered it.
pub fn stage_counts(c: &Compiled, o: &Outcome) -> Vec<(String, bool, usize)> {
    let ns = c.stages.len();
    c.stages
        .iter()
        .enumerate()
        .map(|(s, def)| {
            let n = o
                .entered
                .iter()
                .skip(s)
                .step_by(ns.max(1))
                .filter(|t| **t != i64::MIN)
                .count();
            (def.name.clone(), def.lost, n)
        })
        .collect()
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

fn leads(n: usize) -> String {
    fmt_kpi(Some(Decimal::from(n)), KTy::Number, "")
}

/// The report of a run as a [`Page`].
pub fn page(c: &Compiled, ds: &Dataset, o: &Outcome, files: &RunFiles<'_>) -> Page {
    let name = if c.name.is_empty() {
        "playbook"
    } else {
        &c.name
    };
    let mut facts = vec![
        ("Playbook".to_string(), format!("{} ({name})", files.playbook)),
        ("Leads".to_string(), ds.lead_report.file.clone()),
        ("Events".to_string(), ds.event_report.file.clone()),
    ];
    if let Some(t) = o.as_of {
        facts.push(("As of".to_string(), fmt_time_short(t, c.tz)));
    }
    facts.push(("Time zone".to_string(), c.tz.name().to_string()));
    facts.push(("Currency".to_string(), c.currency.clone()));
    let met = o
        .kpis
        .iter()
        .filter(|k| matches!(&k.target, Some((_, s)) if s.as_str() == "met"))
        .count();
    let targets = o.kpis.iter().filter(|k| k.target.is_some()).count();
    let summary = vec![format!(
        "{} leads and {} events replayed ({} timers fired); {} actions, {} SLA breaches; {met} of {targets} targets met.",
        leads(ds.lead_report.used),
        leads(o.events_replayed),
        leads(o.timers_fired),
        leads(o.actions.len()),
        leads(o.breaches.len()),
    )];
    Page {
        command: "run".to_string(),
        title: format!("Funnel run: {name}"),
        facts,
        summary,
        sections: vec![
            funnel_section(c, o),
            entries_section(c, o),
            kpi_section(c, o),
            breaches_section(c, o),
            sends_section(ds, c, o),
            input_section(ds),
        ],
    }
}

fn funnel_section(c: &Compiled, o: &Outcome) -> Section {
    let counts = stage_counts(c, o);
    let now = now_counts(c, o);
    let stage_names: Vec<String> = counts
        .iter()
        .map(|(n, lost, _)| {
            if *lost {
                format!("{n} (lost)")
            } else {
                n.clone()
            }
        })
        .collect();
    let mut cells = Vec::new();
    for (((_, _, reached), now), label) in counts.iter().zip(&now).zip(&stage_names) {
        cells.push(Cell::new(
            label.clone(),
            Some("reached"),
            Some(count(*reached)),
            leads(*reached),
        ));
        cells.push(Cell::new(
            label.clone(),
            Some("now in stage"),
            Some(count(*now)),
            leads(*now),
        ));
    }
    let chart = Chart::new(
        "funnel-stages",
        Kind::Bars,
        "Leads per stage",
        Axis::new("stage", None),
        Axis::new("leads", Some(Unit::Count)),
    )
    .describe(
        "Reached: leads that ever entered the stage (a stage jumped over counts). \
         Now in stage: leads whose current stage it is.",
    )
    .margin_for(&stage_names);
    let series = vec!["reached".to_string(), "now in stage".to_string()];
    let mut stages = fill(chart, stage_names.clone(), series, &cells, true);
    stages = bars(stages, Layout::Grouped, true);
    stages.value_labels = true;

    // Conversion: reached ÷ reached of the previous stage that is not lost.
    let mut conv = Vec::new();
    let mut prev: Option<(&str, usize)> = None;
    for (name, lost, n) in &counts {
        if *lost {
            continue;
        }
        if let Some((p, pn)) = prev {
            let pair = format!("{p} → {name}");
            if pn == 0 {
                conv.push(Cell::new(pair, None, None, "undefined".into()));
            } else {
                let f = Decimal::from(*n) / Decimal::from(pn);
                conv.push(Cell::new(pair, None, Some(num(f)), percent(f)));
            }
        }
        prev = Some((name, *n));
    }
    let pairs: Vec<String> = conv.iter().map(|c| c.x.clone()).collect();
    let chart = Chart::new(
        "funnel-conversion",
        Kind::Bars,
        "Conversion between consecutive stages",
        Axis::new("from → to", None),
        Axis::new("conversion (%)", Some(Unit::Percent)),
    )
    .describe("Leads that reached a stage as a share of those that reached the stage before it (lost stages left out).")
    .margin_for(&pairs);
    let mut conversion = bars(fill(chart, pairs, Vec::new(), &conv, false), Layout::Single, true);
    conversion.value_labels = true;
    if conv.is_empty() {
        conversion.empty = Some("The funnel has fewer than two stages that are not lost.".into());
    }
    let mut s = Section::new("funnel", "Funnel");
    s.charts = vec![stages, conversion];
    s
}

fn entries_section(c: &Compiled, o: &Outcome) -> Section {
    let ns = c.stages.len().max(1);
    let mut per: BTreeMap<(String, usize), usize> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (i, &t) in o.entered.iter().enumerate() {
        if t == i64::MIN {
            continue;
        }
        first = first.min(t);
        last = last.max(t);
        *per.entry((periods::label(Period::Month, t, c.tz), i % ns))
            .or_insert(0) += 1;
    }
    let mut chart = Chart::new(
        "stage-entries",
        Kind::Lines,
        "Stage entries per month",
        Axis::new(format!("month ({})", c.tz.name()), None),
        Axis::new("leads entering", Some(Unit::Count)),
    )
    .describe("Leads entering each stage per month, as `count(entered STAGE) by month` counts them (stages jumped over count as entered).");
    if per.is_empty() {
        chart.empty = Some("No lead entered any stage.".into());
        let mut s = Section::new("entries", "Stage entries per month");
        s.charts = vec![chart];
        return s;
    }
    let months = periods::span(Period::Month, first, last, c.tz, &[]);
    let names: Vec<String> = c.stages.iter().map(|s| s.name.clone()).collect();
    let mut cells = Vec::new();
    for m in &months {
        for (s, name) in names.iter().enumerate() {
            let n = per.get(&(m.clone(), s)).copied().unwrap_or(0);
            cells.push(Cell::new(m.clone(), Some(name), Some(count(n)), leads(n)));
        }
    }
    chart = fill(chart, months, names, &cells, false);
    let mut s = Section::new("entries", "Stage entries per month");
    s.charts = vec![chart];
    s
}

fn status_cell(k: &KpiResult) -> (String, String) {
    match &k.target {
        Some((text, s)) => (text.clone(), s.as_str().to_string()),
        None => (String::new(), String::new()),
    }
}

fn kpi_section(c: &Compiled, o: &Outcome) -> Section {
    let mut s = Section::new("kpis", "KPIs");
    let mut table = Table {
        header: ["kpi", "value", "target", "status"].map(String::from).to_vec(),
        numeric: vec![1],
        rows: Vec::new(),
    };
    for k in &o.kpis {
        let (target, status) = status_cell(k);
        table.rows.push(vec![
            k.name.clone(),
            fmt_kpi(k.total, k.ty, &c.currency),
            target,
            status,
        ]);
    }
    if o.kpis.is_empty() {
        s.intro = Some("The playbook declares no KPIs.".into());
        return s;
    }
    s.intro = Some(
        "Each KPI's value over the whole run and its target. KPIs grouped by a period are drawn by period with the target as a dashed line; other grouped KPIs as bars per group."
            .into(),
    );
    s.table = Some(table);
    for k in &o.kpis {
        if k.groups.is_empty() {
            continue;
        }
        let def = c.kpis.iter().find(|d| d.name == k.name);
        let period = def.and_then(|d| {
            d.by.iter().position(|b| matches!(b, ByKey::Period(_)))
        });
        let rule = def.and_then(|d| d.target.as_ref()).map(|(_, v, text)| Rule {
            kind: RuleKind::Target,
            value: num(*v),
            label: format!("target {}", target_words(text, &k.name)),
            row: 0,
        });
        let chart = match period {
            Some(p) => period_chart(c, k, p),
            None => group_chart(c, k),
        };
        s.charts.push(Chart {
            rules: rule.into_iter().collect(),
            ..chart
        });
    }
    s
}

/// `win_rate >= 25%` → `>= 25%` (the name is the chart's already).
fn target_words(text: &str, name: &str) -> String {
    text.trim()
        .strip_prefix(name)
        .map_or(text, str::trim)
        .to_string()
}

fn value_cell(x: String, s: Option<&str>, v: Option<Decimal>, ty: KTy, cur: &str) -> Cell {
    Cell::new(x, s, v.map(num), fmt_kpi(v, ty, cur))
}

fn period_chart(c: &Compiled, k: &KpiResult, p: usize) -> Chart {
    let period_name = k.by.get(p).cloned().unwrap_or_default();
    let others: Vec<&String> = k
        .by
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != p)
        .map(|(_, b)| b)
        .collect();
    let mut cells: Vec<Cell> = Vec::new();
    for (key, v) in &k.groups {
        let x = key.get(p).cloned().unwrap_or_default();
        let rest: Vec<&str> = key
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != p)
            .map(|(_, s)| s.as_str())
            .collect();
        let series = (!rest.is_empty()).then(|| rest.join(" · "));
        cells.push(value_cell(x, series.as_deref(), *v, k.ty, &c.currency));
    }
    let mut series = series_of(&cells);
    let mut note = String::new();
    if series.len() > MAX_SERIES {
        // Keep the series with the most defined points (then by name).
        let mut by_points: Vec<(usize, String)> = series
            .iter()
            .map(|s| {
                let n = cells
                    .iter()
                    .filter(|c| c.s.as_ref() == Some(s) && c.value.is_some())
                    .count();
                (n, s.clone())
            })
            .collect();
        by_points.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let keep: Vec<String> = by_points.into_iter().take(MAX_SERIES).map(|x| x.1).collect();
        note = format!(
            " The {MAX_SERIES} groups with the most {period_name}s are drawn; the table lists all {}.",
            series.len()
        );
        series.retain(|s| keep.contains(s));
    }
    let categories = categories_of(&cells);
    let by_words = if others.is_empty() {
        String::new()
    } else {
        format!(
            ", one line per {}",
            others
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" · ")
        )
    };
    let chart = Chart::new(
        &format!("kpi-{}", k.name),
        Kind::Lines,
        format!("{} by {period_name}", k.name),
        Axis::new(period_name.clone(), None),
        Axis::new(
            kpi_label(&k.name, k.ty, &c.currency),
            Some(unit(k.ty, &c.currency)),
        ),
    )
    .describe(format!(
        "The KPI per {period_name}{by_words}; a {period_name} where it is undefined has no point.{}{note}",
        target_note(k)
    ));
    let full_series = series_of(&cells);
    let mut chart = fill(chart, categories, full_series, &cells, false);
    if let Some(all) = &chart.series {
        if all.len() > series.len() {
            chart.data.retain(|d| d.s.as_ref().map_or(true, |s| series.contains(s)));
            chart.series = Some(series);
        }
    }
    chart
}

fn target_note(k: &KpiResult) -> String {
    match &k.target {
        Some((text, s)) => format!(
            " The target ({}) is judged on the whole run's value, {}: {}.",
            text.trim(),
            fmt_total_words(k),
            s.as_str()
        ),
        None => String::new(),
    }
}

fn fmt_total_words(k: &KpiResult) -> String {
    match k.total {
        Some(_) => "shown in the table above".to_string(),
        None => "undefined".to_string(),
    }
}

fn group_chart(c: &Compiled, k: &KpiResult) -> Chart {
    let by = k.by.join(" · ");
    let cells: Vec<Cell> = k
        .groups
        .iter()
        .map(|(key, v)| value_cell(key.join(" · "), None, *v, k.ty, &c.currency))
        .collect();
    let mut categories: Vec<String> = cells.iter().map(|c| c.x.clone()).collect();
    let mut note = String::new();
    if categories.len() > MAX_GROUP_BARS {
        note = format!(
            " The first {MAX_GROUP_BARS} of {} groups are drawn; the table lists all.",
            categories.len()
        );
    }
    let chart = Chart::new(
        &format!("kpi-{}", k.name),
        Kind::Bars,
        format!("{} by {by}", k.name),
        Axis::new(by.clone(), None),
        Axis::new(
            kpi_label(&k.name, k.ty, &c.currency),
            Some(unit(k.ty, &c.currency)),
        ),
    )
    .describe(format!(
        "The KPI per {by}; a group where it is undefined has no bar.{}{note}",
        target_note(k)
    ))
    .margin_for(&categories);
    let all = categories.clone();
    categories.truncate(MAX_GROUP_BARS);
    let mut chart = fill(chart, all, Vec::new(), &cells, false);
    chart.data.retain(|d| {
        d.x.as_ref()
            .and_then(|x| x.as_str())
            .is_some_and(|x| categories.iter().any(|c| c == x))
    });
    chart.categories = Some(categories);
    chart.value_labels = true;
    bars(chart, Layout::Single, true)
}

fn breaches_section(c: &Compiled, o: &Outcome) -> Section {
    let sla_name = |i: u16| {
        c.slas.get(i as usize).map_or(String::new(), |s| {
            let n = |x: u16| c.stages.get(x as usize).map_or("", |d| d.name.as_str());
            format!("{} -> {}", n(s.from), n(s.to))
        })
    };
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for b in &o.breaches {
        *per.entry((periods::label(Period::Month, b.at, c.tz), sla_name(b.sla)))
            .or_insert(0) += 1;
    }
    let mut chart = Chart::new(
        "sla-breaches",
        Kind::Bars,
        "SLA breaches per month",
        Axis::new(format!("month ({})", c.tz.name()), None),
        Axis::new("breaches", Some(Unit::Count)),
    )
    .describe("Deadlines missed per month of the deadline, one colour per `sla FROM -> TO`.");
    let mut s = Section::new("breaches", "SLA breaches");
    if c.slas.is_empty() {
        chart.empty = Some("The playbook declares no SLAs.".into());
    } else if per.is_empty() {
        chart.empty = Some("No SLA was breached.".into());
    }
    if chart.empty.is_some() {
        s.charts = vec![chart];
        return s;
    }
    let first = o.breaches.iter().map(|b| b.at).min().unwrap_or(0);
    let last = o.breaches.iter().map(|b| b.at).max().unwrap_or(0);
    let months = periods::span(Period::Month, first, last, c.tz, &[]);
    let slas: Vec<String> = (0..c.slas.len()).map(|i| sla_name(i as u16)).collect();
    let mut cells = Vec::new();
    for m in &months {
        for sla in &slas {
            let n = per.get(&(m.clone(), sla.clone())).copied().unwrap_or(0);
            cells.push(Cell::new(m.clone(), Some(sla), Some(count(n)), leads(n)));
        }
    }
    chart = bars(fill(chart, months, slas, &cells, true), Layout::Stacked, false);
    s.charts = vec![chart];
    s
}

fn sends_section(ds: &Dataset, c: &Compiled, o: &Outcome) -> Section {
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for a in &o.actions {
        if let ActionDetail::Send(t) = &a.detail {
            first = first.min(a.at);
            last = last.max(a.at);
            *per.entry((
                periods::label(Period::Week, a.at, c.tz),
                ds.texts.resolve(*t).to_string(),
            ))
            .or_insert(0) += 1;
        }
    }
    let mut chart = Chart::new(
        "sends-per-week",
        Kind::Bars,
        "Sends per template per week",
        Axis::new(format!("ISO week ({})", c.tz.name()), None),
        Axis::new("sends", Some(Unit::Count)),
    )
    .describe("Emails the nurtures would have sent, per ISO week and template (stacked).");
    let mut s = Section::new("sends", "Sends");
    if per.is_empty() {
        chart.empty = Some("No nurture sent anything.".into());
        s.charts = vec![chart];
        return s;
    }
    let weeks = periods::span(Period::Week, first, last, c.tz, &[]);
    let mut templates: Vec<String> = per.keys().map(|(_, t)| t.clone()).collect();
    templates.sort();
    templates.dedup();
    let mut cells = Vec::new();
    for w in &weeks {
        for t in &templates {
            let n = per.get(&(w.clone(), t.clone())).copied().unwrap_or(0);
            cells.push(Cell::new(w.clone(), Some(t), Some(count(n)), leads(n)));
        }
    }
    chart = bars(fill(chart, weeks, templates, &cells, true), Layout::Stacked, false);
    s.charts = vec![chart];
    s
}

fn input_section(ds: &Dataset) -> Section {
    let mut s = Section::new("input", "Input");
    let reports: [(&str, &InputReport); 2] = [("leads", &ds.lead_report), ("events", &ds.event_report)];
    let mut table = Table {
        header: ["file", "rows read", "used", "rejected", "first rejection of each kind"]
            .map(String::from)
            .to_vec(),
        numeric: vec![1, 2, 3],
        rows: Vec::new(),
    };
    let mut cells = Vec::new();
    let mut names = Vec::new();
    for (what, r) in reports {
        let firsts: Vec<String> = r
            .by_kind
            .iter()
            .map(|(k, (n, first))| format!("{} ({n}): {}", k.as_str(), first.replace('\n', " ")))
            .collect();
        let label = format!("{what}: {}", r.file);
        table.rows.push(vec![
            label.clone(),
            leads(r.read),
            leads(r.used),
            leads(r.rejected),
            firsts.join("; "),
        ]);
        cells.push(Cell::new(label.clone(), Some("used"), Some(count(r.used)), leads(r.used)));
        cells.push(Cell::new(
            label.clone(),
            Some("rejected"),
            Some(count(r.rejected)),
            leads(r.rejected),
        ));
        names.push(label);
    }
    s.intro = Some("Rows read from each file, used by the replay or rejected (with the first problem of each kind, by file, line and column).".into());
    s.table = Some(table);
    let chart = Chart::new(
        "input-rows",
        Kind::Bars,
        "Rows read per file",
        Axis::new("file", None),
        Axis::new("rows", Some(Unit::Count)),
    )
    .describe("Each file's rows, used and rejected (stacked).")
    .margin_for(&names);
    let series = vec!["used".to_string(), "rejected".to_string()];
    let mut chart = bars(fill(chart, names, series, &cells, true), Layout::Stacked, true);
    chart.value_labels = false;
    s.charts = vec![chart];
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_words_drop_the_name() {
        assert_eq!(target_words("win_rate >= 25%", "win_rate"), ">= 25%");
        assert_eq!(target_words(">= 25%", "win_rate"), ">= 25%");
    }
}
