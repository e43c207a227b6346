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
//!
//! Leads are written as they are drawn; events are kept compactly (an
//! instant, a lead, an event type and interned cell values: about 30 bytes
//! an event) until all are drawn, then sorted and written in [`write`], so
//! 1M leads and 10M events take well under a gigabyte.

mod values;
mod write;

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::compile::{Compiled, Instr};
use values::{one, pick, ASSETS, FORMS, LOSS_REASONS, NEWSLETTERS, PATHS};

pub use write::{write_sample, SampleCounts, SampleError, SampleFormat};
use write::{EventStore, Strings};

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

struct Gen<'a> {
    c: &'a Compiled,
    rng: Rng8,
    end: i64,
    /// Event index by name.
    events: &'a HashMap<&'a str, usize>,
    /// Union column of each event field.
    cols: &'a HashMap<&'a str, usize>,
    strings: &'a mut Strings,
    /// This lead's events: instant, event type, its cells in `cells`.
    out: Vec<Drawn>,
    cells: Vec<(u16, u32)>,
}

/// One drawn event of the current lead.
#[derive(Clone, Copy)]
struct Drawn {
    t: i64,
    event: u16,
    first: u32,
    n: u16,
}

impl Gen<'_> {
    /// Emit event `name` at `t` with the given field values (others drawn).
    fn emit(&mut self, name: &str, t: i64, given: &[(&str, &str)]) -> bool {
        let Some(&e) = self.events.get(name) else {
            return false;
        };
        if t >= self.end {
            return false;
        }
        let first = u32::try_from(self.cells.len()).unwrap_or(u32::MAX);
        for f in &self.c.events[e].fields {
            let sym = match given.iter().find(|(n, _)| *n == f.name) {
                Some((_, v)) => self.strings.intern(v),
                None if f.optional => continue,
                None => {
                    let v = values::value(&mut self.rng, &f.name, &f.ty);
                    self.strings.intern(&v)
                }
            };
            if let Some(&col) = self.cols.get(f.name.as_str()) {
                self.cells
                    .push((u16::try_from(col).unwrap_or(u16::MAX), sym));
            }
        }
        let n = self.cells.len() - first as usize;
        self.out.push(Drawn {
            t,
            event: u16::try_from(e).unwrap_or(u16::MAX),
            first,
            n: u16::try_from(n).unwrap_or(u16::MAX),
        });
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
    let cols: HashMap<&str, usize> = event_header
        .iter()
        .enumerate()
        .skip(3)
        .map(|(i, n)| (n.as_str(), i))
        .collect();
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
    let mut store = EventStore::new(o.leads);
    let mut strings = Strings::default();
    let mut out = Vec::new();
    let mut cells = Vec::new();
    let mut row: Vec<Option<String>> = Vec::with_capacity(c.lead_fields.len());
    for i in 0..o.leads {
        let id = store.lead_id(i);
        let seed = o.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let person = values::person(&mut rng);
        row.clear();
        for f in &c.lead_fields {
            row.push(values::lead_value(
                &mut rng, &person, &f.name, &f.ty, f.optional,
            ));
        }
        let mut texts: Vec<&str> = Vec::with_capacity(row.len() + 1);
        texts.push(&id);
        texts.extend(row.iter().map(|v| v.as_deref().unwrap_or("")));
        lead_row(&texts)?;
        out.clear();
        cells.clear();
        let mut g = Gen {
            c,
            rng,
            end: o.start + o.days * DAY,
            events: &events,
            cols: &cols,
            strings: &mut strings,
            out: std::mem::take(&mut out),
            cells: std::mem::take(&mut cells),
        };
        behave(&mut g, o, person.fit, &templates);
        out = g.out;
        cells = g.cells;
        let lead = u32::try_from(i).unwrap_or(u32::MAX);
        for d in &out {
            let first = d.first as usize;
            store.push(d.t, lead, d.event, &cells[first..first + d.n as usize]);
        }
    }
    store.strings = strings;
    Ok(store)
}

/// One lead's behaviour over the period.
fn behave(g: &mut Gen<'_>, o: &SampleOptions, fit: f64, templates: &[String]) {
    let interest: f64 = g.rng.random::<f64>().powf(1.4);
    let arrival = g.after(o.start, 0.0, o.days as f64 * 0.85);
    let first_path = pick(&mut g.rng, PATHS);
    g.emit("page_view", arrival, &[("path", first_path)]);
    let mut t = arrival;
    let visits = g.rng.random_range(0..(2.0 + interest * 10.0) as u32);
    for _ in 0..visits {
        t = g.after(t, 0.2, 9.0);
        let path = pick(&mut g.rng, PATHS);
        g.emit("page_view", t, &[("path", path)]);
    }
    let mut touch = arrival;
    if g.maybe(0.3 + 0.4 * interest) {
        touch = g.after(arrival, 0.0, 6.0);
        let asset = one(&mut g.rng, ASSETS);
        g.emit("content_download", touch, &[("asset", asset)]);
        // Reactions to the nurture's emails.
        let mut et = touch;
        for tpl in templates {
            et = g.after(et, 0.5, 4.0);
            if g.maybe(0.35 + 0.4 * interest) {
                g.emit("email_open", et, &[("template", tpl.as_str())]);
                if g.maybe(0.2 + 0.5 * interest) {
                    let ct = g.after(et, 0.0, 0.3);
                    g.emit("email_click", ct, &[("template", tpl.as_str())]);
                }
            }
        }
    }
    if g.maybe(0.2 + 0.3 * interest) {
        let ft = g.after(arrival, 0.0, 20.0);
        let mut form = pick(&mut g.rng, FORMS);
        if interest > 0.7 && g.maybe(0.5) {
            form = "contact-sales";
        }
        g.emit("form_submit", ft, &[("form", form)]);
    }
    for nl in NEWSLETTERS {
        let mut nt = arrival;
        for _ in 0..g.rng.random_range(0..4) {
            nt = g.after(nt, 5.0, 20.0);
            if g.maybe(0.4 + 0.3 * interest) {
                g.emit("email_open", nt, &[("template", *nl)]);
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
        g.out.retain(|d| d.t < ut);
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
    if !g.emit("deal_created", dt, &[("amount", &amount)]) {
        return;
    }
    let outcome: f64 = g.rng.random();
    let ot = g.after(dt, 15.0, 60.0);
    let win = 0.25 + 0.3 * fit;
    if outcome < win {
        g.emit("deal_won", ot, &[("amount", &amount), ("kind", "new")]);
        if g.maybe(0.25) {
            let rt = g.after(ot, 10.0, 60.0);
            if !g.emit("referral_made", rt, &[]) {
                g.emit("referral", rt, &[]);
            }
        }
        if g.maybe(0.2) {
            let xt = g.after(ot, 30.0, 90.0);
            let extra = (g.rng.random_range(4..40) * 250).to_string();
            g.emit("deal_won", xt, &[("amount", &extra), ("kind", "addon")]);
        }
    } else if outcome < win + 0.45 {
        let reason = one(&mut g.rng, LOSS_REASONS);
        g.emit("deal_lost", ot, &[("reason", reason)]);
    }
}
