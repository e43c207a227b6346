//! `test` blocks: the test lead's record, the event timeline, inputs, and
//! expectations on stages, scores, sends, KPIs and fields. Values in tests are
//! plain literals (enumeration values as bare names); the test lead may also
//! be given an `id`.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::infer::Ctx;
use crate::scope::Value;
use crate::suggest::did_you_mean;
use crate::types::{FieldTy, Ty};

impl<'a> Checker<'a> {
    pub fn check_tests(&mut self, kpi_types: &[Ty]) {
        let ast = self.ast;
        for decl in &ast.decls {
            if let Decl::Test(t) = decl {
                self.test(t, kpi_types);
            }
        }
    }

    fn test(&mut self, t: &TestDecl, kpi_types: &[Ty]) {
        let mut lead: Option<Span> = None;
        let mut expects = 0;
        let lead_fields: Vec<(String, FieldTy)> = self
            .scope
            .lead
            .list
            .iter()
            .map(|f| (f.name.to_string(), f.ty.clone()))
            .collect();
        for item in &t.items {
            match item {
                TestItem::Lead(fields, span) => {
                    match lead {
                        Some(first) => self.report(d::duplicate_setting("lead", *span, first)),
                        None => lead = Some(*span),
                    }
                    let at = Span {
                        start: span.start,
                        end: span.start.saturating_add(4).min(span.end),
                    };
                    self.record(fields, &lead_fields, "the test lead", at, true);
                }
                TestItem::Event {
                    at, event, fields, ..
                } => {
                    self.datetime(at);
                    if let Some(i) = self.event_ref_quiet(event) {
                        let decl: Vec<(String, FieldTy)> = self.scope.events.list[i]
                            .fields
                            .list
                            .iter()
                            .map(|f| (f.name.to_string(), f.ty.clone()))
                            .collect();
                        let what = format!("event `{}`", event.name);
                        self.record(fields, &decl, &what, event.span, false);
                    }
                }
                TestItem::Input(name, value, _) => self.test_input(name, value),
                TestItem::Expect { at, what, .. } => {
                    expects += 1;
                    if let Some(at) = at {
                        self.datetime(at);
                    }
                    self.expectation(what, kpi_types);
                }
            }
        }
        if lead.is_none() {
            let missing: Vec<&str> = lead_fields
                .iter()
                .filter(|(_, ty)| !ty.optional)
                .map(|(n, _)| n.as_str())
                .collect();
            if !missing.is_empty() {
                self.report(d::missing_field("the test lead", &missing, t.name.span));
            }
        }
        if expects == 0 {
            self.report(d::empty_test(&t.name.value, t.name.span));
        }
    }

