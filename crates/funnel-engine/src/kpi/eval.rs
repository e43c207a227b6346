//! Evaluating KPIs at the end of a replay.
//!
//! Each aggregate runs over its facts (stage entries, breaches, events,
//! lead durations), grouped by the KPI's `by` keys; arithmetic then runs per
//! key, with scalars (inputs, literals, ungrouped KPIs) broadcast. A key one
//! operand lacks takes that aggregate's empty value (0 for counts and sums,
//! undefined for averages). Division by zero and an average of nothing
//! are undefined (`None`), never 0. A value beyond the decimals' range (a
//! sum that overflows) and a formula nested too deeply to evaluate are
//! faults: the KPI's [`KpiResult::fault`] says which, and `funnel run`
//! stops with an error instead of showing a value.

mod groups;
mod in_stage;
mod shifted;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use chrono::{Datelike, TimeZone};
use funnel_check::hir::{ArithOp, CmpOp};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{ByKey, Fun, KCond, KExpr, KTy, Period, Source};
use crate::compile::Compiled;
use crate::data::EventRec;
use crate::trace::Breach;
use crate::value::{fmt_num, Interner, Value};

/// What the KPIs are computed from.
pub struct Facts<'a> {
    pub c: &'a Compiled,
    pub texts: &'a Interner,
    /// Final lead field values, lead by lead.
    pub vals: &'a [Value],
    /// Entry instant per lead and stage (`i64::MIN`: never).
    pub entered: &'a [i64],
    pub n_leads: usize,
    pub breaches: &'a [Breach],
    /// The events processed (up to the as-of instant).
    pub events: &'a [EventRec],
    pub event_values: &'a [Value],
    pub inputs: &'a [Value],
    /// The first event's instant: where the data starts (`None`: no events).
    pub start: Option<i64>,
    /// The instant the replay stopped at.
    pub as_of: Option<i64>,
}

/// A target's verdict on a KPI's total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetStatus {
    Met,
    Missed,
    Undefined,
}

impl TargetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Met => "met",
            TargetStatus::Missed => "missed",
            TargetStatus::Undefined => "undefined",
        }
    }
}

/// One KPI's value: the total and, with `by`, one value per group.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiResult {
    pub name: String,
    pub ty: KTy,
    pub by: Vec<String>,
    pub total: Option<Decimal>,
    pub groups: Vec<(Vec<String>, Option<Decimal>)>,
    /// The target's text, its verdict.
    pub target: Option<(String, TargetStatus)>,
    /// Why the KPI has no trustworthy value, when it has none.
    pub fault: Option<Fault>,
}

/// A KPI that cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A sum, product or other step went beyond ±79,228,162,514,264,337,593,543,950,335.
    Overflow,
    /// The formula (with the KPIs it references) nests deeper than [`MAX_EVAL_DEPTH`].
    TooDeep,
}

impl Fault {
    pub fn message(self) -> &'static str {
        match self {
            Fault::Overflow => {
                "the value overflows: a step of it goes beyond 79,228,162,514,264,337,593,543,950,335"
            }
            Fault::TooDeep => "the formula, with the kpis it uses, nests too deeply to evaluate",
        }
    }
}

/// How deep a formula, through the KPIs it references, may nest. The
/// evaluation runs on threads with room for it.
pub const MAX_EVAL_DEPTH: usize = 4 * funnel_syntax::MAX_NESTING;

/// A value being computed: a total and per-group values.
#[derive(Clone, Debug)]
struct KVal {
    total: Option<Decimal>,
    grouped: bool,
    groups: BTreeMap<Vec<String>, Option<Decimal>>,
    /// The value for a group with no facts.
    empty: Option<Decimal>,
    /// With `prev`: a group with no facts whose period (key `.0`) is at or
    /// before period `.1` is undefined instead of `empty` (before the data
    /// starts there is no previous value).
    through: Option<(usize, String)>,
    fault: Option<Fault>,
}

impl KVal {
    fn scalar(v: Option<Decimal>) -> KVal {
        KVal {
            total: v,
            grouped: false,
            groups: BTreeMap::new(),
            empty: v,
            through: None,
            fault: None,
        }
    }

    fn fault(f: Fault) -> KVal {
        KVal {
            fault: Some(f),
            ..KVal::scalar(None)
        }
    }

    fn at(&self, key: &[String]) -> Option<Decimal> {
        if self.grouped {
            match self.groups.get(key) {
                Some(v) => *v,
                None => self.empty_at(key),
            }
        } else {
            self.total
        }
    }

