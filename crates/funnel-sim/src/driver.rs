//! One simulation run: synthetic leads arrive, behave, and are replayed
//! through the engine as they go.
//!
//! The run keeps a queue of pending behaviour events and interleaves it with
//! the engine's own timers through a [`Stepper`]: an event due no later than
//! the next timer is delivered first, otherwise the timer fires. After each
//! step the new stage changes and sends are read back, and the behaviours
//! they trigger (`after: stage MQL`, `after: send`) are drawn and queued.
//! Every draw for a lead comes from that lead's own stream.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use funnel_check::Ty;
use funnel_data::decode::decode;
use funnel_engine::trace::{Action, ActionDetail, Transition};
use funnel_engine::value::{Interner, Sym, Value};
use funnel_engine::{Compiled, Dataset, Outcome, RunOptions, Stepper};
use rand_chacha::ChaCha8Rng;

use crate::draw;
use crate::population;
use crate::report::RunSummary;
use crate::scenario::{After, Draw, Scenario};
use crate::table::{Table, Template};

/// Behaviour events one lead may produce in a run before the run stops: a
/// chain of behaviours that trigger each other with probability 1 would
/// otherwise never end.
const MAX_EVENTS_PER_LEAD: u32 = 10_000;

/// A behaviour compiled against one playbook.
struct Rule<'s> {
    event: u16,
    probability: f64,
    delay: &'s crate::scenario::Delay,
    /// Stage indices the lead must be in when the event is due (empty: any).
    only_in: Vec<u16>,
    /// Per declared field of the event: how to draw it.
    fields: Vec<Option<&'s Draw>>,
    /// The same, prepared for the run ([`prepare_fields`]).
    gens: Vec<Gen<'s>>,
}

/// How one event field is drawn, prepared once per run: what
/// [`field_value`] would make of each weighted key or constant is worked
/// out up front (errors included, reported only when drawn).
enum Gen<'s> {
    /// Not drawn: missing.
    Missing,
    /// `weights` without `{n}` in any key (and maybe `missing`).
    Weights(&'s Draw, Table, Vec<Result<Value, String>>),
    /// `constant` (and maybe `missing`).
    Constant(&'s Draw, Result<Value, String>),
    /// Anything else: drawn as text and decoded each time.
    Other(&'s Draw),
}

/// Behaviours by trigger.
struct Rules<'s> {
    all: Vec<Rule<'s>>,
    on_arrival: Vec<usize>,
    /// By event type.
    on_event: Vec<Vec<usize>>,
    /// By stage.
    on_stage: Vec<Vec<usize>>,
    on_send_any: Vec<usize>,
    /// By sent template (few: looked through in turn).
    on_send: Vec<(Sym, Vec<usize>)>,
}

fn compile_rules<'s>(s: &'s Scenario, c: &Compiled, texts: &Interner) -> Result<Rules<'s>, String> {
    let event_ix = |name: &str| {
        c.events
            .iter()
            .position(|e| e.name == name)
            .map(|i| i as u16)
            .ok_or_else(|| format!("unknown event `{name}`"))
    };
    let stage_ix = |name: &str| {
        c.stages
            .iter()
            .position(|st| st.name == name)
            .map(|i| i as u16)
            .ok_or_else(|| format!("unknown stage `{name}`"))
    };
    let mut r = Rules {
        all: Vec::new(),
        on_arrival: Vec::new(),
        on_event: vec![Vec::new(); c.events.len()],
        on_stage: vec![Vec::new(); c.stages.len()],
        on_send_any: Vec::new(),
        on_send: Vec::new(),
    };
    for (i, b) in s.behaviour.iter().enumerate() {
        let event = event_ix(&b.event)?;
        let def = &c.events[event as usize];
        r.all.push(Rule {
            event,
            probability: b.probability.0,
            delay: &b.delay_days,
            only_in: b
                .only_in
                .iter()
                .map(|n| stage_ix(n))
                .collect::<Result<_, _>>()?,
            fields: def.fields.iter().map(|f| b.fields.get(&f.name)).collect(),
            gens: Vec::new(),
        });
        match &b.after {
            After::Arrival => r.on_arrival.push(i),
            After::Event(e) => r.on_event[event_ix(e)? as usize].push(i),
            After::Stage(st) => r.on_stage[stage_ix(st)? as usize].push(i),
            After::Send(None) => r.on_send_any.push(i),
            // A template the playbook never names is never sent.
            After::Send(Some(t)) => {
                if let Some(sym) = texts.get(t) {
                    match r.on_send.iter_mut().find(|(s, _)| *s == sym) {
                        Some((_, ids)) => ids.push(i),
                        None => r.on_send.push((sym, vec![i])),
                    }
                }
            }
        }
    }
    Ok(r)
}

