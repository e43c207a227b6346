//! CSV reading agrees with the `csv` crate on every input: chunks cut at
//! record boundaries (forced small here) give the records the crate reads
//! from the whole text; quotes inside unquoted cells, quoted commas and
//! line ends, CRLF and unclosed quotes; and line numbers in messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::chunks::{scan_csv, Chunks};
use super::*;

type Records = Vec<Vec<Vec<u8>>>;

/// Property-test cases: `default`, or more when `FUNNEL_FUZZ_CASES` asks
/// for more (`.ci/fuzz.sh`, docs/fuzzing.md).
pub(super) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUNNEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(default, |n: u32| n.max(default))
}

/// What the `csv` crate reads from `bytes` (blank lines skipped, as it does).
fn csv_records(bytes: &[u8]) -> Records {
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    let mut rec = ::csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).unwrap() {
        out.push(rec.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

/// The records of `bytes` cut into chunks of about `size` bytes, each chunk
/// read by the `csv` crate on its own; and the line each chunk starts on.
fn chunked_records(bytes: &[u8], size: usize) -> (Records, Vec<(usize, usize)>) {
    let mut chunks = Chunks::new(bytes, Vec::new(), 1, true).with_size(size);
    let (mut out, mut lines, mut at) = (Vec::new(), Vec::new(), 0);
    while let Some((chunk, line)) = chunks.next_chunk(Vec::new()).unwrap() {
        lines.push((at, line));
        at += chunk.len();
        out.extend(csv_records(&chunk));
    }
    (out, lines)
}

fn cell_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![b'a', b'b', b',', b'"', b'\n', b'\r', b' ']),
        0..160,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(2000)))]

    /// Chunked reading gives the `csv` crate's records, and every chunk
    /// starts on the line its first byte is on.
    #[test]
    fn chunks_agree_with_the_csv_crate(bytes in cell_bytes(), size in 1usize..48) {
        let (got, lines) = chunked_records(&bytes, size);
        prop_assert_eq!(got, csv_records(&bytes));
        for (at, line) in lines {
            let before = bytes[..at].iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(line, before + 1);
        }
    }
}

#[test]
fn a_quote_inside_an_unquoted_cell_is_a_plain_character() {
    // The `csv` crate reads `24" monitors` as text: the quote opens nothing,
    // so the quoted line end of the next row is inside its cell.
    let text = b"L1,/blog 24\" monitors,\nL2,\"budget\ncut\"\nL3,x\n";
    assert_eq!(scan_csv(text).open, None);
    assert_eq!(scan_csv(text).boundary, Some(text.len()));
    // Cut inside `"budget⏎cut"`: no record may end at its line end.
    let head = &text[..text.len() - 9];
    assert_eq!(head, b"L1,/blog 24\" monitors,\nL2,\"budget\nc");
    assert_eq!(scan_csv(head).boundary, Some(23));
    assert_eq!(scan_csv(head).open, Some(26));
    for size in 1..text.len() {
        assert_eq!(chunked_records(text, size).0, csv_records(text), "{size}");
    }
}

#[test]
fn doubled_quotes_and_quotes_after_a_closed_cell_are_read_as_the_crate_does() {
    for text in [
        &b"\"a\"\"b\",c\n\"\"\"\"\nd\n"[..],
        b"\"a\"b\"c\nd\n",
        b"\"x\" \"y\nz\n",
        b"a\r\"b\nc\"\r\nd\n",
        b"\"\",\"\"\n\"\n\"\n",
    ] {
        for size in 1..text.len() + 1 {
            assert_eq!(chunked_records(text, size).0, csv_records(text));
        }
    }
}

fn compiled() -> Compiled {
    let text = include_str!("../../../../playbooks/saas_inbound.funnel");
    let program = funnel_check::check_source(text).program.unwrap();
    funnel_engine::compile(&program, text)
}

