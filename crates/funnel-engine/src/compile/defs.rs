//! The compiled playbook's tables: fields and events, stages and their
//! triggers, SLAs, scores and rules, inputs, and [`Compiled`] that holds
//! them all with the nurtures, calendars and KPIs.

use chrono_tz::Tz;
use funnel_check::{FieldTy, Ty};
use regex::Regex;

use super::nurture::NurtureDef;
use super::reads::Reads;
use crate::calendar::Calendar;
use crate::eval::{CExpr, Deps};
use crate::kpi::KpiDef;
use crate::value::{Interner, Value};

pub use funnel_check::hir::Dur;

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
    /// `on E1, E2 where …`: per listed event, the `where` compiled for it;
    /// `on any event where …` (`any`): every event, with `filter`.
    On {
        any: bool,
        filter: Option<CExpr>,
        events: Vec<(u16, Option<CExpr>)>,
    },
    When(CExpr),
}

impl Trig {
    /// For an `on` trigger listening to `event`: `Some(filter)`.
    pub fn on_event(&self, event: u16) -> Option<Option<&CExpr>> {
        match self {
            Trig::On {
                any: true, filter, ..
            } => Some(filter.as_ref()),
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
    /// Which lead and event fields a run keeps.
    pub reads: Reads,
    /// What the playbook names, reads and writes (events, lead and event
    /// fields): the checker's one analysis, for `funnel plan`'s data check.
    pub uses: funnel_check::hir::reads::Reads,
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
