//! Types of conditions and values outside KPIs: `where` filters, `when`
//! conditions, `if` and guards, `set` values.
//!
//! Scoping (the engine agrees): after `on E where`, a name is a field of E
//! (of every listed event), then a lead field, then a score; in `when`
//! conditions a lead field, then a score. A bare name compared with a
//! `one of` value is an enumeration value. After any reported mistake the
//! type is `Ty::Error`, which never causes a second diagnostic.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::{Checker, Resolved};
use crate::diagnostics as d;
use crate::suggest::did_you_mean;
use crate::types::{arith, eq_compatible, Ty};

/// Where a condition is evaluated.
#[derive(Clone, Copy, Debug)]
pub enum Ctx<'c> {
    /// `when` conditions, guards, `if`, `set` values: lead fields and scores.
    When,
    /// After `on E where`: the listed events' fields come first. `incomplete`
    /// is set when a listed event was unknown (already reported), so unknown
    /// names are not reported a second time.
    On {
        events: &'c [usize],
        incomplete: bool,
    },
}

impl<'a> Checker<'a> {
    /// Check a trigger; returns the indices of the events it listens to.
    pub fn trigger(&mut self, t: &Trigger) -> Vec<usize> {
        match t {
            Trigger::When(e) => {
                self.condition(e, Ctx::When);
                Vec::new()
            }
            Trigger::On { events, filter, .. } => {
                let (list, incomplete) = self.event_sel(events);
                if let Some(f) = filter {
                    self.condition(
                        f,
                        Ctx::On {
                            events: &list,
                            incomplete,
                        },
                    );
                }
                list
            }
        }
    }

    /// Resolve the events of an `on` clause: the known ones, and whether any was unknown.
    pub fn event_sel(&mut self, sel: &EventSel) -> (Vec<usize>, bool) {
        let mut list = Vec::new();
        let mut incomplete = false;
        if let EventSel::List(ids) = sel {
            for id in ids {
                match self.event_ref(id) {
                    Some(i) if !list.contains(&i) => list.push(i),
                    Some(_) => {}
                    None => incomplete = true,
                }
            }
        }
        (list, incomplete)
    }

    /// Check an expression that must be true or false.
    pub fn condition(&mut self, e: &Expr, ctx: Ctx<'_>) {
        let t = self.infer(e, ctx);
        self.expect_bool(&t, e.span);
    }

    fn expect_bool(&mut self, t: &Ty, span: Span) {
        if *t != Ty::Bool && *t != Ty::Error {
            self.report(d::type_mismatch(
                format!("expected a condition, found a {t}"),
                span,
                format!("this is a {t}, not true or false"),
                "compare it with something, e.g. `engagement >= 50`".to_string(),
            ));
        }
    }

    /// The type of an expression in a condition context (recorded for the
    /// typed program).
    pub fn infer(&mut self, e: &Expr, ctx: Ctx<'_>) -> Ty {
        let t = self.infer_kind(e, ctx);
        self.types.insert(e.span, t.clone());
        t
    }

