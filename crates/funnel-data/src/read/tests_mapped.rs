//! Data as it comes (issue 17, part 2), with exact expected values worked
//! out by hand: Segment `identify` ordering, the anonymous → user join,
//! unmapped events counted and `--strict`, CSV header mapping with a date
//! format, and map errors naming the map file and line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use funnel_engine::data::RejectKind;
use funnel_engine::value::Value;

const PLAYBOOK: &str = r#"playbook "Mapped"
timezone "Europe/Warsaw"
lead {
  email    text
  size     number?
  industry one of software | retail
  signed   date?
}
event visit { page: text }
event deal  { amount: money }
funnel {
  Lead on any event
  Customer on deal
}
"#;

fn compiled() -> Compiled {
    let program = funnel_check::check_source(PLAYBOOK).program.unwrap();
    funnel_engine::compile(&program, PLAYBOOK)
}

fn map(c: &Compiled, yaml: &str) -> Result<Mapping, DataError> {
    Mapping::parse(yaml, "map.yaml", c)
}

struct Read {
    ds: Dataset,
}

fn read(
    leads: &str,
    events: &str,
    format: Format,
    yaml: Option<&str>,
    strict: bool,
) -> Result<Read, DataError> {
    let c = compiled();
    let m = yaml.map(|y| map(&c, y).unwrap());
    let mapped = Mapped {
        map: m.as_ref(),
        strict,
    };
    let mut ds = Dataset::new(&c);
    let links =
        ds.read_leads_mapped(&c, leads.as_bytes(), "l", format, BadRows::Error, 2, mapped)?;
    ds.read_events_mapped(
        &c,
        events.as_bytes(),
        "e",
        format,
        BadRows::Error,
        2,
        mapped,
        &links,
    )?;
    Ok(Read { ds })
}