    /// The value of a group with no facts.
    fn empty_at(&self, key: &[String]) -> Option<Decimal> {
        match &self.through {
            Some((i, last)) if key.get(*i).is_some_and(|p| p <= last) => None,
            _ => self.empty,
        }
    }

    /// Apply `f` to every value: the total, each group, the empty value.
    fn map(mut self, f: impl Fn(Decimal) -> Decimal) -> KVal {
        self.total = self.total.map(&f);
        self.empty = self.empty.map(&f);
        self.groups.values_mut().for_each(|g| *g = g.map(&f));
        self
    }
}

/// The facts with the events of each type a KPI aggregates, in order.
struct Ctx<'a> {
    f: &'a Facts<'a>,
    by_type: Vec<Vec<u32>>,
}

/// Mark the event types `e` aggregates.
fn event_types(e: &KExpr, used: &mut [bool]) {
    match e {
        KExpr::Agg(_, Source::Events { event, .. }) => {
            if let Some(u) = used.get_mut(event.index()) {
                *u = true;
            }
        }
        KExpr::Neg(a) | KExpr::Abs(a) | KExpr::Round(a, _) | KExpr::Prev(a) => event_types(a, used),
        KExpr::Arith(_, a, b) => {
            event_types(a, used);
            event_types(b, used);
        }
        KExpr::Extreme(_, xs) => xs.iter().for_each(|x| event_types(x, used)),
        KExpr::CountGroups(_, c) => cond_event_types(c, used),
        _ => {}
    }
}

fn cond_event_types(c: &KCond, used: &mut [bool]) {
    match c {
        KCond::Compare(_, a, b) => {
            event_types(a, used);
            event_types(b, used);
        }
        KCond::And(a, b) | KCond::Or(a, b) => {
            cond_event_types(a, used);
            cond_event_types(b, used);
        }
        KCond::Not(a) => cond_event_types(a, used),
    }
}

/// Evaluate every KPI.
pub fn evaluate(f: &Facts<'_>) -> Vec<KpiResult> {
    evaluate_threads(f, 1)
}

/// [`evaluate`] on `threads` threads, the KPIs dealt out in turn: each
/// thread keeps its own memo of totals (a KPI another thread evaluates is
/// recomputed where it is referenced, to the same value), so the results are
/// the same for any number of threads.
pub fn evaluate_threads(f: &Facts<'_>, threads: usize) -> Vec<KpiResult> {
    // One pass over the events finds those of every type a KPI aggregates.
    let mut used = vec![false; f.c.events.len()];
    for k in &f.c.kpis {
        event_types(&k.expr, &mut used);
    }
    let mut by_type: Vec<Vec<u32>> = vec![Vec::new(); used.len()];
    if used.iter().any(|u| *u) {
        for (i, r) in f.events.iter().enumerate() {
            if used.get(r.event as usize).copied().unwrap_or(false) {
                by_type[r.event as usize].push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
    }
    let x = Ctx { f, by_type };
    let n = f.c.kpis.len();
    let threads = threads.clamp(1, n.max(1));
    let share = |t: usize| -> Vec<(usize, KpiResult)> {
        let mut totals: Vec<Option<Option<Decimal>>> = vec![None; n];
        (t..n)
            .step_by(threads)
            .map(|i| (i, one(&x, i, &mut totals)))
            .collect()
    };
    // Formulas recurse as deep as they nest (up to MAX_EVAL_DEPTH): every
    // share runs on a thread with a big stack.
    if threads == 1 {
        return funnel_syntax::on_big_stack(|| share(0))
            .into_iter()
            .map(|(_, k)| k)
            .collect();
    }
    let mut parts: Vec<(usize, KpiResult)> = std::thread::scope(|scope| {
        let share = &share;
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let h = std::thread::Builder::new()
                    .stack_size(funnel_syntax::STACK_SIZE)
                    .spawn_scoped(scope, move || share(t));
                (t, h)
            })
            .collect();
        let mut all = funnel_syntax::on_big_stack(|| share(0));
        for (t, h) in handles {
            match h {
                Ok(h) => match h.join() {
                    Ok(p) => all.extend(p),
                    Err(e) => std::panic::resume_unwind(e),
                },
                // A thread that could not start: its share runs here.
                Err(_) => all.extend(funnel_syntax::on_big_stack(|| share(t))),
            }
        }
        all
    });
    parts.sort_by_key(|(i, _)| *i);
    parts.into_iter().map(|(_, k)| k).collect()
}

