#!/usr/bin/env python3
"""Convert the shipped CSV sample (examples/data/leads.csv, events.csv) into
Segment-spec JSON Lines as a CDP would export them: identify.jsonl (leads)
and track.jsonl (events), read with map.yaml. Deterministic: run it from the
repository root and the files come out byte-identical.

    python3 examples/data/segment/convert.py

What it exercises (crates/funnel-cli/tests/segment_sample.rs checks that
`funnel run` gives exactly the CSV sample's results):
- each lead has two identify calls: the first (in file order) with its
  current traits, a later line with an older timestamp and out-of-date
  traits, which must lose (later identify calls win by timestamp, not
  line); an empty field is a `null` trait, which clears an older value;
- odd-numbered leads' page views are anonymous (anonymousId only), joined to
  the lead by the anonymousId on its identify call;
- a few calls nothing maps: page views of visitors who never identify, and
  "Signed In" events the map does not name; they are counted, not used.
"""
import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
DIR = "examples/data"

NAMES = {
    "page_view": "Page Viewed",
    "form_submit": "Form Submitted",
    "content_download": "Whitepaper Downloaded",
    "webinar_registered": "Webinar Registered",
    "webinar_attended": "Webinar Attended",
    "email_open": "Email Opened",
    "email_click": "Email Link Clicked",
    "pricing_view": "Pricing Viewed",
    "trial_started": "Trial Started",
    "demo_request": "Demo Requested",
    "sales_accepted": "Lead Accepted",
    "meeting_held": "Meeting Held",
    "deal_created": "Opportunity Created",
    "deal_won": "Opportunity Won",
    "deal_lost": "Opportunity Lost",
    "unsubscribe": "Unsubscribed",
    # referral_made keeps its name: a playbook event needs no map entry.
}


def utc(local):
    """`2026-01-05 14:32` in New York as RFC 3339 UTC with milliseconds."""
    t = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=NY)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def props(row):
    """The event's fields as a CDP's properties (nested where CDPs nest)."""
    p = {}
    if row["path"]:
        p["path"] = row["path"]
        p["url"] = "https://example.com" + row["path"]
    if row["form"]:
        p["form_id"] = row["form"]
    if row["asset"]:
        p["asset"] = row["asset"]
    if row["template"]:
        p["campaign"] = {"template": row["template"], "medium": "email"}
    if row["amount"]:
        p["value"] = int(row["amount"])
        p["currency"] = "USD"
    if row["kind"]:
        p["deal_type"] = row["kind"]
    if row["reason"]:
        p["lost_reason"] = row["reason"]
    return p


def line(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"


def main():
    with open(f"{DIR}/leads.csv", newline="") as f:
        leads = list(csv.DictReader(f))
    with open(f"{DIR}/events.csv", newline="") as f:
        events = list(csv.DictReader(f))
    first_seen = {}
    for e in events:
        first_seen.setdefault(e["lead"], e["at"])

    out = []
    for n, lead in enumerate(leads, 1):
        # An empty field is a `null` trait: it clears an older value.
        size = int(lead["company_size"]) if lead["company_size"] else None
        traits = {
            "email": lead["email"],
            "lead_source": lead["source"],
            "title": lead["title"] or None,
            "company": {
                "industry": lead["industry"],
                "name": lead["company"] or None,
                "employee_count": size,
            },
            "address": {"country": lead["country"] or None},
        }
        call = {"type": "identify", "userId": lead["id"]}
        if n % 2 == 1:
            call["anonymousId"] = "anon-" + lead["id"]
        call["timestamp"] = utc(first_seen.get(lead["id"], "2026-01-05 09:00"))
        call["traits"] = traits
        out.append(line(call))
    # Out-of-date traits, later in the file but stamped earlier: they lose.
    for lead in leads[::7]:
        old = {
            "title": "Intern",
            "company": {"industry": "other", "employee_count": 1},
            "lead_source": "events",
        }
        out.append(line({"type": "identify", "userId": lead["id"],
                         "timestamp": "2025-06-01T12:00:00.000Z", "traits": old}))
    with open(f"{DIR}/segment/identify.jsonl", "w") as f:
        f.writelines(out)

    out = []
    for i, e in enumerate(events):
        n = int(e["lead"][1:])
        call = {"type": "track", "event": NAMES.get(e["event"], e["event"])}
        if e["event"] == "page_view" and n % 2 == 1:
            call["anonymousId"] = "anon-" + e["lead"]
        else:
            call["userId"] = e["lead"]
        call["timestamp"] = utc(e["at"])
        call["properties"] = props(e)
        out.append(line(call))
        if i % 500 == 250:
            # A visitor who never identifies, and an event the map omits.
            out.append(line({"type": "track", "event": "Page Viewed",
                             "anonymousId": f"anon-visitor-{i}",
                             "timestamp": utc(e["at"]),
                             "properties": {"path": "/blog"}}))
            out.append(line({"type": "track", "event": "Signed In",
                             "userId": e["lead"], "timestamp": utc(e["at"]),
                             "properties": {}}))
    with open(f"{DIR}/segment/track.jsonl", "w") as f:
        f.writelines(out)


if __name__ == "__main__":
    main()
