//! Compiled conditions and their evaluation.
//!
//! A [`CExpr`] is an expression with every name already resolved to an index
//! (an event field, a lead field, a score, an input) or a literal, so
//! evaluation is a walk over a small tree with no lookups by name and no
//! allocation. Missing values make comparisons false (`!=` true) and
//! arithmetic missing; `is missing` / `is present` test them directly.

use std::cell::RefCell;
use std::cmp::Ordering;

use funnel_check::hir::{ArithOp, CmpOp};
use regex::Regex;
use rust_decimal::Decimal;

use crate::value::{Interner, Sym, Value};

/// Sentinel for "no stage": the lead has not entered the funnel.
pub const NO_STAGE: u16 = u16::MAX;

/// A condition or value expression with resolved names.
#[derive(Clone, Debug)]
pub enum CExpr {
    Lit(Value),
    /// A field of the event being processed, by position in its declaration.
    EventField(u16),
    LeadField(u16),
    Score(u16),
    Input(u16),
    /// `stage OP X` with X a stage index; `lost` when X is a lost stage.
    Stage {
        op: CmpOp,
        stage: u16,
        rank: i32,
    },
    Clicked(Sym),
    Opened(Sym),
    Neg(Box<CExpr>),
    Not(Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Arith(ArithOp, Box<CExpr>, Box<CExpr>),
    Cmp(CmpOp, Box<CExpr>, Box<CExpr>),
    In(Box<CExpr>, Vec<CExpr>),
    /// A regex match; the index is into [`Ctx::regexes`].
    Matches(Box<CExpr>, u32),
    IsPresent(Box<CExpr>, bool),
}

pub use funnel_check::hir::reads::{Deps, DEP_ALL, DEP_CLICKS, DEP_LEAD, DEP_STAGE};

/// The bit of score `i` (see [`funnel_check::hir::reads::dep_score`]).
#[inline]
pub fn dep_score(i: u16) -> Deps {
    funnel_check::hir::reads::dep_score(funnel_check::hir::ScoreId(i))
}

/// Where a lead stands in the funnel, for `stage` comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StagePos {
    /// Current stage index, or [`NO_STAGE`].
    pub stage: u16,
    /// Forward rank of the current stage; -1 outside the funnel or when lost.
    pub rank: i32,
    pub lost: bool,
}

/// Everything an expression may read.
pub struct Ctx<'a> {
    pub lead: &'a [Value],
    pub scores: &'a [f64],
    pub inputs: &'a [Value],
    pub stage: StagePos,
    /// The fields of the event being processed (empty outside `where`).
    pub event: &'a [Value],
    pub clicks: &'a [Sym],
    pub opens: &'a [Sym],
    pub texts: &'a Interner,
    /// Compiled patterns; `None` for a pattern that did not compile (never matches).
    pub regexes: &'a [Option<Regex>],
    /// Memoised matches (texts are interned, so a pattern meets each text
    /// once); `None` evaluates every time.
    pub regex_cache: Option<&'a RegexCache>,
}

/// Per pattern, per interned text: 0 unknown, 1 no match, 2 match.
#[derive(Debug, Default)]
pub struct RegexCache {
    cells: Vec<RefCell<Vec<u8>>>,
}

impl RegexCache {
    pub fn new(patterns: usize) -> RegexCache {
        RegexCache {
            cells: (0..patterns).map(|_| RefCell::new(Vec::new())).collect(),
        }
    }

    fn is_match(&self, re: &Regex, idx: usize, text: Sym, texts: &Interner) -> bool {
        let Some(cell) = self.cells.get(idx) else {
            return re.is_match(texts.resolve(text));
        };
        let mut memo = cell.borrow_mut();
        let i = text as usize;
        if memo.len() <= i {
            memo.resize(texts.len().max(i + 1), 0);
        }
        match memo[i] {
            1 => false,
            2 => true,
            _ => {
                let hit = re.is_match(texts.resolve(text));
                memo[i] = if hit { 2 } else { 1 };
                hit
            }
        }
    }
}

