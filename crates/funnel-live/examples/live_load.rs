//! A load generator for `funnel serve` (bench/live.sh runs it; it is not a
//! test). Posts synthetic leads for playbooks/saas_inbound.funnel, then
//! events as NDJSON batches from several connections at once, and prints
//! events accepted per second and the latency percentiles of the batches.
//!
//! `live_load URL TOKEN LEADS EVENTS BATCH CONNECTIONS [SEED]`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, token: &str, body: &str) -> (u16, String) {
    let mut r = agent
        .post(url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/x-ndjson")
        .send(body)
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        eprintln!("usage: live_load URL TOKEN LEADS EVENTS BATCH CONNECTIONS [SEED]");
        std::process::exit(2);
    }
    let (url, token) = (a[1].clone(), a[2].clone());
    let n_leads: usize = a[3].parse().unwrap();
    let n_events: usize = a[4].parse().unwrap();
    let batch: usize = a[5].parse().unwrap();
    let conns: usize = a[6].parse().unwrap();
    let seed: u64 = a.get(7).and_then(|s| s.parse().ok()).unwrap_or(1);

    let agent = new_agent();
    let t0 = Instant::now();
    let industries = [
        "software",
        "fintech",
        "healthcare",
        "retail",
        "education",
        "other",
    ];
    let sources = [
        "organic",
        "paid_search",
        "paid_social",
        "referral",
        "events",
        "partner",
    ];
    for chunk in (0..n_leads).collect::<Vec<_>>().chunks(5000) {
        let body: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    r#"{{"id":"B{i}","email":"p{i}@co{}.com","company_size":{},"industry":"{}","source":"{}"}}"#,
                    i % 997,
                    10 + i % 900,
                    industries[i % 6],
                    sources[i % 6]
                )
            })
            .collect();
        let (s, b) = post(&agent, &format!("{url}/v1/leads"), &token, &body.join("\n"));
        assert_eq!(s, 200, "{b}");
    }
    println!("leads: {n_leads} in {:.1} s", t0.elapsed().as_secs_f64());

    // Events spread over the 30 days before now, in time order overall.
    let now = chrono::Utc::now().timestamp();
    let start = now - 30 * 86_400;
    let step = (30 * 86_400 / n_events.max(1) as i64).max(1);
    let kinds = [
        ("page_view", r#","path":"/blog/x""#),
        ("email_open", r#","template":"content-thanks""#),
        ("pricing_view", ""),
        ("content_download", r#","asset":"guide""#),
        ("webinar_registered", ""),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut bodies: Vec<String> = Vec::new();
    let mut cur = String::new();
    for i in 0..n_events {
        let lead = rng.random_range(0..n_leads);
        let (ev, extra) = kinds[rng.random_range(0..kinds.len())];
        let at = chrono::DateTime::from_timestamp(start + i as i64 * step, 0)
            .unwrap()
            .to_rfc3339();
        cur.push_str(&format!(
            r#"{{"lead":"B{lead}","event":"{ev}","at":"{at}"{extra}}}"#
        ));
        cur.push('\n');
        if (i + 1) % batch == 0 || i + 1 == n_events {
            bodies.push(std::mem::take(&mut cur));
        }
    }
    let per = bodies.len().div_ceil(conns);
    let parts: Vec<Vec<String>> = bodies.chunks(per).map(|c| c.to_vec()).collect();
    let t1 = Instant::now();
    let handles: Vec<_> = parts
        .into_iter()
        .map(|part| {
            let (url, token) = (url.clone(), token.clone());
            std::thread::spawn(move || {
                let agent = new_agent();
                let mut lat = Vec::new();
                let mut accepted = 0u64;
                for body in part {
                    let t = Instant::now();
                    let (s, b) = post(&agent, &format!("{url}/v1/events"), &token, &body);
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    assert_eq!(s, 200, "{b}");
                    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
                    accepted += v["events"]["added"].as_u64().unwrap_or(0);
                }
                (lat, accepted)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut accepted = 0;
    for h in handles {
        let (l, n) = h.join().unwrap();
        lat.extend(l);
        accepted += n;
    }
    let secs = t1.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    println!(
        "events: {accepted} accepted in {secs:.1} s = {:.0} events/s; {} batches of {batch} over {conns} connections; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        accepted as f64 / secs,
        lat.len(),
        pct(&lat, 50.0),
        pct(&lat, 99.0),
        lat.last().copied().unwrap_or(0.0)
    );
}
