//! Typed nurtures: enrollment, re-enrollment and exit rules, and the steps
//! as a tree (sends, waits, cron waits with their parsed schedules, waits
//! for an event, branches, splits, notifications and `set`).

use funnel_syntax::Span;

use super::decl::Trigger;
use super::expr::Expr;
use super::ids::{CalendarId, EventId, LeadFieldId, ScoreId, TemplateId};
use super::lit::Dur;
use crate::schedule::Cron;

/// A `nurture` block.
#[derive(Clone, Debug)]
pub struct Nurture {
    pub name: String,
    /// `enroll …` and the span of its line.
    pub enroll: Option<(Trigger, Span)>,
    pub reenroll: Reenroll,
    /// `exit …` lines in source order, with their spans.
    pub exits: Vec<(Trigger, Span)>,
    /// `send within CALENDAR`.
    pub send_within: Option<CalendarId>,
    pub steps: Vec<Step>,
    pub span: Span,
}

/// Re-enrollment policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reenroll {
    /// Once per lead, ever (the default and `reenroll never`).
    Never,
    /// Again when this long has passed since the previous enrollment began.
    After(Dur),
    /// Whenever the lead is not enrolled.
    Always,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub kind: StepKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StepKind {
    Send {
        template: TemplateId,
        guard: Option<Expr>,
    },
    Wait(Dur),
    /// `wait until cron "…"`, parsed once by the checker.
    WaitCron(Box<Cron>),
    /// `wait up to D for E [where C] [else { … }]`.
    WaitFor {
        timeout: Dur,
        event: EventId,
        filter: Option<Expr>,
        otherwise: Vec<Step>,
    },
    If {
        cond: Expr,
        then: Vec<Step>,
        otherwise: Vec<Step>,
    },
    /// `split { P% { … } … else { … } }`: arms with their percentages as written.
    Split {
        arms: Vec<(f64, Vec<Step>)>,
        otherwise: Vec<Step>,
    },
    Notify {
        channel: String,
        message: Vec<Piece>,
        guard: Option<Expr>,
    },
    Set {
        field: LeadFieldId,
        value: Expr,
        guard: Option<Expr>,
    },
}

/// One piece of a `notify` message.
#[derive(Clone, Debug)]
pub enum Piece {
    Text(String),
    LeadField(LeadFieldId),
    Score(ScoreId),
    Id,
    Stage,
}
