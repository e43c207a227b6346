//! Builds the [`Index`] from a parsed playbook, resolving every name the way
//! the checker does (`docs/language.md`, "Name scoping"): after `on E where`
//! a name is a field of E, then a lead field, then a score; in `when`
//! conditions a lead field, then a score; a bare name compared with a
//! `one of` field is one of its values; KPI formulas name KPIs and inputs.
//! Names that resolve to nothing are simply not indexed (the checker
//! reports them).

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::index::{Index, Kind, Symbol};

/// Index a parsed playbook.
pub fn index(book: &Playbook) -> Index {
    let mut w = Walker {
        ix: Index::default(),
    };
    w.declare(book);
    w.resolve(book);
    w.ix.finish();
    w.ix
}

struct Walker {
    ix: Index,
}

/// The span inside a string literal's quotes (exact when it has no escapes).
pub fn inner(s: &StrLit) -> Span {
    Span {
        start: s.span.start.saturating_add(1).min(s.span.end),
        end: s.span.end.saturating_sub(1).max(s.span.start),
    }
}

/// A field type as written: `text?`, `one of a | b`.
pub fn type_text(t: &TypeExpr) -> String {
    let base = match &t.kind {
        TypeKind::Named(id) => id.name.clone(),
        TypeKind::OneOf(vs) => {
            let names: Vec<&str> = vs.iter().map(|v| v.name.as_str()).collect();
            format!("one of {}", names.join(" | "))
        }
    };
    if t.optional {
        format!("{base}?")
    } else {
        base
    }
}

fn sym(kind: Kind, name: &str, def: Span, decl: Span) -> Symbol {
    Symbol {
        kind,
        name: name.to_string(),
        def,
        decl,
        owner: None,
        ty: None,
        lost: false,
    }
}

/// Where a condition is evaluated: the events whose fields come first.
#[derive(Clone, Copy)]
enum Ctx<'e> {
    When,
    On(&'e [usize]),
    /// KPI formulas: KPIs and inputs.
    Kpi,
}

impl Walker {
    // ---- declarations ------------------------------------------------------------

    fn declare(&mut self, book: &Playbook) {
        for decl in &book.decls {
            match decl {
                Decl::Lead(l) => {
                    for f in &l.fields {
                        self.field(Kind::LeadField, f, None);
                    }
                }
                Decl::Event(e) => {
                    let ev = self
                        .ix
                        .add(sym(Kind::Event, &e.name.name, e.name.span, e.span));
                    for f in &e.fields {
                        self.field(Kind::EventField, f, Some(ev));
                    }
                }
                Decl::Funnel(f) => {
                    for item in &f.items {
                        if let FunnelItem::Stage(st) = item {
                            let mut s = sym(Kind::Stage, &st.name.name, st.name.span, st.span);
                            s.lost = st.lost;
                            self.ix.add(s);
                        }
                    }
                }
                Decl::Score(s) => {
                    self.ix
                        .add(sym(Kind::Score, &s.name.name, s.name.span, s.span));
                }
                Decl::Calendar(c) => {
                    self.ix
                        .add(sym(Kind::Calendar, &c.name.name, c.name.span, c.span));
                }
                Decl::Nurture(n) => {
                    self.ix
                        .add(sym(Kind::Nurture, &n.name.name, n.name.span, n.span));
                    for item in &n.items {
                        if let NurtureItem::Step(s) = item {
                            self.declare_sends(s);
                        }
                    }
                }
                Decl::Input(i) => {
                    let mut s = sym(Kind::Input, &i.name.name, i.name.span, i.span);
                    s.ty = Some(type_text(&i.ty));
                    let owner = self.ix.add(s);
                    self.enum_values(&i.ty, owner);
                }
                Decl::Kpi(k) => {
                    self.ix
                        .add(sym(Kind::Kpi, &k.name.name, k.name.span, k.span));
                }
                Decl::Test(t) => {
                    self.ix
                        .add(sym(Kind::Test, &t.name.value, inner(&t.name), t.span));
                }
                Decl::Playbook(..)
                | Decl::Timezone(..)
                | Decl::Currency(..)
                | Decl::Limit(_)
                | Decl::Target(_) => {}
            }
        }
    }

    fn field(&mut self, kind: Kind, f: &FieldDecl, owner: Option<usize>) {
        let mut s = sym(kind, &f.name.name, f.name.span, f.span);
        s.owner = owner;
        s.ty = Some(type_text(&f.ty));
        let id = self.ix.add(s);
        self.enum_values(&f.ty, id);
    }

    fn enum_values(&mut self, t: &TypeExpr, owner: usize) {
        if let TypeKind::OneOf(values) = &t.kind {
            for v in values {
                let mut s = sym(Kind::EnumValue, &v.name, v.span, t.span);
                s.owner = Some(owner);
                self.ix.add(s);
            }
        }
    }

