//! `funnel serve`: the HTTP front door (axum on tokio).
//!
//! Routes: `POST /v1/events`, `POST /v1/leads` (JSON, NDJSON or CSV
//! batches; an `Idempotency-Key` header makes a retried request return the
//! first answer and change nothing), `GET /v1/leads/{id}` (stage, scores,
//! the explain timeline, its outbox entries), `GET /v1/kpis`, `GET /healthz`
//! and `GET /metrics` (Prometheus text). A bearer token guards every route
//! but `/healthz`; bodies are bounded; a bad row gets a 422 naming it while
//! the rest of its batch is applied.
//!
//! Writes go through one [`Live`] behind a mutex (SQLite has one writer
//! anyway), on tokio's blocking pool; reads open their own connection, so
//! a long write never blocks them. Timers fire on [`App::tick`], which the
//! server calls every tick of the wall clock and tests call after moving a
//! simulated clock.

mod metrics;
mod routes;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::apply::{Live, Report};
use crate::clock::Clock;
use crate::deliver::Counters;
use crate::error::{LiveError, Result};
use crate::playbook::Playbook;

pub use metrics::Metrics;

/// Server settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The bearer token every route but `/healthz` requires (`None`: open).
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token: None,
            max_body: 8 << 20,
        }
    }
}

/// The shared state of the server.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    live: Mutex<Live>,
    /// The playbook again, for reads that must not wait for the writer.
    pb: Playbook,
    path: PathBuf,
    clock: Arc<dyn Clock>,
    wall: Arc<dyn Clock>,
    cfg: Config,
    metrics: Metrics,
    deliveries: Arc<Counters>,
}

impl App {
    /// `clock` is the engine's time (timers, as-of); `wall` stamps rows as
    /// received.
    pub fn new(
        live: Live,
        clock: Arc<dyn Clock>,
        wall: Arc<dyn Clock>,
        cfg: Config,
        deliveries: Arc<Counters>,
    ) -> Result<App> {
        let pb = Playbook::new(&live.pb.source, &live.pb.inputs)?;
        let path = PathBuf::from(&live.store.path);
        Ok(App {
            inner: Arc::new(Inner {
                live: Mutex::new(live),
                pb,
                path,
                clock,
                wall,
                cfg,
                metrics: Metrics::default(),
                deliveries,
            }),
        })
    }

    /// The routes, ready to serve.
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone())
    }

    /// Step every lead whose timer is due by the clock's now.
    pub fn tick(&self) -> Result<Report> {
        let now = self.inner.clock.now();
        let wall = self.inner.wall.now();
        let mut live = self.lock()?;
        let rep = live.advance(now, wall)?;
        self.inner
            .metrics
            .ticks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(rep)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Live>> {
        self.inner
            .live
            .lock()
            .map_err(|_| LiveError::new("an earlier write failed midway; restart the server"))
    }

    /// A read-only connection to the state file.
    fn reader(&self) -> Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.inner.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(conn)
    }
}

/// Serve `app` on `listener` until `shutdown` resolves, firing timers every
/// `tick`.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    tick: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = app.clone();
    let timers = tokio::spawn(async move {
        let mut every = tokio::time::interval(tick);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let app = ticker.clone();
            let done = tokio::task::spawn_blocking(move || app.tick()).await;
            if let Ok(Err(e)) = done {
                eprintln!("error: firing timers: {e}");
            }
        }
    });
    let served = axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown)
        .await;
    timers.abort();
    served
}
