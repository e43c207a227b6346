//! Comparisons seen from one side: `5 < engagement` is `engagement > 5`.
//! The never-holds warnings ([`crate::infer`]), the `when` rules that undo
//! themselves ([`crate::scores`]) and the stage conditions that cannot hold
//! ([`crate::stages`]) all read a comparison with one named side on the left.

use funnel_syntax::ast::{CmpOp, Expr, ExprKind, Ident};

/// The comparison `l op r` seen from the named side that `pick` accepts
/// (given that name and the other side), the left one first: the name, the
/// operator with the name on the left, and the other side.
pub fn oriented<'e>(
    op: CmpOp,
    l: &'e Expr,
    r: &'e Expr,
    pick: impl Fn(&Ident, &Expr) -> bool,
) -> Option<(&'e Ident, CmpOp, &'e Expr)> {
    match (&l.kind, &r.kind) {
        (ExprKind::Name(id), _) if pick(id, r) => Some((id, op, r)),
        (_, ExprKind::Name(id)) if pick(id, l) => Some((id, flip(op), l)),
        _ => None,
    }
}

/// The operator with its sides swapped (`5 < x` is `x > 5`).
pub fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The value of a number literal, negated or not, in parentheses or not.
pub fn number(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Lit(funnel_syntax::ast::Literal::Number(n)) => Some(n.value),
        ExprKind::Neg(x) => number(x).map(|v| -v),
        ExprKind::Paren(x) => number(x),
        _ => None,
    }
}

/// The terms of a condition that must all hold: the condition itself, or
/// the operands of its `and`s (through parentheses). A term that can never
/// hold makes the whole condition never hold.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut todo = vec![e];
    while let Some(x) = todo.pop() {
        match &x.kind {
            ExprKind::And(a, b) => {
                todo.push(b);
                todo.push(a);
            }
            ExprKind::Paren(inner) => todo.push(inner),
            _ => out.push(x),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(text: &str) -> Expr {
        let src = format!("funnel {{\n  A when {text}\n}}\n");
        let ast = funnel_syntax::parse(&src).expect("parses");
        let funnel_syntax::ast::Decl::Funnel(f) = &ast.decls[0] else {
            panic!("not a funnel")
        };
        let funnel_syntax::ast::FunnelItem::Stage(s) = &f.items[0] else {
            panic!("not a stage")
        };
        match &s.trigger {
            Some(funnel_syntax::ast::Trigger::When(e)) => e.clone(),
            _ => panic!("no when"),
        }
    }

    #[test]
    fn a_name_on_the_right_flips_the_operator() {
        let e = cond("5 < engagement");
        let ExprKind::Compare(op, l, r) = &e.kind else {
            panic!("not a comparison")
        };
        let (name, op, other) = oriented(*op, l, r, |_, o| number(o).is_some()).expect("a side");
        assert_eq!(
            (name.name.as_str(), op, number(other)),
            ("engagement", CmpOp::Gt, Some(5.0))
        );
        assert!(oriented(CmpOp::Lt, l, r, |id, _| id.name == "fit").is_none());
    }

    #[test]
    fn conjuncts_look_through_and_and_parentheses() {
        let e = cond("(a > 1 and b > 2) and (c > 3 or d > 4)");
        assert_eq!(conjuncts(&e).len(), 3);
    }
}
