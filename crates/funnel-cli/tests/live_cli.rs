//! `funnel live`, `funnel ingest` from the command line: refused rows named
//! by file, row and field while the rest is applied; re-sent files change
//! nothing; the state never moves back; a changed playbook is refused until
//! accepted; status and dead letters print what the state holds.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{funnel, scratch as tempdir};
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const LEADS: &str = "id,email,title,company,company_size,industry,country,source\n\
D1,dana@northwind.io,VP Marketing,Northwind,120,software,DE,organic\n\
D2,lee@shoply.com,,Shoply,15,retail,US,paid_social\n";

const EVENTS: &str = "lead,event,at,asset,path\n\
D1,content_download,2026-03-02 10:00,revops-benchmark,\n\
D1,page_vew,2026-03-02 10:05,,/x\n\
D9,page_view,2026-03-02 10:06,,/x\n\
D2,page_view,2026-03-02 11:00,,/pricing\n";

#[test]
fn ingest_applies_good_rows_names_bad_ones_and_never_applies_a_row_twice() {
    let dir = tempdir("ingest");
    let state = dir.join("state.db");
    let (leads, events) = (dir.join("leads.csv"), dir.join("events.csv"));
    std::fs::write(&leads, LEADS).unwrap();
    std::fs::write(&events, EVENTS).unwrap();
    let pb = format!("{ROOT}/playbooks/saas_inbound.funnel");
    let (code, out, _) = funnel(&["live", "init", "--state", s(&state)]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("state file `{}` is ready (format version 1)\n", s(&state))
    );

    let ingest = |extra: &[&str]| {
        let mut a = vec![
            "ingest",
            pb.as_str(),
            "--state",
            s(&state),
            "--leads",
            s(&leads),
            "--events",
            s(&events),
        ];
        a.extend_from_slice(extra);
        funnel(&a)
    };
    let (code, out, err) = ingest(&["--as-of", "2026-03-02 10:30"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("leads: 2 received, 2 new, 0 already stored, 0 refused\n"),
        "{out}"
    );
    assert!(
        out.contains("events: 4 received, 2 new, 0 already stored, 2 refused\n"),
        "{out}"
    );
    // D1 enters the funnel and gets "content-thanks"; D2's event (11:00)
    // is still in the future.
    assert!(
        out.contains(
            "stepped 1 leads to 2026-03-02T10:30:00-05:00; 0 late events; 2 new actions\n"
        ),
        "{out}"
    );
    let ev = s(&events);
    // Each refused row is shown with the cell at fault underlined.
    assert!(
        err.contains(&format!(
            "funnel::data::refused_row\n\n  × unknown event type `page_vew`\n   ╭─[{ev}:3:4]\n 3 │ D1,page_vew,2026-03-02 10:05,,/x\n   ·    ────┬───\n   ·        ╰── `event`\n"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "funnel::data::refused_row\n\n  × event for unknown lead `D9`\n   ╭─[{ev}:4:1]\n 4 │ D9,page_view,2026-03-02 10:06,,/x\n   · ─┬\n   ·  ╰── `lead`\n"
        )),
        "{err}"
    );

    // The same files again: nothing new; the clock moved, so D2 enters the
    // funnel and D1's reminder (wait 2 days) comes due.
    let (code, out, _) = ingest(&["--as-of", "2026-03-04 10:00"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("leads: 2 received, 0 new, 2 already stored, 0 refused\n"),
        "{out}"
    );
    assert!(
        out.contains("events: 4 received, 0 new, 2 already stored, 2 refused\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "stepped 2 leads to 2026-03-04T10:00:00-05:00; 0 late events; 2 new actions\n"
        ),
        "{out}"
    );

    // Never back in time.
    let (code, _, err) = ingest(&["--as-of", "2026-03-01"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "funnel::live::as_of_backwards\n\n  \
         × `--as-of 2026-03-01T00:00:00-05:00` is before the state's as-of instant\n  \
         │ 2026-03-04T10:00:00-05:00\n  \
         help: the state only moves forward; pass `--as-of` at or after 2026-03-04T10:00:00-05:00\n\n"
    );

    let (code, out, _) = funnel(&["live", "status", "--state", s(&state)]);
    assert_eq!(code, 0);
    assert!(out.contains("playbook   SaaS inbound\n"), "{out}");
    assert!(
        out.contains("as of      2026-03-04T10:00:00-05:00\n"),
        "{out}"
    );
    assert!(out.contains("leads      2\nevents     2\n"), "{out}");
    assert!(out.contains("outbox     4 pending\n"), "{out}");
    let (code, out, _) = funnel(&["live", "dead-letters", "--state", s(&state)]);
    assert_eq!((code, out.as_str()), (0, "no dead letters\n"));
    // A backup is a state file of its own with the same rows.
    let copy = dir.join("copy.db");
    let (code, _, err) = funnel(&["live", "backup", "--state", s(&state), "--to", s(&copy)]);
    assert_eq!(code, 0, "{err}");
    let (_, copied, _) = funnel(&["live", "status", "--state", s(&copy)]);
    assert!(copied.contains("leads      2\nevents     2\n"), "{copied}");
    let (code, _, err) = funnel(&["live", "backup", "--state", s(&state), "--to", s(&copy)]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    // A changed playbook: refused with its plan, then accepted.
    let changed = dir.join("changed.funnel");
    let text = std::fs::read_to_string(&pb)
        .unwrap()
        .replace("\"content-thanks\"", "\"content-thanks-v2\"");
    std::fs::write(&changed, text).unwrap();
    let (code, out, _) = funnel(&["live", "plan", s(&changed), "--state", s(&state)]);
    assert_eq!(code, 0);
    assert!(
        out.contains("send content-thanks-v2: 0 -> 1 (1 added, 0 removed, 0 moved)\n"),
        "{out}"
    );
    let mut a = vec![
        "ingest",
        s(&changed),
        "--state",
        s(&state),
        "--as-of",
        "2026-03-04 10:00",
    ];
    let (code, _, err) = funnel(&a);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "funnel::live::error\n\n  × the playbook differs from the one the state was built with, and the change alters the stored\n  │ history:\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("  │     send content-thanks: 1 -> 0 (0 added, 1 removed, 0 moved)\n"),
        "{err}"
    );
    assert!(err.contains("help: review the change"), "{err}");
    a.push("--accept-plan");
    let (code, _, err) = funnel(&a);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 new actions for the past recorded as skipped (not delivered), 1 pending actions retracted"), "{err}");
}

#[test]
fn a_missing_state_file_or_a_bad_delivery_spec_is_a_clear_error() {
    let dir = tempdir("errors");
    let pb = format!("{ROOT}/playbooks/saas_inbound.funnel");
    let state = dir.join("none.db");
    let (code, _, err) = funnel(&["ingest", &pb, "--state", s(&state)]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "funnel::live::error\n\n  × the state file `{}` does not exist",
            s(&state)
        )),
        "{err}"
    );
    assert!(
        err.contains("help: create it with `funnel live init --state"),
        "{err}"
    );
    let (code, _, err) = funnel(&["live", "init", "--state", s(&dir.join("no/such/dir/x.db"))]);
    assert_eq!(code, 2);
    assert!(err.contains("  × cannot open the state file"), "{err}");
    let good = dir.join("s.db");
    funnel(&["live", "init", "--state", s(&good)]);
    let (code, _, err) = funnel(&[
        "ingest",
        &pb,
        "--state",
        s(&good),
        "--deliver",
        "webhook=http://127.0.0.1:9/x",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("  × a webhook needs a signing secret\n  help: pass `--secret-file FILE`"),
        "{err}"
    );
    std::fs::write(dir.join("not.db"), "hello").unwrap();
    let (code, _, err) = funnel(&["live", "status", "--state", s(&dir.join("not.db"))]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a funnel state file"), "{err}");
}
