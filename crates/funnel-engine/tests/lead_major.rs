//! The lead-major replay behind `run` (leads split between threads, each
//! lead's events and timers replayed alone) gives exactly what the plain,
//! time-ordered replay gives, on any number of threads: the same records in
//! the same order, the same final state and byte-identical output files.
//! The plain replay is driven here through a [`Stepper`], which replays
//! every lead's events and timers in one time order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use funnel_data::output;
use funnel_data::sample::{write_sample, SampleFormat, SampleOptions};
use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::{Compiled, Dataset, Outcome, RunOptions, Stepper};

fn setup(text: &str, leads: usize) -> (Compiled, Dataset, RunOptions) {
    let program = funnel_check::check_source(text).program.expect("checks");
    let c = funnel_engine::compile(&program, text);
    let opts = SampleOptions {
        leads,
        seed: 3,
        start: funnel_data::decode::parse_instant("2026-01-05", c.tz).unwrap(),
        days: 177,
    };
    let (mut l, mut e) = (Vec::new(), Vec::new());
    write_sample(&c, &opts, SampleFormat::Csv, &mut l, &mut e).unwrap();
    let mut ds = Dataset::new(&c);
    let bad = BadRows::Error;
    ds.read_leads(&c, &l[..], "leads.csv", Format::Csv, bad)
        .unwrap();
    ds.read_events(&c, &e[..], "events.csv", Format::Csv, bad)
        .unwrap();
    let given = ["marketing_spend=250000".to_string()];
    let given: Vec<String> = given
        .into_iter()
        .filter(|g| c.inputs.iter().any(|i| g.starts_with(&i.name)))
        .collect();
    let inputs = funnel_data::inputs::resolve(&c, &given, &mut ds.texts).unwrap();
    let run = RunOptions {
        inputs,
        ..RunOptions::default()
    };
    (c, ds, run)
}

fn files(c: &Compiled, ds: &Dataset, o: &Outcome) -> [String; 4] {
    [
        output::leads_csv(c, ds, o),
        output::transitions_csv(c, ds, o),
        output::actions_jsonl(c, ds, o),
        output::kpis_json(c, o),
    ]
}

/// The plain replay: every lead's events and timers in one time order
/// (at the same instant the event comes first).
fn plain(c: &Compiled, ds: &Dataset, opts: &RunOptions) -> Outcome {
    let as_of = ds.events.recs.last().map(|r| r.at).unwrap();
    let mut s = Stepper::new(c, ds, opts);
    for r in &ds.events.recs {
        while s.next_timer().is_some_and(|t| t < r.at) {
            s.fire_next_timer();
        }
        let n = c.events[r.event as usize].fields.len();
        let fields = &ds.events.values[r.off as usize..r.off as usize + n];
        s.deliver(r.lead, r.event, r.at, fields);
    }
    s.finish(as_of)
}

#[test]
fn lead_major_runs_on_any_threads_equal_the_plain_replay() {
    for text in [
        include_str!("../../../playbooks/saas_inbound.funnel"),
        include_str!("../../../playbooks/webinar_nurture.funnel"),
        include_str!("../../../playbooks/enterprise_outbound.funnel"),
    ] {
        let (c, ds, opts) = setup(text, 1_500);
        let want = plain(&c, &ds, &opts);
        assert!(want.transitions.len() > 1_000 && !want.actions.is_empty());
        // Records of different leads at the same instant, so the order
        // between leads is exercised.
        let ties = want
            .transitions
            .windows(2)
            .filter(|w| w[0].at == w[1].at && w[0].lead != w[1].lead)
            .count();
        assert!(ties > 0, "no ties between leads");
        let want_files = files(&c, &ds, &want);
        for threads in [1, 2, 3, 7] {
            let got = funnel_engine::run_threads(&c, &ds, &opts, threads, &mut |_, _| {});
            assert_eq!(got.transitions, want.transitions, "{threads} threads");
            assert_eq!(got.actions, want.actions, "{threads} threads");
            assert_eq!(got.breaches, want.breaches, "{threads} threads");
            assert_eq!(got.stage, want.stage);
            assert_eq!(got.scores, want.scores);
            assert_eq!(got.entered, want.entered);
            assert_eq!(got.vals, want.vals);
            assert_eq!(got.timers_fired, want.timers_fired);
            assert_eq!(files(&c, &ds, &got), want_files, "{threads} threads");
        }
    }
}
