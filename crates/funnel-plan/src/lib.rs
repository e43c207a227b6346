//! `funnel plan`: what changing a playbook would do to the same data.
//!
//! The CLI replays one dataset under an old and a new playbook (each with
//! its own [`Dataset`](funnel_engine::Dataset), checked to hold the same rows by
//! [`same_data`]) and hands both [`Outcome`]s to [`diff`], which compares
//! them and returns a [`Plan`]: pure data, rendered by the CLI.
//!
//! Stages, KPIs, templates and SLAs are matched by name across the two
//! playbooks, since indices differ as soon as a declaration is added. A
//! stage that one playbook lacks is kept and marked (`in_old`/`in_new`).
//!
//! Terms used here:
//! - **changed lead**: a lead whose final stage differs (by name).
//! - **change instant**: the first instant at which the lead's stage, after
//!   every transition at that instant, differs between the two replays.
//! - **retimed lead**: same final stage, but a change instant exists (it
//!   moved through the funnel at other times or by another path).
//! - **direction**: forward or back in the new funnel's order (the old
//!   one's when a stage is missing from the new), to or from a lost stage.

mod actions;
mod compat;

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use funnel_engine::compile::Compiled;
use funnel_engine::eval::NO_STAGE;
use funnel_engine::kpi::eval::period_label;
use funnel_engine::kpi::{KTy, Period, TargetStatus};
use funnel_engine::value::Interner;
use funnel_engine::Outcome;

pub use compat::{same_data, DataSide, Mismatch};

/// One side of a plan: a playbook, its replay of the data, and the
/// interner the replay's text values live in (its dataset's).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub c: &'a Compiled,
    pub o: &'a Outcome,
    pub texts: &'a Interner,
}

/// Which way a changed lead moved, old final stage to new final stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Later in the funnel order (or into the funnel from outside it).
    Forward,
    /// Earlier in the funnel order (or out of the funnel altogether).
    Back,
    /// Into a lost stage.
    ToLost,
    /// Out of a lost stage.
    FromLost,
    /// Between stages that cannot be ordered: one lost stage to another,
    /// or a stage neither funnel orders against the other.
    Other,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Back => "back",
            Direction::ToLost => "to lost",
            Direction::FromLost => "from lost",
            Direction::Other => "other",
        }
    }
}

/// Changed leads counted by direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectionCounts {
    pub forward: usize,
    pub back: usize,
    pub to_lost: usize,
    pub from_lost: usize,
    pub other: usize,
}

impl DirectionCounts {
    fn add(&mut self, d: Direction) {
        match d {
            Direction::Forward => self.forward += 1,
            Direction::Back => self.back += 1,
            Direction::ToLost => self.to_lost += 1,
            Direction::FromLost => self.from_lost += 1,
            Direction::Other => self.other += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.forward + self.back + self.to_lost + self.from_lost + self.other
    }
}

/// A stage of either playbook, in the plan's order: the new playbook's
/// stages as written, then the stages only the old one has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanStage {
    pub name: String,
    /// Lost in the playbook that declares it (the new one when both do).
    pub lost: bool,
    pub in_old: bool,
    pub in_new: bool,
}

/// A lead whose final stage differs. `None` is "outside the funnel".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadChange {
    pub id: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Direction,
    /// The change instant.
    pub at: Option<i64>,
}

/// How many leads moved from one final stage to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Direction,
    pub leads: usize,
}

/// Changed leads by the month of their change instant (new playbook's zone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodChanges {
    pub period: String,
    pub counts: DirectionCounts,
}

/// Entries into a stage in a month, under each playbook (each in its own
/// zone, as its `count(entered X) by month` would report them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entries {
    pub stage: String,
    pub period: String,
    pub before: usize,
    pub after: usize,
}

/// Actions of one kind and template (send), channel (notify) or field (set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionChange {
    pub kind: String,
    pub what: String,
    pub before: usize,
    pub after: usize,
    /// Actions of a lead the old playbook did not perform (per lead, the
    /// count above the old one's).
    pub added: usize,
    pub removed: usize,
    /// Actions both perform for the lead, at another instant (the k-th old
    /// one paired with the k-th new one, in time order).
    pub moved: usize,
}

impl ActionChange {
    pub fn changed(&self) -> bool {
        self.added + self.removed + self.moved > 0
    }
}

/// Sends of a template in an ISO week, where the two playbooks differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekSends {
    pub week: String,
    pub template: String,
    pub before: usize,
    pub after: usize,
}

