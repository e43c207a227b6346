//! KPIs: names in formulas, aggregate calls, `by` keys, dependency cycles,
//! dependency order, type inference, and targets.
//!
//! Types follow the table in docs/language.md: `count` is a number and a
//! ratio of two numbers is a percent (see [`kpi_arith`]); `sum`/`avg`/`min`/`max` of an event field have the field's type
//! and of `days(A -> B)` are durations (days); arithmetic follows
//! [`crate::types::arith`]. A KPI used by another is a scalar there (its total).

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::scope::Value;
use crate::suggest::did_you_mean;
use crate::types::Ty;

pub(crate) const FUNCTIONS: [&str; 8] =
    ["count", "sum", "avg", "min", "max", "abs", "round", "prev"];
pub(crate) const PERIODS: [&str; 5] = ["day", "week", "month", "quarter", "year"];

/// What the KPI pass hands to the program: an order and a type per KPI.
pub struct KpiFacts {
    /// KPI indices (source order numbering) so that dependencies come first.
    pub order: Vec<usize>,
    pub types: Vec<Ty>,
}

/// What one formula aggregates, for its `by` keys.
#[derive(Default)]
pub(crate) struct Aggregates {
    pub events: Vec<usize>,
    pub stages: bool,
    /// An aggregated event was unknown (already reported): event-field keys
    /// cannot be judged.
    pub incomplete: bool,
    /// Every `prev(K)`: where, and which KPI.
    pub prevs: Vec<(Span, usize)>,
}

impl Aggregates {
    /// Take in what a part of the formula aggregates.
    pub fn absorb(&mut self, other: Aggregates) {
        self.events.extend(other.events);
        self.stages |= other.stages;
        self.incomplete |= other.incomplete;
        self.prevs.extend(other.prevs);
    }
}

impl<'a> Checker<'a> {
    pub fn check_kpis(&mut self) -> KpiFacts {
        let kpis = self.scope.kpis.clone();
        let deps: Vec<Vec<(usize, Span)>> = kpis
            .iter()
            .map(|k| {
                let mut out = Vec::new();
                self.kpi_refs(&k.expr, &mut out);
                out
            })
            .collect();
        let edges: Vec<Vec<usize>> = deps
            .iter()
            .map(|ds| ds.iter().map(|(i, _)| *i).collect())
            .collect();
        let comps = sccs(kpis.len(), &edges);
        let mut in_cycle = vec![false; kpis.len()];
        for comp in &comps {
            let cyclic = comp.len() > 1 || comp.iter().any(|&k| edges[k].contains(&k));
            if !cyclic {
                continue;
            }
            let names: Vec<&str> = comp.iter().map(|&k| kpis[k].name.name.as_str()).collect();
            let mut places = Vec::new();
            for &m in comp {
                in_cycle[m] = true;
                if let Some((w, span)) = deps[m].iter().find(|(w, _)| comp.contains(w)) {
                    places.push((
                        *span,
                        format!("`{}` uses `{}`", kpis[m].name.name, kpis[*w].name.name),
                    ));
                }
            }
            places.sort_by_key(|(s, _)| *s);
            self.report(d::kpi_cycle(&names, &places));
        }
        let order: Vec<usize> = comps.iter().flatten().copied().collect();
        let mut types: Vec<Option<Ty>> = vec![None; kpis.len()];
        for &k in &order {
            let mut agg = Aggregates::default();
            let (t, _) = self.kinfer(&kpis[k].expr, &mut agg, &types);
            self.by_keys(kpis[k], &agg);
            self.prev_periods(kpis[k], &agg.prevs, &kpis);
            types[k] = Some(if in_cycle[k] { Ty::Error } else { t });
        }
        let types: Vec<Ty> = types.into_iter().map(|t| t.unwrap_or(Ty::Error)).collect();
        self.targets(&types);
        KpiFacts { order, types }
    }