const LEADS: &str = "id,email,title,company,company_size,industry,country,source
L1,a@x.com,CEO,X,10,retail,US,organic
L2,b@y.com,CTO,Y,20,retail,US,organic
";

const HEADER: &str = "lead,event,at,path,form,asset,template,amount,kind,reason\n";

fn read_events(events: &str, policy: BadRows, threads: usize) -> Result<Dataset, DataError> {
    let c = compiled();
    let mut ds = Dataset::new(&c);
    ds.read_leads_threads(&c, LEADS.as_bytes(), "leads", Format::Csv, policy, 1)?;
    ds.read_events_threads(
        &c,
        events.as_bytes(),
        "events",
        Format::Csv,
        policy,
        threads,
    )?;
    Ok(ds)
}

#[test]
fn a_quoted_line_end_after_an_inch_mark_never_becomes_an_event() {
    // Issue 12, finding 1: `24"` opens nothing, so `"budget⏎cut"` is one
    // cell wherever the 4 KB test chunks happen to end.
    let mut events = String::from(HEADER);
    events.push_str("L1,page_view,2026-03-02 10:00,/blog 24\" monitors,,,,,,\n");
    events.push_str("L1,deal_lost,2026-03-03 10:00,,,,,,,\"budget\ndeal_lost\"\n");
    for i in 0..2000 {
        events.push_str(&format!(
            "L2,page_view,2026-03-04 10:{:02},/,,,,,,\n",
            i % 60
        ));
    }
    for threads in [1, 3] {
        let ds = read_events(&events, BadRows::Error, threads).unwrap();
        assert_eq!(ds.events.recs.len(), 2002);
        assert_eq!(ds.event_report.rejected, 0);
    }
}

#[test]
fn an_unclosed_quote_is_an_error_naming_the_line_it_opened_on() {
    // Finding 2: in the last column it swallowed the rest of the file.
    let last = format!(
        "{HEADER}L1,page_view,2026-03-02 10:00,/,,,,,,\n\
         L1,deal_lost,2026-03-03 10:00,,,,,,,\"budget cut\n\
         L1,page_view,2026-03-04 10:00,/,,,,,,\n\
         L1,page_view,2026-03-05 10:00,/,,,,,,\n"
    );
    for policy in [BadRows::Error, BadRows::Skip] {
        let e = read_events(&last, policy, 2).unwrap_err();
        assert_eq!(
            e.message,
            "malformed CSV: the quote opened on line 3 is never closed"
        );
        assert_eq!((e.line, e.column), (Some(3), Some(10)));
    }
    // In a middle column it was reported as a wrong number of cells.
    let middle = format!(
        "{HEADER}L1,page_view,2026-03-02 10:00,\"/pricing,,,,,,\n\
         L1,page_view,2026-03-04 10:00,/,,,,,,\n"
    );
    let e = read_events(&middle, BadRows::Error, 1).unwrap_err();
    assert_eq!(
        e.message,
        "malformed CSV: the quote opened on line 2 is never closed"
    );
    assert_eq!((e.line, e.column), (Some(2), Some(4)));
}

#[test]
fn line_numbers_count_crlf_and_blank_lines() {
    // Finding 8: with CRLF every line was one too low; after blank lines in
    // a chunk with quotes, the first blank line was named.
    let rows = "L1,page_view,2026-03-02 10:00,\"/a\",,,,,,\n\
                L1,page_view,2026-03-02 11:00,/b,,,,,,\n\
                \n\
                \n\
                L9,page_view,2026-03-02 12:00,/c,,,,,,\n";
    let lf = format!("{HEADER}{rows}");
    let crlf = lf.replace('\n', "\r\n");
    let plain = lf.replace("\"/a\"", "/a");
    for text in [&lf, &crlf, &plain] {
        for threads in [1, 2] {
            let e = read_events(text, BadRows::Error, threads).unwrap_err();
            assert_eq!(e.message, "event for unknown lead `L9`", "{text:?}");
            assert_eq!(e.line, Some(6), "{text:?}");
        }
    }
}
