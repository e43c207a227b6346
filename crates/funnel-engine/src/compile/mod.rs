//! Lowering a checked program's typed program ([`funnel_check::Hir`]) into
//! the engine's compact tables.
//!
//! Everything the replay needs per event is prepared here once: ids become
//! positions; score `on` rules are indexed by event type (`on_rules[event]`
//! lists rule ids in source order); nurture steps become a flat instruction
//! list with jumps (`nurture.rs`); expressions become [`CExpr`]s
//! (`expr.rs`); the per-lead slots of rules are numbered. Names were
//! resolved, types inferred, crons parsed and literals decoded by the
//! checker: this step does none of that. Source lines and rule texts are
//! kept for the ledger and `explain`.

mod defs;
mod expr;
mod kpi;
mod nurture;
mod reads;

use std::collections::HashMap;

use funnel_check::hir::{self, Hir, Trigger};
use funnel_check::Program;
use funnel_syntax::{LineIndex, Span};
use regex::Regex;

use crate::calendar::Calendar;
use crate::eval::{dep_score, Deps};
use crate::value::Interner;

pub use defs::{
    Compiled, CondDeps, DecayDef, Dur, EventDef, FieldDef, InputDef, Origin, RuleDef, ScoreDef,
    SlaDef, StageDef, Trig,
};
pub use expr::lit_value;
pub use funnel_check::hir::lit::{business_seconds, decimal, Decoder};
pub use nurture::{Instr, NurtureDef, Piece, Reenroll};
pub use reads::Reads;

/// Compile a checked program; `source` is the playbook text it came from.
/// Infallible: whatever the engine could refuse, the checker reported first.
pub fn compile(program: &Program, source: &str) -> Compiled {
    let mut c = Lowerer {
        hir: &program.hir,
        source,
        lines: LineIndex::new(source),
        texts: Interner::new(),
        regexes: Vec::new(),
        regex_index: HashMap::new(),
    };
    c.run()
}

pub(crate) struct Lowerer<'a> {
    pub(crate) hir: &'a Hir,
    source: &'a str,
    lines: LineIndex,
    pub(crate) texts: Interner,
    pub(crate) regexes: Vec<Option<Regex>>,
    pub(crate) regex_index: HashMap<String, u32>,
}

fn field_defs(fields: &[funnel_check::Field]) -> Vec<FieldDef> {
    fields
        .iter()
        .map(|f| FieldDef {
            name: f.name.clone(),
            ty: f.ty.ty.clone(),
            optional: f.ty.optional,
        })
        .collect()
}

/// The bits a trigger's `when` condition reads (0 for an `on` trigger).
fn trigger_deps(t: &Trigger) -> Deps {
    match t {
        Trigger::When(e) => hir::reads::deps(e),
        Trigger::On(_) | Trigger::OnAny(_) => 0,
    }
}

fn cond_deps(h: &Hir) -> CondDeps {
    CondDeps {
        rules: h
            .scores
            .iter()
            .flat_map(|s| &s.rules)
            .map(|r| trigger_deps(&r.trigger))
            .collect(),
        stages: h
            .stages
            .iter()
            .map(|s| {
                let t = s.trigger.as_ref().map_or(0, trigger_deps);
                s.thresholds
                    .iter()
                    .fold(t, |d, th| d | dep_score(th.score.0))
            })
            .collect(),
        enroll: h
            .nurtures
            .iter()
            .map(|n| n.enroll.as_ref().map_or(0, |(t, _)| trigger_deps(t)))
            .collect(),
        exits: h
            .nurtures
            .iter()
            .map(|n| n.exits.iter().map(|(t, _)| trigger_deps(t)).collect())
            .collect(),
    }
}

impl Compiled {
    /// The literal decoder of this playbook (its zone, and the length of a
    /// business day), for values written outside the playbook's
    /// declarations: `test` blocks.
    pub fn decoder(&self) -> Decoder {
        Decoder {
            tz: self.tz,
            daily_span: self.calendars.first().map_or(86_400, Calendar::daily_span),
        }
    }
}

