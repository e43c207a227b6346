//! Compiling a checked [`Program`] into the engine's compact tables.
//!
//! Everything the replay needs per event is prepared here once: event,
//! field, stage and score names become indices; score `on` rules are indexed
//! by event type (`on_rules[event]` lists rule ids in source order); nurture
//! steps become a flat instruction list with jumps; durations become seconds
//! (with a flag for business time). Source lines and rule texts are kept for
//! the ledger and `explain`.

mod expr;
mod nurture;
mod reads;

use std::collections::HashMap;

use chrono_tz::Tz;
use funnel_check::{FieldTy, Program, Ty};
use funnel_syntax::ast::{
    self, Decl, Duration, EventSel, FunnelItem, Modifier, ScoreItem, Trigger,
};
use funnel_syntax::{LineIndex, Span};
use regex::Regex;

use crate::calendar::Calendar;
use crate::eval::{dep_score, deps, CExpr, Deps};
use crate::kpi::{self, KpiDef};
use crate::value::{Interner, Value};

pub use expr::{business_seconds, decimal};
pub use nurture::{Instr, NurtureDef, Piece, Reenroll};
pub use reads::Reads;

pub(crate) use expr::to_u16;

/// A duration: calendar seconds, or seconds of open business time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur {
    pub secs: i64,
    pub business: bool,
}

/// A declared field with its type.
#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub struct EventDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

/// An `on`/`when` trigger.
#[derive(Clone, Debug)]
pub enum Trig {
    /// `on E1, E2 where …`: per listed event, the `where` compiled for it.
    On {
        any: bool,
        events: Vec<(u16, Option<CExpr>)>,
    },
    When(CExpr),
}

impl Trig {
    /// For an `on` trigger listening to `event`: `Some(filter)`.
    pub fn on_event(&self, event: u16) -> Option<Option<&CExpr>> {
        match self {
            Trig::On { any: true, .. } => Some(None),
            Trig::On { events, .. } => events
                .iter()
                .find(|(e, _)| *e == event)
                .map(|(_, f)| f.as_ref()),
            Trig::When(_) => None,
        }
    }
}

/// Where a rule, stage or step is in the playbook, for the ledger and `explain`.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub line: u32,
    /// The source text (first line, trimmed).
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct StageDef {
    pub name: String,
    pub lost: bool,
    /// Position among the non-lost stages; -1 for a lost stage.
    pub rank: i32,
    pub trigger: Option<Trig>,
    pub origin: Origin,
    /// `X at N` thresholds from score blocks: (score, points, origin).
    pub thresholds: Vec<(u16, f64, Origin)>,
}

