//! The symbol tables: every declared name, looked up by name, with the first
//! definition winning. Building them reports duplicate definitions and settings
//! declared twice; everything else is judged by the later passes.

use std::collections::HashMap;

use funnel_syntax::ast::*;
use funnel_syntax::{Diagnostic, Span};

use crate::collect::field_ty;
use crate::diagnostics as d;
use crate::types::FieldTy;

/// A declared field of the lead or of an event.
#[derive(Debug)]
pub struct FieldSym<'a> {
    pub name: &'a str,
    pub ty: FieldTy,
    pub span: Span,
}

/// Fields in declaration order with a name index.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    pub list: Vec<FieldSym<'a>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Fields<'a> {
    fn build(kind: &str, decls: &'a [FieldDecl], out: &mut Vec<Diagnostic>) -> Fields<'a> {
        let mut f = Fields::default();
        for decl in decls {
            f.push(kind, decl, out);
        }
        f
    }

    fn push(&mut self, kind: &str, decl: &'a FieldDecl, out: &mut Vec<Diagnostic>) {
        let name = decl.name.name.as_str();
        if let Some(&i) = self.index.get(name) {
            out.push(d::duplicate_definition(
                kind,
                name,
                decl.name.span,
                self.list[i].span,
            ));
            return;
        }
        self.index.insert(name, self.list.len());
        self.list.push(FieldSym {
            name,
            ty: field_ty(&decl.ty),
            span: decl.name.span,
        });
    }

    pub fn get(&self, name: &str) -> Option<&FieldSym<'a>> {
        self.index.get(name).map(|&i| &self.list[i])
    }

    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.list.iter().map(|f| f.name)
    }
}

/// A name table: declarations in order and an index by name.
#[derive(Debug)]
pub struct Table<T> {
    pub list: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            list: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Table<T> {
    /// Add `item` named `name`; on a duplicate return the first one's index.
    fn insert(&mut self, name: &str, item: T) -> Result<usize, usize> {
        if let Some(&i) = self.index.get(name) {
            return Err(i);
        }
        self.index.insert(name.to_string(), self.list.len());
        self.list.push(item);
        Ok(self.list.len() - 1)
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.find(name).map(|i| &self.list[i])
    }
}

#[derive(Debug)]
pub struct EventSym<'a> {
    pub name: &'a Ident,
    pub fields: Fields<'a>,
}

#[derive(Debug)]
pub struct StageSym<'a> {
    pub decl: &'a StageDecl,
    /// Position among the non-lost stages; `None` for a lost stage.
    pub order: Option<usize>,
}

/// A KPI or an input: they share one namespace, since formulas name both.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Kpi(usize, &'a KpiDecl),
    Input(usize, &'a InputDecl),
}

#[derive(Debug, Default)]
pub struct Scope<'a> {
    pub lead: Fields<'a>,
    pub events: Table<EventSym<'a>>,
    pub stages: Table<StageSym<'a>>,
    pub scores: Table<&'a ScoreDecl>,
    pub calendars: Table<&'a Calendar>,
    pub nurtures: Table<&'a NurtureDecl>,
    pub inputs: Vec<(&'a InputDecl, FieldTy)>,
    pub kpis: Vec<&'a KpiDecl>,
    pub values: Table<Value<'a>>,
    pub slas: Vec<&'a SlaDecl>,
    pub tests: Table<&'a TestDecl>,
    /// Templates sent by some `send` step, first send first.
    pub templates: Table<Span>,
    /// `(stage, score index, threshold)` for every `X at N`.
    pub thresholds: Vec<(&'a Ident, usize, &'a Number)>,
}

