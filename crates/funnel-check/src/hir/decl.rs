//! The declarations of a typed program: fields, events, stages with their
//! triggers and thresholds, SLAs, scores with rules, caps, floors and
//! decay, inputs with decoded defaults, calendars and the send limit.

use funnel_syntax::Span;

use super::expr::Expr;
use super::ids::{EventFieldId, EventId, ScoreId, StageId};
use super::lit::{Dur, Lit};
use crate::types::FieldTy;

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

impl EventInfo {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<EventFieldId> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .map(EventFieldId::new)
    }
}

/// A stage of the funnel with what moves a lead into it.
#[derive(Clone, Debug, PartialEq)]
pub struct StageInfo {
    pub name: String,
    /// A `lost` exit: ends the lead's progress; not part of the forward order.
    pub lost: bool,
    /// Position among the non-lost stages; -1 for a lost stage.
    pub rank: i32,
    pub trigger: Option<Trigger>,
    /// `X at N` lines of score blocks naming this stage, in source order.
    pub thresholds: Vec<Threshold>,
    pub span: Span,
}

/// `STAGE at N` in a score block.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub score: ScoreId,
    pub points: f64,
    pub span: Span,
}

/// An `on` or `when` trigger.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// `on E1, E2 where C`: per listed event, C with that event's fields.
    On(Vec<(EventId, Option<Expr>)>),
    /// `on any event where C`: every event; C reads lead fields and scores.
    OnAny(Option<Expr>),
    When(Expr),
}

/// `sla A -> B within D`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sla {
    pub from: StageId,
    pub to: StageId,
    pub within: Dur,
    pub span: Span,
}

/// A `score` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub name: String,
    pub floor: Option<f64>,
    pub cap: Option<f64>,
    pub decay: Option<Decay>,
    /// Points rules in source order.
    pub rules: Vec<Rule>,
    pub span: Span,
}

/// `decay P% every D [when inactive]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Decay {
    /// The percentage as written (`10` for `10%`).
    pub percent: f64,
    pub every: Dur,
    pub inactive: bool,
    pub span: Span,
}

/// `+N on E …` or `+N when C …` with its modifiers.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub points: f64,
    pub trigger: Trigger,
    pub once: bool,
    pub once_per: Option<Dur>,
    /// `max N per D`.
    pub max_per: Option<(f64, Dur)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputInfo {
    pub name: String,
    pub ty: FieldTy,
    /// The default, decoded by the input's declared type.
    pub default: Option<Lit>,
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

impl CalendarInfo {
    /// Seconds of open time in one open day: the length of a `business day`.
    pub fn daily_span(&self) -> i64 {
        i64::from(self.close_minute.min(1440).saturating_sub(self.open_minute)) * 60
    }
}

/// `limit sends N per D`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub count: f64,
    pub window: Dur,
}