#[derive(Clone, Debug)]
pub struct SlaDef {
    pub from: u16,
    pub to: u16,
    pub within: Dur,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct DecayDef {
    /// The multiplier per period, `1 - P`.
    pub factor: f64,
    pub every: Dur,
    pub inactive: bool,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct ScoreDef {
    pub name: String,
    pub floor: f64,
    pub cap: f64,
    pub decay: Option<DecayDef>,
}

impl ScoreDef {
    pub fn initial(&self) -> f64 {
        0f64.max(self.floor).min(self.cap)
    }

    pub fn clamp(&self, v: f64) -> f64 {
        v.max(self.floor).min(self.cap)
    }
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    pub score: u16,
    pub points: f64,
    pub trig: Trig,
    pub once: bool,
    /// `once per D`, seconds.
    pub once_per: Option<Dur>,
    /// `max N per D`.
    pub max_per: Option<(f64, Dur)>,
    pub origin: Origin,
    /// Index of this rule's slot in the per-lead "last award" table (`once`, `once per`).
    pub last_slot: Option<u32>,
    /// Index of this rule's slot in the per-lead award-window table (`max per`).
    pub window_slot: Option<u32>,
    /// Index among `when` rules (per-lead contribution slot).
    pub when_slot: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct InputDef {
    pub name: String,
    pub ty: FieldTy,
    pub default: Option<Value>,
}

/// The compiled playbook.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub name: String,
    pub tz: Tz,
    pub currency: String,
    pub texts: Interner,
    pub regexes: Vec<Option<Regex>>,
    pub lead_fields: Vec<FieldDef>,
    pub events: Vec<EventDef>,
    pub stages: Vec<StageDef>,
    /// Non-lost stages in funnel order.
    pub forward: Vec<u16>,
    /// Lost stages in funnel order.
    pub lost: Vec<u16>,
    pub slas: Vec<SlaDef>,
    pub scores: Vec<ScoreDef>,
    pub rules: Vec<RuleDef>,
    /// Score `on` rules per event type, in source order.
    pub on_rules: Vec<Vec<u32>>,
    /// Score `when` rules in source order.
    pub when_rules: Vec<u32>,
    pub n_last_slots: usize,
    pub n_window_slots: usize,
    pub nurtures: Vec<NurtureDef>,
    pub calendars: Vec<Calendar>,
    /// `limit sends N per D`.
    pub limit: Option<(u32, Dur)>,
    pub inputs: Vec<InputDef>,
    pub kpis: Vec<KpiDef>,
    /// `email_click` / `email_open` event and its `template` field, when declared.
    pub click_event: Option<(u16, u16)>,
    pub open_event: Option<(u16, u16)>,
    /// Lead fields some `set` step writes, in declaration order.
    pub set_fields: Vec<u16>,
    /// What each `when` condition reads.
    pub deps: CondDeps,
    /// Which lead and event fields anything reads.
    pub reads: Reads,
}

/// The [`Deps`] of every `when` condition, by where it is.
#[derive(Clone, Debug, Default)]
pub struct CondDeps {
    /// Per rule: its `when` condition's (0 for an `on` rule).
    pub rules: Vec<Deps>,
    /// Per stage: its `when` trigger's and its thresholds' scores.
    pub stages: Vec<Deps>,
    /// Per nurture: its `enroll when` condition's.
    pub enroll: Vec<Deps>,
    /// Per nurture and exit rule: its `exit when` condition's.
    pub exits: Vec<Vec<Deps>>,
}

fn trig_deps(t: &Trig) -> Deps {
    match t {
        Trig::When(e) => deps(e),
        Trig::On { .. } => 0,
    }
}

impl CondDeps {
    fn new(stages: &[StageDef], rules: &[RuleDef], nurtures: &[NurtureDef]) -> CondDeps {
        CondDeps {
            rules: rules.iter().map(|r| trig_deps(&r.trig)).collect(),
            stages: stages
                .iter()
                .map(|s| {
                    let t = s.trigger.as_ref().map_or(0, trig_deps);
                    s.thresholds
                        .iter()
                        .fold(t, |d, (score, _, _)| d | dep_score(*score))
                })
                .collect(),
            enroll: nurtures
                .iter()
                .map(|n| n.enroll.as_ref().map_or(0, |(t, _)| trig_deps(t)))
                .collect(),
            exits: nurtures
                .iter()
                .map(|n| n.exits.iter().map(|(t, _)| trig_deps(t)).collect())
                .collect(),
        }
    }
}

impl Compiled {
    pub fn event_index(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|e| e.name == name)
    }

    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// Add a duration to an instant; business time uses the first calendar.
    pub fn add(&self, t: i64, d: Dur) -> i64 {
        match (d.business, self.calendars.first()) {
            (true, Some(cal)) => cal.add_business(t, d.secs),
            _ => t.saturating_add(d.secs),
        }
    }
}

/// Compile a checked program; `source` is the playbook text it came from.
/// Infallible: whatever the engine could refuse, the checker reported first.
pub fn compile(program: &Program, source: &str) -> Compiled {
    let mut c = Compiler {
        program,
        source,
        lines: LineIndex::new(source),
        texts: Interner::new(),
        regexes: Vec::new(),
        regex_index: HashMap::new(),
        daily_span: 86_400,
    };
    c.run()
}

pub(crate) struct Compiler<'a> {
    pub(crate) program: &'a Program,
    source: &'a str,
    lines: LineIndex,
    pub(crate) texts: Interner,
    pub(crate) regexes: Vec<Option<Regex>>,
    pub(crate) regex_index: HashMap<String, u32>,
    daily_span: i64,
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

impl Compiler<'_> {
    pub(crate) fn origin(&self, span: Span) -> Origin {
        let line = self.lines.line_col(self.source, span.start as usize).line;
        let text = self
            .source
            .get(span.range())
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default();
        let text = squeeze(crate::source::strip_comment(text));
        Origin {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            text,
        }
    }

    pub(crate) fn line(&self, span: Span) -> u32 {
        u32::try_from(self.lines.line_col(self.source, span.start as usize).line)
            .unwrap_or(u32::MAX)
    }

