#!/usr/bin/env bash
# The benchmarks need `--features bench` (criterion stays out of `cargo
# test`), so `clippy --all-targets` skips them: lint them here.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo clippy (benchmarks, --features bench)"
cargo clippy -p funnel-engine -p funnel-data -p funnel-check --benches --features bench -- -D warnings
