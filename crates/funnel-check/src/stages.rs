//! The funnel: stage triggers, reachability and SLAs.
//!
//! Every stage needs a way in: its own trigger, or a `X at N` threshold in a
//! score (lost stages only by their trigger). The first stage is no
//! exception: a lead starts outside the funnel and enters it by a trigger.
//! An SLA runs from a forward stage to a later forward stage.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::oriented::{conjuncts, flip};

impl<'a> Checker<'a> {
    pub fn check_stages(&mut self) {
        let ast = self.ast;
        let mut funnel_at: Option<Span> = None;
        let mut slas: Vec<(&str, &str, Span)> = Vec::new();
        for decl in &ast.decls {
            let Decl::Funnel(f) = decl else { continue };
            funnel_at.get_or_insert(f.span);
            for item in &f.items {
                match item {
                    FunnelItem::Stage(st) => {
                        if let Some(t) = &st.trigger {
                            self.trigger(t);
                            if let Trigger::When(cond) = t {
                                self.stage_trigger_never(st, cond);
                            }
                        }
                    }
                    FunnelItem::Sla(sla) => {
                        let span = sla.from.span.to(sla.to.span);
                        self.stage_pair(&sla.from, &sla.to, "in an sla", span);
                        self.duration(&sla.within, "an sla's time limit");
                        let (a, b) = (sla.from.name.as_str(), sla.to.name.as_str());
                        if let Some(&(_, _, first)) =
                            slas.iter().find(|(x, y, _)| *x == a && *y == b)
                        {
                            self.report(d::duplicate_definition(
                                "sla",
                                &format!("{a} -> {b}"),
                                span,
                                first,
                            ));
                        } else {
                            slas.push((a, b, span));
                        }
                    }
                }
            }
        }
        if self.scope.stages.list.is_empty() {
            let at = match funnel_at {
                Some(s) => Span {
                    start: s.start,
                    end: s.start.saturating_add(6).min(s.end),
                },
                None => Span::default(),
            };
            self.report(d::no_stages(at));
            return;
        }
        for st in &self.scope.stages.list {
            let decl = st.decl;
            let has_threshold = !decl.lost
                && self
                    .scope
                    .thresholds
                    .iter()
                    .any(|(s, _, _)| s.name == decl.name.name);
            if decl.trigger.is_none() && !has_threshold {
                self.diags
                    .push(d::unreachable_stage(&decl.name.name, decl.name.span));
            }
        }
    }

    /// Warn about a term of stage X's `when` trigger that compares `stage`
    /// in a way no lead that may still enter X can satisfy: a forward
    /// stage's trigger is judged only while the lead is before it (in the
    /// funnel: ordering comparisons are false outside it), and a lost lead
    /// never moves again. (`stage < First` and `stage > Last`, which never
    /// hold anywhere, are reported where every condition is typed.)
    fn stage_trigger_never(&mut self, st: &StageDecl, cond: &Expr) {
        let Some(me) = self.scope.stage(&st.name.name) else {
            return;
        };
        let mine = me.order;
        let last = self
            .scope
            .stages
            .list
            .iter()
            .filter(|s| s.order.is_some())
            .count()
            .saturating_sub(1);
        let x = st.name.name.as_str();
        for term in conjuncts(cond) {
            let ExprKind::Compare(op, l, r) = &term.kind else {
                continue;
            };
            let (op, mut other) = match (&l.kind, &r.kind) {
                (ExprKind::Stage, _) => (*op, r.as_ref()),
                (_, ExprKind::Stage) => (flip(*op), l.as_ref()),
                _ => continue,
            };
            while let ExprKind::Paren(inner) = &other.kind {
                other = inner;
            }
            let ExprKind::Name(y) = &other.kind else {
                continue;
            };
            let Some(theirs) = self.scope.stage(&y.name).map(|s| s.order) else {
                continue;
            };
            let y = y.name.as_str();
            // `stage < First` and `stage > Last` never hold anywhere: reported already.
            let everywhere = match (theirs, op) {
                (Some(t), CmpOp::Lt) => t == 0,
                (Some(t), CmpOp::Gt) => t == last,
                _ => false,
            };
            if everywhere {
                continue;
            }
            let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
            let why = match (mine, theirs, op) {
                (Some(0), Some(_), _) if ordering => format!(
                    "only a lead outside the funnel can enter `{x}`, the first stage, and ordering comparisons of `stage` are false outside the funnel"
                ),
                (Some(m), Some(t), CmpOp::Ge) if t >= m => {
                    format!("only a lead before `{x}` can enter it, and such a lead is never at or past `{y}`")
                }
                (Some(m), Some(t), CmpOp::Eq) if t >= m => {
                    format!("only a lead before `{x}` can enter it, and such a lead is never at `{y}`")
                }
                (Some(m), Some(t), CmpOp::Gt) if t + 1 >= m => {
                    format!("only a lead before `{x}` can enter it, and such a lead is never past `{y}`")
                }
                (Some(_), None, CmpOp::Eq) => {
                    format!("a lead in the lost stage `{y}` never moves again, so it never enters `{x}`")
                }
                (None, None, CmpOp::Eq) if y == x => {
                    format!("a lead already in `{x}` is not entered into it again")
                }
                (None, None, CmpOp::Eq) => {
                    format!("a lead in the lost stage `{y}` never moves again, so it never enters `{x}`")
                }
                _ => continue,
            };
            self.report(d::never_holds(
                term.span,
                why,
                Some((st.name.span, format!("the trigger of `{x}`"))),
                "a stage's `when` trigger is judged while the lead is before that stage (a lost stage's, while the lead is not lost): compare `stage` with an earlier stage, or remove the term",
            ));
        }
    }
}
