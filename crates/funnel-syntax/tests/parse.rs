//! Parsing facts a playbook author relies on: strings and regexes read as
//! written, durations and windows, and the design's full example parses.

use funnel_syntax::ast::*;
use funnel_syntax::parse;

fn score_rules(src: &str) -> Vec<PointsRule> {
    let pb = match parse(src) {
        Ok(pb) => pb,
        Err(d) => unreachable!("parse failed: {d:?}"),
    };
    pb.decls
        .into_iter()
        .filter_map(|d| match d {
            Decl::Score(s) => Some(s.items),
            _ => None,
        })
        .flatten()
        .filter_map(|i| match i {
            ScoreItem::Rule(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn backslashes_in_regexes_are_kept_and_quotes_unescape() {
    let rules = score_rules(
        "score fit {\n  +20 when title matches \"(?i)\\b(vp|head)\\b\"\n  +1 when email == \"a\\\"b\\\\c\"\n}\n",
    );
    let ExprKind::Matches(_, re) = &match &rules[0].trigger {
        Trigger::When(e) => e.clone(),
        other => unreachable!("{other:?}"),
    }
    .kind
    else {
        unreachable!()
    };
    assert_eq!(re.value, r"(?i)\b(vp|head)\b");
    let Trigger::When(e) = &rules[1].trigger else {
        unreachable!()
    };
    let ExprKind::Compare(_, _, rhs) = &e.kind else {
        unreachable!()
    };
    assert_eq!(
        rhs.kind,
        ExprKind::Lit(Literal::Str(StrLit {
            value: "a\"b\\c".into(),
            span: rhs.span
        }))
    );
}

#[test]
fn windows_and_modifiers_lower_with_their_units() {
    let rules = score_rules(
        "score e {\n  +2 on open max 10 per 30 days\n  +5 on click max 3 per day\n  +20 on pricing once per 2 weeks\n  +30 on demo once\n}\n",
    );
    let mods: Vec<String> = rules
        .iter()
        .map(|r| match &r.modifiers[..] {
            [Modifier::MaxPer(n, d, _)] => {
                format!("max {} per {} {:?}", n.value, d.amount.value, d.unit)
            }
            [Modifier::OncePer(d, _)] => format!("once per {} {:?}", d.amount.value, d.unit),
            [Modifier::Once(_)] => "once".to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        mods,
        [
            "max 10 per 30 Day",
            "max 3 per 1 Day",
            "once per 2 Week",
            "once"
        ]
    );
    assert_eq!(rules[0].points.value, 2.0);
}

#[test]
fn negative_points_and_thousands_separators() {
    let rules = score_rules("score e {\n  -1,500 on x\n}\n");
    assert_eq!(rules[0].points.value, -1500.0);
    assert_eq!(rules[0].points.text, "-1500");
}

#[test]
fn syntax_error_points_at_the_offending_word_and_says_what_was_expected() {
    let src = "funnel {\n  Lead on any event\n  sla Lead -> MQL within 2 buisness days\n}\n";
    let Err(d) = parse(src) else {
        unreachable!("must fail")
    };
    assert_eq!(d.code, "funnel::syntax::unexpected");
    assert_eq!(d.message, "unexpected `buisness`");
    let span = d.primary_span();
    assert_eq!(&src[span.range()], "buisness");
    let help = d.help.unwrap_or_default();
    assert!(
        help.contains("`business`") && help.contains("`days`"),
        "{help}"
    );
}

#[test]
fn max_is_a_function_name_and_a_rule_limit() {
    let src = "kpi biggest = max(deal_won.amount)\nscore e {\n  +2 on open where flag == yes max 10 per 30 days\n}\n";
    let pb = match parse(src) {
        Ok(pb) => pb,
        Err(d) => unreachable!("{d:?}"),
    };
    let Decl::Kpi(k) = &pb.decls[0] else {
        unreachable!()
    };
    let ExprKind::Call(f, _) = &k.expr.kind else {
        unreachable!("{:?}", k.expr.kind)
    };
    assert_eq!(f.name, "max");
    let rules = score_rules(src);
    assert!(matches!(rules[0].modifiers[..], [Modifier::MaxPer(..)]));
}

#[test]
fn spans_stop_before_trailing_spaces_and_comments() {
    let src = "input spend: money   # quarterly budget\n";
    let pb = match parse(src) {
        Ok(pb) => pb,
        Err(d) => unreachable!("{d:?}"),
    };
    let Decl::Input(i) = &pb.decls[0] else {
        unreachable!()
    };
    assert_eq!(&src[i.ty.span.range()], "money");
    assert_eq!(&src[i.span.range()], "input spend: money");
}

#[test]
fn a_huge_expression_chain_is_refused_not_a_stack_overflow() {
    let terms: Vec<String> = (0..5_000).map(|i| format!("k{i}")).collect();
    let src = format!("kpi total = {}\n", terms.join(" + "));
    let Err(d) = parse(&src) else {
        unreachable!("must be refused")
    };
    assert_eq!(d.code, "funnel::syntax::too_long");
    let fine: Vec<String> = (0..900).map(|i| format!("k{i}")).collect();
    assert!(parse(&format!("kpi total = {}\n", fine.join(" + "))).is_ok());
}
