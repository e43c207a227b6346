//! Types of comparisons in conditions: `==`, `<` and friends, `in (…)`,
//! comparisons with an enumeration's values (a bare name beside one is a
//! value) and with `stage` (read from `stage`'s side), and the warning for a
//! comparison a score's cap or floor makes impossible. Each name read as an
//! enumeration value or a stage is recorded for the typed program.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::{Checker, Resolved};
use crate::diagnostics as d;
use crate::infer::Ctx;
use crate::oriented::{flip, number, oriented};
use crate::suggest::did_you_mean;
use crate::types::{eq_compatible, Ty};

impl Checker<'_> {
    pub(crate) fn compare(&mut self, op: CmpOp, l: &Expr, r: &Expr, span: Span, ctx: Ctx<'_>) {
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

    pub(crate) fn in_list(&mut self, l: &Expr, items: &[Expr], ctx: Ctx<'_>) {
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
}

/// `industry` for a name, else "this value".
fn describe(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(id) => format!("`{}`", id.name),
        ExprKind::Paren(x) => describe(x),
        _ => "this enumeration".to_string(),
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
