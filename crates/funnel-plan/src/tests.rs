//! Unit tests of the plan diff and the same-data check, on small playbooks
//! whose differences are worked out by hand.

use super::*;
use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::{Dataset, RunOptions};

fn compiled(text: &str) -> Compiled {
    let checked = funnel_check::check_source(text);
    let program = checked
        .program
        .unwrap_or_else(|| panic!("does not check: {:?}", checked.diagnostics));
    funnel_engine::compile(&program, text)
}

fn load(c: &Compiled, leads: &str, events: &str, policy: BadRows) -> Dataset {
    let mut ds = Dataset::new(c);
    ds.read_leads(c, leads.as_bytes(), "leads.csv", Format::Csv, policy)
        .unwrap_or_else(|e| panic!("{e}"));
    ds.read_events(c, events.as_bytes(), "events.csv", Format::Csv, policy)
        .unwrap_or_else(|e| panic!("{e}"));
    ds
}

fn run(c: &Compiled, ds: &Dataset) -> Outcome {
    let opts = RunOptions {
        coverage: false,
        as_of: None,
        trace: None,
        inputs: Vec::new(),
    };
    funnel_engine::run(c, ds, &opts, &mut |_, _| {})
}

/// `THRESHOLD` is the MQL threshold; the nurture sends on entering MQL.
const PLAYBOOK: &str = r#"playbook "t"
lead {
  email text
}
event download
event demo_request
event unsubscribe
funnel {
  Lead on download
  MQL
  SQL on demo_request
  lost Gone on unsubscribe
}
score engagement {
  +10 on download
  MQL at THRESHOLD
}
nurture follow_up {
  enroll when stage == MQL
  send "mql-welcome"
}
kpi mqls = count(entered MQL)
kpi mql_rate = count(reached MQL) / count(reached Lead)
target mql_rate >= 50%
"#;

const LEADS: &str = "id,email\na,a@x.io\nb,b@x.io\nc,c@x.io\nd,d@x.io\n";

// a: four downloads (40) in March; b: five (50) in March; c: two (20) then
// unsubscribes; d: four downloads (40) ending in April.
const EVENTS: &str = "lead,event,at
a,download,2026-03-02 09:00
a,download,2026-03-03 09:00
a,download,2026-03-04 09:00
a,download,2026-03-05 09:00
b,download,2026-03-02 10:00
b,download,2026-03-03 10:00
b,download,2026-03-04 10:00
b,download,2026-03-05 10:00
b,download,2026-03-06 10:00
c,download,2026-03-02 11:00
c,download,2026-03-03 11:00
c,unsubscribe,2026-03-04 11:00
d,download,2026-03-29 12:00
d,download,2026-03-30 12:00
d,download,2026-03-31 12:00
d,download,2026-04-01 12:00
";

/// (id, from, to, direction, change instant).
type ChangeRow<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Direction,
    Option<i64>,
);

fn plan_for(old: &str, new: &str) -> Plan {
    let (co, cn) = (compiled(old), compiled(new));
    let (dso, dsn) = (
        load(&co, LEADS, EVENTS, BadRows::Error),
        load(&cn, LEADS, EVENTS, BadRows::Error),
    );
    let (oo, on) = (run(&co, &dso), run(&cn, &dsn));
    same_data(
        DataSide {
            label: "old",
            c: &co,
            ds: &dso,
        },
        DataSide {
            label: "new",
            c: &cn,
            ds: &dsn,
        },
    )
    .unwrap_or_else(|m| panic!("{}", m.message));
    diff(
        Side {
            c: &co,
            o: &oo,
            texts: &dso.texts,
        },
        Side {
            c: &cn,
            o: &on,
            texts: &dsn.texts,
        },
        &dso.leads.ids,
    )
}

