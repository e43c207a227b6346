//! The `funnel plan --report` page: where changed leads go (a matrix of
//! old final stage × new final stage), stage entries per month before and
//! after for each stage whose entries change, KPI totals before and after
//! (one chart per unit, flipped targets outlined and named), and sends
//! added or removed: per template in total and per template per ISO week.

use std::collections::BTreeMap;

use funnel_engine::display::{fmt_kpi, fmt_time_short};
use funnel_engine::kpi::KTy;
use funnel_engine::Compiled;
use funnel_plan::{Plan, TargetFlip};
use rust_decimal::Decimal;

use crate::build::{bars, fill, Cell};
use crate::model::{Axis, Chart, Datum, Kind, Layout, Page, Section, Table, Unit};
use crate::units::{count, num, unit, unit_words};

/// What the page says about its inputs beside the plan.
pub struct PlanFiles<'a> {
    pub old_file: &'a str,
    pub new_file: &'a str,
    pub old: &'a Compiled,
    pub new: &'a Compiled,
    pub leads_file: &'a str,
    pub events_file: &'a str,
    pub as_of: Option<i64>,
}

const NONE: &str = "(outside the funnel)";

fn n(x: usize) -> String {
    fmt_kpi(Some(Decimal::from(x)), KTy::Number, "")
}

fn signed(x: i64) -> String {
    match x {
        0 => "0".to_string(),
        x if x > 0 => format!("+{}", n(x.unsigned_abs() as usize)),
        x => format!("-{}", n(x.unsigned_abs() as usize)),
    }
}

/// `1 lead`, `3 leads`.
fn plural(x: usize, one: &str, many: &str) -> String {
    format!("{} {}", n(x), if x == 1 { one } else { many })
}

/// The report of a plan as a [`Page`].
pub fn page(plan: &Plan, f: &PlanFiles<'_>) -> Page {
    let mut facts = vec![
        (
            "Old".to_string(),
            format!("{} ({})", f.old_file, f.old.name),
        ),
        (
            "New".to_string(),
            format!("{} ({})", f.new_file, f.new.name),
        ),
        (
            "Leads".to_string(),
            format!("{} ({} leads)", f.leads_file, n(plan.leads)),
        ),
        ("Events".to_string(), f.events_file.to_string()),
    ];
    if let Some(t) = f.as_of {
        facts.push(("As of".to_string(), fmt_time_short(t, f.new.tz)));
    }
    facts.push(("Time zone".to_string(), f.new.tz.name().to_string()));
    let (added, removed) = plan.sends();
    let summary = if plan.has_changes() {
        vec![format!(
            "{} change stage ({} forward, {} back); {} added, {} removed; {} {}.",
            plural(plan.changed.len(), "lead", "leads"),
            n(plan.counts.forward),
            n(plan.counts.back),
            plural(added, "send", "sends"),
            n(removed),
            plural(plan.targets.len(), "target", "targets"),
            if plan.targets.len() == 1 {
                "flips"
            } else {
                "flip"
            }
        )]
    } else {
        vec!["No changes. Both playbooks give the same result on this data.".to_string()]
    };
    Page {
        command: "plan".to_string(),
        title: format!("Funnel plan: {} → {}", f.old.name, f.new.name),
        facts,
        summary,
        sections: vec![
            moves_section(plan),
            entries_section(plan),
            kpi_section(plan, f),
            sends_section(plan),
        ],
    }
}

