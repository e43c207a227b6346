//! Typed expressions: conditions, guards and `set` values with every name
//! resolved to an id by the checker's scoping rules (after `on E where`, a
//! field of E, then a lead field, then a score; elsewhere a lead field, then
//! a score; a bare name beside an enumeration is one of its values; `stage`
//! compared with a stage name, read from `stage`'s side) and every node
//! carrying the type the checker gave it.

pub use funnel_syntax::ast::{ArithOp, CmpOp};
use funnel_syntax::Span;

use super::ids::{EventFieldId, LeadFieldId, ScoreId, StageId, TemplateId};
use super::lit::Lit;
use crate::types::Ty;

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

/// What an expression is. Parentheses are gone: the tree is the grouping.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Lit),
    /// A field of the event a `where` filter is about.
    EventField(EventFieldId),
    LeadField(LeadFieldId),
    Score(ScoreId),
    /// A value of an enumeration, written as a bare name beside it.
    EnumValue(String),
    /// `stage OP X`, with the operator read from `stage`'s side.
    Stage {
        op: CmpOp,
        stage: StageId,
    },
    Clicked(TemplateId),
    Opened(TemplateId),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    /// A regular expression match (the checker compiled the pattern).
    Matches(Box<Expr>, String),
    /// `x is present` (`true`) or `x is missing` (`false`).
    IsPresent(Box<Expr>, bool),
}

impl Expr {
    /// The expressions directly inside this one, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Lit(_)
            | ExprKind::EventField(_)
            | ExprKind::LeadField(_)
            | ExprKind::Score(_)
            | ExprKind::EnumValue(_)
            | ExprKind::Stage { .. }
            | ExprKind::Clicked(_)
            | ExprKind::Opened(_) => Vec::new(),
            ExprKind::Neg(a)
            | ExprKind::Not(a)
            | ExprKind::Matches(a, _)
            | ExprKind::IsPresent(a, _) => vec![a],
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b) => vec![a, b],
            ExprKind::In(a, list) => std::iter::once(&**a).chain(list).collect(),
        }
    }
}
