//! `funnel serve` over real HTTP on 127.0.0.1, with a simulated clock:
//! batches with bad rows, the token, body limits, unknown routes,
//! idempotent retries, lead and KPI reads, metrics, and timers that fire
//! exactly when the clock reaches them. Expected values follow the first
//! `test` block of playbooks/saas_inbound.funnel.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use funnel_data::decode::parse_instant;
use funnel_live::deliver::Counters;
use funnel_live::serve::{App, Config};
use funnel_live::{Live, Playbook, SimClock, Store};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const TOKEN: &str = "s3cret-token";

struct Server {
    base: String,
    app: App,
    clock: SimClock,
    agent: ureq::Agent,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    fn start(max_body: usize) -> Server {
        let source =
            std::fs::read_to_string(format!("{ROOT}/playbooks/saas_inbound.funnel")).unwrap();
        let pb = Playbook::new(&source, &[]).unwrap();
        let dir = std::env::temp_dir().join(format!(
            "funnel-serve-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::create(&dir.join("state.db"), 0).unwrap();
        let (live, _) = Live::open(store, pb, false).unwrap();
        let clock = SimClock::at(local("2026-03-02 09:00"));
        let cfg = Config {
            token: Some(TOKEN.into()),
            max_body,
        };
        let app = App::new(
            live,
            Arc::new(clock.clone()),
            Arc::new(SimClock::at(0)),
            cfg,
            Arc::new(Counters::default()),
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app.router();
        rt.spawn(async move { axum::serve(listener, router).await });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Server {
            base,
            app,
            clock,
            agent,
            _rt: rt,
        }
    }

    fn post(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value, bool) {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {TOKEN}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.send(body).unwrap();
        let replayed = resp.headers().get("idempotent-replayed").is_some();
        let text = resp.body_mut().read_to_string().unwrap();
        let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (resp.status().as_u16(), v, replayed)
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().unwrap();
        (
            resp.status().as_u16(),
            resp.body_mut().read_to_string().unwrap(),
        )
    }

    fn lead(&self, id: &str) -> serde_json::Value {
        let (status, body) = self.get(&format!("/v1/leads/{id}"), Some(TOKEN));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

/// A local time in the playbook's zone (America/New_York).
fn local(t: &str) -> i64 {
    parse_instant(t, chrono_tz::America::New_York).unwrap()
}

const DANA: &str = r#"{"id":"D1","email":"dana@northwind.io","title":"VP Marketing","company":"Northwind","company_size":120,"industry":"software","country":"DE","source":"organic"}"#;

#[test]
fn a_batch_with_bad_rows_keeps_the_good_ones_and_names_the_bad() {
    let s = Server::start(1 << 20);
    let (status, body, _) = s.post("/v1/leads", DANA, &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["leads"]["added"], 1);

    let batch = [
        r#"{"lead":"D1","event":"page_view","at":"2026-03-02 08:00","path":"/pricing"}"#,
        r#"{"lead":"D1","event":"page_vew","at":"2026-03-02 08:01"}"#,
        r#"{"lead":"NOPE","event":"pricing_view","at":"2026-03-02 08:02"}"#,
        r#"{"lead":"D1","event":"pricing_view","at":"yesterday"}"#,
        r#"{"lead":"D1","event":"deal_won","at":"2026-03-02 08:03","amount":"lots","kind":"new"}"#,
        r#"{"lead":"D1","event":"pricing_view","at":"2026-03-02 08:04""#,
        r#"{"lead":"D1","event":"webinar_registered","at":"2026-03-02 08:05"}"#,
    ]
    .join("\n");
    let (status, body, _) = s.post(
        "/v1/events",
        &batch,
        &[("Content-Type", "application/x-ndjson")],
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["events"]["received"], 7);
    assert_eq!(body["events"]["added"], 2);
    assert_eq!(body["events"]["rejected"], 5);
    assert_eq!(
        body["error"],
        "5 rows were refused; the other rows were applied"
    );
    let rejected = body["rejected"].as_array().unwrap();
    let named: Vec<(u64, &str, &str)> = rejected
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["field"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(named[0], (2, "event", "unknown event type `page_vew`"));
    assert_eq!(named[1], (3, "lead", "event for unknown lead `NOPE`"));
    assert_eq!(named[2].0, 4);
    assert_eq!(named[2].1, "at");
    assert!(
        named[2].2.starts_with("bad value in column `at`: "),
        "{}",
        named[2].2
    );
    assert_eq!(
        named[3],
        (
            5,
            "amount",
            "bad value in column `amount`: `lots` is not an amount of money (write `1234.50` or `$1,234.50`)"
        )
    );
    assert_eq!(named[4].0, 6);
    assert!(named[4].2.starts_with("malformed JSON: "), "{}", named[4].2);

    // The two good rows are kept: the lead entered the funnel at 08:00.
    let lead = s.lead("D1");
    assert_eq!(lead["events"], 2);
    assert_eq!(lead["stage"], "Lead");
    assert_eq!(lead["entered"]["Lead"], "2026-03-02T08:00:00-05:00");
    assert_eq!(lead["scores"]["engagement"], 6.0); // +1 page view, +5 webinar registration
    assert_eq!(lead["scores"]["fit"], 35.0);
    assert!(lead["timeline"].as_array().unwrap().len() > 3);
    assert!(outbox(&lead).iter().all(|(kind, _)| kind == "stage"));

    // A JSON array that does not parse is refused whole.
    let (status, body, _) = s.post("/v1/events", "[{\"lead\": ", &[]);
    assert_eq!(status, 400);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("malformed JSON"));
}

#[test]
fn the_token_the_body_limit_and_unknown_routes_are_refused_clearly() {
    let s = Server::start(512);
    assert_eq!(s.get("/healthz", None), (200, "ok\n".to_string()));
    let (status, body) = s.get("/v1/kpis", None);
    assert_eq!(status, 401);
    assert!(body.contains("missing bearer token"), "{body}");
    let (status, body) = s.get("/v1/kpis", Some("wrong"));
    assert_eq!(status, 401);
    assert!(body.contains("wrong bearer token"), "{body}");
    let (status, body) = s.get("/v1/nothing", Some(TOKEN));
    assert_eq!(status, 404);
    assert!(body.contains("unknown route `GET /v1/nothing`"), "{body}");
    let (status, body) = s.get("/v1/leads/NOPE", Some(TOKEN));
    assert_eq!(status, 404);
    assert!(body.contains("unknown lead `NOPE`"), "{body}");
    let big = format!("{}\n", DANA).repeat(10);
    let (status, body, _) = s.post("/v1/leads", &big, &[]);
    assert_eq!(status, 413);
    assert_eq!(body["error"], "the request body is larger than 512 bytes");
    // Nothing of the refused body was kept.
    let (_, metrics) = s.get("/metrics", Some(TOKEN));
    assert!(
        metrics.contains("funnel_stored_rows{table=\"leads\"} 0\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("funnel_requests_rejected_total 5\n"),
        "{metrics}"
    );
}

#[test]
fn a_retried_request_with_the_same_idempotency_key_changes_nothing() {
    let s = Server::start(1 << 20);
    s.post("/v1/leads", DANA, &[]);
    let ev = r#"{"lead":"D1","event":"pricing_view","at":"2026-03-02 08:30"}"#;
    let key = [("Idempotency-Key", "batch-1")];
    let (s1, b1, r1) = s.post("/v1/events", ev, &key);
    let (s2, b2, r2) = s.post("/v1/events", ev, &key);
    assert_eq!((s1, r1), (200, false));
    assert_eq!((s2, r2), (200, true));
    assert_eq!(b1, b2);
    assert_eq!(b1["events"]["added"], 1);
    // Without the header the same row is still recognised by its content.
    let (_, b3, r3) = s.post("/v1/events", ev, &[]);
    assert!(!r3);
    assert_eq!(b3["events"]["added"], 0);
    assert_eq!(b3["events"]["duplicate"], 1);
    assert_eq!(s.lead("D1")["events"], 1);
    let (_, metrics) = s.get("/metrics", Some(TOKEN));
    assert!(
        metrics.contains("funnel_events_total{result=\"accepted\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("funnel_events_total{result=\"duplicate\"} 1\n"),
        "{metrics}"
    );
}

/// The outbox of a lead as (kind, local instant) pairs, in creation order.
fn outbox(lead: &serde_json::Value) -> Vec<(String, String)> {
    lead["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn timers_fire_when_the_simulated_clock_reaches_them() {
    let s = Server::start(1 << 20);
    s.clock.set(local("2026-03-02 10:00"));
    s.post("/v1/leads", DANA, &[]);
    let ev = r#"{"lead":"D1","event":"content_download","at":"2026-03-02 10:00","asset":"revops-benchmark"}"#;
    let (status, body, _) = s.post("/v1/events", ev, &[]);
    assert_eq!(status, 200, "{body}");
    // The lead enters the funnel and "content-thanks" goes at once.
    let want_now = vec![
        ("stage".to_string(), "2026-03-02T10:00:00-05:00".to_string()),
        ("send".to_string(), "2026-03-02T10:00:00-05:00".to_string()),
    ];
    assert_eq!(outbox(&s.lead("D1")), want_now);
    // A day later nothing more is due.
    s.clock.set(local("2026-03-03 10:00"));
    s.app.tick().unwrap();
    assert_eq!(outbox(&s.lead("D1")), want_now);
    // "wait 2 days" ends at 2026-03-04 10:00: a minute before, nothing...
    s.clock.set(local("2026-03-04 09:59"));
    s.app.tick().unwrap();
    assert_eq!(outbox(&s.lead("D1")).len(), 2);
    // ...at 10:00 the reminder (no click on the thanks mail) is made.
    s.clock.set(local("2026-03-04 10:00"));
    let rep = s.app.tick().unwrap();
    assert_eq!(rep.replayed_leads, 1);
    assert_eq!(rep.actions, 1);
    let lead = s.lead("D1");
    let last = lead["outbox"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "send");
    assert_eq!(last["at"], "2026-03-04T10:00:00-05:00");
    assert_eq!(last["status"], "pending");
    let (_, metrics) = s.get("/metrics", Some(TOKEN));
    assert!(metrics.contains("funnel_outbox_depth 3\n"), "{metrics}");
    assert!(metrics.contains("funnel_lag_seconds 0\n"), "{metrics}");
    let (status, kpis) = s.get("/v1/kpis", Some(TOKEN));
    assert_eq!(status, 200);
    let kpis: serde_json::Value = serde_json::from_str(&kpis).unwrap();
    assert_eq!(kpis["as_of"], "2026-03-04T10:00:00-05:00");
    let new_leads = kpis["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "new_leads")
        .unwrap();
    assert_eq!(new_leads["total"], "1");
}
