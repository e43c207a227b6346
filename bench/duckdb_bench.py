#!/usr/bin/env python3
"""The SQL side of the benchmark: bench/bench.funnel's scores, stages and KPIs
computed by DuckDB over the same leads.csv and events.csv, and a check that
Funnel's outputs hold the same numbers.

    duckdb_bench.py run LEADS.csv EVENTS.csv OUTDIR   # timed by bench/run.sh
    duckdb_bench.py compare FUNNEL_OUT SQL_OUT         # exit 1 on any difference

`run` writes OUTDIR/leads.csv (id, stage, engagement, intent for every lead,
like Funnel's leads.csv) and OUTDIR/kpis.json, and prints the seconds spent
in DuckDB (connect, read both files, compute, write). Why the SQL is exact:
every point is positive, so clamping each change to the cap gives
min(cap, sum of points); `once` awards a rule's points when the lead has at
least one matching event; a `when` rule on lead fields holds from the lead's
first event on (leads without events score 0); stages only move forward and
every trigger is an event or a threshold that stays met, so a lead's stage is
the highest stage whose trigger it ever met; `count(entered Lead) by month`
groups leads by the month of their first event, which is the month written
in the file because `at` is local time in the playbook's zone.
"""

import csv
import json
import sys
import time
from decimal import Decimal

STAGES = ["Lead", "MQL", "SAL", "SQL", "Opportunity", "Customer", "Advocate"]

SQL = """
CREATE TEMP TABLE leads AS SELECT * FROM read_csv($leads, header = true, auto_detect = false,
  columns = {'id': 'VARCHAR', 'email': 'VARCHAR', 'title': 'VARCHAR', 'company': 'VARCHAR',
             'company_size': 'DOUBLE', 'industry': 'VARCHAR', 'country': 'VARCHAR',
             'source': 'VARCHAR'});
CREATE TEMP TABLE per_lead AS
WITH ev AS (
  SELECT * FROM read_csv($events, header = true, auto_detect = false,
    columns = {'lead': 'VARCHAR', 'event': 'VARCHAR', 'at': 'TIMESTAMP', 'path': 'VARCHAR',
               'form': 'VARCHAR', 'asset': 'VARCHAR', 'template': 'VARCHAR',
               'amount': 'DECIMAL(18,2)', 'kind': 'VARCHAR', 'reason': 'VARCHAR'})
)
SELECT lead,
  min("at") AS first_at,
  -- engagement: on rules without limits
  sum(CASE event
        WHEN 'page_view' THEN 1
        WHEN 'email_open' THEN 2
        WHEN 'email_click' THEN 3
        WHEN 'content_download' THEN 10
        WHEN 'form_submit' THEN 10 + CASE WHEN form = 'contact-sales' THEN 40 ELSE 0 END
        WHEN 'webinar_registered' THEN 5
        WHEN 'webinar_attended' THEN 15
        ELSE 0 END)
  -- engagement: `once` rules
  + max(CASE WHEN event = 'pricing_view' THEN 20 ELSE 0 END)
  + max(CASE WHEN event = 'trial_started' THEN 25 ELSE 0 END)
  + max(CASE WHEN event = 'demo_request' THEN 30 ELSE 0 END) AS eng_points,
  sum(CASE event
        WHEN 'pricing_view' THEN 5
        WHEN 'demo_request' THEN 20
        WHEN 'form_submit' THEN CASE WHEN form = 'contact-sales' THEN 30 ELSE 0 END
        ELSE 0 END)
  + max(CASE WHEN event = 'trial_started' THEN 10 ELSE 0 END) AS intent_points,
  bool_or(event = 'sales_accepted') AS sal,
  bool_or(event = 'meeting_held') AS sql_,
  bool_or(event = 'deal_created') AS opp,
  bool_or(event = 'deal_won') AS won,
  bool_or(event = 'referral_made') AS adv,
  count(*) FILTER (WHERE event = 'demo_request') AS demos,
  count(*) FILTER (WHERE event = 'deal_lost') AS lost,
  count(*) FILTER (WHERE event = 'unsubscribe') AS unsubs,
  sum(amount) FILTER (WHERE event = 'deal_won') AS revenue,
  list(strftime("at", '%Y-%m')) FILTER (WHERE event = 'demo_request') AS demo_months
FROM ev GROUP BY lead;
CREATE TEMP TABLE result AS
WITH s AS (
  SELECT l.id,
    p.lead IS NOT NULL AS active,
    p.first_at,
    CASE WHEN p.lead IS NULL THEN 0 ELSE least(100, p.eng_points
      + CASE WHEN l.company_size >= 200 THEN 15 ELSE 0 END
      + CASE WHEN l.industry IN ('software', 'fintech') THEN 10 ELSE 0 END) END AS engagement,
    CASE WHEN p.lead IS NULL THEN 0 ELSE least(50, p.intent_points) END AS intent,
    p.sal, p.sql_, p.opp, p.won, p.adv
  FROM leads l LEFT JOIN per_lead p ON p.lead = l.id
)
SELECT id, active, first_at, engagement, intent,
  CASE WHEN NOT active THEN -1
       WHEN adv THEN 6 WHEN won THEN 5 WHEN opp THEN 4 WHEN sql_ THEN 3
       WHEN sal OR intent >= 50 THEN 2 WHEN engagement >= 60 THEN 1 ELSE 0 END AS rank
FROM s;
"""