/// A behaviour event waiting for its instant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    at: i64,
    seq: u64,
    lead: u32,
    rule: usize,
    /// What triggered it: a sent template or the triggering event's fields.
    trigger: Trigger,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Trigger {
    None,
    Send(Sym),
    /// Index into the run's store of triggering events' field values.
    Event(usize, u16),
}

/// The lead being stepped: its behaviour stream, its pending behaviour
/// events, and the field values of the events that triggered them.
struct Lane {
    rng: ChaCha8Rng,
    queue: BinaryHeap<Reverse<Pending>>,
    seq: u64,
    delivered: u32,
    trigger_values: Vec<Value>,
    /// The fields of the event being drawn.
    fields: Vec<Value>,
    /// Texts decoded for non-text fields (never shown).
    scratch: Interner,
}

impl Default for Lane {
    fn default() -> Self {
        Lane {
            rng: draw::stream(0, 0, 0, 0),
            queue: BinaryHeap::new(),
            seq: 0,
            delivered: 0,
            trigger_values: Vec::new(),
            fields: Vec::new(),
            scratch: Interner::new(),
        }
    }
}

impl Lane {
    /// Start a lead whose behaviour draws come from `rng`.
    fn begin(&mut self, rng: ChaCha8Rng) {
        self.rng = rng;
        self.queue.clear();
        self.seq = 0;
        self.delivered = 0;
        self.trigger_values.clear();
    }

    /// Draw whether each behaviour `ids` follows what happened to `lead` at
    /// `at`, and when; queue those that do.
    fn schedule(&mut self, rules: &Rules<'_>, lead: u32, at: i64, ids: &[usize], trigger: Trigger) {
        for &i in ids {
            let rule = &rules.all[i];
            if draw::unit(&mut self.rng) < rule.probability {
                let when = at + draw::delay_seconds(&mut self.rng, rule.delay);
                self.seq += 1;
                self.queue.push(Reverse(Pending {
                    at: when,
                    seq: self.seq,
                    lead,
                    rule: i,
                    trigger: trigger.clone(),
                }));
            }
        }
    }
}

/// Everything one run needs, fixed across runs.
pub struct Setup<'a> {
    pub scenario: &'a Scenario,
    pub compiled: &'a Compiled,
    pub seed: u64,
    pub inputs: Vec<Value>,
}

/// The result of one run.
pub struct RunResult {
    pub summary: RunSummary,
    pub outcome: Outcome,
}

