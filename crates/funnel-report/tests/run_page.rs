//! The `funnel run --report` page of a tiny playbook and three leads, every
//! number worked out by hand below: stages, conversion, entries per month,
//! SLA breaches per month, sends per week, the monthly twins of the
//! ungrouped KPIs, and the page itself (self-contained, escaped).
#![allow(clippy::unwrap_used, clippy::panic)]

use funnel_data::{BadRows, Format, ReadData};
use funnel_engine::{compile, Dataset, RunOptions};
use funnel_report::model::{Chart, Page};
use funnel_report::run::{page, RunFiles};
use funnel_report::run_kpis::add_monthly_twins;

const PLAYBOOK: &str = r#"playbook "Tiny </script><b>"
timezone "UTC"
currency "EUR"

lead {
  email text
}

event signup
event demo
event won { amount: money }

funnel {
  Lead      on signup
  MQL       on demo
  Customer  on won
  sla Lead -> MQL within 2 days
}

nurture welcome {
  enroll on signup
  send "hello"
  wait 10 days
  send "tips"
}

kpi leads = count(entered Lead) by month
kpi win   = count(reached Customer) / count(reached MQL)
kpi sales = sum(won.amount)
target win >= 50%
"#;

const LEADS: &str = "id,email\nL1,a@x.io\nL2,b@x.io\nL3,c@x.io\n";

// L1 signs up on Monday 2026-01-05, is an MQL the next day and wins in
// February. L2 signs up on 2026-01-20 and asks for a demo only on 02-02,
// after its SLA deadline of 01-22 10:00 (a breach in January). L3 signs
// up on 02-03 and does nothing: its deadline, 02-05 10:00, is before the
// last event (02-10), so it is a breach in February.
const EVENTS: &str = "lead,event,at,amount
L1,signup,2026-01-05 10:00,
L1,demo,2026-01-06 10:00,
L2,signup,2026-01-20 10:00,
L2,demo,2026-02-02 10:00,
L3,signup,2026-02-03 10:00,
L1,won,2026-02-10 10:00,1000
";

fn tiny() -> Page {
    let program = funnel_check::check_source(PLAYBOOK).program.unwrap();
    let mut c = compile(&program, PLAYBOOK);
    let own = add_monthly_twins(&mut c);
    assert_eq!((own, c.kpis.len()), (3, 5), "twins of `win` and `sales`");
    let mut ds = Dataset::new(&c);
    ds.read_leads(
        &c,
        LEADS.as_bytes(),
        "leads.csv",
        Format::Csv,
        BadRows::Error,
    )
    .unwrap();
    ds.read_events(
        &c,
        EVENTS.as_bytes(),
        "events.csv",
        Format::Csv,
        BadRows::Error,
    )
    .unwrap();
    let mut o = funnel_engine::run(&c, &ds, &RunOptions::default(), &mut |_, _| {});
    let monthly = o.kpis.split_off(own);
    let files = RunFiles {
        playbook: "tiny.funnel",
        monthly: &monthly,
    };
    page(&c, &ds, &o, &files)
}

fn chart<'a>(p: &'a Page, id: &str) -> &'a Chart {
    p.sections
        .iter()
        .flat_map(|s| &s.charts)
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chart {id}"))
}

/// The chart's points as `x [series]: label`.
fn points(c: &Chart) -> Vec<String> {
    c.data
        .iter()
        .map(|d| {
            let x = d.x.as_ref().map(|v| v.as_str().unwrap_or("").to_string());
            match &d.s {
                Some(s) => format!("{} [{s}]: {}", x.unwrap_or_default(), d.label),
                None => format!("{}: {}", x.unwrap_or_default(), d.label),
            }
        })
        .collect()
}

#[test]
fn the_funnel_by_hand() {
    let p = tiny();
    // Reached: Lead 3, MQL 2 (L1, L2), Customer 1 (L1); now: L3 Lead, L2 MQL, L1 Customer.
    assert_eq!(
        points(chart(&p, "funnel-stages")),
        [
            "Lead [reached]: 3",
            "Lead [now in stage]: 1",
            "MQL [reached]: 2",
            "MQL [now in stage]: 1",
            "Customer [reached]: 1",
            "Customer [now in stage]: 1",
        ]
    );
    // 2 / 3 and 1 / 2.
    assert_eq!(
        points(chart(&p, "funnel-conversion")),
        ["Lead → MQL: 66.7%", "MQL → Customer: 50%"]
    );
}