/// Evaluate KPI `i`, remembering its total in `totals`.
fn one(x: &Ctx<'_>, i: usize, totals: &mut Vec<Option<Option<Decimal>>>) -> KpiResult {
    let k = &x.f.c.kpis[i];
    let v = eval(x, &k.expr, &k.by, totals, 0);
    // A fault is not remembered: a KPI using this one meets it again.
    totals[i] = v.fault.is_none().then_some(v.total);
    let target = k.target.as_ref().map(|(op, want, text)| {
        let status = match v.total {
            None => TargetStatus::Undefined,
            Some(got) if holds(*op, got, *want) => TargetStatus::Met,
            Some(_) => TargetStatus::Missed,
        };
        (text.clone(), status)
    });
    KpiResult {
        name: k.name.clone(),
        ty: k.ty,
        by: k.by_names.clone(),
        total: v.total,
        groups: if k.by.is_empty() {
            Vec::new()
        } else {
            v.groups.into_iter().collect()
        },
        target,
        fault: v.fault,
    }
}

fn holds(op: CmpOp, a: Decimal, b: Decimal) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Ge => a >= b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Lt => a < b,
    }
}

fn eval(
    f: &Ctx<'_>,
    e: &KExpr,
    by: &[ByKey],
    totals: &mut Vec<Option<Option<Decimal>>>,
    depth: usize,
) -> KVal {
    if depth > MAX_EVAL_DEPTH {
        return KVal::fault(Fault::TooDeep);
    }
    match e {
        KExpr::Const(d) => KVal::scalar(Some(*d)),
        KExpr::Undefined => KVal::scalar(None),
        KExpr::Input(i) => KVal::scalar(f.f.inputs.get(i.index()).and_then(|v| input_decimal(*v))),
        KExpr::Kpi(i) => {
            let Some(k) = f.f.c.kpis.get(i.index()) else {
                return KVal::scalar(None);
            };
            if k.by.is_empty() {
                if let Some(Some(t)) = totals.get(i.index()) {
                    return KVal::scalar(*t);
                }
                let v = eval(f, &k.expr, &[], totals, depth + 1);
                return KVal {
                    fault: v.fault,
                    ..KVal::scalar(v.total)
                };
            }
            eval(f, &k.expr, by, totals, depth + 1)
        }
        KExpr::Agg(_, Source::In { stage, edge }) => in_stage::count(f.f, stage.0, *edge, by),
        KExpr::Agg(fun, src) => aggregate(f, *fun, src, by),
        KExpr::Neg(a) => eval(f, a, by, totals, depth + 1).map(|d| -d),
        KExpr::Abs(a) => eval(f, a, by, totals, depth + 1).map(|d| d.abs()),
        KExpr::Round(a, dp) => eval(f, a, by, totals, depth + 1)
            .map(|d| d.round_dp_with_strategy(*dp, RoundingStrategy::MidpointAwayFromZero)),
        KExpr::Arith(op, a, b) => {
            let x = eval(f, a, by, totals, depth + 1);
            let y = eval(f, b, by, totals, depth + 1);
            combine(&x, &y, |a, b| op_of(*op, a, b))
        }
        KExpr::Extreme(max, xs) => {
            let mut vals = xs.iter().map(|x| eval(f, x, by, totals, depth + 1));
            let Some(mut acc) = vals.next() else {
                return KVal::scalar(None);
            };
            for v in vals {
                acc = combine(&acc, &v, |a, b| {
                    let v = match (a, b) {
                        (Some(a), Some(b)) => Some(if *max { a.max(b) } else { a.min(b) }),
                        _ => None,
                    };
                    (v, false)
                });
            }
            acc
        }
        KExpr::Prev(a) => {
            let v = eval(f, a, by, totals, depth + 1);
            shifted::prev(f.f, v, by)
        }
        KExpr::CountGroups(keys, cond) => groups::count(f, keys, cond, by, totals, depth + 1),
    }
}

fn input_decimal(v: Value) -> Option<Decimal> {
    match v {
        Value::Money(d) => Some(d),
        Value::Num(n) => Decimal::from_f64_retain(n).map(|d| d.round_dp(12).normalize()),
        Value::Dur(s) => Decimal::from(s).checked_div(Decimal::from(86_400)),
        _ => None,
    }
}

/// `a o b`, and whether it overflowed (division by zero is undefined,
/// not an overflow).
fn op_of(o: ArithOp, a: Option<Decimal>, b: Option<Decimal>) -> (Option<Decimal>, bool) {
    let (Some(a), Some(b)) = (a, b) else {
        return (None, false);
    };
    let v = match o {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => a.checked_div(b),
    };
    (v, v.is_none() && !(o == ArithOp::Div && b.is_zero()))
}

