//! The KPI section of the `funnel run --report` page: a scorecard of every
//! KPI with its target, a chart per KPI grouped by a period (lines, one per
//! other group, with the target as a dashed line), bars per group for other
//! grouped KPIs, and for each ungrouped KPI its values by month with the
//! target line. Those come from a *monthly twin*: the same formula with `by
//! month` added ([`add_monthly_twins`]), evaluated by the engine with the
//! playbook's own KPIs and split off before anything else reads them, so
//! the run's other outputs never see it.

use funnel_engine::display::fmt_kpi;
use funnel_engine::kpi::eval::KpiResult;
use funnel_engine::kpi::{ByKey, KExpr, KTy, Period};
use funnel_engine::{Compiled, Outcome};
use rust_decimal::Decimal;

use crate::build::{bars, categories_of, fill, series_of, Cell};
use crate::model::{Axis, Chart, Kind, Layout, Rule, RuleKind, Section, Table};
use crate::units::{kpi_label, num, unit};

/// Bars a grouped KPI shows at most (the table lists every group).
pub const MAX_GROUP_BARS: usize = 40;
/// Lines a KPI grouped by a period and more shows at most.
pub const MAX_SERIES: usize = 12;

/// Whether a KPI gets a monthly twin: it has no `by`, and its formula
/// aggregates something and reads no other KPI and no input (those are one
/// number for the whole run, which a month cannot split).
fn twinned(e: &KExpr) -> bool {
    fn walk(e: &KExpr, agg: &mut bool) -> bool {
        match e {
            KExpr::Agg(..) => {
                *agg = true;
                true
            }
            KExpr::Const(_) => true,
            // `prev` needs the KPI's own period, and a count of groups
            // counts over the run's groups: neither splits by month as is.
            KExpr::Input(_)
            | KExpr::Kpi(_)
            | KExpr::Prev(_)
            | KExpr::CountGroups(..)
            | KExpr::Undefined => false,
            KExpr::Neg(a) | KExpr::Abs(a) | KExpr::Round(a, _) => walk(a, agg),
            KExpr::Arith(_, a, b) => walk(a, agg) && walk(b, agg),
            KExpr::Extreme(_, xs) => xs.iter().all(|x| walk(x, agg)),
        }
    }
    let mut agg = false;
    walk(e, &mut agg) && agg
}

/// Append to `c.kpis` a twin `by month` of every ungrouped KPI that
/// [`twinned`] allows (same name, formula and target); returns how many
/// KPIs the playbook itself has. After the run, `outcome.kpis.split_off(n)`
/// gives the twins' results and leaves the playbook's.
pub fn add_monthly_twins(c: &mut Compiled) -> usize {
    let n = c.kpis.len();
    let twins: Vec<_> = c
        .kpis
        .iter()
        .filter(|k| k.by.is_empty() && twinned(&k.expr))
        .map(|k| {
            let mut t = k.clone();
            t.by = vec![ByKey::Period(Period::Month)];
            t.by_names = vec!["month".to_string()];
            t
        })
        .collect();
    c.kpis.extend(twins);
    n
}

fn status_cell(k: &KpiResult) -> (String, String) {
    match &k.target {
        Some((text, s)) => (text.clone(), s.as_str().to_string()),
        None => (String::new(), String::new()),
    }
}

/// The section; `monthly` holds the twins' results.
pub fn section(c: &Compiled, o: &Outcome, monthly: &[KpiResult]) -> Section {
    let mut s = Section::new("kpis", "KPIs");
    let mut table = Table {
        header: ["kpi", "value", "target", "status"]
            .map(String::from)
            .to_vec(),
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
        "Each KPI's value over the whole run and its target. Every KPI grouped by a period, and every ungrouped KPI, is drawn by period (ungrouped ones by month) with its target as a dashed line; other grouped KPIs as bars per group."
            .into(),
    );
    s.table = Some(table);
    for k in &o.kpis {
        let def = c.kpis.iter().find(|d| d.name == k.name);
        let rule = def
            .and_then(|d| d.target.as_ref())
            .map(|(_, v, text)| Rule {
                kind: RuleKind::Target,
                value: num(*v),
                label: format!("target {}", target_words(text, &k.name)),
                row: 0,
            });
        let chart = if k.by.is_empty() {
            match monthly.iter().find(|t| t.name == k.name) {
                Some(twin) => period_chart(c, twin, 0, true),
                None => continue,
            }
        } else {
            let period = def.and_then(|d| d.by.iter().position(|b| matches!(b, ByKey::Period(_))));
            match period {
                Some(p) => period_chart(c, k, p, false),
                None => group_chart(c, k),
            }
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

/// A KPI by period; `twin`: the monthly twin of an ungrouped KPI.
fn period_chart(c: &Compiled, k: &KpiResult, p: usize, twin: bool) -> Chart {
    let period_name = k.by.get(p).cloned().unwrap_or_default();
    let others: Vec<&String> =
        k.by.iter()
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
        let keep: Vec<String> = by_points
            .into_iter()
            .take(MAX_SERIES)
            .map(|x| x.1)
            .collect();
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
    .describe(if twin {
        format!(
            "The playbook reports this KPI over the whole run; here it is per month of the facts it counts, as `kpi {name} = … by month` would give it. A month where it is undefined has no point.{}",
            target_note(k),
            name = k.name
        )
    } else {
        format!(
            "The KPI per {period_name}{by_words}; a {period_name} where it is undefined has no point.{}{note}",
            target_note(k)
        )
    });
    let full_series = series_of(&cells);
    let mut chart = fill(chart, categories, full_series, &cells, false);
    if let Some(all) = &chart.series {
        if all.len() > series.len() {
            chart
                .data
                .retain(|d| !matches!(&d.s, Some(s) if !series.contains(s)));
            chart.series = Some(series);
        }
    }
    chart
}

fn target_note(k: &KpiResult) -> String {
    match &k.target {
        Some((text, s)) => format!(
            " The target ({}) is judged on the whole run's value: {}.",
            text.trim(),
            s.as_str()
        ),
        None => String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_words_drop_the_name() {
        assert_eq!(target_words("win_rate >= 25%", "win_rate"), ">= 25%");
        assert_eq!(target_words(">= 25%", "win_rate"), ">= 25%");
    }
}
