//! Sample data for a playbook: realistic leads and time-spread events,
//! generated deterministically from a seed (ChaCha8, one stream per lead, so
//! lead `L0042` is the same whatever the number of leads).
//!
//! Lead fields are drawn by type and name (emails, titles, company sizes,
//! countries, the enumerations' values). Events follow a behaviour model of
//! a B2B inbound funnel over the chosen months: arrival, page views,
//! downloads, forms, webinars, email opens and clicks, pricing views,
//! trials and demo requests for the interested; sales acceptance, meetings,
//! deals won and lost, referrals and expansion for some; unsubscribes for a
//! few. Only declared events are written, with their declared fields; any
//! other declared event is sprinkled in with values of the right types.

mod values;

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::compile::{Compiled, Instr};
use crate::output::fmt_time_short;
use values::{one, pick, ASSETS, FORMS, LOSS_REASONS, NEWSLETTERS, PATHS};

pub(crate) type Rng8 = ChaCha8Rng;

const DAY: i64 = 86_400;

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

/// Generated rows, as text cells under their headers.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub lead_header: Vec<String>,
    pub leads: Vec<Vec<String>>,
    pub event_header: Vec<String>,
    /// Sorted by instant (then lead).
    pub events: Vec<Vec<String>>,
}

struct Gen<'a> {
    c: &'a Compiled,
    rng: Rng8,
    lead: String,
    end: i64,
    /// Event index by name.
    events: &'a HashMap<&'a str, usize>,
    /// Union column of each event field.
    cols: &'a HashMap<&'a str, usize>,
    width: usize,
    out: Vec<(i64, Vec<String>)>,
}

impl Gen<'_> {
    /// Emit event `name` at `t` with the given field values (others drawn).
    fn emit(&mut self, name: &str, t: i64, given: &[(&str, String)]) -> bool {
        let Some(&e) = self.events.get(name) else {
            return false;
        };
        if t >= self.end {
            return false;
        }
        let mut row = vec![String::new(); self.width];
        row[0] = self.lead.clone();
        row[1] = name.to_string();
        row[2] = fmt_time_short(t, self.c.tz);
        for f in &self.c.events[e].fields {
            let v = match given.iter().find(|(n, _)| *n == f.name) {
                Some((_, v)) => v.clone(),
                None if f.optional => continue,
                None => values::value(&mut self.rng, &f.name, &f.ty),
            };
            if let Some(&col) = self.cols.get(f.name.as_str()) {
                row[col] = v;
            }
        }
        self.out.push((t, row));
        true
    }

    /// An instant `days` (fractional) after `t`, moved into working hours
    /// (08:00-18:00 UTC-ish) most of the time.
    fn after(&mut self, t: i64, min_days: f64, max_days: f64) -> i64 {
        let d = self
            .rng
            .random_range(min_days..max_days.max(min_days + 0.01));
        let raw = t + (d * DAY as f64) as i64;
        let day = raw.div_euclid(DAY) * DAY;
        let hour = if self.rng.random_bool(0.9) {
            self.rng.random_range(13..23) // mid-morning to evening in the Americas and Europe
        } else {
            self.rng.random_range(0..24)
        };
        let t2 = day + hour * 3_600 + self.rng.random_range(0..60) * 60;
        t2.max(t + 60)
    }

    fn maybe(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
}

