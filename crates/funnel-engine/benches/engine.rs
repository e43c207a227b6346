//! Benchmarks of the engine on generated data (`funnel sample`'s model, in
//! memory): the replay's cost per event (playbooks/saas_inbound.funnel with
//! its nurture, decay, calendar and SLA timers, and bench/bench.funnel's
//! plain scoring) and KPI evaluation over a finished replay. Reading the
//! data is benchmarked in funnel-data (`benches/data.rs`). Run with
//! `cargo bench -p funnel-engine --features bench -- --quick`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use funnel_data::sample::{write_sample, SampleFormat, SampleOptions};
use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::kpi::eval::Facts;
use funnel_engine::{Compiled, Dataset, RunOptions};

/// Leads in the generated data (about 9.6 events each).
const LEADS: usize = 20_000;

fn compiled(rel: &str) -> Compiled {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    let text = std::fs::read_to_string(path).unwrap();
    let program = funnel_check::check_source(&text).program.unwrap();
    funnel_engine::compile(&program, &text)
}

struct Data {
    leads: Vec<u8>,
    events: Vec<u8>,
}

fn sample(c: &Compiled, format: SampleFormat) -> Data {
    let opts = SampleOptions {
        leads: LEADS,
        seed: 7,
        start: funnel_data::decode::parse_instant("2026-01-05", c.tz).unwrap(),
        days: 177,
    };
    let (mut leads, mut events) = (Vec::new(), Vec::new());
    write_sample(c, &opts, format, &mut leads, &mut events).unwrap();
    Data { leads, events }
}

fn load(c: &Compiled, d: &Data, format: Format) -> Dataset {
    let mut ds = Dataset::new(c);
    ds.read_leads(c, &d.leads[..], "leads", format, BadRows::Error)
        .unwrap();
    ds.read_events(c, &d.events[..], "events", format, BadRows::Error)
        .unwrap();
    ds
}

fn options(c: &Compiled, ds: &mut Dataset) -> RunOptions {
    RunOptions {
        inputs: funnel_data::inputs::resolve(c, &[], &mut ds.texts).unwrap(),
        ..RunOptions::default()
    }
}

fn bench_replay(cr: &mut Criterion) {
    let mut group = cr.benchmark_group("replay");
    group.sample_size(10);
    for (name, rel) in [
        ("saas_inbound per event", "playbooks/saas_inbound.funnel"),
        ("bench.funnel per event", "bench/bench.funnel"),
    ] {
        let c = compiled(rel);
        let d = sample(
            &compiled("playbooks/saas_inbound.funnel"),
            SampleFormat::Csv,
        );
        let mut ds = load(&c, &d, Format::Csv);
        let opts = options(&c, &mut ds);
        group.throughput(Throughput::Elements(ds.events.recs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| funnel_engine::run(&c, black_box(&ds), &opts, &mut |_, _| {}))
        });
    }
    group.finish();
}

fn bench_kpis(cr: &mut Criterion) {
    let c = compiled("playbooks/saas_inbound.funnel");
    let d = sample(&c, SampleFormat::Csv);
    let mut ds = load(&c, &d, Format::Csv);
    let opts = options(&c, &mut ds);
    let o = funnel_engine::run(&c, &ds, &opts, &mut |_, _| {});
    let facts = Facts {
        c: &c,
        texts: &ds.texts,
        vals: &o.vals,
        entered: &o.entered,
        n_leads: ds.leads.len(),
        breaches: &o.breaches,
        events: &ds.events.recs,
        event_values: &ds.events.values,
        inputs: &opts.inputs,
        start: ds.events.recs.first().map(|r| r.at),
        as_of: o.as_of,
    };
    let mut group = cr.benchmark_group("kpis");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ds.events.recs.len() as u64));
    group.bench_function("saas_inbound kpis", |b| {
        b.iter(|| funnel_engine::kpi::evaluate(black_box(&facts)))
    });
    group.finish();
}

criterion_group!(benches, bench_replay, bench_kpis);
criterion_main!(benches);