impl Lowerer<'_> {
    pub(crate) fn origin(&self, span: Span) -> Origin {
        let text = self
            .source
            .get(span.range())
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default();
        Origin {
            line: self.line(span),
            text: squeeze(crate::source::strip_comment(text)),
        }
    }

    pub(crate) fn line(&self, span: Span) -> u32 {
        u32::try_from(self.lines.line_col(self.source, span.start as usize).line)
            .unwrap_or(u32::MAX)
    }

    fn run(&mut self) -> Compiled {
        let h = self.hir;
        let tz = h.timezone;
        let calendars: Vec<Calendar> = h.calendars.iter().map(|c| Calendar::new(c, tz)).collect();
        let events: Vec<EventDef> = h
            .events
            .iter()
            .map(|e| EventDef {
                name: e.name.clone(),
                fields: field_defs(&e.fields),
            })
            .collect();
        let stages: Vec<StageDef> = h
            .stages
            .iter()
            .map(|s| StageDef {
                name: s.name.clone(),
                lost: s.lost,
                rank: s.rank,
                trigger: s.trigger.as_ref().map(|t| self.trigger(t)),
                origin: self.origin(s.span),
                thresholds: s
                    .thresholds
                    .iter()
                    .map(|t| (t.score.0, t.points, self.origin(t.span)))
                    .collect(),
            })
            .collect();
        let slas = h
            .slas
            .iter()
            .map(|s| SlaDef {
                from: s.from.0,
                to: s.to.0,
                within: s.within,
                origin: self.origin(s.span),
            })
            .collect();
        let (scores, rules) = self.scores();
        let nurtures: Vec<NurtureDef> = h.nurtures.iter().map(|n| self.nurture(n)).collect();
        let inputs = h
            .inputs
            .iter()
            .map(|i| InputDef {
                name: i.name.clone(),
                ty: i.ty.clone(),
                default: i.default.as_ref().map(|l| self.literal(l)),
            })
            .collect();
        let forward: Vec<u16> = (0..stages.len())
            .filter(|i| !stages[*i].lost)
            .map(to_u16)
            .collect();
        let lost: Vec<u16> = (0..stages.len())
            .filter(|i| stages[*i].lost)
            .map(to_u16)
            .collect();
        let mut on_rules = vec![Vec::new(); events.len()];
        let mut when_rules = Vec::new();
        for (id, r) in rules.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            match &r.trig {
                Trig::When(_) => when_rules.push(id),
                Trig::On { any: true, .. } => on_rules.iter_mut().for_each(|v| v.push(id)),
                Trig::On { events, .. } => {
                    for (e, _) in events {
                        if let Some(v) = on_rules.get_mut(*e as usize) {
                            v.push(id);
                        }
                    }
                }
            }
        }
        let template_event = |name: &str| h.template_event(name).map(|(e, f)| (e.0, f.0));
        let uses = hir::reads::Reads::of(h);
        let set_fields: Vec<u16> = (0..h.lead_fields.len())
            .filter(|&i| uses.written.get(i).copied().unwrap_or(false))
            .map(to_u16)
            .collect();
        let kpis = kpi::lower(self);
        Compiled {
            deps: cond_deps(h),
            reads: Reads::keep(h, &uses),
            uses,
            name: h.name.clone().unwrap_or_default(),
            tz,
            currency: h.currency.clone(),
            texts: std::mem::take(&mut self.texts),
            regexes: std::mem::take(&mut self.regexes),
            lead_fields: field_defs(&h.lead_fields),
            events,
            stages,
            forward,
            lost,
            slas,
            scores,
            n_last_slots: count_slots(&rules, |r| r.last_slot),
            n_window_slots: count_slots(&rules, |r| r.window_slot),
            rules,
            on_rules,
            when_rules,
            nurtures,
            calendars,
            limit: h.limit.map(|l| (l.count.max(0.0) as u32, l.window)),
            inputs,
            kpis,
            click_event: template_event("email_click"),
            open_event: template_event("email_open"),
            set_fields,
        }
    }

    /// Scores in declaration order, and every rule of every score in
    /// source order with its per-lead slots numbered.
    fn scores(&mut self) -> (Vec<ScoreDef>, Vec<RuleDef>) {
        let (mut n_last, mut n_window, mut n_when) = (0u32, 0u32, 0u32);
        let mut scores = Vec::new();
        let mut rules = Vec::new();
        for (si, s) in self.hir.scores.iter().enumerate() {
            scores.push(ScoreDef {
                name: s.name.clone(),
                floor: s.floor.unwrap_or(f64::NEG_INFINITY),
                cap: s.cap.unwrap_or(f64::INFINITY),
                decay: s.decay.as_ref().map(|d| DecayDef {
                    factor: 1.0 - d.percent / 100.0,
                    every: d.every,
                    inactive: d.inactive,
                    origin: self.origin(d.span),
                }),
            });
            for r in &s.rules {
                let mut def = RuleDef {
                    score: to_u16(si),
                    points: r.points,
                    trig: self.trigger(&r.trigger),
                    once: r.once,
                    once_per: r.once_per,
                    max_per: r.max_per,
                    origin: self.origin(r.span),
                    last_slot: None,
                    window_slot: None,
                    when_slot: None,
                };
                if matches!(def.trig, Trig::When(_)) {
                    def.when_slot = Some(n_when);
                    n_when += 1;
                }
                if def.once || def.once_per.is_some() {
                    def.last_slot = Some(n_last);
                    n_last += 1;
                }
                if def.max_per.is_some() {
                    def.window_slot = Some(n_window);
                    n_window += 1;
                }
                rules.push(def);
            }
        }
        (scores, rules)
    }

    pub(crate) fn trigger(&mut self, t: &Trigger) -> Trig {
        match t {
            Trigger::When(e) => Trig::When(self.expr(e)),
            Trigger::OnAny(filter) => Trig::On {
                any: true,
                filter: filter.as_ref().map(|f| self.expr(f)),
                events: Vec::new(),
            },
            Trigger::On(list) => Trig::On {
                any: false,
                filter: None,
                events: list
                    .iter()
                    .map(|(e, f)| (e.0, f.as_ref().map(|f| self.expr(f))))
                    .collect(),
            },
        }
    }

    /// A regular expression's index, compiled once per pattern.
    pub(crate) fn regex(&mut self, pattern: &str) -> u32 {
        if let Some(i) = self.regex_index.get(pattern) {
            return *i;
        }
        let i = u32::try_from(self.regexes.len()).unwrap_or(u32::MAX);
        self.regexes.push(Regex::new(pattern).ok());
        self.regex_index.insert(pattern.to_string(), i);
        i
    }
}

fn count_slots(rules: &[RuleDef], slot: impl Fn(&RuleDef) -> Option<u32>) -> usize {
    rules.iter().filter(|r| slot(r).is_some()).count()
}

/// Collapse runs of spaces outside string literals (alignment padding).
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut space = false;
    for ch in s.trim().chars() {
        if ch == '"' {
            in_str = !in_str;
        }
        if !in_str && ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(ch);
    }
    out
}

pub(crate) fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}
