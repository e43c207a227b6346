//! Assembling nurtures: enrollment and exit triggers, re-enrollment, the
//! `send within` calendar, and the steps with their conditions resolved,
//! durations decoded, cron schedules taken from the checker and `notify`
//! messages split into text and references.

use funnel_syntax::ast::{self, NurtureItem, StepKind as A};

use super::Assembler;
use crate::hir::ids::{CalendarId, LeadFieldId};
use crate::hir::nurture::{Nurture, Piece, Reenroll, Step, StepKind};

impl Assembler<'_> {
    pub(super) fn nurture(&mut self, n: &ast::NurtureDecl) -> Nurture {
        let mut def = Nurture {
            name: n.name.name.clone(),
            enroll: None,
            reenroll: Reenroll::Never,
            exits: Vec::new(),
            send_within: None,
            steps: Vec::new(),
            span: n.span,
        };
        for item in &n.items {
            match item {
                NurtureItem::Enroll(t, span) => def.enroll = Some((self.trigger(t), *span)),
                NurtureItem::Reenroll(r, _) => {
                    def.reenroll = match r {
                        ast::Reenroll::After(d) => Reenroll::After(self.dec.duration(d)),
                        ast::Reenroll::Never(_) => Reenroll::Never,
                        ast::Reenroll::Always(_) => Reenroll::Always,
                    };
                }
                NurtureItem::Exit(t, span) => {
                    let t = self.trigger(t);
                    def.exits.push((t, *span));
                }
                NurtureItem::SendWithin(cal, _) => {
                    def.send_within = self
                        .hir
                        .calendars
                        .iter()
                        .position(|c| c.name == cal.name)
                        .map(CalendarId::new);
                }
                NurtureItem::Step(s) => {
                    if let Some(s) = self.step(s) {
                        def.steps.push(s);
                    }
                }
            }
        }
        def
    }

    fn block(&mut self, steps: &[ast::Step]) -> Vec<Step> {
        steps.iter().filter_map(|s| self.step(s)).collect()
    }

    fn step(&mut self, s: &ast::Step) -> Option<Step> {
        let kind = match &s.kind {
            A::Send { template, guard } => StepKind::Send {
                template: self.template(&template.value),
                guard: guard.as_ref().map(|g| self.expr(g, None)),
            },
            A::Wait(d) => StepKind::Wait(self.dec.duration(d)),
            A::WaitCron(e) => StepKind::WaitCron(Box::new(self.parts.crons.get(&e.span)?.clone())),
            A::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            } => {
                let ev = self.hir.event_id(&event.name)?;
                StepKind::WaitFor {
                    timeout: self.dec.duration(timeout),
                    event: ev,
                    filter: filter.as_ref().map(|f| self.expr(f, Some(ev))),
                    otherwise: otherwise
                        .as_deref()
                        .map_or_else(Vec::new, |o| self.block(o)),
                }
            }
            A::If {
                cond,
                then,
                otherwise,
            } => StepKind::If {
                cond: self.expr(cond, None),
                then: self.block(then),
                otherwise: otherwise
                    .as_deref()
                    .map_or_else(Vec::new, |o| self.block(o)),
            },
            A::Split { arms, otherwise } => StepKind::Split {
                arms: arms
                    .iter()
                    .map(|a| (a.percent.value, self.block(&a.steps)))
                    .collect(),
                otherwise: otherwise
                    .as_deref()
                    .map_or_else(Vec::new, |o| self.block(o)),
            },
            A::Notify {
                channel,
                message,
                guard,
            } => StepKind::Notify {
                channel: channel.name.clone(),
                message: self.pieces(&message.value),
                guard: guard.as_ref().map(|g| self.expr(g, None)),
            },
            A::Set {
                field,
                value,
                guard,
            } => {
                let f = self.hir.lead_field_id(&field.name)?;
                let ty = self.hir.lead_fields[f.index()].ty.ty.clone();
                StepKind::Set {
                    field: f,
                    value: self.operand(value, &ty, None),
                    guard: guard.as_ref().map(|g| self.expr(g, None)),
                }
            }
        };
        Some(Step { kind, span: s.span })
    }

    /// Split `"Hot lead {email}: {engagement}"` into text and references
    /// (`{id}`, `{stage}`, a lead field, then a score; anything else stays text).
    fn pieces(&self, msg: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut rest = msg;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            if open > 0 {
                out.push(Piece::Text(rest[..open].to_string()));
            }
            let name = rest[open + 1..close].trim();
            let piece = if name == "id" {
                Piece::Id
            } else if name == "stage" {
                Piece::Stage
            } else if let Some(i) = self.hir.lead_fields.iter().position(|f| f.name == name) {
                Piece::LeadField(LeadFieldId::new(i))
            } else if let Some(i) = self.hir.score_id(name) {
                Piece::Score(i)
            } else {
                Piece::Text(rest[open..=close].to_string())
            };
            out.push(piece);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            out.push(Piece::Text(rest.to_string()));
        }
        out
    }
}