    fn infer_kind(&mut self, e: &Expr, ctx: Ctx<'_>) -> Ty {
        match &e.kind {
            ExprKind::Lit(l) => self.literal(l),
            ExprKind::Name(id) => self.name(id, ctx),
            ExprKind::FieldPath(ev, f) => {
                self.report(d::misplaced_expression(
                    &format!("`{}.{}`", ev.name, f.name),
                    e.span,
                    format!(
                        "event fields are written without the event after `on {} where`; `event.field` is for kpi sums and averages",
                        ev.name
                    ),
                ));
                Ty::Error
            }
            ExprKind::Stage => Ty::Stage,
            ExprKind::Clicked(t) => {
                self.email("clicked", "email_click", t, e.span);
                Ty::Bool
            }
            ExprKind::Opened(t) => {
                self.email("opened", "email_open", t, e.span);
                Ty::Bool
            }
            ExprKind::Neg(x) => {
                let t = self.infer(x, ctx);
                if t.is_numeric() || t == Ty::Error {
                    t
                } else {
                    self.report(d::type_mismatch(
                        format!("cannot negate a {t}"),
                        e.span,
                        format!("`-` needs a number, found a {t}"),
                        "only numbers, money, percentages and durations can be negative"
                            .to_string(),
                    ));
                    Ty::Error
                }
            }
            ExprKind::Not(x) => {
                let t = self.infer(x, ctx);
                self.expect_bool(&t, x.span);
                Ty::Bool
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.condition(a, ctx);
                self.condition(b, ctx);
                Ty::Bool
            }
            ExprKind::Arith(op, a, b) => {
                let at = self.infer(a, ctx);
                let bt = self.infer(b, ctx);
                self.arith(*op, &at, &bt, b, e.span)
            }
            ExprKind::Compare(op, l, r) => {
                self.compare(*op, l, r, e.span, ctx);
                Ty::Bool
            }
            ExprKind::In(l, items) => {
                self.in_list(l, items, ctx);
                Ty::Bool
            }
            ExprKind::Matches(x, re) => {
                let t = self.infer(x, ctx);
                if t != Ty::Text && t != Ty::Error {
                    self.report(d::type_mismatch(
                        format!("`matches` needs text, found a {t}"),
                        x.span,
                        format!("this is a {t}"),
                        "match patterns against text fields only".to_string(),
                    ));
                }
                let problem = match self.regexes.get(&re.value) {
                    Some(p) => p.clone(),
                    None => {
                        let p = regex::Regex::new(&re.value).err().map(|e| regex_reason(&e));
                        self.regexes.insert(re.value.clone(), p.clone());
                        p
                    }
                };
                if let Some(reason) = problem {
                    self.report(d::invalid_regex(re.span, &reason));
                }
                Ty::Bool
            }
            ExprKind::IsPresent(x, _) => {
                if !matches!(x.kind, ExprKind::Name(_)) {
                    self.report(d::type_mismatch(
                        "`is missing` and `is present` apply to fields".to_string(),
                        x.span,
                        "not a field".to_string(),
                        "write `FIELD is missing`, e.g. `title is missing`".to_string(),
                    ));
                }
                self.infer(x, ctx);
                Ty::Bool
            }
            ExprKind::Call(f, _) => {
                self.report(d::misplaced_expression(
                    &format!("`{}(...)`", f.name),
                    e.span,
                    "counts, sums and averages belong in `kpi` formulas".to_string(),
                ));
                Ty::Error
            }
            ExprKind::Paren(x) => self.infer(x, ctx),
        }
    }

    pub fn literal(&mut self, l: &Literal) -> Ty {
        match l {
            Literal::Number(_) => Ty::Number,
            Literal::Percent(n) => {
                self.exact(n, "percentage");
                Ty::Percent
            }
            Literal::Money(n) => {
                self.exact(n, "amount");
                Ty::Money
            }
            Literal::Duration(dur) => {
                self.business(dur);
                Ty::Duration
            }
            Literal::DateTime(dt) => {
                self.datetime(dt);
                if dt.time.is_some() {
                    Ty::DateTime
                } else {
                    Ty::Date
                }
            }
            Literal::Str(_) => Ty::Text,
            Literal::Bool(..) => Ty::Bool,
        }
    }

