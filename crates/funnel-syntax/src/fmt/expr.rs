//! Canonical text of expressions, literals, durations and types.
//!
//! Numbers are printed as written (the source slice, checked against the
//! AST), so `10,000` keeps its separator; strings are re-escaped minimally,
//! so a regex keeps its single backslashes. Everything else is rebuilt from the AST: units are pluralised
//! by amount, times are zero-padded, and expressions get parentheses only
//! where the user wrote them or precedence needs them.

use crate::ast::*;

use super::source::Source;

/// A number as written, falling back to its normalised text.
pub(crate) fn number(src: &Source<'_>, n: &Number) -> String {
    let kept: String = src
        .slice(n.span.start, n.span.end)
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-'))
        .collect();
    if kept.replace(',', "") == n.text {
        kept
    } else {
        n.text.clone()
    }
}

/// Score points always carry their sign: `+10`, `-50`.
pub(crate) fn points(src: &Source<'_>, n: &Number) -> String {
    let s = number(src, n);
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// A string literal, re-escaped: `\"`, `\n` and `\t` for a quote, newline
/// and tab; a backslash is doubled only where it would otherwise start one
/// of the escapes `\"`, `\\`, `\n`, `\t` (or end the string), so regular
/// expressions read as written: `"(?i)\bvp\b"`, not `"(?i)\\bvp\\b"`.
pub(crate) fn string(_src: &Source<'_>, s: &StrLit) -> String {
    let mut out = String::with_capacity(s.value.len() + 2);
    out.push('"');
    let mut chars = s.value.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => match chars.peek() {
                None | Some('"' | '\\' | 'n' | 't' | '\n' | '\t') => out.push_str("\\\\"),
                Some(_) => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `3 days`, `1 day`, `2 business days`.
pub(crate) fn duration(src: &Source<'_>, d: &Duration) -> String {
    let amount = number(src, &d.amount);
    let plural = if d.amount.text == "1" { "" } else { "s" };
    let business = if d.business { "business " } else { "" };
    format!("{amount} {business}{}{plural}", d.unit.word())
}

/// The window of `per`: `day` for one day, else a duration.
pub(crate) fn window(src: &Source<'_>, d: &Duration) -> String {
    if d.amount.text == "1" && !d.business {
        d.unit.word().to_string()
    } else {
        duration(src, d)
    }
}

/// `2026-03-02`, `2026-03-02 09:00`, `2026-03-02 09:00:30+02:00`.
pub(crate) fn datetime(d: &DateTimeLit) -> String {
    let mut s = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
    if let Some((h, m, sec)) = d.time {
        s.push_str(&format!(" {h:02}:{m:02}"));
        if sec != 0 {
            s.push_str(&format!(":{sec:02}"));
        }
        match d.offset {
            None => {}
            Some(0) => s.push('Z'),
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                let o = o.unsigned_abs();
                s.push_str(&format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60));
            }
        }
    }
    s
}

pub(crate) fn time_of_day(t: &TimeOfDay) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

/// `text`, `number?`, `one of a | b | c`.
pub(crate) fn type_expr(t: &TypeExpr) -> String {
    let mut s = match &t.kind {
        TypeKind::Named(n) => n.name.clone(),
        TypeKind::OneOf(vs) => {
            let names: Vec<&str> = vs.iter().map(|v| v.name.as_str()).collect();
            format!("one of {}", names.join(" | "))
        }
    };
    if t.optional {
        s.push('?');
    }
    s
}

/// `on any event`, `on a, b where COND`, `when COND`.
pub(crate) fn trigger(src: &Source<'_>, t: &Trigger) -> String {
    match t {
        Trigger::On { events, filter, .. } => {
            let mut s = match events {
                EventSel::Any(_) => "on any event".to_string(),
                EventSel::List(names) => {
                    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                    format!("on {}", names.join(", "))
                }
            };
            if let Some(f) = filter {
                s.push_str(" where ");
                s.push_str(&expr(src, f));
            }
            s
        }
        Trigger::When(e) => format!("when {}", expr(src, e)),
    }
}

pub(crate) fn literal(src: &Source<'_>, l: &Literal) -> String {
    match l {
        Literal::Number(n) => number(src, n),
        Literal::Percent(n) => format!("{}%", number(src, n)),
        Literal::Money(n) => format!("${}", number(src, n)),
        Literal::Duration(d) => duration(src, d),
        Literal::DateTime(d) => datetime(d),
        Literal::Str(s) => string(src, s),
        Literal::Bool(b, _) => b.to_string(),
    }
}

// Binding strength, loosest first; an operand weaker than its slot needs
// parentheses. These follow the grammar's rule nesting.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const ATOM: u8 = 8;

fn strength(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Or(..) => OR,
        ExprKind::And(..) => AND,
        ExprKind::Not(_) => NOT,
        ExprKind::Compare(..) | ExprKind::In(..) | ExprKind::Matches(..) => CMP,
        ExprKind::IsPresent(..) => CMP,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => ADD,
        ExprKind::Arith(ArithOp::Mul | ArithOp::Div, ..) => MUL,
        ExprKind::Neg(_) => NEG,
        _ => ATOM,
    }
}

