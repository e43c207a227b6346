//! `funnel run --coverage`: which rules, stage triggers and steps never
//! acted on real data.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup is a failed test

mod common;

const PLAYBOOK: &str = "playbook \"cov\"
event signup
event demo_request
event referral
funnel {
  Lead  on signup
  SQL   on demo_request
}
score engagement {
  +10 on signup
  +30 on demo_request
  +5  on referral
  SQL at 100
}
";

#[test]
fn lists_what_never_acted_with_its_line() {
    let dir = common::scratch("run-cov");
    let pb = dir.join("cov.funnel");
    std::fs::write(&pb, PLAYBOOK).unwrap();
    let leads = dir.join("leads.csv");
    std::fs::write(&leads, "id\nl1\nl2\n").unwrap();
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "lead,event,at\nl1,signup,2026-03-02T09:00:00Z\nl2,signup,2026-03-02T10:00:00Z\n",
    )
    .unwrap();
    let (code, _, err) = common::funnel_in(
        &dir,
        &[
            "run",
            pb.to_str().unwrap(),
            "--leads",
            leads.to_str().unwrap(),
            "--events",
            events.to_str().unwrap(),
            "--coverage",
        ],
    );
    assert_eq!(code, 0);
    let p = pb.display();
    // Items: 2 stage triggers, 3 rules, 1 threshold; only `Lead on signup`
    // and `+10 on signup` acted (no demo, no referral, 10 points < 100).
    assert_eq!(
        err,
        format!(
            "coverage of {p}: 33.3% (2 of 6)\n\
             {p}:7: stage SQL on demo_request\n\
             {p}:11: rule +30 on demo_request\n\
             {p}:12: rule +5 on referral\n\
             {p}:13: threshold SQL at 100 (score engagement)\n"
        )
    );
}

#[test]
fn the_shipped_sample_exercises_every_item_of_saas_inbound() {
    let mut args = common::README_RUN.to_vec();
    args.push("--coverage");
    let (code, _, err) = common::funnel(&args);
    assert_eq!(code, 0);
    assert!(
        err.starts_with("coverage of playbooks/saas_inbound.funnel: 100.0% ("),
        "{err}"
    );
}
