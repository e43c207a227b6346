//! Judging expectations against a test's outcome: which instants a test
//! needs replayed, and for each `expect` whether it holds and, when not,
//! what the lead had instead.

use funnel_check::Ty;
use funnel_syntax::ast::{CmpOp, DateTimeLit, Expectation, Expr, TestDecl, TestItem};
use funnel_syntax::Span;
use rust_decimal::Decimal;

use funnel_engine::compile::Compiled;
use funnel_engine::data::Dataset;
use funnel_engine::display::{fmt_kpi, fmt_time_short, fmt_value};
use funnel_engine::eval::{compare, CExpr, Ctx, StagePos, NO_STAGE};
use funnel_engine::kpi::KTy;
use funnel_engine::trace::ActionDetail;
use funnel_engine::value::{fmt_num, Value};
use funnel_engine::Outcome;

use super::values::{cmp_decimal, cmp_f64, instant, kpi_value, value};
use super::{Failure, Source};

/// The instants a test is judged at: its end and every `expect at T`.
pub(super) struct Plan {
    end: Option<i64>,
    instants: Vec<Option<i64>>,
}

pub(super) fn plan(c: &Compiled, t: &TestDecl, end: Option<i64>) -> Plan {
    let mut instants = vec![end];
    for item in &t.items {
        if let TestItem::Expect { at: Some(at), .. } = item {
            if let Some(i) = instant(c, at) {
                instants.push(Some(i));
            }
        }
    }
    instants.sort();
    instants.dedup();
    Plan { end, instants }
}

impl Plan {
    pub fn instants(&self) -> impl Iterator<Item = Option<i64>> + '_ {
        self.instants.iter().copied()
    }

    /// The instant an expectation judges: its `at`, or the end of the test.
    pub fn instant_of(&self, c: &Compiled, at: Option<&DateTimeLit>) -> Option<i64> {
        match at.and_then(|a| instant(c, a)) {
            Some(t) => Some(t),
            None => self.end,
        }
    }
}

/// One outcome to judge expectations against.
pub(super) struct Judge<'a> {
    pub c: &'a Compiled,
    pub ds: &'a Dataset,
    pub o: &'a Outcome,
    pub src: &'a Source<'a>,
    /// The test's last event.
    pub end: Option<i64>,
}

