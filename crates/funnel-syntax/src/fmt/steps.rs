//! Nurture steps, including the nested blocks of `if`, `split` and
//! `wait up to … else`.
//!
//! Blocks close and reopen on one line: `} else {`, `} else if C {`,
//! `} 30% {`. A comment written between a `}` and the `else` that follows it
//! stays inside the block it follows.

use crate::ast::*;

use super::expr::{duration, expr, number, string};
use super::printer::Printer;

/// Print the steps of a block in order.
pub(crate) fn steps(p: &mut Printer<'_>, steps: &[Step]) {
    for s in steps {
        step(p, s);
    }
}

/// `text when GUARD`, or `text` without a guard.
fn guarded(p: &Printer<'_>, text: String, guard: &Option<Expr>) -> String {
    match guard {
        Some(g) => format!("{text} when {}", expr(&p.src, g)),
        None => text,
    }
}

/// Print one step.
pub(crate) fn step(p: &mut Printer<'_>, s: &Step) {
    let sp = s.span;
    let text = match &s.kind {
        StepKind::Send { template, guard } => {
            guarded(p, format!("send {}", string(&p.src, template)), guard)
        }
        StepKind::Wait(d) => format!("wait {}", duration(&p.src, d)),
        StepKind::WaitCron(c) => format!("wait until cron {}", string(&p.src, c)),
        StepKind::Notify {
            channel,
            message,
            guard,
        } => {
            let text = format!("notify {} {}", channel.name, string(&p.src, message));
            guarded(p, text, guard)
        }
        StepKind::Set {
            field,
            value,
            guard,
        } => {
            let text = format!("set {} = {}", field.name, expr(&p.src, value));
            guarded(p, text, guard)
        }
        StepKind::WaitFor {
            timeout,
            event,
            filter,
            otherwise,
        } => {
            let mut head = format!(
                "wait up to {} for {}",
                duration(&p.src, timeout),
                event.name
            );
            if let Some(f) = filter {
                head.push_str(" where ");
                head.push_str(&expr(&p.src, f));
            }
            let Some(block) = otherwise else {
                return p.item(sp.start, sp.end, head);
            };
            let after = filter.as_ref().map_or(event.span.end, |f| f.span.end);
            let (brace, close) = else_block(p, after, block, sp);
            p.open(sp.start, brace, format!("{head} else {{"));
            steps(p, block);
            p.close(close);
            return;
        }
        StepKind::If {
            cond,
            then,
            otherwise,
        } => return if_chain(p, sp, cond, then, otherwise.as_deref()),
        StepKind::Split { arms, otherwise } => return split(p, sp, arms, otherwise.as_deref()),
    };
    p.item(sp.start, sp.end, text);
}

/// The `{` opening the block after `after` and the `}` closing it.
fn block_at(p: &Printer<'_>, after: u32, block: &[Step], outer: crate::Span) -> (u32, u32) {
    let brace = p.src.find_code(after, b'{').unwrap_or(outer.end);
    (brace, close_after(p, brace, block, outer))
}

/// The `}` closing a block opened at `brace` whose steps are `block`.
fn close_after(p: &Printer<'_>, brace: u32, block: &[Step], outer: crate::Span) -> u32 {
    let from = block.last().map_or(brace + 1, |s| s.span.end);
    p.src
        .find_code(from, b'}')
        .unwrap_or(outer.end.saturating_sub(1))
}

/// Where the `else` branch after `after` opens and closes. Written as
/// `else if …` it has no braces of its own: the `if` step stands for them.
fn else_block(p: &Printer<'_>, after: u32, block: &[Step], outer: crate::Span) -> (u32, u32) {
    let (brace, close) = block_at(p, after, block, outer);
    if let [only] = block {
        if matches!(only.kind, StepKind::If { .. }) && only.span.start < brace {
            let end = p.src.code_end(only.span.start, only.span.end);
            return (only.span.start, end.saturating_sub(1));
        }
    }
    (brace, close)
}

/// `if C { … } else if D { … } else { … }`.
fn if_chain(
    p: &mut Printer<'_>,
    sp: crate::Span,
    cond: &Expr,
    then: &[Step],
    otherwise: Option<&[Step]>,
) {
    let (mut brace, _) = block_at(p, cond.span.end, then, sp);
    p.open(sp.start, brace, format!("if {} {{", expr(&p.src, cond)));
    let (mut then, mut otherwise) = (then, otherwise);
    loop {
        steps(p, then);
        let close = close_after(p, brace, then, sp);
        match otherwise {
            None => return p.close(close),
            Some(
                [Step {
                    kind:
                        StepKind::If {
                            cond,
                            then: next_then,
                            otherwise: next_else,
                        },
                    ..
                }],
            ) => {
                brace = p.src.find_code(cond.span.end, b'{').unwrap_or(sp.end);
                p.reopen(brace, format!("}} else if {} {{", expr(&p.src, cond)));
                then = next_then;
                otherwise = next_else.as_deref();
            }
            Some(block) => {
                let (b, c) = block_at(p, close + 1, block, sp);
                p.reopen(b, "} else {".to_string());
                steps(p, block);
                return p.close(c);
            }
        }
    }
}

/// `split 50% { … } 30% { … } else { … }`.
fn split(p: &mut Printer<'_>, sp: crate::Span, arms: &[SplitArm], otherwise: Option<&[Step]>) {
    let mut close = None;
    for arm in arms {
        let (brace, c) = block_at(p, arm.percent.span.end, &arm.steps, sp);
        let pct = number(&p.src, &arm.percent);
        if close.is_none() {
            p.open(sp.start, brace, format!("split {pct}% {{"));
        } else {
            p.reopen(brace, format!("}} {pct}% {{"));
        }
        steps(p, &arm.steps);
        close = Some(c);
    }
    let Some(close) = close else {
        return;
    };
    match otherwise {
        None => p.close(close),
        Some(block) => {
            let (brace, c) = else_block(p, close + 1, block, sp);
            p.reopen(brace, "} else {".to_string());
            steps(p, block);
            p.close(c);
        }
    }
}
