//! `explain`: one lead's timeline in words — each event, each point change
//! with its rule and source line, each stage change with its cause, each
//! nurture enrollment, wait, branch, action and exit, and SLA breaches.

use crate::compile::Compiled;
use crate::data::Dataset;
use crate::display::{action_detail, fmt_time_short, fmt_value, reason_text, stage_name};
use crate::trace::{ActionDetail, Blocked, Cause, Entry, ExitCause, TraceEntry, WaitWhy};
use crate::value::fmt_num;
use crate::Outcome;

/// The index of lead `id`, or the closest known id to suggest.
pub fn find_lead(ds: &Dataset, id: &str) -> Result<u32, Option<String>> {
    if let Some(&i) = ds.leads.index.get(id) {
        return Ok(i);
    }
    let mut best: Option<(usize, &str)> = None;
    for cand in &ds.leads.ids {
        let d = edit_distance(id, cand);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    let limit = (id.chars().count() / 3).max(2);
    Err(best
        .filter(|(d, _)| *d <= limit)
        .map(|(_, s)| s.to_string()))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The timeline of the traced lead as text, one line per entry.
pub fn timeline(c: &Compiled, ds: &Dataset, o: &Outcome, lead: u32) -> String {
    let l = lead as usize;
    let mut out = String::new();
    let id = &ds.leads.ids[l];
    out.push_str(&format!("lead {id}\n"));
    for (i, f) in c.lead_fields.iter().enumerate() {
        let v = fmt_value(ds.leads.fields(l)[i], &ds.texts, c);
        if !v.is_empty() {
            out.push_str(&format!("  {}: {v}\n", f.name));
        }
    }
    out.push('\n');
    for e in &o.trace {
        out.push_str(&fmt_time_short(e.at, c.tz));
        out.push_str("  ");
        out.push_str(&entry_text(c, ds, e));
        out.push('\n');
    }
    out.push('\n');
    let stage = stage_name(c, o.stage[l]);
    let stage = if stage.is_empty() {
        "(not in the funnel)"
    } else {
        stage
    };
    out.push_str(&format!("now: stage {stage}"));
    let ns = c.scores.len();
    for (i, s) in c.scores.iter().enumerate() {
        out.push_str(&format!(", {} {}", s.name, fmt_num(o.scores[l * ns + i])));
    }
    if let Some(t) = o.as_of {
        out.push_str(&format!(" (as of {})", fmt_time_short(t, c.tz)));
    }
    out.push('\n');
    out
}

fn signed(d: f64) -> String {
    if d >= 0.0 {
        format!("+{}", fmt_num(d))
    } else {
        fmt_num(d)
    }
}

fn nurture_name(c: &Compiled, n: u16) -> &str {
    c.nurtures.get(n as usize).map_or("", |x| x.name.as_str())
}

fn entry_text(c: &Compiled, ds: &Dataset, e: &TraceEntry) -> String {
    match &e.entry {
        Entry::Event { event, off } => {
            let def = &c.events[*event as usize];
            let mut s = format!("event {}", def.name);
            let fields: Vec<String> = def
                .fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    let v = ds.events.values.get(*off as usize + i)?;
                    let text = fmt_value(*v, &ds.texts, c);
                    (!text.is_empty()).then(|| format!("{}: {text}", f.name))
                })
                .collect();
            if !fields.is_empty() {
                s.push_str(&format!(" {{{}}}", fields.join(", ")));
            }
            s
        }
        Entry::Blocked { rule, why } => {
            let r = &c.rules[*rule as usize];
            let name = &c.scores[r.score as usize].name;
            let at = |t: i64| fmt_time_short(t, c.tz);
            let reason = match why {
                Blocked::Once { last } => format!("`once`: already awarded {}", at(*last)),
                Blocked::OncePer { last } => {
                    format!("a `once per` window: last awarded {}", at(*last))
                }
                Blocked::MaxPer => "its `max … per` window is used up".to_string(),
                Blocked::Clamped => format!("{name} is at its cap or floor"),
            };
            format!(
                "  +0 {name}  rule at line {}: {}  (no points: {reason})",
                r.origin.line, r.origin.text
            )
        }
        Entry::Points {
            score,
            delta,
            now,
            cause,
        } => {
            let name = &c.scores[*score as usize].name;
            let why = match cause {
                Cause::Rule(r) => {
                    let o = &c.rules[*r as usize].origin;
                    format!("rule at line {}: {}", o.line, o.text)
                }
                Cause::RuleOff(r) => {
                    let o = &c.rules[*r as usize].origin;
                    format!("rule at line {} no longer holds: {}", o.line, o.text)
                }
                Cause::Decay => match &c.scores[*score as usize].decay {
                    Some(d) => format!("decay at line {}: {}", d.origin.line, d.origin.text),
                    None => "decay".to_string(),
                },
            };
            format!(
                "  {} {name}  {why}  (now {})",
                signed(*delta),
                fmt_num(*now)
            )
        }
        Entry::Stage(t) => {
            let from = stage_name(c, t.from);
            let from = if from.is_empty() { "(none)" } else { from };
            let to = &c.stages[t.to as usize];
            let reason = reason_text(c, t);
            let line = match t.reason {
                crate::trace::Reason::Skipped => String::new(),
                crate::trace::Reason::Threshold(i) => to
                    .thresholds
                    .get(i as usize)
                    .map_or(String::new(), |(_, _, o)| format!(" (line {})", o.line)),
                crate::trace::Reason::Trigger => format!(" (line {})", to.origin.line),
            };
            format!("  stage {from} -> {}  {reason}{line}", to.name)
        }
        Entry::Breach { sla } => {
            let s = &c.slas[*sla as usize];
            format!(
                "  SLA breached at line {}: {}",
                s.origin.line, s.origin.text
            )
        }
        Entry::Enrolled { nurture } => {
            let n = &c.nurtures[*nurture as usize];
            match &n.enroll {
                Some((_, o)) => format!("  enrolled in {}  line {}: {}", n.name, o.line, o.text),
                None => format!("  enrolled in {}", n.name),
            }
        }
        Entry::Exited { nurture, cause } => {
            let n = &c.nurtures[*nurture as usize];
            match cause {
                ExitCause::Completed => format!("  {} completed", n.name),
                ExitCause::Rule(i) => match n.exits.get(*i as usize) {
                    Some((_, o)) => format!("  exited {}  line {}: {}", n.name, o.line, o.text),
                    None => format!("  exited {}", n.name),
                },
            }
        }
        Entry::Waiting {
            nurture,
            line,
            until,
            why,
        } => {
            let n = nurture_name(c, *nurture);
            let never = *until == i64::MAX;
            let until = fmt_time_short(*until, c.tz);
            match why {
                WaitWhy::Wait if never => format!("  {n} waits for ever (line {line})"),
                WaitWhy::Wait => format!("  {n} waits until {until} (line {line})"),
                WaitWhy::Cron if never => {
                    format!("  {n} waits for a cron schedule that never fires again (line {line})")
                }
                WaitWhy::Cron => {
                    format!("  {n} waits for the cron schedule until {until} (line {line})")
                }
                WaitWhy::WaitFor => format!("  {n} waits up to {until} for an event (line {line})"),
                WaitWhy::Calendar => {
                    format!(
                        "  {n} send at line {line} deferred to {until}: outside the send calendar"
                    )
                }
                WaitWhy::Limit => {
                    format!(
                        "  {n} send at line {line} deferred to {until}: the send limit is reached"
                    )
                }
            }
        }
        Entry::WaitEnded {
            nurture,
            line,
            by_event,
        } => {
            let n = nurture_name(c, *nurture);
            if *by_event {
                format!("  {n} wait at line {line} ended: the event arrived")
            } else {
                format!("  {n} wait at line {line} timed out")
            }
        }
        Entry::Branch {
            nurture,
            line,
            taken,
        } => format!(
            "  {} branch at line {line}: {taken}",
            nurture_name(c, *nurture)
        ),
        Entry::Action(a) => {
            let n = nurture_name(c, a.nurture);
            let what = match &a.detail {
                ActionDetail::Send(_) => {
                    format!("send \"{}\"", action_detail(c, &ds.texts, &a.detail))
                }
                ActionDetail::Notify { .. } => {
                    format!("notify {}", action_detail(c, &ds.texts, &a.detail))
                }
                ActionDetail::Set { .. } => {
                    format!("set {}", action_detail(c, &ds.texts, &a.detail))
                }
            };
            format!("  {what}  ({n}, step at line {})", a.line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("L-001", "L-001"), 0);
        assert_eq!(edit_distance("L-01", "L-001"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
    }
}