KPIS = """
SELECT
  count(*) FILTER (WHERE rank >= 0) AS leads,
  count(*) FILTER (WHERE rank >= 1) AS mqls,
  count(*) FILTER (WHERE rank >= 2) AS sals,
  count(*) FILTER (WHERE rank >= 3) AS sqls,
  count(*) FILTER (WHERE rank >= 4) AS opportunities,
  count(*) FILTER (WHERE rank >= 5) AS customers,
  count(*) FILTER (WHERE rank >= 6) AS advocates
FROM result
"""


def run(leads, events, outdir):
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(SQL.replace("$leads", "'" + leads + "'").replace("$events", "'" + events + "'"))
    names = ["leads", "mqls", "sals", "sqls", "opportunities", "customers", "advocates"]
    counts = dict(zip(names, con.execute(KPIS).fetchone()))
    by_month = con.execute(
        "SELECT strftime(first_at, '%Y-%m') AS m, count(*) FROM result WHERE active GROUP BY m"
    ).fetchall()
    demos = con.execute(
        "SELECT m, count(*) FROM (SELECT unnest(demo_months) AS m FROM per_lead) GROUP BY m"
    ).fetchall()
    totals = con.execute(
        "SELECT sum(demos), sum(lost), sum(unsubs), coalesce(sum(revenue), 0) FROM per_lead"
    ).fetchone()
    con.execute(
        "COPY (SELECT id, CASE rank " + " ".join(
            f"WHEN {i} THEN '{s}'" for i, s in enumerate(STAGES)
        ) + " ELSE '' END AS stage, engagement, intent FROM result) TO '"
        + outdir + "/leads.csv' (HEADER, DELIMITER ',')"
    )

    def ratio(a, b):
        return None if counts[b] == 0 else counts[a] / counts[b]

    kpis = dict(counts)
    kpis["new_leads"] = {"total": counts["leads"], "groups": dict(by_month)}
    kpis["demo_requests"] = {"total": int(totals[0] or 0), "groups": dict(demos)}
    kpis["deals_lost"] = int(totals[1] or 0)
    kpis["unsubscribes"] = int(totals[2] or 0)
    kpis["revenue"] = str(totals[3])
    kpis["mql_rate"] = ratio("mqls", "leads")
    kpis["sql_rate"] = ratio("sqls", "mqls")
    kpis["win_rate"] = ratio("customers", "opportunities")
    with open(outdir + "/kpis.json", "w") as f:
        json.dump(kpis, f, indent=1, sort_keys=True)
    con.close()
    print(f"{time.perf_counter() - t0:.3f}")


def compare(funnel_out, sql_out):
    problems = []
    with open(funnel_out + "/kpis.json") as f:
        fk = {k["name"]: k for k in json.load(f)["kpis"]}
    with open(sql_out + "/kpis.json") as f:
        sk = json.load(f)
    checked = 0
    for name, want in sk.items():
        got = fk.get(name)
        if got is None:
            problems.append(f"kpi {name}: missing from Funnel's kpis.json")
            continue
        if isinstance(want, dict):
            groups = {tuple(g["key"])[0]: Decimal(g["value"]) for g in got["groups"]}
            wg = {k: Decimal(v) for k, v in want["groups"].items()}
            if groups != wg:
                problems.append(f"kpi {name} groups: funnel {groups} sql {wg}")
            want = want["total"]
            checked += len(wg)
        total = got["total"]
        if want is None or total is None:
            ok = want is None and total is None
        elif isinstance(want, float):
            # Funnel prints exact decimals rounded to 6 places.
            ok = abs(Decimal(total) - Decimal(repr(want))) <= Decimal("0.0000005")
        else:
            ok = Decimal(total) == Decimal(str(want))
        checked += 1
        if not ok:
            problems.append(f"kpi {name}: funnel {total} sql {want}")
    fl = read_leads(funnel_out + "/leads.csv")
    sl = read_leads(sql_out + "/leads.csv")
    if fl.keys() != sl.keys():
        problems.append(f"lead ids differ: {len(fl)} in Funnel's leads.csv, {len(sl)} in SQL's")
    stages_f, stages_s = {}, {}
    bad = 0
    for lead, row in fl.items():
        other = sl.get(lead)
        stages_f[row[0]] = stages_f.get(row[0], 0) + 1
        if other is None:
            continue
        stages_s[other[0]] = stages_s.get(other[0], 0) + 1
        if row != other:
            bad += 1
            if bad <= 5:
                problems.append(f"lead {lead}: funnel {row} sql {other}")
    if bad:
        problems.append(f"{bad} leads differ in stage or scores")
    if stages_f != stages_s:
        problems.append(f"stage counts differ: funnel {stages_f} sql {stages_s}")
    for p in problems:
        print("MISMATCH " + p)
    print(
        f"compared {len(fl)} leads (stage, engagement, intent), "
        f"{len(stages_f)} stage counts and {checked} KPI values: "
        + ("all equal" if not problems else f"{len(problems)} problems")
    )
    return 0 if not problems else 1


def read_leads(path):
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        cols = [header.index(c) for c in ("stage", "engagement", "intent")]
        for row in r:
            stage, eng, intent = (row[i] for i in cols)
            out[row[0]] = (stage, Decimal(eng), Decimal(intent))
    return out


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        run(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(*sys.argv[2:]))
    else:
        print(__doc__)
        sys.exit(2)
