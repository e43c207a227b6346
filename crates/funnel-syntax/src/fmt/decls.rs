//! Top-level declarations and their blocks: calendar, lead, event, funnel,
//! score, nurture settings, limit, input, kpi, target.
//!
//! Blank lines at the top level: a block declaration (one printed over
//! several lines) always has one blank line before and after it; between
//! one-line declarations a blank line is kept where the source had one or
//! more, so related one-liners (`event`s, `kpi`s) stay together.

use crate::ast::*;

use super::align::{pad, widths, Align};
use super::expr::{
    datetime, duration, expr, number, points, string, time_of_day, trigger, type_expr, window,
};
use super::printer::{Printer, INDENT};
use super::{steps, test_decls, MAX_WIDTH};

/// Print every declaration of the playbook.
pub(crate) fn file(p: &mut Printer<'_>, book: &Playbook) {
    let decls = &book.decls;
    let kpi_key = |d: &Decl| match d {
        Decl::Kpi(k) => Align::Item {
            class: 0,
            width: k.name.name.len(),
        },
        _ => Align::Break,
    };
    let event_key = |d: &Decl| match d {
        Decl::Event(e) if event_layout(p, e) == Layout::Inline => Align::Item {
            class: 0,
            width: e.name.name.len(),
        },
        _ => Align::Break,
    };
    let keyed = |key: &dyn Fn(&Decl) -> Align| -> Vec<(Align, u32, u32)> {
        decls
            .iter()
            .map(|d| (key(d), d.span().start, d.span().end))
            .collect()
    };
    let kpi_w = widths(&p.src, &keyed(&kpi_key));
    let event_w = widths(&p.src, &keyed(&event_key));
    for (i, d) in decls.iter().enumerate() {
        let block = is_block(p, d);
        if block {
            p.force_blank = true;
        }
        decl(p, d, kpi_w[i].max(event_w[i]));
        if block {
            p.force_blank = true;
        }
    }
}

/// How a braced list of fields is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// No fields: no braces (`event referral`).
    Bare,
    /// `{ a: x, b: y }` on the declaration's line.
    Inline,
    /// One field per line.
    Block,
}

/// Inline when the source had the fields on one line and the line fits.
fn event_layout(p: &Printer<'_>, e: &EventDecl) -> Layout {
    if e.fields.is_empty() {
        return Layout::Bare;
    }
    let Some(brace) = p.src.find_code(e.name.span.end, b'{') else {
        return Layout::Block;
    };
    let width = p.indent * INDENT.len() + event_inline(p, e).chars().count();
    if p.src.has_newline(brace, e.span.end) || width > MAX_WIDTH {
        Layout::Block
    } else {
        Layout::Inline
    }
}

fn event_inline(p: &Printer<'_>, e: &EventDecl) -> String {
    format!("event {} {}", e.name.name, inline_fields(p, &e.fields))
}

fn inline_fields(_p: &Printer<'_>, fields: &[FieldDecl]) -> String {
    let fs: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name.name, type_expr(&f.ty)))
        .collect();
    format!("{{ {} }}", fs.join(", "))
}

fn is_block(p: &Printer<'_>, d: &Decl) -> bool {
    match d {
        Decl::Calendar(_)
        | Decl::Lead(_)
        | Decl::Funnel(_)
        | Decl::Score(_)
        | Decl::Nurture(_)
        | Decl::Test(_) => true,
        Decl::Event(e) => event_layout(p, e) == Layout::Block,
        _ => false,
    }
}

/// The `{` of a block declaration, or the end of its span as a fallback.
fn brace_of(p: &Printer<'_>, from: u32, span: crate::Span) -> u32 {
    p.src.find_code(from, b'{').unwrap_or(span.end)
}

/// The closing `}` of a declaration that ends with one.
fn close_of(span: crate::Span) -> u32 {
    span.end.saturating_sub(1)
}

