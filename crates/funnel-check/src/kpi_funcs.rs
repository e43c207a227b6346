//! The KPI functions beyond aggregates, and the condition of
//! `count(by K where …)`:
//!
//! - `abs(x)` and `round(x)` / `round(x, digits)` keep their argument's type;
//!   `digits` is a whole number from 0 to 10 written as a literal;
//! - `min(a, b, …)` / `max(a, b, …)` (two or more values; with one argument
//!   they are the aggregates) need values of one type, and have it;
//! - `prev(K)` is KPI K one period earlier: K and the KPI using it must be
//!   grouped by the same period (checked per KPI in [`Checker::prev_periods`]);
//! - `count(by K, … where COND)` is a number; COND compares KPI values of one
//!   type (`sum(deal_won.amount) >= quota`), joined with `and`, `or`, `not`.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::kpis::{Aggregates, PERIODS};
use crate::scope::Value;
use crate::types::Ty;

/// The most decimals `round(x, digits)` takes.
const MAX_DIGITS: f64 = 10.0;

impl<'a> Checker<'a> {
    /// `abs`, `round`, `prev`, and `min`/`max` of two or more values.
    pub(crate) fn scalar_function(
        &mut self,
        func: &str,
        arg: &CallArg,
        span: Span,
        agg: &mut Aggregates,
        types: &[Option<Ty>],
    ) -> (Ty, bool) {
        let values: Vec<&Expr> = match arg {
            CallArg::Expr(x) => vec![x],
            CallArg::Many(xs) => xs.iter().collect(),
            _ => {
                let help = match func {
                    "prev" => "`prev` takes a kpi grouped by a period: `prev(revenue)`",
                    "round" => {
                        "`round` takes a value and optionally its decimals: `round(avg_deal, 2)`"
                    }
                    _ => "write the value the function applies to: `abs(forecast - revenue)`",
                };
                self.report(d::invalid_argument(func, span, help.to_string()));
                return (Ty::Error, false);
            }
        };
        match func {
            "prev" => self.prev(values.as_slice(), span, agg, types),
            "abs" | "round" => {
                let most = if func == "abs" { 1 } else { 2 };
                if values.len() > most {
                    let help = if func == "abs" {
                        "`abs` takes one value: `abs(forecast - revenue)`"
                    } else {
                        "`round` takes a value and optionally its decimals: `round(avg_deal, 2)`"
                    };
                    self.report(d::invalid_argument(func, span, help.to_string()));
                    return (Ty::Error, false);
                }
                if let Some(digits) = values.get(1) {
                    self.round_digits(digits);
                }
                let (t, lit) = self.kinfer(values[0], agg, types);
                let t = self.numeric_argument(func, t, values[0].span);
                if func == "round" {
                    self.rounds.insert(values[0].span, t.clone());
                }
                (t, lit)
            }
            _ => {
                // min / max of two or more values: one type for all.
                let mut first: Option<(Ty, Span)> = None;
                let mut all_literal = true;
                let mut bad = false;
                for v in &values {
                    let (t, lit) = self.kinfer(v, agg, types);
                    all_literal &= lit;
                    let t = self.numeric_argument(func, t, v.span);
                    if t == Ty::Error {
                        bad = true;
                        continue;
                    }
                    match &first {
                        None => first = Some((t, v.span)),
                        Some((want, _)) if *want == t => {}
                        Some((want, at)) => {
                            self.report(
                                d::type_mismatch(
                                    format!(
                                        "`{func}` needs values of one type, found {want} and {t}"
                                    ),
                                    v.span,
                                    format!("a {t}"),
                                    one_type_help(want, &t),
                                )
                                .label(*at, format!("a {want}")),
                            );
                            bad = true;
                        }
                    }
                }
                match first {
                    Some((t, _)) if !bad => (t, all_literal),
                    _ => (Ty::Error, false),
                }
            }
        }
    }

    /// A function's argument must be a number, money, percent, duration or
    /// money per day; returns its type, or `Error` after reporting it.
    fn numeric_argument(&mut self, func: &str, t: Ty, span: Span) -> Ty {
        if t.is_numeric() || t == Ty::Error {
            return t;
        }
        self.report(d::type_mismatch(
            format!("`{func}` needs a number, found a {t}"),
            span,
            format!("a {t}"),
            "kpi functions apply to numbers, money, percentages and durations".to_string(),
        ));
        Ty::Error
    }

    /// The `digits` of `round(x, digits)`: a whole number literal, 0 to 10.
    fn round_digits(&mut self, e: &Expr) {
        let ok = matches!(&e.kind, ExprKind::Lit(Literal::Number(n))
            if n.value.fract() == 0.0 && n.value <= MAX_DIGITS && !n.text.contains('.'));
        if !ok {
            self.report(d::invalid_argument(
                "round",
                e.span,
                "the decimals of `round(x, digits)` are a whole number from 0 to 10: `round(avg_deal, 2)`"
                    .to_string(),
            ));
        }
    }

