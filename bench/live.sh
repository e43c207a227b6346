#!/usr/bin/env bash
# Load bench of live mode (a bench, not a test: CI never runs it).
#
#   bash bench/live.sh
#
# 1. Sustained ingest over HTTP: a release `funnel serve` (wall clock, a
#    bearer token, no delivery) on a fresh state file with LIVE_LEADS leads;
#    the load generator (crates/funnel-live/examples/live_load.rs) posts
#    LIVE_EVENTS events as NDJSON batches of LIVE_BATCH from LIVE_CONNS
#    connections and reports events accepted per second and the p50/p99
#    latency of a batch.
# 2. A state file with LIVE_BIG leads (one event each), made by `funnel
#    ingest`; then how long it takes to open: `funnel live status` (open,
#    check the format, count rows), `funnel serve` from start to its first
#    `/healthz` answer, and one `GET /v1/leads/{id}`.
#
# Environment: LIVE_LEADS (default 10000), LIVE_EVENTS (200000), LIVE_BATCH
# (1000), LIVE_CONNS (4), LIVE_BIG (1000000), BENCH_DIR (bench/out/live).
# The results replace the live section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-bench/out/live}
LEADS=${LIVE_LEADS:-10000}
EVENTS=${LIVE_EVENTS:-200000}
BATCH=${LIVE_BATCH:-1000}
CONNS=${LIVE_CONNS:-4}
BIG=${LIVE_BIG:-1000000}
F=./target/release/funnel
PB=playbooks/saas_inbound.funnel

cargo build --release -q -p funnel-cli
cargo build --release -q -p funnel-live --example live_load
rm -rf "$DIR"
mkdir -p "$DIR"
echo bench-token > "$DIR/token"

# Start `funnel serve` on STATE; sets PID and ADDR.
start() {
  "$F" serve "$PB" --state "$1" --listen 127.0.0.1:0 --token-file "$DIR/token" 2> "$DIR/serve.log" &
  PID=$!
  for _ in $(seq 1 600); do
    ADDR=$(grep -o 'http://[0-9.:]*' "$DIR/serve.log" | head -1 || true)
    [[ -n "$ADDR" ]] && break
    sleep 0.05
  done
}

echo "== sustained ingest over HTTP: $LEADS leads, $EVENTS events, batches of $BATCH, $CONNS connections"
"$F" live init --state "$DIR/load.db" > /dev/null
start "$DIR/load.db"
./target/release/examples/live_load "$ADDR" bench-token "$LEADS" "$EVENTS" "$BATCH" "$CONNS" | tee "$DIR/load.txt"
kill "$PID"; wait "$PID" 2> /dev/null || true

echo "== a state file with $BIG leads"
python3 - "$DIR" "$BIG" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/big_leads.csv", "w") as f:
    f.write("id,email,company_size,industry,source\n")
    for i in range(n):
        f.write(f"B{i},p{i}@co{i % 997}.com,{10 + i % 900},software,organic\n")
with open(f"{d}/big_events.csv", "w") as f:
    f.write("lead,event,at,path\n")
    for i in range(n):
        f.write(f"B{i},page_view,2026-06-{1 + i % 28:02d} {9 + i % 8:02d}:{i % 60:02d},/pricing\n")
PY
"$F" live init --state "$DIR/big.db" > /dev/null
/usr/bin/time -f "%e s wall, %M KB peak RSS" -o "$DIR/big_ingest.time" \
  "$F" ingest "$PB" --state "$DIR/big.db" --leads "$DIR/big_leads.csv" --events "$DIR/big_events.csv" --as-of 2026-07-01 > "$DIR/big_ingest.txt"
cat "$DIR/big_ingest.txt" "$DIR/big_ingest.time"
ls -l "$DIR/big.db"
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N); "$F" live status --state "$DIR/big.db" > "$DIR/big_status.txt"; e=$(date +%s.%N)
  t=$(python3 -c "print(f'{$e - $s:.3f}')")
  if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
done
echo "live status (open + counts), best of 3: $best s"
s=$(date +%s.%N)
start "$DIR/big.db"
for _ in $(seq 1 2000); do
  curl -sf "$ADDR/healthz" > /dev/null 2>&1 && break
  sleep 0.005
done
e=$(date +%s.%N)
up=$(python3 -c "print(f'{$e - $s:.3f}')")
echo "serve: start to first /healthz answer: $up s"
s=$(date +%s.%N)
curl -sf -H "Authorization: Bearer bench-token" "$ADDR/v1/leads/B500000" > "$DIR/big_lead.json"
e=$(date +%s.%N)
lead=$(python3 -c "print(f'{$e - $s:.3f}')")
echo "GET /v1/leads/B500000: $lead s"
# SIGKILL: the first tick steps every lead whose timers fell due since the
# state's as-of instant (all of them here), and a SIGTERM waits for that
# write to finish. A kill is safe: the write is one transaction.
kill -9 "$PID"; wait "$PID" 2> /dev/null || true

python3 - "$DIR" "$best" "$up" "$lead" "$BIG" <<'PY'
import os, platform, subprocess, sys, datetime
d, status, up, lead, big = sys.argv[1:6]
load = open(f"{d}/load.txt").read().strip()
ingest = open(f"{d}/big_ingest.time").read().strip()
size = os.path.getsize(f"{d}/big.db")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
la = " ".join(open("/proc/loadavg").read().split()[:3])
section = f"""<!-- bench/live.sh: generated results begin -->
Machine: date: {now}; commit: {commit}; cores: {os.cpu_count()}; load average at the end: {la}.

Sustained ingest over HTTP (`funnel serve`, wall clock, one state file, no delivery):

```
{load}
```

A state file with {int(big):,} leads (one event each, made by `funnel ingest`: {ingest}; {size / 1e6:.0f} MB):

| what | time | target |
|---|---:|---|
| `funnel live status` (open, check format, count rows), best of 3 | {status} s | < 2 s |
| `funnel serve` start to first `/healthz` answer | {up} s | < 2 s |
| `GET /v1/leads/B500000` (one lead replayed with its timeline) | {lead} s | |
<!-- bench/live.sh: generated results end -->"""
path = "bench/RESULTS.md"
text = open(path).read()
b, e = "<!-- bench/live.sh: generated results begin -->", "<!-- bench/live.sh: generated results end -->"
if b in text:
    text = text[: text.index(b)] + section + text[text.index(e) + len(e):]
else:
    text = text.rstrip("\n") + "\n\n## Live mode (`bash bench/live.sh`)\n\n" + section + "\n"
open(path, "w").write(text)
print("bench/RESULTS.md updated")
PY
