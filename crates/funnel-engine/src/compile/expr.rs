//! Compiling AST expressions into [`CExpr`]s, resolving names by the
//! scoping rules: in a `where` after `on E`, fields of E first, then lead
//! fields, then scores (then inputs); in `when` conditions lead fields, then
//! scores; any other bare name is an enumeration value (or a stage name
//! beside `stage`).

use funnel_syntax::ast::{CmpOp, Expr, ExprKind, Literal, Unit};
use regex::Regex;
use rust_decimal::Decimal;

use crate::calendar::local_to_instant;
use crate::eval::CExpr;
use crate::value::Value;

use super::Compiler;

impl Compiler<'_> {
    /// Compile `e`; `event` is the event whose fields are in scope.
    pub(crate) fn expr(&mut self, e: &Expr, event: Option<usize>) -> CExpr {
        match &e.kind {
            ExprKind::Lit(l) => CExpr::Lit(self.literal(l)),
            ExprKind::Name(id) => self.name(&id.name, event),
            ExprKind::FieldPath(..) | ExprKind::Call(..) => CExpr::Lit(Value::Missing),
            ExprKind::Stage => CExpr::Lit(Value::Missing),
            ExprKind::Clicked(s) => CExpr::Clicked(self.texts.intern(&s.value)),
            ExprKind::Opened(s) => CExpr::Opened(self.texts.intern(&s.value)),
            ExprKind::Neg(a) => CExpr::Neg(Box::new(self.expr(a, event))),
            ExprKind::Not(a) => CExpr::Not(Box::new(self.expr(a, event))),
            ExprKind::Paren(a) => self.expr(a, event),
            ExprKind::And(a, b) => {
                CExpr::And(Box::new(self.expr(a, event)), Box::new(self.expr(b, event)))
            }
            ExprKind::Or(a, b) => {
                CExpr::Or(Box::new(self.expr(a, event)), Box::new(self.expr(b, event)))
            }
            ExprKind::Arith(op, a, b) => CExpr::Arith(
                *op,
                Box::new(self.expr(a, event)),
                Box::new(self.expr(b, event)),
            ),
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, event),
            ExprKind::In(a, list) => {
                let a = self.expr(a, event);
                let list = list.iter().map(|x| self.expr(x, event)).collect();
                CExpr::In(Box::new(a), list)
            }
            ExprKind::Matches(a, re) => {
                let a = self.expr(a, event);
                let idx = match self.regex_index.get(&re.value) {
                    Some(i) => *i,
                    None => {
                        let compiled = Regex::new(&re.value).ok();
                        let i = u32::try_from(self.regexes.len()).unwrap_or(u32::MAX);
                        self.regexes.push(compiled);
                        self.regex_index.insert(re.value.clone(), i);
                        i
                    }
                };
                CExpr::Matches(Box::new(a), idx)
            }
            ExprKind::IsPresent(a, present) => {
                CExpr::IsPresent(Box::new(self.expr(a, event)), *present)
            }
        }
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, event: Option<usize>) -> CExpr {
        let stage_name = |x: &Expr| match &x.kind {
            ExprKind::Name(n) => Some(n.name.clone()),
            _ => None,
        };
        let flipped = |op: CmpOp| match op {
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Lt => CmpOp::Gt,
            o => o,
        };
        let stage_side = match (&a.kind, &b.kind) {
            (ExprKind::Stage, _) => stage_name(b).map(|n| (op, n)),
            (_, ExprKind::Stage) => stage_name(a).map(|n| (flipped(op), n)),
            _ => None,
        };
        if let Some((op, name)) = stage_side {
            if let Some(i) = self.program.stage_index(&name) {
                let stage = u16::try_from(i).unwrap_or(u16::MAX);
                let rank = self.rank_of(i);
                return CExpr::Stage { op, stage, rank };
            }
        }
        CExpr::Cmp(
            op,
            Box::new(self.expr(a, event)),
            Box::new(self.expr(b, event)),
        )
    }

    fn name(&mut self, name: &str, event: Option<usize>) -> CExpr {
        if let Some(ev) = event.and_then(|e| self.program.events.get(e)) {
            if let Some(i) = ev.fields.iter().position(|f| f.name == name) {
                return CExpr::EventField(to_u16(i));
            }
        }
        if let Some(i) = self.program.lead_fields.iter().position(|f| f.name == name) {
            return CExpr::LeadField(to_u16(i));
        }
        if let Some(i) = self.program.score_index(name) {
            return CExpr::Score(to_u16(i));
        }
        if let Some(i) = self.program.inputs.iter().position(|f| f.name == name) {
            return CExpr::Input(to_u16(i));
        }
        CExpr::Lit(Value::Text(self.texts.intern(name)))
    }

    /// A literal's runtime value. Durations are calendar seconds here.
    pub(crate) fn literal(&mut self, l: &Literal) -> Value {
        match l {
            Literal::Number(n) => Value::Num(n.value),
            Literal::Percent(n) => Value::Num(n.value / 100.0),
            Literal::Money(n) => Value::Money(decimal(&n.text)),
            Literal::Duration(d) => Value::Dur((d.amount.value * d.unit.seconds() as f64) as i64),
            Literal::DateTime(d) => {
                let date = chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day);
                let (h, m, s) = d.time.unwrap_or((0, 0, 0));
                match date.and_then(|x| x.and_hms_opt(h, m, s)) {
                    Some(naive) => match d.offset {
                        Some(off) => Value::Time(naive.and_utc().timestamp() - i64::from(off)),
                        None => Value::Time(local_to_instant(self.program.timezone, naive)),
                    },
                    None => Value::Missing,
                }
            }
            Literal::Str(s) => Value::Text(self.texts.intern(&s.value)),
            Literal::Bool(b, _) => Value::Bool(*b),
        }
    }
}

/// Parse a number's text as an exact decimal.
pub fn decimal(text: &str) -> Decimal {
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .unwrap_or_default()
}

/// A unit's length in business seconds, given the daily open span.
pub fn business_seconds(unit: Unit, daily_span: i64) -> i64 {
    match unit {
        Unit::Minute => 60,
        Unit::Hour => 3_600,
        Unit::Day => daily_span,
        Unit::Week => 5 * daily_span,
        Unit::Month => 20 * daily_span,
    }
}

pub(crate) fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}