/// Generate leads and events for the compiled playbook.
pub fn generate(c: &Compiled, o: &SampleOptions) -> Sample {
    let mut lead_header = vec!["id".to_string()];
    lead_header.extend(c.lead_fields.iter().map(|f| f.name.clone()));
    let mut event_header = vec!["lead".to_string(), "event".to_string(), "at".to_string()];
    let mut cols: HashMap<&str, usize> = HashMap::new();
    for e in &c.events {
        for f in &e.fields {
            if !cols.contains_key(f.name.as_str()) {
                cols.insert(f.name.as_str(), event_header.len());
                event_header.push(f.name.clone());
            }
        }
    }
    let events: HashMap<&str, usize> = c
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let templates: Vec<String> = c
        .nurtures
        .iter()
        .flat_map(|n| n.code.iter())
        .filter_map(|i| match i {
            Instr::Send { template, .. } => Some(c.texts.resolve(*template).to_string()),
            _ => None,
        })
        .collect();
    let mut leads = Vec::with_capacity(o.leads);
    let mut all: Vec<(i64, usize, Vec<String>)> = Vec::new();
    let width = event_header.len();
    for i in 0..o.leads {
        let id = format!("L{:0w$}", i + 1, w = digits(o.leads));
        let seed = o.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let person = values::person(&mut rng);
        let mut row = vec![id.clone()];
        for f in &c.lead_fields {
            let v = values::lead_value(&mut rng, &person, &f.name, &f.ty, f.optional);
            row.push(v.unwrap_or_default());
        }
        leads.push(row);
        let mut g = Gen {
            c,
            rng,
            lead: id,
            end: o.start + o.days * DAY,
            events: &events,
            cols: &cols,
            width,
            out: Vec::new(),
        };
        behave(&mut g, o, person.fit, &templates);
        all.extend(g.out.into_iter().map(|(t, r)| (t, i, r)));
    }
    all.sort_by_key(|(t, i, _)| (*t, *i));
    Sample {
        lead_header,
        leads,
        event_header,
        events: all.into_iter().map(|(_, _, r)| r).collect(),
    }
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len().max(4)
}

/// One lead's behaviour over the period.
fn behave(g: &mut Gen<'_>, o: &SampleOptions, fit: f64, templates: &[String]) {
    let interest: f64 = g.rng.random::<f64>().powf(1.4);
    let arrival = g.after(o.start, 0.0, o.days as f64 * 0.85);
    let first_path = pick(&mut g.rng, PATHS).to_string();
    g.emit("page_view", arrival, &[("path", first_path)]);
    let mut t = arrival;
    let visits = g.rng.random_range(0..(2.0 + interest * 10.0) as u32);
    for _ in 0..visits {
        t = g.after(t, 0.2, 9.0);
        let path = pick(&mut g.rng, PATHS).to_string();
        g.emit("page_view", t, &[("path", path)]);
    }
    let mut touch = arrival;
    if g.maybe(0.3 + 0.4 * interest) {
        touch = g.after(arrival, 0.0, 6.0);
        let asset = one(&mut g.rng, ASSETS).to_string();
        g.emit("content_download", touch, &[("asset", asset)]);
        // Reactions to the nurture's emails.
        let mut et = touch;
        for tpl in templates {
            et = g.after(et, 0.5, 4.0);
            if g.maybe(0.35 + 0.4 * interest) {
                g.emit("email_open", et, &[("template", tpl.clone())]);
                if g.maybe(0.2 + 0.5 * interest) {
                    let ct = g.after(et, 0.0, 0.3);
                    g.emit("email_click", ct, &[("template", tpl.clone())]);
                }
            }
        }
    }
    if g.maybe(0.2 + 0.3 * interest) {
        let ft = g.after(arrival, 0.0, 20.0);
        let mut form = pick(&mut g.rng, FORMS).to_string();
        if interest > 0.7 && g.maybe(0.5) {
            form = "contact-sales".to_string();
        }
        g.emit("form_submit", ft, &[("form", form)]);
    }
    for nl in NEWSLETTERS {
        let mut nt = arrival;
        for _ in 0..g.rng.random_range(0..4) {
            nt = g.after(nt, 5.0, 20.0);
            if g.maybe(0.4 + 0.3 * interest) {
                g.emit("email_open", nt, &[("template", nl.to_string())]);
            }
        }
    }
    if g.maybe(0.15 + 0.35 * interest) {
        let wt = g.after(arrival, 1.0, 25.0);
        g.emit("webinar_registered", wt, &[]);
        if g.maybe(0.6) {
            let at = g.after(wt, 3.0, 10.0);
            g.emit("webinar_attended", at, &[]);
        }
    }
    let engaged = interest + g.rng.random::<f64>() * 0.3 > 0.55;
    let mut sales_start = None;
    if engaged {
        let mut pt = touch;
        for _ in 0..g.rng.random_range(1..4) {
            pt = g.after(pt, 1.0, 12.0);
            g.emit("pricing_view", pt, &[]);
        }
        if g.maybe(0.3) {
            let tt = g.after(pt, 0.0, 5.0);
            g.emit("trial_started", tt, &[]);
        }
        if g.maybe(0.25 + 0.4 * interest * (0.5 + fit)) {
            let dt = g.after(pt, 0.0, 7.0);
            g.emit("demo_request", dt, &[]);
            sales_start = Some(dt);
        }
    }
    if sales_start.is_none() && fit > 0.6 && interest > 0.4 && g.maybe(0.5) {
        sales_start = Some(g.after(touch, 3.0, 20.0));
    }
    if let Some(st) = sales_start {
        sales(g, st, fit);
    }
    if g.maybe(0.04) {
        let ut = g.after(arrival, 1.0, 60.0);
        g.out.retain(|(t, _)| *t < ut);
        g.emit("unsubscribe", ut, &[]);
    }
    // Any other declared event: now and then, with drawn field values.
    let known = [
        "page_view",
        "content_download",
        "email_open",
        "email_click",
        "form_submit",
        "webinar_registered",
        "webinar_attended",
        "pricing_view",
        "trial_started",
        "demo_request",
        "sales_accepted",
        "meeting_held",
        "deal_created",
        "deal_won",
        "deal_lost",
        "unsubscribe",
        "referral_made",
        "referral",
    ];
    let others: Vec<String> =
        g.c.events
            .iter()
            .map(|e| e.name.clone())
            .filter(|n| !known.contains(&n.as_str()))
            .collect();
    for name in others {
        if g.maybe(0.15) {
            let at = g.after(arrival, 0.0, 40.0);
            g.emit(&name, at, &[]);
        }
    }
}

