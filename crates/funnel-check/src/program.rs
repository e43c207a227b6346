//! The checked program: the AST (for the formatter, the language server and
//! spans) and the typed program ([`Hir`]) that the engine lowers.
//!
//! A [`Program`] exists only for a playbook with no errors, so the engine may
//! assume every name resolves and every type agrees.

use funnel_syntax::ast::Playbook;

use crate::hir::{CalendarInfo, EventInfo, Field, Hir, InputInfo, Kpi, ScoreId, StageId};

#[derive(Clone, Debug)]
pub struct Program {
    pub ast: Playbook,
    pub hir: Hir,
}

impl Program {
    pub fn event(&self, name: &str) -> Option<&EventInfo> {
        self.hir.events.iter().find(|e| e.name == name)
    }

    pub fn lead_field(&self, name: &str) -> Option<&Field> {
        self.hir.lead_fields.iter().find(|f| f.name == name)
    }

    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.hir.stage_id(name).map(StageId::index)
    }

    pub fn score_index(&self, name: &str) -> Option<usize> {
        self.hir.score_id(name).map(ScoreId::index)
    }

    pub fn kpi(&self, name: &str) -> Option<&Kpi> {
        self.hir.kpis.iter().find(|k| k.name == name)
    }

    pub fn calendar(&self, name: &str) -> Option<&CalendarInfo> {
        self.hir.calendars.iter().find(|c| c.name == name)
    }

    pub fn input(&self, name: &str) -> Option<&InputInfo> {
        self.hir.inputs.iter().find(|i| i.name == name)
    }
}