fn moves_section(plan: &Plan) -> Section {
    let mut s = Section::new("moves", "Leads that change stage");
    let label = |x: &Option<String>| x.clone().unwrap_or_else(|| NONE.to_string());
    let used = |pick: fn(&funnel_plan::Move) -> &Option<String>| {
        let mut v: Vec<String> = Vec::new();
        if plan.moves.iter().any(|m| pick(m).is_none()) {
            v.push(NONE.to_string());
        }
        for st in &plan.stages {
            if plan
                .moves
                .iter()
                .any(|m| pick(m).as_deref() == Some(&st.name))
            {
                v.push(st.name.clone());
            }
        }
        v
    };
    let rows = used(|m| &m.from);
    let cols = used(|m| &m.to);
    let mut chart = Chart::new(
        "moves",
        Kind::Matrix,
        "Final stage, old playbook → new playbook",
        Axis::new("final stage under the new playbook", None),
        Axis::new("final stage under the old playbook", None),
    )
    .describe("Each cell counts the leads that end in the row's stage under the old playbook and in the column's stage under the new one (leads that end in the same stage are not counted).")
    .margin_for(&rows);
    chart.value_label = Some("leads".into());
    let mut table = Table {
        header: ["old stage", "new stage", "direction", "leads"]
            .map(String::from)
            .to_vec(),
        numeric: vec![3],
        rows: Vec::new(),
    };
    for m in &plan.moves {
        chart.data.push(Datum {
            x: Some(label(&m.to).into()),
            y: Some(label(&m.from).into()),
            v: Some(count(m.leads)),
            label: n(m.leads),
            ..Datum::default()
        });
        table.rows.push(vec![
            label(&m.from),
            label(&m.to),
            m.direction.as_str().to_string(),
            n(m.leads),
        ]);
    }
    chart.table = table;
    chart.categories = Some(cols);
    chart.rows = Some(rows);
    if plan.moves.is_empty() {
        chart.empty = Some("No lead ends in another stage.".into());
    }
    let c = &plan.counts;
    s.intro = Some(format!(
        "{} end in another stage: {} forward, {} back, {} to a lost stage, {} from a lost stage, {} other. {} more keep their final stage but move through the funnel at other times.",
        plural(plan.changed.len(), "lead", "leads"),
        n(c.forward),
        n(c.back),
        n(c.to_lost),
        n(c.from_lost),
        n(c.other),
        n(plan.retimed.len())
    ));
    s.charts.push(chart);
    s
}

fn entries_section(plan: &Plan) -> Section {
    let mut s = Section::new("entries", "Stage entries per month, before and after");
    let mut by_stage: BTreeMap<&str, Vec<&funnel_plan::Entries>> = BTreeMap::new();
    for e in &plan.entries {
        by_stage.entry(e.stage.as_str()).or_default().push(e);
    }
    let mut unchanged = Vec::new();
    for st in &plan.stages {
        let Some(rows) = by_stage.get(st.name.as_str()) else {
            continue;
        };
        if rows.iter().all(|e| e.before == e.after) {
            unchanged.push(st.name.clone());
            continue;
        }
        let mut cells = Vec::new();
        let mut months: Vec<String> = Vec::new();
        for e in rows {
            months.push(e.period.clone());
            cells.push(Cell::new(
                e.period.clone(),
                Some("before"),
                Some(count(e.before)),
                n(e.before),
            ));
            cells.push(Cell::new(
                e.period.clone(),
                Some("after"),
                Some(count(e.after)),
                n(e.after),
            ));
        }
        months.sort();
        months.dedup();
        let id = format!("entries-{}", st.name);
        let chart = Chart::new(
            &id,
            Kind::Bars,
            format!("Entries into {} per month", st.name),
            Axis::new("month", None),
            Axis::new("leads entering", Some(Unit::Count)),
        )
        .describe(format!(
            "Leads entering {} per month under the old playbook (before) and the new one (after), as `count(entered {}) by month` counts them.",
            st.name, st.name
        ));
        let series = vec!["before".to_string(), "after".to_string()];
        let mut chart = bars(
            fill(chart, months, series, &cells, true),
            Layout::Grouped,
            false,
        );
        let changes: BTreeMap<&str, i64> = rows
            .iter()
            .map(|e| (e.period.as_str(), e.after as i64 - e.before as i64))
            .collect();
        chart.table.header.push("change".into());
        chart.table.numeric.push(3);
        for row in &mut chart.table.rows {
            let ch = row.first().and_then(|m| changes.get(m.as_str())).copied();
            row.push(signed(ch.unwrap_or(0)));
        }
        s.charts.push(chart);
    }
    s.intro = Some(if unchanged.is_empty() {
        "Every stage below gains or loses entries in some month.".to_string()
    } else {
        format!("Entries do not change for: {}.", unchanged.join(", "))
    });
    if s.charts.is_empty() {
        let mut c = Chart::new(
            "entries",
            Kind::Bars,
            "Entries per stage per month",
            Axis::new("month", None),
            Axis::new("leads entering", Some(Unit::Count)),
        );
        c.empty = Some("No stage gains or loses an entry in any month.".into());
        s.charts.push(c);
    }
    s
}