fn decl(p: &mut Printer<'_>, d: &Decl, width: usize) {
    let sp = d.span();
    match d {
        Decl::Playbook(s, _) => p.item(sp.start, sp.end, format!("playbook {}", string(&p.src, s))),
        Decl::Timezone(s, _) => p.item(sp.start, sp.end, format!("timezone {}", string(&p.src, s))),
        Decl::Currency(s, _) => p.item(sp.start, sp.end, format!("currency {}", string(&p.src, s))),
        Decl::Calendar(c) => calendar(p, c),
        Decl::Lead(l) => {
            p.open(sp.start, brace_of(p, sp.start, sp), "lead {".to_string());
            field_lines(p, &l.fields);
            p.close(close_of(sp));
        }
        Decl::Event(e) => match event_layout(p, e) {
            Layout::Bare => p.item(sp.start, sp.end, format!("event {}", e.name.name)),
            Layout::Inline => {
                let fields = inline_fields(p, &e.fields);
                p.item(
                    sp.start,
                    sp.end,
                    pad(&format!("event {}", e.name.name), width + 6, &fields),
                );
            }
            Layout::Block => {
                let brace = brace_of(p, e.name.span.end, sp);
                p.open(sp.start, brace, format!("event {} {{", e.name.name));
                field_lines(p, &e.fields);
                p.close(close_of(sp));
            }
        },
        Decl::Funnel(f) => {
            p.open(sp.start, brace_of(p, sp.start, sp), "funnel {".to_string());
            funnel_items(p, &f.items);
            p.close(close_of(sp));
        }
        Decl::Score(s) => {
            let brace = brace_of(p, s.name.span.end, sp);
            p.open(sp.start, brace, format!("score {} {{", s.name.name));
            score_items(p, &s.items);
            p.close(close_of(sp));
        }
        Decl::Nurture(n) => {
            let brace = brace_of(p, n.name.span.end, sp);
            p.open(sp.start, brace, format!("nurture {} {{", n.name.name));
            for item in &n.items {
                nurture_item(p, item);
            }
            p.close(close_of(sp));
        }
        Decl::Limit(l) => {
            let text = format!(
                "limit sends {} per {}",
                number(&p.src, &l.count),
                window(&p.src, &l.window)
            );
            p.item(sp.start, sp.end, text);
        }
        Decl::Input(i) => {
            let mut text = format!("input {}: {}", i.name.name, type_expr(&i.ty));
            if let Some(e) = &i.default {
                text.push_str(" = ");
                text.push_str(&expr(&p.src, e));
            }
            p.item(sp.start, sp.end, text);
        }
        Decl::Kpi(k) => {
            let mut rest = format!("= {}", expr(&p.src, &k.expr));
            if !k.by.is_empty() {
                let by: Vec<&str> = k.by.iter().map(|b| b.name.as_str()).collect();
                rest.push_str(" by ");
                rest.push_str(&by.join(", "));
            }
            p.item(
                sp.start,
                sp.end,
                format!("kpi {}", pad(&k.name.name, width, &rest)),
            );
        }
        Decl::Target(t) => {
            let text = format!(
                "target {} {} {}",
                t.kpi.name,
                t.op.symbol(),
                expr(&p.src, &t.value)
            );
            p.item(sp.start, sp.end, text);
        }
        Decl::Test(t) => test_decls::test_decl(p, t),
    }
}

