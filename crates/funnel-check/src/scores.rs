//! Scores: points rules and their limits, decay, floor and cap, and the
//! `X at N` thresholds that move leads through the funnel.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::oriented::{conjuncts, number, oriented};

impl<'a> Checker<'a> {
    pub fn check_scores(&mut self) {
        let ast = self.ast;
        for decl in &ast.decls {
            if let Decl::Score(sc) = decl {
                self.score(sc);
            }
        }
        self.when_rule_cycles();
    }

    /// Warn about `when` rules of different scores that can undo each other
    /// in a cycle (a rule undoing itself is an error of its own).
    fn when_rule_cycles(&mut self) {
        let ast = self.ast;
        let mut rules: Vec<WhenRule<'_>> = Vec::new();
        for decl in &ast.decls {
            let Decl::Score(sc) = decl else { continue };
            for item in &sc.items {
                if let ScoreItem::Rule(r) = item {
                    if let Trigger::When(cond) = &r.trigger {
                        rules.push(WhenRule {
                            score: &sc.name.name,
                            points: r.points.value,
                            cond,
                            span: r.span,
                        });
                    }
                }
            }
        }
        for cycle in undoing_cycles(&rules) {
            let labels: Vec<(Span, String)> = cycle
                .iter()
                .map(|(i, read)| {
                    let r = &rules[*i];
                    (r.span, format!("reads `{read}`, changes `{}`", r.score))
                })
                .collect();
            let mut scores: Vec<&str> = cycle.iter().map(|(i, _)| rules[*i].score).collect();
            scores.sort_unstable();
            scores.dedup();
            self.report(d::when_rules_undo_each_other(&scores, &labels));
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

/// A `when` rule: its score, points, condition and where it is written.
struct WhenRule<'a> {
    score: &'a str,
    points: f64,
    cond: &'a Expr,
    span: Span,
}

/// The cycles of `when` rules that can undo each other: rule R's points
/// move its score, which a term of rule R''s condition compares with a
/// number (`b < 5`), switching R' on or off. An edge is positive when
/// switching R on tends to switch R' on (points up and `>`/`>=`, or points
/// down and `<`/`<=`), negative otherwise. A cycle with an odd number of
/// negative edges keeps flipping: each strongly connected group of rules
/// that holds one is returned, its rules in source order with the score each
/// reads. Only edges between rules of different scores count (a rule
/// undoing itself is `when_rule_undoes_itself`).
fn undoing_cycles(rules: &[WhenRule<'_>]) -> Vec<Vec<(usize, String)>> {
    // edges[r]: (r', sign, the score r' reads).
    let mut edges: Vec<Vec<(usize, bool, String)>> = vec![Vec::new(); rules.len()];
    for (j, reader) in rules.iter().enumerate() {
        for term in conjuncts(reader.cond) {
            let ExprKind::Compare(op, l, r) = &term.kind else {
                continue;
            };
            let is_score = |id: &Ident, other: &Expr| {
                number(other).is_some() && rules.iter().any(|w| w.score == id.name)
            };
            let Some((name, op, _)) = oriented(*op, l, r, is_score) else {
                continue;
            };
            let up = match op {
                CmpOp::Gt | CmpOp::Ge => true,
                CmpOp::Lt | CmpOp::Le => false,
                CmpOp::Eq | CmpOp::Ne => continue,
            };
            for (i, writer) in rules.iter().enumerate() {
                // Rules of one score are judged on their own (a rule undoing
                // itself is an error); here a cycle passes through another score.
                if writer.score == name.name && writer.score != reader.score && writer.points != 0.0
                {
                    let positive = (writer.points > 0.0) == up;
                    edges[i].push((j, positive, name.name.clone()));
                }
            }
        }
    }
    let plain: Vec<Vec<usize>> = edges
        .iter()
        .map(|es| es.iter().map(|(j, _, _)| *j).collect())
        .collect();
    let mut out = Vec::new();
    for comp in crate::kpis::sccs(rules.len(), &plain) {
        if comp.len() < 2 {
            continue;
        }
        // Two-colour the group: a positive edge keeps the colour, a negative
        // one flips it; a clash is a cycle with an odd number of flips.
        let mut colour: Vec<Option<bool>> = vec![None; rules.len()];
        colour[comp[0]] = Some(false);
        let mut todo = vec![comp[0]];
        let mut clash = false;
        while let Some(i) = todo.pop() {
            let Some(ci) = colour[i] else { continue };
            for (j, positive, _) in &edges[i] {
                if !comp.contains(j) {
                    continue;
                }
                let want = ci ^ !positive;
                match colour[*j] {
                    None => {
                        colour[*j] = Some(want);
                        todo.push(*j);
                    }
                    Some(c) if c != want => clash = true,
                    Some(_) => {}
                }
            }
        }
        if clash {
            let reads = |j: usize| {
                comp.iter()
                    .flat_map(|&i| edges[i].iter())
                    .find(|(k, _, _)| *k == j)
                    .map(|(_, _, s)| s.clone())
                    .unwrap_or_default()
            };
            out.push(comp.iter().map(|&j| (j, reads(j))).collect());
        }
    }
    out
}
