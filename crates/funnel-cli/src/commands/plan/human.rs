//! The plan for people, in the spirit of `terraform plan`: a header naming
//! both playbooks and the data, a one-line summary, then one table per kind
//! of change (only what changes; the JSON report has everything), and the
//! first changed leads. Returns a string so tests can snapshot it.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use funnel_engine::display::{fmt_kpi, fmt_time_short};
use funnel_engine::TargetStatus;
use funnel_plan::{KpiChange, KpiValue, Plan};
use rust_decimal::Decimal;

use super::Meta;

fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    crate::style::fit(&mut t);
    for &c in right {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn push_table(out: &mut String, title: &str, t: &Table) {
    out.push_str(&format!("\n{title}\n{t}\n"));
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn playbook(name: &str, file: &str) -> String {
    if name.is_empty() {
        format!("`{file}`")
    } else {
        format!("`{file}` ({name})")
    }
}

fn stage(p: &Plan, name: Option<&str>) -> String {
    let Some(n) = name else {
        return "(none)".to_string();
    };
    match p.stages.iter().find(|s| s.name == n) {
        Some(s) if !s.in_new => format!("{n} (old only)"),
        Some(s) if !s.in_old => format!("{n} (new only)"),
        _ => n.to_string(),
    }
}

fn kpi_text(v: &Option<KpiValue>, currency: &str) -> String {
    match v {
        None => "(none)".to_string(),
        Some(k) => fmt_kpi(k.value, k.ty, currency),
    }
}

/// `+42.86 pp` for percents, `+2`, `-$1,200`, `+3 days` otherwise.
fn kpi_change(k: &KpiChange, currency: &str) -> String {
    let (Some(d), Some(after)) = (k.change, &k.after) else {
        return String::new();
    };
    let sign = if d > Decimal::ZERO {
        "+"
    } else if d < Decimal::ZERO {
        "-"
    } else {
        ""
    };
    let body = fmt_kpi(Some(d.abs()), after.ty, currency);
    let body = match after.ty {
        funnel_engine::kpi::KTy::Percent => match body.strip_suffix('%') {
            Some(b) => format!("{b} pp"),
            None => body,
        },
        _ => body,
    };
    let mut s = format!("{sign}{body}");
    if k.groups_changed > 0 {
        s.push_str(&format!(
            " ({} differ)",
            plural(k.groups_changed, "group", "groups")
        ));
    }
    s
}

fn relative(r: Option<Decimal>) -> String {
    let Some(r) = r else {
        return String::new();
    };
    let sign = if r > Decimal::ZERO {
        "+"
    } else if r < Decimal::ZERO {
        "-"
    } else {
        ""
    };
    format!(
        "{sign}{}",
        fmt_kpi(Some(r.abs()), funnel_engine::kpi::KTy::Percent, "")
    )
}

fn verdict(t: &Option<(String, TargetStatus)>) -> &str {
    t.as_ref().map_or("(no target)", |x| x.1.as_str())
}

/// The plan for people.
pub fn render(p: &Plan, m: &Meta<'_>, limit: usize) -> String {
    let mut out = format!(
        "Comparing {} with {}\n",
        playbook(&m.old.name, &m.old_file),
        playbook(&m.new.name, &m.new_file)
    );
    out.push_str(&format!(
        "Data: {} ({}), {} ({})",
        m.leads_file,
        plural(p.leads, "lead", "leads"),
        m.events_file,
        plural(m.events, "event", "events")
    ));
    if let Some(t) = m.as_of {
        out.push_str(&format!(
            ", as of {} ({})",
            fmt_time_short(t, m.new.tz),
            m.new.tz.name()
        ));
    }
    out.push_str("\n\n");
    if !p.has_changes() {
        out.push_str("No changes. Both playbooks give the same result on this data.\n");
        return out;
    }
    summary(&mut out, p, limit);
    moves(&mut out, p);
    entries(&mut out, p);
    actions(&mut out, p);
    kpis(&mut out, p, m);
    targets(&mut out, p);
    leads(&mut out, p, m, limit);
    out
}

fn summary(out: &mut String, p: &Plan, limit: usize) {
    let c = &p.counts;
    let mut dirs = vec![format!("{} forward", c.forward), format!("{} back", c.back)];
    for (n, what) in [
        (c.to_lost, "to lost"),
        (c.from_lost, "from lost"),
        (c.other, "other"),
    ] {
        if n > 0 {
            dirs.push(format!("{n} {what}"));
        }
    }
    let (added, removed) = p.sends();
    let verb = if p.changed.len() == 1 {
        "changes"
    } else {
        "change"
    };
    out.push_str(&format!(
        "Plan: {} {verb} stage ({}), {} added, {removed} removed\n",
        plural(p.changed.len(), "lead", "leads"),
        dirs.join(", "),
        plural(added, "send", "sends"),
    ));
    if !p.retimed.is_empty() {
        let shown: Vec<&str> = p.retimed.iter().take(limit).map(String::as_str).collect();
        let more = p.retimed.len().saturating_sub(limit);
        let tail = if more > 0 {
            format!(", … {more} more")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "Also: {} the same final stage but {} through the funnel at other times: {}{tail}\n",
            plural(p.retimed.len(), "lead keeps", "leads keep"),
            if p.retimed.len() == 1 {
                "moves"
            } else {
                "move"
            },
            shown.join(", ")
        ));
    }
}

fn moves(out: &mut String, p: &Plan) {
    if p.moves.is_empty() {
        return;
    }
    let mut t = table(&["from", "to", "direction", "leads"], &[3]);
    for x in &p.moves {
        t.add_row(vec![
            stage(p, x.from.as_deref()),
            stage(p, x.to.as_deref()),
            x.direction.as_str().to_string(),
            x.leads.to_string(),
        ]);
    }
    push_table(out, "Stage changes", &t);
    let mut t = table(
        &["month", "forward", "back", "to lost", "from lost", "other"],
        &[1, 2, 3, 4, 5],
    );
    for x in &p.periods {
        let c = &x.counts;
        t.add_row(vec![
            x.period.clone(),
            c.forward.to_string(),
            c.back.to_string(),
            c.to_lost.to_string(),
            c.from_lost.to_string(),
            c.other.to_string(),
        ]);
    }
    push_table(out, "Stage changes by month (of the first difference)", &t);
}

fn entries(out: &mut String, p: &Plan) {
    let changed: Vec<&str> = p
        .stages
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| {
            p.entries
                .iter()
                .any(|e| e.stage == *s && e.before != e.after)
        })
        .collect();
    if changed.is_empty() {
        return;
    }
    let mut t = table(&["stage", "month", "before", "after", "change"], &[2, 3, 4]);
    for e in p
        .entries
        .iter()
        .filter(|e| changed.contains(&e.stage.as_str()))
    {
        t.add_row(vec![
            e.stage.clone(),
            e.period.clone(),
            e.before.to_string(),
            e.after.to_string(),
            signed(e.after as i64 - e.before as i64),
        ]);
    }
    push_table(out, "Stage entries by month", &t);
    let same: Vec<&str> = p
        .stages
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| !changed.contains(s) && p.entries.iter().any(|e| e.stage == *s))
        .collect();
    if !same.is_empty() {
        out.push_str(&format!("  unchanged: {}\n", same.join(", ")));
    }
}

