//! Reading the same rows whatever the split: CSV and JSON Lines files cut
//! into many small chunks (4 KB in tests) and decoded on 1 to 4 threads
//! give the same dataset, the same counts and the same first problem.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::decode;
use crate::sample::{write_sample, SampleFormat, SampleOptions};
use funnel_engine::data::RejectKind;

fn compiled() -> Compiled {
    let text = include_str!("../../../../playbooks/saas_inbound.funnel");
    let program = funnel_check::check_source(text).program.unwrap();
    funnel_engine::compile(&program, text)
}

fn sample(c: &Compiled, format: SampleFormat) -> (String, String) {
    let opts = SampleOptions {
        leads: 600,
        seed: 11,
        start: decode::parse_instant("2026-01-05", c.tz).unwrap(),
        days: 177,
    };
    let (mut l, mut e) = (Vec::new(), Vec::new());
    write_sample(c, &opts, format, &mut l, &mut e).unwrap();
    (String::from_utf8(l).unwrap(), String::from_utf8(e).unwrap())
}

fn read(
    c: &Compiled,
    leads: &str,
    events: &str,
    format: Format,
    policy: BadRows,
    threads: usize,
) -> Result<Dataset, DataError> {
    let mut ds = Dataset::new(c);
    ds.read_leads_threads(c, leads.as_bytes(), "leads", format, policy, threads)?;
    ds.read_events_threads(c, events.as_bytes(), "events", format, policy, threads)?;
    Ok(ds)
}

fn same(a: &Dataset, b: &Dataset) {
    assert_eq!(a.leads.ids, b.leads.ids);
    assert_eq!(a.leads.values, b.leads.values);
    assert_eq!(a.events.recs, b.events.recs);
    assert_eq!(a.events.values, b.events.values);
    assert_eq!(a.texts.len(), b.texts.len());
    assert_eq!(a.lead_report, b.lead_report);
    assert_eq!(a.event_report.read, b.event_report.read);
    assert_eq!(a.event_report.by_kind, b.event_report.by_kind);
}

#[test]
fn csv_and_jsonl_read_the_same_on_any_threads() {
    let c = compiled();
    let (l, e) = sample(&c, SampleFormat::Csv);
    assert!(e.len() > 40 * 4096, "the sample must span many chunks");
    let one = read(&c, &l, &e, Format::Csv, BadRows::Error, 1).unwrap();
    assert!(one.events.recs.len() > 3_000);
    for t in [2, 3, 4] {
        same(
            &one,
            &read(&c, &l, &e, Format::Csv, BadRows::Error, t).unwrap(),
        );
    }
    let (jl, je) = sample(&c, SampleFormat::Jsonl);
    for t in [1, 3] {
        let j = read(&c, &jl, &je, Format::Jsonl, BadRows::Error, t).unwrap();
        assert_eq!(j.events.recs, one.events.recs);
        assert_eq!(j.events.values, one.events.values);
        assert_eq!(j.leads.values, one.leads.values);
    }
    // CRLF line ends and a quoted cell read the same.
    let crlf = e.replace('\n', "\r\n");
    same(
        &one,
        &read(&c, &l, &crlf, Format::Csv, BadRows::Error, 2).unwrap(),
    );
    let quoted = e.replacen(",/product,", ",\"/product\",", 5);
    same(
        &one,
        &read(&c, &l, &quoted, Format::Csv, BadRows::Error, 2).unwrap(),
    );
}

/// The events file with bad rows spread over it.
fn with_problems(e: &str) -> String {
    let mut lines: Vec<String> = e.lines().map(String::from).collect();
    let n = lines.len();
    let bad = [
        (n / 5, "L9999,page_view,2026-02-01 10:00,/,,,,,,"),
        (n / 3, "L0001,webinar,2026-02-01 10:00,,,,,,,"),
        (n / 2, "L0001,page_view,2026-02-30 10:00,/,,,,,,"),
        (2 * n / 3, "L0001,page_view,2026-02-01 10:00,/"),
        (3 * n / 4, ""),
        (4 * n / 5, "L0001,demo_request,2026-02-01 10:00,/x,,,,,,"),
        (9 * n / 10, "L0002,deal_won,2026-02-01 10:00,,,,,lots,new,"),
    ];
    for (i, row) in bad.iter().rev() {
        lines.insert(*i, row.to_string());
    }
    lines.join("\n") + "\n"
}

#[test]
fn problems_are_counted_and_reported_in_file_order_on_any_threads() {
    let c = compiled();
    let (l, e) = sample(&c, SampleFormat::Csv);
    let bad = with_problems(&e);
    let one = read(&c, &l, &bad, Format::Csv, BadRows::Skip, 1).unwrap();
    assert_eq!(one.event_report.rejected, 6);
    assert_eq!(one.event_report.by_kind.len(), 3);
    for t in [2, 4] {
        let other = read(&c, &l, &bad, Format::Csv, BadRows::Skip, t).unwrap();
        same(&one, &other);
        assert_eq!(one.event_report, other.event_report);
    }
    let first = read(&c, &l, &bad, Format::Csv, BadRows::Error, 1).unwrap_err();
    assert_eq!(first.message, "event for unknown lead `L9999`");
    let n = e.lines().count();
    assert_eq!(first.line, Some(n / 5 + 1));
    for t in [2, 3] {
        assert_eq!(
            read(&c, &l, &bad, Format::Csv, BadRows::Error, t).unwrap_err(),
            first
        );
    }
}

#[test]
fn a_repeated_lead_id_is_reported_before_a_bad_value_of_its_row() {
    let c = compiled();
    let (l, e) = sample(&c, SampleFormat::Csv);
    let mut rows: Vec<&str> = l.lines().collect();
    // Lead 3 again, with an industry that is not one of the declared ones.
    let header: Vec<&str> = rows[0].split(',').collect();
    let at = header.iter().position(|h| *h == "industry").unwrap();
    let mut cells: Vec<&str> = rows[3].split(',').collect();
    cells[at] = "nonsense";
    let copy = cells.join(",");
    rows.push(&copy);
    // Alone, that row is a bad value.
    let alone = rows[0].to_string() + "\n" + &copy + "\n";
    let mut ds = Dataset::new(&c);
    let err = ds
        .read_leads(&c, alone.as_bytes(), "leads", Format::Csv, BadRows::Error)
        .unwrap_err();
    assert_eq!(err.kind, Some(RejectKind::BadValue));
    let leads = rows.join("\n") + "\n";
    for t in [1, 2] {
        let err = read(&c, &leads, &e, Format::Csv, BadRows::Error, t).unwrap_err();
        assert_eq!(err.kind, Some(RejectKind::DuplicateLead), "{err}");
        assert_eq!(err.line, Some(rows.len()));
    }
}
