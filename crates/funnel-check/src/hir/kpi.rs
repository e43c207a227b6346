//! Typed KPIs: formula trees over aggregates, inputs, literals and other
//! KPIs, with names resolved to ids, each KPI's type as the checker reported
//! it, `round`'s decimals decided by the type it rounds, `by` keys, and
//! targets with their decoded values.

pub use funnel_syntax::ast::PeriodEdge;
use funnel_syntax::ast::{ArithOp, CmpOp};
use funnel_syntax::Span;
use rust_decimal::Decimal;

use super::ids::{EventFieldId, EventId, InputId, KpiId, LeadFieldId, SlaId, StageId};
use crate::types::Ty;

/// A `kpi` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Kpi {
    pub name: String,
    pub expr: KExpr,
    pub by: Vec<ByKey>,
    /// The `by` keys as written.
    pub by_names: Vec<String>,
    /// The type the checker inferred and reported.
    pub ty: Ty,
    pub target: Option<Target>,
    pub span: Span,
}

/// `target KPI OP VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub op: CmpOp,
    /// The value as a KPI value (a percent as a fraction, a duration in days).
    pub value: Decimal,
    pub span: Span,
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fun {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// The facts an aggregate runs over.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// `entered X` and `reached X` (skipped stages count as entered).
    Entered(StageId),
    Breached(SlaId),
    /// Events of a type (value: 1, or the field's value).
    Events {
        event: EventId,
        field: Option<EventFieldId>,
    },
    /// `days(A -> B)`.
    Days {
        from: StageId,
        to: StageId,
    },
    /// `in X at period start|end`.
    In {
        stage: StageId,
        edge: PeriodEdge,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum KExpr {
    Const(Decimal),
    Input(InputId),
    Kpi(KpiId),
    Agg(Fun, Source),
    Neg(Box<KExpr>),
    Arith(ArithOp, Box<KExpr>, Box<KExpr>),
    Abs(Box<KExpr>),
    /// `round(x[, digits])`: to this many decimals of the value as stored
    /// (a percent's fraction: two more than its percentage's).
    Round(Box<KExpr>, u32),
    /// `min(a, b, …)` (`false`) or `max(a, b, …)` (`true`).
    Extreme(bool, Vec<KExpr>),
    Prev(Box<KExpr>),
    /// `count(by K, … where C)`.
    CountGroups(Vec<ByKey>, Box<KCond>),
    /// No value: what assembly makes of a form the checker rejects, so
    /// assembling stays total (a checked program holds none).
    Undefined,
}

/// The condition of `count(by K where C)`.
#[derive(Clone, Debug, PartialEq)]
pub enum KCond {
    Compare(CmpOp, KExpr, KExpr),
    And(Box<KCond>, Box<KCond>),
    Or(Box<KCond>, Box<KCond>),
    Not(Box<KCond>),
}

/// A `by` key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ByKey {
    Period(Period),
    LeadField(LeadFieldId),
    /// A field of the aggregated event, by name.
    EventField(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}