fn actions(out: &mut String, p: &Plan) {
    if p.actions.iter().any(|a| a.changed()) {
        let mut t = table(
            &[
                "kind",
                "template / channel / field",
                "before",
                "after",
                "added",
                "removed",
                "moved",
            ],
            &[2, 3, 4, 5, 6],
        );
        for a in p.actions.iter().filter(|a| a.changed()) {
            t.add_row(vec![
                a.kind.clone(),
                a.what.clone(),
                a.before.to_string(),
                a.after.to_string(),
                a.added.to_string(),
                a.removed.to_string(),
                a.moved.to_string(),
            ]);
        }
        push_table(out, "Actions", &t);
    }
    if !p.sends_by_week.is_empty() {
        let mut t = table(
            &["week", "template", "before", "after", "change"],
            &[2, 3, 4],
        );
        for w in &p.sends_by_week {
            t.add_row(vec![
                w.week.clone(),
                w.template.clone(),
                w.before.to_string(),
                w.after.to_string(),
                signed(w.after as i64 - w.before as i64),
            ]);
        }
        push_table(out, "Sends by week (weeks that change)", &t);
    }
    if p.breaches.iter().any(|b| b.before != b.after) {
        let mut t = table(&["sla", "before", "after", "change"], &[1, 2, 3]);
        for b in p.breaches.iter().filter(|b| b.before != b.after) {
            t.add_row(vec![
                b.sla.clone(),
                b.before.to_string(),
                b.after.to_string(),
                signed(b.after as i64 - b.before as i64),
            ]);
        }
        push_table(out, "SLA breaches", &t);
    }
}

