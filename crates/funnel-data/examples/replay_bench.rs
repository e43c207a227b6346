//! Time the phases of a run: `cargo run --release -p funnel-data --example
//! replay_bench -- PLAYBOOK LEADS EVENTS [THREADS]` (CSV or JSON
//! Lines). Prints seconds
//! for reading leads, reading events, replaying and KPIs, and serialising the
//! output files, and events/second.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::{Dataset, RunOptions};

type Writer = fn(
    &mut dyn std::io::Write,
    &funnel_engine::Compiled,
    &Dataset,
    &funnel_engine::Outcome,
    usize,
) -> std::io::Result<()>;

/// Counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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
    let c = funnel_engine::compile(&program, &text);
    let mut ds = Dataset::new(&c);
    let t0 = Instant::now();
    let f = std::io::BufReader::new(std::fs::File::open(leads).expect("leads"));
    let format = |p: &str| Format::from_path(p).expect("a .csv or .jsonl file");
    ds.read_leads_threads(&c, f, leads, format(leads), BadRows::Error, threads)
        .expect("leads read");
    let t1 = Instant::now();
    let f = std::io::BufReader::new(std::fs::File::open(events).expect("events"));
    ds.read_events_threads(&c, f, events, format(events), BadRows::Error, threads)
        .expect("events read");
    let t2 = Instant::now();
    let inputs = funnel_data::inputs::resolve(&c, &[], &mut ds.texts).expect("inputs");
    let opts = RunOptions {
        coverage: false,
        inputs,
        ..RunOptions::default()
    };
    let o = funnel_engine::run_threads(&c, &ds, &opts, threads, &mut |_, _| {});
    let t3 = Instant::now();
    let mut bytes = 0;
    for (name, write) in [
        ("leads.csv", funnel_data::output::write_leads_csv as Writer),
        (
            "transitions.csv",
            funnel_data::output::write_transitions_csv,
        ),
        ("actions.jsonl", funnel_data::output::write_actions_jsonl),
    ] {
        let t = Instant::now();
        let mut out = Counter(0);
        write(&mut out, &c, &ds, &o, threads).expect("write");
        println!(
            "  {name:<16} {:.3}s ({} MB)",
            t.elapsed().as_secs_f64(),
            out.0 >> 20
        );
        bytes += out.0;
    }
    bytes += funnel_data::output::kpis_json(&c, &o).len();
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