impl Judge<'_> {
    /// `None` when the expectation holds, else the failure.
    pub fn check(
        &self,
        what: &Expectation,
        span: Span,
        at: Option<&DateTimeLit>,
    ) -> Option<Failure> {
        let (holds, actual, note) = match what {
            Expectation::Stage(op, stage) => self.stage(*op, &stage.name),
            Expectation::Score(score, op, v) => self.score(&score.name, *op, v),
            Expectation::Sent(t, when) => self.sent(&t.value, when.as_ref(), at.is_none()),
            Expectation::NotSent(t) => {
                let times = self.sends(&t.value);
                (times.is_empty(), self.sent_text(&times), None)
            }
            Expectation::Kpi(k, op, v) => self.kpi(&k.name, *op, v),
            Expectation::Field(f, op, v) => self.field(&f.name, *op, v),
        };
        if holds {
            return None;
        }
        let source = self.src.snippet(span);
        let expected = match at {
            Some(a) => self.src.snippet(Span {
                start: a.span.end,
                end: span.end,
            }),
            None => source
                .strip_prefix("expect")
                .map_or(source.as_str(), str::trim_start)
                .to_string(),
        };
        Some(Failure {
            line: self.src.line(span),
            source,
            expected,
            actual,
            at: None,
            note,
        })
    }

    fn stage(&self, op: CmpOp, name: &str) -> (bool, String, Option<String>) {
        let c = self.c;
        let cur = self.o.stage.first().copied().unwrap_or(NO_STAGE);
        let cur_def = c.stages.get(cur as usize);
        let pos = StagePos {
            stage: cur,
            rank: cur_def.map_or(-1, |d| d.rank),
            lost: cur_def.is_some_and(|d| d.lost),
        };
        let holds = match c.stage_index(name) {
            Some(s) => {
                let e = CExpr::Stage {
                    op,
                    stage: u16::try_from(s).unwrap_or(u16::MAX),
                    rank: c.stages[s].rank,
                };
                e.holds(&ctx(pos, &self.ds.texts))
            }
            None => false,
        };
        let actual = cur_def.map_or("(not in the funnel)".to_string(), |d| d.name.clone());
        (holds, actual, None)
    }

    fn score(&self, name: &str, op: CmpOp, v: &Expr) -> (bool, String, Option<String>) {
        let c = self.c;
        let Some(i) = c.scores.iter().position(|s| s.name == name) else {
            return (false, "(no such score)".into(), None);
        };
        let actual = self.o.scores.get(i).copied().unwrap_or(f64::NAN);
        let mut texts = self.ds.texts.clone();
        let holds = match value(c, &mut texts, &Ty::Number, v) {
            Value::Num(e) => cmp_f64(op, actual, e),
            _ => false,
        };
        (holds, fmt_num(actual), None)
    }

    /// Instants of the sends of template `t`, in order.
    fn sends(&self, t: &str) -> Vec<i64> {
        let Some(sym) = self.ds.texts.get(t) else {
            return Vec::new();
        };
        self.o
            .actions
            .iter()
            .filter(|a| a.lead == 0 && a.detail == ActionDetail::Send(sym))
            .map(|a| a.at)
            .collect()
    }

    fn sent_text(&self, times: &[i64]) -> String {
        if times.is_empty() {
            return "never sent".to_string();
        }
        let list: Vec<String> = times
            .iter()
            .map(|t| fmt_time_short(*t, self.c.tz))
            .collect();
        format!("sent at {}", list.join(", "))
    }

    fn sent(
        &self,
        t: &str,
        when: Option<&DateTimeLit>,
        at_end: bool,
    ) -> (bool, String, Option<String>) {
        let times = self.sends(t);
        let actual = self.sent_text(&times);
        let Some(when) = when else {
            return (!times.is_empty(), actual, None);
        };
        let want = instant(self.c, when);
        let holds = want.is_some_and(|w| times.contains(&w));
        let note = match (want, self.end) {
            (Some(w), Some(end)) if at_end && !holds && w > end => {
                let w = fmt_time_short(w, self.c.tz);
                Some(format!(
                    "the test ends at its last event ({}); write `expect at {w} sent \"{t}\" at {w}` \
                     to let it run on to {w}",
                    fmt_time_short(end, self.c.tz)
                ))
            }
            _ => None,
        };
        (holds, actual, note)
    }

    fn kpi(&self, name: &str, op: CmpOp, v: &Expr) -> (bool, String, Option<String>) {
        let Some(k) = self.o.kpis.iter().find(|k| k.name == name) else {
            return (false, "(no such kpi)".into(), None);
        };
        // A KPI that cannot be computed (a sum beyond Decimal's range) fails
        // every expectation on it, `!=` included: it has no value to compare.
        if let Some(f) = k.fault {
            return (false, format!("cannot be computed: {}", f.message()), None);
        }
        let actual = fmt_kpi(k.total, k.ty, &self.c.currency);
        let scale = |d: Decimal| {
            if k.ty == KTy::Percent {
                d * Decimal::ONE_HUNDRED
            } else {
                d
            }
        };
        let holds = match (k.total, kpi_value(self.c, v)) {
            (Some(a), Some(e)) => cmp_decimal(op, scale(a), scale(e)),
            // Undefined compares like a missing value: only `!=` holds.
            _ => op == CmpOp::Ne,
        };
        (holds, actual, None)
    }

    fn field(&self, name: &str, op: CmpOp, v: &Expr) -> (bool, String, Option<String>) {
        let c = self.c;
        let Some(i) = c.lead_fields.iter().position(|f| f.name == name) else {
            return (false, "(no such field)".into(), None);
        };
        let ty = &c.lead_fields[i].ty;
        let actual = self.o.vals.get(i).copied().unwrap_or(Value::Missing);
        let mut texts = self.ds.texts.clone();
        let want = value(c, &mut texts, ty, v);
        let holds = match (actual, want) {
            (Value::Num(a), Value::Num(e)) if *ty == Ty::Percent => {
                cmp_f64(op, a * 100.0, e * 100.0)
            }
            (Value::Num(a), Value::Num(e)) => cmp_f64(op, a, e),
            (Value::Money(a), Value::Money(e)) => cmp_decimal(op, a, e),
            (a, e) => compare(op, a, e, &texts),
        };
        let shown = match (actual, ty) {
            (Value::Missing, _) => "missing".to_string(),
            (Value::Text(s), Ty::Text) => format!("\"{}\"", texts.resolve(s)),
            (Value::Num(n), Ty::Percent) => format!("{}%", fmt_num(n * 100.0)),
            (v, _) => fmt_value(v, &texts, c),
        };
        (holds, shown, None)
    }
}

/// A context that knows only the stage, for `stage OP X`.
fn ctx(stage: StagePos, texts: &funnel_engine::value::Interner) -> Ctx<'_> {
    Ctx {
        lead: &[],
        scores: &[],
        inputs: &[],
        stage,
        event: &[],
        clicks: &[],
        opens: &[],
        texts,
        regexes: &[],
        regex_cache: None,
    }
}
