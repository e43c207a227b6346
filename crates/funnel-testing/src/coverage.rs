//! Coverage: which scoring rules, stage triggers (thresholds included),
//! nurture steps and branches a run exercised, read from a traced lead's
//! timeline (the keys of what acted are the engine's
//! [`funnel_engine::coverage`]).
//!
//! An item is exercised when the trace shows it acting: a rule changed a
//! score, a stage was entered by its own trigger or threshold (not skipped),
//! a step sent, notified, set or started a wait, a branch arm was taken
//! (`if`/`else`, each `split` arm and its `else`, the `else` of a
//! `wait up to … for` on timeout). A guarded step whose guard was false, or a
//! rule clamped to no change, has not acted.

use std::collections::BTreeSet;

use funnel_engine::compile::{Compiled, Instr};
use funnel_engine::source::strip_comment;

pub use funnel_engine::coverage::{exercised, key_of, Arm, Key};

/// One thing a test can exercise, with where it is and how to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    pub line: u32,
    /// `rule +10 on whitepaper_download`, `stage MQL when …`, `step send "x" …`.
    pub text: String,
}

/// One item a lead that did not settle involved, for people: its line and
/// its text (`rule +5 when fit < 10`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Involved {
    pub line: u32,
    pub text: String,
}

/// The items `u` involved with their lines, in source order (`source` is the
/// playbook's text, for nurture steps).
pub fn involved(
    u: &funnel_engine::unsettled::Unsettled,
    c: &Compiled,
    source: &str,
) -> Vec<Involved> {
    let mut out: Vec<Involved> = items(c, source)
        .into_iter()
        .filter(|i| u.involved.contains(&i.key))
        .map(|i| Involved {
            line: i.line,
            text: i.text,
        })
        .collect();
    out.dedup();
    out
}

/// Every coverable item of a playbook, in source order.
pub fn items(c: &Compiled, source: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for (i, r) in c.rules.iter().enumerate() {
        out.push(Item {
            key: Key::Rule(u32::try_from(i).unwrap_or(u32::MAX)),
            line: r.origin.line,
            text: format!("rule {}", r.origin.text),
        });
    }
    for (i, s) in c.stages.iter().enumerate() {
        let si = u16::try_from(i).unwrap_or(u16::MAX);
        if s.trigger.is_some() {
            out.push(Item {
                key: Key::Trigger(si),
                line: s.origin.line,
                text: format!("stage {}", s.origin.text),
            });
        }
        for (k, (score, _, o)) in s.thresholds.iter().enumerate() {
            let score = c
                .scores
                .get(*score as usize)
                .map_or("", |x| x.name.as_str());
            out.push(Item {
                key: Key::Threshold(si, u8::try_from(k).unwrap_or(u8::MAX)),
                line: o.line,
                text: format!("threshold {} (score {score})", o.text),
            });
        }
    }
    let lines: Vec<&str> = source.lines().collect();
    for (ni, n) in c.nurtures.iter().enumerate() {
        let ni = u16::try_from(ni).unwrap_or(u16::MAX);
        nurture_items(&n.code, &n.name, ni, &lines, &mut out);
    }
    out.sort_by_key(|i| (i.line, i.key));
    out
}

