//! Compiling nurtures: enrollment and exit rules, and the steps laid out as
//! a flat instruction list. Blocks become forward jumps: `if` jumps to its
//! `else` part, each branch ends with a jump past the construct, and
//! `wait up to … for E else {…}` keeps its `else` block right after it, with
//! the place to continue at when E arrives in time.

use funnel_syntax::ast::{NurtureDecl, NurtureItem, Reenroll as AstReenroll, Step, StepKind};

use crate::eval::CExpr;
use crate::value::Sym;
use funnel_check::Cron;

use super::{to_u16, Compiler, Dur, Origin, Trig};

/// Re-enrollment policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reenroll {
    /// Once per lead, ever (the default and `reenroll never`).
    Never,
    /// Again when this long has passed since the previous enrollment began.
    After(Dur),
    /// Whenever the lead is not enrolled.
    Always,
}

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
    Split {
        arms: Vec<(u32, u32)>,
        else_pc: u32,
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

impl Compiler<'_> {
    pub(crate) fn nurture(&mut self, n: &NurtureDecl) -> NurtureDef {
        let mut def = NurtureDef {
            name: n.name.name.clone(),
            enroll: None,
            reenroll: Reenroll::Never,
            exits: Vec::new(),
            send_within: None,
            code: Vec::new(),
        };
        let mut steps: Vec<&Step> = Vec::new();
        for item in &n.items {
            match item {
                NurtureItem::Enroll(t, span) => {
                    def.enroll = Some((self.trigger(t), self.origin(*span)));
                }
                NurtureItem::Reenroll(r, _) => {
                    def.reenroll = match r {
                        AstReenroll::After(d) => Reenroll::After(self.dur(d)),
                        AstReenroll::Never(_) => Reenroll::Never,
                        AstReenroll::Always(_) => Reenroll::Always,
                    };
                }
                NurtureItem::Exit(t, span) => {
                    let trig = self.trigger(t);
                    def.exits.push((trig, self.origin(*span)));
                }
                NurtureItem::SendWithin(cal, _) => {
                    let idx = self.program.ast.decls.iter().filter_map(|d| match d {
                        funnel_syntax::ast::Decl::Calendar(c) => Some(&c.name.name),
                        _ => None,
                    });
                    def.send_within = idx.into_iter().position(|c| *c == cal.name).map(to_u16);
                }
                NurtureItem::Step(s) => steps.push(s),
            }
        }
        let mut code = Vec::new();
        for s in steps {
            self.step(s, &mut code);
        }
        code.push(Instr::End);
        def.code = code;
        def
    }

    fn block(&mut self, steps: &[Step], code: &mut Vec<Instr>) {
        for s in steps {
            self.step(s, code);
        }
    }

    fn step(&mut self, s: &Step, code: &mut Vec<Instr>) {
        let line = self.line(s.span);
        match &s.kind {
            StepKind::Send { template, guard } => {
                let template = self.texts.intern(&template.value);
                let guard = guard.as_ref().map(|g| self.expr(g, None));
                code.push(Instr::Send {
                    template,
                    guard,
                    line,
                });
            }
            StepKind::Wait(d) => code.push(Instr::Wait {
                dur: self.dur(d),
                line,
            }),
            StepKind::WaitCron(e) => {
                // The checker parsed every cron literal of a checked program.
                let cron = self.program.cron(e.span).cloned();
                debug_assert!(cron.is_some(), "cron literal not in the checked program");
                if let Some(cron) = cron {
                    code.push(Instr::WaitCron {
                        cron: Box::new(cron),
                        line,
                    });
                }
            }
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            } => {
                let ev = self
                    .program
                    .events
                    .iter()
                    .position(|e| e.name == event.name);
                let filter = filter.as_ref().map(|f| self.expr(f, ev));
                let at = code.len();
                code.push(Instr::WaitFor {
                    dur: self.dur(timeout),
                    event: ev.map_or(u16::MAX, to_u16),
                    filter,
                    skip_to: 0,
                    line,
                });
                if let Some(o) = otherwise {
                    self.block(o, code);
                }
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
                let cond = self.expr(cond, None);
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
                if let Some(o) = otherwise {
                    self.block(o, code);
                }
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
                    line,
                });
                let mut upper = 0u32;
                let mut ranges = Vec::new();
                let mut jumps = Vec::new();
                for arm in arms {
                    upper = upper
                        .saturating_add((arm.percent.value * 100.0).round() as u32)
                        .min(10_000);
                    ranges.push((upper, pc(code.len())));
                    self.block(&arm.steps, code);
                    jumps.push(code.len());
                    code.push(Instr::Jump(0));
                }
                let else_pc = pc(code.len());
                if let Some(o) = otherwise {
                    self.block(o, code);
                }
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
                let message = self.pieces(&message.value);
                let guard = guard.as_ref().map(|g| self.expr(g, None));
                code.push(Instr::Notify {
                    channel: self.texts.intern(&channel.name),
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
                let Some(f) = self
                    .program
                    .lead_fields
                    .iter()
                    .position(|x| x.name == field.name)
                else {
                    return;
                };
                let value = self.expr(value, None);
                let guard = guard.as_ref().map(|g| self.expr(g, None));
                code.push(Instr::Set {
                    field: to_u16(f),
                    value,
                    guard,
                    line,
                });
            }
        }
    }

    /// Split `"Hot lead {email}: {engagement}"` into text and references.
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
            let p = &self.program;
            let piece = if name == "id" {
                Piece::Id
            } else if name == "stage" {
                Piece::Stage
            } else if let Some(i) = p.lead_fields.iter().position(|f| f.name == name) {
                Piece::LeadField(to_u16(i))
            } else if let Some(i) = p.score_index(name) {
                Piece::Score(to_u16(i))
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

fn pc(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
