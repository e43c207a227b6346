//! Lowering typed expressions into [`CExpr`]s and decoded literals into
//! runtime [`Value`]s. Names are ids already and literals decoded (by
//! `funnel_check::hir::lit`), so this is a plain translation: ids become
//! positions, texts are interned and patterns compiled once.

use funnel_check::hir::{Expr, ExprKind, Lit};

use crate::eval::CExpr;
use crate::value::{Interner, Value};

use super::Lowerer;

impl Lowerer<'_> {
    pub(crate) fn expr(&mut self, e: &Expr) -> CExpr {
        match &e.kind {
            ExprKind::Lit(l) => CExpr::Lit(self.literal(l)),
            ExprKind::EventField(f) => CExpr::EventField(f.0),
            ExprKind::LeadField(f) => CExpr::LeadField(f.0),
            ExprKind::Score(s) => CExpr::Score(s.0),
            ExprKind::EnumValue(v) => CExpr::Lit(Value::Text(self.texts.intern(v))),
            ExprKind::Stage { op, stage } => CExpr::Stage {
                op: *op,
                stage: stage.0,
                rank: self.hir.stages.get(stage.index()).map_or(-1, |s| s.rank),
            },
            ExprKind::Clicked(t) => CExpr::Clicked(self.texts.intern(self.hir.template(*t))),
            ExprKind::Opened(t) => CExpr::Opened(self.texts.intern(self.hir.template(*t))),
            ExprKind::Neg(a) => CExpr::Neg(self.bx(a)),
            ExprKind::Not(a) => CExpr::Not(self.bx(a)),
            ExprKind::And(x, y) => CExpr::And(self.bx(x), self.bx(y)),
            ExprKind::Or(x, y) => CExpr::Or(self.bx(x), self.bx(y)),
            ExprKind::Arith(op, x, y) => CExpr::Arith(*op, self.bx(x), self.bx(y)),
            ExprKind::Compare(op, x, y) => CExpr::Cmp(*op, self.bx(x), self.bx(y)),
            ExprKind::In(a, list) => {
                let a = self.expr(a);
                CExpr::In(Box::new(a), list.iter().map(|x| self.expr(x)).collect())
            }
            ExprKind::Matches(a, pattern) => {
                let a = self.expr(a);
                CExpr::Matches(Box::new(a), self.regex(pattern))
            }
            ExprKind::IsPresent(a, present) => CExpr::IsPresent(self.bx(a), *present),
        }
    }

    fn bx(&mut self, e: &Expr) -> Box<CExpr> {
        Box::new(self.expr(e))
    }

    pub(crate) fn literal(&mut self, l: &Lit) -> Value {
        lit_value(l, &mut self.texts)
    }
}

/// A decoded literal's runtime value: a percent is its fraction, a duration
/// its whole seconds (of open time when business).
pub fn lit_value(l: &Lit, texts: &mut Interner) -> Value {
    match l {
        Lit::Number(n) | Lit::Percent(n) => Value::Num(*n),
        Lit::Money(d) => Value::Money(*d),
        Lit::Duration(d) => Value::Dur(d.secs),
        Lit::Instant(t) => t.map_or(Value::Missing, Value::Time),
        Lit::Text(s) => Value::Text(texts.intern(s)),
        Lit::Bool(b) => Value::Bool(*b),
    }
}
