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
use crate::oriented::{flip, number, oriented};
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

    fn compare(&mut self, op: CmpOp, l: &Expr, r: &Expr, span: Span, ctx: Ctx<'_>) {
        if matches!(l.kind, ExprKind::Stage) {
            return self.stage_compare(op, r, span);
        }
        if matches!(r.kind, ExprKind::Stage) {
            return self.stage_compare(flip(op), l, span);
        }
        let lt = self.infer(l, ctx);
        if let Ty::Enum(values) = &lt {
            let what = describe(l);
            self.enum_operand(r, values, &what, ctx);
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                self.report(d::type_mismatch(
                    format!("`{}` cannot order the values of {what}", op.symbol()),
                    span,
                    "enumeration values have no order".to_string(),
                    "use `==`, `!=` or `in (...)`".to_string(),
                ));
            }
            return;
        }
        let rt = self.infer(r, ctx);
        self.comparable(op, &lt, &rt, span);
        self.score_bound_compare(op, l, r, span, ctx);
    }

    /// Warn when a comparison of a score with a number can never hold
    /// because of the score's `cap` or `floor` (`engagement >= 150` with
    /// `cap 100`).
    fn score_bound_compare(&mut self, op: CmpOp, l: &Expr, r: &Expr, span: Span, ctx: Ctx<'_>) {
        let Some((name, op, other)) = oriented(op, l, r, |_, o| number(o).is_some()) else {
            return;
        };
        let Some(k) = number(other) else { return };
        let Some(i) = self.scope.scores.find(&name.name) else {
            return;
        };
        // A lead field or, after `on E where`, a field of E comes first.
        let shadowed = self.scope.lead.get(&name.name).is_some()
            || match ctx {
                Ctx::On { events, .. } => events
                    .iter()
                    .any(|&e| self.scope.events.list[e].fields.get(&name.name).is_some()),
                Ctx::When => false,
            };
        if shadowed {
            return;
        }
        let decl = self.scope.scores.list[i];
        let (mut floor, mut cap) = (None, None);
        for item in &decl.items {
            match item {
                ScoreItem::Floor(f, fs) => floor = Some((f, *fs)),
                ScoreItem::Cap(c, cs) => cap = Some((c, *cs)),
                _ => {}
            }
        }
        let beyond_cap = cap.filter(|(c, _)| match op {
            CmpOp::Gt => k >= c.value,
            CmpOp::Ge | CmpOp::Eq => k > c.value,
            _ => false,
        });
        let below_floor = floor.filter(|(f, _)| match op {
            CmpOp::Lt => k <= f.value,
            CmpOp::Le | CmpOp::Eq => k < f.value,
            _ => false,
        });
        const HELP: &str =
            "compare with a value the score can reach, or raise the cap (lower the floor)";
        if let Some((c, cs)) = beyond_cap {
            self.report(d::never_holds(
                span,
                format!("`{}` never exceeds its cap of {}", name.name, c.text),
                Some((cs, "the cap is set here".to_string())),
                HELP,
            ));
        } else if let Some((f, fs)) = below_floor {
            self.report(d::never_holds(
                span,
                format!("`{}` never goes below its floor of {}", name.name, f.text),
                Some((fs, "the floor is set here".to_string())),
                HELP,
            ));
        }
    }

    /// Report when `op` cannot compare values of these types.
    pub fn comparable(&mut self, op: CmpOp, lt: &Ty, rt: &Ty, span: Span) {
        if *lt == Ty::Error || *rt == Ty::Error {
            return;
        }
        if !eq_compatible(lt, rt) {
            self.report(d::type_mismatch(
                format!("cannot compare {lt} with {rt}"),
                span,
                format!("{lt} {} {rt}", op.symbol()),
                compare_help(lt, rt),
            ));
        } else if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !lt.is_ordered() {
            self.report(d::type_mismatch(
                format!("`{}` cannot order {lt} values", op.symbol()),
                span,
                format!("{lt} has no order"),
                "use `==` or `!=`".to_string(),
            ));
        }
    }

    /// A value compared with an enumeration: a bare name or a string must be
    /// one of its values; anything else must be the same enumeration.
    pub fn enum_operand(&mut self, e: &Expr, values: &[String], what: &str, ctx: Ctx<'_>) {
        let (value, span) = match &e.kind {
            ExprKind::Name(id) => (id.name.as_str(), id.span),
            ExprKind::Lit(Literal::Str(s)) => (s.value.as_str(), s.span),
            ExprKind::Paren(x) => return self.enum_operand(x, values, what, ctx),
            _ => {
                let t = self.infer(e, ctx);
                if let Ty::Enum(other) = &t {
                    if other == values {
                        return;
                    }
                }
                if t != Ty::Error {
                    self.report(d::type_mismatch(
                        format!("cannot compare {what} with a {t}"),
                        e.span,
                        format!("this is a {t}"),
                        format!(
                            "compare {what} with one of its values: {}",
                            values.join(", ")
                        ),
                    ));
                }
                return;
            }
        };
        if let ExprKind::Name(_) = &e.kind {
            self.resolved.insert(span, Resolved::EnumValue);
        }
        if !values.iter().any(|v| v == value) {
            let s = did_you_mean(value, values.iter().map(String::as_str));
            self.report(d::unknown_enum_value(value, span, what, values, s));
        }
    }

    /// `stage op other` (the operator seen with `stage` on the left).
    fn stage_compare(&mut self, op: CmpOp, other: &Expr, span: Span) {
        let mut e = other;
        while let ExprKind::Paren(x) = &e.kind {
            e = x;
        }
        let ExprKind::Name(id) = &e.kind else {
            self.report(d::type_mismatch(
                "`stage` can only be compared with a stage name".to_string(),
                other.span,
                "not a stage name".to_string(),
                "write e.g. `stage >= SQL`".to_string(),
            ));
            return;
        };
        self.resolved.insert(id.span, Resolved::Stage);
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            self.stage_ref(id);
            return;
        }
        let Some(o) = self.forward_stage_ref(id, &format!("with `{}`", op.symbol())) else {
            return;
        };
        // Ordering comparisons are false outside the funnel and when lost,
        // so nothing is before the first stage or after the last one.
        let last = self
            .scope
            .stages
            .list
            .iter()
            .filter(|s| s.order.is_some())
            .count()
            .saturating_sub(1);
        let why = match op {
            CmpOp::Lt if o == 0 => format!("no stage comes before `{}`, the first stage", id.name),
            CmpOp::Gt if o == last => format!("no stage comes after `{}`, the last stage", id.name),
            _ => return,
        };
        self.report(d::never_holds(
            span,
            why,
            None,
            "compare with another stage, or remove the condition",
        ));
    }

    fn in_list(&mut self, l: &Expr, items: &[Expr], ctx: Ctx<'_>) {
        if matches!(l.kind, ExprKind::Stage) {
            self.report(d::type_mismatch(
                "`stage` cannot be used with `in`".to_string(),
                l.span,
                "compare the stage with `==`".to_string(),
                "write `stage == A or stage == B`".to_string(),
            ));
            return;
        }
        let lt = self.infer(l, ctx);
        if let Ty::Enum(values) = &lt {
            let what = describe(l);
            for item in items {
                self.enum_operand(item, values, &what, ctx);
            }
            return;
        }
        for item in items {
            let t = self.infer(item, ctx);
            self.comparable(CmpOp::Eq, &lt, &t, item.span);
        }
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

/// `industry` for a name, else "this value".
fn describe(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(id) => format!("`{}`", id.name),
        ExprKind::Paren(x) => describe(x),
        _ => "this enumeration".to_string(),
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

fn compare_help(a: &Ty, b: &Ty) -> String {
    match (a, b) {
        (Ty::Percent, Ty::Number) | (Ty::Number, Ty::Percent) => {
            "write percentages with `%`, e.g. `25%`".to_string()
        }
        (Ty::Text, _) | (_, Ty::Text) => {
            "text compares only with text; quote the value or compare a number field".to_string()
        }
        _ => format!("both sides must have the same type; here {a} and {b}"),
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