#[test]
fn lowering_the_threshold_moves_a_and_d_to_mql() {
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let new = PLAYBOOK.replace("THRESHOLD", "40");
    let p = plan_for(&old, &new);
    assert!(p.has_changes());
    // a reaches 40 at its fourth download (03-05 09:00), d at 04-01 12:00;
    // b is MQL under both, a day earlier under the new (40 at 03-05 10:00
    // instead of 50 at 03-06 10:00); c is lost under both.
    let changed: Vec<ChangeRow<'_>> = p
        .changed
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.from.as_deref(),
                c.to.as_deref(),
                c.direction,
                c.at,
            )
        })
        .collect();
    assert_eq!(
        changed,
        vec![
            (
                "a",
                Some("Lead"),
                Some("MQL"),
                Direction::Forward,
                Some(1_772_701_200) // 2026-03-05 09:00 UTC
            ),
            (
                "d",
                Some("Lead"),
                Some("MQL"),
                Direction::Forward,
                Some(1_775_044_800) // 2026-04-01 12:00 UTC
            ),
        ]
    );
    assert_eq!(p.counts.forward, 2);
    assert_eq!(p.counts.total(), 2);
    assert_eq!(p.retimed, vec!["b".to_string()]);
    assert_eq!(
        p.moves,
        vec![Move {
            from: Some("Lead".into()),
            to: Some("MQL".into()),
            direction: Direction::Forward,
            leads: 2
        }]
    );
    let periods: Vec<(&str, usize)> = p
        .periods
        .iter()
        .map(|x| (x.period.as_str(), x.counts.forward))
        .collect();
    assert_eq!(periods, vec![("2026-03", 1), ("2026-04", 1)]);
    // MQL entries: March b (before), a and b (after); April d (after).
    let mql: Vec<(&str, usize, usize)> = p
        .entries
        .iter()
        .filter(|e| e.stage == "MQL")
        .map(|e| (e.period.as_str(), e.before, e.after))
        .collect();
    assert_eq!(mql, vec![("2026-03", 1, 2), ("2026-04", 0, 1)]);
    // Lead entries: a, b, c, d in March under both; Gone: c.
    let lead: Vec<(&str, usize, usize)> = p
        .entries
        .iter()
        .filter(|e| e.stage != "MQL")
        .map(|e| (e.stage.as_str(), e.before, e.after))
        .collect();
    assert_eq!(lead, vec![("Lead", 4, 4), ("Gone", 1, 1)]);
    // Two sends of mql-welcome appear (a in week 10, d in week 14); b's
    // moves from 03-06 to 03-05, in the same week.
    assert_eq!(
        p.actions,
        vec![ActionChange {
            kind: "send".into(),
            what: "mql-welcome".into(),
            before: 1,
            after: 3,
            added: 2,
            removed: 0,
            moved: 1
        }]
    );
    assert_eq!(p.sends(), (2, 0));
    let weeks: Vec<(&str, usize, usize)> = p
        .sends_by_week
        .iter()
        .map(|w| (w.week.as_str(), w.before, w.after))
        .collect();
    assert_eq!(weeks, vec![("2026-W10", 1, 2), ("2026-W14", 0, 1)]);
    // mqls 1 -> 3 (+200%); mql_rate 1/4 -> 3/4, target flips missed -> met.
    let mqls = &p.kpis[0];
    assert_eq!(mqls.name, "mqls");
    assert_eq!(mqls.change, Some(Decimal::from(2)));
    assert_eq!(mqls.relative, Some(Decimal::from(2)));
    let rate = &p.kpis[1];
    assert_eq!(
        rate.before.as_ref().and_then(|v| v.value),
        "0.25".parse().ok()
    );
    assert_eq!(
        rate.after.as_ref().and_then(|v| v.value),
        "0.75".parse().ok()
    );
    assert_eq!(rate.change, "0.5".parse().ok());
    assert_eq!(p.targets.len(), 1);
    assert_eq!(
        p.targets[0].before.as_ref().map(|t| t.1),
        Some(TargetStatus::Missed)
    );
    assert_eq!(
        p.targets[0].after.as_ref().map(|t| (t.0.as_str(), t.1)),
        Some((">= 50%", TargetStatus::Met))
    );
}

#[test]
fn the_same_playbook_has_no_changes() {
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let p = plan_for(&old, &old);
    assert!(!p.has_changes());
    assert!(p.changed.is_empty() && p.targets.is_empty() && p.sends_by_week.is_empty());
    assert_eq!(p.leads, 4);
}

#[test]
fn a_renamed_stage_is_kept_on_both_sides() {
    let old = PLAYBOOK.replace("THRESHOLD", "40");
    let new = old
        .replace("  MQL\n", "  Qualified\n")
        .replace("MQL at", "Qualified at")
        .replace("stage == MQL", "stage == Qualified")
        .replace("entered MQL", "entered Qualified")
        .replace("reached MQL", "reached Qualified");
    let p = plan_for(&old, &new);
    let names: Vec<(&str, bool, bool)> = p
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.in_old, s.in_new))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Lead", true, true),
            ("Qualified", false, true),
            ("SQL", true, true),
            ("Gone", true, true),
            ("MQL", true, false),
        ]
    );
    // a, b, d: MQL -> Qualified, ordered by neither funnel against the other.
    assert_eq!(p.counts.other, 3);
    assert!(p
        .changed
        .iter()
        .all(|c| c.to.as_deref() == Some("Qualified")));
}

#[test]
fn directions_follow_the_new_funnel() {
    let c = compiled(&PLAYBOOK.replace("THRESHOLD", "50"));
    assert_eq!(
        direction(&c, &c, Some("Lead"), Some("SQL")),
        Direction::Forward
    );
    assert_eq!(direction(&c, &c, Some("SQL"), Some("MQL")), Direction::Back);
    assert_eq!(direction(&c, &c, None, Some("Lead")), Direction::Forward);
    assert_eq!(direction(&c, &c, Some("Lead"), None), Direction::Back);
    assert_eq!(
        direction(&c, &c, Some("MQL"), Some("Gone")),
        Direction::ToLost
    );
    assert_eq!(
        direction(&c, &c, Some("Gone"), Some("Lead")),
        Direction::FromLost
    );
}

