//! A test client: starts `funnel_lsp::run` on one end of an in-memory
//! `lsp_server::Connection` and drives it with real JSON-RPC messages
//! (initialize, didOpen/didChange, requests, shutdown/exit). Also renders
//! answers (ranges with the text they cover, completions, symbols) for
//! snapshots, computing UTF-16 positions independently of the server.

#![allow(dead_code)]

use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::{Position, Range};
use serde_json::{json, Value};

pub struct Client {
    conn: Connection,
    server: Option<JoinHandle<()>>,
    next: i32,
    /// Notifications received while waiting for a response, oldest first.
    pub notes: Vec<Notification>,
    /// The capabilities the server announced in its `initialize` answer.
    pub capabilities: Value,
}

pub const URI: &str = "file:///work/playbook.funnel";

impl Client {
    pub fn start() -> Client {
        Client::with_debounce(Duration::ZERO)
    }

    pub fn with_debounce(debounce: Duration) -> Client {
        let (server_end, client_end) = Connection::memory();
        let server = std::thread::spawn(move || {
            let opts = funnel_lsp::Options { debounce };
            funnel_lsp::run(&server_end, opts).expect("the server stops cleanly");
        });
        let mut c = Client {
            conn: client_end,
            server: Some(server),
            next: 0,
            notes: Vec::new(),
            capabilities: Value::Null,
        };
        let init = c.request_raw(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        c.capabilities = init["result"]["capabilities"].clone();
        c.notify("initialized", json!({}));
        c
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .expect("the server is listening");
    }

    /// Send a request and wait for its response (as JSON with `result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .expect("the server is listening");
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return serde_json::to_value(r).expect("a response is JSON");
                }
                Message::Notification(n) => self.notes.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// The result of a request that must succeed.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.request_raw(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    /// Wait for the next notification `method` (taking queued ones first).
    pub fn wait_for(&mut self, method: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|n| n.method == method) {
            return self.notes.remove(i).params;
        }
        loop {
            match self.recv() {
                Message::Notification(n) if n.method == method => return n.params,
                Message::Notification(n) => self.notes.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Open a document and return the diagnostics published for it.
    pub fn open(&mut self, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "funnel", "version": 1, "text": text } }),
        );
        self.wait_for("textDocument/publishDiagnostics")
    }

    /// Replace a range of the open document; returns nothing (diagnostics follow).
    pub fn change(&mut self, version: i32, range: Range, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "range": range, "text": text }]
            }),
        );
    }

    pub fn at(&mut self, method: &str, pos: Position) -> Value {
        self.request(
            method,
            json!({ "textDocument": { "uri": URI }, "position": pos }),
        )
    }

    pub fn doc(&mut self, method: &str) -> Value {
        self.request(method, json!({ "textDocument": { "uri": URI } }))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let _ = self.request_raw("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            h.join().expect("the server thread ends");
        }
    }
}

// ---- positions, computed here independently of the server ----------------------

/// The text with its `$0` marker removed, and the marker's position.
pub fn cursor(marked: &str) -> (String, Position) {
    let at = marked.find("$0").expect("a $0 marker");
    let text = marked.replacen("$0", "", 1);
    (text.clone(), position(&text, at))
}

/// The LSP position of byte `at` (UTF-16 columns).
pub fn position(text: &str, at: usize) -> Position {
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..at].encode_utf16().count() as u32;
    Position::new(line, col)
}

/// The position `delta` bytes into the first occurrence of `needle`.
pub fn find(text: &str, needle: &str, delta: usize) -> Position {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is in the text"));
    position(text, at + delta)
}

/// The position `delta` bytes into the `nth` (0-based) occurrence of `needle`.
pub fn find_nth(text: &str, needle: &str, nth: usize, delta: usize) -> Position {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs {} times", nth + 1))
        .0;
    position(text, at + delta)
}

/// The byte offset of an LSP position.
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        line_start = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

pub fn range_of(v: &Value) -> Range {
    serde_json::from_value(v.clone()).expect("a range")
}

/// `3:4-3:9 `text`` — 0-based LSP line:character, and the text covered.
pub fn show_range(text: &str, v: &Value) -> String {
    let r = range_of(v);
    let covered = &text[offset(text, r.start)..offset(text, r.end)];
    format!(
        "{}:{}-{}:{} `{}`",
        r.start.line, r.start.character, r.end.line, r.end.character, covered
    )
}

/// Apply a workspace edit's edits for [`URI`] to `text`.
pub fn apply(text: &str, edit: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][URI]
        .as_array()
        .expect("edits for the document")
        .iter()
        .map(|e| {
            let r = range_of(&e["range"]);
            (
                offset(text, r.start),
                offset(text, r.end),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

/// Completion items as `label (kind) detail [insert]` lines.
pub fn show_completion(v: &Value) -> String {
    let items = v.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|i| {
            let mut line = format!(
                "{} ({}) {}",
                i["label"].as_str().unwrap_or(""),
                i["kind"],
                i["detail"].as_str().unwrap_or("")
            );
            if let Some(ins) = i["insertText"].as_str() {
                line.push_str(&format!(" [{ins}]"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The labels of completion items, in order.
pub fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Diagnostics as readable lines: range, severity, code, message, related.
pub fn show_diagnostics(text: &str, params: &Value) -> String {
    let mut out = format!("version {}\n", params["version"]);
    for d in params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        out.push_str(&format!(
            "{} severity {} {}\n  {}\n",
            show_range(text, &d["range"]),
            d["severity"],
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or("").replace('\n', "\n  ")
        ));
        for r in d["relatedInformation"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            out.push_str(&format!(
                "  related {} {}\n",
                show_range(text, &r["location"]["range"]),
                r["message"].as_str().unwrap_or("")
            ));
        }
    }
    out
}

pub const SAAS: &str = include_str!("../../../../playbooks/saas_inbound.funnel");
pub const WEBINAR: &str = include_str!("../../../../playbooks/webinar_nurture.funnel");
pub const OUTBOUND: &str = include_str!("../../../../playbooks/enterprise_outbound.funnel");

/// A method name of lsp-types, to keep the strings honest.
pub fn method<R: lsp_types::request::Request>() -> &'static str {
    R::METHOD
}

pub fn note<N: lsp_types::notification::Notification>() -> &'static str {
    N::METHOD
}
