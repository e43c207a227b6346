//! Sample data for a playbook: realistic leads and time-spread events,
//! generated deterministically from a seed (ChaCha8, one stream per lead, so
//! lead `L0042` is the same whatever the number of leads).
//!
//! Lead fields are drawn by type and name (emails, titles, company sizes,
//! countries, the enumerations' values), and now and then take a value the
//! playbook's conditions compare them with. Events follow the playbook's
//! own funnel ([`plan`] reads it, [`journey`] walks it): every lead arrives
//! with some background activity and aims for a funnel depth; for each
//! stage on the way it emits what enters that stage, checked against the
//! real replay (a [`Stepper`]), so any valid playbook gets leads in
//! every reachable stage in falling proportions, deals with amounts, opens
//! and clicks on the emails its nurtures send, and some lost leads.
//!
//! Leads are written as they are drawn; events are kept compactly (an
//! instant, a lead, an event type and interned cell values: about 30 bytes
//! an event) until all are drawn, then sorted and written in [`write`], so
//! 1M leads and 10M events take well under a gigabyte.

mod journey;
mod plan;
mod values;
mod write;

use funnel_check::Ty;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use funnel_engine::compile::Compiled;
use funnel_engine::value::Value;
use funnel_engine::Dataset;
use funnel_engine::RunOptions;
use funnel_engine::Stepper;
use journey::{Drawn, Env, Lead};
use plan::Plan;
use values::after;

pub use write::{write_sample, SampleCounts, SampleError, SampleFormat};
use write::{EventStore, Strings};

pub(crate) type Rng8 = ChaCha8Rng;

const DAY: i64 = 86_400;
/// Leads replayed together on one stepper (bounds the memory it keeps).
const CHUNK: usize = 256;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct SampleOptions {
    pub leads: usize,
    pub seed: u64,
    /// The first instant of the period (leads arrive from then on).
    pub start: i64,
    /// Length of the period in days; no event falls after it.
    pub days: i64,
}

/// The column names of the leads file and of the events file.
pub(crate) fn headers(c: &Compiled) -> (Vec<String>, Vec<String>) {
    let mut lead_header = vec!["id".to_string()];
    lead_header.extend(c.lead_fields.iter().map(|f| f.name.clone()));
    let mut event_header = vec!["lead".to_string(), "event".to_string(), "at".to_string()];
    for e in &c.events {
        for f in &e.fields {
            if !event_header.contains(&f.name) {
                event_header.push(f.name.clone());
            }
        }
    }
    (lead_header, event_header)
}

