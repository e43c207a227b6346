//! The routes: request parsing, the token check, and JSON answers. Every
//! error answer is `{"error": ..., "help": ...}` with a 4xx status that
//! says what kind of mistake it was (400 unreadable body, 401 token, 404
//! route or lead, 413 body too large, 422 rows refused), or 503 when the
//! state file cannot be written (full disk, read-only file): then nothing
//! of the request was kept.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::{metrics, App};
use crate::apply::Report;
use crate::error::{LiveError, Result};
use crate::input::{self, InputFormat, RawRow, RowError};
use crate::replay::explain;
use crate::store;

const ROUTES: &str =
    "POST /v1/events, POST /v1/leads, GET /v1/leads/{id}, GET /v1/kpis, GET /healthz, GET /metrics";

pub(super) fn router(app: App) -> Router {
    let max = app.inner.cfg.max_body;
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/v1/events", post(post_events))
        .route("/v1/leads", post(post_leads))
        .route("/v1/leads/{id}", get(get_lead))
        .route("/v1/kpis", get(get_kpis))
        .route("/metrics", get(get_metrics))
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(app.clone(), auth))
        .layer(DefaultBodyLimit::max(max))
        .with_state(app)
}

fn error(app: Option<&App>, status: StatusCode, message: &str, help: &str) -> Response {
    if let (Some(app), true) = (app, status.is_client_error()) {
        app.inner
            .metrics
            .requests_rejected
            .fetch_add(1, Ordering::Relaxed);
    }
    let body = json!({ "error": message, "help": help });
    (status, axum::Json(body)).into_response()
}

fn failed(app: &App, e: &LiveError) -> Response {
    error(
        Some(app),
        StatusCode::SERVICE_UNAVAILABLE,
        &e.message,
        e.help
            .as_deref()
            .unwrap_or("nothing of this request was kept; retry it"),
    )
}

/// Equal in time whatever the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn auth(State(app): State<App>, req: Request, next: Next) -> Response {
    let Some(token) = &app.inner.cfg.token else {
        return next.run(req).await;
    };
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(g) if same(g.trim().as_bytes(), token.as_bytes()) => next.run(req).await,
        Some(_) => error(
            Some(&app),
            StatusCode::UNAUTHORIZED,
            "wrong bearer token",
            "send the token of the server's `--token-file` as `Authorization: Bearer TOKEN`",
        ),
        None => error(
            Some(&app),
            StatusCode::UNAUTHORIZED,
            "missing bearer token",
            "send `Authorization: Bearer TOKEN` with the token of the server's `--token-file`",
        ),
    }
}

async fn unknown_route(State(app): State<App>, req: Request) -> Response {
    error(
        Some(&app),
        StatusCode::NOT_FOUND,
        &format!("unknown route `{} {}`", req.method(), req.uri().path()),
        &format!("the routes are: {ROUTES}"),
    )
}

#[derive(Clone, Copy)]
enum Kind {
    Leads,
    Events,
}

async fn post_events(
    State(app): State<App>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    write(app, headers, body, Kind::Events).await
}

async fn post_leads(
    State(app): State<App>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    write(app, headers, body, Kind::Leads).await
}

/// The body's format: by `Content-Type`, and for JSON by its first
/// character (an array, or NDJSON: one object per line).
fn format_of(headers: &HeaderMap, body: &[u8]) -> InputFormat {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.contains("csv") {
        return InputFormat::Csv;
    }
    if ct.contains("ndjson") || ct.contains("jsonl") || ct.contains("json-seq") {
        return InputFormat::Ndjson;
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => InputFormat::Json,
        _ => InputFormat::Ndjson,
    }
}

async fn write(
    app: App,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
    kind: Kind,
) -> Response {
    let bytes = match body {
        Ok(b) => b,
        Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let max = app.inner.cfg.max_body;
            return error(
                Some(&app),
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request body is larger than {max} bytes"),
                "split the batch into smaller requests (the limit is `--max-body`)",
            );
        }
        Err(rej) => {
            return error(
                Some(&app),
                StatusCode::BAD_REQUEST,
                &format!("cannot read the request body: {}", rej.body_text()),
                "send the batch as the request body",
            )
        }
    };
    let rows = match input::parse(&bytes, format_of(&headers, &bytes)) {
        Ok(r) => r,
        Err(e) => {
            return error(
                Some(&app),
                StatusCode::BAD_REQUEST,
                &e.message,
                e.help.as_deref().unwrap_or(""),
            )
        }
    };
    if rows.is_empty() {
        return error(
            Some(&app),
            StatusCode::BAD_REQUEST,
            "the request has no rows",
            "send one JSON object per line (NDJSON), or a JSON array of objects",
        );
    }
    let idem = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| {
            let route = match kind {
                Kind::Leads => "leads",
                Kind::Events => "events",
            };
            format!("{route} {k}")
        });
    let blocking = app.clone();
    let done =
        tokio::task::spawn_blocking(move || apply(&blocking, kind, &rows, idem.as_deref())).await;
    match done {
        Ok(Ok((status, body, replayed))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if status.is_client_error() {
                app.inner
                    .metrics
                    .requests_rejected
                    .fetch_add(1, Ordering::Relaxed);
            }
            let mut resp = (status, [("content-type", "application/json")], body).into_response();
            if replayed {
                resp.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            resp
        }
        Ok(Err(e)) => failed(&app, &e),
        Err(e) => failed(&app, &LiveError::new(format!("the write stopped: {e}"))),
    }
}