/// `x` and `y` combined value by value with `o` (which says whether a
/// step overflowed), group by group over the groups of both.
fn combine(
    x: &KVal,
    y: &KVal,
    o: impl Fn(Option<Decimal>, Option<Decimal>) -> (Option<Decimal>, bool),
) -> KVal {
    let grouped = x.grouped || y.grouped;
    let mut groups = BTreeMap::new();
    let mut overflow = false;
    let mut apply = |a, b| {
        let (v, over) = o(a, b);
        overflow |= over;
        v
    };
    if grouped {
        for key in x.groups.keys().chain(y.groups.keys()) {
            if !groups.contains_key(key) {
                groups.insert(key.clone(), apply(x.at(key), y.at(key)));
            }
        }
    }
    let total = apply(x.total, y.total);
    let empty = apply(x.empty, y.empty);
    KVal {
        total,
        grouped,
        groups,
        empty,
        through: later(&x.through, &y.through),
        fault: x.fault.or(y.fault).or(overflow.then_some(Fault::Overflow)),
    }
}

/// The later of two "undefined through" periods (they share the key).
fn later(a: &Option<(usize, String)>, b: &Option<(usize, String)>) -> Option<(usize, String)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.1 > x.1 { y.clone() } else { x.clone() }),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

#[derive(Clone, Copy, Default)]
struct Acc {
    n: u64,
    sum: Decimal,
    min: Option<Decimal>,
    max: Option<Decimal>,
    overflow: bool,
}

