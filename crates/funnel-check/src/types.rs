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
    /// Money per day: money divided by a duration (pipeline velocity). Only
    /// KPI formulas make one.
    MoneyPerDay,
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
            Ty::MoneyPerDay => f.write_str("money per day"),
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

impl Ty {
    /// Number, money, percent or duration: values arithmetic works on.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Ty::Number | Ty::Money | Ty::Percent | Ty::Duration | Ty::MoneyPerDay
        )
    }

    /// Types `<`, `>=` and friends can order.
    pub fn is_ordered(&self) -> bool {
        self.is_numeric() || matches!(self, Ty::Date | Ty::DateTime)
    }
}

/// The type of `a op b`, or `None` when the operation mixes types wrongly.
/// `Error` operands give `Error`. Number / number is a number here; KPIs
/// make a ratio of two counts a percent (see the KPI pass).
pub fn arith(op: funnel_syntax::ast::ArithOp, a: &Ty, b: &Ty) -> Option<Ty> {
    use funnel_syntax::ast::ArithOp::*;
    use Ty::*;
    if *a == Error || *b == Error {
        return Some(Error);
    }
    let t = match (op, a, b) {
        (Add | Sub, x, y) if x == y && x.is_numeric() => x.clone(),
        (Add | Sub, Date | DateTime, Duration) => a.clone(),
        (Mul, Number, Number) => Number,
        (Mul, Number, Percent) | (Mul, Percent, Number) => Number,
        (Mul, Money, Percent | Number) | (Mul, Percent | Number, Money) => Money,
        (Mul, Percent, Percent) => Percent,
        (Mul, Duration, Number | Percent) | (Mul, Number | Percent, Duration) => Duration,
        (Mul, MoneyPerDay, Number | Percent) | (Mul, Number | Percent, MoneyPerDay) => MoneyPerDay,
        (Mul, MoneyPerDay, Duration) | (Mul, Duration, MoneyPerDay) => Money,
        (Div, Number, Number) => Number,
        (Div, Money, Money)
        | (Div, Percent, Percent)
        | (Div, Duration, Duration)
        | (Div, MoneyPerDay, MoneyPerDay) => Percent,
        (Div, Money, Duration) => MoneyPerDay,
        (Div, Money, Number | Percent) => Money,
        (Div, MoneyPerDay, Number | Percent) => MoneyPerDay,
        (Div, Number, Percent | Duration) => Number,
        (Div, Percent, Number) => Percent,
        (Div, Duration, Number | Percent) => Duration,
        _ => return None,
    };
    Some(t)
}

/// Whether `==` may compare values of these types (`Error` always may).
pub fn eq_compatible(a: &Ty, b: &Ty) -> bool {
    use Ty::*;
    a == b
        || *a == Error
        || *b == Error
        || matches!(
            (a, b),
            (Money, Number) | (Number, Money) | (Date, DateTime) | (DateTime, Date)
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use funnel_syntax::ast::ArithOp::*;

    #[test]
    fn kpi_arithmetic_follows_the_brief() {
        assert_eq!(arith(Mul, &Ty::Number, &Ty::Percent), Some(Ty::Number));
        assert_eq!(arith(Mul, &Ty::Money, &Ty::Percent), Some(Ty::Money));
        assert_eq!(arith(Div, &Ty::Money, &Ty::Number), Some(Ty::Money));
        assert_eq!(arith(Div, &Ty::Money, &Ty::Duration), Some(Ty::MoneyPerDay));
        assert_eq!(arith(Mul, &Ty::MoneyPerDay, &Ty::Duration), Some(Ty::Money));
        assert_eq!(arith(Div, &Ty::Money, &Ty::Money), Some(Ty::Percent));
        assert_eq!(arith(Mul, &Ty::Percent, &Ty::Percent), Some(Ty::Percent));
        assert_eq!(arith(Add, &Ty::Money, &Ty::Money), Some(Ty::Money));
        assert_eq!(arith(Add, &Ty::Money, &Ty::Percent), None);
        assert_eq!(arith(Sub, &Ty::Number, &Ty::Text), None);
        assert_eq!(arith(Add, &Ty::Error, &Ty::Text), Some(Ty::Error));
    }

    #[test]
    fn comparisons() {
        assert!(eq_compatible(&Ty::Money, &Ty::Number));
        assert!(!eq_compatible(&Ty::Text, &Ty::Number));
        assert!(!Ty::Text.is_ordered());
        assert!(Ty::Date.is_ordered());
    }
}