/// Apply a batch; the status and body, and whether they were kept from an
/// earlier request with the same key.
fn apply(
    app: &App,
    kind: Kind,
    rows: &[std::result::Result<RawRow, RowError>],
    idem: Option<&str>,
) -> Result<(u16, String, bool)> {
    let now = app.inner.clock.now();
    let wall = app.inner.wall.now();
    let (leads, events) = match kind {
        Kind::Leads => (rows, &[][..]),
        Kind::Events => (&[][..], rows),
    };
    let mut live = app.lock()?;
    let m = &app.inner.metrics;
    let count = |rep: &Report| {
        let add = |a: &std::sync::atomic::AtomicU64, n: usize| {
            a.fetch_add(n as u64, Ordering::Relaxed);
        };
        add(&m.events_accepted, rep.events.added);
        add(&m.events_duplicate, rep.events.duplicate);
        add(&m.events_rejected, rep.events.rejected);
        add(&m.events_late, rep.late_events);
        add(&m.leads_accepted, rep.leads.added);
        add(&m.leads_duplicate, rep.leads.duplicate);
        add(&m.leads_rejected, rep.leads.rejected);
    };
    match idem {
        Some(key) => live.write_once(key, leads, events, now, wall, |rep| {
            count(rep);
            render(rep)
        }),
        None => {
            let rep = live.write(leads, events, Some(now), wall)?;
            count(&rep);
            let (s, b) = render(&rep);
            Ok((s, b, false))
        }
    }
}

/// 200 when every row was taken, 422 naming the refused rows otherwise
/// (the others were applied all the same).
fn render(rep: &Report) -> (u16, String) {
    let mut v = serde_json::to_value(rep).unwrap_or_default();
    let status = if rep.rejected.is_empty() {
        200
    } else {
        if let Some(o) = v.as_object_mut() {
            let n = rep.rejected.len();
            o.insert(
                "error".into(),
                json!(format!(
                    "{n} row{} refused; the other rows were applied",
                    if n == 1 { " was" } else { "s were" }
                )),
            );
            o.insert(
                "help".into(),
                json!("fix the rows listed in `rejected` and send them again"),
            );
        }
        422
    };
    (status, v.to_string())
}

/// Run a read on the blocking pool; its answer, or a 503 if it stopped.
async fn blocking(app: &App, f: impl FnOnce() -> Response + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => failed(app, &LiveError::new(format!("the read stopped: {e}"))),
    }
}

/// The state's as-of instant, or the clock's now before the first step.
fn as_of(app: &App, conn: &rusqlite::Connection) -> Result<i64> {
    Ok(store::meta_get(conn, store::meta::AS_OF)?
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| app.inner.clock.now()))
}

async fn get_lead(State(app): State<App>, Path(id): Path<String>) -> Response {
    let a = app.clone();
    blocking(&app, move || {
        let read = || -> Result<Option<serde_json::Value>> {
            let conn = a.reader()?;
            let Some(no) = store::lead_no(&conn, &id)? else {
                return Ok(None);
            };
            let t = as_of(&a, &conn)?;
            let hs = store::histories(&conn, &[no])?;
            let Some(h) = hs.first() else { return Ok(None) };
            let (res, timeline) = explain(&a.inner.pb, h, t)?;
            let tz = a.inner.pb.compiled.tz;
            let time = |t: i64| funnel_engine::display::fmt_time(t, tz);
            let mut q = conn.prepare(
                "SELECT key, kind, at, status, attempts FROM outbox WHERE lead = ?1 ORDER BY id",
            )?;
            let outbox: Vec<serde_json::Value> = q
                .query_map([no], |r| {
                    Ok(json!({
                        "key": r.get::<_, String>(0)?,
                        "kind": r.get::<_, String>(1)?,
                        "at": time(r.get(2)?),
                        "status": r.get::<_, String>(3)?,
                        "attempts": r.get::<_, i64>(4)?,
                    }))
                })?
                .collect::<std::result::Result<_, _>>()?;
            let scores: serde_json::Map<String, serde_json::Value> = res
                .scores
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let entered: serde_json::Map<String, serde_json::Value> = res
                .entered
                .iter()
                .map(|(k, v)| (k.clone(), json!(time(*v))))
                .collect();
            Ok(Some(json!({
                "id": id,
                "as_of": time(t),
                "stage": res.stage,
                "scores": scores,
                "entered": entered,
                "events": res.events,
                "timeline": timeline,
                "outbox": outbox,
            })))
        };
        match read() {
            Ok(Some(v)) => axum::Json(v).into_response(),
            Ok(None) => error(
                Some(&a),
                StatusCode::NOT_FOUND,
                &format!("unknown lead `{id}`"),
                "send the lead first with `POST /v1/leads`",
            ),
            Err(e) => failed(&a, &e),
        }
    })
    .await
}

async fn get_kpis(State(app): State<App>) -> Response {
    let a = app.clone();
    blocking(&app, move || {
        let read = || -> Result<String> {
            let conn = a.reader()?;
            let t = as_of(&a, &conn)?;
            crate::whole::kpis_json(&conn, &a.inner.pb, t)
        };
        match read() {
            Ok(body) => ([("content-type", "application/json")], body).into_response(),
            Err(e) => failed(&a, &e),
        }
    })
    .await
}

async fn get_metrics(State(app): State<App>) -> Response {
    let a = app.clone();
    blocking(&app, move || {
        let read = || -> Result<String> {
            let conn = a.reader()?;
            let s = store::status(&conn)?;
            Ok(metrics::render(
                &a.inner.metrics,
                &a.inner.deliveries,
                &s,
                a.inner.clock.now(),
            ))
        };
        match read() {
            Ok(body) => (
                [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
                body,
            )
                .into_response(),
            Err(e) => failed(&a, &e),
        }
    })
    .await
}
