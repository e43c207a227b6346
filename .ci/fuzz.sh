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
# `--workspace` with a target filter, not `-p CRATE`: one package alone
# resolves other features for the shared dependencies and would rebuild
# them (and then the next workspace build would rebuild them back).
FUNNEL_FUZZ_CASES=$CASES cargo test --release -q --workspace --test fuzz_playbooks
FUNNEL_FUZZ_CASES=$((CASES * 4)) cargo test --release -q --workspace --test fuzz_scenarios
FUNNEL_FUZZ_CASES=$CASES cargo test --release -q --workspace --lib -- read::tests_csv read::tests_formats
