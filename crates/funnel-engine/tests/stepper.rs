//! Driving a replay event by event with a `Stepper` gives exactly what
//! `run` gives over the same data: the simulator relies on it.

use funnel_engine::{compile, BadRows, Dataset, Format, RunOptions, Stepper};

#[test]
fn stepping_the_shipped_sample_matches_a_plain_run() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let source = std::fs::read_to_string(format!("{root}/playbooks/saas_inbound.funnel")).unwrap();
    let program = funnel_check::check_source(&source).program.unwrap();
    let c = compile(&program, &source).unwrap();
    let leads = std::fs::read(format!("{root}/examples/data/leads.csv")).unwrap();
    let events = std::fs::read(format!("{root}/examples/data/events.csv")).unwrap();
    let mut ds = Dataset::new(&c);
    ds.read_leads(&c, &leads[..], "leads.csv", Format::Csv, BadRows::Error)
        .unwrap();
    ds.read_events(&c, &events[..], "events.csv", Format::Csv, BadRows::Error)
        .unwrap();
    assert!(ds.events.recs.len() > 1000);

    let opts = RunOptions::default();
    let plain = funnel_engine::run(&c, &ds, &opts, &mut |_, _| {});

    let mut s = Stepper::new(&c, &ds, &opts);
    for r in &ds.events.recs {
        // Timers strictly before the event fire first; at the same instant
        // the event comes first.
        while s.next_timer().is_some_and(|t| t < r.at) {
            s.fire_next_timer();
        }
        let n = c.events[r.event as usize].fields.len();
        let fields = &ds.events.values[r.off as usize..r.off as usize + n];
        s.deliver(r.lead, r.event, r.at, fields);
    }
    let as_of = plain.as_of.unwrap();
    let stepped = s.finish(as_of);

    assert!(!plain.transitions.is_empty() && !plain.actions.is_empty());
    assert_eq!(stepped.events_replayed, plain.events_replayed);
    assert_eq!(stepped.timers_fired, plain.timers_fired);
    assert_eq!(stepped.stage, plain.stage);
    assert_eq!(stepped.scores, plain.scores);
    assert_eq!(stepped.transitions, plain.transitions);
    assert_eq!(stepped.actions, plain.actions);
    assert_eq!(stepped.breaches, plain.breaches);
    assert_eq!(format!("{:?}", stepped.kpis), format!("{:?}", plain.kpis));
}
