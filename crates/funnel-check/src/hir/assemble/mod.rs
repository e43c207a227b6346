//! Assembling the typed program from a playbook that checked without
//! errors: the tables first (fields, events, stages in funnel order,
//! scores, inputs, KPIs), then every declaration with its names turned into
//! ids (`expr.rs` for conditions, `nurture.rs` for steps, `kpi.rs` for
//! formulas) and its literals decoded by [`super::lit::Decoder`]. What a
//! name in a condition is, and each condition's type, are the checker's
//! own decisions ([`Parts::resolved`], [`Parts::types`]), recorded while
//! it checked; assembly only looks up the id.
//!
//! Assembly is total: it reports nothing, because the checker has already
//! reported everything; what a checked playbook cannot contain is skipped.

mod expr;
mod kpi;
mod nurture;

use std::collections::{BTreeMap, HashMap};

use funnel_syntax::ast::{self, Decl, FunnelItem, Modifier, ScoreItem};
use funnel_syntax::Span;

use super::decl::{
    CalendarInfo, Decay, EventInfo, Field, InputInfo, Limit, Rule, Score, Sla, StageInfo, Threshold,
};
use super::ids::{KpiId, StageId, TemplateId};
use super::lit::Decoder;
use super::Hir;
use crate::checker::Resolved;
use crate::collect::field_ty;
use crate::schedule::Cron;
use crate::types::Ty;

/// What the checker's passes found that assembly needs.
pub(crate) struct Parts {
    /// The valid calendars, in declaration order.
    pub calendars: Vec<CalendarInfo>,
    /// Every cron literal's schedule, by the span of the literal.
    pub crons: BTreeMap<Span, Cron>,
    /// The type each `round(x)` rounds, by the span of `x`.
    pub rounds: BTreeMap<Span, Ty>,
    /// KPI indices (source order) in dependency order.
    pub kpi_order: Vec<usize>,
    /// Each KPI's type, in source order.
    pub kpi_types: Vec<Ty>,
    /// What the checker resolved each bare name in a condition to.
    pub resolved: HashMap<Span, Resolved>,
    /// The type the checker inferred for each condition expression.
    pub types: HashMap<Span, Ty>,
}

/// Builds the [`Hir`]; the parts of it built so far are the scope later
/// declarations resolve against.
pub(super) struct Assembler<'a> {
    pub hir: Hir,
    pub dec: Decoder,
    pub parts: &'a Parts,
    /// KPI and input names to their index (KPIs first: a KPI's name wins).
    pub values: std::collections::HashMap<String, KExprRef>,
    /// Template names to their id, as the table grows.
    pub template_ids: std::collections::HashMap<String, TemplateId>,
}

/// What a bare name in a KPI formula refers to.
#[derive(Clone, Copy, Debug)]
pub(super) enum KExprRef {
    Kpi(usize),
    Input(usize),
}

/// Assemble the typed program of a checked playbook.
pub(crate) fn assemble(ast: &ast::Playbook, parts: Parts) -> Hir {
    let mut a = Assembler::tables(ast, &parts);
    a.declarations(ast);
    a.hir.kpis = kpi::kpis(&mut a, ast);
    a.hir.kpi_order = parts.kpi_order.iter().map(|&k| KpiId::new(k)).collect();
    a.hir
}

fn fields(decls: &[ast::FieldDecl]) -> Vec<Field> {
    decls
        .iter()
        .map(|f| Field {
            name: f.name.name.clone(),
            ty: field_ty(&f.ty),
            span: f.span,
        })
        .collect()
}

