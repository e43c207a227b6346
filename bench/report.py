#!/usr/bin/env python3
"""Render bench/run.sh's measurements as Markdown, and splice them into
bench/RESULTS.md.

    report.py ROWS.tsv QUICK            # print the Markdown
    report.py --splice NEW.md RESULTS   # replace RESULTS's generated part

ROWS.tsv has one line per measurement: name, size, events (or simulated
leads), wall seconds, peak RSS in MB, target. The generated part of
RESULTS.md lies between the BEGIN and END markers below; the hand-written
analysis around it is kept.
"""

import datetime
import os
import subprocess
import sys

BEGIN = "<!-- bench/run.sh: generated results begin -->"
END = "<!-- bench/run.sh: generated results end -->"


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    duck = sh("python3 -c 'import duckdb; print(duckdb.__version__)'")
    return [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("commit", sh("git rev-parse --short HEAD") + (" (with local changes)" if sh("git status --porcelain --untracked-files=no") else "")),
        ("cores (nproc)", str(os.cpu_count()) + " / " + sh("nproc")),
        ("CPU", cpu),
        ("memory", mem),
        ("rustc", sh("rustc --version")),
        ("DuckDB", duck),
        ("load average at the end", sh("cut -d' ' -f1-3 /proc/loadavg")),
    ]


def fmt_rate(n, secs):
    if not n or not secs:
        return ""
    r = n / secs
    return f"{r / 1e6:.2f} M/s" if r >= 1e6 else f"{r / 1e3:.0f} k/s"


def render(rows_path, quick):
    rows = [line.rstrip("\n").split("\t") for line in open(rows_path) if line.strip()]
    out = []
    out.append("Machine: " + "; ".join(f"{k}: {v}" for k, v in machine()) + ".")
    out.append("")
    if quick == "1":
        out.append("(`--quick` run: small sizes, one repetition.)")
        out.append("")
    out.append("| benchmark | size | events | wall | throughput | peak RSS | target |")
    out.append("|---|---|---:|---:|---:|---:|---|")
    inproc = {}
    walls = {}
    for name, size, events, wall, rss, target in rows:
        if name == "duckdb-inproc":
            inproc[size] = float(wall)
            continue
        walls[(name, size)] = float(wall)
        n = int(events) if events.isdigit() else 0
        unit = " leads" if name.startswith("simulate") else ""
        rate = fmt_rate(n, float(wall))
        if name.startswith("check"):
            shown = f"{float(wall) * 1000:.0f} ms"
        else:
            shown = f"{float(wall):.2f} s"
        out.append(
            f"| {name} | {size} | {n:,} | {shown} | {rate}{unit if rate else ''} | {rss} MB | {target} |"
        )
    comparisons = []
    for (name, size), wall in walls.items():
        if name == "run bench.funnel (CSV)" and ("DuckDB SQL (CSV)", size) in walls:
            duck = walls[("DuckDB SQL (CSV)", size)]
            ip = inproc.get(size)
            comparisons.append(
                f"| {size} | {wall:.2f} s | {duck:.2f} s | {ip:.2f} s | "
                f"{duck / wall:.2f}x | {ip / wall:.2f}x |"
            )
    if comparisons:
        out.append("")
        out.append(
            "Funnel against DuckDB on the same files (`bench/bench.funnel` and "
            "`bench/duckdb_bench.py`; both sides checked equal):"
        )
        out.append("")
        out.append(
            "| size | funnel run (process) | DuckDB (process) | DuckDB (in-process SQL only) "
            "| DuckDB / Funnel | DuckDB SQL only / Funnel |"
        )
        out.append("|---|---:|---:|---:|---:|---:|")
        out.extend(comparisons)
    return "\n".join(out) + "\n"


def splice(new_path, results_path):
    new = open(new_path).read()
    try:
        old = open(results_path).read()
    except FileNotFoundError:
        old = f"# Benchmark results\n\n{BEGIN}\n{END}\n"
    if BEGIN not in old or END not in old:
        old = old.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(results_path, "w") as f:
        f.write(head + BEGIN + "\n" + new + END + tail)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--splice":
        splice(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3:
        sys.stdout.write(render(sys.argv[1], sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
