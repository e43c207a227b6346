//! The types of Funnel values, as the checker infers them and the engine uses them.

use std::fmt;

/// A value's type. `Error` is the placeholder put in after a reported
/// mistake, so one mistake does not cascade into more diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Number,
    /// Exact decimal in the playbook's one currency.
    Money,
    /// A fraction; `25%` is 0.25.
    Percent,
    /// A length of time; KPIs over `days(A -> B)` are durations in days.
    Duration,
    Date,
    DateTime,
    Text,
    Bool,
    /// `one of a | b | c`, the values in declaration order.
    Enum(Vec<String>),
    /// A stage of the funnel (only in `stage >= X`).
    Stage,
    Error,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Number => f.write_str("number"),
            Ty::Money => f.write_str("money"),
            Ty::Percent => f.write_str("percent"),
            Ty::Duration => f.write_str("duration"),
            Ty::Date => f.write_str("date"),
            Ty::DateTime => f.write_str("datetime"),
            Ty::Text => f.write_str("text"),
            Ty::Bool => f.write_str("bool"),
            Ty::Enum(vs) => write!(f, "one of {}", vs.join(" | ")),
            Ty::Stage => f.write_str("stage"),
            Ty::Error => f.write_str("unknown"),
        }
    }
}

/// A declared field's type: the type and whether it may be missing (`?`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldTy {
    pub ty: Ty,
    pub optional: bool,
}
