#!/usr/bin/env bash
# CI for live mode (issue 13): the README's live command on the shipped sample
# with the release binary, twice. The first run stores everything and
# delivers every action; the second finds every row stored and nothing to
# deliver. (The stream = batch, HTTP, delivery and crash tests run in
# `cargo test --workspace`.)
set -euo pipefail
cd "$(dirname "$0")/.."
F=./target/release/funnel
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
live() {
  "$F" ingest playbooks/saas_inbound.funnel --state "$D/funnel.db" \
    --leads examples/data/leads.csv --events examples/data/events.csv \
    --as-of 2026-07-01 --deliver "jsonl=$D/actions.jsonl"
}
"$F" live init --state "$D/funnel.db"
live | tee "$D/first.txt"
grep -q "^events: 3037 received, 3037 new" "$D/first.txt"
grep -q "^delivered 973;" "$D/first.txt"
live | tee "$D/second.txt"
grep -q "^events: 3037 received, 0 new, 3037 already stored" "$D/second.txt"
grep -q "^delivered 0;" "$D/second.txt"
test "$(wc -l < "$D/actions.jsonl")" -eq 973
"$F" live status --state "$D/funnel.db"
echo "live: ok"
