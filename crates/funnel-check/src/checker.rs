//! The checker's state shared by every pass: the symbol tables, the diagnostics
//! found so far, and which declarations have been used (for the unused lints).
//! Also the small reference checks every pass needs: events, stages,
//! calendars, durations and date literals.

use std::collections::HashMap;

use funnel_syntax::ast::*;
use funnel_syntax::{Diagnostic, Span};

use crate::diagnostics as d;
use crate::scope::{Scope, StageSym};
use crate::suggest::did_you_mean;

/// Which declarations something refers to, by table index.
#[derive(Debug, Default)]
pub struct Used {
    pub events: Vec<bool>,
    pub scores: Vec<bool>,
    pub calendars: Vec<bool>,
    pub inputs: Vec<bool>,
}

pub struct Checker<'a> {
    pub ast: &'a Playbook,
    pub scope: Scope<'a>,
    pub diags: Vec<Diagnostic>,
    pub used: Used,
    /// Regex patterns already compiled: `None` if valid, else the reason.
    pub regexes: HashMap<String, Option<String>>,
    /// Every valid cron expression, parsed once, by the span of its literal.
    pub crons: std::collections::BTreeMap<Span, crate::schedule::Cron>,
    /// The type of every `round(x)`'s value, by the span of `x`.
    pub rounds: std::collections::BTreeMap<Span, crate::types::Ty>,
    /// What each bare name in a condition was resolved to, by its span:
    /// the typed program follows these decisions.
    pub resolved: HashMap<Span, Resolved>,
    /// The type inferred for each condition expression, by its span.
    pub types: HashMap<Span, crate::types::Ty>,
}

/// What the checker decided a bare name in a condition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A field of the event(s) a `where` filter is about.
    EventField,
    LeadField,
    Score,
    /// A value of the enumeration it is compared with (or set into).
    EnumValue,
    /// The stage compared with `stage`.
    Stage,
}

impl<'a> Checker<'a> {
    pub fn new(ast: &'a Playbook) -> Checker<'a> {
        let mut diags = Vec::new();
        let scope = Scope::build(ast, &mut diags);
        let used = Used {
            events: vec![false; scope.events.list.len()],
            scores: vec![false; scope.scores.list.len()],
            calendars: vec![false; scope.calendars.list.len()],
            inputs: vec![false; scope.inputs.len()],
        };
        Checker {
            ast,
            scope,
            diags,
            used,
            regexes: HashMap::new(),
            crons: std::collections::BTreeMap::new(),
            rounds: std::collections::BTreeMap::new(),
            resolved: HashMap::new(),
            types: HashMap::new(),
        }
    }

    pub fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// Resolve an event name, reporting it when unknown; marks it used.
    pub fn event_ref(&mut self, name: &Ident) -> Option<usize> {
        match self.scope.events.find(&name.name) {
            Some(i) => {
                self.used.events[i] = true;
                Some(i)
            }
            None => {
                let s = did_you_mean(&name.name, self.scope.event_names());
                // The typo meant the suggested event: do not also call it unused.
                if let Some(i) = s.and_then(|s| self.scope.events.find(s)) {
                    self.used.events[i] = true;
                }
                self.report(d::unknown_event(&name.name, name.span, s));
                None
            }
        }
    }

    /// Resolve an event name without marking it used (tests replay events but
    /// do not make a declaration useful).
    pub fn event_ref_quiet(&mut self, name: &Ident) -> Option<usize> {
        let found = self.scope.events.find(&name.name);
        if found.is_none() {
            let s = did_you_mean(&name.name, self.scope.event_names());
            self.report(d::unknown_event(&name.name, name.span, s));
        }
        found
    }

    /// Resolve a stage name, reporting it when unknown.
    pub fn stage_ref(&mut self, name: &Ident) -> Option<&StageSym<'a>> {
        if self.scope.stage(&name.name).is_none() {
            let s = did_you_mean(&name.name, self.scope.stage_names());
            let diag = d::unknown_stage(&name.name, name.span, s);
            self.report(diag);
            return None;
        }
        self.scope.stage(&name.name)
    }

    /// Resolve a stage that must be in the forward order (not lost); `how`
    /// completes "lost stage `X` cannot be used ...". Returns its position.
    pub fn forward_stage_ref(&mut self, name: &Ident, how: &str) -> Option<usize> {
        let sym = self.stage_ref(name)?;
        match sym.order {
            Some(o) => Some(o),
            None => {
                let decl = sym.decl.name.span;
                self.report(d::lost_stage_misuse(&name.name, name.span, decl, how));
                None
            }
        }
    }