/// A KPI's total under one playbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpiValue {
    pub ty: KTy,
    /// `None`: undefined.
    pub value: Option<Decimal>,
}

/// A KPI under both playbooks (`None`: the playbook has no such KPI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpiChange {
    pub name: String,
    pub before: Option<KpiValue>,
    pub after: Option<KpiValue>,
    /// after − before, when both are defined and of the same type.
    pub change: Option<Decimal>,
    /// change ÷ |before|, when that is defined and not zero.
    pub relative: Option<Decimal>,
    /// Groups (`by` keys) whose value differs, when both group the same way.
    pub groups_changed: usize,
}

impl KpiChange {
    pub fn changed(&self) -> bool {
        self.before != self.after || self.groups_changed > 0
    }
}

/// A target whose verdict differs (`None`: no target on that side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetFlip {
    pub kpi: String,
    pub before: Option<(String, TargetStatus)>,
    pub after: Option<(String, TargetStatus)>,
}

/// Breaches of an SLA (`A -> B`) under each playbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreachChange {
    pub sla: String,
    pub before: usize,
    pub after: usize,
}

/// Everything that differs between two replays of the same data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub leads: usize,
    pub stages: Vec<PlanStage>,
    /// Changed leads, sorted by id.
    pub changed: Vec<LeadChange>,
    pub counts: DirectionCounts,
    /// Ids of retimed leads, sorted.
    pub retimed: Vec<String>,
    /// Per (old final stage, new final stage), in stage order.
    pub moves: Vec<Move>,
    pub periods: Vec<PeriodChanges>,
    /// Every (stage, month) with an entry under either playbook.
    pub entries: Vec<Entries>,
    /// Every (kind, what) either playbook performs.
    pub actions: Vec<ActionChange>,
    /// Only the (week, template) pairs whose sends differ.
    pub sends_by_week: Vec<WeekSends>,
    /// Every KPI of either playbook, the new one's order first.
    pub kpis: Vec<KpiChange>,
    pub targets: Vec<TargetFlip>,
    /// Every SLA with a breach under either playbook.
    pub breaches: Vec<BreachChange>,
}

impl Plan {
    /// Whether anything differs at all.
    pub fn has_changes(&self) -> bool {
        !self.changed.is_empty()
            || !self.retimed.is_empty()
            || self.entries.iter().any(|e| e.before != e.after)
            || self.actions.iter().any(ActionChange::changed)
            || !self.sends_by_week.is_empty()
            || self.kpis.iter().any(KpiChange::changed)
            || !self.targets.is_empty()
            || self.breaches.iter().any(|b| b.before != b.after)
    }

    /// Sends added and removed over every template.
    pub fn sends(&self) -> (usize, usize) {
        self.actions
            .iter()
            .filter(|a| a.kind == "send")
            .fold((0, 0), |(x, y), a| (x + a.added, y + a.removed))
    }
}

/// Compare two replays of the same leads (`ids`, in dataset order).
pub fn diff(old: Side<'_>, new: Side<'_>, ids: &[Box<str>]) -> Plan {
    let stages = merged_stages(old.c, new.c);
    let pos: HashMap<&str, usize> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let key = |n: &Option<String>| n.as_deref().and_then(|n| pos.get(n)).map_or(0, |p| p + 1);
    let tl_old = timelines(old, ids.len());
    let tl_new = timelines(new, ids.len());
    let mut changed = Vec::new();
    let mut retimed = Vec::new();
    for (l, id) in ids.iter().enumerate() {
        let from = final_stage(old, l);
        let to = final_stage(new, l);
        let at = divergence(
            tl_old.get(l).map_or(&[], Vec::as_slice),
            tl_new.get(l).map_or(&[], Vec::as_slice),
        );
        if from == to {
            if at.is_some() {
                retimed.push(id.to_string());
            }
            continue;
        }
        changed.push(LeadChange {
            id: id.to_string(),
            direction: direction(old.c, new.c, from.as_deref(), to.as_deref()),
            from,
            to,
            at,
        });
    }
    changed.sort_by(|a, b| a.id.cmp(&b.id));
    retimed.sort();

    let mut counts = DirectionCounts::default();
    let mut moves: BTreeMap<(usize, usize), Move> = BTreeMap::new();
    let mut periods: BTreeMap<String, DirectionCounts> = BTreeMap::new();
    for ch in &changed {
        counts.add(ch.direction);
        moves
            .entry((key(&ch.from), key(&ch.to)))
            .or_insert_with(|| Move {
                from: ch.from.clone(),
                to: ch.to.clone(),
                direction: ch.direction,
                leads: 0,
            })
            .leads += 1;
        let period = ch.at.map_or_else(
            || "(none)".to_string(),
            |t| period_label(Period::Month, t, new.c.tz),
        );
        periods.entry(period).or_default().add(ch.direction);
    }

    let (actions, sends_by_week) = actions::diff(old, new);
    Plan {
        leads: ids.len(),
        entries: entries(old, new, &pos),
        stages,
        changed,
        counts,
        retimed,
        moves: moves.into_values().collect(),
        periods: periods
            .into_iter()
            .map(|(period, counts)| PeriodChanges { period, counts })
            .collect(),
        actions,
        sends_by_week,
        kpis: kpis(old.o, new.o),
        targets: targets(old.o, new.o),
        breaches: breaches(old, new),
    }
}