impl<'a> Scope<'a> {
    pub fn build(ast: &'a Playbook, out: &mut Vec<Diagnostic>) -> Scope<'a> {
        let mut s = Scope::default();
        let mut lead_decl: Option<Span> = None;
        let mut funnel_decl: Option<Span> = None;
        let mut order = 0;
        for decl in &ast.decls {
            match decl {
                Decl::Lead(l) => {
                    match lead_decl {
                        Some(first) => out.push(d::duplicate_setting("lead", l.span, first)),
                        None => lead_decl = Some(l.span),
                    }
                    for f in &l.fields {
                        s.lead.push("lead field", f, out);
                    }
                }
                Decl::Event(e) => {
                    let sym = EventSym {
                        name: &e.name,
                        fields: Fields::build("field", &e.fields, out),
                    };
                    if let Err(i) = s.events.insert(&e.name.name, sym) {
                        let first = s.events.list[i].name.span;
                        out.push(d::duplicate_definition(
                            "event",
                            &e.name.name,
                            e.name.span,
                            first,
                        ));
                    }
                }
                Decl::Funnel(f) => {
                    if let Some(first) = funnel_decl {
                        out.push(d::duplicate_setting(
                            "funnel",
                            keyword_span(f.span, 6),
                            first,
                        ));
                    } else {
                        funnel_decl = Some(keyword_span(f.span, 6));
                    }
                    for item in &f.items {
                        match item {
                            FunnelItem::Stage(st) => {
                                let sym = StageSym {
                                    decl: st,
                                    order: (!st.lost).then_some(order),
                                };
                                match s.stages.insert(&st.name.name, sym) {
                                    Ok(_) => order += usize::from(!st.lost),
                                    Err(i) => out.push(d::duplicate_definition(
                                        "stage",
                                        &st.name.name,
                                        st.name.span,
                                        s.stages.list[i].decl.name.span,
                                    )),
                                }
                            }
                            FunnelItem::Sla(sla) => s.slas.push(sla),
                        }
                    }
                }
                Decl::Score(sc) => {
                    if let Err(i) = s.scores.insert(&sc.name.name, sc) {
                        let first = s.scores.list[i].name.span;
                        out.push(d::duplicate_definition(
                            "score",
                            &sc.name.name,
                            sc.name.span,
                            first,
                        ));
                    }
                }
                Decl::Calendar(c) => {
                    if let Err(i) = s.calendars.insert(&c.name.name, c) {
                        let first = s.calendars.list[i].name.span;
                        out.push(d::duplicate_definition(
                            "calendar",
                            &c.name.name,
                            c.name.span,
                            first,
                        ));
                    }
                }
                Decl::Nurture(n) => {
                    if let Err(i) = s.nurtures.insert(&n.name.name, n) {
                        let first = s.nurtures.list[i].name.span;
                        out.push(d::duplicate_definition(
                            "nurture",
                            &n.name.name,
                            n.name.span,
                            first,
                        ));
                    }
                    collect_sends(&n.items, &mut s.templates);
                }
                Decl::Input(i) => {
                    let idx = s.inputs.len();
                    s.inputs.push((i, field_ty(&i.ty)));
                    s.add_value(&i.name, Value::Input(idx, i), out);
                }
                Decl::Kpi(k) => {
                    let idx = s.kpis.len();
                    s.kpis.push(k);
                    s.add_value(&k.name, Value::Kpi(idx, k), out);
                }
                Decl::Test(t) => {
                    if let Err(i) = s.tests.insert(&t.name.value, t) {
                        let first = s.tests.list[i].name.span;
                        out.push(d::duplicate_definition(
                            "test",
                            &t.name.value,
                            t.name.span,
                            first,
                        ));
                    }
                }
                Decl::Playbook(..)
                | Decl::Timezone(..)
                | Decl::Currency(..)
                | Decl::Limit(_)
                | Decl::Target(_) => {}
            }
        }
        s.collect_thresholds();
        s.report_clashes(out);
        s
    }

    fn add_value(&mut self, name: &'a Ident, v: Value<'a>, out: &mut Vec<Diagnostic>) {
        if let Err(i) = self.values.insert(&name.name, v) {
            let first = match self.values.list[i] {
                Value::Kpi(_, k) => k.name.span,
                Value::Input(_, inp) => inp.name.span,
            };
            let kind = match v {
                Value::Kpi(..) => "kpi",
                Value::Input(..) => "input",
            };
            out.push(d::duplicate_definition(kind, &name.name, name.span, first));
        }
    }

    fn collect_thresholds(&mut self) {
        for (si, sc) in self.scores.list.iter().enumerate() {
            for item in &sc.items {
                if let ScoreItem::Threshold(stage, n, _) = item {
                    self.thresholds.push((stage, si, n));
                }
            }
        }
    }

    /// A score named like a lead field would be unreachable in conditions.
    pub fn clashing_scores(&self) -> Vec<usize> {
        (0..self.scores.list.len())
            .filter(|&i| self.lead.get(&self.scores.list[i].name.name).is_some())
            .collect()
    }

    fn report_clashes(&self, out: &mut Vec<Diagnostic>) {
        for sc in &self.scores.list {
            if let Some(f) = self.lead.get(&sc.name.name) {
                out.push(d::name_clash(
                    &sc.name.name,
                    sc.name.span,
                    "score",
                    f.span,
                    "lead field",
                ));
            }
        }
    }

    pub fn stage(&self, name: &str) -> Option<&StageSym<'a>> {
        self.stages.get(name)
    }

    pub fn stage_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.stages.list.iter().map(|s| s.decl.name.name.as_str())
    }

    pub fn event_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.events.list.iter().map(|e| e.name.name.as_str())
    }

    pub fn score_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.scores.list.iter().map(|s| s.name.name.as_str())
    }

    pub fn calendar_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.calendars.list.iter().map(|c| c.name.name.as_str())
    }

    pub fn value_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.values.list.iter().map(|v| match v {
            Value::Kpi(_, k) => k.name.name.as_str(),
            Value::Input(_, i) => i.name.name.as_str(),
        })
    }

    pub fn template_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.templates.index_names()
    }
}

impl Table<Span> {
    fn index_names(&self) -> impl Iterator<Item = &str> + '_ {
        let mut names: Vec<(&usize, &str)> =
            self.index.iter().map(|(n, i)| (i, n.as_str())).collect();
        names.sort();
        names.into_iter().map(|(_, n)| n)
    }
}

/// The span of a block's leading keyword (`funnel` is 6 bytes).
fn keyword_span(block: Span, len: u32) -> Span {
    Span {
        start: block.start,
        end: block.start.saturating_add(len).min(block.end),
    }
}

fn collect_sends(items: &[NurtureItem], out: &mut Table<Span>) {
    for item in items {
        if let NurtureItem::Step(step) = item {
            collect_step_sends(step, out);
        }
    }
}

fn collect_step_sends(step: &Step, out: &mut Table<Span>) {
    let mut blocks: Vec<&Vec<Step>> = Vec::new();
    match &step.kind {
        StepKind::Send { template, .. } => {
            let _ = out.insert(&template.value, template.span);
        }
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
        StepKind::Wait(_)
        | StepKind::WaitCron(_)
        | StepKind::Notify { .. }
        | StepKind::Set { .. } => {}
    }
    for b in blocks {
        for s in b {
            collect_step_sends(s, out);
        }
    }
}