impl CExpr {
    /// Evaluate to a value.
    pub fn eval(&self, cx: &Ctx<'_>) -> Value {
        match self {
            CExpr::Lit(v) => *v,
            CExpr::EventField(i) => cx.event.get(*i as usize).copied().unwrap_or(Value::Missing),
            CExpr::LeadField(i) => cx.lead.get(*i as usize).copied().unwrap_or(Value::Missing),
            CExpr::Score(i) => cx
                .scores
                .get(*i as usize)
                .map_or(Value::Missing, |s| Value::Num(*s)),
            CExpr::Input(i) => cx
                .inputs
                .get(*i as usize)
                .copied()
                .unwrap_or(Value::Missing),
            CExpr::Stage { op, stage, rank } => {
                Value::Bool(stage_cmp(cx.stage, *op, *stage, *rank))
            }
            CExpr::Clicked(t) => Value::Bool(cx.clicks.contains(t)),
            CExpr::Opened(t) => Value::Bool(cx.opens.contains(t)),
            CExpr::Neg(e) => match e.eval(cx) {
                Value::Num(n) => Value::Num(-n),
                Value::Money(d) => Value::Money(-d),
                Value::Dur(d) => Value::Dur(-d),
                _ => Value::Missing,
            },
            CExpr::Not(e) => Value::Bool(!e.eval(cx).truthy()),
            CExpr::And(a, b) => Value::Bool(a.eval(cx).truthy() && b.eval(cx).truthy()),
            CExpr::Or(a, b) => Value::Bool(a.eval(cx).truthy() || b.eval(cx).truthy()),
            CExpr::Arith(op, a, b) => arith(*op, a.eval(cx), b.eval(cx)),
            CExpr::Cmp(op, a, b) => Value::Bool(compare(*op, a.eval(cx), b.eval(cx), cx.texts)),
            CExpr::In(a, list) => {
                let v = a.eval(cx);
                Value::Bool(list.iter().any(|e| equal(v, e.eval(cx)) == Some(true)))
            }
            CExpr::Matches(a, re) => match (a.eval(cx), cx.regexes.get(*re as usize)) {
                (Value::Text(s), Some(Some(r))) => Value::Bool(match cx.regex_cache {
                    Some(cache) => cache.is_match(r, *re as usize, s, cx.texts),
                    None => r.is_match(cx.texts.resolve(s)),
                }),
                _ => Value::Bool(false),
            },
            CExpr::IsPresent(a, present) => Value::Bool((a.eval(cx) != Value::Missing) == *present),
        }
    }

    /// Evaluate as a condition.
    pub fn holds(&self, cx: &Ctx<'_>) -> bool {
        self.eval(cx).truthy()
    }
}

fn stage_cmp(pos: StagePos, op: CmpOp, stage: u16, rank: i32) -> bool {
    if rank < 0 {
        // A lost stage: only equality.
        let eq = pos.stage == stage;
        return if op == CmpOp::Ne { !eq } else { eq };
    }
    if pos.lost || pos.rank < 0 {
        return op == CmpOp::Ne;
    }
    let ord = pos.rank.cmp(&rank);
    cmp_holds(op, ord)
}

fn cmp_holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Lt => ord == Ordering::Less,
    }
}

/// Equality of two values; `None` when either is missing.
pub fn equal(a: Value, b: Value) -> Option<bool> {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => None,
        (Value::Text(x), Value::Text(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Money(x), Value::Money(y)) => Some(x == y),
        _ => order(a, b, None).map(|o| o == Ordering::Equal),
    }
}

