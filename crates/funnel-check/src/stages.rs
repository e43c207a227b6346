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
}
