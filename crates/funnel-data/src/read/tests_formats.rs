//! One grammar per value across CSV, JSON Lines and YAML (issue 12,
//! finding 5): YAML scalars keep their spelling, a value CSV refuses YAML
//! refuses too, and a byte order mark is skipped in every format.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn compiled() -> Compiled {
    let text = include_str!("../../../../playbooks/saas_inbound.funnel");
    let program = funnel_check::check_source(text).program.unwrap();
    funnel_engine::compile(&program, text)
}

fn read(leads: &str, events: &str, format: Format) -> Result<Dataset, DataError> {
    let c = compiled();
    let mut ds = Dataset::new(&c);
    ds.read_leads(&c, leads.as_bytes(), "leads", format, BadRows::Error)?;
    ds.read_events(&c, events.as_bytes(), "events", format, BadRows::Error)?;
    Ok(ds)
}

/// The rest of a lead's required fields, in YAML.
const REST: &str = "  title: CEO\n  company: X\n  company_size: 10\n  industry: retail\n  country: US\n  source: organic\n";

fn yaml_leads() -> String {
    format!("- id: 1.50\n  email: a@x.io\n{REST}- id: 0x1F\n  email: b@x.io\n{REST}")
}

const CSV_HEAD: &str = "id,email,title,company,company_size,industry,country,source\n";
const CSV_ROW: &str = "L1,a@x.io,CEO,X,10,retail,US,organic\n";
const JSON_ROW: &str = "{\"id\":\"L1\",\"email\":\"a@x.io\",\"title\":\"CEO\",\"company\":\"X\",\"company_size\":10,\"industry\":\"retail\",\"country\":\"US\",\"source\":\"organic\"}\n";

#[test]
fn yaml_ids_keep_their_spelling() {
    let events = "- lead: 1.50\n  event: pricing_view\n  at: 2026-03-02 10:00\n\
                  - lead: 0x1F\n  event: pricing_view\n  at: 2026-03-02 11:00\n";
    let ds = read(&yaml_leads(), events, Format::Yaml).unwrap();
    assert_eq!(ds.leads.ids, vec![Box::from("1.50"), Box::from("0x1F")]);
    assert_eq!(ds.events.recs.len(), 2);
    assert_eq!(ds.event_report.rejected, 0);
}

#[test]
fn yaml_refuses_the_money_csv_refuses() {
    for amount in ["0x10", "1,50", "--5000", "$$$7", ".nan"] {
        let yaml = format!(
            "- lead: 1.50\n  event: deal_created\n  at: 2026-03-02 10:00\n  amount: {amount}\n"
        );
        let e = read(&yaml_leads(), &yaml, Format::Yaml).unwrap_err();
        assert_eq!(e.line, Some(1), "{amount}");
        assert!(
            e.message.contains("is not an amount of money"),
            "{amount}: {}",
            e.message
        );
        let csv = format!("lead,event,at,amount\nL1,deal_created,2026-03-02 10:00,\"{amount}\"\n");
        let leads = format!("{CSV_HEAD}{CSV_ROW}");
        let e = read(&leads, &csv, Format::Csv).unwrap_err();
        assert!(
            e.message.contains("is not an amount of money"),
            "{amount}: {}",
            e.message
        );
    }
}

#[test]
fn a_byte_order_mark_is_skipped_in_every_format() {
    let bom = "\u{feff}";
    let csv = read(
        &format!("{bom}{CSV_HEAD}{CSV_ROW}"),
        &format!("{bom}lead,event,at\nL1,pricing_view,2026-03-02 10:00\n"),
        Format::Csv,
    )
    .unwrap();
    let jsonl = read(
        &format!("{bom}{JSON_ROW}"),
        &format!(
            "{bom}{{\"lead\":\"L1\",\"event\":\"pricing_view\",\"at\":\"2026-03-02 10:00\"}}\n"
        ),
        Format::Jsonl,
    )
    .unwrap();
    let yaml = read(
        &format!("{bom}- id: L1\n  email: a@x.io\n{REST}"),
        &format!("{bom}- lead: L1\n  event: pricing_view\n  at: 2026-03-02 10:00\n"),
        Format::Yaml,
    )
    .unwrap();
    for ds in [&csv, &jsonl, &yaml] {
        assert_eq!(ds.leads.ids, vec![Box::<str>::from("L1")]);
        assert_eq!(ds.events.recs.len(), 1);
    }
}

