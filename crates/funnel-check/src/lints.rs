//! Warnings about declarations nothing uses.
//!
//! Used means: an event named by a trigger, a `wait ... for`, a KPI, or by
//! `clicked`/`opened` (test timelines do not count: they replay data, they do
//! not give the event a meaning); a score read by a threshold of its own
//! (`MQL at 50`), a condition, a message, or a test's `expect score`; a
//! calendar named by `send within`, or the first calendar when a business
//! duration exists; an input read by a KPI formula.

use crate::checker::Checker;
use crate::diagnostics as d;

impl<'a> Checker<'a> {
    pub fn lint_unused(&mut self) {
        for &(_, score, _) in &self.scope.thresholds {
            self.used.scores[score] = true;
        }
        // A score shadowed by a lead field is already reported as a clash.
        for score in self.scope.clashing_scores() {
            self.used.scores[score] = true;
        }
        let mut found = Vec::new();
        for (i, e) in self.scope.events.list.iter().enumerate() {
            if !self.used.events[i] {
                found.push(d::unused_event(&e.name.name, e.name.span));
            }
        }
        for (i, s) in self.scope.scores.list.iter().enumerate() {
            if !self.used.scores[i] {
                found.push(d::unused_score(&s.name.name, s.name.span));
            }
        }
        for (i, c) in self.scope.calendars.list.iter().enumerate() {
            if !self.used.calendars[i] {
                found.push(d::unused_calendar(&c.name.name, c.name.span));
            }
        }
        for (i, (inp, _)) in self.scope.inputs.iter().enumerate() {
            let first = matches!(
                self.scope.values.get(&inp.name.name),
                Some(crate::scope::Value::Input(j, _)) if *j == i
            );
            if first && !self.used.inputs[i] {
                found.push(d::unused_input(&inp.name.name, inp.name.span));
            }
        }
        self.diags.extend(found);
    }
}
