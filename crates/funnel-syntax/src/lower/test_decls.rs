//! Lowering `test` blocks: the lead, the timeline and the expectations.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;

use super::expr::{lower_cmp_op, lower_expr};
use super::literals::{lower_datetime, lower_ident, lower_string};
use super::pairs::{bug, span, Bug, Children, R};

pub(super) fn lower_test_decl(p: Pair<'_, Rule>) -> R<TestDecl> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let name = lower_string(c.next("test name")?)?;
    let mut items = Vec::new();
    for item in c.rest() {
        let isp = span(&item);
        items.push(match item.as_rule() {
            Rule::test_lead => {
                TestItem::Lead(lower_record(Children::of(item).next("record")?)?, isp)
            }
            Rule::test_event => {
                let mut ic = Children::of(item);
                let at = lower_datetime(ic.next("instant")?)?;
                let event = lower_ident(ic.next("event")?)?;
                let fields = match ic.next_if(Rule::record) {
                    Some(r) => lower_record(r)?,
                    None => Vec::new(),
                };
                TestItem::Event {
                    at,
                    event,
                    fields,
                    span: isp,
                }
            }
            Rule::test_input => {
                let mut ic = Children::of(item);
                let name = lower_ident(ic.next("input")?)?;
                let value = lower_expr(ic.next("value")?)?;
                TestItem::Input(name, value, isp)
            }
            Rule::test_expect => {
                let mut ic = Children::of(item);
                let at = ic
                    .next_if(Rule::lit_datetime)
                    .map(lower_datetime)
                    .transpose()?;
                let what = lower_expectation(ic.next("expectation")?)?;
                TestItem::Expect {
                    at,
                    what,
                    span: isp,
                }
            }
            _ => return bug("unexpected test item", &item),
        });
    }
    Ok(TestDecl {
        name,
        items,
        span: sp,
    })
}

pub(super) fn lower_expectation(p: Pair<'_, Rule>) -> R<Expectation> {
    let rule = p.as_rule();
    let mut c = Children::of(p);
    Ok(match rule {
        Rule::expect_stage => {
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Stage(op, lower_ident(c.next("stage")?)?)
        }
        Rule::expect_score => {
            let score = lower_ident(c.next("score")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Score(score, op, lower_expr(c.next("value")?)?)
        }
        Rule::expect_sent => {
            let t = lower_string(c.next("template")?)?;
            let at = c
                .next_if(Rule::lit_datetime)
                .map(lower_datetime)
                .transpose()?;
            Expectation::Sent(t, at)
        }
        Rule::expect_not_sent => Expectation::NotSent(lower_string(c.next("template")?)?),
        Rule::expect_kpi => {
            let kpi = lower_ident(c.next("kpi")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Kpi(kpi, op, lower_expr(c.next("value")?)?)
        }
        Rule::expect_field => {
            let field = lower_ident(c.next("field")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Field(field, op, lower_expr(c.next("value")?)?)
        }
        _ => return Err(Bug("unexpected expectation".into(), c.parent)),
    })
}

pub(super) fn lower_record(p: Pair<'_, Rule>) -> R<Vec<RecordField>> {
    p.into_inner()
        .map(|f| {
            let sp = span(&f);
            let mut c = Children::of(f);
            let name = lower_ident(c.next("field")?)?;
            let value = lower_expr(c.next("value")?)?;
            Ok(RecordField {
                name,
                value,
                span: sp,
            })
        })
        .collect()
}