#[test]
fn deeply_nested_yaml_is_refused_before_parsing() {
    let deep = format!("- id: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = read(&deep, "", Format::Yaml).unwrap_err();
    assert_eq!(e.message, "the value is nested more than 64 levels deep");
    assert_eq!(e.line, Some(1));
}

mod differential {
    //! Readers against the crates that write the formats: any text the
    //! `csv` crate or `serde_json` writes into a cell (quotes, commas,
    //! line ends, escapes, any Unicode) reads back as written, on any
    //! number of threads, across the 4 KB test chunks.

    use proptest::prelude::*;

    use super::super::*;
    use funnel_engine::value::Value;

    const PLAYBOOK: &str = "playbook \"D\"\nlead {\n  email text\n}\n\
        event visit { page: text }\nfunnel {\n  Lead on visit\n}\n\
        score s {\n  +1 on visit where page matches \"a\"\n}\n";

    fn compiled() -> Compiled {
        let program = funnel_check::check_source(PLAYBOOK).program.unwrap();
        funnel_engine::compile(&program, PLAYBOOK)
    }

    /// The `page` of every event, in file order.
    fn pages(leads: &str, events: &str, format: Format, threads: usize) -> Vec<String> {
        let c = compiled();
        let mut ds = Dataset::new(&c);
        ds.read_leads_threads(&c, leads.as_bytes(), "l", format, BadRows::Error, 1)
            .unwrap();
        ds.read_events_threads(&c, events.as_bytes(), "e", format, BadRows::Error, threads)
            .unwrap();
        let mut recs = ds.events.recs.clone();
        recs.sort_by_key(|r| r.seq);
        recs.iter()
            .map(|r| match ds.events.values[r.off as usize] {
                Value::Text(s) => ds.texts.resolve(s).to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z ,\"\r\n]{0,12}",
            "\\PC{0,8}",
            Just("/blog 24\" monitors".to_string()),
            Just("\"budget\ncut\"".to_string()),
        ]
        // A cell is read trimmed of surrounding spaces only for typed
        // fields; text keeps them, but an empty cell is a missing value.
        .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(super::super::tests_csv::fuzz_cases(24)))]

        #[test]
        fn csv_cells_read_back_as_the_csv_crate_wrote_them(
            cells in prop::collection::vec(cell(), 1..400),
            threads in 1usize..4,
        ) {
            let mut w = ::csv::Writer::from_writer(Vec::new());
            w.write_record(["lead", "event", "at", "page"]).unwrap();
            for c in &cells {
                w.write_record(["L1", "visit", "2026-03-02 10:00", c.as_str()]).unwrap();
            }
            let events = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let got = pages("id,email\nL1,a@x.io\n", &events, Format::Csv, threads);
            prop_assert_eq!(got, cells);
        }

        #[test]
        fn json_strings_read_back_as_serde_json_wrote_them(
            cells in prop::collection::vec(cell(), 1..400),
            threads in 1usize..4,
        ) {
            let mut events = String::new();
            for c in &cells {
                let row = serde_json::json!({
                    "lead": "L1", "event": "visit", "at": "2026-03-02 10:00", "page": c
                });
                events.push_str(&row.to_string());
                events.push('\n');
            }
            let leads = "{\"id\":\"L1\",\"email\":\"a@x.io\"}\n";
            let got = pages(leads, &events, Format::Jsonl, threads);
            prop_assert_eq!(got, cells);
        }
    }
}