    /// The type of `a op b`, reporting a mismatch and literal division by zero.
    pub fn arith(&mut self, op: ArithOp, at: &Ty, bt: &Ty, b: &Expr, span: Span) -> Ty {
        if op == ArithOp::Div && is_literal_zero(b) {
            self.report(d::division_by_zero(b.span));
            return Ty::Error;
        }
        match arith(op, at, bt) {
            Some(t) => t,
            None => {
                let verb = match op {
                    ArithOp::Add => "add",
                    ArithOp::Sub => "subtract",
                    ArithOp::Mul => "multiply",
                    ArithOp::Div => "divide",
                };
                let join = if op == ArithOp::Sub { "from" } else { "and" };
                let (x, y) = if op == ArithOp::Sub {
                    (bt, at)
                } else {
                    (at, bt)
                };
                self.report(d::type_mismatch(
                    format!("cannot {verb} {x} {join} {y}"),
                    span,
                    format!("{at} {} {bt}", op.symbol()),
                    arith_help(at, bt),
                ));
                Ty::Error
            }
        }
    }

    fn name(&mut self, id: &Ident, ctx: Ctx<'_>) -> Ty {
        let name = id.name.as_str();
        let mut incomplete = false;
        let mut listed: &[usize] = &[];
        if let Ctx::On {
            events,
            incomplete: inc,
        } = ctx
        {
            incomplete = inc;
            listed = events;
            let mut found: Option<Ty> = None;
            let mut missing: Option<usize> = None;
            let mut having: Option<usize> = None;
            for &ev in events {
                match self.scope.events.list[ev].fields.get(name) {
                    Some(f) => {
                        having.get_or_insert(ev);
                        found.get_or_insert_with(|| f.ty.ty.clone());
                    }
                    None => missing = missing.or(Some(ev)),
                }
            }
            match (found, missing, having) {
                (Some(t), None, _) => {
                    self.resolved.insert(id.span, Resolved::EventField);
                    return t;
                }
                (Some(_), Some(m), Some(h)) => {
                    let ev = self.scope.events.list[m].name.name.as_str();
                    let has = self.scope.events.list[h].name.name.as_str();
                    let diag = d::field_not_on_event(
                        name,
                        id.span,
                        ev,
                        format!("`{name}` is a field of `{has}` only; list only events that have it, or write separate rules"),
                    );
                    self.report(diag);
                    return Ty::Error;
                }
                _ => {}
            }
        }
        if let Some(f) = self.scope.lead.get(name) {
            let t = f.ty.ty.clone();
            self.resolved.insert(id.span, Resolved::LeadField);
            return t;
        }
        if let Some(i) = self.scope.scores.find(name) {
            self.used.scores[i] = true;
            self.resolved.insert(id.span, Resolved::Score);
            return Ty::Number;
        }
        if incomplete {
            return Ty::Error;
        }
        // A misspelt score still counts as used: the typo meant it.
        if let Some(i) =
            did_you_mean(name, self.scope.score_names()).and_then(|s| self.scope.scores.find(s))
        {
            self.used.scores[i] = true;
        }
        let diag = self.unknown_name(id, listed);
        self.report(diag);
        Ty::Error
    }

    /// The diagnostic for a name that is no field or score in this context.
    fn unknown_name(&self, id: &Ident, listed: &[usize]) -> funnel_syntax::Diagnostic {
        let name = id.name.as_str();
        if let Some(&ev) = listed.first() {
            let owner = self
                .scope
                .events
                .list
                .iter()
                .find(|e| e.fields.get(name).is_some());
            if owner.is_none() && self.scope.values.find(name).is_none() {
                let mut candidates: Vec<&str> = Vec::new();
                for &e in listed {
                    candidates.extend(self.scope.events.list[e].fields.names());
                }
                candidates.extend(self.scope.lead.names());
                candidates.extend(self.scope.score_names());
                if let Some(s) = did_you_mean(name, candidates.iter().copied()) {
                    return d::unknown_field(name, id.span, Some(s), String::new());
                }
            }
            let evname = self.scope.events.list[ev].name.name.as_str();
            let help = match owner {
                Some(o) => format!(
                    "`{name}` is a field of `{}`; declare it on `{evname}` or use it after `on {}`",
                    o.name.name, o.name.name
                ),
                None => format!("declare it in `event {evname} {{ ... }}` or in the `lead` block"),
            };
            return d::field_not_on_event(name, id.span, evname, help);
        }
        let mut candidates: Vec<&str> = self.scope.lead.names().collect();
        candidates.extend(self.scope.score_names());
        let suggestion = did_you_mean(name, candidates.iter().copied());
        let fallback = if let Some(o) = self
            .scope
            .events
            .list
            .iter()
            .find(|e| e.fields.get(name).is_some())
        {
            format!(
                "`{name}` is a field of event `{}`; use it in `on {} where ...`",
                o.name.name, o.name.name
            )
        } else if self.scope.values.find(name).is_some() {
            format!("`{name}` is a kpi or input; those can only be used in kpi formulas")
        } else if self.scope.stage(name).is_some() {
            format!("`{name}` is a stage; write `stage == {name}` or `stage >= {name}`")
        } else {
            "declare it in the `lead` block, or as a score".to_string()
        };
        d::unknown_field(name, id.span, suggestion, fallback)
    }

