//! The one analysis of what a playbook reads, on the typed program:
//!
//! - which event types it names (a trigger, a `wait … for`, a KPI
//!   aggregate, `clicked`/`opened`; `on any event` names none), which lead
//!   fields and which event fields it reads (conditions, `where` filters,
//!   `set` values, notify messages, KPI aggregates and `by` keys, the
//!   `template` of clicks and opens), and which lead fields `set` writes.
//!   `funnel run` keeps the text of what is read or written (and decodes the
//!   rest only to report bad cells); `funnel plan` checks that what each
//!   playbook reads is in the data the other one accepted.
//! - what each condition depends on ([`deps`]): the bits the replay uses to
//!   skip a `when` condition none of whose inputs changed.

use super::expr::{Expr, ExprKind};
use super::ids::{EventFieldId, EventId, LeadFieldId, ScoreId};
use super::kpi::{ByKey, KExpr, Source};
use super::visit::{walk_expr, walk_hir, walk_kexpr, Visitor};
use super::Hir;

/// Per declaration: whether the playbook reads (or writes) it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// Per event type: named by something.
    pub events: Vec<bool>,
    /// Per lead field: read.
    pub lead: Vec<bool>,
    /// Per event type, per field: read.
    pub event_fields: Vec<Vec<bool>>,
    /// Per lead field: written by a `set` step.
    pub written: Vec<bool>,
}

impl Reads {
    /// What `hir` reads.
    pub fn of(hir: &Hir) -> Reads {
        let mut r = Walk {
            hir,
            reads: Reads {
                events: vec![false; hir.events.len()],
                lead: vec![false; hir.lead_fields.len()],
                event_fields: hir
                    .events
                    .iter()
                    .map(|e| vec![false; e.fields.len()])
                    .collect(),
                written: vec![false; hir.lead_fields.len()],
            },
        };
        walk_hir(&mut r, hir);
        for k in &hir.kpis {
            for key in &k.by {
                if let ByKey::LeadField(f) = key {
                    r.lead(*f);
                }
            }
        }
        r.reads
    }

    /// Whether lead field `f` is read.
    pub fn lead_read(&self, f: LeadFieldId) -> bool {
        self.lead.get(f.index()).copied().unwrap_or(false)
    }
}

struct Walk<'h> {
    hir: &'h Hir,
    reads: Reads,
}

impl Walk<'_> {
    fn lead(&mut self, f: LeadFieldId) {
        if let Some(r) = self.reads.lead.get_mut(f.index()) {
            *r = true;
        }
    }

    fn event_field(&mut self, e: EventId, f: EventFieldId) {
        self.event_named(e);
        if let Some(r) = self
            .reads
            .event_fields
            .get_mut(e.index())
            .and_then(|fs| fs.get_mut(f.index()))
        {
            *r = true;
        }
    }

    fn event_named(&mut self, e: EventId) {
        if let Some(r) = self.reads.events.get_mut(e.index()) {
            *r = true;
        }
    }

    fn template_of(&mut self, event: &str) {
        if let Some((e, f)) = self.hir.template_event(event) {
            self.event_field(e, f);
        }
    }
}

impl Visitor for Walk<'_> {
    fn expr(&mut self, e: &Expr, scope: Option<EventId>) {
        match &e.kind {
            ExprKind::LeadField(f) => self.lead(*f),
            ExprKind::EventField(f) => {
                if let Some(ev) = scope {
                    self.event_field(ev, *f);
                }
            }
            ExprKind::Clicked(_) => self.template_of("email_click"),
            ExprKind::Opened(_) => self.template_of("email_open"),
            _ => {}
        }
        walk_expr(self, e, scope);
    }

    fn event(&mut self, event: EventId) {
        self.event_named(event);
    }

    fn shown(&mut self, field: LeadFieldId) {
        self.lead(field);
    }

    fn written(&mut self, field: LeadFieldId) {
        if let Some(w) = self.reads.written.get_mut(field.index()) {
            *w = true;
        }
    }

    fn kexpr(&mut self, e: &KExpr, by: &[ByKey]) {
        match e {
            KExpr::Agg(_, Source::Events { event, field }) => {
                self.event_named(*event);
                if let Some(f) = field {
                    self.event_field(*event, *f);
                }
                for key in by {
                    if let ByKey::EventField(name) = key {
                        if let Some(f) = self.hir.event(*event).field(name) {
                            self.event_field(*event, f);
                        }
                    }
                }
            }
            KExpr::CountGroups(keys, _) => {
                for key in keys {
                    if let ByKey::LeadField(f) = key {
                        self.lead(*f);
                    }
                }
            }
            _ => {}
        }
        walk_kexpr(self, e, by);
    }
}

/// What a condition reads, as bits: [`DEP_LEAD`] (any lead field),
/// [`DEP_STAGE`], [`DEP_CLICKS`] (clicked/opened templates) and one bit per
/// score ([`dep_score`]). A condition whose bits did not change since it was
/// last evaluated has the same value, so the replay skips it.
pub type Deps = u64;

pub const DEP_LEAD: Deps = 1;
pub const DEP_STAGE: Deps = 1 << 1;
pub const DEP_CLICKS: Deps = 1 << 2;
/// Every bit: a lead's first event evaluates every condition.
pub const DEP_ALL: Deps = u64::MAX;

/// The bit of score `i` (scores past the 61st share the last bit).
#[inline]
pub fn dep_score(i: ScoreId) -> Deps {
    1 << (3 + u32::from(i.0).min(60))
}

/// The bits a condition reads.
pub fn deps(e: &Expr) -> Deps {
    struct Bits(Deps);
    impl Visitor for Bits {
        fn expr(&mut self, e: &Expr, scope: Option<EventId>) {
            self.0 |= match &e.kind {
                ExprKind::LeadField(_) => DEP_LEAD,
                ExprKind::Score(i) => dep_score(*i),
                ExprKind::Stage { .. } => DEP_STAGE,
                ExprKind::Clicked(_) | ExprKind::Opened(_) => DEP_CLICKS,
                _ => 0,
            };
            walk_expr(self, e, scope);
        }
    }
    let mut b = Bits(0);
    b.expr(e, None);
    b.0
}
