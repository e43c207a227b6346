//! Driving a replay event by event with a `Stepper` gives exactly what
//! `run` gives over the same data: the simulator relies on it.

use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::data::EventRec;
use funnel_engine::{compile, Compiled, Dataset, RunOptions, Stepper};

/// Deliver the recorded event `r`, after the timers due strictly before it
/// (at the same instant the event comes first).
fn deliver(s: &mut Stepper<'_>, c: &Compiled, ds: &Dataset, r: &EventRec) {
    while s.next_timer().is_some_and(|t| t < r.at) {
        s.fire_next_timer();
    }
    let n = c.events[r.event as usize].fields.len();
    let fields = &ds.events.values[r.off as usize..r.off as usize + n];
    s.deliver(r.lead, r.event, r.at, fields);
}

/// playbooks/saas_inbound.funnel and the shipped sample data.
#[allow(clippy::unwrap_used)]
fn shipped_sample() -> (Compiled, Dataset) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let source = std::fs::read_to_string(format!("{root}/playbooks/saas_inbound.funnel")).unwrap();
    let program = funnel_check::check_source(&source).program.unwrap();
    let c = compile(&program, &source);
    let leads = std::fs::read(format!("{root}/examples/data/leads.csv")).unwrap();
    let events = std::fs::read(format!("{root}/examples/data/events.csv")).unwrap();
    let mut ds = Dataset::new(&c);
    ds.read_leads(&c, &leads[..], "leads.csv", Format::Csv, BadRows::Error)
        .unwrap();
    ds.read_events(&c, &events[..], "events.csv", Format::Csv, BadRows::Error)
        .unwrap();
    (c, ds)
}

#[test]
fn stepping_the_shipped_sample_matches_a_plain_run() {
    let (c, ds) = shipped_sample();
    assert!(ds.events.recs.len() > 1000);

    let opts = RunOptions::default();
    let plain = funnel_engine::run(&c, &ds, &opts, &mut |_, _| {});

    let mut s = Stepper::new(&c, &ds, &opts);
    for r in &ds.events.recs {
        deliver(&mut s, &c, &ds, r);
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

#[test]
fn stepping_lead_by_lead_matches_a_plain_run() {
    let (c, ds) = shipped_sample();
    let opts = RunOptions::default();
    let plain = funnel_engine::run(&c, &ds, &opts, &mut |_, _| {});
    let as_of = plain.as_of.unwrap();

    // Each lead's events, in time order, lead after lead.
    let mut order: Vec<usize> = (0..ds.events.recs.len()).collect();
    order.sort_by_key(|&i| ds.events.recs[i].lead);
    let mut s = Stepper::lead_by_lead(&c, &ds, &opts);
    let mut current = None;
    for i in order {
        let r = &ds.events.recs[i];
        if current != Some(r.lead) {
            s.end_lead(as_of);
            s.begin_lead(r.lead);
            current = Some(r.lead);
        }
        deliver(&mut s, &c, &ds, r);
    }
    let stepped = s.finish(as_of);

    assert!(plain.transitions.len() > 100 && plain.actions.len() > 100);
    assert_eq!(stepped.events_replayed, plain.events_replayed);
    assert_eq!(stepped.timers_fired, plain.timers_fired);
    assert_eq!(stepped.stage, plain.stage);
    assert_eq!(stepped.scores, plain.scores);
    assert_eq!(stepped.entered, plain.entered);
    assert_eq!(stepped.vals, plain.vals);
    assert_eq!(stepped.transitions, plain.transitions);
    assert_eq!(stepped.actions, plain.actions);
    assert_eq!(stepped.breaches, plain.breaches);
    assert_eq!(format!("{:?}", stepped.kpis), format!("{:?}", plain.kpis));
}