/// Simulate run number `run`.
pub fn simulate(setup: &Setup<'_>, run: u64) -> Result<RunResult, String> {
    let s = setup.scenario;
    let c = setup.compiled;
    let tz = c.tz;
    let arrivals = population::arrivals(s, tz, setup.seed, run);
    let mut ds = Dataset::new(c);
    let attributes = population::Attributes::new(s, c, &mut ds.texts);
    let mut values: Vec<Value> = Vec::with_capacity(c.lead_fields.len());
    let (mut id, mut buf) = (String::new(), String::new());
    for n in 1..=arrivals.len() as u64 {
        population::write_lead_id(run, n, &mut id);
        let fit = attributes
            .draw(setup.seed, run, n, c, &mut ds.texts, &mut values, &mut buf)
            .and_then(|()| ds.push_lead(c, &id, &values));
        if let Err(e) = fit {
            return Err(format!(
                "a synthetic lead does not fit the playbook: lead {}: {e}",
                population::lead_id(run, n)
            ));
        }
    }
    let mut rules = compile_rules(s, c, &ds.texts)?;
    // Text values an event field can be drawn with, interned up front (the
    // stepper reads the dataset's interner while it runs).
    let mut texts: HashMap<String, Sym> = HashMap::new();
    for rule in &rules.all {
        for d in rule.fields.iter().flatten() {
            for v in d
                .weights
                .iter()
                .flat_map(|w| w.keys())
                .chain(d.constant.iter())
            {
                texts.entry(v.clone()).or_insert_with(|| ds.texts.intern(v));
            }
        }
    }
    let mut scratch = Interner::new();
    for rule in &mut rules.all {
        rule.gens = prepare_fields(c, rule, &texts, &mut scratch);
    }
    let start = population::day_start(s, tz, 0).unwrap_or_default();
    let end = population::day_start(s, tz, s.horizon_days.0).unwrap_or(start);
    let mut tally = Tally::new(s, c, tz, start);

    let opts = RunOptions {
        inputs: setup.inputs.clone(),
        ..RunOptions::default()
    };
    // Leads never affect each other, so each lead's whole timeline is
    // stepped on its own: its behaviour queue and the engine's timers hold
    // that lead's only. Its records are tallied when it ends and then
    // forgotten, so they never pile up (nor need sorting).
    let mut st = Stepper::lead_by_lead(c, &ds, &opts);
    let mut lane = Lane::default();
    for (i, &arrival) in arrivals.iter().enumerate() {
        let (lead, n) = (i as u32, i as u64 + 1);
        st.begin_lead(lead);
        lane.begin(draw::stream(setup.seed, run, n, population::BEHAVIOUR));
        lane.schedule(&rules, lead, arrival, &rules.on_arrival, Trigger::None);
        let (mut seen_transitions, mut seen_actions) = (0, 0);
        loop {
            let next_event = lane
                .queue
                .peek()
                .map(|Reverse(p)| p.at)
                .filter(|t| *t < end);
            let next_timer = st.next_timer().filter(|t| *t < end);
            match (next_event, next_timer) {
                (None, None) => break,
                (Some(e), t) if t.is_none_or(|t| e <= t) => {
                    let Some(Reverse(p)) = lane.queue.pop() else {
                        break;
                    };
                    let rule = &rules.all[p.rule];
                    if !rule.only_in.is_empty() && !rule.only_in.contains(&st.stage(p.lead)) {
                        continue;
                    }
                    lane.delivered += 1;
                    if lane.delivered > MAX_EVENTS_PER_LEAD {
                        return Err(format!(
                            "lead {} produced more than {MAX_EVENTS_PER_LEAD} events; a chain of behaviours (`after: event …`) keeps triggering itself — lower a probability or add a delay",
                            population::lead_id(run, n)
                        ));
                    }
                    lane.fields.clear();
                    let def = &c.events[rule.event as usize];
                    for (f, g) in def.fields.iter().zip(&rule.gens) {
                        let v = match g {
                            Gen::Missing => Value::Missing,
                            Gen::Weights(d, table, values) => {
                                if draw::is_missing(&mut lane.rng, d) {
                                    Value::Missing
                                } else {
                                    match table.pick(&mut lane.rng) {
                                        Some(i) => values[i].clone()?,
                                        None => Value::Missing,
                                    }
                                }
                            }
                            Gen::Constant(d, v) => {
                                if draw::is_missing(&mut lane.rng, d) {
                                    Value::Missing
                                } else {
                                    v.clone()?
                                }
                            }
                            Gen::Other(d) => field_value(
                                d,
                                &f.ty,
                                &f.name,
                                &mut lane.rng,
                                &p,
                                &texts,
                                &lane.trigger_values,
                                c,
                                tz,
                                &mut lane.scratch,
                            )?,
                        };
                        lane.fields.push(v);
                    }
                    st.deliver(p.lead, rule.event, p.at, &lane.fields);
                    if let Some(ids) = rules
                        .on_event
                        .get(rule.event as usize)
                        .filter(|v| !v.is_empty())
                    {
                        let at = lane.trigger_values.len();
                        lane.trigger_values.extend_from_slice(&lane.fields);
                        lane.schedule(&rules, p.lead, p.at, ids, Trigger::Event(at, rule.event));
                    }
                }
                _ => st.fire_next_timer(),
            }
            // React to what the playbook did.
            let transitions = st.transitions();
            for t in &transitions[seen_transitions..] {
                if let Some(ids) = rules.on_stage.get(t.to as usize) {
                    lane.schedule(&rules, t.lead, t.at, ids, Trigger::None);
                }
            }
            seen_transitions = transitions.len();
            let actions = st.actions();
            for a in &actions[seen_actions..] {
                if let ActionDetail::Send(tpl) = a.detail {
                    let tr = Trigger::Send(tpl);
                    lane.schedule(&rules, a.lead, a.at, &rules.on_send_any, tr.clone());
                    if let Some((_, ids)) = rules.on_send.iter().find(|(s, _)| *s == tpl) {
                        lane.schedule(&rules, a.lead, a.at, ids, tr);
                    }
                }
            }
            seen_actions = actions.len();
        }
        st.end_lead(end - 1);
        tally.lead(st.transitions(), st.actions());
        st.forget_records();
    }
    let outcome = st.finish(end - 1);
    // A KPI that cannot be computed (a sum beyond Decimal's range) stops the
    // simulation, as it stops `funnel run`: never a run counted as undefined.
    if let Some(k) = outcome.kpis.iter().find(|k| k.fault.is_some()) {
        let why = k.fault.map_or("", |f| f.message());
        return Err(format!(
            "run {run}: kpi `{}` cannot be computed: {why}",
            k.name
        ));
    }
    let summary = tally.summary(&outcome, arrivals.len());
    Ok(RunResult { summary, outcome })
}

