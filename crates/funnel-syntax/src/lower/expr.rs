//! Lowering expressions: conditions, arithmetic, KPI formulas and calls.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;
use crate::nesting::MAX_CHAIN;

use super::literals::{lower_datetime, lower_duration, lower_ident, lower_number, lower_string};
use super::pairs::{bug, span, Bug, Children, R};

pub(super) fn lower_expr(p: Pair<'_, Rule>) -> R<Expr> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::expr => lower_expr(Children::of(p).next("expression")?),
        Rule::disjunction | Rule::conjunction => {
            let is_or = p.as_rule() == Rule::disjunction;
            let mut c = Children::of(p);
            let mut acc = lower_expr(c.next("operand")?)?;
            for (i, next) in c.rest().enumerate() {
                if i > 2 * MAX_CHAIN {
                    return Err(Bug::too_long(sp));
                }
                if matches!(next.as_rule(), Rule::kw_or | Rule::kw_and) {
                    continue;
                }
                let rhs = lower_expr(next)?;
                let s = acc.span.to(rhs.span);
                let kind = if is_or {
                    ExprKind::Or(Box::new(acc), Box::new(rhs))
                } else {
                    ExprKind::And(Box::new(acc), Box::new(rhs))
                };
                acc = Expr { kind, span: s };
            }
            Ok(acc)
        }
        Rule::negation => {
            let mut nots = 0;
            let mut inner = None;
            for c in p.into_inner() {
                if c.as_rule() == Rule::kw_not {
                    nots += 1;
                } else {
                    inner = Some(lower_expr(c)?);
                }
            }
            let Some(mut e) = inner else {
                return Err(Bug("negation without operand".into(), sp));
            };
            for _ in 0..nots {
                e = Expr {
                    kind: ExprKind::Not(Box::new(e)),
                    span: sp,
                };
            }
            Ok(e)
        }
        Rule::comparison => {
            let mut c = Children::of(p);
            let lhs = lower_expr(c.next("operand")?)?;
            let Some(tail) = c.rest().next() else {
                return Ok(lhs);
            };
            let kind = match tail.as_rule() {
                Rule::compare_to => {
                    let mut tc = Children::of(tail);
                    let op = lower_cmp_op(tc.next("operator")?)?;
                    let rhs = lower_expr(tc.next("operand")?)?;
                    ExprKind::Compare(op, Box::new(lhs), Box::new(rhs))
                }
                Rule::in_list => {
                    let items = tail
                        .into_inner()
                        .filter(|x| x.as_rule() != Rule::kw_in)
                        .map(lower_expr)
                        .collect::<R<_>>()?;
                    ExprKind::In(Box::new(lhs), items)
                }
                Rule::matches_re => {
                    let re = tail
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::lit_string)
                        .ok_or_else(|| Bug("matches without pattern".into(), sp))?;
                    ExprKind::Matches(Box::new(lhs), lower_string(re)?)
                }
                Rule::is_missing => ExprKind::IsPresent(Box::new(lhs), false),
                Rule::is_present => ExprKind::IsPresent(Box::new(lhs), true),
                _ => return bug("unexpected comparison", &tail),
            };
            Ok(Expr { kind, span: sp })
        }
        Rule::additive | Rule::multiplicative => {
            let mut c = Children::of(p);
            let mut acc = lower_expr(c.next("operand")?)?;
            let mut rest = c.rest();
            let mut operands = 1;
            while let Some(op) = rest.next() {
                operands += 1;
                if operands > MAX_CHAIN {
                    return Err(Bug::too_long(sp));
                }
                let op = match op.as_str() {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Sub,
                    "*" => ArithOp::Mul,
                    "/" => ArithOp::Div,
                    _ => return bug("unexpected operator", &op),
                };
                let Some(rhs) = rest.next() else {
                    return Err(Bug("operator without operand".into(), sp));
                };
                let rhs = lower_expr(rhs)?;
                let s = acc.span.to(rhs.span);
                acc = Expr {
                    kind: ExprKind::Arith(op, Box::new(acc), Box::new(rhs)),
                    span: s,
                };
            }
            Ok(acc)
        }
        Rule::unary => {
            let mut c = Children::of(p);
            let neg = c.next_if(Rule::neg_op).is_some();
            let e = lower_expr(c.next("operand")?)?;
            Ok(if neg {
                Expr {
                    kind: ExprKind::Neg(Box::new(e)),
                    span: sp,
                }
            } else {
                e
            })
        }
        Rule::paren => Ok(Expr {
            kind: ExprKind::Paren(Box::new(lower_expr(Children::of(p).next("expression")?)?)),
            span: sp,
        }),
        Rule::stage_ref => Ok(Expr {
            kind: ExprKind::Stage,
            span: sp,
        }),
        Rule::clicked | Rule::opened => {
            let clicked = p.as_rule() == Rule::clicked;
            let t = lower_string(Children::of(p).next("template")?)?;
            Ok(Expr {
                kind: if clicked {
                    ExprKind::Clicked(t)
                } else {
                    ExprKind::Opened(t)
                },
                span: sp,
            })
        }
        Rule::field_path => {
            let mut c = Children::of(p);
            let ev = lower_ident(c.next("event")?)?;
            let field = lower_ident(c.next("field")?)?;
            Ok(Expr {
                kind: ExprKind::FieldPath(ev, field),
                span: sp,
            })
        }
        Rule::call => {
            let mut c = Children::of(p);
            let f = lower_ident(c.next("function")?)?;
            let a = c.next("argument")?;
            let asp = span(&a);
            let mut more = c.rest().peekable();
            if more.peek().is_some() {
                let mut args = vec![lower_expr(a)?];
                for x in more {
                    args.push(lower_expr(x)?);
                }
                return Ok(Expr {
                    kind: ExprKind::Call(f, Box::new(CallArg::Many(args))),
                    span: sp,
                });
            }
            let arg = match a.as_rule() {
                Rule::arg_entered => CallArg::Entered(lower_ident(Children::of(a).next("stage")?)?),
                Rule::arg_reached => CallArg::Reached(lower_ident(Children::of(a).next("stage")?)?),
                Rule::arg_breached => {
                    let mut ac = Children::of(a);
                    let from = lower_ident(ac.next("from")?)?;
                    CallArg::Breached(from, lower_ident(ac.next("to")?)?)
                }
                Rule::arg_days => {
                    let mut ac = Children::of(a);
                    let from = lower_ident(ac.next("from")?)?;
                    CallArg::Days(from, lower_ident(ac.next("to")?)?, asp)
                }
                Rule::arg_in => {
                    let mut ac = Children::of(a);
                    ac.next_if(Rule::kw_in);
                    let stage = lower_ident(ac.next("stage")?)?;
                    let edge = match ac.next("period edge")?.as_str() {
                        "start" => PeriodEdge::Start,
                        _ => PeriodEdge::End,
                    };
                    CallArg::In(stage, edge, asp)
                }
                Rule::arg_groups => {
                    let mut keys = Vec::new();
                    let mut cond = None;
                    for x in a.into_inner() {
                        match x.as_rule() {
                            Rule::ident => keys.push(lower_ident(x)?),
                            _ => cond = Some(lower_expr(x)?),
                        }
                    }
                    let Some(cond) = cond else {
                        return Err(Bug("groups without a condition".into(), asp));
                    };
                    CallArg::Groups(keys, Box::new(cond))
                }
                _ => CallArg::Expr(lower_expr(a)?),
            };
            Ok(Expr {
                kind: ExprKind::Call(f, Box::new(arg)),
                span: sp,
            })
        }
        Rule::ident => Ok(Expr {
            kind: ExprKind::Name(lower_ident(p)?),
            span: sp,
        }),
        _ => Ok(Expr {
            kind: ExprKind::Lit(lower_literal(p)?),
            span: sp,
        }),
    }
}

pub(super) fn lower_literal(p: Pair<'_, Rule>) -> R<Literal> {
    let sp = span(&p);
    Ok(match p.as_rule() {
        Rule::lit_number => Literal::Number(lower_number(p)?),
        Rule::lit_percent => Literal::Percent(lower_number(p)?),
        Rule::lit_money => Literal::Money(lower_number(p)?),
        Rule::lit_duration => Literal::Duration(lower_duration(p)?),
        Rule::lit_datetime => Literal::DateTime(lower_datetime(p)?),
        Rule::lit_string => Literal::Str(lower_string(p)?),
        Rule::lit_bool => Literal::Bool(p.as_str() == "true", sp),
        _ => return bug("unexpected literal", &p),
    })
}

pub(super) fn lower_cmp_op(p: Pair<'_, Rule>) -> R<CmpOp> {
    Ok(match p.as_str() {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        ">=" => CmpOp::Ge,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        "<" => CmpOp::Lt,
        _ => return bug("unexpected comparison operator", &p),
    })
}