    /// Check that `to` comes after `from` in the funnel; both must be forward stages.
    pub fn stage_pair(&mut self, from: &Ident, to: &Ident, how: &str, span: Span) {
        let a = self.forward_stage_ref(from, how);
        let b = self.forward_stage_ref(to, how);
        if let (Some(a), Some(b)) = (a, b) {
            if b <= a {
                self.report(d::backwards_stages(&from.name, &to.name, span));
            }
        }
    }

    pub fn calendar_ref(&mut self, name: &Ident) -> Option<usize> {
        match self.scope.calendars.find(&name.name) {
            Some(i) => {
                self.used.calendars[i] = true;
                Some(i)
            }
            None => {
                let s = did_you_mean(&name.name, self.scope.calendar_names());
                if let Some(i) = s.and_then(|s| self.scope.calendars.find(s)) {
                    self.used.calendars[i] = true;
                }
                self.report(d::unknown_calendar(&name.name, name.span, s));
                None
            }
        }
    }

    /// Check a duration where zero is meaningless; business time needs a
    /// calendar (and uses the first one).
    pub fn duration(&mut self, dur: &Duration, what: &str) {
        if dur.amount.value == 0.0 {
            self.report(d::zero_duration(dur.span, what));
        } else if rounds_to_zero(dur) {
            self.report(d::sub_second_duration(dur.span, what));
        }
        self.business(dur);
    }

    /// Only the business-time part of [`Checker::duration`].
    pub fn business(&mut self, dur: &Duration) {
        if !dur.business {
            return;
        }
        if self.used.calendars.is_empty() {
            self.report(d::business_without_calendar(dur.span));
        } else {
            self.used.calendars[0] = true;
        }
    }

    /// Report an amount or percentage the engine's exact decimals cannot
    /// hold (above about 7.9e28, or with more than 28 decimal places).
    pub fn exact(&mut self, n: &Number, what: &str) {
        if !fits_decimal(&n.text) {
            self.report(d::number_out_of_range(what, n.span));
        }
    }

    /// Report a date or time that does not exist.
    pub fn datetime(&mut self, dt: &DateTimeLit) {
        if let Some(diag) = validate_datetime(dt) {
            self.report(diag);
        }
    }
}

/// Whether the engine, which counts whole seconds, makes a duration above
/// zero zero: calendar time and business minutes and hours under half a
/// second (a business day is as long as the calendar's open hours, at least
/// a minute, so only an absurdly small fraction of one rounds to zero; those
/// are not judged here).
fn rounds_to_zero(dur: &Duration) -> bool {
    if dur.business && !matches!(dur.unit, Unit::Minute | Unit::Hour) {
        return false;
    }
    dur.amount.value * (dur.unit.seconds() as f64) < 0.5
}

/// Whether a number's text is an exact decimal of at most 28 significant
/// places below 2^96 (what amounts and percentages are computed in).
pub fn fits_decimal(text: &str) -> bool {
    const MAX: &str = "79228162514264337593543950335"; // 2^96 - 1
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let mantissa = format!("{int}{frac}");
    let mantissa = mantissa.trim_start_matches('0');
    frac.len() <= 28
        && mantissa.bytes().all(|b| b.is_ascii_digit())
        && (mantissa.len() < MAX.len() || (mantissa.len() == MAX.len() && mantissa <= MAX))
}

/// The diagnostic for a date literal naming no real day or time, if any.
pub fn validate_datetime(dt: &DateTimeLit) -> Option<Diagnostic> {
    let date = format!("{:04}-{:02}-{:02}", dt.year, dt.month, dt.day);
    if chrono::NaiveDate::from_ymd_opt(dt.year, dt.month, dt.day).is_none() {
        let span = Span {
            start: dt.span.start,
            end: dt.span.start.saturating_add(10).min(dt.span.end),
        };
        return Some(d::invalid_date(span, &date));
    }
    if let Some((h, m, s)) = dt.time {
        if h > 23 || m > 59 || s > 59 {
            let text = if s == 0 {
                format!("{h:02}:{m:02}")
            } else {
                format!("{h:02}:{m:02}:{s:02}")
            };
            return Some(d::invalid_time(dt.span, &text));
        }
    }
    if let Some(off) = dt.offset {
        if off.abs() > 14 * 3600 || off % 60 != 0 || (off.abs() / 60) % 60 > 59 {
            return Some(d::invalid_time(dt.span, "offset"));
        }
    }
    None
}