    /// The first `send` of a template declares it; later sends use it.
    fn declare_sends(&mut self, step: &Step) {
        match &step.kind {
            StepKind::Send { template, .. } => {
                if self.ix.find(Kind::Template, &template.value).is_none() {
                    self.ix.add(sym(
                        Kind::Template,
                        &template.value,
                        inner(template),
                        step.span,
                    ));
                }
            }
            _ => self.each_block(step, |w, s| w.declare_sends(s)),
        }
    }

    fn each_block(&mut self, step: &Step, mut f: impl FnMut(&mut Walker, &Step)) {
        let mut blocks: Vec<&Vec<Step>> = Vec::new();
        match &step.kind {
            StepKind::WaitFor { otherwise, .. } => blocks.extend(otherwise),
            StepKind::If {
                then, otherwise, ..
            } => {
                blocks.push(then);
                blocks.extend(otherwise);
            }
            StepKind::Split { arms, otherwise } => {
                blocks.extend(arms.iter().map(|a| &a.steps));
                blocks.extend(otherwise);
            }
            _ => {}
        }
        for b in blocks {
            for s in b {
                f(self, s);
            }
        }
    }

    // ---- uses ----------------------------------------------------------------------

    fn resolve(&mut self, book: &Playbook) {
        for decl in &book.decls {
            match decl {
                Decl::Funnel(f) => {
                    for item in &f.items {
                        match item {
                            FunnelItem::Stage(st) => {
                                if let Some(t) = &st.trigger {
                                    self.trigger(t);
                                }
                            }
                            FunnelItem::Sla(sla) => {
                                self.named(Kind::Stage, &sla.from);
                                self.named(Kind::Stage, &sla.to);
                            }
                        }
                    }
                }
                Decl::Score(s) => {
                    for item in &s.items {
                        match item {
                            ScoreItem::Rule(r) => self.trigger(&r.trigger),
                            ScoreItem::Threshold(stage, ..) => {
                                self.named(Kind::Stage, stage);
                            }
                            ScoreItem::Decay(_) | ScoreItem::Floor(..) | ScoreItem::Cap(..) => {}
                        }
                    }
                }
                Decl::Nurture(n) => {
                    for item in &n.items {
                        match item {
                            NurtureItem::Enroll(t, _) | NurtureItem::Exit(t, _) => self.trigger(t),
                            NurtureItem::SendWithin(cal, _) => {
                                self.named(Kind::Calendar, cal);
                            }
                            NurtureItem::Step(s) => self.step(s),
                            NurtureItem::Reenroll(..) => {}
                        }
                    }
                }
                Decl::Input(i) => {
                    if let Some(d) = &i.default {
                        let owner = self.ix.find(Kind::Input, &i.name.name);
                        self.value_for(owner, d, Ctx::Kpi);
                    }
                }
                Decl::Kpi(k) => {
                    self.expr(&k.expr, Ctx::Kpi);
                    self.by_keys(k);
                }
                Decl::Target(t) => {
                    self.named(Kind::Kpi, &t.kpi);
                    self.expr(&t.value, Ctx::Kpi);
                }
                Decl::Test(t) => self.test(t),
                _ => {}
            }
        }
    }

    /// A use of a name of one kind; unknown names are left out.
    fn named(&mut self, kind: Kind, id: &Ident) -> Option<usize> {
        let s = self.ix.find(kind, &id.name)?;
        self.ix.reference(id.span, s);
        Some(s)
    }

    fn template(&mut self, t: &StrLit) {
        if let Some(s) = self.ix.find(Kind::Template, &t.value) {
            self.ix.reference(inner(t), s);
        }
    }

    fn trigger(&mut self, t: &Trigger) {
        match t {
            Trigger::When(e) => self.expr(e, Ctx::When),
            Trigger::On { events, filter, .. } => {
                let mut list = Vec::new();
                if let EventSel::List(ids) = events {
                    for id in ids {
                        list.extend(self.named(Kind::Event, id));
                    }
                }
                if let Some(f) = filter {
                    self.expr(f, Ctx::On(&list));
                }
            }
        }
    }

    /// A bare name in a condition: an event field, a lead field, a score.
    fn name(&mut self, id: &Ident, ctx: Ctx<'_>) -> Option<usize> {
        let found = match ctx {
            Ctx::Kpi => self
                .ix
                .find(Kind::Kpi, &id.name)
                .or_else(|| self.ix.find(Kind::Input, &id.name)),
            Ctx::On(events) => events
                .iter()
                .find_map(|&e| self.ix.field_of(e, &id.name))
                .or_else(|| self.ix.find(Kind::LeadField, &id.name))
                .or_else(|| self.ix.find(Kind::Score, &id.name)),
            Ctx::When => self
                .ix
                .find(Kind::LeadField, &id.name)
                .or_else(|| self.ix.find(Kind::Score, &id.name)),
        }?;
        self.ix.reference(id.span, found);
        Some(found)
    }

