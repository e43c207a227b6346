//! Synthetic leads of one run: who arrives when, with which attributes.
//!
//! Arrivals are a Poisson process per day of the horizon; each arrival gets
//! a uniform instant within its day (in the playbook's zone) and a lead
//! number. Attributes are drawn from the lead's own stream, so the same lead
//! of the same run has the same attributes whichever playbook replays it.
//! They are drawn straight into engine values: every categorical choice is
//! decoded by its field's type once per run ([`Attributes::new`]), so a lead
//! costs a few draws, and text only where a value names the lead (`{n}`).

use chrono::{NaiveTime, TimeZone};
use funnel_data::decode::decode;
use funnel_engine::compile::FieldDef as LeadField;
use funnel_engine::value::{Interner, Value};
use funnel_engine::Compiled;
use rand_chacha::ChaCha8Rng;

use crate::draw;
use crate::scenario::{Draw, Scenario};
use crate::table::{Table, Template};

/// Purposes of the random streams (part of each stream's seed).
pub const ARRIVALS: u64 = 1;
pub const ATTRIBUTES: u64 = 2;
pub const BEHAVIOUR: u64 = 3;

/// The id of lead `n` of run `run`: `sim-<run>-<n>`, stable across
/// playbooks for common random numbers.
pub fn lead_id(run: u64, n: u64) -> String {
    format!("sim-{run}-{n}")
}

/// [`lead_id`], written into `out` (its old text replaced).
pub fn write_lead_id(run: u64, n: u64, out: &mut String) {
    out.clear();
    out.push_str("sim-");
    crate::table::push_number(run, out);
    out.push('-');
    crate::table::push_number(n, out);
}

/// The instant a day of the horizon starts, in the zone.
pub fn day_start(s: &Scenario, tz: chrono_tz::Tz, day: u32) -> Option<i64> {
    let date = s
        .start
        .0
        .checked_add_days(chrono::Days::new(u64::from(day)))?;
    let naive = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

/// The arrival instants of run `run`, in order: lead `n` (from 1) arrives
/// at the `n`-th.
pub fn arrivals(s: &Scenario, tz: chrono_tz::Tz, seed: u64, run: u64) -> Vec<i64> {
    let mut out = Vec::new();
    let per_day = s.arrivals.rate.0 / s.arrivals.per.days();
    for day in 0..s.horizon_days.0 {
        let (Some(start), Some(end)) = (day_start(s, tz, day), day_start(s, tz, day + 1)) else {
            continue;
        };
        let mut rng = draw::stream(seed, run, u64::from(day), ARRIVALS);
        if s.arrivals.exact {
            out.extend(exact_instants(s, day, start, end));
        } else {
            let count = draw::poisson(&mut rng, per_day);
            let from = out.len();
            out.extend(
                (0..count).map(|_| start + (draw::unit(&mut rng) * (end - start) as f64) as i64),
            );
            out[from..].sort_unstable();
        }
    }
    out
}

/// A drawn text decoded as a leads file's cell would be: blank is missing
/// (which a required field refuses when the lead is added).
fn cell(
    text: &str,
    field: &LeadField,
    c: &Compiled,
    texts: &mut Interner,
) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Missing);
    }
    decode(text, &field.ty, c.tz, texts)
}

/// How each lead field of the playbook is drawn, with the values of every
/// categorical choice decoded up front.
pub struct Attributes<'s> {
    fields: Vec<FieldDraw<'s>>,
    /// The source field's position and its pre-decoded choices, when
    /// `arrivals.sources` splits arrivals by source.
    source: Option<(usize, Choices)>,
}

