//! Benchmarks of `funnel lsp` answering over an in-memory connection, as an
//! editor sees it (JSON-RPC messages in and out):
//! - diagnostics after a change to the ~1 MB playbook of `bench/` (the
//!   generator `funnel-check/benches/support/big_playbook.rs`): from sending
//!   `didChange` to receiving `publishDiagnostics` (no debounce);
//! - completion and hover on `playbooks/saas_inbound.funnel` right after a
//!   change (the analysis is rebuilt: parse, recovery, name index) and on an
//!   unchanged document.
//!
//! Run with `cargo bench -p funnel-lsp --features bench --bench lsp`; results in bench/RESULTS.md.

// Bench code: a failed send or a missing answer should stop the bench loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

#[path = "../../funnel-check/benches/support/big_playbook.rs"]
mod big_playbook;

const URI: &str = "file:///bench.funnel";
const SAAS: &str = include_str!("../../../playbooks/saas_inbound.funnel");

struct Client {
    conn: Connection,
    server: Option<std::thread::JoinHandle<()>>,
    next: i32,
    version: i32,
}

impl Client {
    fn start(debounce: Duration) -> Client {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || {
            funnel_lsp::run(&server, funnel_lsp::Options { debounce }).expect("server runs");
        });
        let mut c = Client {
            conn,
            server: Some(handle),
            next: 0,
            version: 1,
        };
        c.request(
            "initialize",
            json!({ "processId": null, "capabilities": {} }),
        );
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .expect("server listens");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .expect("server listens");
        loop {
            match self.conn.receiver.recv().expect("server answers") {
                Message::Response(r) if r.id == id => return r.result.unwrap_or(Value::Null),
                _ => {}
            }
        }
    }

    fn diagnostics(&self) -> Value {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().expect("server answers") {
                if n.method == "textDocument/publishDiagnostics" {
                    return n.params;
                }
            }
        }
    }

    fn open(&mut self, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "funnel", "version": 1, "text": text } }),
        );
        self.diagnostics();
    }

    /// Insert or remove a space at the start of line `line` (alternately),
    /// so every change leaves an equivalent playbook.
    fn touch(&mut self, line: u32) {
        self.version += 1;
        let (range, text) = if self.version % 2 == 0 {
            (
                json!({ "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } }),
                " ",
            )
        } else {
            (
                json!({ "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 1 } }),
                "",
            )
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": self.version }, "contentChanges": [{ "range": range, "text": text }] }),
        );
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            h.join().expect("server stops");
        }
    }
}

fn position(text: &str, needle: &str, delta: usize) -> Value {
    let at = text.find(needle).expect("needle in text") + delta;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": text[start..at].encode_utf16().count() })
}

fn bench_diagnostics(c: &mut Criterion) {
    let text = big_playbook::playbook(1_000_000);
    assert!(funnel_check::check_source(&text).diagnostics.is_empty());
    eprintln!("bench playbook: {} bytes", text.len());
    let mut client = Client::start(Duration::ZERO);
    client.open(&text);
    let mut group = c.benchmark_group("lsp");
    group.sample_size(10);
    group.bench_function("diagnostics after a change, 1 MB playbook", |b| {
        b.iter(|| {
            client.touch(1);
            let d = client.diagnostics();
            assert_eq!(d["diagnostics"].as_array().map(Vec::len), Some(0));
        })
    });
    group.finish();
}

fn bench_requests(c: &mut Criterion) {
    // A long debounce: no diagnostics are computed while requests are timed.
    let mut client = Client::start(Duration::from_secs(3600));
    client.open(SAAS);
    let hover_at = position(SAAS, "fit >= 30 and engagement", 14);
    let complete_at = position(SAAS, "  +5  on webinar_registered", 9);
    let hover = json!({ "textDocument": { "uri": URI }, "position": hover_at });
    let complete = json!({ "textDocument": { "uri": URI }, "position": complete_at });
    assert!(!client
        .request("textDocument/hover", hover.clone())
        .is_null());
    let items = client.request("textDocument/completion", complete.clone());
    assert!(items.as_array().is_some_and(|a| a.len() > 10));
    let mut group = c.benchmark_group("lsp");
    group.bench_function("hover after a change, saas_inbound", |b| {
        b.iter(|| {
            client.touch(0);
            client.request("textDocument/hover", hover.clone())
        })
    });
    group.bench_function("completion after a change, saas_inbound", |b| {
        b.iter(|| {
            client.touch(0);
            client.request("textDocument/completion", complete.clone())
        })
    });
    group.bench_function("hover, saas_inbound", |b| {
        b.iter(|| client.request("textDocument/hover", hover.clone()))
    });
    group.bench_function("completion, saas_inbound", |b| {
        b.iter(|| client.request("textDocument/completion", complete.clone()))
    });
    group.finish();
}

criterion_group!(benches, bench_diagnostics, bench_requests);
criterion_main!(benches);