    fn expr(&mut self, e: &Expr, ctx: Ctx<'_>) {
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Stage => {}
            ExprKind::Name(id) => {
                self.name(id, ctx);
            }
            ExprKind::FieldPath(ev, f) => {
                if let Some(e) = self.named(Kind::Event, ev) {
                    if let Some(fs) = self.ix.field_of(e, &f.name) {
                        self.ix.reference(f.span, fs);
                    }
                }
            }
            ExprKind::Clicked(t) | ExprKind::Opened(t) => self.template(t),
            ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::Paren(x) => self.expr(x, ctx),
            ExprKind::Matches(x, _) | ExprKind::IsPresent(x, _) => self.expr(x, ctx),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Arith(_, a, b) => {
                self.expr(a, ctx);
                self.expr(b, ctx);
            }
            ExprKind::Compare(_, l, r) => self.compare(l, r, ctx),
            ExprKind::In(l, items) => {
                let owner = self.operand(l, ctx);
                for item in items {
                    self.value_for(owner, item, ctx);
                }
            }
            ExprKind::Call(_, arg) => self.call_arg(arg),
        }
    }

    /// The left side of a comparison: its symbol when it is a plain name.
    fn operand(&mut self, e: &Expr, ctx: Ctx<'_>) -> Option<usize> {
        match &e.kind {
            ExprKind::Name(id) => self.name(id, ctx),
            ExprKind::Paren(x) => self.operand(x, ctx),
            _ => {
                self.expr(e, ctx);
                None
            }
        }
    }

    fn compare(&mut self, l: &Expr, r: &Expr, ctx: Ctx<'_>) {
        let stage_name = |e: &Expr| match &e.kind {
            ExprKind::Name(id) => Some(id.clone()),
            _ => None,
        };
        if matches!(l.kind, ExprKind::Stage) {
            if let Some(id) = stage_name(r) {
                self.named(Kind::Stage, &id);
            }
            return;
        }
        if matches!(r.kind, ExprKind::Stage) {
            if let Some(id) = stage_name(l) {
                self.named(Kind::Stage, &id);
            }
            return;
        }
        let owner = self.operand(l, ctx);
        self.value_for(owner, r, ctx);
    }

    /// A value compared with (or given to) the symbol `owner`: a bare name is
    /// one of its enumeration values when it has them.
    fn value_for(&mut self, owner: Option<usize>, e: &Expr, ctx: Ctx<'_>) {
        let has_values = owner.is_some_and(|o| self.ix.children(o).next().is_some());
        match (&e.kind, owner) {
            (ExprKind::Name(id), Some(o)) if has_values => {
                let v = self
                    .ix
                    .children(o)
                    .find(|(_, s)| s.kind == Kind::EnumValue && s.name == id.name)
                    .map(|(i, _)| i);
                if let Some(v) = v {
                    self.ix.reference(id.span, v);
                }
            }
            (ExprKind::Paren(x), _) => self.value_for(owner, x, ctx),
            _ => self.expr(e, ctx),
        }
    }

    fn call_arg(&mut self, arg: &CallArg) {
        match arg {
            CallArg::Entered(x) | CallArg::Reached(x) => {
                self.named(Kind::Stage, x);
            }
            CallArg::Breached(a, b) | CallArg::Days(a, b, _) => {
                self.named(Kind::Stage, a);
                self.named(Kind::Stage, b);
            }
            CallArg::In(x, _, _) => {
                self.named(Kind::Stage, x);
            }
            CallArg::Groups(keys, cond) => {
                for key in keys {
                    if let Some(s) = self.ix.find(Kind::LeadField, &key.name) {
                        self.ix.reference(key.span, s);
                    }
                }
                self.expr(cond, Ctx::Kpi);
            }
            CallArg::Expr(e) => match &e.kind {
                // `count(E)` names an event; `abs(k)` and `prev(k)` a kpi or input.
                ExprKind::Name(id) if self.ix.find(Kind::Event, &id.name).is_some() => {
                    self.named(Kind::Event, id);
                }
                _ => self.expr(e, Ctx::Kpi),
            },
            CallArg::Many(xs) => {
                for x in xs {
                    self.expr(x, Ctx::Kpi);
                }
            }
        }
    }

    fn by_keys(&mut self, k: &KpiDecl) {
        let mut events = Vec::new();
        aggregated_events(&k.expr, &mut events);
        events.dedup();
        let single = match events.as_slice() {
            [one] => self.ix.find(Kind::Event, one),
            _ => None,
        };
        for key in &k.by {
            let s = self
                .ix
                .find(Kind::LeadField, &key.name)
                .or_else(|| single.and_then(|e| self.ix.field_of(e, &key.name)));
            if let Some(s) = s {
                self.ix.reference(key.span, s);
            }
        }
    }

    fn step(&mut self, step: &Step) {
        match &step.kind {
            StepKind::Send { template, guard } => {
                self.template(template);
                self.guard(guard);
            }
            StepKind::WaitFor { event, filter, .. } => {
                let ev: Vec<usize> = self.named(Kind::Event, event).into_iter().collect();
                if let Some(f) = filter {
                    self.expr(f, Ctx::On(&ev));
                }
            }
            StepKind::If { cond, .. } => self.expr(cond, Ctx::When),
            StepKind::Notify { message, guard, .. } => {
                self.interpolation(message);
                self.guard(guard);
            }
            StepKind::Set {
                field,
                value,
                guard,
            } => {
                let owner = self.named(Kind::LeadField, field);
                self.value_for(owner, value, Ctx::When);
                self.guard(guard);
            }
            StepKind::Wait(_) | StepKind::WaitCron(_) | StepKind::Split { .. } => {}
        }
        self.each_block(step, |w, s| w.step(s));
    }

    fn guard(&mut self, g: &Option<Expr>) {
        if let Some(g) = g {
            self.expr(g, Ctx::When);
        }
    }

    /// `{name}` in a notify message: a lead field or a score.
    fn interpolation(&mut self, msg: &StrLit) {
        // Sub-spans are exact only when the literal has no escapes.
        if msg.span.len() != msg.value.len() + 2 {
            return;
        }
        let base = msg.span.start as usize + 1;
        let text = msg.value.as_str();
        let mut i = 0;
        while let Some(rel) = text[i..].find('{') {
            let open = i + rel;
            let Some(close_rel) = text[open + 1..].find('}') else {
                return;
            };
            let close = open + 1 + close_rel;
            let name = &text[open + 1..close];
            let found = self
                .ix
                .find(Kind::LeadField, name)
                .or_else(|| self.ix.find(Kind::Score, name));
            if let Some(s) = found {
                self.ix
                    .reference(Span::new(base + open + 1, base + close), s);
            }
            i = close + 1;
        }
    }

    fn test(&mut self, t: &TestDecl) {
        for item in &t.items {
            match item {
                TestItem::Lead(fields, _) => {
                    for rf in fields {
                        let f = self.named(Kind::LeadField, &rf.name);
                        self.value_for(f, &rf.value, Ctx::When);
                    }
                }
                TestItem::Event { event, fields, .. } => {
                    let ev = self.named(Kind::Event, event);
                    for rf in fields {
                        let f = ev.and_then(|e| self.ix.field_of(e, &rf.name.name));
                        if let Some(f) = f {
                            self.ix.reference(rf.name.span, f);
                        }
                        self.value_for(f, &rf.value, Ctx::When);
                    }
                }
                TestItem::Input(name, value, _) => {
                    let i = self.named(Kind::Input, name);
                    self.value_for(i, value, Ctx::Kpi);
                }
                TestItem::Expect { what, .. } => match what {
                    Expectation::Stage(_, s) => {
                        self.named(Kind::Stage, s);
                    }
                    Expectation::Score(s, _, v) => {
                        self.named(Kind::Score, s);
                        self.expr(v, Ctx::Kpi);
                    }
                    Expectation::Sent(t, _) | Expectation::NotSent(t) => self.template(t),
                    Expectation::Kpi(k, _, v) => {
                        self.named(Kind::Kpi, k);
                        self.expr(v, Ctx::Kpi);
                    }
                    Expectation::Field(f, _, v) => {
                        let owner = self.named(Kind::LeadField, f);
                        self.value_for(owner, v, Ctx::When);
                    }
                },
            }
        }
    }
}

/// The events a KPI formula aggregates (`count(E)`, `sum(E.f)`), by name.
fn aggregated_events(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Call(_, arg) => match arg.as_ref() {
            CallArg::Expr(x) => match &x.kind {
                ExprKind::Name(id) => out.push(id.name.clone()),
                ExprKind::FieldPath(ev, _) => out.push(ev.name.clone()),
                _ => aggregated_events(x, out),
            },
            CallArg::Many(xs) => xs.iter().for_each(|x| aggregated_events(x, out)),
            _ => out.push(String::new()),
        },
        ExprKind::Neg(x) | ExprKind::Paren(x) => aggregated_events(x, out),
        ExprKind::Arith(_, a, b) => {
            aggregated_events(a, out);
            aggregated_events(b, out);
        }
        _ => {}
    }
}
