//! Benchmarks of reading data generated in memory (`funnel sample`'s
//! model): reading events from CSV and from JSON Lines, and the CSV
//! reader's chunk-boundary scan against `csv-core`'s record reader on the
//! same 2 MiB chunk. Run with
//! `cargo bench -p funnel-data --features bench -- --quick`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use funnel_data::sample::{write_sample, SampleFormat, SampleOptions};
use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::{Compiled, Dataset};

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

fn bench_read(cr: &mut Criterion) {
    let c = compiled("playbooks/saas_inbound.funnel");
    let mut group = cr.benchmark_group("read");
    group.sample_size(10);
    for (name, sf, f) in [
        ("events csv", SampleFormat::Csv, Format::Csv),
        ("events jsonl", SampleFormat::Jsonl, Format::Jsonl),
    ] {
        let d = sample(&c, sf);
        let n = load(&c, &d, f).events.recs.len();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let mut ds = Dataset::new(&c);
                    ds.read_leads(&c, &d.leads[..], "leads", f, BadRows::Error)
                        .unwrap();
                    ds
                },
                |mut ds| {
                    ds.read_events(&c, &d.events[..], "events", f, BadRows::Error)
                        .unwrap();
                    ds
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Where the last complete record of a buffer ends, found by `csv-core`'s
/// record reader: the alternative to the reader's own scan
/// (`funnel_data::csv_record_boundary`), timed on the same chunk.
fn csv_core_boundary(buf: &[u8]) -> Option<usize> {
    let mut rdr = csv_core::Reader::new();
    let mut out = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 64];
    let (mut at, mut last) = (0usize, None);
    loop {
        let (res, nin, _, _) = rdr.read_record(&buf[at..], &mut out, &mut ends);
        at += nin;
        match res {
            csv_core::ReadRecordResult::Record => last = Some(at),
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                return last
            }
            // The cells are not wanted: the buffers are written over.
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
            }
        }
    }
}

/// A 2 MiB chunk of event rows (the reader's chunk size), one in ten with
/// a quoted cell holding a comma and a line end, so that both scanners
/// must follow quotes; cut inside a row, as a chunk is.
fn quoted_chunk() -> Vec<u8> {
    let mut buf = Vec::with_capacity(1 << 21);
    let mut i = 0;
    while buf.len() < 1 << 21 {
        let reason = if i % 10 == 0 {
            "\"budget, cut\nin Q3\""
        } else {
            ""
        };
        buf.extend_from_slice(
            format!(
                "L{:05},deal_lost,2026-03-02 10:{:02},/blog 24\" monitors,,,,,,{reason}\n",
                i % 50_000,
                i % 60
            )
            .as_bytes(),
        );
        i += 1;
    }
    buf.truncate(1 << 21);
    buf
}

fn bench_csv_boundary(cr: &mut Criterion) {
    let buf = quoted_chunk();
    assert_eq!(
        funnel_data::csv_record_boundary(&buf),
        csv_core_boundary(&buf)
    );
    let mut group = cr.benchmark_group("csv_boundary");
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("scan (memchr, quotes at cell starts)", |b| {
        b.iter(|| funnel_data::csv_record_boundary(black_box(&buf)))
    });
    group.bench_function("csv-core record reader", |b| {
        b.iter(|| csv_core_boundary(black_box(&buf)))
    });
    group.finish();
}

criterion_group!(benches, bench_read, bench_csv_boundary);
criterion_main!(benches);