/// How each field of `rule`'s event is drawn in this run: weighted keys and
/// constants decoded up front by [`text_value`], as [`field_value`] would
/// decode them when drawn.
fn prepare_fields<'s>(
    c: &Compiled,
    rule: &Rule<'s>,
    texts: &HashMap<String, Sym>,
    scratch: &mut Interner,
) -> Vec<Gen<'s>> {
    let def = &c.events[rule.event as usize];
    def.fields
        .iter()
        .zip(&rule.fields)
        .map(|(f, d)| {
            let Some(d) = *d else { return Gen::Missing };
            if d.from_trigger {
                return Gen::Other(d);
            }
            let value = |t: &str, scratch: &mut Interner| {
                text_value(t, &f.ty, &f.name, texts, c.tz, scratch)
            };
            match (&d.weights, &d.constant) {
                (Some(w), _) if w.keys().all(|k| Template::new(k).is_none()) => Gen::Weights(
                    d,
                    Table::new(w),
                    w.keys().map(|k| value(k, scratch)).collect(),
                ),
                (None, Some(k)) if d.normal.is_none() && d.uniform.is_none() => {
                    Gen::Constant(d, value(k, scratch))
                }
                _ => Gen::Other(d),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn field_value(
    d: &Draw,
    ty: &Ty,
    name: &str,
    rng: &mut ChaCha8Rng,
    p: &Pending,
    texts: &HashMap<String, Sym>,
    trigger_values: &[Value],
    c: &Compiled,
    tz: chrono_tz::Tz,
    scratch: &mut Interner,
) -> Result<Value, String> {
    if d.from_trigger {
        return Ok(match p.trigger {
            Trigger::Send(t) => Value::Text(t),
            Trigger::Event(at, e) => c.events[e as usize]
                .fields
                .iter()
                .position(|f| f.name == name)
                .and_then(|i| trigger_values.get(at + i).copied())
                .unwrap_or(Value::Missing),
            Trigger::None => Value::Missing,
        });
    }
    let Some(text) = draw::value(rng, d, u64::from(p.lead) + 1, None) else {
        return Ok(Value::Missing);
    };
    text_value(&text, ty, name, texts, tz, scratch)
}

/// A drawn text as the value of an event field of type `ty`: text and
/// enumeration values only from the up-front `texts`, others decoded.
fn text_value(
    text: &str,
    ty: &Ty,
    name: &str,
    texts: &HashMap<String, Sym>,
    tz: chrono_tz::Tz,
    scratch: &mut Interner,
) -> Result<Value, String> {
    if let Some(sym) = texts.get(text) {
        if matches!(ty, Ty::Text) {
            return Ok(Value::Text(*sym));
        }
    }
    if matches!(ty, Ty::Text | Ty::Enum(_)) {
        // Enumeration values are interned like text; only pre-interned
        // values can be drawn (weights and constants are).
        return texts.get(text).map(|s| Value::Text(*s)).ok_or_else(|| {
            format!("field `{name}`: `{text}` cannot be drawn here; use `weights` or `constant`")
        });
    }
    decode(text, ty, tz, scratch).map_err(|e| format!("field `{name}`: {e}"))
}

/// What the report needs of a run's records, summed up lead by lead as
/// each lead ends (so the records need no time order): per week, per stage,
/// the change in leads at that stage at the week's end; sends per day.
struct Tally {
    /// Local midnights from the first day on (a day is 23 or 25 hours
    /// across a clock change), through the end of the last whole week.
    midnight: Vec<i64>,
    /// The end of each week.
    week_end: Vec<i64>,
    n_stages: usize,
    /// Per week, per stage: leads that came (+) and went (-) that week.
    delta: Vec<Vec<i64>>,
    sends_daily: Vec<u32>,
}

impl Tally {
    fn new(s: &Scenario, c: &Compiled, tz: chrono_tz::Tz, start: i64) -> Tally {
        let days = s.horizon_days.0 as usize;
        let weeks = days.div_ceil(7);
        let midnight: Vec<i64> = (0..=(weeks * 7) as u32)
            .map(|d| population::day_start(s, tz, d).unwrap_or(start + i64::from(d) * 86_400))
            .collect();
        let week_end = (0..weeks).map(|w| midnight[(w + 1) * 7]).collect();
        Tally {
            midnight,
            week_end,
            n_stages: c.stages.len(),
            delta: vec![vec![0; c.stages.len()]; weeks],
            sends_daily: vec![0; days],
        }
    }

    /// Add one lead's records (its transitions in time order).
    fn lead(&mut self, transitions: &[Transition], actions: &[Action]) {
        // A lead counts at its stage from the week of its move there: at
        // the end of every week from the one the move falls in.
        let mut prev: Option<u16> = None;
        for t in transitions {
            let w = self.week_end.partition_point(|e| *e <= t.at);
            let Some(row) = self.delta.get_mut(w) else {
                break; // After the last week: this and later moves count nowhere.
            };
            if let Some(p) = prev {
                if let Some(d) = row.get_mut(p as usize) {
                    *d -= 1;
                }
            }
            if let Some(d) = row.get_mut(t.to as usize) {
                *d += 1;
            }
            prev = Some(t.to);
        }
        for a in actions {
            if matches!(a.detail, ActionDetail::Send(_)) {
                // The day whose local midnight is the last one at or before the send.
                let d = self.midnight.partition_point(|m| *m <= a.at);
                if let Some(n) = d.checked_sub(1).and_then(|d| self.sends_daily.get_mut(d)) {
                    *n += 1;
                }
            }
        }
    }

    /// The run's summary, with the KPIs and breaches of its outcome.
    fn summary(self, o: &Outcome, n_leads: usize) -> RunSummary {
        let mut counts = vec![0i64; self.n_stages];
        let stage_weekly = self
            .delta
            .iter()
            .map(|row| {
                for (n, d) in counts.iter_mut().zip(row) {
                    *n += d;
                }
                counts
                    .iter()
                    .map(|n| u32::try_from(*n).unwrap_or(0))
                    .collect()
            })
            .collect();
        RunSummary {
            kpis: o.kpis.iter().map(|k| k.total).collect(),
            targets: o
                .kpis
                .iter()
                .filter_map(|k| k.target.as_ref())
                .map(|(_, status)| match status {
                    funnel_engine::TargetStatus::Met => Some(true),
                    funnel_engine::TargetStatus::Missed => Some(false),
                    funnel_engine::TargetStatus::Undefined => None,
                })
                .collect(),
            stage_weekly,
            sends_daily: self.sends_daily,
            breaches: o.breaches.len() as u32,
            leads: n_leads as u32,
        }
    }
}