impl Read {
    /// Lead `id`'s field values as text (`-` for missing).
    fn lead(&self, id: &str) -> Vec<String> {
        let i = *self.ds.leads.index.get(id).unwrap() as usize;
        self.ds
            .leads
            .fields(i)
            .iter()
            .map(|v| match v {
                Value::Text(s) => self.ds.texts.resolve(*s).to_string(),
                Value::Num(n) => n.to_string(),
                Value::Time(t) => t.to_string(),
                Value::Missing => "-".to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    /// Events as (lead id, event name, instant).
    fn events(&self) -> Vec<(String, String, i64)> {
        let c = compiled();
        self.ds
            .events
            .recs
            .iter()
            .map(|r| {
                (
                    self.ds.leads.ids[r.lead as usize].to_string(),
                    c.events[r.event as usize].name.clone(),
                    r.at,
                )
            })
            .collect()
    }
}

const IDENTIFY: &str = r#"{"type":"identify","userId":"u1","anonymousId":"a1","timestamp":"2026-03-02T10:00:00Z","traits":{"email":"new@x.io","company":{"size":50},"industry":"software"}}
{"type":"identify","userId":"u2","timestamp":"2026-03-01T00:00:00Z","traits":{"email":"b@x.io","industry":"retail","company":{"size":7}}}
{"type":"identify","userId":"u1","timestamp":"2026-03-01T09:00:00Z","traits":{"email":"old@x.io","company":{"size":10},"industry":"retail"}}
{"type":"identify","userId":"u2","timestamp":"2026-03-05T00:00:00Z","traits":{"company":{"size":null}}}
{"type":"page","userId":"u2","timestamp":"2026-03-05T00:00:00Z","name":"Home"}
"#;

const TRACK: &str = r#"{"type":"track","event":"Page Viewed","anonymousId":"a1","timestamp":"2026-02-28T08:00:00Z","properties":{"path":"/pricing"}}
{"type":"track","event":"Page Viewed","anonymousId":"a9","timestamp":"2026-02-28T09:00:00Z","properties":{"path":"/blog"}}
{"type":"track","event":"Signed In","userId":"u2","timestamp":"2026-03-02T09:00:00Z","properties":{}}
{"type":"track","event":"Order Completed","userId":"u2","timestamp":"2026-03-03T09:00:00Z","properties":{"revenue":"$1,200"}}
{"type":"track","event":"Signed In","userId":"u1","timestamp":"2026-03-04T09:00:00Z"}
{"type":"track","event":"visit","userId":"u1","anonymousId":"a1","timestamp":"2026-03-06T09:00:00+01:00","properties":{"path":"/docs"}}
"#;

const MAP: &str = "leads:\n  fields:\n    traits.company.size: size\nevents:\n  names:\n    Page Viewed: visit\n    Order Completed: deal\n  fields:\n    properties.path: page\n    properties.revenue: amount\n";

#[test]
fn later_identify_calls_win_by_timestamp_and_null_clears() {
    let r = read(IDENTIFY, TRACK, Format::Segment, Some(MAP), false).unwrap();
    assert_eq!(r.ds.leads.ids, vec![Box::from("u1"), Box::from("u2")]);
    // u1: the 10:00 call (line 1) beats the 09:00 call on line 3.
    assert_eq!(r.lead("u1"), ["new@x.io", "50", "software", "-"]);
    // u2: the 03-05 call clears the size the 03-01 call gave.
    assert_eq!(r.lead("u2"), ["b@x.io", "-", "retail", "-"]);
    let lr = &r.ds.lead_report;
    // 5 lines: 4 identify calls used (2 leads), 1 page call counted.
    assert_eq!((lr.read, lr.used, lr.rejected), (5, 4, 0));
    assert_eq!(
        lr.unmapped.iter().collect::<Vec<_>>(),
        [(&"[page call]".to_string(), &1)]
    );
}

#[test]
fn anonymous_events_join_the_lead_an_identify_links() {
    let r = read(IDENTIFY, TRACK, Format::Segment, Some(MAP), false).unwrap();
    // 2026-02-28T08:00Z = 1772265600; 2026-03-03T09:00Z = 1772528400;
    // 2026-03-06T09:00+01:00 = 2026-03-06T08:00Z = 1772784000.
    assert_eq!(
        r.events(),
        [
            ("u1".into(), "visit".into(), 1_772_265_600),
            ("u2".into(), "deal".into(), 1_772_528_400),
            ("u1".into(), "visit".into(), 1_772_784_000),
        ]
    );
    let er = &r.ds.event_report;
    assert_eq!((er.read, er.used, er.rejected), (6, 3, 0));
    let unmapped: Vec<(&str, usize)> = er.unmapped.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(
        unmapped,
        [("Signed In", 2), ("[anonymous, never identified]", 1)]
    );
}

#[test]
fn strict_makes_an_unmapped_event_an_error() {
    let e = read(IDENTIFY, TRACK, Format::Segment, Some(MAP), true)
        .err()
        .unwrap();
    // The page call on line 5 of the leads file comes first.
    assert_eq!(e.location(), "l:5");
    assert_eq!(
        e.message,
        "a `page` call where `identify` calls are read (--strict)"
    );
    let leads = IDENTIFY.lines().take(4).collect::<Vec<_>>().join("\n");
    let e = read(&leads, TRACK, Format::Segment, Some(MAP), true)
        .err()
        .unwrap();
    assert_eq!(e.location(), "e:3");
    assert_eq!(
        e.message,
        "event `Signed In` is neither mapped nor a playbook event (--strict)"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("map it under `events: names:` in map.yaml (`Signed In: <playbook event>`), or leave out --strict to count such rows and go on")
    );
}

const CSV_MAP: &str = r#"leads:
  fields:
    Record ID: id
    Email: email
    Number of Employees: size
    Industry: industry
    Close Date: signed
  formats:
    signed: "%m/%d/%Y"
events:
  names:
    Page View: visit
  fields:
    Contact ID: lead
    Activity: event
    Activity Date: at
    URL: page
  formats:
    at: "%m/%d/%Y %I:%M %p"
"#;

#[test]
fn a_csv_export_reads_through_the_map() {
    let leads = "Record ID,Email,Lifecycle Stage,Number of Employees,Industry,Close Date\n\
                 101,a@x.io,lead,12,software,03/02/2026\n\
                 102,b@x.io,customer,,retail,\n";
    let events = "Contact ID,Activity,Activity Date,URL,Owner\n\
                  101,Page View,03/02/2026 09:30 AM,/pricing,Kim\n\
                  102,Call Logged,03/02/2026 01:00 PM,,Kim\n\
                  102,Page View,03/03/2026 01:05 PM,/docs,Lee\n";
    let r = read(leads, events, Format::Csv, Some(CSV_MAP), false).unwrap();
    // 03/02/2026 is 2026-03-02 00:00 in Warsaw (UTC+1): 2026-03-01T23:00Z.
    assert_eq!(r.lead("101"), ["a@x.io", "12", "software", "1772406000"]);
    assert_eq!(r.lead("102"), ["b@x.io", "-", "retail", "-"]);
    assert_eq!(r.ds.lead_report.ignored_columns, ["Lifecycle Stage"]);
    // 09:30 AM Warsaw = 08:30Z; 01:05 PM on 03/03 = 12:05Z.
    assert_eq!(
        r.events(),
        [
            ("101".into(), "visit".into(), 1_772_440_200),
            ("102".into(), "visit".into(), 1_772_539_500),
        ]
    );
    let er = &r.ds.event_report;
    assert_eq!((er.read, er.used, er.rejected), (3, 2, 0));
    assert_eq!(
        er.unmapped.iter().collect::<Vec<_>>(),
        [(&"Call Logged".to_string(), &1)]
    );
    assert_eq!(er.ignored_columns, ["Owner"]);

    // A date that does not match its format: the data file's line and column.
    let bad = events.replace("03/03/2026 01:05 PM", "2026-03-03 13:05");
    let e = read(leads, &bad, Format::Csv, Some(CSV_MAP), false)
        .err()
        .unwrap();
    assert_eq!(e.location(), "e:4:3");
    assert_eq!(
        e.message,
        "bad value in column `Activity Date`: `2026-03-03 13:05` does not match the date format `%m/%d/%Y %I:%M %p` (map.yaml:19)"
    );
    // A mapped column the export does not have.
    let e = read(
        leads,
        &bad.replace("URL", "Link"),
        Format::Csv,
        Some(CSV_MAP),
        false,
    )
    .err()
    .unwrap();
    assert_eq!(e.location(), "e:1");
    assert_eq!(
        e.message,
        "the header has no `URL` column, which map.yaml:17 maps to `page`"
    );
    // Under --strict an unmapped column is an unknown column again.
    let e = read(leads, events, Format::Csv, Some(CSV_MAP), true)
        .err()
        .unwrap();
    assert_eq!(
        (e.location().as_str(), e.message.as_str()),
        ("l:1:3", "unknown column `Lifecycle Stage`")
    );
}

#[test]
fn map_problems_name_the_map_line() {
    let c = compiled();
    let cases = [
        (
            "events:\n  names:\n    Page View: vist\n",
            "map.yaml:3",
            "`vist` is not an event of the playbook",
            "did you mean `visit`?",
        ),
        (
            "leads:\n  fields:\n    traits.a: email\n    traits.b: sise\n",
            "map.yaml:4",
            "`sise` is not a lead field of the playbook",
            "did you mean `size`?",
        ),
        (
            "events:\n  formats:\n    at: \"%m/%d/%Q\"\n",
            "map.yaml:3",
            "bad date format `%m/%d/%Q`: it has a specifier chrono does not know (item 5)",
            "write a chrono format, e.g. `%m/%d/%Y %H:%M` for `03/02/2026 09:00` or `%Y-%m-%d %I:%M %p` for `2026-03-02 09:00 AM`",
        ),
        (
            "events:\n  formats:\n    at: \"%H:%M\"\n",
            "map.yaml:3",
            "bad date format `%H:%M`: it does not name a whole date (it needs a year, a month and a day)",
            "write a chrono format, e.g. `%m/%d/%Y %H:%M` for `03/02/2026 09:00` or `%Y-%m-%d %I:%M %p` for `2026-03-02 09:00 AM`",
        ),
        (
            "leads:\n  formats:\n    size: \"%Y\"\n",
            "map.yaml:3",
            "`size` is not a lead field of the playbook declared `date` or `datetime`",
            "formats are for instants: `at` and fields declared `date` or `datetime`",
        ),
        (
            "lead:\n  fields: {}\n",
            "map.yaml:1",
            "unknown section `lead`",
            "the map has two sections: `leads:` and `events:`",
        ),
        (
            "events:\n  fields:\n    A: page\n    B: page\n",
            "map.yaml:4",
            "`page` is mapped twice: from `A` (line 3) and from `B`",
            "map each field from one source",
        ),
    ];
    for (yaml, at, message, help) in cases {
        let e = map(&c, yaml).unwrap_err();
        assert_eq!(
            (e.location().as_str(), e.message.as_str(), e.help.as_deref()),
            (at, message, Some(help)),
            "{yaml}"
        );
    }
    let e = map(&c, "events:\n  names: [a, b\n").unwrap_err();
    assert_eq!(e.file, "map.yaml");
    assert_eq!(e.line, Some(3));
    assert!(
        e.message.starts_with("malformed YAML in the map: "),
        "{}",
        e.message
    );
}

#[test]
fn segment_is_told_by_the_first_line() {
    let track = b"\n{\"type\":\"track\",\"event\":\"x\"}\n";
    assert_eq!(Format::Jsonl.refine(track), Format::Segment);
    assert_eq!(
        Format::Jsonl.refine(b"{\"lead\":\"L1\",\"type\":\"x\"}\n"),
        Format::Jsonl
    );
    assert_eq!(Format::Csv.refine(track), Format::Csv);
}

#[test]
fn skipped_identify_calls_are_counted_by_call() {
    let c = compiled();
    let leads = r#"{"type":"identify","userId":"u1","timestamp":"2026-03-01T00:00:00Z","traits":{"email":"a@x.io","industry":"retail"}}
{"type":"identify","userId":"u1","timestamp":"2026-03-02T00:00:00Z","traits":{"industry":"mining"}}
{"type":"identify","userId":"u3","timestamp":"2026-03-02T00:00:00Z","traits":{"industry":"software"}}
"#;
    let mut ds = Dataset::new(&c);
    let m = Mapped::default();
    ds.read_leads_mapped(
        &c,
        leads.as_bytes(),
        "l",
        Format::Segment,
        BadRows::Skip,
        1,
        m,
    )
    .unwrap();
    // Line 2's value is refused with its call (u1 keeps `retail`); u3 never
    // gets its required email, so its one call is rejected with it.
    assert_eq!(ds.leads.ids, vec![Box::from("u1")]);
    let r = &ds.lead_report;
    assert_eq!((r.read, r.used, r.rejected), (3, 1, 2));
    let kinds: Vec<(RejectKind, usize, &str)> = r
        .by_kind
        .iter()
        .map(|(k, (n, first))| (*k, *n, first.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [(
            RejectKind::BadValue,
            2,
            "l:2: bad value in `traits.industry`: `mining` is not one of software | retail"
        )]
    );
    let fields = ds.leads.fields(0);
    assert_eq!(
        ds.texts.resolve(match fields[2] {
            Value::Text(s) => s,
            _ => unreachable!(),
        }),
        "retail"
    );
}

#[test]
fn json_lines_keys_are_renamed_by_the_map() {
    let leads =
        "{\"ID\":\"L1\",\"E-mail\":\"a@x.io\",\"industry\":\"software\",\"owner\":\"kim\"}\n";
    let events =
        "{\"who\":\"L1\",\"what\":\"Page View\",\"when\":\"03/02/2026 10:00\",\"url\":\"/\"}\n";
    let yaml = "leads:\n  fields:\n    ID: id\n    E-mail: email\nevents:\n  names:\n    Page View: visit\n  fields:\n    who: lead\n    what: event\n    when: at\n    url: page\n  formats:\n    at: \"%m/%d/%Y %H:%M\"\n";
    let r = read(leads, events, Format::Jsonl, Some(yaml), false).unwrap();
    assert_eq!(r.lead("L1"), ["a@x.io", "-", "software", "-"]);
    assert_eq!(r.ds.lead_report.ignored_columns, ["owner"]);
    // 10:00 in Warsaw (UTC+1) on 2026-03-02 is 09:00Z.
    assert_eq!(r.events(), [("L1".into(), "visit".into(), 1_772_442_000)]);
}

#[test]
fn one_export_of_both_kinds_serves_as_both_files() {
    // The identify and track calls of the tests above in one file, with a
    // `page` call: under --strict only the page call is refused.
    let both = format!(
        "{}{TRACK}",
        IDENTIFY.lines().take(4).collect::<Vec<_>>().join("\n") + "\n"
    );
    let r = read(&both, &both, Format::Segment, Some(MAP), false).unwrap();
    assert_eq!(r.lead("u1"), ["new@x.io", "50", "software", "-"]);
    assert_eq!(r.events().len(), 3);
    let count = |rep: &funnel_engine::InputReport| -> Vec<(String, usize)> {
        rep.unmapped.iter().map(|(k, n)| (k.clone(), *n)).collect()
    };
    assert_eq!(count(&r.ds.lead_report), [("[track call]".to_string(), 6)]);
    assert_eq!(
        count(&r.ds.event_report),
        [
            ("Signed In".to_string(), 2),
            ("[anonymous, never identified]".to_string(), 1),
            ("[identify call]".to_string(), 4),
        ]
    );
    // Under --strict the two unmapped `Signed In` calls still stop the run
    // (line 4 + 3), not the identify calls before them.
    let e = read(&both, &both, Format::Segment, Some(MAP), true)
        .err()
        .unwrap();
    assert_eq!(e.location(), "e:7");
}

#[test]
fn a_line_that_is_not_a_call_is_a_bad_row_on_its_line() {
    let track = "{\"type\":\"track\",\"event\":\"visit\",\"userId\":\"u1\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"properties\":{\"path\":\"/\"}}\n\
                 {\"type\":\"track\",\"event\":5,\"userId\":\"u1\"}\n\
                 {\"type\":\"track\",\"event\":\"visit\"\n";
    let e = read(IDENTIFY, track, Format::Segment, Some(MAP), false)
        .err()
        .unwrap();
    assert_eq!(
        (e.location().as_str(), e.code),
        ("e:2:25", "funnel::data::malformed")
    );
    assert!(
        e.message
            .starts_with("not a Segment call: invalid type: integer `5`"),
        "{}",
        e.message
    );
    // Skipped and counted under --on-bad-row skip, with the unclosed line 3.
    let c = compiled();
    let m = map(&c, MAP).unwrap();
    let mapped = Mapped {
        map: Some(&m),
        strict: false,
    };
    let mut ds = Dataset::new(&c);
    let links = ds
        .read_leads_mapped(
            &c,
            IDENTIFY.as_bytes(),
            "l",
            Format::Segment,
            BadRows::Skip,
            1,
            mapped,
        )
        .unwrap();
    ds.read_events_mapped(
        &c,
        track.as_bytes(),
        "e",
        Format::Segment,
        BadRows::Skip,
        1,
        mapped,
        &links,
    )
    .unwrap();
    let r = &ds.event_report;
    assert_eq!((r.read, r.used, r.rejected), (3, 1, 2));
}
