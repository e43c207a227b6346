//! The typed program (the checker's "HIR"): what a playbook means, with
//! every name an id into its table, every expression and KPI carrying its
//! type, each cron expression a parsed schedule and each literal decoded
//! once (`lit.rs`). The checker assembles it after a playbook checks
//! without errors (`assemble/`); the engine lowers only this, never the AST.
//!
//! - `ids.rs`: the typed indices (`StageId`, `ScoreId`, `EventId`, …).
//! - `expr.rs`: typed condition and value expressions.
//! - `decl.rs`: fields, events, stages and triggers, SLAs, scores, inputs,
//!   calendars and the send limit.
//! - `nurture.rs`: nurtures and their steps.
//! - `kpi.rs`: KPI formulas, `by` keys and targets.
//! - `lit.rs`: the one decoder of literals.
//! - `visit.rs`: one walk over triggers, steps and expressions.
//! - `reads.rs`: the one analysis of what a playbook reads.

use std::collections::HashMap;
use std::sync::OnceLock;

mod assemble;
pub mod decl;
pub mod expr;
pub mod ids;
pub mod kpi;
pub mod lit;
pub mod nurture;
pub mod reads;
#[cfg(test)]
mod tests;
pub mod visit;

pub(crate) use assemble::{assemble, Parts};
pub use decl::{
    CalendarInfo, Decay, EventInfo, Field, InputInfo, Limit, Rule, Score, Sla, StageInfo,
    Threshold, Trigger,
};
pub use expr::{ArithOp, CmpOp, Expr, ExprKind};
pub use ids::*;
pub use kpi::{ByKey, Fun, KCond, KExpr, Kpi, Period, PeriodEdge, Source, Target};
pub use lit::{Dur, Lit};
pub use nurture::{Nurture, Piece, Reenroll, Step, StepKind};

/// A checked playbook's meaning.
#[derive(Clone, Debug)]
pub struct Hir {
    pub name: Option<String>,
    /// The playbook's zone (`timezone`); UTC when not given.
    pub timezone: chrono_tz::Tz,
    /// The currency code (`currency`); `USD` when not given.
    pub currency: String,
    pub lead_fields: Vec<Field>,
    pub events: Vec<EventInfo>,
    /// Stages in funnel order, lost exits included where they are written.
    pub stages: Vec<StageInfo>,
    /// `sla` lines in funnel order.
    pub slas: Vec<Sla>,
    pub scores: Vec<Score>,
    pub inputs: Vec<InputInfo>,
    /// Calendars in declaration order; business durations use the first.
    pub calendars: Vec<CalendarInfo>,
    pub nurtures: Vec<Nurture>,
    /// KPIs in source order (a [`KpiId`] indexes this).
    pub kpis: Vec<Kpi>,
    /// KPIs in dependency order: a KPI comes after every KPI it uses.
    pub kpi_order: Vec<KpiId>,
    /// Template names, in order of first mention.
    pub templates: Vec<String>,
    pub limit: Option<Limit>,
    /// Name lookups, built on first use (the tables are complete by then):
    /// a playbook with thousands of events resolves each name in O(1).
    pub(crate) names: Names,
}

/// Name → index of the events, lead fields, stages and scores.
#[derive(Clone, Default)]
pub(crate) struct Names {
    events: OnceLock<HashMap<String, usize>>,
    lead_fields: OnceLock<HashMap<String, usize>>,
    stages: OnceLock<HashMap<String, usize>>,
    scores: OnceLock<HashMap<String, usize>>,
}

/// A cache of the tables above, not part of the program's meaning: printed
/// as nothing, so a program's `Debug` is the same whatever was looked up
/// (and in whatever order a hash map keeps it).
impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Names")
    }
}

/// The index of `name` in a table, through its lazily built map. The first
/// of two equal names wins, as a linear search would find it.
fn lookup<'a>(
    map: &OnceLock<HashMap<String, usize>>,
    names: impl Iterator<Item = &'a str>,
    name: &str,
) -> Option<usize> {
    map.get_or_init(|| {
        let mut m = HashMap::new();
        for (i, n) in names.enumerate() {
            m.entry(n.to_string()).or_insert(i);
        }
        m
    })
    .get(name)
    .copied()
}

impl Hir {
    pub fn event_id(&self, name: &str) -> Option<EventId> {
        let names = self.events.iter().map(|e| e.name.as_str());
        lookup(&self.names.events, names, name).map(EventId::new)
    }

    pub fn lead_field_id(&self, name: &str) -> Option<LeadFieldId> {
        let names = self.lead_fields.iter().map(|f| f.name.as_str());
        lookup(&self.names.lead_fields, names, name).map(LeadFieldId::new)
    }

    pub fn stage_id(&self, name: &str) -> Option<StageId> {
        let names = self.stages.iter().map(|s| s.name.as_str());
        lookup(&self.names.stages, names, name).map(StageId::new)
    }

    pub fn score_id(&self, name: &str) -> Option<ScoreId> {
        let names = self.scores.iter().map(|s| s.name.as_str());
        lookup(&self.names.scores, names, name).map(ScoreId::new)
    }

    pub fn event(&self, id: EventId) -> &EventInfo {
        &self.events[id.index()]
    }

    pub fn template(&self, id: TemplateId) -> &str {
        &self.templates[id.index()]
    }

    /// The event called `event` and its `template` field (for `clicked`
    /// and `opened`), when declared.
    pub fn template_event(&self, event: &str) -> Option<(EventId, EventFieldId)> {
        let e = self.event_id(event)?;
        Some((e, self.event(e).field("template")?))
    }
}