    fn email(&mut self, word: &str, event: &str, template: &StrLit, span: Span) {
        if self.scope.templates.find(&template.value).is_none() {
            let s = did_you_mean(&template.value, self.scope.template_names());
            self.report(d::unknown_template(&template.value, template.span, s));
        }
        match self.scope.events.find(event) {
            None => self.report(d::missing_email_event(
                word,
                event,
                span,
                &format!("no event `{event}` is declared"),
            )),
            Some(i) => {
                self.used.events[i] = true;
                let ok = self.scope.events.list[i]
                    .fields
                    .get("template")
                    .is_some_and(|f| f.ty.ty == Ty::Text);
                if !ok {
                    self.report(d::missing_email_event(
                        word,
                        event,
                        span,
                        &format!("event `{event}` has no `template: text` field"),
                    ));
                }
            }
        }
    }

    /// Check `set FIELD = VALUE`.
    pub fn set_value(&mut self, field: &Ident, value: &Expr) {
        let Some(f) = self.scope.lead.get(&field.name) else {
            let s = did_you_mean(&field.name, self.scope.lead.names());
            self.report(d::unknown_field(
                &field.name,
                field.span,
                s,
                "`set` changes a lead field; declare it in the `lead` block".to_string(),
            ));
            self.infer(value, Ctx::When);
            return;
        };
        let ft = f.ty.ty.clone();
        if let Ty::Enum(values) = &ft {
            self.enum_operand(value, values, &format!("`{}`", field.name), Ctx::When);
            return;
        }
        let vt = self.infer(value, Ctx::When);
        if !eq_compatible(&ft, &vt) {
            self.report(d::type_mismatch(
                format!("cannot set `{}` to a {vt}", field.name),
                value.span,
                format!("`{}` is {ft}", field.name),
                format!("give `{}` a {ft} value", field.name),
            ));
        }
    }
}

/// Whether an expression is a literal zero (`0`, `$0`, `0%`, `(0)`).
pub fn is_literal_zero(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(Literal::Number(n) | Literal::Money(n) | Literal::Percent(n)) => {
            n.value == 0.0
        }
        ExprKind::Lit(Literal::Duration(dur)) => dur.amount.value == 0.0,
        ExprKind::Paren(x) | ExprKind::Neg(x) => is_literal_zero(x),
        _ => false,
    }
}

fn arith_help(a: &Ty, b: &Ty) -> String {
    if matches!((a, b), (Ty::Money, Ty::Percent) | (Ty::Percent, Ty::Money)) {
        "to take a share of money multiply it: `amount * 10%`".to_string()
    } else {
        format!("arithmetic works on numbers, money, percentages and durations of matching kinds; here {a} and {b}")
    }
}

/// The regex crate's reason, without its quoted copy of the pattern.
pub fn regex_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(
            || text.lines().last().unwrap_or("").trim().to_string(),
            str::to_string,
        )
}
