//! Print a generated playbook of about N bytes (default 1,000,000) for
//! benchmarks: `cargo run --release -p funnel-check --example big_playbook -- 1000000`.
//! The same text `benches/check.rs` checks; `bench/run.sh` times `funnel check` on it.

#[path = "../benches/support/big_playbook.rs"]
mod big_playbook;

fn main() {
    let size = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    print!("{}", big_playbook::playbook(size));
}
