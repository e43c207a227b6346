//! Settle limits: a lead whose rules kept changing each other after a change
//! of state, past the bounded re-evaluation of `docs/language.md` ("Settle
//! limits"). The replay records one [`Unsettled`] per lead that reached a
//! limit (the first time it did), with what was still changing in the last
//! passes allowed; `funnel run` and `funnel test` report it as an error, with
//! the rules and steps involved and their playbook lines.

use crate::coverage::Key;

/// After an event or a timer, steps 3–5 of the per-event order repeat at
/// most this many passes.
pub const MAX_SETTLE_PASSES: usize = 16;

/// Within one pass, the `when` rules are re-evaluated at most this many
/// times while they keep changing scores.
pub const MAX_WHEN_PASSES: usize = 8;

/// What acts in this many last passes a limit allows is reported: a cycle
/// of rules that undo each other shows all its members within a few passes.
pub const WATCHED_PASSES: usize = 4;

/// Which limit a lead reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_SETTLE_PASSES`] passes of steps 3–5.
    Settle,
    /// [`MAX_WHEN_PASSES`] re-evaluations of the `when` rules in one pass.
    When,
}

impl Limit {
    /// `16 passes`, `8 passes of its `when` rules`.
    pub fn describe(self) -> String {
        match self {
            Limit::Settle => format!("{MAX_SETTLE_PASSES} passes"),
            Limit::When => format!("{MAX_WHEN_PASSES} passes of its `when` rules"),
        }
    }
}

/// A lead that did not settle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsettled {
    pub lead: u32,
    /// The instant of the event or timer after which it did not settle.
    pub at: i64,
    pub limit: Limit,
    /// What changed the lead's state in the last [`WATCHED_PASSES`] passes
    /// allowed (score rules, stage triggers and thresholds, nurture steps),
    /// in the order they first acted.
    pub involved: Vec<Key>,
}

/// The first lead to reach a limit (by instant, then lead), and how many
/// did in all.
pub fn first(list: &[Unsettled]) -> Option<(&Unsettled, usize)> {
    list.iter()
        .min_by_key(|u| (u.at, u.lead))
        .map(|u| (u, list.len()))
}