fn nurture_items(code: &[Instr], name: &str, n: u16, lines: &[&str], out: &mut Vec<Item>) {
    let text = |line: u32| {
        let i = (line as usize).saturating_sub(1);
        step_text(lines.get(i).copied().unwrap_or_default())
    };
    let mut push = |key: Key, line: u32, what: String| {
        out.push(Item {
            key,
            line,
            text: format!("{what} (nurture {name})"),
        })
    };
    for (pc, instr) in code.iter().enumerate() {
        match instr {
            Instr::Send { line, .. }
            | Instr::Wait { line, .. }
            | Instr::WaitCron { line, .. }
            | Instr::Notify { line, .. }
            | Instr::Set { line, .. } => {
                push(Key::Step(n, *line), *line, format!("step {}", text(*line)))
            }
            Instr::WaitFor { line, skip_to, .. } => {
                push(Key::Step(n, *line), *line, format!("step {}", text(*line)));
                if *skip_to as usize > pc + 1 {
                    let what = format!("branch {}: timeout (else)", text(*line));
                    push(Key::Arm(n, *line, Arm::Timeout), *line, what);
                }
            }
            Instr::If { else_pc, line, .. } => {
                let t = text(*line);
                push(
                    Key::Arm(n, *line, Arm::Then),
                    *line,
                    format!("branch {t}: then"),
                );
                let end = block_end(code, *else_pc);
                if end != *else_pc && !is_else_if(code, *else_pc, end) {
                    push(
                        Key::Arm(n, *line, Arm::Else),
                        *line,
                        format!("branch {t}: else"),
                    );
                }
            }
            Instr::Split {
                arms,
                else_pc,
                line,
                ..
            } => {
                let t = text(*line);
                let mut lower = 0;
                for (k, (upper, _)) in arms.iter().enumerate() {
                    let pct = f64::from(upper.saturating_sub(lower)) / 100.0;
                    lower = *upper;
                    let arm = Arm::Split(u16::try_from(k).unwrap_or(u16::MAX));
                    let what = format!(
                        "branch {t}: arm {} ({}%)",
                        k + 1,
                        funnel_engine::value::fmt_num(pct)
                    );
                    push(Key::Arm(n, *line, arm), *line, what);
                }
                let end = block_end(code, *else_pc);
                if !arms.is_empty() && end != *else_pc {
                    let what = format!("branch {t}: else");
                    push(Key::Arm(n, *line, Arm::SplitElse), *line, what);
                }
            }
            Instr::Jump(_) | Instr::End => {}
        }
    }
}

/// Where a block that starts at `else_pc` ends: the target of the jump
/// that closes the block before it.
fn block_end(code: &[Instr], else_pc: u32) -> u32 {
    match else_pc.checked_sub(1).and_then(|p| code.get(p as usize)) {
        Some(Instr::Jump(end)) => *end,
        _ => else_pc,
    }
}

/// An `else` block that is only another `if` (`else if …`): that `if` is
/// covered as its own item.
fn is_else_if(code: &[Instr], else_pc: u32, end: u32) -> bool {
    match code.get(else_pc as usize) {
        Some(Instr::If { else_pc: inner, .. }) => block_end(code, *inner) == end,
        _ => false,
    }
}

/// A step's source line as a name: comment, braces and a leading
/// `} else` removed, runs of spaces collapsed.
fn step_text(line: &str) -> String {
    let mut t = strip_comment(line).trim();
    t = t.strip_prefix('}').map_or(t, str::trim_start);
    t = t.strip_prefix("else ").map_or(t, str::trim_start);
    t = t.strip_suffix('{').map_or(t, str::trim_end);
    t = t.strip_suffix(" else").map_or(t, str::trim_end);
    let mut out = String::with_capacity(t.len());
    let mut in_str = false;
    let mut space = false;
    for ch in t.chars() {
        if ch == '"' {
            in_str = !in_str;
        }
        if !in_str && ch.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(ch);
    }
    out
}

/// Coverage of one playbook: its items and which were exercised.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub items: Vec<Item>,
    pub covered: Vec<bool>,
}

impl Coverage {
    /// The items of `c`, none exercised yet.
    pub fn new(c: &Compiled, source: &str) -> Coverage {
        let items = items(c, source);
        let covered = vec![false; items.len()];
        Coverage { items, covered }
    }

    /// Mark what a set of exercised keys covers.
    pub fn add(&mut self, keys: &BTreeSet<Key>) {
        for (item, hit) in self.items.iter().zip(self.covered.iter_mut()) {
            *hit |= keys.contains(&item.key);
        }
    }

    pub fn total(&self) -> usize {
        self.items.len()
    }

    pub fn hit(&self) -> usize {
        self.covered.iter().filter(|h| **h).count()
    }

    /// Items nobody exercised, in source order.
    pub fn missed(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .zip(&self.covered)
            .filter(|(_, h)| !**h)
            .map(|(i, _)| i)
    }
}

/// `hit / total` as a percentage; 100 when there is nothing to cover.
pub fn percent(hit: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        hit as f64 * 100.0 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_drop_braces_and_else() {
        assert_eq!(step_text("  if clicked \"x\" {  # why"), "if clicked \"x\"");
        assert_eq!(step_text("} else if  a >= 3 {"), "if a >= 3");
        assert_eq!(
            step_text("wait up to 5 days for reply else {"),
            "wait up to 5 days for reply"
        );
        assert_eq!(step_text("send   \"a  b\""), "send \"a  b\"");
    }

    #[test]
    fn percent_of_nothing_is_full() {
        assert_eq!(percent(0, 0), 100.0);
        assert_eq!(percent(3, 4), 75.0);
    }
}