/// An expression on one line.
pub(crate) fn expr(src: &Source<'_>, e: &Expr) -> String {
    src.note_depth(depth(e), e.span);
    let mut out = String::new();
    write(src, e, 0, &mut out);
    out
}

/// How deeply `e` nests, counted without recursion (hostile input can chain
/// thousands of operators).
pub(crate) fn depth(e: &Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        match &e.kind {
            ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::Paren(x) => stack.push((x, d + 1)),
            ExprKind::Matches(x, _) | ExprKind::IsPresent(x, _) => stack.push((x, d + 1)),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            ExprKind::In(a, items) => {
                stack.push((a, d + 1));
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            ExprKind::Call(_, arg) => match arg.as_ref() {
                CallArg::Expr(x) => stack.push((x, d + 1)),
                CallArg::Groups(_, x) => stack.push((x, d + 1)),
                CallArg::Many(xs) => stack.extend(xs.iter().map(|x| (x, d + 1))),
                _ => {}
            },
            _ => {}
        }
    }
    max
}

/// A binary operator: its symbol, operands, and the strength each operand
/// slot needs (left-associative: the right slot needs more).
fn binary(e: &Expr) -> Option<(&'static str, &Expr, &Expr, u8, u8)> {
    Some(match &e.kind {
        ExprKind::Or(a, b) => ("or", a, b, OR, AND),
        ExprKind::And(a, b) => ("and", a, b, AND, NOT),
        ExprKind::Arith(op @ (ArithOp::Add | ArithOp::Sub), a, b) => (op.symbol(), a, b, ADD, MUL),
        ExprKind::Arith(op, a, b) => (op.symbol(), a, b, MUL, NEG),
        ExprKind::Compare(op, a, b) => (op.symbol(), a, b, ADD, ADD),
        _ => return None,
    })
}

/// Write `e` into `out` for a slot that needs at least strength `min`.
/// Chains (`a + b + c`, `not not x`) are walked in loops, not by recursion.
fn write(src: &Source<'_>, e: &Expr, min: u8, out: &mut String) {
    let paren = strength(e) < min;
    if paren {
        out.push('(');
    }
    if let Some((sym, left, right, left_min, right_min)) = binary(e) {
        // Walk down the left spine while it continues the same chain.
        let level = strength(e);
        let mut rights = vec![(sym, right, right_min)];
        let mut cur = left;
        while let Some((sym, l, r, _, rmin)) = binary(cur) {
            if strength(cur) != level || level == CMP {
                break;
            }
            rights.push((sym, r, rmin));
            cur = l;
        }
        write(src, cur, left_min, out);
        for (sym, r, rmin) in rights.into_iter().rev() {
            out.push(' ');
            out.push_str(sym);
            out.push(' ');
            write(src, r, rmin, out);
        }
    } else {
        atom(src, e, out);
    }
    if paren {
        out.push(')');
    }
}