    pub(crate) fn dur(&self, d: &Duration) -> Dur {
        let secs = if d.business {
            d.amount.value * business_seconds(d.unit, self.daily_span) as f64
        } else {
            d.amount.value * d.unit.seconds() as f64
        };
        Dur {
            secs: secs.round() as i64,
            business: d.business,
        }
    }

    pub(crate) fn rank_of(&self, stage: usize) -> i32 {
        let stages = &self.program.stages;
        if stages.get(stage).is_none_or(|s| s.lost) {
            return -1;
        }
        stages[..stage].iter().filter(|s| !s.lost).count() as i32
    }

    pub(crate) fn trigger(&mut self, t: &Trigger) -> Trig {
        match t {
            Trigger::When(e) => Trig::When(self.expr(e, None)),
            Trigger::On { events, filter, .. } => match events {
                EventSel::Any(_) => Trig::On {
                    any: true,
                    events: Vec::new(),
                },
                EventSel::List(names) => {
                    let mut evs = Vec::new();
                    for n in names {
                        if let Some(i) = self.program.events.iter().position(|e| e.name == n.name) {
                            let f = filter.as_ref().map(|f| self.expr(f, Some(i)));
                            evs.push((to_u16(i), f));
                        }
                    }
                    Trig::On {
                        any: false,
                        events: evs,
                    }
                }
            },
        }
    }

    fn run(&mut self) -> Compiled {
        let p = self.program;
        let tz = p.timezone;
        let calendars: Vec<Calendar> = p
            .ast
            .decls
            .iter()
            .filter_map(|d| match d {
                Decl::Calendar(c) => Some(Calendar::compile(c, tz)),
                _ => None,
            })
            .collect();
        if let Some(c) = calendars.first() {
            self.daily_span = c.daily_span();
        }
        let events: Vec<EventDef> = p
            .events
            .iter()
            .map(|e| EventDef {
                name: e.name.clone(),
                fields: field_defs(&e.fields),
            })
            .collect();
        let mut stages: Vec<StageDef> = Vec::new();
        let mut slas = Vec::new();
        let mut scores = Vec::new();
        let mut rules: Vec<RuleDef> = Vec::new();
        let mut nurtures = Vec::new();
        let mut limit = None;
        let mut inputs = Vec::new();
        let mut thresholds: Vec<(String, u16, f64, Origin)> = Vec::new();
        let (mut n_last, mut n_window, mut n_when) = (0u32, 0u32, 0u32);
        for d in &p.ast.decls {
            match d {
                Decl::Funnel(f) => {
                    for item in &f.items {
                        match item {
                            FunnelItem::Stage(s) => {
                                let idx = stages.len();
                                let trigger = s.trigger.as_ref().map(|t| self.trigger(t));
                                stages.push(StageDef {
                                    name: s.name.name.clone(),
                                    lost: s.lost,
                                    rank: self.rank_of(idx),
                                    trigger,
                                    origin: self.origin(s.span),
                                    thresholds: Vec::new(),
                                });
                            }
                            FunnelItem::Sla(s) => {
                                let (Some(a), Some(b)) =
                                    (p.stage_index(&s.from.name), p.stage_index(&s.to.name))
                                else {
                                    continue;
                                };
                                slas.push(SlaDef {
                                    from: to_u16(a),
                                    to: to_u16(b),
                                    within: self.dur(&s.within),
                                    origin: self.origin(s.span),
                                });
                            }
                        }
                    }
                }
                Decl::Score(s) => {
                    let score = to_u16(scores.len());
                    let mut def = ScoreDef {
                        name: s.name.name.clone(),
                        floor: f64::NEG_INFINITY,
                        cap: f64::INFINITY,
                        decay: None,
                    };
                    for item in &s.items {
                        match item {
                            ScoreItem::Floor(n, _) => def.floor = n.value,
                            ScoreItem::Cap(n, _) => def.cap = n.value,
                            ScoreItem::Decay(dr) => {
                                def.decay = Some(DecayDef {
                                    factor: 1.0 - dr.percent.value / 100.0,
                                    every: self.dur(&dr.every),
                                    inactive: dr.inactive,
                                    origin: self.origin(dr.span),
                                })
                            }
                            ScoreItem::Threshold(stage, n, span) => {
                                let o = self.origin(*span);
                                thresholds.push((stage.name.clone(), score, n.value, o));
                            }
                            ScoreItem::Rule(r) => {
                                rules.push(self.rule(
                                    score,
                                    r,
                                    &mut n_last,
                                    &mut n_window,
                                    &mut n_when,
                                ));
                            }
                        }
                    }
                    scores.push(def);
                }
                Decl::Nurture(n) => nurtures.push(self.nurture(n)),
                Decl::Limit(l) => {
                    limit = Some((l.count.value.max(0.0) as u32, self.dur(&l.window)));
                }
                Decl::Input(i) => inputs.push(InputDef {
                    name: i.name.name.clone(),
                    ty: funnel_check::FieldTy {
                        ty: input_ty(p, &i.name.name),
                        optional: i.ty.optional,
                    },
                    default: i.default.as_ref().map(|e| self.const_value(e)),
                }),
                _ => {}
            }
        }
        for (stage, score, points, origin) in thresholds {
            if let Some(s) = stages.iter_mut().find(|s| s.name == stage) {
                s.thresholds.push((score, points, origin));
            }
        }
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
        let template_event = |name: &str| {
            let e = p.events.iter().position(|e| e.name == name)?;
            let f = p.events[e]
                .fields
                .iter()
                .position(|f| f.name == "template")?;
            Some((to_u16(e), to_u16(f)))
        };
        let mut set_fields: Vec<u16> = nurtures
            .iter()
            .flat_map(|n: &NurtureDef| n.code.iter())
            .filter_map(|i| match i {
                Instr::Set { field, .. } => Some(*field),
                _ => None,
            })
            .collect();
        set_fields.sort_unstable();
        set_fields.dedup();
        let kpis = kpi::compile(self, p);
        let deps = CondDeps::new(&stages, &rules, &nurtures);
        let mut compiled = Compiled {
            deps,
            reads: Reads::default(),
            name: p.name.clone().unwrap_or_default(),
            tz,
            currency: p.currency.clone(),
            texts: std::mem::take(&mut self.texts),
            regexes: std::mem::take(&mut self.regexes),
            lead_fields: field_defs(&p.lead_fields),
            events,
            stages,
            forward,
            lost,
            slas,
            scores,
            rules,
            on_rules,
            when_rules,
            n_last_slots: n_last as usize,
            n_window_slots: n_window as usize,
            nurtures,
            calendars,
            limit,
            inputs,
            kpis,
            click_event: template_event("email_click"),
            open_event: template_event("email_open"),
            set_fields,
        };
        compiled.reads = reads::reads(&compiled);
        compiled
    }

