//! Delivery: outbox entries to a receiver, at least once, in creation
//! order. `webhook=URL` POSTs each entry's JSON with its key in
//! `Idempotency-Key` and an HMAC-SHA256 signature; `jsonl=FILE` appends it
//! as a line and syncs the file. An entry is marked delivered only after
//! the receiver answered 2xx (or the line is on disk); a failure is retried
//! with exponential backoff and jitter, and after the last attempt the
//! entry is a dead letter (`funnel live dead-letters`, `funnel live retry`).
//!
//! A crash between a receiver's 2xx and the mark delivers the entry again
//! after restart: the receiver sees the same key twice and drops the
//! second (effectively once).

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};
use sha2::Sha256;

use crate::error::{LiveError, Result};
use crate::keys::hex;

/// Where outbox entries go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Webhook { url: String, secret: Vec<u8> },
    Jsonl { path: PathBuf },
}

impl Target {
    /// Read `webhook=URL` or `jsonl=FILE`; a webhook needs a signing secret.
    pub fn parse(spec: &str, secret: Option<Vec<u8>>) -> Result<Target> {
        let bad = || {
            LiveError::new(format!("bad `--deliver {spec}`")).help(
                "write `--deliver webhook=https://host/path` or `--deliver jsonl=actions.jsonl`",
            )
        };
        let (kind, rest) = spec.split_once('=').ok_or_else(bad)?;
        match kind.trim() {
            "webhook" => {
                let url = rest.trim();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(LiveError::new(format!("`{url}` is not an http(s) URL"))
                        .help("write `--deliver webhook=https://host/path`"));
                }
                let secret = secret.ok_or_else(|| {
                    LiveError::new("a webhook needs a signing secret")
                        .help("pass `--secret-file FILE` holding the HMAC key the receiver checks")
                })?;
                Ok(Target::Webhook {
                    url: url.to_string(),
                    secret,
                })
            }
            "jsonl" => Ok(Target::Jsonl {
                path: PathBuf::from(rest.trim()),
            }),
            _ => Err(bad()),
        }
    }
}

/// Retries and timeouts.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Attempts before an entry is a dead letter.
    pub max_attempts: u32,
    /// Delay after the first failure, doubled after each further one.
    pub base: Duration,
    pub cap: Duration,
    pub timeout: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_attempts: 8,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(600),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Policy {
    /// The delay after `attempts` failed attempts: `base * 2^(attempts-1)`,
    /// capped, then drawn uniformly from its upper half (jitter, so
    /// retries of many entries do not arrive together).
    pub fn backoff(&self, attempts: u32, rng: &mut impl Rng) -> Duration {
        let exp = 2f64.powi(i32::try_from(attempts.saturating_sub(1).min(30)).unwrap_or(30));
        let full = (self.base.as_secs_f64() * exp).min(self.cap.as_secs_f64());
        Duration::from_secs_f64(rng.random_range(full / 2.0..=full))
    }
}

/// Delivery counters, shared with `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    pub delivered: AtomicU64,
    /// Failed attempts that will be retried.
    pub retries: AtomicU64,
    pub dead: AtomicU64,
}

/// The signature header's value: `t=TIMESTAMP,v1=HEX` where HEX is
/// HMAC-SHA256 of `TIMESTAMP.BODY` under the secret.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={timestamp},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Delivers due outbox entries to one target.
pub struct Deliverer {
    target: Target,
    policy: Policy,
    agent: ureq::Agent,
    rng: rand::rngs::StdRng,
}

