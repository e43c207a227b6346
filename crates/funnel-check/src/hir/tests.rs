//! The typed program of small playbooks: names resolved by the checker's
//! rules, literals decoded once, and what a playbook reads.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::types::Ty;

fn hir(src: &str) -> Hir {
    let checked = crate::check_source(src);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    checked.program.unwrap().hir
}

const SRC: &str = r#"playbook "t"
calendar office {
  days mon..fri
  hours 09:00..17:00
}
lead {
  plan      one of basic | pro
  pro       text?
  tier      text?
  response  duration?
  company   text
}
input budget: money = 12345678901234567.89
input lag: duration = 1.5
event signup { source: text }
event demo
funnel {
  Lead  on signup where source == "ads"
  Fit   when plan == pro
  SQL   on demo
  lost Slow  when response > 1 business days
}
score activity {
  +10 on any event where tier == "pro"
  +5 when (SQL) <= stage
}
nurture n {
  enroll on signup
  set plan = pro
  notify sales "New {company}: {activity}"
}
kpi ads = count(signup) by source
"#;

#[test]
fn names_resolve_by_the_checkers_rules() {
    let h = hir(SRC);
    // `plan == pro`: the enumeration's value, not the lead field `pro`.
    let Some(Trigger::When(e)) = &h.stages[1].trigger else {
        panic!()
    };
    let ExprKind::Compare(CmpOp::Eq, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!(l.kind, ExprKind::LeadField(LeadFieldId(0)));
    assert_eq!(r.kind, ExprKind::EnumValue("pro".into()));
    assert_eq!(r.ty, Ty::Enum(vec!["basic".into(), "pro".into()]));
    assert_eq!(e.ty, Ty::Bool);
    // `(SQL) <= stage` is `stage >= SQL`.
    let Trigger::When(e) = &h.scores[0].rules[1].trigger else {
        panic!()
    };
    assert_eq!(
        e.kind,
        ExprKind::Stage {
            op: CmpOp::Ge,
            stage: StageId(2)
        }
    );
    // `on any event where C` keeps C, reading the lead field `tier`.
    let Trigger::OnAny(Some(f)) = &h.scores[0].rules[0].trigger else {
        panic!()
    };
    let ExprKind::Compare(_, l, _) = &f.kind else {
        panic!()
    };
    assert_eq!(l.kind, ExprKind::LeadField(LeadFieldId(2)));
    // `on signup where source == …`: the event's field.
    let Some(Trigger::On(list)) = &h.stages[0].trigger else {
        panic!()
    };
    let ExprKind::Compare(_, l, _) = &list[0].1.as_ref().unwrap().kind else {
        panic!()
    };
    assert_eq!(l.kind, ExprKind::EventField(EventFieldId(0)));
    assert_eq!(l.ty, Ty::Text);
    // `set plan = pro` sets the value too.
    let StepKind::Set { value, .. } = &h.nurtures[0].steps[0].kind else {
        panic!()
    };
    assert_eq!(value.kind, ExprKind::EnumValue("pro".into()));
    // Ranks: Lead 0, Fit 1, SQL 2, the lost Slow -1.
    let ranks: Vec<i32> = h.stages.iter().map(|s| s.rank).collect();
    assert_eq!(ranks, [0, 1, 2, -1]);
}

#[test]
fn literals_are_decoded_once_by_type() {
    let h = hir(SRC);
    // 1 business day = 8 open hours.
    let Some(Trigger::When(e)) = &h.stages[3].trigger else {
        panic!()
    };
    let ExprKind::Compare(_, _, r) = &e.kind else {
        panic!()
    };
    assert_eq!(
        r.kind,
        ExprKind::Lit(Lit::Duration(Dur {
            secs: 8 * 3_600,
            business: true
        }))
    );
    // A plain number is the exact amount for money, days for a duration.
    assert_eq!(
        h.inputs[0].default,
        Some(Lit::Money("12345678901234567.89".parse().unwrap()))
    );
    assert_eq!(
        h.inputs[1].default,
        Some(Lit::Duration(Dur {
            secs: 129_600,
            business: false
        }))
    );
}

#[test]
fn durations_round_to_the_nearest_second() {
    let d = lit::Decoder {
        tz: chrono_tz::Tz::UTC,
        daily_span: 28_800,
    };
    let dur = |src: &str| {
        let text = format!("playbook \"t\"\nlimit sends 1 per {src}\n");
        let ast = funnel_syntax::parse(&text).unwrap();
        let funnel_syntax::ast::Decl::Limit(l) = &ast.decls[1] else {
            panic!()
        };
        d.duration(&l.window)
    };
    // 0.0125 minutes = 0.75 s -> 1 s (no longer truncated to 0 anywhere).
    assert_eq!(dur("0.0125 minutes").secs, 1);
    assert_eq!(dur("0.5 business days").secs, 14_400);
    assert_eq!(dur("1 business weeks").secs, 5 * 28_800);
}

#[test]
fn reads_name_events_fields_and_writes() {
    let h = hir(SRC);
    let r = reads::Reads::of(&h);
    assert_eq!(r.events, [true, true]);
    // plan (Fit), tier (activity), response (Slow), company (notify) are read;
    // `pro` is not (the enumeration's value is meant); `set` writes plan.
    assert_eq!(r.lead, [true, false, true, true, true]);
    assert_eq!(r.written, [true, false, false, false, false]);
    // signup.source: the Lead filter and the KPI's `by source`.
    assert_eq!(r.event_fields, [vec![true], vec![]]);
    // Condition bits: Fit reads a lead field; the stage rule reads the stage.
    let Some(Trigger::When(e)) = &h.stages[1].trigger else {
        panic!()
    };
    assert_eq!(reads::deps(e), reads::DEP_LEAD);
    let Trigger::When(e) = &h.scores[0].rules[1].trigger else {
        panic!()
    };
    assert_eq!(reads::deps(e), reads::DEP_STAGE);
}