/// The sales part: acceptance, meeting, deal, outcome, expansion, referral.
fn sales(g: &mut Gen<'_>, start: i64, fit: f64) {
    // Acceptance after a few hours to a few days: slow ones breach SLAs.
    let at = g.after(start, 0.05, 4.0);
    if !g.maybe(0.8) || !g.emit("sales_accepted", at, &[]) {
        return;
    }
    if !g.maybe(0.75) {
        return;
    }
    let mt = g.after(at, 1.0, 10.0);
    g.emit("meeting_held", mt, &[]);
    if !g.maybe(0.6) {
        return;
    }
    let dt = g.after(mt, 2.0, 14.0);
    let amount = (g.rng.random_range(10..120) * 500).to_string();
    if !g.emit("deal_created", dt, &[("amount", amount.clone())]) {
        return;
    }
    let outcome: f64 = g.rng.random();
    let ot = g.after(dt, 15.0, 60.0);
    let win = 0.25 + 0.3 * fit;
    if outcome < win {
        g.emit(
            "deal_won",
            ot,
            &[("amount", amount), ("kind", "new".to_string())],
        );
        if g.maybe(0.25) {
            let rt = g.after(ot, 10.0, 60.0);
            if !g.emit("referral_made", rt, &[]) {
                g.emit("referral", rt, &[]);
            }
        }
        if g.maybe(0.2) {
            let xt = g.after(ot, 30.0, 90.0);
            let extra = (g.rng.random_range(4..40) * 250).to_string();
            g.emit(
                "deal_won",
                xt,
                &[("amount", extra), ("kind", "addon".to_string())],
            );
        }
    } else if outcome < win + 0.45 {
        let reason = one(&mut g.rng, LOSS_REASONS).to_string();
        g.emit("deal_lost", ot, &[("reason", reason)]);
    }
}

/// Rows as CSV text under the header.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Rows as JSON Lines, leaving out empty cells.
pub fn to_jsonl(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for r in rows {
        let obj: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(r)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        out.push_str(&serde_json::Value::Object(obj).to_string());
        out.push('\n');
    }
    out
}