fn merged_stages(old: &Compiled, new: &Compiled) -> Vec<PlanStage> {
    let in_old = |n: &str| old.stages.iter().any(|s| s.name == n);
    let mut out: Vec<PlanStage> = new
        .stages
        .iter()
        .map(|s| PlanStage {
            name: s.name.clone(),
            lost: s.lost,
            in_old: in_old(&s.name),
            in_new: true,
        })
        .collect();
    for s in &old.stages {
        if !new.stages.iter().any(|n| n.name == s.name) {
            out.push(PlanStage {
                name: s.name.clone(),
                lost: s.lost,
                in_old: true,
                in_new: false,
            });
        }
    }
    out
}

fn stage_of(c: &Compiled, s: u16) -> Option<String> {
    if s == NO_STAGE {
        return None;
    }
    c.stages.get(s as usize).map(|d| d.name.clone())
}

fn final_stage(side: Side<'_>, lead: usize) -> Option<String> {
    side.o.stage.get(lead).and_then(|s| stage_of(side.c, *s))
}

/// Per lead: (instant, stage after every transition at that instant).
fn timelines(side: Side<'_>, n: usize) -> Vec<Vec<(i64, Option<String>)>> {
    let mut out: Vec<Vec<(i64, Option<String>)>> = vec![Vec::new(); n];
    for t in &side.o.transitions {
        let Some(list) = out.get_mut(t.lead as usize) else {
            continue;
        };
        let name = stage_of(side.c, t.to);
        match list.last_mut() {
            Some(last) if last.0 == t.at => last.1 = name,
            _ => list.push((t.at, name)),
        }
    }
    out
}

/// The first instant at which the two stage timelines disagree.
fn divergence(a: &[(i64, Option<String>)], b: &[(i64, Option<String>)]) -> Option<i64> {
    let (mut i, mut j) = (0, 0);
    let (mut cur_a, mut cur_b): (Option<&str>, Option<&str>) = (None, None);
    loop {
        let t = match (a.get(i), b.get(j)) {
            (None, None) => return None,
            (Some(x), None) => x.0,
            (None, Some(y)) => y.0,
            (Some(x), Some(y)) => x.0.min(y.0),
        };
        if let Some(x) = a.get(i).filter(|x| x.0 == t) {
            cur_a = x.1.as_deref();
            i += 1;
        }
        if let Some(y) = b.get(j).filter(|y| y.0 == t) {
            cur_b = y.1.as_deref();
            j += 1;
        }
        if cur_a != cur_b {
            return Some(t);
        }
    }
}

/// The position of a non-lost stage in a funnel's order.
fn rank(c: &Compiled, name: &str) -> Option<i32> {
    c.stages
        .iter()
        .find(|s| s.name == name && !s.lost)
        .map(|s| s.rank)
}

fn is_lost(c: &Compiled, name: Option<&str>) -> bool {
    name.is_some_and(|n| c.stages.iter().any(|s| s.name == n && s.lost))
}

fn direction(old: &Compiled, new: &Compiled, from: Option<&str>, to: Option<&str>) -> Direction {
    match (is_lost(old, from), is_lost(new, to)) {
        (true, true) => return Direction::Other,
        (false, true) => return Direction::ToLost,
        (true, false) => return Direction::FromLost,
        (false, false) => {}
    }
    let (f, t) = match (from, to) {
        (None, _) => return Direction::Forward,
        (_, None) => return Direction::Back,
        (Some(f), Some(t)) => (f, t),
    };
    let order = [new, old]
        .into_iter()
        .find_map(|c| Some((rank(c, f)?, rank(c, t)?)));
    match order {
        Some((a, b)) if b > a => Direction::Forward,
        Some((a, b)) if b < a => Direction::Back,
        _ => Direction::Other,
    }
}