    /// `prev(K)`: K must be a KPI (its periods are judged per KPI).
    fn prev(
        &mut self,
        values: &[&Expr],
        span: Span,
        agg: &mut Aggregates,
        types: &[Option<Ty>],
    ) -> (Ty, bool) {
        let [value] = values else {
            self.report(d::invalid_argument(
                "prev",
                span,
                "`prev` takes one kpi: `prev(revenue)`".to_string(),
            ));
            return (Ty::Error, false);
        };
        let ExprKind::Name(id) = &value.kind else {
            self.report(d::invalid_argument(
                "prev",
                value.span,
                "`prev` takes the name of a kpi grouped by a period; declare the formula as a kpi first: `kpi revenue = sum(deal_won.amount) by month`"
                    .to_string(),
            ));
            return (Ty::Error, false);
        };
        match self.scope.values.get(&id.name).copied() {
            Some(Value::Kpi(i, _)) => {
                agg.prevs.push((value.span, i));
                (types[i].clone().unwrap_or(Ty::Error), false)
            }
            Some(Value::Input(i, _)) => {
                self.used.inputs[i] = true;
                self.report(d::invalid_argument(
                    "prev",
                    value.span,
                    format!("`{}` is an input, one value for the whole run; `prev` takes a kpi grouped by a period", id.name),
                ));
                (Ty::Error, false)
            }
            // Unknown: the name's own diagnostic says so.
            None => self.kinfer(value, agg, types),
        }
    }

    /// `count(by K, … where COND)`.
    pub(crate) fn count_groups(
        &mut self,
        keys: &[Ident],
        cond: &Expr,
        agg: &mut Aggregates,
        types: &[Option<Ty>],
    ) -> (Ty, bool) {
        let mut inner = Aggregates::default();
        self.kcond(cond, &mut inner, types);
        self.group_keys(keys, &inner);
        agg.absorb(inner);
        (Ty::Number, false)
    }

    /// A condition over KPI values: comparisons of one type, `and`, `or`, `not`.
    fn kcond(&mut self, e: &Expr, agg: &mut Aggregates, types: &[Option<Ty>]) {
        match &e.kind {
            ExprKind::Paren(x) | ExprKind::Not(x) => self.kcond(x, agg, types),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.kcond(a, agg, types);
                self.kcond(b, agg, types);
            }
            ExprKind::Compare(op, a, b) => {
                let (at, _) = self.kinfer(a, agg, types);
                let (bt, _) = self.kinfer(b, agg, types);
                if at != bt && at != Ty::Error && bt != Ty::Error {
                    self.report(d::type_mismatch(
                        format!("cannot compare {at} with {bt}"),
                        e.span,
                        format!("{at} {} {bt}", op.symbol()),
                        one_type_help(&at, &bt),
                    ));
                }
            }
            _ => self.report(d::misplaced_expression(
                "a value without a comparison",
                e.span,
                "after `where`, compare kpi values of one type: `count(by owner where sum(deal_won.amount) >= quota)`"
                    .to_string(),
            )),
        }
    }

    /// Every `prev(K)` in KPI `k`: `k` and K are grouped by the same period.
    pub(crate) fn prev_periods(&mut self, k: &KpiDecl, prevs: &[(Span, usize)], kpis: &[&KpiDecl]) {
        for &(span, j) in prevs {
            let of = &kpis[j].name.name;
            let mine = first_period(&k.by);
            let theirs = first_period(&kpis[j].by);
            let problem = match (mine, theirs) {
                (None, _) => Some((
                    format!("`{}` has no period for `prev` to step back from", k.name.name),
                    format!(
                        "group `{}` by the period of `{of}`: add it to its `by`",
                        k.name.name
                    ),
                )),
                (_, None) => Some((
                    format!("`{of}` is not grouped by a period"),
                    format!("`prev` takes a kpi grouped by a period: add a period such as month to the `by` of `{of}`"),
                )),
                (Some(a), Some(b)) if a != b => Some((
                    format!("`{of}` is grouped by {b}, `{}` by {a}", k.name.name),
                    "group both kpis by the same period".to_string(),
                )),
                _ => None,
            };
            if let Some((label, help)) = problem {
                self.report(d::prev_without_period(span, label, help));
            }
        }
    }
}

/// The first period among `by` keys.
fn first_period(by: &[Ident]) -> Option<&str> {
    by.iter()
        .map(|b| b.name.as_str())
        .find(|n| PERIODS.contains(n))
}

fn one_type_help(a: &Ty, b: &Ty) -> String {
    match (a, b) {
        (Ty::Percent, Ty::Number) | (Ty::Number, Ty::Percent) => {
            "write percentages with `%`, e.g. `100%`".to_string()
        }
        (Ty::Money, Ty::Number) | (Ty::Number, Ty::Money) => {
            "write amounts with `$`, e.g. `$0`".to_string()
        }
        _ => format!("both values must have the same type; here {a} and {b}"),
    }
}