    /// Check a record against declared fields; `at` is where to report
    /// missing required fields.
    fn record(
        &mut self,
        fields: &[RecordField],
        decl: &[(String, FieldTy)],
        what: &str,
        at: Span,
        allow_id: bool,
    ) {
        // Fields a misspelt record field probably meant: not reported missing too.
        let mut meant: Vec<&str> = Vec::new();
        for (i, rf) in fields.iter().enumerate() {
            let name = rf.name.name.as_str();
            if let Some(first) = fields[..i].iter().find(|x| x.name.name == name) {
                self.report(d::duplicate_definition(
                    "field",
                    name,
                    rf.name.span,
                    first.name.span,
                ));
                continue;
            }
            let want = match decl.iter().find(|(n, _)| n == name) {
                Some((_, ty)) => ty.ty.clone(),
                None if allow_id && name == "id" => Ty::Text,
                None => {
                    let s = did_you_mean(name, decl.iter().map(|(n, _)| n.as_str()));
                    meant.extend(s);
                    self.report(d::unknown_field(
                        name,
                        rf.name.span,
                        s,
                        format!("{what} has no such field"),
                    ));
                    continue;
                }
            };
            self.test_value(&want, &rf.value, &format!("`{name}`"));
        }
        let missing: Vec<&str> = decl
            .iter()
            .filter(|(n, ty)| {
                !ty.optional
                    && !fields.iter().any(|f| &f.name.name == n)
                    && !meant.contains(&n.as_str())
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if !missing.is_empty() {
            self.report(d::missing_field(what, &missing, at));
        }
    }

    /// A literal value of type `want`; enumeration values are bare names.
    fn test_value(&mut self, want: &Ty, value: &Expr, what: &str) {
        if let Ty::Enum(values) = want {
            self.enum_operand(value, values, what, Ctx::When);
        } else if let Some(vt) = self.literal_value(value) {
            self.value_fits(want, &vt, value.span, what);
        }
    }

    fn test_input(&mut self, name: &Ident, value: &Expr) {
        match self.scope.values.get(&name.name).copied() {
            Some(Value::Input(i, _)) => {
                let want = self.scope.inputs[i].1.ty.clone();
                self.test_value(&want, value, &format!("input `{}`", name.name));
            }
            Some(Value::Kpi(..)) => self.report(d::misplaced_expression(
                &format!("kpi `{}`", name.name),
                name.span,
                "a test sets inputs; kpis are computed".to_string(),
            )),
            None => {
                let names: Vec<&str> = self
                    .scope
                    .inputs
                    .iter()
                    .map(|(i, _)| i.name.name.as_str())
                    .collect();
                let s = did_you_mean(&name.name, names.iter().copied());
                self.report(d::unknown_input(&name.name, name.span, s));
            }
        }
    }

    fn expectation(&mut self, what: &Expectation, kpi_types: &[Ty]) {
        match what {
            Expectation::Stage(op, stage) => {
                if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    self.stage_ref(stage);
                } else {
                    self.forward_stage_ref(stage, &format!("with `{}`", op.symbol()));
                }
            }
            Expectation::Score(score, _, value) => {
                match self.scope.scores.find(&score.name) {
                    Some(i) => self.used.scores[i] = true,
                    None => {
                        let s = did_you_mean(&score.name, self.scope.score_names());
                        self.report(d::unknown_score(&score.name, score.span, s));
                    }
                }
                self.test_value(&Ty::Number, value, &format!("score `{}`", score.name));
            }
            Expectation::Sent(t, at) => {
                self.sent_template(t);
                if let Some(at) = at {
                    self.datetime(at);
                }
            }
            Expectation::NotSent(t) => self.sent_template(t),
            Expectation::Kpi(kpi, _, value) => match self.scope.values.get(&kpi.name).copied() {
                Some(Value::Kpi(i, _)) => {
                    let want = kpi_types.get(i).cloned().unwrap_or(Ty::Error);
                    // A KPI value is judged like a target's.
                    if let Some(vt) = self.literal_value(value) {
                        if !crate::kpis::target_fits(&want, &vt) {
                            self.report(d::target_type(&kpi.name, &want, &vt, value.span));
                        }
                    }
                }
                Some(Value::Input(..)) => self.report(d::misplaced_expression(
                    &format!("input `{}`", kpi.name),
                    kpi.span,
                    "`expect kpi` checks a kpi; inputs are given with `input NAME = VALUE`"
                        .to_string(),
                )),
                None => {
                    let names: Vec<&str> = self
                        .scope
                        .kpis
                        .iter()
                        .map(|k| k.name.name.as_str())
                        .collect();
                    let s = did_you_mean(&kpi.name, names.iter().copied());
                    self.report(d::unknown_kpi(
                        &kpi.name,
                        kpi.span,
                        s,
                        "declare it with `kpi NAME = ...`".to_string(),
                    ));
                }
            },
            Expectation::Field(field, _, value) => match self.scope.lead.get(&field.name) {
                Some(f) => {
                    let want = f.ty.ty.clone();
                    self.test_value(&want, value, &format!("`{}`", field.name));
                }
                None => {
                    let s = did_you_mean(&field.name, self.scope.lead.names());
                    self.report(d::unknown_field(
                        &field.name,
                        field.span,
                        s,
                        "`expect field` checks a lead field".to_string(),
                    ));
                }
            },
        }
    }

    fn sent_template(&mut self, t: &StrLit) {
        if self.scope.templates.find(&t.value).is_none() {
            let s = did_you_mean(&t.value, self.scope.template_names());
            self.report(d::unknown_template(&t.value, t.span, s));
        }
    }
}