/// Draw every lead, handing its row (id first, then the lead fields, empty
/// when missing) to `lead_row` as it is drawn, and keep its events in the
/// returned store (in drawing order: lead by lead).
pub(crate) fn draw<E>(
    c: &Compiled,
    o: &SampleOptions,
    event_header: &[String],
    lead_row: &mut dyn FnMut(&[&str]) -> Result<(), E>,
) -> Result<EventStore, E> {
    let plan = Plan::new(c);
    let cols: Vec<Vec<usize>> = c
        .events
        .iter()
        .map(|e| {
            e.fields
                .iter()
                .map(|f| {
                    event_header
                        .iter()
                        .position(|h| *h == f.name)
                        .unwrap_or(usize::MAX)
                })
                .collect()
        })
        .collect();
    let inputs: Vec<Value> = c
        .inputs
        .iter()
        .map(|i| i.default.unwrap_or(Value::Missing))
        .collect();
    let end = o.start + o.days * DAY;
    let env = Env {
        c,
        plan: &plan,
        cols: &cols,
        inputs: &inputs,
        end,
    };
    let base = vocabulary(c, &plan);
    let opts = RunOptions {
        as_of: Some(end),
        trace: None,
        inputs: inputs.clone(),
        coverage: false,
    };
    let mut store = EventStore::new();
    let mut strings = Strings::default();
    let mut out: Vec<Drawn> = Vec::new();
    let mut cells = Vec::new();
    let mut from = 0;
    while from < o.leads {
        let to = (from + CHUNK).min(o.leads);
        let mut ds = base.clone();
        let mut drawn = Vec::with_capacity(to - from);
        for i in from..to {
            let id = store.lead_id(i);
            let seed = o.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let person = values::person(&mut rng);
            let mut row: Vec<Option<String>> = Vec::with_capacity(c.lead_fields.len());
            let mut vals = Vec::with_capacity(c.lead_fields.len());
            for (k, f) in c.lead_fields.iter().enumerate() {
                let hints = plan.lead_hints.get(k).map_or(&[][..], Vec::as_slice);
                let mut text = values::lead_value(&mut rng, &person, &f.name, &f.ty, f.optional);
                if !hints.is_empty() && rng.random_bool(0.3) {
                    text = Some(hints[rng.random_range(0..hints.len())].clone());
                }
                let mut v = match &text {
                    Some(t) => decode_lead(t, &f.ty, c, &mut ds),
                    None => Value::Missing,
                };
                if text.is_some() && v == Value::Missing {
                    // A hint the field's type does not take: a plain value.
                    let t = values::value(&mut rng, &f.name, &f.ty);
                    v = decode_lead(&t, &f.ty, c, &mut ds);
                    text = Some(t);
                }
                row.push(text);
                vals.push(v);
            }
            let mut texts: Vec<&str> = Vec::with_capacity(row.len() + 1);
            texts.push(&id);
            texts.extend(row.iter().map(|v| v.as_deref().unwrap_or("")));
            lead_row(&texts)?;
            let n = ds.push_lead(c, &id, &vals).ok();
            drawn.push((i, n, rng, person.fit));
        }
        let mut st = Stepper::lead_by_lead(c, &ds, &opts);
        let mut seen_actions = 0;
        for (i, n, mut rng, fit) in drawn {
            let Some(n) = n else { continue };
            out.clear();
            cells.clear();
            let nf = c.lead_fields.len();
            let lead_vals = ds
                .leads
                .values
                .get(n as usize * nf..(n as usize + 1) * nf)
                .unwrap_or_default();
            let arrival = after(&mut rng, o.start, 0.0, o.days as f64 * 0.85);
            let deal = deal_amount(&mut rng);
            st.begin_lead(n);
            let mut lead = Lead {
                env: &env,
                st: &mut st,
                texts: &ds.texts,
                lead: n,
                lead_vals,
                rng,
                strings: &mut strings,
                out: &mut out,
                cells: &mut cells,
                deal,
                seen_actions,
            };
            lead.drive(arrival, fit);
            seen_actions = lead.seen_actions;
            st.end_lead(end);
            seen_actions = seen_actions.max(st.actions().len());
            let lead = u32::try_from(i).unwrap_or(u32::MAX);
            for d in &out {
                let first = d.first as usize;
                store.push(d.t, lead, d.event, &cells[first..first + d.n as usize]);
            }
        }
        from = to;
    }
    store.strings = strings;
    Ok(store)
}

/// A lead value decoded into the chunk's dataset (missing when it does not decode).
fn decode_lead(text: &str, ty: &Ty, c: &Compiled, ds: &mut Dataset) -> Value {
    crate::decode::decode(text, ty, c.tz, &mut ds.texts).unwrap_or(Value::Missing)
}

/// A deal's amount: mostly $5k-$60k, some large ones, in steps of 500.
fn deal_amount(rng: &mut Rng8) -> String {
    let base: f64 = if rng.random_bool(0.15) {
        rng.random_range(60_000.0..250_000.0)
    } else {
        rng.random_range(5_000.0..60_000.0)
    };
    (((base / 500.0).round() as i64) * 500).to_string()
}

/// An empty dataset with every text an event field may be drawn with
/// already interned, so the replay can compare and match them.
fn vocabulary(c: &Compiled, plan: &Plan) -> Dataset {
    let mut ds = Dataset::new(c);
    let banks: [&[&str]; 3] = [values::ASSETS, values::LOSS_REASONS, values::NEWSLETTERS];
    for bank in banks {
        for s in bank {
            ds.texts.intern(s);
        }
    }
    for (s, _) in values::PATHS.iter().chain(values::FORMS) {
        ds.texts.intern(s);
    }
    for t in &plan.templates {
        ds.texts.intern(t);
    }
    for (e, def) in c.events.iter().enumerate() {
        for (i, f) in def.fields.iter().enumerate() {
            match &f.ty {
                Ty::Enum(vs) => {
                    for v in vs {
                        ds.texts.intern(v);
                    }
                }
                Ty::Text => {
                    for k in 1..20 {
                        ds.texts.intern(&format!("{}-{k}", f.name));
                    }
                }
                _ => {}
            }
            for h in plan
                .event_hints
                .get(e)
                .and_then(|h| h.get(i))
                .into_iter()
                .flatten()
            {
                ds.texts.intern(h);
            }
        }
    }
    ds
}
