//! Lowering the clauses declarations share: field declarations, types,
//! triggers, `where` filters and guards.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;

use super::expr::lower_expr;
use super::literals::lower_ident;
use super::pairs::{bug, span, Children, R};

pub(super) fn lower_field_decl(p: Pair<'_, Rule>) -> R<FieldDecl> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let name = lower_ident(c.next("field name")?)?;
    let ty = lower_type_expr(c.next("type")?)?;
    Ok(FieldDecl { name, ty, span: sp })
}

pub(super) fn lower_type_expr(p: Pair<'_, Rule>) -> R<TypeExpr> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let t = c.next("type")?;
    let kind = match t.as_rule() {
        Rule::type_name => TypeKind::Named(lower_ident(Children::of(t).next("type name")?)?),
        Rule::one_of => TypeKind::OneOf(t.into_inner().map(lower_ident).collect::<R<_>>()?),
        _ => return bug("unexpected type", &t),
    };
    let optional = c.next_if(Rule::optional).is_some();
    Ok(TypeExpr {
        kind,
        optional,
        span: sp,
    })
}

pub(super) fn lower_trigger(p: Pair<'_, Rule>) -> R<Trigger> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::on_trigger => {
            let mut c = Children::of(p);
            let sel = c.next("events")?;
            let events = match sel.as_rule() {
                Rule::any_event => EventSel::Any(span(&sel)),
                Rule::event_list => {
                    EventSel::List(sel.into_inner().map(lower_ident).collect::<R<_>>()?)
                }
                _ => return bug("unexpected event selector", &sel),
            };
            let filter = c.next_if(Rule::where_clause).map(lower_where).transpose()?;
            Ok(Trigger::On {
                events,
                filter,
                span: sp,
            })
        }
        Rule::when_trigger => Ok(Trigger::When(lower_expr(
            Children::of(p).next("condition")?,
        )?)),
        _ => bug("unexpected trigger", &p),
    }
}

pub(super) fn lower_where(p: Pair<'_, Rule>) -> R<Expr> {
    lower_expr(Children::of(p).next("condition")?)
}

pub(super) fn lower_guard(p: Pair<'_, Rule>) -> R<Expr> {
    lower_expr(Children::of(p).next("condition")?)
}
