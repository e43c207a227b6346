#!/usr/bin/env bash
# A bounded fuzzing run (about a minute on 2 cores, debug build already
# made by `cargo test --workspace`): the grammar-aware playbook generator
# (parse + check + fmt + run), mutated scenarios, and the CSV / JSON Lines
# readers against the csv crate and serde_json, with more cases than the
# plain `cargo test` run. Longer runs: docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${FUNNEL_FUZZ_CASES:-64}
echo "== fuzz (FUNNEL_FUZZ_CASES=$CASES)"
FUNNEL_FUZZ_CASES=$CASES cargo test --release -q -p funnel-cli --test fuzz_playbooks
FUNNEL_FUZZ_CASES=$((CASES * 4)) cargo test --release -q -p funnel-sim --test fuzz_scenarios
FUNNEL_FUZZ_CASES=$CASES cargo test --release -q -p funnel-data --lib -- read::tests_csv read::tests_formats
