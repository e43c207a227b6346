//! Scores: points rules and their limits, decay, floor and cap, and the
//! `X at N` thresholds that move leads through the funnel.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::oriented::oriented;

impl<'a> Checker<'a> {
    pub fn check_scores(&mut self) {
        let ast = self.ast;
        for decl in &ast.decls {
            if let Decl::Score(sc) = decl {
                self.score(sc);
            }
        }
    }

    fn score(&mut self, sc: &ScoreDecl) {
        let mut floor: Option<(&Number, Span)> = None;
        let mut cap: Option<(&Number, Span)> = None;
        let mut decay: Option<Span> = None;
        for item in &sc.items {
            match item {
                ScoreItem::Rule(r) => self.points_rule(&sc.name.name, r),
                ScoreItem::Decay(dr) => {
                    self.setting_once("decay", &mut decay, dr.span);
                    let p = dr.percent.value;
                    if !(p > 0.0 && p <= 100.0) {
                        self.report(d::invalid_percent(
                            dr.percent.span,
                            "the decay percentage",
                            "decay takes more than 0% and at most 100%",
                        ));
                    }
                    self.duration(&dr.every, "the decay period");
                }
                ScoreItem::Floor(n, span) => {
                    if let Some((_, first)) = floor {
                        self.report(d::duplicate_setting("floor", *span, first));
                    } else {
                        floor = Some((n, *span));
                    }
                }
                ScoreItem::Cap(n, span) => {
                    if let Some((_, first)) = cap {
                        self.report(d::duplicate_setting("cap", *span, first));
                    } else {
                        cap = Some((n, *span));
                    }
                }
                ScoreItem::Threshold(..) => {}
            }
        }
        if let (Some((f, fs)), Some((c, cs))) = (floor, cap) {
            if f.value >= c.value {
                self.report(d::floor_above_cap(fs, cs));
            }
        }
        for item in &sc.items {
            let ScoreItem::Threshold(stage, n, span) = item else {
                continue;
            };
            if self
                .forward_stage_ref(stage, "in a score threshold")
                .is_none()
            {
                continue;
            }
            if let Some((c, cs)) = cap {
                if n.value > c.value {
                    let at = &n.text;
                    self.report(d::threshold_above_cap(&stage.name, at, *span, &c.text, cs));
                    continue;
                }
            }
            if let Some((f, fs)) = floor {
                if n.value <= f.value {
                    self.report(d::threshold_always_met(
                        &stage.name,
                        &n.text,
                        *span,
                        &f.text,
                        fs,
                    ));
                }
            }
        }
    }

    fn setting_once(&mut self, what: &str, first: &mut Option<Span>, span: Span) {
        match first {
            Some(f) => self.report(d::duplicate_setting(what, span, *f)),
            None => *first = Some(span),
        }
    }

    fn points_rule(&mut self, score: &str, r: &PointsRule) {
        self.trigger(&r.trigger);
        if let Trigger::When(cond) = &r.trigger {
            if let Some(m) = r.modifiers.first() {
                self.report(d::modifier_on_when(modifier_span(m)));
            }
            if let Some(span) = self_undoing(score, r.points.value, cond) {
                self.report(d::when_rule_undoes_itself(score, r.span, span));
            }
            return;
        }
        let mut once: Option<Span> = None;
        let mut max: Option<Span> = None;
        for m in &r.modifiers {
            match m {
                Modifier::Once(s) | Modifier::OncePer(_, s) => {
                    if let Some(first) = once {
                        self.report(d::conflicting_modifiers(*s, first));
                    }
                    once.get_or_insert(*s);
                    if let Modifier::OncePer(dur, _) = m {
                        self.duration(dur, "the window of `once per`");
                    }
                }
                Modifier::MaxPer(n, dur, s) => {
                    if let Some(first) = max {
                        self.report(d::conflicting_modifiers(*s, first));
                    }
                    max.get_or_insert(*s);
                    if n.value <= 0.0 {
                        self.report(d::invalid_limit(
                            n.span,
                            "the `max` of a rule",
                            "above zero",
                        ));
                    }
                    self.duration(dur, "the window of `max`");
                }
            }
        }
    }
}

fn modifier_span(m: &Modifier) -> Span {
    match m {
        Modifier::MaxPer(_, _, s) | Modifier::Once(s) | Modifier::OncePer(_, s) => *s,
    }
}

/// The comparison in a `when` rule's condition (the whole condition or one
/// term of an `and`) that the rule's own points make false: `+5 when
/// engagement < 50` lifts the score past 50, which takes the 5 points back,
/// which makes the condition hold again, for ever. Such a rule's result would
/// depend only on how many passes the engine allows.
fn self_undoing(score: &str, points: f64, cond: &Expr) -> Option<Span> {
    match &cond.kind {
        ExprKind::And(a, b) => {
            self_undoing(score, points, a).or_else(|| self_undoing(score, points, b))
        }
        ExprKind::Paren(x) => self_undoing(score, points, x),
        ExprKind::Compare(op, l, r) => {
            let (_, op, _) = oriented(*op, l, r, |id, _| id.name == score)?;
            let undoes = match op {
                CmpOp::Lt | CmpOp::Le => points > 0.0,
                CmpOp::Gt | CmpOp::Ge => points < 0.0,
                CmpOp::Eq => points != 0.0,
                CmpOp::Ne => false,
            };
            undoes.then_some(cond.span)
        }
        _ => None,
    }
}
