//! Lowering nurture steps: sends, waits, sets, branches and splits.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;

use super::clauses::{lower_guard, lower_where};
use super::expr::lower_expr;
use super::literals::{lower_duration, lower_ident, lower_number, lower_string};
use super::pairs::{bug, span, Children, R};

pub(super) fn lower_block(p: Pair<'_, Rule>) -> R<Vec<Step>> {
    p.into_inner().map(lower_step).collect()
}

/// `else { ... }` or `else if ...` (an `if` step alone in the else branch).
pub(super) fn lower_else_block(p: Pair<'_, Rule>) -> R<Vec<Step>> {
    let inner = Children::of(p).next("else branch")?;
    match inner.as_rule() {
        Rule::block => lower_block(inner),
        Rule::if_step => Ok(vec![lower_step(inner)?]),
        _ => bug("unexpected else branch", &inner),
    }
}

pub(super) fn lower_step(p: Pair<'_, Rule>) -> R<Step> {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::send_step => {
            let mut c = Children::of(p);
            let template = lower_string(c.next("template")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Send { template, guard }
        }
        Rule::wait_step => StepKind::Wait(lower_duration(Children::of(p).next("duration")?)?),
        Rule::wait_cron_step => StepKind::WaitCron(lower_string(Children::of(p).next("cron")?)?),
        Rule::wait_for_step => {
            let mut c = Children::of(p);
            let timeout = lower_duration(c.next("timeout")?)?;
            let event = lower_ident(c.next("event")?)?;
            let filter = c.next_if(Rule::where_clause).map(lower_where).transpose()?;
            let otherwise = c
                .next_if(Rule::else_block)
                .map(lower_else_block)
                .transpose()?;
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            }
        }
        Rule::if_step => {
            let mut c = Children::of(p);
            let cond = lower_expr(c.next("condition")?)?;
            let then = lower_block(c.next("then block")?)?;
            let otherwise = c
                .next_if(Rule::else_block)
                .map(lower_else_block)
                .transpose()?;
            StepKind::If {
                cond,
                then,
                otherwise,
            }
        }
        Rule::split_step => {
            let mut arms = Vec::new();
            let mut otherwise = None;
            for part in p.into_inner() {
                match part.as_rule() {
                    Rule::split_arm => {
                        let asp = span(&part);
                        let mut ac = Children::of(part);
                        let percent = lower_number(ac.next("percent")?)?;
                        let steps = lower_block(ac.next("block")?)?;
                        arms.push(SplitArm {
                            percent,
                            steps,
                            span: asp,
                        });
                    }
                    Rule::else_block => otherwise = Some(lower_else_block(part)?),
                    _ => return bug("unexpected split part", &part),
                }
            }
            StepKind::Split { arms, otherwise }
        }
        Rule::notify_step => {
            let mut c = Children::of(p);
            let channel = lower_ident(c.next("channel")?)?;
            let message = lower_string(c.next("message")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Notify {
                channel,
                message,
                guard,
            }
        }
        Rule::set_step => {
            let mut c = Children::of(p);
            let field = lower_ident(c.next("field")?)?;
            let value = lower_expr(c.next("value")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Set {
                field,
                value,
                guard,
            }
        }
        _ => return bug("unexpected step", &p),
    };
    Ok(Step { kind, span: sp })
}
