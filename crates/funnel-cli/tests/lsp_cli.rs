//! `funnel lsp` as an editor starts it: the binary speaks LSP on stdin and
//! stdout (Content-Length framed JSON-RPC). One session: initialize, open a
//! playbook with a typo, read the published diagnostic, shut down, exit 0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn frame(msg: &Value) -> Vec<u8> {
    let body = msg.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read(out: &mut impl BufRead) -> Value {
    let mut len = 0;
    loop {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            len = n.parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    out.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn a_session_over_stdio() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_funnel"))
        .args(["lsp", "--stdio", "--debounce", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let text = "lead { email text }\nevent visit\nfunnel {\n  Lead on vist\n}\n";
    let messages = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": "file:///p.funnel", "languageId": "funnel", "version": 1, "text": text } } }),
    ];
    for m in &messages {
        stdin.write_all(&frame(m)).unwrap();
    }
    stdin.flush().unwrap();
    let init = read(&mut stdout);
    assert_eq!(init["id"], 1);
    assert_eq!(
        init["result"]["capabilities"]["renameProvider"]["prepareProvider"],
        true
    );
    let published = read(&mut stdout);
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    let d = &published["params"]["diagnostics"];
    let codes: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "funnel::check::missing_playbook",
            "funnel::check::unknown_event"
        ]
    );
    assert_eq!(
        d[1]["range"],
        json!({ "start": { "line": 3, "character": 10 }, "end": { "line": 3, "character": 14 } })
    );
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
        ))
        .unwrap();
    stdin.flush().unwrap();
    assert_eq!(read(&mut stdout)["id"], 2);
    stdin
        .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
        .unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
