//! `test "…" { … }` declarations: the lead record, events, inputs and
//! expectations.
//!
//! A record (`{ email: "a@b.c", size: 10 }`) stays on its line when the
//! source wrote it on one line and it fits; otherwise it gets one field per
//! line.

use crate::ast::*;

use super::expr::{datetime, expr, string};
use super::printer::{Printer, INDENT};
use super::MAX_WIDTH;

pub(crate) fn test_decl(p: &mut Printer<'_>, t: &TestDecl) {
    let sp = t.span;
    let brace = p.src.find_code(t.name.span.end, b'{').unwrap_or(sp.end);
    p.open(
        sp.start,
        brace,
        format!("test {} {{", string(&p.src, &t.name)),
    );
    for item in &t.items {
        match item {
            TestItem::Lead(fields, s) => record(p, "lead".to_string(), *s, s.start, fields, true),
            TestItem::Event {
                at,
                event,
                fields,
                span,
            } => {
                let head = format!("at {} {}", datetime(at), event.name);
                record(p, head, *span, event.span.end, fields, false);
            }
            TestItem::Input(name, value, s) => {
                let text = format!("input {} = {}", name.name, expr(&p.src, value));
                p.item(s.start, s.end, text);
            }
            TestItem::Expect { at, what, span } => {
                let mut text = "expect ".to_string();
                if let Some(at) = at {
                    text.push_str(&format!("at {} ", datetime(at)));
                }
                text.push_str(&expectation(p, what));
                p.item(span.start, span.end, text);
            }
        }
    }
    p.close(sp.end.saturating_sub(1));
}

fn expectation(p: &Printer<'_>, what: &Expectation) -> String {
    match what {
        Expectation::Stage(op, stage) => format!("stage {} {}", op.symbol(), stage.name),
        Expectation::Score(s, op, v) => {
            format!("score {} {} {}", s.name, op.symbol(), expr(&p.src, v))
        }
        Expectation::Sent(t, at) => match at {
            Some(at) => format!("sent {} at {}", string(&p.src, t), datetime(at)),
            None => format!("sent {}", string(&p.src, t)),
        },
        Expectation::NotSent(t) => format!("not sent {}", string(&p.src, t)),
        Expectation::Kpi(k, op, v) => {
            format!("kpi {} {} {}", k.name, op.symbol(), expr(&p.src, v))
        }
        Expectation::Field(f, op, v) => {
            format!("field {} {} {}", f.name, op.symbol(), expr(&p.src, v))
        }
    }
}

/// `head { a: x, b: y }` on one line, or `head {` with a field per line.
/// `from` is where the record's `{` is searched from; `always` keeps the
/// braces of an empty record (`lead {}` needs them, an event does not).
fn record(
    p: &mut Printer<'_>,
    head: String,
    sp: crate::Span,
    from: u32,
    fields: &[RecordField],
    always: bool,
) {
    let (start, end) = (sp.start, sp.end);
    if fields.is_empty() {
        let text = if always { format!("{head} {{}}") } else { head };
        return p.item(start, end, text);
    }
    let inline: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name.name, expr(&p.src, &f.value)))
        .collect();
    let line = format!("{head} {{ {} }}", inline.join(", "));
    let brace = p.src.find_code(from, b'{').unwrap_or(end);
    let fits = p.indent * INDENT.len() + line.chars().count() <= MAX_WIDTH;
    if fits && !p.src.has_newline(brace, end) {
        return p.item(start, end, line);
    }
    p.open(start, brace, format!("{head} {{"));
    for (f, text) in fields.iter().zip(inline) {
        p.item(f.span.start, f.span.end, text);
    }
    p.close(end.saturating_sub(1));
}