fn flip_words(t: &TargetFlip) -> String {
    let side = |x: &Option<(String, funnel_engine::TargetStatus)>| {
        x.as_ref()
            .map_or("no target".to_string(), |(_, s)| s.as_str().to_string())
    };
    format!("{} → {}", side(&t.before), side(&t.after))
}

/// The KPIs of one unit: their bars, names in order, the flipped ones.
struct UnitKpis {
    ty: KTy,
    cells: Vec<Cell>,
    names: Vec<String>,
    flipped: Vec<String>,
}

fn kpi_section(plan: &Plan, f: &PlanFiles<'_>) -> Section {
    let cur = &f.new.currency;
    let mut s = Section::new("kpis", "KPIs before and after");
    let mut table = Table {
        header: ["kpi", "before", "after", "change", "target"]
            .map(String::from)
            .to_vec(),
        numeric: vec![1, 2, 3],
        rows: Vec::new(),
    };
    let flips: BTreeMap<&str, &TargetFlip> =
        plan.targets.iter().map(|t| (t.kpi.as_str(), t)).collect();
    let mut per_type: Vec<UnitKpis> = Vec::new();
    for k in &plan.kpis {
        let ty = k
            .after
            .as_ref()
            .or(k.before.as_ref())
            .map_or(KTy::Number, |v| v.ty);
        let show = |v: &Option<funnel_plan::KpiValue>| match v {
            Some(v) => fmt_kpi(v.value, v.ty, cur),
            None => "(no such kpi)".to_string(),
        };
        let flip = flips.get(k.name.as_str());
        table.rows.push(vec![
            k.name.clone(),
            show(&k.before),
            show(&k.after),
            funnel_sim::render::signed(k.change, ty, cur),
            flip.map_or(String::new(), |t| format!("flips: {}", flip_words(t))),
        ]);
        let x = match flip {
            Some(t) => format!("{} (target {})", k.name, flip_words(t)),
            None => k.name.clone(),
        };
        let idx = match per_type.iter().position(|p| p.ty == ty) {
            Some(i) => i,
            None => {
                per_type.push(UnitKpis {
                    ty,
                    cells: Vec::new(),
                    names: Vec::new(),
                    flipped: Vec::new(),
                });
                per_type.len() - 1
            }
        };
        let entry = &mut per_type[idx];
        for (side, v) in [("before", &k.before), ("after", &k.after)] {
            if let Some(v) = v {
                entry.cells.push(Cell::new(
                    x.clone(),
                    Some(side),
                    v.value.map(num),
                    fmt_kpi(v.value, v.ty, cur),
                ));
            }
        }
        entry.names.push(x.clone());
        if flip.is_some() {
            entry.flipped.push(x);
        }
    }
    s.intro = Some(format!(
        "Each KPI's value over the whole data under both playbooks, one chart per unit. {}",
        if plan.targets.is_empty() {
            "No target flips.".to_string()
        } else {
            format!(
                "Outlined bars: the {} target{} that flip{} between met and missed.",
                plan.targets.len(),
                if plan.targets.len() == 1 { "" } else { "s" },
                if plan.targets.len() == 1 { "s" } else { "" }
            )
        }
    ));
    s.table = Some(table);
    for UnitKpis {
        ty,
        cells,
        names,
        flipped,
    } in per_type
    {
        let words = unit_words(ty, cur);
        let chart = Chart::new(
            &format!("kpis-{}", ty.as_str().replace(' ', "-")),
            Kind::Bars,
            format!("KPIs in {words}: before and after"),
            Axis::new("kpi", None),
            Axis::new(format!("value ({words})"), Some(unit(ty, cur))),
        )
        .describe("Before: the old playbook; after: the new one. An undefined value has no bar.")
        .margin_for(&names);
        let series = vec!["before".to_string(), "after".to_string()];
        let mut chart = bars(
            fill(chart, names, series, &cells, false),
            Layout::Grouped,
            true,
        );
        chart.value_labels = true;
        chart.highlight = flipped;
        s.charts.push(chart);
    }
    s
}