fn calendar(p: &mut Printer<'_>, c: &Calendar) {
    let sp = c.span;
    let brace = brace_of(p, c.name.span.end, sp);
    p.open(sp.start, brace, format!("calendar {} {{", c.name.name));
    for item in &c.items {
        match item {
            CalendarItem::Days(days, s) => {
                let ds: Vec<String> = days
                    .iter()
                    .map(|d| match &d.to {
                        Some(to) => format!("{}..{}", d.from.name, to.name),
                        None => d.from.name.clone(),
                    })
                    .collect();
                p.item(s.start, s.end, format!("days {}", ds.join(", ")));
            }
            CalendarItem::Hours(from, to, s) => {
                let text = format!("hours {}..{}", time_of_day(from), time_of_day(to));
                p.item(s.start, s.end, text);
            }
            CalendarItem::Holidays(dates, s) => {
                let dates: Vec<String> = dates.iter().map(datetime).collect();
                let avail = MAX_WIDTH.saturating_sub(p.indent * INDENT.len());
                p.item_lines(s.start, s.end, wrap_list("holidays ", &dates, avail));
            }
        }
    }
    p.close(close_of(sp));
}

/// `prefix a, b, c` filled greedily into lines of at most `avail` columns;
/// continuation lines line up under the first item.
fn wrap_list(prefix: &str, items: &[String], avail: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = prefix.to_string();
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            cur.push_str(item);
        } else if cur.chars().count() + 2 + item.chars().count() < avail {
            cur.push_str(", ");
            cur.push_str(item);
        } else {
            cur.push(',');
            lines.push(std::mem::replace(
                &mut cur,
                format!("{}{item}", " ".repeat(prefix.len())),
            ));
        }
    }
    lines.push(cur);
    lines
}

/// Field lines of a `lead` or `event` block, types aligned two spaces after
/// the longest name (the design's table look).
fn field_lines(p: &mut Printer<'_>, fields: &[FieldDecl]) {
    let keys: Vec<(Align, u32, u32)> = fields
        .iter()
        .map(|f| {
            let a = Align::Item {
                class: 0,
                width: f.name.name.len(),
            };
            (a, f.span.start, f.span.end)
        })
        .collect();
    let w = widths(&p.src, &keys);
    for (f, w) in fields.iter().zip(w) {
        let text = pad(&f.name.name, w + 1, &type_expr(&f.ty));
        p.item(f.span.start, f.span.end, text);
    }
}

/// Stages with their triggers aligned two spaces after the longest name of
/// their group (lost stages align among themselves), then SLAs.
fn funnel_items(p: &mut Printer<'_>, items: &[FunnelItem]) {
    let stage_key = |s: &StageDecl| {
        if s.lost {
            format!("lost {}", s.name.name)
        } else {
            s.name.name.clone()
        }
    };
    let keys: Vec<(Align, u32, u32)> = items
        .iter()
        .map(|i| match i {
            FunnelItem::Stage(s) if s.trigger.is_some() => {
                let a = Align::Item {
                    class: u8::from(s.lost),
                    width: stage_key(s).len(),
                };
                (a, s.span.start, s.span.end)
            }
            FunnelItem::Stage(s) => (Align::Skip, s.span.start, s.span.end),
            FunnelItem::Sla(s) => (Align::Break, s.span.start, s.span.end),
        })
        .collect();
    let w = widths(&p.src, &keys);
    for (item, w) in items.iter().zip(w) {
        match item {
            FunnelItem::Stage(s) => {
                let t = s
                    .trigger
                    .as_ref()
                    .map(|t| trigger(&p.src, t))
                    .unwrap_or_default();
                p.item(s.span.start, s.span.end, pad(&stage_key(s), w + 1, &t));
            }
            FunnelItem::Sla(s) => {
                let text = format!(
                    "sla {} -> {} within {}",
                    s.from.name,
                    s.to.name,
                    duration(&p.src, &s.within)
                );
                p.item(s.span.start, s.span.end, text);
            }
        }
    }
}