impl Deliverer {
    /// `seed` makes the jitter reproducible (tests); production seeds from the clock.
    pub fn new(target: Target, policy: Policy, seed: u64) -> Deliverer {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Deliverer {
            target,
            policy,
            agent,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }

    /// Deliver up to `limit` entries due at `now`, oldest first; returns
    /// how many were attempted.
    pub fn run_once(
        &mut self,
        conn: &Connection,
        now: i64,
        limit: usize,
        counters: &Counters,
    ) -> Result<usize> {
        let due: Vec<(String, String, u32)> = {
            let mut q = conn.prepare_cached(
                "SELECT key, payload, attempts FROM outbox
                 WHERE status = 'pending' AND next_attempt <= ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = q.query_map(
                params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        for (key, payload, attempts) in &due {
            let outcome = self.send(key, payload, now);
            let attempts = attempts + 1;
            match outcome {
                Ok(()) => {
                    // Retracted while in flight: it went out all the same.
                    conn.prepare_cached(
                        "UPDATE outbox SET attempts = ?2, delivered_at = ?3, last_error = NULL,
                         status = CASE status WHEN 'retracted' THEN 'obsolete' ELSE 'delivered' END
                         WHERE key = ?1 AND status IN ('pending', 'retracted')",
                    )?
                    .execute(params![key, attempts, now])?;
                    counters.delivered.fetch_add(1, Ordering::Relaxed);
                }
                Err(why) if attempts >= self.policy.max_attempts => {
                    conn.prepare_cached(
                        "UPDATE outbox SET attempts = ?2, last_error = ?3, status = 'dead'
                         WHERE key = ?1 AND status = 'pending'",
                    )?
                    .execute(params![key, attempts, why])?;
                    counters.dead.fetch_add(1, Ordering::Relaxed);
                }
                Err(why) => {
                    let wait = self.policy.backoff(attempts, &mut self.rng);
                    let next = now + i64::try_from(wait.as_secs()).unwrap_or(i64::MAX / 2).max(1);
                    conn.prepare_cached(
                        "UPDATE outbox SET attempts = ?2, last_error = ?3, next_attempt = ?4
                         WHERE key = ?1 AND status = 'pending'",
                    )?
                    .execute(params![key, attempts, why, next])?;
                    counters.retries.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Ok(due.len())
    }

    /// One attempt; the error is what to record as `last_error`.
    fn send(&mut self, key: &str, payload: &str, now: i64) -> Result<(), String> {
        match &self.target {
            Target::Webhook { url, secret } => {
                let sig = signature(secret, now, payload);
                let resp = self
                    .agent
                    .post(url.as_str())
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .header("X-Funnel-Signature", &sig)
                    .send(payload)
                    .map_err(|e| e.to_string())?;
                let code = resp.status().as_u16();
                if (200..300).contains(&code) {
                    Ok(())
                } else {
                    Err(format!("the receiver answered HTTP {code}"))
                }
            }
            Target::Jsonl { path } => {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
                let mut line = payload.to_string();
                line.push('\n');
                f.write_all(line.as_bytes())
                    .and_then(|()| f.sync_data())
                    .map_err(|e| format!("cannot append to `{}`: {e}", path.display()))
            }
        }
    }
}

/// Dead letters, oldest first: key, lead id, kind, instant, attempts, last error.
pub fn dead_letters(conn: &Connection) -> Result<Vec<DeadLetter>> {
    let mut q = conn.prepare(
        "SELECT o.key, l.id, o.kind, o.at, o.attempts, coalesce(o.last_error, '')
         FROM outbox o JOIN leads l ON l.no = o.lead WHERE o.status = 'dead' ORDER BY o.id",
    )?;
    let rows = q.query_map([], |r| {
        Ok(DeadLetter {
            key: r.get(0)?,
            lead: r.get(1)?,
            kind: r.get(2)?,
            at: r.get(3)?,
            attempts: r.get(4)?,
            error: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeadLetter {
    pub key: String,
    pub lead: String,
    pub kind: String,
    pub at: i64,
    pub attempts: u32,
    pub error: String,
}

/// Make dead letters (all, or the named keys, which may also be skipped
/// entries) pending again with a fresh count of attempts. Returns the keys
/// requeued; a named key that is neither dead nor skipped is an error.
pub fn retry(conn: &mut Connection, keys: &[String]) -> Result<usize> {
    let tx = conn.transaction()?;
    let n = if keys.is_empty() {
        tx.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0 WHERE status = 'dead'",
            [],
        )?
    } else {
        let mut n = 0;
        for k in keys {
            let done = tx.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = 0
                 WHERE key = ?1 AND status IN ('dead', 'skipped')",
                [k],
            )?;
            if done == 0 {
                return Err(LiveError::new(format!(
                    "no dead letter or skipped action has the key `{k}`"
                ))
                .help("list them with `funnel live dead-letters`"));
            }
            n += done;
        }
        n
    };
    tx.commit()?;
    Ok(n)
}