fn sends_section(plan: &Plan) -> Section {
    let mut s = Section::new("sends", "Sends added and removed");
    let sends: Vec<&funnel_plan::ActionChange> =
        plan.actions.iter().filter(|a| a.kind == "send").collect();
    let mut cells = Vec::new();
    let mut templates = Vec::new();
    for a in &sends {
        templates.push(a.what.clone());
        cells.push(Cell::new(
            a.what.clone(),
            Some("added"),
            Some(count(a.added)),
            n(a.added),
        ));
        cells.push(Cell::new(
            a.what.clone(),
            Some("removed"),
            Some(-count(a.removed)),
            format!("-{}", n(a.removed)),
        ));
    }
    let chart = Chart::new(
        "sends-by-template",
        Kind::Bars,
        "Sends added and removed per template",
        Axis::new("template", None),
        Axis::new("sends (added +, removed −)", Some(Unit::Count)),
    )
    .describe("Compared lead by lead: sends the new playbook makes that the old one did not (added), and the other way round (removed).")
    .margin_for(&templates);
    let series = vec!["added".to_string(), "removed".to_string()];
    let mut by_template = bars(
        fill(chart, templates, series, &cells, true),
        Layout::Stacked,
        true,
    );
    if !sends.iter().any(|a| a.added + a.removed > 0) {
        by_template.empty = Some("No send is added or removed.".into());
    }
    for (row, a) in by_template.table.rows.iter_mut().zip(&sends) {
        row.push(n(a.before));
        row.push(n(a.after));
    }
    by_template
        .table
        .header
        .extend(["before".to_string(), "after".to_string()]);
    by_template.table.numeric.extend([3, 4]);

    let mut weeks: Vec<String> = plan.sends_by_week.iter().map(|w| w.week.clone()).collect();
    weeks.sort();
    weeks.dedup();
    let mut names: Vec<String> = plan
        .sends_by_week
        .iter()
        .map(|w| w.template.clone())
        .collect();
    names.sort();
    names.dedup();
    let week_cells: Vec<Cell> = plan
        .sends_by_week
        .iter()
        .map(|w| {
            let d = w.after as i64 - w.before as i64;
            Cell::new(w.week.clone(), Some(&w.template), Some(d as f64), signed(d))
        })
        .collect();
    let chart = Chart::new(
        "sends-by-week",
        Kind::Bars,
        "Change in sends per template per week",
        Axis::new("ISO week", None),
        Axis::new("sends, after − before", Some(Unit::Count)),
    )
    .describe("Only the weeks and templates whose number of sends differs: above zero the new playbook sends more, below it fewer.");
    let mut by_week = bars(
        fill(chart, weeks, names, &week_cells, true),
        Layout::Stacked,
        false,
    );
    if plan.sends_by_week.is_empty() {
        by_week.empty = Some("No week has a different number of sends.".into());
    }
    s.charts = vec![by_template, by_week];
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_counts() {
        assert_eq!(signed(0), "0");
        assert_eq!(signed(1234), "+1,234");
        assert_eq!(signed(-3), "-3");
    }
}