fn score_items(p: &mut Printer<'_>, items: &[ScoreItem]) {
    let span_of = |i: &ScoreItem| match i {
        ScoreItem::Rule(r) => r.span,
        ScoreItem::Decay(d) => d.span,
        ScoreItem::Floor(_, s) | ScoreItem::Cap(_, s) | ScoreItem::Threshold(_, _, s) => *s,
    };
    // Points, trigger and modifiers of each rule, printed once.
    let parts: Vec<Option<(String, String, String)>> = items
        .iter()
        .map(|i| match i {
            ScoreItem::Rule(r) => Some((
                points(&p.src, &r.points),
                trigger(&p.src, &r.trigger),
                modifiers(p, &r.modifiers),
            )),
            _ => None,
        })
        .collect();
    let keys = |f: &dyn Fn(&(String, String, String)) -> Align| -> Vec<(Align, u32, u32)> {
        items
            .iter()
            .zip(&parts)
            .map(|(i, part)| {
                let s = span_of(i);
                (part.as_ref().map_or(Align::Break, f), s.start, s.end)
            })
            .collect()
    };
    let points_w = widths(
        &p.src,
        &keys(&|(pts, _, _)| Align::Item {
            class: 0,
            width: pts.len(),
        }),
    );
    let trigger_w = widths(
        &p.src,
        &keys(&|(_, t, m)| {
            if m.is_empty() {
                Align::Skip
            } else {
                Align::Item {
                    class: 0,
                    width: t.chars().count(),
                }
            }
        }),
    );
    for (i, item) in items.iter().enumerate() {
        let s = span_of(item);
        let text = match (item, &parts[i]) {
            (ScoreItem::Rule(_), Some((pts, t, m))) => {
                pad(pts, points_w[i], &pad(t, trigger_w[i] + 1, m))
            }
            (ScoreItem::Decay(d), _) => format!(
                "decay {}% every {}{}",
                number(&p.src, &d.percent),
                duration(&p.src, &d.every),
                if d.inactive { " inactive" } else { "" }
            ),
            (ScoreItem::Floor(n, _), _) => format!("floor {}", number(&p.src, n)),
            (ScoreItem::Cap(n, _), _) => format!("cap {}", number(&p.src, n)),
            (ScoreItem::Threshold(stage, n, _), _) => {
                format!("{} at {}", stage.name, number(&p.src, n))
            }
            (ScoreItem::Rule(_), None) => continue,
        };
        p.item(s.start, s.end, text);
    }
}

fn modifiers(p: &Printer<'_>, mods: &[Modifier]) -> String {
    let ms: Vec<String> = mods
        .iter()
        .map(|m| match m {
            Modifier::MaxPer(n, w, _) => {
                format!("max {} per {}", number(&p.src, n), window(&p.src, w))
            }
            Modifier::Once(_) => "once".to_string(),
            Modifier::OncePer(w, _) => format!("once per {}", window(&p.src, w)),
        })
        .collect();
    ms.join(" ")
}

fn nurture_item(p: &mut Printer<'_>, item: &NurtureItem) {
    let (text, sp) = match item {
        NurtureItem::Enroll(t, sp) => (format!("enroll {}", trigger(&p.src, t)), *sp),
        NurtureItem::Exit(t, sp) => (format!("exit {}", trigger(&p.src, t)), *sp),
        NurtureItem::Reenroll(r, sp) => {
            let policy = match r {
                Reenroll::After(d) => format!("after {}", duration(&p.src, d)),
                Reenroll::Never(_) => "never".to_string(),
                Reenroll::Always(_) => "always".to_string(),
            };
            (format!("reenroll {policy}"), *sp)
        }
        NurtureItem::SendWithin(cal, sp) => (format!("send within {}", cal.name), *sp),
        NurtureItem::Step(s) => return steps::step(p, s),
    };
    p.item(sp.start, sp.end, text);
}

#[cfg(test)]
mod unit {
    use super::wrap_list;

    #[test]
    fn lists_wrap_under_their_first_item() {
        let items: Vec<String> = ["aaaa", "bbbb", "cccc"].map(String::from).to_vec();
        assert_eq!(wrap_list("x ", &items, 100), vec!["x aaaa, bbbb, cccc"]);
        assert_eq!(wrap_list("x ", &items, 13), vec!["x aaaa, bbbb,", "  cccc"]);
    }
}
