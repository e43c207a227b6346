//! Assembling triggers and condition expressions. What each bare name is
//! was decided by the checker while it checked (`infer.rs`, under the
//! scoping rules of docs/language.md) and each node's type is the one it
//! inferred; here a name only becomes the id of what it was resolved to:
//!
//! - a field of the event a `where` filter is about, a lead field or a score;
//! - beside an enumeration (`industry == saas`, `industry in (a, b)`,
//!   `set industry = saas`), one of its values, even when a lead field has
//!   the same name;
//! - beside `stage` (`stage >= SQL`, `(SQL) <= stage`), a stage, with the
//!   comparison read from `stage`'s side.

use funnel_syntax::ast::{self, CmpOp, EventSel, ExprKind as A};

use super::Assembler;
use crate::checker::Resolved;
use crate::hir::decl::Trigger;
use crate::hir::expr::{Expr, ExprKind};
use crate::hir::ids::EventId;
use crate::hir::lit::Lit;
use crate::oriented::flip;
use crate::types::{arith, Ty};

/// The event whose fields a `where` filter reads, if any.
pub(super) type Scope = Option<EventId>;

impl Assembler<'_> {
    pub(super) fn trigger(&mut self, t: &ast::Trigger) -> Trigger {
        match t {
            ast::Trigger::When(e) => Trigger::When(self.expr(e, None)),
            ast::Trigger::On { events, filter, .. } => match events {
                EventSel::Any(_) => Trigger::OnAny(filter.as_ref().map(|f| self.expr(f, None))),
                EventSel::List(names) => {
                    let mut list: Vec<(EventId, Option<Expr>)> = Vec::new();
                    for n in names {
                        let Some(ev) = self.hir.event_id(&n.name) else {
                            continue;
                        };
                        if list.iter().any(|(e, _)| *e == ev) {
                            continue;
                        }
                        let f = filter.as_ref().map(|f| self.expr(f, Some(ev)));
                        list.push((ev, f));
                    }
                    Trigger::On(list)
                }
            },
        }
    }

    /// A typed expression; `scope` is the event whose fields are in scope.
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: Scope) -> Expr {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            A::Paren(x) => return self.expr(x, scope),
            A::Lit(l) => {
                let lit = self.dec.literal(l);
                let ty = match l {
                    ast::Literal::DateTime(d) if d.time.is_none() => Ty::Date,
                    _ => lit_ty(&lit),
                };
                (ExprKind::Lit(lit), ty)
            }
            A::Name(id) => self.name(id, scope),
            A::Clicked(t) => (ExprKind::Clicked(self.template(&t.value)), Ty::Bool),
            A::Opened(t) => (ExprKind::Opened(self.template(&t.value)), Ty::Bool),
            A::Neg(x) => {
                let x = self.expr(x, scope);
                let ty = x.ty.clone();
                (ExprKind::Neg(Box::new(x)), ty)
            }
            A::Not(x) => (ExprKind::Not(Box::new(self.expr(x, scope))), Ty::Bool),
            A::And(a, b) => (
                ExprKind::And(Box::new(self.expr(a, scope)), Box::new(self.expr(b, scope))),
                Ty::Bool,
            ),
            A::Or(a, b) => (
                ExprKind::Or(Box::new(self.expr(a, scope)), Box::new(self.expr(b, scope))),
                Ty::Bool,
            ),
            A::Arith(op, a, b) => {
                let (a, b) = (self.expr(a, scope), self.expr(b, scope));
                let ty = arith(*op, &a.ty, &b.ty).unwrap_or(Ty::Error);
                (ExprKind::Arith(*op, Box::new(a), Box::new(b)), ty)
            }
            A::Compare(op, l, r) => (self.compare(*op, l, r, scope), Ty::Bool),
            A::In(l, items) => {
                let l = self.expr(l, scope);
                let items = items
                    .iter()
                    .map(|x| self.operand(x, &l.ty, scope))
                    .collect();
                (ExprKind::In(Box::new(l), items), Ty::Bool)
            }
            A::Matches(x, re) => (
                ExprKind::Matches(Box::new(self.expr(x, scope)), re.value.clone()),
                Ty::Bool,
            ),
            A::IsPresent(x, present) => (
                ExprKind::IsPresent(Box::new(self.expr(x, scope)), *present),
                Ty::Bool,
            ),
            // Not in a checked condition (the checker reports them).
            A::FieldPath(..) | A::Call(..) | A::Stage => {
                (ExprKind::Lit(Lit::Bool(false)), Ty::Error)
            }
        };
        // The type the checker inferred wins over the one worked out here
        // (which only fills in for nodes it never typed on their own).
        let ty = self.parts.types.get(&span).cloned().unwrap_or(ty);
        Expr { kind, ty, span }
    }

    /// A value compared with (or set into) something of type `other`: a
    /// name the checker read as an enumeration value has `other`'s type.
    pub(super) fn operand(&mut self, e: &ast::Expr, other: &Ty, scope: Scope) -> Expr {
        match &e.kind {
            A::Paren(x) => self.operand(x, other, scope),
            A::Name(id) if self.parts.resolved.get(&id.span) == Some(&Resolved::EnumValue) => {
                Expr {
                    kind: ExprKind::EnumValue(id.name.clone()),
                    ty: other.clone(),
                    span: e.span,
                }
            }
            _ => self.expr(e, scope),
        }
    }

    fn compare(&mut self, op: CmpOp, l: &ast::Expr, r: &ast::Expr, scope: Scope) -> ExprKind {
        let stage_side = match (&l.kind, &r.kind) {
            (A::Stage, _) => Some((op, r)),
            (_, A::Stage) => Some((flip(op), l)),
            _ => None,
        };
        if let Some((op, other)) = stage_side {
            let mut other = other;
            while let A::Paren(x) = &other.kind {
                other = x;
            }
            if let Some(stage) = match &other.kind {
                A::Name(id) if self.parts.resolved.get(&id.span) == Some(&Resolved::Stage) => {
                    self.hir.stage_id(&id.name)
                }
                _ => None,
            } {
                return ExprKind::Stage { op, stage };
            }
        }
        let l = self.expr(l, scope);
        let r = self.operand(r, &l.ty, scope);
        ExprKind::Compare(op, Box::new(l), Box::new(r))
    }

    /// The id of what the checker resolved a bare name to, and its type.
    fn name(&self, id: &ast::Ident, scope: Scope) -> (ExprKind, Ty) {
        let name = id.name.as_str();
        let found = match self.parts.resolved.get(&id.span) {
            Some(Resolved::EventField) => scope.and_then(|e| {
                let ev = self.hir.event(e);
                let f = ev.field(name)?;
                Some((ExprKind::EventField(f), ev.fields[f.index()].ty.ty.clone()))
            }),
            Some(Resolved::LeadField) => self.hir.lead_field_id(name).map(|f| {
                (
                    ExprKind::LeadField(f),
                    self.hir.lead_fields[f.index()].ty.ty.clone(),
                )
            }),
            Some(Resolved::Score) => self
                .hir
                .score_id(name)
                .map(|s| (ExprKind::Score(s), Ty::Number)),
            Some(Resolved::EnumValue | Resolved::Stage) | None => None,
        };
        // A checked condition has no other bare names.
        found.unwrap_or_else(|| (ExprKind::EnumValue(name.to_string()), Ty::Error))
    }
}

/// The type of a decoded literal.
pub(super) fn lit_ty(l: &Lit) -> Ty {
    match l {
        Lit::Number(_) => Ty::Number,
        Lit::Percent(_) => Ty::Percent,
        Lit::Money(_) => Ty::Money,
        Lit::Duration(_) => Ty::Duration,
        Lit::Instant(_) => Ty::DateTime,
        Lit::Text(_) => Ty::Text,
        Lit::Bool(_) => Ty::Bool,
    }
}
