//! What a replay records: stage transitions, actions and SLA breaches for
//! every lead, and for one traced lead (`explain`) the full timeline with
//! the ledger of point changes. Records hold indices, not text; the
//! output files (`funnel-data`) and `explain` turn them into words.

use crate::value::{Sym, Value};

/// Why a lead moved to a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The stage's own `on`/`when` trigger held.
    Trigger,
    /// The `i`-th `X at N` threshold of the stage held.
    Threshold(u8),
    /// Entered on the way to a later stage.
    Skipped,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transition {
    pub lead: u32,
    /// Previous stage, or `NO_STAGE`.
    pub from: u16,
    pub to: u16,
    pub at: i64,
    pub reason: Reason,
}

/// What an action did.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionDetail {
    Send(Sym),
    Notify { channel: Sym, message: String },
    Set { field: u16, value: Value },
}

impl ActionDetail {
    pub fn kind(&self) -> &'static str {
        match self {
            ActionDetail::Send(_) => "send",
            ActionDetail::Notify { .. } => "notify",
            ActionDetail::Set { .. } => "set",
        }
    }
}

/// A `send`, `notify` or `set` a nurture step performed.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub at: i64,
    pub lead: u32,
    pub nurture: u16,
    /// Source line of the step.
    pub line: u32,
    pub detail: ActionDetail,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breach {
    pub lead: u32,
    pub sla: u16,
    pub at: i64,
}

/// What changed a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A rule awarded (or a `when` rule started to hold).
    Rule(u32),
    /// A `when` rule stopped holding and took back its points.
    RuleOff(u32),
    Decay,
}

/// Why an enrollment ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCause {
    /// The `i`-th `exit` rule.
    Rule(u16),
    /// The steps ran to the end.
    Completed,
}

/// One line of a traced lead's timeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Event {
        event: u16,
        off: u32,
    },
    Points {
        score: u16,
        delta: f64,
        now: f64,
        cause: Cause,
    },
    /// A rule matched the event but gave no points: why.
    Blocked {
        rule: u32,
        why: Blocked,
    },
    Stage(Transition),
    Breach {
        sla: u16,
    },
    Enrolled {
        nurture: u16,
    },
    Exited {
        nurture: u16,
        cause: ExitCause,
    },
    /// A step suspended the enrollment until `until` (wait, cron, wait-for,
    /// or a send deferred by the calendar or the send limit).
    Waiting {
        nurture: u16,
        line: u32,
        until: i64,
        why: WaitWhy,
    },
    /// `wait up to … for E` ended: by the event (`true`) or by timeout.
    WaitEnded {
        nurture: u16,
        line: u32,
        by_event: bool,
    },
    Branch {
        nurture: u16,
        line: u32,
        taken: String,
    },
    Action(Action),
}

/// Why a matching rule gave no points (for `explain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// `once`, and it was awarded at this instant before.
    Once { last: i64 },
    /// `once per D`, last awarded at this instant, less than D ago.
    OncePer { last: i64 },
    /// `max N per D`: the window's N points are used up.
    MaxPer,
    /// The score was already at its cap (or floor).
    Clamped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitWhy {
    Wait,
    Cron,
    WaitFor,
    Calendar,
    Limit,
}

/// A timeline entry with its instant.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub at: i64,
    pub entry: Entry,
}