/// Entries per (stage name, month label) under one playbook.
fn entry_counts(side: Side<'_>) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    let ns = side.c.stages.len();
    if ns == 0 {
        return m;
    }
    for (i, t) in side.o.entered.iter().enumerate() {
        if *t == i64::MIN {
            continue;
        }
        if let Some(s) = side.c.stages.get(i % ns) {
            let month = period_label(Period::Month, *t, side.c.tz);
            *m.entry((s.name.clone(), month)).or_insert(0) += 1;
        }
    }
    m
}

fn entries(old: Side<'_>, new: Side<'_>, pos: &HashMap<&str, usize>) -> Vec<Entries> {
    let before = entry_counts(old);
    let after = entry_counts(new);
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort_by_key(|(s, m)| (pos.get(s.as_str()).copied().unwrap_or(usize::MAX), m));
    keys.dedup();
    keys.into_iter()
        .map(|k| Entries {
            stage: k.0.clone(),
            period: k.1.clone(),
            before: before.get(k).copied().unwrap_or(0),
            after: after.get(k).copied().unwrap_or(0),
        })
        .collect()
}

/// KPI names of both outcomes: the new one's order, then the old-only ones.
fn kpi_names<'a>(old: &'a Outcome, new: &'a Outcome) -> Vec<&'a str> {
    let mut names: Vec<&str> = new.kpis.iter().map(|k| k.name.as_str()).collect();
    for k in &old.kpis {
        if !names.contains(&k.name.as_str()) {
            names.push(&k.name);
        }
    }
    names
}

fn kpis(old: &Outcome, new: &Outcome) -> Vec<KpiChange> {
    let find = |o: &'_ Outcome, n: &str| o.kpis.iter().find(|k| k.name == n).cloned();
    kpi_names(old, new)
        .into_iter()
        .map(|name| {
            let (b, a) = (find(old, name), find(new, name));
            let value = |k: &funnel_engine::KpiResult| KpiValue {
                ty: k.ty,
                value: k.total,
            };
            let (before, after) = (b.as_ref().map(value), a.as_ref().map(value));
            let mut change = None;
            let mut relative = None;
            let mut groups_changed = 0;
            if let (Some(b), Some(a)) = (&b, &a) {
                if b.ty == a.ty {
                    if let (Some(x), Some(y)) = (b.total, a.total) {
                        change = y.checked_sub(x);
                        if !x.is_zero() {
                            relative = change.and_then(|c| c.checked_div(x.abs()));
                        }
                    }
                }
                if b.by == a.by {
                    let gb: BTreeMap<_, _> = b.groups.iter().cloned().collect();
                    let ga: BTreeMap<_, _> = a.groups.iter().cloned().collect();
                    let mut keys: Vec<_> = gb.keys().chain(ga.keys()).collect();
                    keys.sort();
                    keys.dedup();
                    groups_changed = keys.iter().filter(|k| gb.get(**k) != ga.get(**k)).count();
                }
            }
            KpiChange {
                name: name.to_string(),
                before,
                after,
                change,
                relative,
                groups_changed,
            }
        })
        .collect()
}

fn targets(old: &Outcome, new: &Outcome) -> Vec<TargetFlip> {
    let find = |o: &Outcome, n: &str| {
        o.kpis
            .iter()
            .find(|k| k.name == n)
            .and_then(|k| k.target.clone())
    };
    kpi_names(old, new)
        .into_iter()
        .filter_map(|name| {
            let (before, after) = (find(old, name), find(new, name));
            let status = |t: &Option<(String, TargetStatus)>| t.as_ref().map(|x| x.1);
            (status(&before) != status(&after)).then(|| TargetFlip {
                kpi: name.to_string(),
                before,
                after,
            })
        })
        .collect()
}

fn breach_counts(side: Side<'_>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for b in &side.o.breaches {
        if let Some(sla) = side.c.slas.get(b.sla as usize) {
            let name = |s: u16| {
                side.c
                    .stages
                    .get(s as usize)
                    .map_or("", |d| d.name.as_str())
            };
            let label = format!("{} -> {}", name(sla.from), name(sla.to));
            *m.entry(label).or_insert(0) += 1;
        }
    }
    m
}

fn breaches(old: Side<'_>, new: Side<'_>) -> Vec<BreachChange> {
    let (b, a) = (breach_counts(old), breach_counts(new));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| BreachChange {
            sla: k.clone(),
            before: b.get(k).copied().unwrap_or(0),
            after: a.get(k).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests;
