//! KPIs: the lowered formulas (built by `compile/kpi.rs`) and (in [`eval`])
//! computing them at the end of a replay. Each KPI's type is the one the checker inferred.
//!
//! A formula is arithmetic over aggregates (`count(entered X)`,
//! `sum(E.f)`, `avg(days(A -> B))`, …), inputs, literals and other KPIs.
//! Every value is an exact decimal; percent values are fractions; durations
//! are days.

pub mod eval;
pub mod periods;

use funnel_check::hir::{ArithOp, CmpOp, PeriodEdge};
use funnel_check::Ty;
use rust_decimal::Decimal;

pub use funnel_check::hir::{Fun, Period};

pub use eval::{evaluate, KpiResult, TargetStatus};

/// How a KPI's value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KTy {
    Number,
    Percent,
    Money,
    /// Money per day (`pipeline velocity`).
    MoneyPerDay,
    /// A duration in days.
    Days,
}

impl KTy {
    /// How a KPI of the checker's type `ty` is shown (the checker gives a
    /// KPI only these types).
    pub fn of(ty: &Ty) -> KTy {
        match ty {
            Ty::Money => KTy::Money,
            Ty::Percent => KTy::Percent,
            Ty::MoneyPerDay => KTy::MoneyPerDay,
            Ty::Duration => KTy::Days,
            _ => KTy::Number,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KTy::Number => "number",
            KTy::Percent => "percent",
            KTy::Money => "money",
            KTy::MoneyPerDay => "money per day",
            KTy::Days => "days",
        }
    }
}

/// The facts an aggregate runs over.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Leads that entered the stage (by entry instant). `reached X` is the
    /// same set: skipped stages count as entered, so every lead at or past
    /// X entered X.
    Entered(u16),
    Breached(u16),
    /// Events of a type (value: 1, or the field's value).
    Events {
        event: u16,
        field: Option<u16>,
    },
    /// Days from entering A to entering B (by the instant B was entered).
    Days {
        from: u16,
        to: u16,
    },
    /// Leads in the stage at the start (or end) of each period, dated then;
    /// ungrouped, at the start of the data (or the as-of instant).
    In {
        stage: u16,
        edge: PeriodEdge,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum KExpr {
    Const(Decimal),
    Input(u16),
    Kpi(u16),
    Agg(Fun, Source),
    Neg(Box<KExpr>),
    Arith(ArithOp, Box<KExpr>, Box<KExpr>),
    /// `abs(x)`.
    Abs(Box<KExpr>),
    /// `round(x[, digits])`: to this many decimals of the value as stored
    /// (a percent's fraction: two more than its percentage's).
    Round(Box<KExpr>, u32),
    /// `min(a, b, …)` (`false`) or `max(a, b, …)` (`true`).
    Extreme(bool, Vec<KExpr>),
    /// `prev(K)`: K one period earlier, by the KPI's first period key.
    Prev(Box<KExpr>),
    /// `count(by K, … where C)`: the groups by the KPI's keys and these
    /// where C holds.
    CountGroups(Vec<ByKey>, Box<KCond>),
    /// Something the engine cannot compute (the checker rejects it).
    Undefined,
}

/// The condition of `count(by K where C)`: comparisons of KPI values.
#[derive(Clone, Debug, PartialEq)]
pub enum KCond {
    Compare(CmpOp, KExpr, KExpr),
    And(Box<KCond>, Box<KCond>),
    Or(Box<KCond>, Box<KCond>),
    Not(Box<KCond>),
}

/// A `by` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ByKey {
    Period(Period),
    LeadField(u16),
    /// A field of the aggregated event, by name.
    EventField(String),
}

#[derive(Clone, Debug)]
pub struct KpiDef {
    pub name: String,
    pub expr: KExpr,
    pub by: Vec<ByKey>,
    pub by_names: Vec<String>,
    pub ty: KTy,
    pub line: u32,
    pub target: Option<(CmpOp, Decimal, String)>,
}
