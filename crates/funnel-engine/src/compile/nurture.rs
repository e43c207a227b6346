//! Lowering nurtures: enrollment and exit rules, and the steps laid out as
//! a flat instruction list. Blocks become forward jumps: `if` jumps to its
//! `else` part, each branch ends with a jump past the construct, and
//! `wait up to … for E else {…}` keeps its `else` block right after it, with
//! the place to continue at when E arrives in time.

use funnel_check::hir::{self, Step, StepKind};
use funnel_check::Cron;

use crate::eval::CExpr;
use crate::value::Sym;

use super::{Dur, Lowerer, Origin, Trig};

pub use funnel_check::hir::Reenroll;

/// One piece of a `notify` message.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    LeadField(u16),
    Score(u16),
    Id,
    Stage,
}

/// A nurture step as the replay runs it. `line` is the step's source line.
#[derive(Clone, Debug)]
pub enum Instr {
    Send {
        template: Sym,
        guard: Option<CExpr>,
        line: u32,
    },
    Wait {
        dur: Dur,
        line: u32,
    },
    WaitCron {
        cron: Box<Cron>,
        line: u32,
    },
    /// Suspend until `event` (matching `filter`) or the timeout; on the event
    /// continue at `skip_to`, on timeout at the next instruction (the `else`).
    WaitFor {
        dur: Dur,
        event: u16,
        filter: Option<CExpr>,
        skip_to: u32,
        line: u32,
    },
    If {
        cond: CExpr,
        else_pc: u32,
        line: u32,
    },
    Jump(u32),
    /// Arms take cumulative bucket ranges: bucket < `upper` (of 10,000).
    /// `ordinal` is the split's place among the nurture's splits in source
    /// order (1-based): with the nurture's name, what the bucket hashes.
    Split {
        arms: Vec<(u32, u32)>,
        else_pc: u32,
        ordinal: u32,
        line: u32,
    },
    Notify {
        channel: Sym,
        message: Vec<Piece>,
        guard: Option<CExpr>,
        line: u32,
    },
    Set {
        field: u16,
        value: CExpr,
        guard: Option<CExpr>,
        line: u32,
    },
    End,
}

#[derive(Clone, Debug)]
pub struct NurtureDef {
    pub name: String,
    pub enroll: Option<(Trig, Origin)>,
    pub reenroll: Reenroll,
    pub exits: Vec<(Trig, Origin)>,
    /// Index of the `send within` calendar.
    pub send_within: Option<u16>,
    pub code: Vec<Instr>,
}

impl Lowerer<'_> {
    pub(crate) fn nurture(&mut self, n: &hir::Nurture) -> NurtureDef {
        let enroll = n
            .enroll
            .as_ref()
            .map(|(t, span)| (self.trigger(t), self.origin(*span)));
        let exits = n
            .exits
            .iter()
            .map(|(t, span)| (self.trigger(t), self.origin(*span)))
            .collect();
        let mut code = Vec::new();
        self.block(&n.steps, &mut code);
        code.push(Instr::End);
        // Steps are laid out in source order, so this numbers the splits
        // as they are written, whatever their lines.
        let mut splits = 0;
        for i in &mut code {
            if let Instr::Split { ordinal, .. } = i {
                splits += 1;
                *ordinal = splits;
            }
        }
        NurtureDef {
            name: n.name.clone(),
            enroll,
            reenroll: n.reenroll,
            exits,
            send_within: n.send_within.map(|c| c.0),
            code,
        }
    }

    fn block(&mut self, steps: &[Step], code: &mut Vec<Instr>) {
        for s in steps {
            self.step(s, code);
        }
    }

    fn guard(&mut self, g: &Option<hir::Expr>) -> Option<CExpr> {
        g.as_ref().map(|g| self.expr(g))
    }

    fn step(&mut self, s: &Step, code: &mut Vec<Instr>) {
        let line = self.line(s.span);
        match &s.kind {
            StepKind::Send { template, guard } => {
                let template = self.texts.intern(self.hir.template(*template));
                let guard = self.guard(guard);
                code.push(Instr::Send {
                    template,
                    guard,
                    line,
                });
            }
            StepKind::Wait(dur) => code.push(Instr::Wait { dur: *dur, line }),
            StepKind::WaitCron(cron) => code.push(Instr::WaitCron {
                cron: cron.clone(),
                line,
            }),
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            } => {
                let filter = self.guard(filter);
                let at = code.len();
                code.push(Instr::WaitFor {
                    dur: *timeout,
                    event: event.0,
                    filter,
                    skip_to: 0,
                    line,
                });
                self.block(otherwise, code);
                let end = pc(code.len());
                if let Some(Instr::WaitFor { skip_to, .. }) = code.get_mut(at) {
                    *skip_to = end;
                }
            }
            StepKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.expr(cond);
                let at = code.len();
                code.push(Instr::If {
                    cond,
                    else_pc: 0,
                    line,
                });
                self.block(then, code);
                let jump_at = code.len();
                code.push(Instr::Jump(0));
                let else_pc = pc(code.len());
                self.block(otherwise, code);
                let end = pc(code.len());
                if let Some(Instr::If { else_pc: e, .. }) = code.get_mut(at) {
                    *e = else_pc;
                }
                if let Some(Instr::Jump(j)) = code.get_mut(jump_at) {
                    *j = end;
                }
            }
            StepKind::Split { arms, otherwise } => {
                let at = code.len();
                code.push(Instr::Split {
                    arms: Vec::new(),
                    else_pc: 0,
                    ordinal: 0,
                    line,
                });
                let mut upper = 0u32;
                let mut ranges = Vec::new();
                let mut jumps = Vec::new();
                for (percent, steps) in arms {
                    upper = upper
                        .saturating_add((percent * 100.0).round() as u32)
                        .min(10_000);
                    ranges.push((upper, pc(code.len())));
                    self.block(steps, code);
                    jumps.push(code.len());
                    code.push(Instr::Jump(0));
                }
                let else_pc = pc(code.len());
                self.block(otherwise, code);
                let end = pc(code.len());
                for j in jumps {
                    if let Some(Instr::Jump(t)) = code.get_mut(j) {
                        *t = end;
                    }
                }
                if let Some(Instr::Split {
                    arms: a,
                    else_pc: e,
                    ..
                }) = code.get_mut(at)
                {
                    *a = ranges;
                    *e = else_pc;
                }
            }
            StepKind::Notify {
                channel,
                message,
                guard,
            } => {
                let message = message
                    .iter()
                    .map(|p| match p {
                        hir::Piece::Text(t) => Piece::Text(t.clone()),
                        hir::Piece::LeadField(f) => Piece::LeadField(f.0),
                        hir::Piece::Score(s) => Piece::Score(s.0),
                        hir::Piece::Id => Piece::Id,
                        hir::Piece::Stage => Piece::Stage,
                    })
                    .collect();
                let guard = self.guard(guard);
                code.push(Instr::Notify {
                    channel: self.texts.intern(channel),
                    message,
                    guard,
                    line,
                });
            }
            StepKind::Set {
                field,
                value,
                guard,
            } => {
                let value = self.expr(value);
                let guard = self.guard(guard);
                code.push(Instr::Set {
                    field: field.0,
                    value,
                    guard,
                    line,
                });
            }
        }
    }
}

fn pc(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