fn order(a: Value, b: Value, texts: Option<&Interner>) -> Option<Ordering> {
    match (a, b) {
        (Value::Money(x), Value::Money(y)) => Some(x.cmp(&y)),
        (Value::Money(x), Value::Num(_)) => b.as_decimal().map(|y| x.cmp(&y)),
        (Value::Num(_), Value::Money(y)) => a.as_decimal().map(|x| x.cmp(&y)),
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(&y),
        (Value::Time(x), Value::Time(y)) | (Value::Dur(x), Value::Dur(y)) => Some(x.cmp(&y)),
        (Value::Text(x), Value::Text(y)) => texts.map(|t| t.resolve(x).cmp(t.resolve(y))),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// `a OP b`; a comparison with a missing value is false, except `!=`.
pub fn compare(op: CmpOp, a: Value, b: Value, texts: &Interner) -> bool {
    match op {
        CmpOp::Eq => equal(a, b) == Some(true),
        CmpOp::Ne => equal(a, b) != Some(true),
        _ => order(a, b, Some(texts)).is_some_and(|o| cmp_holds(op, o)),
    }
}

/// Arithmetic over values; anything undefined (missing, division by zero,
/// overflow, mixed kinds) is missing.
pub fn arith(op: ArithOp, a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => {
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div if y == 0.0 => return Value::Missing,
                ArithOp::Div => x / y,
            };
            Value::Num(r)
        }
        (Value::Money(_), _) | (_, Value::Money(_)) => money_arith(op, a, b),
        (Value::Dur(x), Value::Dur(y)) => match op {
            ArithOp::Add => Value::Dur(x.saturating_add(y)),
            ArithOp::Sub => Value::Dur(x.saturating_sub(y)),
            _ => Value::Missing,
        },
        (Value::Time(x), Value::Dur(y)) => match op {
            ArithOp::Add => Value::Time(x.saturating_add(y)),
            ArithOp::Sub => Value::Time(x.saturating_sub(y)),
            _ => Value::Missing,
        },
        _ => Value::Missing,
    }
}

fn money_arith(op: ArithOp, a: Value, b: Value) -> Value {
    let (Some(x), Some(y)) = (a.as_decimal(), b.as_decimal()) else {
        return Value::Missing;
    };
    let both_money = matches!((a, b), (Value::Money(_), Value::Money(_)));
    let r: Option<Decimal> = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => x.checked_div(y),
    };
    match r {
        None => Value::Missing,
        Some(d) if op == ArithOp::Div && both_money => {
            rust_decimal::prelude::ToPrimitive::to_f64(&d).map_or(Value::Missing, Value::Num)
        }
        Some(d) => Value::Money(d),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cx<'a>(lead: &'a [Value], scores: &'a [f64], texts: &'a Interner) -> Ctx<'a> {
        Ctx {
            lead,
            scores,
            inputs: &[],
            stage: StagePos {
                stage: 1,
                rank: 1,
                lost: false,
            },
            event: &[],
            clicks: &[],
            opens: &[],
            texts,
            regexes: &[],
            regex_cache: None,
        }
    }

    #[test]
    fn missing_fields_compare_false_except_not_equal() {
        let texts = Interner::new();
        let lead = [Value::Missing];
        let c = cx(&lead, &[], &texts);
        let ge = CExpr::Cmp(
            CmpOp::Ge,
            Box::new(CExpr::LeadField(0)),
            Box::new(CExpr::Lit(Value::Num(200.0))),
        );
        assert!(!ge.holds(&c));
        let ne = CExpr::Cmp(
            CmpOp::Ne,
            Box::new(CExpr::LeadField(0)),
            Box::new(CExpr::Lit(Value::Num(200.0))),
        );
        assert!(ne.holds(&c));
    }

    #[test]
    fn stage_comparisons_follow_funnel_order() {
        let texts = Interner::new();
        let c = cx(&[], &[], &texts);
        let ge = CExpr::Stage {
            op: CmpOp::Ge,
            stage: 0,
            rank: 0,
        };
        assert!(ge.holds(&c));
        let lost = CExpr::Stage {
            op: CmpOp::Eq,
            stage: 5,
            rank: -1,
        };
        assert!(!lost.holds(&c));
    }

    #[test]
    fn division_by_zero_is_missing() {
        assert_eq!(
            arith(ArithOp::Div, Value::Num(1.0), Value::Num(0.0)),
            Value::Missing
        );
        let m = arith(
            ArithOp::Div,
            Value::Money(Decimal::new(10, 0)),
            Value::Num(4.0),
        );
        assert_eq!(m, Value::Money(Decimal::new(25, 1)));
    }
}
