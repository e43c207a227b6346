//! Nurtures: enrollment, re-enrollment, exits, the send calendar, and the
//! steps (sends, waits, cron waits, waits for events, branches, splits,
//! notifications with `{field}` interpolation, and `set`).

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::infer::Ctx;
use crate::schedule::Cron;
use crate::suggest::did_you_mean;

impl<'a> Checker<'a> {
    pub fn check_nurtures(&mut self) {
        let ast = self.ast;
        for decl in &ast.decls {
            if let Decl::Nurture(n) = decl {
                self.nurture(n);
            }
        }
    }

    fn nurture(&mut self, n: &NurtureDecl) {
        let mut enroll = false;
        let mut reenroll: Option<Span> = None;
        let mut within: Option<Span> = None;
        let mut steps = 0;
        for item in &n.items {
            match item {
                NurtureItem::Enroll(t, _) => {
                    enroll = true;
                    self.trigger(t);
                }
                NurtureItem::Reenroll(r, span) => {
                    match reenroll {
                        Some(first) => self.report(d::duplicate_setting("reenroll", *span, first)),
                        None => reenroll = Some(*span),
                    }
                    match r {
                        Reenroll::After(dur) => self.duration(dur, "`reenroll after`"),
                        Reenroll::Never(_) => self.report(d::redundant_reenroll(*span)),
                        Reenroll::Always(_) => {}
                    }
                }
                NurtureItem::Exit(t, _) => {
                    self.trigger(t);
                }
                NurtureItem::SendWithin(cal, span) => {
                    match within {
                        Some(first) => {
                            self.report(d::duplicate_setting("send within", *span, first))
                        }
                        None => within = Some(*span),
                    }
                    self.calendar_ref(cal);
                }
                NurtureItem::Step(s) => {
                    steps += 1;
                    self.step(s);
                }
            }
        }
        if !enroll {
            self.report(d::missing_enroll(&n.name.name, n.name.span));
        }
        if steps == 0 {
            self.report(d::empty_nurture(&n.name.name, n.name.span));
        }
    }

    fn steps(&mut self, steps: &[Step]) {
        for s in steps {
            self.step(s);
        }
    }

    fn guard(&mut self, guard: &Option<Expr>) {
        if let Some(g) = guard {
            self.condition(g, Ctx::When);
        }
    }

    fn step(&mut self, s: &Step) {
        match &s.kind {
            StepKind::Send { guard, .. } => self.guard(guard),
            StepKind::Wait(dur) => self.duration(dur, "a wait"),
            StepKind::WaitCron(expr) => match Cron::parse(&expr.value) {
                Ok(cron) => {
                    if cron.never_fires() {
                        self.report(d::cron_never_fires(&expr.value, expr.span));
                    }
                    self.crons.insert(expr.span, cron);
                }
                Err(reason) => self.report(d::invalid_cron(&expr.value, expr.span, &reason)),
            },
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            } => {
                self.duration(timeout, "the time limit of `wait up to`");
                let ev = self.event_ref(event);
                if let Some(f) = filter {
                    let list: Vec<usize> = ev.into_iter().collect();
                    self.condition(
                        f,
                        Ctx::On {
                            events: &list,
                            incomplete: list.is_empty(),
                        },
                    );
                }
                if let Some(o) = otherwise {
                    self.steps(o);
                }
            }
            StepKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.condition(cond, Ctx::When);
                self.steps(then);
                if let Some(o) = otherwise {
                    self.steps(o);
                }
            }
            StepKind::Split { arms, otherwise } => {
                let mut total = 0.0;
                for arm in arms {
                    if arm.percent.value <= 0.0 {
                        self.report(d::invalid_percent(
                            arm.percent.span,
                            "a split arm's share",
                            "each arm takes more than 0% of the leads",
                        ));
                    }
                    total += arm.percent.value;
                    self.steps(&arm.steps);
                }
                if total > 100.0 + 1e-9 {
                    let span = match (arms.first(), arms.last()) {
                        (Some(a), Some(b)) => a.percent.span.to(b.percent.span),
                        _ => s.span,
                    };
                    self.report(d::split_total(&trim_number(total), span));
                }
                if let Some(o) = otherwise {
                    self.steps(o);
                }
            }
            StepKind::Notify { message, guard, .. } => {
                self.interpolation(message);
                self.guard(guard);
            }
            StepKind::Set {
                field,
                value,
                guard,
            } => {
                self.set_value(field, value);
                self.guard(guard);
            }
        }
    }

    /// Check the `{name}` parts of a notify message.
    fn interpolation(&mut self, msg: &StrLit) {
        let text = msg.value.as_str();
        // Sub-spans are exact only when the literal had no escapes.
        let exact = msg.span.len() == text.len() + 2;
        let sub = |a: usize, b: usize| {
            if exact {
                Span::new(
                    msg.span.start as usize + 1 + a,
                    msg.span.start as usize + 1 + b,
                )
            } else {
                msg.span
            }
        };
        let mut i = 0;
        while let Some(rel) = text[i..].find('{') {
            let open = i + rel;
            let Some(close_rel) = text[open + 1..].find('}') else {
                self.report(d::invalid_interpolation(sub(open, text.len())));
                return;
            };
            let close = open + 1 + close_rel;
            let name = text[open + 1..close].trim();
            let well_formed =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !well_formed {
                self.report(d::invalid_interpolation(sub(open, close + 1)));
            } else if self.scope.lead.get(name).is_none() && name != "id" && name != "stage" {
                match self.scope.scores.find(name) {
                    Some(si) => self.used.scores[si] = true,
                    None => {
                        let mut cands: Vec<&str> = self.scope.lead.names().collect();
                        cands.extend(self.scope.score_names());
                        cands.extend(["id", "stage"]);
                        let sug = did_you_mean(name, cands.iter().copied());
                        self.report(d::unknown_interpolation(name, sub(open, close + 1), sug));
                    }
                }
            }
            i = close + 1;
        }
    }
}

/// `150` rather than `150.0`; at most two decimals otherwise.
pub fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}