    /// The KPIs a formula names, with where it names them.
    fn kpi_refs(&self, e: &Expr, out: &mut Vec<(usize, Span)>) {
        match &e.kind {
            ExprKind::Name(id) => {
                if let Some(Value::Kpi(i, _)) = self.scope.values.get(&id.name) {
                    out.push((*i, id.span));
                }
            }
            ExprKind::Neg(x) | ExprKind::Paren(x) | ExprKind::Not(x) => self.kpi_refs(x, out),
            ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                self.kpi_refs(a, out);
                self.kpi_refs(b, out);
            }
            // `prev(k)`, `abs(k)`, `min(k, j)`, `count(by K where k > j)`.
            ExprKind::Call(_, arg) => match arg.as_ref() {
                CallArg::Expr(x) => self.kpi_refs(x, out),
                CallArg::Groups(_, x) => self.kpi_refs(x, out),
                CallArg::Many(xs) => xs.iter().for_each(|x| self.kpi_refs(x, out)),
                _ => {}
            },
            _ => {}
        }
    }

    /// Infer a formula's type and whether it is a bare number literal.
    pub(crate) fn kinfer(
        &mut self,
        e: &Expr,
        agg: &mut Aggregates,
        types: &[Option<Ty>],
    ) -> (Ty, bool) {
        match &e.kind {
            ExprKind::Lit(l) => {
                let t = self.literal(l);
                if t.is_numeric() {
                    (t, matches!(l, Literal::Number(_)))
                } else {
                    self.report(d::type_mismatch(
                        format!("a kpi formula cannot use a {t}"),
                        e.span,
                        format!("a {t}"),
                        "kpis compute numbers, money, percentages and durations".to_string(),
                    ));
                    (Ty::Error, false)
                }
            }
            ExprKind::Name(id) => match self.scope.values.get(&id.name).copied() {
                Some(Value::Kpi(i, _)) => (types[i].clone().unwrap_or(Ty::Error), false),
                Some(Value::Input(i, _)) => {
                    self.used.inputs[i] = true;
                    (self.scope.inputs[i].1.ty.clone(), false)
                }
                None => {
                    let s = did_you_mean(&id.name, self.scope.value_names());
                    if let Some(Value::Input(i, _)) = s.and_then(|s| self.scope.values.get(s)) {
                        self.used.inputs[*i] = true;
                    }
                    let fallback = self.kpi_name_hint(&id.name);
                    self.report(d::unknown_kpi(&id.name, id.span, s, fallback));
                    (Ty::Error, false)
                }
            },
            ExprKind::FieldPath(ev, f) => {
                self.report(d::misplaced_expression(
                    &format!("`{}.{}`", ev.name, f.name),
                    e.span,
                    format!(
                        "aggregate the field over events: `sum({0}.{1})` or `avg({0}.{1})`",
                        ev.name, f.name
                    ),
                ));
                (Ty::Error, false)
            }
            ExprKind::Neg(x) => self.kinfer(x, agg, types),
            ExprKind::Paren(x) => self.kinfer(x, agg, types),
            ExprKind::Arith(op, a, b) => {
                let (at, a_lit) = self.kinfer(a, agg, types);
                let (bt, b_lit) = self.kinfer(b, agg, types);
                (
                    kpi_arith(
                        self.arith(*op, &at, &bt, b, e.span),
                        *op,
                        &at,
                        &bt,
                        a_lit || b_lit,
                    ),
                    false,
                )
            }
            ExprKind::Call(f, arg) => self.call(f, arg, e.span, agg, types),
            ExprKind::Stage
            | ExprKind::Clicked(_)
            | ExprKind::Opened(_)
            | ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Compare(..)
            | ExprKind::In(..)
            | ExprKind::Matches(..)
            | ExprKind::IsPresent(..) => {
                self.report(d::misplaced_expression(
                    "a condition",
                    e.span,
                    "a kpi formula computes a value from counts, sums, averages, inputs and other kpis".to_string(),
                ));
                (Ty::Error, false)
            }
        }
    }

    fn kpi_name_hint(&self, name: &str) -> String {
        if self.scope.events.find(name).is_some() {
            format!("`{name}` is an event; count it with `count({name})`")
        } else if self.scope.stage(name).is_some() {
            format!("`{name}` is a stage; use `count(entered {name})` or `count(reached {name})`")
        } else if self.scope.scores.find(name).is_some() || self.scope.lead.get(name).is_some() {
            format!("`{name}` belongs to each lead; kpis aggregate events and stages")
        } else {
            format!("declare it with `kpi {name} = ...` or `input {name}: number`")
        }
    }

    fn call(
        &mut self,
        f: &Ident,
        arg: &CallArg,
        span: Span,
        agg: &mut Aggregates,
        types: &[Option<Ty>],
    ) -> (Ty, bool) {
        let func = f.name.as_str();
        if !FUNCTIONS.contains(&func) {
            let s = did_you_mean(func, FUNCTIONS);
            self.report(d::unknown_function(func, f.span, s));
            return (Ty::Error, false);
        }
        let arg_span = call_arg_span(arg).unwrap_or(span);
        match (func, arg) {
            ("abs" | "round" | "prev", _) | ("min" | "max", CallArg::Many(_)) => {
                return self.scalar_function(func, arg, arg_span, agg, types);
            }
            ("count", CallArg::Groups(keys, cond)) => {
                return self.count_groups(keys, cond, agg, types);
            }
            ("count", CallArg::In(x, ..)) => {
                agg.stages = true;
                self.stage_ref(x);
                return (Ty::Number, false);
            }
            (_, CallArg::Many(_)) => {
                self.report(d::invalid_argument(
                    func,
                    arg_span,
                    format!("`{func}` takes one argument; `min` and `max` take two or more values"),
                ));
                return (Ty::Error, false);
            }
            _ => {}
        }
        if func == "count" {
            return match arg {
                CallArg::Entered(x) => {
                    agg.stages = true;
                    self.stage_ref(x);
                    (Ty::Number, false)
                }
                CallArg::Reached(x) => {
                    agg.stages = true;
                    self.forward_stage_ref(x, "with `reached`");
                    (Ty::Number, false)
                }
                CallArg::Breached(a, b) => {
                    agg.stages = true;
                    let known = self.stage_ref(a).is_some() & self.stage_ref(b).is_some();
                    let declared = self
                        .scope
                        .slas
                        .iter()
                        .any(|s| s.from.name == a.name && s.to.name == b.name);
                    if known && !declared {
                        self.report(d::unknown_sla(&a.name, &b.name, a.span.to(b.span)));
                    }
                    (Ty::Number, false)
                }
                CallArg::Days(..) => {
                    self.report(d::invalid_argument(
                        "count",
                        arg_span,
                        "`days(A -> B)` is a time per lead; use `avg(days(A -> B))` or `sum(days(A -> B))`".to_string(),
                    ));
                    (Ty::Error, false)
                }
                CallArg::Expr(e) => match &e.kind {
                    ExprKind::Name(id) => {
                        let ev = self.event_ref(id);
                        agg.incomplete |= ev.is_none();
                        agg.events.extend(ev);
                        let t = if ev.is_some() { Ty::Number } else { Ty::Error };
                        (t, false)
                    }
                    ExprKind::FieldPath(ev, _) => {
                        self.report(d::invalid_argument(
                            "count",
                            arg_span,
                            format!(
                                "count events with `count({})`; use `sum` or `avg` for a field",
                                ev.name
                            ),
                        ));
                        (Ty::Error, false)
                    }
                    _ => {
                        self.report(d::invalid_argument(
                            "count",
                            arg_span,
                            "`count` takes an event, `entered X`, `reached X`, `breached A -> B`, `in X at period start` or `by KEY where CONDITION`"
                                .to_string(),
                        ));
                        (Ty::Error, false)
                    }
                },
                CallArg::In(..) | CallArg::Groups(..) | CallArg::Many(_) => (Ty::Error, false),
            };
        }
        match arg {
            CallArg::Days(a, b, dspan) => {
                agg.stages = true;
                if self.scope.stage(&b.name).is_some_and(|s| s.order.is_none()) {
                    // Time from a forward stage into a lost exit (a
                    // customer's lifetime: `days(Customer -> Churned)`).
                    self.forward_stage_ref(a, "in `days(A -> B)`");
                } else {
                    self.stage_pair(a, b, "in `days(A -> B)`", *dspan);
                }
                (Ty::Duration, false)
            }
            CallArg::Expr(e) => {
                match &e.kind {
                    ExprKind::FieldPath(ev, field) => {
                        let Some(i) = self.event_ref(ev) else {
                            agg.incomplete = true;
                            return (Ty::Error, false);
                        };
                        agg.events.push(i);
                        let event = &self.scope.events.list[i];
                        match event.fields.get(&field.name) {
                            Some(fs) => {
                                let t = fs.ty.ty.clone();
                                if matches!(
                                    t,
                                    Ty::Number | Ty::Money | Ty::Percent | Ty::Duration | Ty::Error
                                ) {
                                    (t, false)
                                } else {
                                    self.report(d::type_mismatch(
                                    format!("`{func}` needs a number or money field, but `{}` is {t}", field.name),
                                    field.span,
                                    format!("a {t} field"),
                                    "aggregate a number or money field, or count the events".to_string(),
                                ));
                                    (Ty::Error, false)
                                }
                            }
                            None => {
                                let s = did_you_mean(&field.name, event.fields.names());
                                let evname = event.name.name.clone();
                                let help = crate::suggest::help_or(
                                    s,
                                    format!("declare it in `event {evname} {{ ... }}`"),
                                );
                                self.report(d::field_not_on_event(
                                    &field.name,
                                    field.span,
                                    &evname,
                                    help,
                                ));
                                (Ty::Error, false)
                            }
                        }
                    }
                    ExprKind::Name(id) if self.scope.events.find(&id.name).is_some() => {
                        self.report(d::invalid_argument(
                            func,
                            arg_span,
                            format!(
                                "`{func}` needs a field of the event: write `{func}({}.FIELD)`",
                                id.name
                            ),
                        ));
                        (Ty::Error, false)
                    }
                    _ => self.bad_aggregate(func, arg_span),
                }
            }
            CallArg::Entered(_)
            | CallArg::Reached(_)
            | CallArg::Breached(..)
            | CallArg::In(..)
            | CallArg::Groups(..)
            | CallArg::Many(_) => self.bad_aggregate(func, arg_span),
        }
    }

    fn bad_aggregate(&mut self, func: &str, span: Span) -> (Ty, bool) {
        self.report(d::invalid_argument(
            func,
            span,
            format!(
                "`{func}` takes an event field (`{func}(deal_won.amount)`) or days between stages (`{func}(days(Lead -> Customer))`); count stages with `count(entered X)`"
            ),
        ));
        (Ty::Error, false)
    }

    fn by_keys(&mut self, k: &KpiDecl, agg: &Aggregates) {
        self.group_keys(&k.by, agg);
    }

    /// Check grouping keys (a KPI's `by`, or those of `count(by K where …)`)
    /// against what the formula aggregates.
    pub(crate) fn group_keys(&mut self, keys: &[Ident], agg: &Aggregates) {
        let mut single: Option<usize> = agg.events.first().copied();
        if agg.stages || agg.events.iter().any(|e| Some(*e) != single) {
            single = None;
        }
        for (i, key) in keys.iter().enumerate() {
            let name = key.name.as_str();
            if let Some(first) = keys[..i].iter().find(|x| x.name == key.name) {
                self.report(d::duplicate_definition(
                    "`by` key", name, key.span, first.span,
                ));
                continue;
            }
            if PERIODS.contains(&name) {
                continue;
            }
            let field = self
                .scope
                .lead
                .get(name)
                .or_else(|| single.and_then(|e| self.scope.events.list[e].fields.get(name)));
            if let Some(f) = field {
                let t = f.ty.ty.clone();
                if !matches!(t, Ty::Enum(_) | Ty::Text | Ty::Bool | Ty::Error) {
                    self.report(d::type_mismatch(
                        format!("cannot group by `{name}`, a {t} field"),
                        key.span,
                        format!("a {t} field"),
                        "group by an enumeration, text or true/false field, or by a period"
                            .to_string(),
                    ));
                }
                continue;
            }
            if agg.incomplete {
                continue;
            }
            let mut cands: Vec<&str> = PERIODS.to_vec();
            cands.extend(self.scope.lead.names());
            if let Some(e) = single {
                cands.extend(self.scope.events.list[e].fields.names());
            }
            let s = did_you_mean(name, cands.iter().copied());
            let owner = agg
                .events
                .iter()
                .find(|&&e| self.scope.events.list[e].fields.get(name).is_some());
            let fallback = match owner {
                Some(&e) => format!(
                    "`{name}` is a field of `{}`; a kpi groups by an event field only when it aggregates that one event alone",
                    self.scope.events.list[e].name.name
                ),
                None => "group by `day`, `week`, `month`, `quarter`, `year` or a lead field".to_string(),
            };
            self.report(d::unknown_by_key(name, key.span, s, fallback));
        }
    }

    fn targets(&mut self, types: &[Ty]) {
        let ast = self.ast;
        let mut first: std::collections::HashMap<usize, Span> = std::collections::HashMap::new();
        for decl in &ast.decls {
            let Decl::Target(t) = decl else { continue };
            let vt = self.literal_value(&t.value);
            match self.scope.values.get(&t.kpi.name).copied() {
                Some(Value::Kpi(i, _)) => {
                    if let Some(&f) = first.get(&i) {
                        self.report(d::duplicate_target(&t.kpi.name, t.span, f));
                    } else {
                        first.insert(i, t.span);
                    }
                    if let Some(vt) = vt {
                        if !target_fits(&types[i], &vt) {
                            self.report(d::target_type(&t.kpi.name, &types[i], &vt, t.value.span));
                        }
                    }
                }
                Some(Value::Input(..)) => self.report(d::misplaced_expression(
                    &format!("input `{}`", t.kpi.name),
                    t.kpi.span,
                    "targets judge kpis, not inputs".to_string(),
                )),
                None => {
                    let names: Vec<&str> = self
                        .scope
                        .kpis
                        .iter()
                        .map(|k| k.name.name.as_str())
                        .collect();
                    let s = did_you_mean(&t.kpi.name, names.iter().copied());
                    self.report(d::unknown_kpi(
                        &t.kpi.name,
                        t.kpi.span,
                        s,
                        "a target judges a kpi declared with `kpi NAME = ...`".to_string(),
                    ));
                }
            }
        }
    }
}