/// Everything but binary operators.
fn atom(src: &Source<'_>, e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Lit(l) => out.push_str(&literal(src, l)),
        ExprKind::Name(n) => out.push_str(&n.name),
        ExprKind::FieldPath(a, b) => {
            out.push_str(&a.name);
            out.push('.');
            out.push_str(&b.name);
        }
        ExprKind::Stage => out.push_str("stage"),
        ExprKind::Clicked(t) => {
            out.push_str("clicked ");
            out.push_str(&string(src, t));
        }
        ExprKind::Opened(t) => {
            out.push_str("opened ");
            out.push_str(&string(src, t));
        }
        ExprKind::Neg(x) => {
            out.push('-');
            write(src, x, ATOM, out);
        }
        ExprKind::Not(x) => {
            out.push_str("not ");
            let mut cur = x.as_ref();
            while let ExprKind::Not(inner) = &cur.kind {
                out.push_str("not ");
                cur = inner;
            }
            write(src, cur, NOT, out);
        }
        ExprKind::In(a, items) => {
            write(src, a, ADD, out);
            out.push_str(" in (");
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write(src, item, ADD, out);
            }
            out.push(')');
        }
        ExprKind::Matches(a, re) => {
            write(src, a, ADD, out);
            out.push_str(" matches ");
            out.push_str(&string(src, re));
        }
        ExprKind::IsPresent(a, present) => {
            write(src, a, ADD, out);
            out.push_str(if *present {
                " is present"
            } else {
                " is missing"
            });
        }
        ExprKind::Call(f, arg) => {
            out.push_str(&f.name);
            out.push('(');
            match arg.as_ref() {
                CallArg::Entered(x) => out.push_str(&format!("entered {}", x.name)),
                CallArg::Reached(x) => out.push_str(&format!("reached {}", x.name)),
                CallArg::Breached(a, b) => {
                    out.push_str(&format!("breached {} -> {}", a.name, b.name));
                }
                CallArg::Days(a, b, _) => out.push_str(&format!("days({} -> {})", a.name, b.name)),
                CallArg::In(x, edge, _) => {
                    out.push_str(&format!("in {} at period {}", x.name, edge.word()));
                }
                CallArg::Groups(keys, cond) => {
                    out.push_str("by ");
                    let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
                    out.push_str(&names.join(", "));
                    out.push_str(" where ");
                    write(src, cond, 0, out);
                }
                CallArg::Expr(x) => write(src, x, 0, out),
                CallArg::Many(xs) => {
                    for (k, x) in xs.iter().enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        write(src, x, 0, out);
                    }
                }
            }
            out.push(')');
        }
        ExprKind::Paren(x) => {
            out.push('(');
            write(src, x, 0, out);
            out.push(')');
        }
        // Binary operators are written by `write`.
        ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Arith(..) | ExprKind::Compare(..) => {
            write(src, e, 0, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn name(n: &str) -> Expr {
        Expr {
            kind: ExprKind::Name(Ident {
                name: n.to_string(),
                span: Span::default(),
            }),
            span: Span::default(),
        }
    }

    fn bin(kind: fn(Box<Expr>, Box<Expr>) -> ExprKind, a: Expr, b: Expr) -> Expr {
        Expr {
            kind: kind(Box::new(a), Box::new(b)),
            span: Span::default(),
        }
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        let src = Source::new("");
        // (a or b) and c: the left operand of `and` is weaker.
        let e = bin(
            ExprKind::And,
            bin(ExprKind::Or, name("a"), name("b")),
            name("c"),
        );
        assert_eq!(expr(&src, &e), "(a or b) and c");
        // a or b and c needs none.
        let e = bin(
            ExprKind::Or,
            name("a"),
            bin(ExprKind::And, name("b"), name("c")),
        );
        assert_eq!(expr(&src, &e), "a or b and c");
        // a - (b - c): the right operand of `-` must bind tighter.
        let sub = |a, b| ExprKind::Arith(ArithOp::Sub, a, b);
        let e = bin(sub, name("a"), bin(sub, name("b"), name("c")));
        assert_eq!(expr(&src, &e), "a - (b - c)");
        let e = bin(sub, bin(sub, name("a"), name("b")), name("c"));
        assert_eq!(expr(&src, &e), "a - b - c");
    }

    #[test]
    fn strings_escape_only_what_needs_it() {
        let src = Source::new("");
        let lit = |v: &str| StrLit {
            value: v.to_string(),
            span: Span::default(),
        };
        let cases = [
            ("(?i)\\bvp\\b", "\"(?i)\\bvp\\b\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""),
            ("a\nb\tc", "\"a\\nb\\tc\""),
            ("\\n literally", "\"\\\\n literally\""),
            ("ends with \\", "\"ends with \\\\\""),
            ("\\\"", "\"\\\\\\\"\""),
            ("\\\\d", "\"\\\\\\d\""),
        ];
        for (value, written) in cases {
            assert_eq!(string(&src, &lit(value)), written, "{value:?}");
            // And the parser reads it back as the same value.
            let book = crate::parse(&format!("playbook {written}")).unwrap();
            match &book.decls[0] {
                Decl::Playbook(s, _) => assert_eq!(s.value, value),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn datetimes_are_padded_and_offsets_spelled() {
        let d = DateTimeLit {
            year: 2026,
            month: 3,
            day: 2,
            time: Some((9, 5, 0)),
            offset: Some(-(5 * 3600 + 30 * 60)),
            span: Span::default(),
        };
        assert_eq!(datetime(&d), "2026-03-02 09:05-05:30");
        let d = DateTimeLit {
            time: Some((9, 5, 7)),
            offset: Some(0),
            ..d
        };
        assert_eq!(datetime(&d), "2026-03-02 09:05:07Z");
        let d = DateTimeLit {
            time: None,
            offset: None,
            ..d
        };
        assert_eq!(datetime(&d), "2026-03-02");
    }
}
