//! The output files of a run, written row by row to a writer the CLI hands
//! in: `leads.csv`, `transitions.csv` and `actions.jsonl`. Nothing is built
//! per row but the row itself: stage names, reasons and nurture names are
//! prepared once, instants go through [`TimeFmt`], whole-number scores are
//! written as integers. The bytes are exactly those of the serialisers in
//! [`super`] (a test holds them to it).

use std::io::{self, Write};

use super::time::TimeFmt;
use super::{action_detail, fmt_value, reason_text, stage_name};
use crate::compile::Compiled;
use crate::data::Dataset;
use crate::trace::{ActionDetail, Reason, Transition};
use crate::value::fmt_num;
use crate::Outcome;

/// Append a score as [`fmt_num`] writes it.
fn write_num(n: f64, out: &mut Vec<u8>) {
    let r = (n * 100.0).round() / 100.0;
    if r == r.trunc() && r.abs() < 1e15 {
        let i = r as i64;
        out.extend_from_slice(i.to_string().as_bytes());
    } else {
        out.extend_from_slice(fmt_num(n).as_bytes());
    }
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// `leads.csv`: id, stage, one column per score, the fields `set` writes.
pub fn write_leads_csv(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_field("id").map_err(csv_err)?;
    w.write_field("stage").map_err(csv_err)?;
    for s in &c.scores {
        w.write_field(&s.name).map_err(csv_err)?;
    }
    for f in &c.set_fields {
        w.write_field(&c.lead_fields[*f as usize].name)
            .map_err(csv_err)?;
    }
    w.write_record(None::<&[u8]>).map_err(csv_err)?;
    let ns = c.scores.len();
    let nf = c.lead_fields.len();
    let mut num = Vec::with_capacity(24);
    for (l, id) in ds.leads.ids.iter().enumerate() {
        w.write_field(id.as_bytes()).map_err(csv_err)?;
        w.write_field(stage_name(c, o.stage[l])).map_err(csv_err)?;
        for s in &o.scores[l * ns..l * ns + ns] {
            num.clear();
            write_num(*s, &mut num);
            w.write_field(&num).map_err(csv_err)?;
        }
        for f in &c.set_fields {
            let v = fmt_value(o.vals[l * nf + *f as usize], &ds.texts, c);
            w.write_field(v).map_err(csv_err)?;
        }
        w.write_record(None::<&[u8]>).map_err(csv_err)?;
    }
    w.flush()
}

/// The reason text of every (stage, reason), computed once.
struct Reasons {
    /// Per stage: the trigger's text, then one text per threshold.
    texts: Vec<Vec<String>>,
}

impl Reasons {
    fn new(c: &Compiled) -> Reasons {
        let texts = (0..c.stages.len())
            .map(|s| {
                let to = u16::try_from(s).unwrap_or(u16::MAX);
                let t = |reason| {
                    reason_text(
                        c,
                        &Transition {
                            lead: 0,
                            from: 0,
                            to,
                            at: 0,
                            reason,
                        },
                    )
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

    fn get<'a>(&'a self, c: &'a Compiled, t: &Transition) -> std::borrow::Cow<'a, str> {
        let i = match t.reason {
            Reason::Skipped => return "skipped".into(),
            Reason::Trigger => 0,
            Reason::Threshold(i) => usize::from(i) + 1,
        };
        match self.texts.get(t.to as usize).and_then(|v| v.get(i)) {
            Some(s) => s.as_str().into(),
            None => reason_text(c, t).into(),
        }
    }
}

/// `transitions.csv`: lead, from, to, at, reason.
pub fn write_transitions_csv(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(["lead", "from", "to", "at", "reason"])
        .map_err(csv_err)?;
    let reasons = Reasons::new(c);
    let mut tf = TimeFmt::new(c.tz);
    let mut at = Vec::with_capacity(32);
    for t in &o.transitions {
        at.clear();
        tf.write(t.at, &mut at);
        w.write_field(ds.leads.ids[t.lead as usize].as_bytes())
            .map_err(csv_err)?;
        w.write_field(stage_name(c, t.from)).map_err(csv_err)?;
        w.write_field(stage_name(c, t.to)).map_err(csv_err)?;
        w.write_field(&at).map_err(csv_err)?;
        w.write_field(reasons.get(c, t).as_bytes())
            .map_err(csv_err)?;
        w.write_record(None::<&[u8]>).map_err(csv_err)?;
    }
    w.flush()
}

/// Append `"key":` and the JSON string `v`.
fn json_str(out: &mut Vec<u8>, key: &str, v: &str) -> io::Result<()> {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(&mut *out, v)?;
    Ok(())
}

/// `actions.jsonl`: one JSON object per send, notify and set, keys in
/// alphabetical order (as `serde_json` orders an object's keys).
pub fn write_actions_jsonl(
    out: &mut dyn Write,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
) -> io::Result<()> {
    let mut tf = TimeFmt::new(c.tz);
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for a in &o.actions {
        line.clear();
        line.extend_from_slice(b"{\"at\":\"");
        tf.write(a.at, &mut line);
        line.push(b'"');
        let lead = &*ds.leads.ids[a.lead as usize];
        let nurture = c
            .nurtures
            .get(a.nurture as usize)
            .map_or("", |n| n.name.as_str());
        let detail = action_detail(c, &ds.texts, &a.detail);
        let rest = |line: &mut Vec<u8>| -> io::Result<()> {
            line.push(b',');
            json_str(line, "kind", a.detail.kind())?;
            line.push(b',');
            json_str(line, "lead", lead)?;
            Ok(())
        };
        let tail = |line: &mut Vec<u8>| -> io::Result<()> {
            line.push(b',');
            json_str(line, "nurture", nurture)?;
            line.extend_from_slice(b",\"step_line\":");
            line.extend_from_slice(a.line.to_string().as_bytes());
            Ok(())
        };
        match &a.detail {
            ActionDetail::Send(t) => {
                line.push(b',');
                json_str(&mut line, "detail", &detail)?;
                rest(&mut line)?;
                tail(&mut line)?;
                line.push(b',');
                json_str(&mut line, "template", ds.texts.resolve(*t))?;
            }
            ActionDetail::Notify { channel, message } => {
                line.push(b',');
                json_str(&mut line, "channel", ds.texts.resolve(*channel))?;
                line.push(b',');
                json_str(&mut line, "detail", &detail)?;
                rest(&mut line)?;
                line.push(b',');
                json_str(&mut line, "message", message)?;
                tail(&mut line)?;
            }
            ActionDetail::Set { field, value } => {
                let name = c
                    .lead_fields
                    .get(*field as usize)
                    .map_or("", |f| f.name.as_str());
                line.push(b',');
                json_str(&mut line, "detail", &detail)?;
                line.push(b',');
                json_str(&mut line, "field", name)?;
                rest(&mut line)?;
                tail(&mut line)?;
                line.push(b',');
                json_str(&mut line, "value", &fmt_value(*value, &ds.texts, c))?;
            }
        }
        line.extend_from_slice(b"}\n");
        buf.extend_from_slice(&line);
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}