impl Acc {
    fn add(&mut self, v: Decimal) {
        self.n += 1;
        match self.sum.checked_add(v) {
            Some(s) => self.sum = s,
            None => self.overflow = true,
        }
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    fn result(&self, fun: Fun) -> Option<Decimal> {
        if self.overflow {
            return None;
        }
        match fun {
            Fun::Count => Some(Decimal::from(self.n)),
            Fun::Sum => Some(self.sum),
            Fun::Avg if self.n == 0 => None,
            Fun::Avg => self.sum.checked_div(Decimal::from(self.n)),
            Fun::Min => self.min,
            Fun::Max => self.max,
        }
    }
}

/// One fact: when, whose, which event (for event-field keys), and its value.
struct Fact {
    at: i64,
    lead: usize,
    event: Option<(u16, u32)>,
    value: Option<Decimal>,
}

fn aggregate(x: &Ctx<'_>, fun: Fun, src: &Source, by: &[ByKey]) -> KVal {
    let f = x.f;
    let mut total = Acc::default();
    let mut groups: BTreeMap<Vec<Rc<str>>, Acc> = BTreeMap::new();
    let mut periods: HashMap<(usize, i64), Rc<str>> = HashMap::new();
    // Labels of text lead fields, by symbol.
    let mut texts: HashMap<(usize, u32), Rc<str>> = HashMap::new();
    let nf = f.c.lead_fields.len();
    let mut key: Vec<Rc<str>> = Vec::with_capacity(by.len());
    let mut add = |fact: Fact| {
        let Some(v) = fact.value else { return };
        total.add(v);
        if by.is_empty() {
            return;
        }
        key.clear();
        for (i, k) in by.iter().enumerate() {
            let l = match k {
                // Period labels change at most every quarter hour (zone offsets
                // are multiples of 15 minutes), so they are cached per slot.
                ByKey::Period(p) => periods
                    .entry((i, fact.at.div_euclid(900)))
                    .or_insert_with(|| period_label(*p, fact.at, f.c.tz).into())
                    .clone(),
                ByKey::LeadField(fi) => match f.vals.get(fact.lead * nf + fi.index()) {
                    Some(Value::Text(sym)) => texts
                        .entry((i, *sym))
                        .or_insert_with(|| label(f, k, &fact).into())
                        .clone(),
                    _ => label(f, k, &fact).into(),
                },
                _ => label(f, k, &fact).into(),
            };
            key.push(l);
        }
        match groups.get_mut(key.as_slice()) {
            Some(acc) => acc.add(v),
            None => {
                let mut acc = Acc::default();
                acc.add(v);
                groups.insert(key.clone(), acc);
            }
        }
    };
    let ns = f.c.stages.len();
    match src {
        Source::Entered(s) => {
            for lead in 0..f.n_leads {
                let at = f.entered[lead * ns + s.index()];
                if at != i64::MIN {
                    add(Fact {
                        at,
                        lead,
                        event: None,
                        value: Some(Decimal::ONE),
                    });
                }
            }
        }
        Source::Breached(sla) => {
            for b in f.breaches.iter().filter(|b| b.sla == sla.0) {
                let fact = Fact {
                    at: b.at,
                    lead: b.lead as usize,
                    event: None,
                    value: Some(Decimal::ONE),
                };
                add(fact);
            }
        }
        Source::Days { from, to } => {
            for lead in 0..f.n_leads {
                let a = f.entered[lead * ns + from.index()];
                let b = f.entered[lead * ns + to.index()];
                if a != i64::MIN && b != i64::MIN {
                    let days = Decimal::from(b - a).checked_div(Decimal::from(86_400));
                    add(Fact {
                        at: b,
                        lead,
                        event: None,
                        value: days,
                    });
                }
            }
        }
        // Counted by `in_stage::count`.
        Source::In { .. } => {}
        Source::Events { event, field } => {
            let mine = x.by_type.get(event.index()).map_or(&[][..], Vec::as_slice);
            for r in mine.iter().map(|&i| &f.events[i as usize]) {
                let value = match field {
                    None => Some(Decimal::ONE),
                    Some(fi) => f
                        .event_values
                        .get(r.off as usize + fi.index())
                        .and_then(|v| v.as_decimal()),
                };
                let fact = Fact {
                    at: r.at,
                    lead: r.lead as usize,
                    event: Some((r.event, r.off)),
                    value,
                };
                add(fact);
            }
        }
    }
    let empty = Acc::default().result(fun);
    let overflow = total.overflow || groups.values().any(|a| a.overflow);
    KVal {
        fault: overflow.then_some(Fault::Overflow),
        through: None,
        total: total.result(fun),
        grouped: !by.is_empty(),
        groups: groups
            .into_iter()
            .map(|(k, a)| (k.iter().map(|s| s.to_string()).collect(), a.result(fun)))
            .collect(),
        empty,
    }
}

fn label(f: &Facts<'_>, key: &ByKey, fact: &Fact) -> String {
    match key {
        ByKey::Period(p) => period_label(*p, fact.at, f.c.tz),
        ByKey::LeadField(i) => {
            let nf = f.c.lead_fields.len();
            value_label(f.vals.get(fact.lead * nf + i.index()).copied(), f.texts)
        }
        ByKey::EventField(name) => {
            let v = fact.event.and_then(|(e, off)| {
                let pos =
                    f.c.events
                        .get(e as usize)?
                        .fields
                        .iter()
                        .position(|x| x.name == *name)?;
                f.event_values.get(off as usize + pos).copied()
            });
            value_label(v, f.texts)
        }
    }
}

fn value_label(v: Option<Value>, texts: &Interner) -> String {
    match v {
        None | Some(Value::Missing) => "(none)".to_string(),
        Some(Value::Text(s)) => texts.resolve(s).to_string(),
        Some(Value::Num(n)) => fmt_num(n),
        Some(Value::Money(d)) => d.normalize().to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Time(t)) | Some(Value::Dur(t)) => t.to_string(),
    }
}

/// `2026-03-02`, `2026-W10`, `2026-03`, `2026-Q1`, `2026` in the zone.
pub fn period_label(p: Period, t: i64, tz: chrono_tz::Tz) -> String {
    let Some(d) = tz.timestamp_opt(t, 0).single() else {
        return t.to_string();
    };
    match p {
        Period::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Period::Week => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => format!("{:04}-{:02}", d.year(), d.month()),
        Period::Quarter => format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        Period::Year => d.year().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_labels() {
        let t = 1_772_438_400; // 2026-03-02 08:00 UTC, a Monday
        let tz = chrono_tz::Tz::UTC;
        assert_eq!(period_label(Period::Day, t, tz), "2026-03-02");
        assert_eq!(period_label(Period::Week, t, tz), "2026-W10");
        assert_eq!(period_label(Period::Month, t, tz), "2026-03");
        assert_eq!(period_label(Period::Quarter, t, tz), "2026-Q1");
        assert_eq!(period_label(Period::Year, t, tz), "2026");
    }

    #[test]
    fn zero_denominators_are_undefined() {
        let a = KVal::scalar(Some(Decimal::from(5)));
        let b = KVal::scalar(Some(Decimal::ZERO));
        assert_eq!(
            combine(&a, &b, |x, y| op_of(ArithOp::Div, x, y)).total,
            None
        );
        assert_eq!(Acc::default().result(Fun::Avg), None);
        assert_eq!(Acc::default().result(Fun::Count), Some(Decimal::ZERO));
    }
}
