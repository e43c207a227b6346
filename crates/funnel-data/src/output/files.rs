//! The output files of a run, written to a writer the CLI hands in:
//! `leads.csv`, `transitions.csv` and `actions.jsonl`. Rows are formatted
//! in blocks, on several threads, straight into byte buffers written in
//! order; stage names, reasons and nurture names are encoded once, instants
//! go through [`TimeFmt`], whole-number scores are written as integers. CSV
//! fields are quoted exactly when the `csv` crate quotes them (a comma, a
//! quote, a CR or LF inside), JSON strings are escaped by `serde_json`, so
//! the bytes do not depend on the number of threads.

use std::io::{self, Write};
use std::sync::mpsc;

use super::time::TimeFmt;
use funnel_engine::compile::Compiled;
use funnel_engine::display::{action_detail, fmt_value, reason_text};
use funnel_engine::trace::{Action, ActionDetail, Reason, Transition};
use funnel_engine::value::fmt_num;
use funnel_engine::Dataset;
use funnel_engine::Outcome;

/// Rows per block of work.
const BLOCK: usize = 65_536;

/// Format rows `0..n` with `row` (each thread with its own state from
/// `init`) in blocks on `threads` threads, and write them in order.
/// `warm(i)` is called for a block's rows before they are formatted: it
/// reads what row `i` will need (a lead id far away in memory), so those
/// cache misses overlap.
fn write_rows<S>(
    out: &mut dyn Write,
    n: usize,
    threads: usize,
    init: &(dyn Fn() -> S + Sync),
    warm: &(dyn Fn(usize) -> usize + Sync),
    row: &(dyn Fn(&mut S, usize, &mut Vec<u8>) + Sync),
) -> io::Result<()> {
    let block = |s: &mut S, b: usize, buf: &mut Vec<u8>| {
        buf.clear();
        let rows = b * BLOCK..((b + 1) * BLOCK).min(n);
        let mut sum = 0usize;
        for chunk in rows.step_by(64) {
            let end = (chunk + 64).min(n).min((b + 1) * BLOCK);
            sum = (chunk..end).fold(sum, |acc, i| acc.wrapping_add(warm(i)));
            for i in chunk..end {
                row(s, i, buf);
            }
        }
        std::hint::black_box(sum);
    };
    let blocks = n.div_ceil(BLOCK);
    let threads = threads.clamp(1, blocks.max(1));
    if threads == 1 {
        let (mut s, mut buf) = (init(), Vec::new());
        for b in 0..blocks {
            block(&mut s, b, &mut buf);
            out.write_all(&buf)?;
        }
        return Ok(());
    }
    // Workers take block numbers in turn and send back the formatted
    // blocks; this thread writes them in order (at most two per worker in
    // flight) and hands the emptied buffers back.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<u8>)>();
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let free_rx = std::sync::Mutex::new(free_rx);
    for _ in 0..2 * threads {
        let _ = free_tx.send(Vec::new());
    }
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (next, done_tx, free_rx, block) = (&next, done_tx.clone(), &free_rx, &block);
            scope.spawn(move || {
                let mut s = init();
                loop {
                    let buf = match free_rx.lock().map(|rx| rx.recv()) {
                        Ok(Ok(buf)) => buf,
                        _ => return,
                    };
                    let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if b >= blocks {
                        return;
                    }
                    let mut buf = buf;
                    block(&mut s, b, &mut buf);
                    if done_tx.send((b, buf)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        let mut result = Ok(());
        while want < blocks {
            let Ok((b, buf)) = done_rx.recv() else { break };
            waiting.insert(b, buf);
            while let Some(buf) = waiting.remove(&want) {
                if result.is_ok() {
                    result = out.write_all(&buf);
                }
                want += 1;
                let _ = free_tx.send(buf);
            }
        }
        drop(free_tx);
        result
    })
}

/// The bytes that make the `csv` crate quote a field.
const QUOTE: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// Append a CSV field, quoted when it must be.
fn csv_field(out: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&b| QUOTE[b as usize]) {
        out.extend_from_slice(s);
        return;
    }
    out.push(b'"');
    for &b in s {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn csv_encoded(s: &str) -> Vec<u8> {
    let mut v = Vec::new();
    csv_field(&mut v, s.as_bytes());
    v
}

/// Append a score as [`fmt_num`] writes it.
fn write_num(n: f64, out: &mut Vec<u8>) {
    let r = (n * 100.0).round() / 100.0;
    if r == r.trunc() && r.abs() < 1e15 {
        out.extend_from_slice((r as i64).to_string().as_bytes());
    } else {
        out.extend_from_slice(fmt_num(n).as_bytes());
    }
}

/// Every stage's name, CSV-encoded (and "" for no stage at the end).
fn stage_fields(c: &Compiled) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = c.stages.iter().map(|s| csv_encoded(&s.name)).collect();
    v.push(Vec::new());
    v
}

fn stage_field(names: &[Vec<u8>], s: u16) -> &[u8] {
    names
        .get(s as usize)
        .or(names.last())
        .map_or(&[][..], Vec::as_slice)
}

/// `leads.csv`: id, stage, one column per score, the fields `set` writes.
pub fn write_leads_csv(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    threads: usize,
) -> io::Result<()> {
    let mut head = b"id,stage".to_vec();
    for name in c.scores.iter().map(|s| &s.name).chain(
        c.set_fields
            .iter()
            .map(|f| &c.lead_fields[*f as usize].name),
    ) {
        head.push(b',');
        csv_field(&mut head, name.as_bytes());
    }
    head.push(b'\n');
    out.write_all(&head)?;
    let stages = stage_fields(c);
    let (ns, nf) = (c.scores.len(), c.lead_fields.len());
    write_rows(
        out,
        ds.leads.len(),
        threads,
        &|| (),
        &|_| 0,
        &|_, l, buf| {
            csv_field(buf, ds.leads.ids[l].as_bytes());
            buf.push(b',');
            buf.extend_from_slice(stage_field(&stages, o.stage[l]));
            for s in &o.scores[l * ns..l * ns + ns] {
                buf.push(b',');
                write_num(*s, buf);
            }
            for f in &c.set_fields {
                buf.push(b',');
                let v = fmt_value(o.vals[l * nf + *f as usize], &ds.texts, c);
                csv_field(buf, v.as_bytes());
            }
            buf.push(b'\n');
        },
    )
}

/// Every (stage, reason)'s text, CSV-encoded, computed once.
struct Reasons {
    /// Per stage: the trigger's text, then one text per threshold.
    texts: Vec<Vec<Vec<u8>>>,
}

impl Reasons {
    fn new(c: &Compiled) -> Reasons {
        let texts = (0..c.stages.len())
            .map(|s| {
                let to = u16::try_from(s).unwrap_or(u16::MAX);
                let t = |reason| {
                    let text = reason_text(
                        c,
                        &Transition {
                            lead: 0,
                            from: 0,
                            to,
                            at: 0,
                            reason,
                        },
                    );
                    csv_encoded(&text)
                };
                let mut v = vec![t(Reason::Trigger)];
                for i in 0..c.stages[s].thresholds.len() {
                    v.push(t(Reason::Threshold(u8::try_from(i).unwrap_or(u8::MAX))));
                }
                v
            })
            .collect();
        Reasons { texts }
    }

    fn write(&self, c: &Compiled, t: &Transition, buf: &mut Vec<u8>) {
        let i = match t.reason {
            Reason::Skipped => return buf.extend_from_slice(b"skipped"),
            Reason::Trigger => 0,
            Reason::Threshold(i) => usize::from(i) + 1,
        };
        match self.texts.get(t.to as usize).and_then(|v| v.get(i)) {
            Some(s) => buf.extend_from_slice(s),
            None => csv_field(buf, reason_text(c, t).as_bytes()),
        }
    }
}

/// `transitions.csv`: lead, from, to, at, reason.
pub fn write_transitions_csv(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    threads: usize,
) -> io::Result<()> {
    out.write_all(b"lead,from,to,at,reason\n")?;
    let reasons = Reasons::new(c);
    let stages = stage_fields(c);
    let init = || TimeFmt::new(c.tz);
    let warm = |i: usize| lead_id_warm(ds, o.transitions[i].lead);
    write_rows(
        out,
        o.transitions.len(),
        threads,
        &init,
        &warm,
        &|tf, i, buf| {
            let t = &o.transitions[i];
            csv_field(buf, ds.leads.ids[t.lead as usize].as_bytes());
            buf.push(b',');
            buf.extend_from_slice(stage_field(&stages, t.from));
            buf.push(b',');
            buf.extend_from_slice(stage_field(&stages, t.to));
            buf.push(b',');
            tf.write(t.at, buf);
            buf.push(b',');
            reasons.write(c, t, buf);
            buf.push(b'\n');
        },
    )
}

/// Read a lead's id (its first byte) so that it is in cache soon.
fn lead_id_warm(ds: &Dataset, lead: u32) -> usize {
    ds.leads
        .ids
        .get(lead as usize)
        .and_then(|id| id.as_bytes().first())
        .map_or(0, |b| usize::from(*b))
}

/// Append `"key":` and the JSON string `v`.
fn json_str(out: &mut Vec<u8>, key: &str, v: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// One action as a JSON object, keys in alphabetical order (as
/// `serde_json` orders an object's keys).
fn action_line(c: &Compiled, ds: &Dataset, a: &Action, tf: &mut TimeFmt, line: &mut Vec<u8>) {
    line.extend_from_slice(b"{\"at\":\"");
    tf.write(a.at, line);
    line.push(b'"');
    let lead = &*ds.leads.ids[a.lead as usize];
    let nurture = c
        .nurtures
        .get(a.nurture as usize)
        .map_or("", |n| n.name.as_str());
    let detail = action_detail(c, &ds.texts, &a.detail);
    let rest = |line: &mut Vec<u8>| {
        line.push(b',');
        json_str(line, "kind", a.detail.kind());
        line.push(b',');
        json_str(line, "lead", lead);
    };
    let tail = |line: &mut Vec<u8>| {
        line.push(b',');
        json_str(line, "nurture", nurture);
        line.extend_from_slice(b",\"step_line\":");
        line.extend_from_slice(a.line.to_string().as_bytes());
    };
    match &a.detail {
        ActionDetail::Send(t) => {
            line.push(b',');
            json_str(line, "detail", &detail);
            rest(line);
            tail(line);
            line.push(b',');
            json_str(line, "template", ds.texts.resolve(*t));
        }
        ActionDetail::Notify { channel, message } => {
            line.push(b',');
            json_str(line, "channel", ds.texts.resolve(*channel));
            line.push(b',');
            json_str(line, "detail", &detail);
            rest(line);
            line.push(b',');
            json_str(line, "message", message);
            tail(line);
        }
        ActionDetail::Set { field, value } => {
            let name = c
                .lead_fields
                .get(*field as usize)
                .map_or("", |f| f.name.as_str());
            line.push(b',');
            json_str(line, "detail", &detail);
            line.push(b',');
            json_str(line, "field", name);
            rest(line);
            tail(line);
            line.push(b',');
            json_str(line, "value", &fmt_value(*value, &ds.texts, c));
        }
    }
    line.extend_from_slice(b"}\n");
}

/// `actions.jsonl`: one JSON object per send, notify and set.
pub fn write_actions_jsonl(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    threads: usize,
) -> io::Result<()> {
    let init = || TimeFmt::new(c.tz);
    let warm = |i: usize| lead_id_warm(ds, o.actions[i].lead);
    write_rows(
        out,
        o.actions.len(),
        threads,
        &init,
        &warm,
        &|tf, i, buf| action_line(c, ds, &o.actions[i], tf, buf),
    )
}
