//! `/metrics`: counters kept since the server started, and gauges read
//! from the state file at each scrape, in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::deliver::Counters;
use crate::store::Status;

/// Counters since start.
#[derive(Debug, Default)]
pub struct Metrics {
    pub events_accepted: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_rejected: AtomicU64,
    pub events_late: AtomicU64,
    pub leads_accepted: AtomicU64,
    pub leads_duplicate: AtomicU64,
    pub leads_rejected: AtomicU64,
    /// Requests answered with a 4xx (bad body, token, route, rows).
    pub requests_rejected: AtomicU64,
    pub ticks: AtomicU64,
}

fn get(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

/// The exposition text.
pub fn render(m: &Metrics, d: &Counters, s: &Status, now: i64) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, v) in samples {
            let _ = writeln!(out, "{name}{labels} {v}");
        }
    };
    let c = |a: &AtomicU64| get(a) as f64;
    metric(
        "funnel_events_total",
        "counter",
        "Event rows received since start, by result.",
        &[
            ("{result=\"accepted\"}", c(&m.events_accepted)),
            ("{result=\"duplicate\"}", c(&m.events_duplicate)),
            ("{result=\"rejected\"}", c(&m.events_rejected)),
        ],
    );
    metric(
        "funnel_events_late_total",
        "counter",
        "Accepted events older than the instant their lead was stepped to.",
        &[("", c(&m.events_late))],
    );
    metric(
        "funnel_leads_total",
        "counter",
        "Lead rows received since start, by result.",
        &[
            ("{result=\"accepted\"}", c(&m.leads_accepted)),
            ("{result=\"duplicate\"}", c(&m.leads_duplicate)),
            ("{result=\"rejected\"}", c(&m.leads_rejected)),
        ],
    );
    metric(
        "funnel_requests_rejected_total",
        "counter",
        "Requests answered with a 4xx status.",
        &[("", c(&m.requests_rejected))],
    );
    metric(
        "funnel_timer_ticks_total",
        "counter",
        "Times the server stepped the leads whose timers were due.",
        &[("", c(&m.ticks))],
    );
    metric(
        "funnel_deliveries_total",
        "counter",
        "Outbox entries delivered (receiver answered 2xx) since start.",
        &[("", c(&d.delivered))],
    );
    metric(
        "funnel_delivery_retries_total",
        "counter",
        "Failed delivery attempts that will be retried.",
        &[("", c(&d.retries))],
    );
    metric(
        "funnel_dead_letters_total",
        "counter",
        "Outbox entries that used up their attempts since start.",
        &[("", c(&d.dead))],
    );
    let lag = s.as_of.map_or(0.0, |t| (now - t).max(0) as f64);
    metric(
        "funnel_lag_seconds",
        "gauge",
        "Clock time minus the instant every lead has been stepped to.",
        &[("", lag)],
    );
    metric(
        "funnel_outbox_depth",
        "gauge",
        "Outbox entries waiting for delivery (pending).",
        &[("", s.outbox_count("pending") as f64)],
    );
    let statuses: Vec<(String, f64)> = [
        "pending",
        "delivered",
        "dead",
        "retracted",
        "obsolete",
        "skipped",
    ]
    .iter()
    .map(|st| (format!("{{status=\"{st}\"}}"), s.outbox_count(st) as f64))
    .collect();
    let refs: Vec<(&str, f64)> = statuses.iter().map(|(l, v)| (l.as_str(), *v)).collect();
    metric(
        "funnel_outbox_entries",
        "gauge",
        "Outbox entries by status.",
        &refs,
    );
    metric(
        "funnel_stored_rows",
        "gauge",
        "Rows in the state file.",
        &[
            ("{table=\"leads\"}", s.leads as f64),
            ("{table=\"events\"}", s.events as f64),
        ],
    );
    out
}
