//! A webhook receiver on 127.0.0.1 for tests: it records every request
//! (the `Idempotency-Key`, the signature and the body) and answers with the
//! status a test chooses, by the key and how many times it came.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Hit {
    pub key: String,
    pub signature: String,
    pub body: String,
}

type Respond = dyn Fn(&Hit, usize) -> u16 + Send + Sync;

pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    /// `respond(hit, n)`: the status for the `n`-th request (1 first) with this key.
    pub fn start(respond: impl Fn(&Hit, usize) -> u16 + Send + Sync + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
        let respond: Arc<Respond> = Arc::new(respond);
        let h = hits.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (h, seen, respond) = (h.clone(), seen.clone(), respond.clone());
                std::thread::spawn(move || serve(conn, &h, &seen, &*respond));
            }
        });
        Receiver { url, hits }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

fn serve(
    conn: TcpStream,
    hits: &Mutex<Vec<Hit>>,
    seen: &Mutex<HashMap<String, usize>>,
    respond: &Respond,
) {
    let mut rd = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut headers = HashMap::new();
        let mut line = String::new();
        if rd.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if rd.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if rd.read_exact(&mut body).is_err() {
            return;
        }
        let hit = Hit {
            key: headers.get("idempotency-key").cloned().unwrap_or_default(),
            signature: headers
                .get("x-funnel-signature")
                .cloned()
                .unwrap_or_default(),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let n = {
            let mut s = seen.lock().unwrap();
            let n = s.entry(hit.key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let status = respond(&hit, n);
        hits.lock().unwrap().push(hit);
        let resp = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
        if out.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}
