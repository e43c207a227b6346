//! The checked program: the AST plus the resolved facts later phases rely on.
//!
//! A [`Program`] exists only for a playbook with no errors, so the engine may
//! assume every name resolves and every type agrees.

use funnel_syntax::ast::Playbook;
use funnel_syntax::Span;

use crate::types::{FieldTy, Ty};

/// A declared lead or event field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: FieldTy,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventInfo {
    pub name: String,
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageInfo {
    pub name: String,
    /// A `lost` exit: ends the lead's progress; not part of the forward order.
    pub lost: bool,
    pub span: Span,
}

/// A checked `calendar`: the open hours of each open day, and holidays.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarInfo {
    pub name: String,
    /// Open days, Monday first (`days[0]` is Monday, `days[6]` Sunday).
    pub days: [bool; 7],
    /// Opening time in minutes after midnight.
    pub open_minute: u32,
    /// Closing time in minutes after midnight (at most 1440, `24:00`).
    pub close_minute: u32,
    pub holidays: Vec<chrono::NaiveDate>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputInfo {
    pub name: String,
    pub ty: FieldTy,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KpiInfo {
    pub name: String,
    /// The inferred type of the formula (`count/count` is a percent, etc.).
    pub ty: Ty,
    /// Index of the `kpi` declaration among the playbook's KPIs in source order.
    pub decl_index: usize,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub ast: Playbook,
    pub name: Option<String>,
    /// The playbook's zone (`timezone`); UTC when not given.
    pub timezone: chrono_tz::Tz,
    /// The currency code (`currency`); `USD` when not given.
    pub currency: String,
    pub lead_fields: Vec<Field>,
    pub events: Vec<EventInfo>,
    /// Stages in funnel order, lost exits included where they are written.
    pub stages: Vec<StageInfo>,
    /// Score names in declaration order.
    pub scores: Vec<String>,
    pub inputs: Vec<InputInfo>,
    /// KPIs in dependency order: a KPI comes after every KPI it uses.
    pub kpis: Vec<KpiInfo>,
    /// Calendars in declaration order; business durations use the first.
    pub calendars: Vec<CalendarInfo>,
    /// Every `wait until cron` schedule, parsed once by the checker, keyed by
    /// the span of its string literal.
    pub crons: std::collections::BTreeMap<Span, crate::schedule::Cron>,
    /// The type of the value every `round(x)` in a KPI formula rounds, keyed
    /// by the span of `x` (money rounds to cents by default).
    pub rounds: std::collections::BTreeMap<Span, Ty>,
}

impl Program {
    pub fn event(&self, name: &str) -> Option<&EventInfo> {
        self.events.iter().find(|e| e.name == name)
    }

    pub fn lead_field(&self, name: &str) -> Option<&Field> {
        self.lead_fields.iter().find(|f| f.name == name)
    }

    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    pub fn score_index(&self, name: &str) -> Option<usize> {
        self.scores.iter().position(|s| s == name)
    }

    pub fn kpi(&self, name: &str) -> Option<&KpiInfo> {
        self.kpis.iter().find(|k| k.name == name)
    }

    pub fn calendar(&self, name: &str) -> Option<&CalendarInfo> {
        self.calendars.iter().find(|c| c.name == name)
    }

    /// The schedule of the cron literal at `span`.
    pub fn cron(&self, span: Span) -> Option<&crate::schedule::Cron> {
        self.crons.get(&span)
    }

    /// The type of the value `round(x)` rounds, by the span of `x`.
    pub fn round_type(&self, span: Span) -> Option<Ty> {
        self.rounds.get(&span).cloned()
    }

    pub fn input(&self, name: &str) -> Option<&InputInfo> {
        self.inputs.iter().find(|i| i.name == name)
    }
}
