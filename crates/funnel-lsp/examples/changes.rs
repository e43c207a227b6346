//! Times `funnel lsp` on the ~1 MB bench playbook as a whole process, for a
//! CPU-time measurement that a busy machine does not inflate: open the
//! playbook, then make N edits, each answered by `publishDiagnostics`, and
//! print the mean wall time per edit. Run it twice under a process timer
//! (`/usr/bin/time -v`), with N and with 0 edits: the difference in CPU time
//! divided by N is the work per edit.
//!
//! `cargo run --release -p funnel-lsp --example changes -- 20`

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

#[path = "../../funnel-check/benches/support/big_playbook.rs"]
mod big_playbook;

fn send(conn: &Connection, method: &str, params: Value) -> Result<(), String> {
    conn.sender
        .send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )))
        .map_err(|e| e.to_string())
}

fn diagnostics(conn: &Connection) -> Result<usize, String> {
    loop {
        match conn.receiver.recv().map_err(|e| e.to_string())? {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                return Ok(n.params["diagnostics"].as_array().map_or(0, Vec::len));
            }
            _ => {}
        }
    }
}

fn request(conn: &Connection, id: i32, method: &str, params: Value) -> Result<(), String> {
    let id = RequestId::from(id);
    conn.sender
        .send(Message::Request(Request::new(
            id.clone(),
            method.to_string(),
            params,
        )))
        .map_err(|e| e.to_string())?;
    loop {
        if let Message::Response(r) = conn.receiver.recv().map_err(|e| e.to_string())? {
            if r.id == id {
                return Ok(());
            }
        }
    }
}

fn main() -> Result<(), String> {
    let edits: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let text = big_playbook::playbook(1_000_000);
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || {
        let opts = funnel_lsp::Options {
            debounce: Duration::ZERO,
        };
        funnel_lsp::run(&server, opts).map_err(|e| e.to_string())
    });
    request(
        &client,
        1,
        "initialize",
        json!({ "processId": null, "capabilities": {} }),
    )?;
    send(&client, "initialized", json!({}))?;
    let uri = "file:///bench.funnel";
    send(
        &client,
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "funnel", "version": 1, "text": text } }),
    )?;
    let found = diagnostics(&client)?;
    if found != 0 {
        return Err(format!("the bench playbook has {found} diagnostics"));
    }
    let start = Instant::now();
    for v in 0..edits {
        let (end, new) = if v % 2 == 0 { (0, " ") } else { (1, "") };
        send(
            &client,
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": v + 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": end } }, "text": new }]
            }),
        )?;
        diagnostics(&client)?;
    }
    if edits > 0 {
        let per = start.elapsed() / edits;
        println!(
            "{edits} edits of a {} byte playbook: {per:?} per edit (wall)",
            text.len()
        );
    }
    request(&client, 2, "shutdown", Value::Null)?;
    send(&client, "exit", Value::Null)?;
    handle
        .join()
        .map_err(|_| "the server thread panicked".to_string())?
}