enum FieldDraw<'s> {
    /// Not drawn: missing.
    Missing,
    /// `weights` (with its `missing`), choices pre-decoded.
    Weights(&'s Draw, Choices),
    /// Only a `template` with `{n}` (and its `missing`): written per lead.
    Template(&'s Draw, Template),
    /// Anything else: drawn as text and decoded per lead.
    Other(&'s Draw),
}

/// Per weighted key, in the order [`draw::weighted`] walks them: its
/// decoded value, or its template when it names the lead (`{n}`) and is
/// decoded per lead. A key that does not decode is an error when drawn.
struct Choices {
    table: Table,
    keys: Vec<Choice>,
}

enum Choice {
    Fixed(Result<Value, String>),
    PerLead(Template),
}

type Weights = std::collections::BTreeMap<String, crate::scenario::NonNegative>;

impl Choices {
    fn new(w: &Weights, field: &LeadField, c: &Compiled, texts: &mut Interner) -> Choices {
        let keys = w
            .keys()
            .map(|k| match Template::new(k) {
                Some(t) => Choice::PerLead(t),
                None => Choice::Fixed(cell(k, field, c, texts)),
            })
            .collect();
        Choices {
            table: Table::new(w),
            keys,
        }
    }

    /// Draw a choice's value for lead `n` (missing when no key has weight).
    fn draw(
        &self,
        rng: &mut ChaCha8Rng,
        n: u64,
        field: &LeadField,
        c: &Compiled,
        texts: &mut Interner,
        buf: &mut String,
    ) -> Result<Value, String> {
        match self.table.pick(rng) {
            Some(i) => self.value(i, n, field, c, texts, buf),
            None => Ok(Value::Missing),
        }
    }

    /// The value of choice `i` for lead `n`.
    fn value(
        &self,
        i: usize,
        n: u64,
        field: &LeadField,
        c: &Compiled,
        texts: &mut Interner,
        buf: &mut String,
    ) -> Result<Value, String> {
        match self.keys.get(i) {
            None => Ok(Value::Missing),
            Some(Choice::Fixed(v)) => v.clone(),
            Some(Choice::PerLead(t)) => {
                t.write(n, buf);
                cell(buf, field, c, texts)
            }
        }
        .map_err(|e| format!("`{}`: {e}", field.name))
    }
}

impl<'s> Attributes<'s> {
    /// The draws of `s` for `c`'s lead fields; text values are interned in
    /// `texts` (the run's dataset's interner).
    pub fn new(s: &'s Scenario, c: &Compiled, texts: &mut Interner) -> Attributes<'s> {
        let fields = c
            .lead_fields
            .iter()
            .map(|f| match s.attributes.get(&f.name) {
                None => FieldDraw::Missing,
                Some(d) => match (&d.weights, only_template(d)) {
                    (Some(w), _) => FieldDraw::Weights(d, Choices::new(w, f, c, texts)),
                    (None, Some(t)) => FieldDraw::Template(d, t),
                    (None, None) => FieldDraw::Other(d),
                },
            })
            .collect();
        let source = c
            .lead_fields
            .iter()
            .position(|f| f.name == s.arrivals.source_field)
            .filter(|_| !s.arrivals.sources.is_empty())
            .map(|col| {
                let f = &c.lead_fields[col];
                (col, Choices::new(&s.arrivals.sources, f, c, texts))
            });
        Attributes { fields, source }
    }

    /// Draw lead `n` of run `run`: one value per lead field into `out`
    /// (`buf` is room for the text of a `{n}` value).
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        seed: u64,
        run: u64,
        n: u64,
        c: &Compiled,
        texts: &mut Interner,
        out: &mut Vec<Value>,
        buf: &mut String,
    ) -> Result<(), String> {
        let mut rng = draw::stream(seed, run, n, ATTRIBUTES);
        out.clear();
        for (f, how) in c.lead_fields.iter().zip(&self.fields) {
            let v = match how {
                FieldDraw::Missing => Value::Missing,
                FieldDraw::Weights(d, choices) => {
                    if draw::is_missing(&mut rng, d) {
                        Value::Missing
                    } else {
                        choices.draw(&mut rng, n, f, c, texts, buf)?
                    }
                }
                FieldDraw::Template(d, t) => {
                    if draw::is_missing(&mut rng, d) {
                        Value::Missing
                    } else {
                        t.write(n, buf);
                        cell(buf, f, c, texts).map_err(|e| format!("`{}`: {e}", f.name))?
                    }
                }
                FieldDraw::Other(d) => match draw::value(&mut rng, d, n, None) {
                    Some(text) => {
                        cell(&text, f, c, texts).map_err(|e| format!("`{}`: {e}", f.name))?
                    }
                    None => Value::Missing,
                },
            };
            out.push(v);
        }
        if let Some((col, choices)) = &self.source {
            if let (Some(f), Some(slot)) = (c.lead_fields.get(*col), out.get_mut(*col)) {
                *slot = choices.draw(&mut rng, n, f, c, texts, buf)?;
            }
        }
        Ok(())
    }
}

/// The template of a draw that gives nothing but a `{n}` template (and
/// maybe `missing`): what [`draw::value`] then writes is that template
/// filled in.
fn only_template(d: &Draw) -> Option<Template> {
    let only = d.weights.is_none()
        && d.normal.is_none()
        && d.uniform.is_none()
        && d.constant.is_none()
        && !d.from_trigger;
    d.template
        .as_deref()
        .filter(|_| only)
        .and_then(Template::new)
}

/// `exact` arrivals: `rate` leads per period, evenly spaced over the
/// period; with `per: week` they fall in the week's days in turn.
fn exact_instants(s: &Scenario, day: u32, start: i64, end: i64) -> Vec<i64> {
    let per_period = s.arrivals.rate.0.round() as u64;
    let period_days = s.arrivals.per.days() as u64;
    // Lead k of the period arrives at (k + 0.5) / n of the period.
    let day_in_period = u64::from(day) % period_days;
    let day_len = (end - start) as f64;
    (0..per_period)
        .filter_map(|k| {
            let pos = (k as f64 + 0.5) / per_period as f64 * period_days as f64;
            let d = pos.floor() as u64;
            (d == day_in_period).then(|| start + ((pos - d as f64) * day_len) as i64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "start: 2026-03-02
horizon_days: 200
arrivals:
  rate: 70
  per: week
  sources: { organic: 1, paid: 1 }
attributes:
  email: { template: \"lead{n}@example.com\" }
  size: { weights: { \"\": 1, \"120\": 1 } }
";

    const PLAYBOOK: &str = "playbook \"T\"
timezone \"Europe/Warsaw\"

lead {
  email   text
  source  one of organic | paid
  size    number?
}

event signup

funnel {
  Lead  on signup
}
";

    #[test]
    fn arrivals_follow_the_rate_and_stay_in_the_horizon() {
        let s = match Scenario::from_yaml(YAML) {
            Ok(s) => s,
            Err(e) => unreachable!("{e}"),
        };
        let tz = chrono_tz::Europe::Warsaw;
        let at = arrivals(&s, tz, 42, 0);
        // 70 a week = 10 a day over 200 days: 2,000 expected, sd ~45.
        assert!((1850..2150).contains(&at.len()), "{}", at.len());
        let first = day_start(&s, tz, 0).unwrap_or_default();
        let last = day_start(&s, tz, 200).unwrap_or_default();
        assert!(at.iter().all(|t| *t >= first && *t < last));
        assert!(at.windows(2).all(|w| w[0] <= w[1]));
        let mut id = String::from("x");
        write_lead_id(12, 3_456, &mut id);
        assert_eq!(id, lead_id(12, 3_456));
        // Same seed and run: the same arrivals.
        assert_eq!(arrivals(&s, tz, 42, 0), at);
        assert_ne!(arrivals(&s, tz, 42, 1), at);
    }

    #[test]
    fn attributes_are_drawn_as_values_by_the_fields_types() {
        let s = match Scenario::from_yaml(YAML) {
            Ok(s) => s,
            Err(e) => unreachable!("{e}"),
        };
        let Some(program) = funnel_check::check_source(PLAYBOOK).program else {
            unreachable!("the playbook checks")
        };
        let c = funnel_engine::compile(&program, PLAYBOOK);
        let mut texts = c.texts.clone();
        let attrs = Attributes::new(&s, &c, &mut texts);
        let mut v = Vec::new();
        let mut buf = String::new();
        let (mut organic, mut blank, n) = (0, 0, 2_000);
        for lead in 1..=n {
            assert_eq!(
                attrs.draw(42, 0, lead, &c, &mut texts, &mut v, &mut buf),
                Ok(())
            );
            assert_eq!(v.len(), 3);
            let Value::Text(email) = v[0] else {
                unreachable!("an email is text: {:?}", v[0])
            };
            assert_eq!(texts.resolve(email), format!("lead{lead}@example.com"));
            let Value::Text(source) = v[1] else {
                unreachable!("a source is drawn: {:?}", v[1])
            };
            organic += usize::from(texts.resolve(source) == "organic");
            // A blank choice is missing, as a blank cell would be.
            match v[2] {
                Value::Missing => blank += 1,
                other => assert_eq!(other, Value::Num(120.0)),
            }
        }
        let share = organic as f64 / n as f64;
        assert!((share - 0.5).abs() < 0.05, "{share}");
        let share = blank as f64 / n as f64;
        assert!((share - 0.5).abs() < 0.05, "{share}");
        // The same lead of the same run draws the same values.
        let mut again = Vec::new();
        assert_eq!(
            attrs.draw(42, 0, 7, &c, &mut texts, &mut again, &mut buf),
            Ok(())
        );
        assert_eq!(
            attrs.draw(42, 0, 7, &c, &mut texts, &mut v, &mut buf),
            Ok(())
        );
        assert_eq!(again, v);
    }
}
