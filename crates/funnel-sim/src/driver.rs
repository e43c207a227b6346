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
use funnel_engine::data::decode::decode;
use funnel_engine::trace::ActionDetail;
use funnel_engine::value::{Interner, Sym, Value};
use funnel_engine::{Compiled, Dataset, Outcome, RunOptions, Stepper};
use rand_chacha::ChaCha8Rng;

use crate::draw;
use crate::population;
use crate::report::RunSummary;
use crate::scenario::{After, Draw, Scenario};

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
    for n in 1..=arrivals.len() as u64 {
        let fit = attributes
            .draw(setup.seed, run, n, c, &mut ds.texts, &mut values)
            .and_then(|()| ds.push_lead(c, &population::lead_id(run, n), &values));
        if let Err(e) = fit {
            return Err(format!(
                "a synthetic lead does not fit the playbook: lead {}: {e}",
                population::lead_id(run, n)
            ));
        }
    }
    let rules = compile_rules(s, c, &ds.texts)?;
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
    let start = population::day_start(s, tz, 0).unwrap_or_default();
    let end = population::day_start(s, tz, s.horizon_days.0).unwrap_or(start);

    let opts = RunOptions {
        inputs: setup.inputs.clone(),
        ..RunOptions::default()
    };
    // Leads never affect each other, so each lead's whole timeline is
    // stepped on its own: its behaviour queue and the engine's timers hold
    // that lead's only, and the stepper merges the records in time order.
    let mut st = Stepper::lead_by_lead(c, &ds, &opts);
    let mut lane = Lane::default();
    for (i, &arrival) in arrivals.iter().enumerate() {
        let (lead, n) = (i as u32, i as u64 + 1);
        st.begin_lead(lead);
        lane.begin(draw::stream(setup.seed, run, n, population::BEHAVIOUR));
        lane.schedule(&rules, lead, arrival, &rules.on_arrival, Trigger::None);
        let (mut seen_transitions, mut seen_actions) = (st.transitions().len(), st.actions().len());
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
                    for (f, d) in def.fields.iter().zip(&rule.fields) {
                        let v = match d {
                            None => Value::Missing,
                            Some(d) => field_value(
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
    let summary = summarise(s, c, tz, &outcome, arrivals.len(), start);
    Ok(RunResult { summary, outcome })
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
    if let Some(sym) = texts.get(&*text) {
        if matches!(ty, Ty::Text) {
            return Ok(Value::Text(*sym));
        }
    }
    if matches!(ty, Ty::Text | Ty::Enum(_)) {
        // Enumeration values are interned like text; only pre-interned
        // values can be drawn (weights and constants are).
        return texts.get(&*text).map(|s| Value::Text(*s)).ok_or_else(|| {
            format!("field `{name}`: `{text}` cannot be drawn here; use `weights` or `constant`")
        });
    }
    decode(&text, ty, tz, scratch).map_err(|e| format!("field `{name}`: {e}"))
}

/// Reduce a run's outcome to what the report aggregates.
fn summarise(
    s: &Scenario,
    c: &Compiled,
    tz: chrono_tz::Tz,
    o: &Outcome,
    n_leads: usize,
    start: i64,
) -> RunSummary {
    let days = s.horizon_days.0 as usize;
    // Local midnights (a day is 23 or 25 hours across a clock change).
    let weeks_days = days.div_ceil(7) * 7;
    let midnight: Vec<i64> = (0..=weeks_days as u32)
        .map(|d| population::day_start(s, tz, d).unwrap_or(start + i64::from(d) * 86_400))
        .collect();
    let weeks = days.div_ceil(7);
    let n_stages = c.stages.len();
    let mut stage_weekly = vec![vec![0u32; n_stages]; weeks];
    // Stage of each lead at the end of each week, from the transitions.
    let mut current: Vec<u16> = vec![u16::MAX; n_leads];
    let mut counts = vec![0u32; n_stages];
    let mut it = o.transitions.iter().peekable();
    for (w, row) in stage_weekly.iter_mut().enumerate() {
        let week_end = midnight[(w + 1) * 7];
        while let Some(t) = it.next_if(|t| t.at < week_end) {
            let l = t.lead as usize;
            if let Some(prev) = current.get(l).copied().filter(|p| *p != u16::MAX) {
                counts[prev as usize] = counts[prev as usize].saturating_sub(1);
            }
            if let Some(slot) = current.get_mut(l) {
                *slot = t.to;
            }
            if let Some(n) = counts.get_mut(t.to as usize) {
                *n += 1;
            }
        }
        row.copy_from_slice(&counts);
    }
    let mut sends_daily = vec![0u32; days];
    for a in &o.actions {
        if matches!(a.detail, ActionDetail::Send(_)) {
            // The day whose local midnight is the last one at or before the send.
            let d = midnight.partition_point(|m| *m <= a.at);
            if let Some(n) = d.checked_sub(1).and_then(|d| sends_daily.get_mut(d)) {
                *n += 1;
            }
        }
    }
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
        sends_daily,
        breaches: o.breaches.len() as u32,
        leads: n_leads as u32,
    }
}