    fn rule(
        &mut self,
        score: u16,
        r: &ast::PointsRule,
        n_last: &mut u32,
        n_window: &mut u32,
        n_when: &mut u32,
    ) -> RuleDef {
        let trig = self.trigger(&r.trigger);
        let mut def = RuleDef {
            score,
            points: r.points.value,
            trig,
            once: false,
            once_per: None,
            max_per: None,
            origin: self.origin(r.span),
            last_slot: None,
            window_slot: None,
            when_slot: None,
        };
        for m in &r.modifiers {
            match m {
                Modifier::Once(_) => def.once = true,
                Modifier::OncePer(d, _) => def.once_per = Some(self.dur(d)),
                Modifier::MaxPer(n, d, _) => def.max_per = Some((n.value, self.dur(d))),
            }
        }
        if matches!(def.trig, Trig::When(_)) {
            def.when_slot = Some(*n_when);
            *n_when += 1;
        }
        if def.once || def.once_per.is_some() {
            def.last_slot = Some(*n_last);
            *n_last += 1;
        }
        if def.max_per.is_some() {
            def.window_slot = Some(*n_window);
            *n_window += 1;
        }
        def
    }

    /// A constant (input default, target value): literals and arithmetic.
    pub(crate) fn const_value(&mut self, e: &ast::Expr) -> Value {
        match &e.kind {
            ast::ExprKind::Lit(l) => self.literal(l),
            ast::ExprKind::Paren(a) => self.const_value(a),
            ast::ExprKind::Neg(a) => match self.const_value(a) {
                Value::Num(n) => Value::Num(-n),
                Value::Money(d) => Value::Money(-d),
                v => v,
            },
            ast::ExprKind::Arith(op, a, b) => {
                let (a, b) = (self.const_value(a), self.const_value(b));
                crate::eval::arith(*op, a, b)
            }
            _ => Value::Missing,
        }
    }
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

fn input_ty(p: &Program, name: &str) -> Ty {
    p.input(name).map_or(Ty::Error, |i| i.ty.ty.clone())
}