#[test]
fn entries_breaches_and_sends_by_hand() {
    let p = tiny();
    // Lead: L1, L2 in January, L3 in February; MQL: L1 in January, L2 in
    // February; Customer: L1 in February. Every stage has a point a month.
    assert_eq!(
        points(chart(&p, "stage-entries")),
        [
            "2026-01 [Lead]: 2",
            "2026-01 [MQL]: 1",
            "2026-01 [Customer]: 0",
            "2026-02 [Lead]: 1",
            "2026-02 [MQL]: 1",
            "2026-02 [Customer]: 1",
        ]
    );
    assert_eq!(
        points(chart(&p, "sla-breaches")),
        ["2026-01 [Lead -> MQL]: 1", "2026-02 [Lead -> MQL]: 1"]
    );
    // "hello" on signup: W02 (01-05), W04 (01-20), W06 (02-03); "tips" ten
    // days later: W03 (01-15), W05 (01-30); L3's would be 02-13, after the
    // last event. Every week between has its place; empty ones no bar.
    let sends = chart(&p, "sends-per-week");
    assert_eq!(
        sends.categories.as_deref().unwrap(),
        ["2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06"]
    );
    assert_eq!(
        points(sends),
        [
            "2026-W02 [hello]: 1",
            "2026-W03 [tips]: 1",
            "2026-W04 [hello]: 1",
            "2026-W05 [tips]: 1",
            "2026-W06 [hello]: 1",
        ]
    );
    assert_eq!(sends.table.header, ["ISO week (UTC)", "hello", "tips"]);
    assert_eq!(sends.table.rows[1], ["2026-W03", "0", "1"]);
}

#[test]
fn kpis_by_period_and_monthly_twins_by_hand() {
    let p = tiny();
    assert_eq!(points(chart(&p, "kpi-leads")), ["2026-01: 2", "2026-02: 1"]);
    // win by month: January 0 customers / 1 MQL (a missing count is 0),
    // February 1 / 1; the target line at 50%.
    let win = chart(&p, "kpi-win");
    assert_eq!(points(win), ["2026-01: 0%", "2026-02: 100%"]);
    assert_eq!(win.rules.len(), 1);
    assert_eq!(
        (win.rules[0].value, win.rules[0].label.as_str()),
        (0.5, "target >= 50%")
    );
    assert_eq!(win.y.label, "win (%)");
    // sales: one `won` event, in February.
    let sales = chart(&p, "kpi-sales");
    assert_eq!(points(sales), ["2026-02: €1,000"]);
    assert_eq!(sales.y.label, "sales (EUR)");
    assert!(sales.rules.is_empty());
    // The scorecard: the playbook's own KPIs only, with the target verdict.
    let card = p.sections.iter().find(|s| s.id == "kpis").unwrap();
    let rows = &card.table.as_ref().unwrap().rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], ["win", "50%", ">= 50%", "met"]);
}

#[test]
fn the_page_is_self_contained_and_escaped() {
    let html = funnel_report::page::render(&tiny(), "9.9.9");
    // The playbook's name cannot end a script: three scripts, three ends.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(html.matches("</script>").count(), 3);
    assert!(html.contains("Tiny &lt;&#x2f;script&gt;&lt;b&gt;"));
    // Nothing is fetched: no src, and links only within the page.
    assert!(!html.contains(" src="));
    assert_eq!(
        html.matches("href=\"#").count(),
        html.matches("href=\"").count()
    );
    assert_eq!(
        html.matches("href=\"#").count(),
        6,
        "the contents' six sections"
    );
    assert!(html.contains("default-src 'none'"));
    assert!(html.contains("<meta name=\"generator\" content=\"funnel 9.9.9\">"));
    // The same results give the same bytes.
    assert_eq!(html, funnel_report::page::render(&tiny(), "9.9.9"));
}
