//! The keys of coverage: which scoring rule, stage trigger or threshold,
//! nurture step or branch arm a timeline entry shows acting. The replay
//! collects them over a whole run ([`crate::RunOptions::coverage`]); the
//! test runner's coverage report names them.

use std::collections::BTreeSet;

use crate::trace::{Cause, Entry, Reason, TraceEntry, WaitWhy};

/// An arm of a branching step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arm {
    /// `if`: the block run when the condition holds.
    Then,
    /// `if`: the `else` block.
    Else,
    /// `split`: the arm with this index (0-based).
    Split(u16),
    /// `split`: the `else` block.
    SplitElse,
    /// `wait up to … for E else { … }`: the timeout block.
    Timeout,
}

/// What an item is, by the indices the trace uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A score rule (index into `Compiled::rules`).
    Rule(u32),
    /// A stage's own trigger.
    Trigger(u16),
    /// The `i`-th `X at N` threshold of a stage.
    Threshold(u16, u8),
    /// A nurture step, by nurture and source line.
    Step(u16, u32),
    /// An arm of the branching step at this line.
    Arm(u16, u32, Arm),
}

/// The items a traced timeline exercised.
pub fn exercised(trace: &[TraceEntry]) -> BTreeSet<Key> {
    trace.iter().filter_map(|e| key_of(&e.entry)).collect()
}

/// The item one timeline entry exercises, if any.
pub fn key_of(entry: &Entry) -> Option<Key> {
    match entry {
        Entry::Points {
            cause: Cause::Rule(r) | Cause::RuleOff(r),
            ..
        } => Some(Key::Rule(*r)),
        Entry::Stage(t) => match t.reason {
            Reason::Trigger => Some(Key::Trigger(t.to)),
            Reason::Threshold(i) => Some(Key::Threshold(t.to, i)),
            Reason::Skipped => None,
        },
        Entry::Action(a) => Some(Key::Step(a.nurture, a.line)),
        Entry::Waiting {
            nurture, line, why, ..
        } => matches!(why, WaitWhy::Wait | WaitWhy::Cron | WaitWhy::WaitFor)
            .then_some(Key::Step(*nurture, *line)),
        Entry::WaitEnded {
            nurture,
            line,
            by_event: false,
        } => Some(Key::Arm(*nurture, *line, Arm::Timeout)),
        Entry::Branch {
            nurture,
            line,
            taken,
        } => arm_taken(taken).map(|arm| Key::Arm(*nurture, *line, arm)),
        _ => None,
    }
}

/// The arm a branch entry names: `then`, `else`, `arm N (bucket B)`,
/// `else (bucket B)`.
fn arm_taken(taken: &str) -> Option<Arm> {
    match taken {
        "then" => Some(Arm::Then),
        "else" => Some(Arm::Else),
        t if t.starts_with("else (") => Some(Arm::SplitElse),
        t => {
            let n = t.strip_prefix("arm ")?.split(' ').next()?;
            let n: u16 = n.parse().ok()?;
            Some(Arm::Split(n.checked_sub(1)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_entries_name_their_arm() {
        assert_eq!(arm_taken("then"), Some(Arm::Then));
        assert_eq!(arm_taken("else"), Some(Arm::Else));
        assert_eq!(arm_taken("arm 2 (bucket 4071)"), Some(Arm::Split(1)));
        assert_eq!(arm_taken("else (bucket 9001)"), Some(Arm::SplitElse));
        assert_eq!(arm_taken("arm 0 (bucket 1)"), None);
    }
}
