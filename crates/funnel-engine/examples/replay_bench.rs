//! Time the phases of a run: `cargo run --release -p funnel-engine --example
//! replay_bench -- PLAYBOOK LEADS.csv EVENTS.csv [THREADS]`. Prints seconds
//! for reading leads, reading events, replaying and KPIs, and serialising the
//! output files, and events/second.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use funnel_engine::{BadRows, Dataset, Format, RunOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (playbook, leads, events, threads) = match &args[..] {
        [p, l, e] => (p, l, e, 1),
        [p, l, e, t] => (p, l, e, t.parse().expect("threads")),
        _ => {
            eprintln!("usage: replay_bench PLAYBOOK LEADS.csv EVENTS.csv [THREADS]");
            std::process::exit(2);
        }
    };
    let text = std::fs::read_to_string(playbook).expect("playbook");
    let program = funnel_check::check_source(&text).program.expect("checks");
    let c = funnel_engine::compile(&program, &text).expect("compiles");
    let mut ds = Dataset::new(&c);
    let t0 = Instant::now();
    let f = std::io::BufReader::new(std::fs::File::open(leads).expect("leads"));
    ds.read_leads(&c, f, leads, Format::Csv, BadRows::Error)
        .expect("leads read");
    let t1 = Instant::now();
    let f = std::io::BufReader::new(std::fs::File::open(events).expect("events"));
    ds.read_events(&c, f, events, Format::Csv, BadRows::Error)
        .expect("events read");
    let t2 = Instant::now();
    let inputs = funnel_engine::inputs::resolve(&c, &[], &mut ds.texts).expect("inputs");
    let opts = RunOptions {
        coverage: false,
        inputs,
        ..RunOptions::default()
    };
    let o = funnel_engine::run_threads(&c, &ds, &opts, threads, &mut |_, _| {});
    let t3 = Instant::now();
    let bytes = funnel_engine::output::leads_csv(&c, &ds, &o).len()
        + funnel_engine::output::transitions_csv(&c, &ds, &o).len()
        + funnel_engine::output::actions_jsonl(&c, &ds, &o).len()
        + funnel_engine::output::kpis_json(&c, &o).len();
    let t4 = Instant::now();
    let n = o.events_replayed as f64;
    println!(
        "leads read   {:.3}s ({} leads)",
        (t1 - t0).as_secs_f64(),
        ds.leads.len()
    );
    println!(
        "events read  {:.3}s ({:.0} events/s)",
        (t2 - t1).as_secs_f64(),
        n / (t2 - t1).as_secs_f64()
    );
    println!(
        "replay+kpis  {:.3}s ({:.0} events/s, {} timers)",
        (t3 - t2).as_secs_f64(),
        n / (t3 - t2).as_secs_f64(),
        o.timers_fired
    );
    println!(
        "outputs      {:.3}s ({} MB)",
        (t4 - t3).as_secs_f64(),
        bytes >> 20
    );
    println!(
        "total        {:.3}s ({:.0} events/s)",
        (t4 - t0).as_secs_f64(),
        n / (t4 - t0).as_secs_f64()
    );
}
