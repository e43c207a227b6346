//! Benchmark: parse and check a ~1 MB playbook made of realistic blocks
//! (events, stages, scores, a nurture, KPIs and a test) repeated with renamed
//! identifiers. Run with `cargo bench -p funnel-check --features bench -- --quick`.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "support/big_playbook.rs"]
mod big_playbook;

use big_playbook::playbook;

fn bench_check(c: &mut Criterion) {
    let text = playbook(1_000_000);
    let checked = funnel_check::check_source(&text);
    assert!(
        checked.diagnostics.is_empty(),
        "the bench playbook must check clean: {:?}",
        checked.diagnostics.first()
    );
    eprintln!("bench playbook: {} bytes", text.len());
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("parse only 1MB", |b| {
        b.iter(|| funnel_syntax::parse(std::hint::black_box(&text)))
    });
    group.bench_function("check_source 1MB", |b| {
        b.iter(|| funnel_check::check_source(std::hint::black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