/// Whether a target's literal of type `vt` may judge a KPI of type `want`:
/// the KPI's own type, or a plain number for money, money per day and
/// durations (days).
pub(crate) fn target_fits(want: &Ty, vt: &Ty) -> bool {
    *want == Ty::Error
        || *vt == Ty::Error
        || want == vt
        || (*vt == Ty::Number && matches!(want, Ty::Money | Ty::MoneyPerDay | Ty::Duration))
        || (*vt == Ty::Money && *want == Ty::MoneyPerDay)
}

/// The type of `a op b` in a KPI formula, given the type `t` that
/// [`crate::types::arith`] found: a ratio of two numbers is a percent
/// (`count(reached Customer) / count(reached Lead)`, `count(…) / an input`,
/// `count(…) / (count(…) + 2)`), unless a side is a bare number literal
/// (`count(…) / 2` stays a number). This is the KPI type the engine shows.
pub fn kpi_arith(t: Ty, op: ArithOp, a: &Ty, b: &Ty, literal_side: bool) -> Ty {
    if op == ArithOp::Div && *a == Ty::Number && *b == Ty::Number && !literal_side {
        Ty::Percent
    } else {
        t
    }
}

pub(crate) fn call_arg_span(arg: &CallArg) -> Option<Span> {
    match arg {
        CallArg::Entered(x) | CallArg::Reached(x) => Some(x.span),
        CallArg::Breached(a, b) => Some(a.span.to(b.span)),
        CallArg::Days(_, _, s) | CallArg::In(_, _, s) => Some(*s),
        CallArg::Groups(keys, cond) => {
            Some(keys.first().map_or(cond.span, |k| k.span.to(cond.span)))
        }
        CallArg::Expr(e) => Some(e.span),
        CallArg::Many(xs) => match (xs.first(), xs.last()) {
            (Some(a), Some(b)) => Some(a.span.to(b.span)),
            _ => None,
        },
    }
}

/// Strongly connected components (Tarjan, iterative so deep chains cannot
/// overflow the stack). Components come out dependencies first; each is sorted.
pub fn sccs(n: usize, edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    let mut call: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        call.push((root, 0));
        while let Some(top) = call.last_mut() {
            let v = top.0;
            if let Some(&w) = edges[v].get(top.1) {
                top.1 += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(p, _)) = call.last() {
                    low[p] = low[p].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comp.sort_unstable();
                    out.push(comp);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sccs;

    #[test]
    fn components_come_dependencies_first() {
        // 0 uses 1, 1 uses 2, 2 uses 1, 3 uses itself.
        let edges = vec![vec![1], vec![2], vec![1], vec![3]];
        assert_eq!(sccs(4, &edges), vec![vec![1, 2], vec![0], vec![3]]);
    }
}