#[test]
fn divergence_is_the_first_instant_the_stages_differ() {
    let s = |n: &str| Some(n.to_string());
    let a = vec![(10, s("Lead")), (30, s("SQL"))];
    let b = vec![(10, s("Lead")), (20, s("MQL")), (30, s("SQL"))];
    assert_eq!(divergence(&a, &b), Some(20));
    assert_eq!(divergence(&a, &a), None);
    assert_eq!(divergence(&[], &b), Some(10));
    assert_eq!(divergence(&a, &[]), Some(10));
}

#[test]
fn an_event_only_the_new_playbook_uses_must_be_in_the_data() {
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let new = old
        .replace("event unsubscribe", "event unsubscribe\nevent webinar")
        .replace("+10 on download", "+10 on download\n  +20 on webinar");
    let (co, cn) = (compiled(&old), compiled(&new));
    let dso = load(&co, LEADS, EVENTS, BadRows::Error);
    let dsn = load(&cn, LEADS, EVENTS, BadRows::Error);
    let side = |label, c, ds| DataSide { label, c, ds };
    let err = same_data(side("old.funnel", &co, &dso), side("new.funnel", &cn, &dsn));
    let err = err.err().map(|m| m.message);
    assert_eq!(
        err.as_deref(),
        Some(
            "`new.funnel` declares event `webinar`, which `old.funnel` does not declare \
             and `events.csv` does not contain"
        )
    );
    // Declared but read by no rule: an unused column, allowed.
    let unused = old.replace("event unsubscribe", "event unsubscribe\nevent webinar");
    let cu = compiled(&unused);
    let dsu = load(&cu, LEADS, EVENTS, BadRows::Error);
    assert!(same_data(side("old.funnel", &co, &dso), side("new.funnel", &cu, &dsu)).is_ok());
}

#[test]
fn a_lead_field_only_one_side_reads_must_have_values() {
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let new = old
        .replace("email text", "email text\n  region text?")
        .replace("MQL at 50", "MQL at 50\n  +5 when region == \"eu\"");
    let (co, cn) = (compiled(&old), compiled(&new));
    let dso = load(&co, LEADS, EVENTS, BadRows::Error);
    let dsn = load(&cn, LEADS, EVENTS, BadRows::Error);
    let side = |label, c, ds| DataSide { label, c, ds };
    let err = same_data(side("old.funnel", &co, &dso), side("new.funnel", &cn, &dsn));
    assert_eq!(
        err.err().map(|m| m.message).as_deref(),
        Some(
            "`new.funnel` declares lead field `region`, which `old.funnel` does not declare \
             and `leads.csv` has no values for"
        )
    );
}

#[test]
fn rows_one_side_skips_are_reported() {
    // The new playbook does not know `unsubscribe`; with skip it drops c's row.
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let new = old
        .replace("event unsubscribe\n", "")
        .replace("  lost Gone on unsubscribe\n", "");
    let (co, cn) = (compiled(&old), compiled(&new));
    let dso = load(&co, LEADS, EVENTS, BadRows::Skip);
    let dsn = load(&cn, LEADS, EVENTS, BadRows::Skip);
    let side = |label, c, ds| DataSide { label, c, ds };
    let err = same_data(side("old.funnel", &co, &dso), side("new.funnel", &cn, &dsn))
        .err()
        .unwrap_or_else(|| panic!("the data should differ"));
    assert_eq!(
        err.message,
        "`old.funnel` and `new.funnel` read different data: `old.funnel` accepts event \
         `unsubscribe` of lead `c` at 2026-03-04 11:00 in `events.csv` and `new.funnel` does not"
    );
    assert!(err
        .help
        .contains("`new.funnel` rejected 1 row(s) of `events.csv`"));
}

#[test]
fn an_event_field_only_one_side_reads_must_have_values() {
    let old = PLAYBOOK.replace("THRESHOLD", "50");
    let new = old
        .replace("event download\n", "event download { asset: text? }\n")
        .replace(
            "+10 on download\n",
            "+10 on download\n  +5 on download where asset == \"pricing\"\n",
        );
    let (co, cn) = (compiled(&old), compiled(&new));
    let dso = load(&co, LEADS, EVENTS, BadRows::Error);
    let dsn = load(&cn, LEADS, EVENTS, BadRows::Error);
    let side = |label, c, ds| DataSide { label, c, ds };
    let err = same_data(side("old.funnel", &co, &dso), side("new.funnel", &cn, &dsn));
    assert_eq!(
        err.err().map(|m| m.message).as_deref(),
        Some(
            "`new.funnel` declares field `asset` of event `download`, which `old.funnel` \
             does not declare and `events.csv` has no values for"
        )
    );
}
