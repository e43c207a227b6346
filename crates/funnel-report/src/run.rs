//! The `funnel run --report` page: the funnel (leads that reached each
//! stage, leads in it now, conversion between consecutive stages), stage
//! entries per month, every KPI ([`run_kpis`](crate::run_kpis)), SLA
//! breaches per month, sends per template per week, and the input summary
//! with the first rejection of each kind.

use std::collections::BTreeMap;

use funnel_engine::display::{fmt_kpi, fmt_time_short};
use funnel_engine::kpi::eval::KpiResult;
use funnel_engine::kpi::{KTy, Period};
use funnel_engine::trace::ActionDetail;
use funnel_engine::{Compiled, Dataset, InputReport, Outcome};
use rust_decimal::Decimal;

use crate::build::{bars, fill, Cell};
use crate::model::{Axis, Chart, Kind, Layout, Page, Section, Table, Unit};
use crate::periods;
use crate::units::{count, num, percent};

/// What the page says beside the run: the playbook as the user named it,
/// and the results of the KPIs' monthly twins
/// ([`run_kpis::add_monthly_twins`](crate::run_kpis::add_monthly_twins)).
pub struct RunFiles<'a> {
    pub playbook: &'a str,
    pub monthly: &'a [KpiResult],
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
        (
            "Playbook".to_string(),
            format!("{} ({name})", files.playbook),
        ),
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
            crate::run_kpis::section(c, o, files.monthly),
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
    let mut conversion = bars(
        fill(chart, pairs, Vec::new(), &conv, false),
        Layout::Single,
        true,
    );
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
    chart = bars(
        fill(chart, months, slas, &cells, true),
        Layout::Stacked,
        false,
    );
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
    chart = bars(
        fill(chart, weeks, templates, &cells, true),
        Layout::Stacked,
        false,
    );
    s.charts = vec![chart];
    s
}

fn input_section(ds: &Dataset) -> Section {
    let mut s = Section::new("input", "Input");
    let reports: [(&str, &InputReport); 2] =
        [("leads", &ds.lead_report), ("events", &ds.event_report)];
    let mut table = Table {
        header: [
            "file",
            "rows read",
            "used",
            "rejected",
            "first rejection of each kind",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![1, 2, 3],
        rows: Vec::new(),
    };
    let mut cells = Vec::new();
    let mut names = Vec::new();
    for (what, r) in reports {
        let mut firsts: Vec<String> = r
            .by_kind
            .iter()
            .map(|(k, (n, first))| format!("{} ({n}): {}", k.as_str(), first.replace('\n', " ")))
            .collect();
        // Rows a `--map` left out, and columns nothing reads (never silent).
        if !r.unmapped.is_empty() {
            let what: Vec<String> = r
                .unmapped
                .iter()
                .map(|(w, n)| format!("{w}: {n}"))
                .collect();
            firsts.push(format!(
                "not used, unmapped ({}): {}",
                r.unmapped_rows(),
                what.join(", ")
            ));
        }
        if !r.ignored_columns.is_empty() {
            firsts.push(format!("ignored columns: {}", r.ignored_columns.join(", ")));
        }
        let label = format!("{what}: {}", r.file);
        table.rows.push(vec![
            label.clone(),
            leads(r.read),
            leads(r.used),
            leads(r.rejected),
            firsts.join("; "),
        ]);
        cells.push(Cell::new(
            label.clone(),
            Some("used"),
            Some(count(r.used)),
            leads(r.used),
        ));
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
    let mut chart = bars(
        fill(chart, names, series, &cells, true),
        Layout::Stacked,
        true,
    );
    chart.value_labels = false;
    s.charts = vec![chart];
    s
}