impl<'a> Assembler<'a> {
    /// The tables every reference resolves against.
    fn tables(ast: &ast::Playbook, parts: &'a Parts) -> Assembler<'a> {
        let mut hir = Hir {
            name: None,
            timezone: chrono_tz::Tz::UTC,
            currency: "USD".to_string(),
            lead_fields: Vec::new(),
            events: Vec::new(),
            stages: Vec::new(),
            slas: Vec::new(),
            scores: Vec::new(),
            inputs: Vec::new(),
            calendars: parts.calendars.clone(),
            nurtures: Vec::new(),
            kpis: Vec::new(),
            kpi_order: Vec::new(),
            templates: Vec::new(),
            limit: None,
            names: Default::default(),
        };
        let mut kpi_names = Vec::new();
        let mut rank = 0;
        for d in &ast.decls {
            match d {
                Decl::Playbook(s, _) => hir.name = Some(s.value.clone()),
                Decl::Timezone(s, _) => {
                    if let Ok(tz) = s.value.parse::<chrono_tz::Tz>() {
                        hir.timezone = tz;
                    }
                }
                Decl::Currency(s, _) => hir.currency = s.value.clone(),
                Decl::Lead(l) => hir.lead_fields.extend(fields(&l.fields)),
                Decl::Event(e) => hir.events.push(EventInfo {
                    name: e.name.name.clone(),
                    fields: fields(&e.fields),
                    span: e.span,
                }),
                Decl::Funnel(f) => {
                    for item in &f.items {
                        if let FunnelItem::Stage(s) = item {
                            hir.stages.push(StageInfo {
                                name: s.name.name.clone(),
                                lost: s.lost,
                                rank: if s.lost { -1 } else { rank },
                                trigger: None,
                                thresholds: Vec::new(),
                                span: s.span,
                            });
                            rank += i32::from(!s.lost);
                        }
                    }
                }
                Decl::Score(s) => hir.scores.push(Score {
                    name: s.name.name.clone(),
                    floor: None,
                    cap: None,
                    decay: None,
                    rules: Vec::new(),
                    span: s.span,
                }),
                Decl::Input(i) => hir.inputs.push(InputInfo {
                    name: i.name.name.clone(),
                    ty: field_ty(&i.ty),
                    default: None,
                    span: i.span,
                }),
                Decl::Kpi(k) => kpi_names.push(k.name.name.clone()),
                Decl::Calendar(_)
                | Decl::Nurture(_)
                | Decl::Limit(_)
                | Decl::Target(_)
                | Decl::Test(_) => {}
            }
        }
        let dec = Decoder {
            tz: hir.timezone,
            daily_span: parts.calendars.first().map_or(86_400, |c| c.daily_span()),
        };
        let mut values = std::collections::HashMap::new();
        for (i, x) in hir.inputs.iter().enumerate().rev() {
            values.insert(x.name.clone(), KExprRef::Input(i));
        }
        for (i, k) in kpi_names.iter().enumerate().rev() {
            values.insert(k.clone(), KExprRef::Kpi(i));
        }
        Assembler {
            hir,
            dec,
            parts,
            values,
            template_ids: std::collections::HashMap::new(),
        }
    }

    /// Everything but KPIs and targets, in source order.
    fn declarations(&mut self, ast: &ast::Playbook) {
        let mut stage = 0;
        for d in &ast.decls {
            match d {
                Decl::Funnel(f) => {
                    for item in &f.items {
                        match item {
                            FunnelItem::Stage(s) => {
                                let trigger = s.trigger.as_ref().map(|t| self.trigger(t));
                                if let Some(st) = self.hir.stages.get_mut(stage) {
                                    st.trigger = trigger;
                                }
                                stage += 1;
                            }
                            FunnelItem::Sla(s) => {
                                let (Some(from), Some(to)) = (
                                    self.hir.stage_id(&s.from.name),
                                    self.hir.stage_id(&s.to.name),
                                ) else {
                                    continue;
                                };
                                let within = self.dec.duration(&s.within);
                                self.hir.slas.push(Sla {
                                    from,
                                    to,
                                    within,
                                    span: s.span,
                                });
                            }
                        }
                    }
                }
                Decl::Score(s) => self.score(s),
                Decl::Nurture(n) => {
                    let n = self.nurture(n);
                    self.hir.nurtures.push(n);
                }
                Decl::Limit(l) => {
                    self.hir.limit = Some(Limit {
                        count: l.count.value,
                        window: self.dec.duration(&l.window),
                    });
                }
                Decl::Input(i) => {
                    let at = match self.values.get(&i.name.name) {
                        Some(KExprRef::Input(at)) => Some(*at),
                        _ => self.hir.inputs.iter().position(|x| x.name == i.name.name),
                    };
                    if let Some(input) = at.and_then(|at| self.hir.inputs.get_mut(at)) {
                        input.default = i
                            .default
                            .as_ref()
                            .and_then(|e| self.dec.constant(e, &input.ty.ty));
                    }
                }
                _ => {}
            }
        }
    }

    fn score(&mut self, s: &ast::ScoreDecl) {
        let Some(id) = self.hir.score_id(&s.name.name) else {
            return;
        };
        let mut def = Score {
            name: s.name.name.clone(),
            floor: None,
            cap: None,
            decay: None,
            rules: Vec::new(),
            span: s.span,
        };
        for item in &s.items {
            match item {
                ScoreItem::Floor(n, _) => def.floor = Some(n.value),
                ScoreItem::Cap(n, _) => def.cap = Some(n.value),
                ScoreItem::Decay(dr) => {
                    def.decay = Some(Decay {
                        percent: dr.percent.value,
                        every: self.dec.duration(&dr.every),
                        inactive: dr.inactive,
                        span: dr.span,
                    })
                }
                ScoreItem::Threshold(stage, n, span) => {
                    if let Some(st) = self.stage_mut(&stage.name) {
                        st.thresholds.push(Threshold {
                            score: id,
                            points: n.value,
                            span: *span,
                        });
                    }
                }
                ScoreItem::Rule(r) => {
                    let rule = self.rule(r);
                    def.rules.push(rule);
                }
            }
        }
        if let Some(slot) = self.hir.scores.get_mut(id.index()) {
            *slot = def;
        }
    }

    fn rule(&mut self, r: &ast::PointsRule) -> Rule {
        let mut rule = Rule {
            points: r.points.value,
            trigger: self.trigger(&r.trigger),
            once: false,
            once_per: None,
            max_per: None,
            span: r.span,
        };
        for m in &r.modifiers {
            match m {
                Modifier::Once(_) => rule.once = true,
                Modifier::OncePer(d, _) => rule.once_per = Some(self.dec.duration(d)),
                Modifier::MaxPer(n, d, _) => {
                    rule.max_per = Some((n.value, self.dec.duration(d)));
                }
            }
        }
        rule
    }

    fn stage_mut(&mut self, name: &str) -> Option<&mut StageInfo> {
        let id: StageId = self.hir.stage_id(name)?;
        self.hir.stages.get_mut(id.index())
    }

    /// The id of a template, added to the table at its first mention.
    pub fn template(&mut self, name: &str) -> TemplateId {
        if let Some(&id) = self.template_ids.get(name) {
            return id;
        }
        self.hir.templates.push(name.to_string());
        let id = TemplateId::new(self.hir.templates.len() - 1);
        self.template_ids.insert(name.to_string(), id);
        id
    }
}