fn kpis(out: &mut String, p: &Plan, m: &Meta<'_>) {
    if !p.kpis.iter().any(KpiChange::changed) {
        return;
    }
    let mut t = table(&["kpi", "before → after", "change", "relative"], &[2, 3]);
    for k in p.kpis.iter().filter(|k| k.changed()) {
        t.add_row(vec![
            k.name.clone(),
            format!(
                "{} → {}",
                kpi_text(&k.before, &m.old.currency),
                kpi_text(&k.after, &m.new.currency)
            ),
            kpi_change(k, &m.new.currency),
            relative(k.relative),
        ]);
    }
    push_table(out, "KPIs", &t);
    let same: Vec<&str> = p
        .kpis
        .iter()
        .filter(|k| !k.changed())
        .map(|k| k.name.as_str())
        .collect();
    if !same.is_empty() {
        out.push_str(&format!("  unchanged: {}\n", same.join(", ")));
    }
}

fn targets(out: &mut String, p: &Plan) {
    if p.targets.is_empty() {
        return;
    }
    let mut t = table(&["kpi", "target", "verdict"], &[]);
    for f in &p.targets {
        let text = |x: &Option<(String, TargetStatus)>| x.as_ref().map(|x| x.0.clone());
        let target = match (text(&f.before), text(&f.after)) {
            (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
            (_, Some(b)) => b,
            (Some(a), None) => a,
            (None, None) => String::new(),
        };
        t.add_row(vec![
            f.kpi.clone(),
            target,
            format!("{} → {}", verdict(&f.before), verdict(&f.after)),
        ]);
    }
    push_table(out, "Targets that flip", &t);
}

fn leads(out: &mut String, p: &Plan, m: &Meta<'_>, limit: usize) {
    if p.changed.is_empty() {
        return;
    }
    let shown = p.changed.len().min(limit);
    if shown == p.changed.len() {
        out.push_str("\nChanged leads\n");
    } else {
        out.push_str(&format!(
            "\nChanged leads (first {shown} of {})\n",
            p.changed.len()
        ));
    }
    for c in p.changed.iter().take(limit) {
        let at = c.at.map_or(String::new(), |t| {
            format!(", from {}", fmt_time_short(t, m.new.tz))
        });
        out.push_str(&format!(
            "  {}: {} → {}  ({}{at})\n",
            c.id,
            stage(p, c.from.as_deref()),
            stage(p, c.to.as_deref()),
            c.direction.as_str()
        ));
    }
    if p.changed.len() > shown {
        out.push_str(&format!(
            "  … {} more; `--out DIR` writes every changed lead to changed_leads.csv\n",
            p.changed.len() - shown
        ));
    }
}
