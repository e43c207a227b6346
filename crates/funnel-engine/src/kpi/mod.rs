//! KPIs: the typed program's formulas (gathered by `compile/kpi.rs`) and (in [`eval`])
//! computing them at the end of a replay. Each KPI's type is the one the checker inferred.
//!
//! A formula is arithmetic over aggregates (`count(entered X)`,
//! `sum(E.f)`, `avg(days(A -> B))`, …), inputs, literals and other KPIs.
//! Every value is an exact decimal; percent values are fractions; durations
//! are days.

pub mod eval;
pub mod periods;

use funnel_check::hir::CmpOp;
use funnel_check::Ty;
use rust_decimal::Decimal;

// The formula trees are the typed program's own: the engine computes them
// as the checker resolved and typed them.
pub use funnel_check::hir::{ByKey, Fun, KCond, KExpr, Period, Source};

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
