//! Collect declarations into the [`Program`]'s tables (lead fields, events,
//! stages, scores, inputs, KPIs) without judging them; the checks run over
//! the same tables and report what is wrong.

use funnel_syntax::ast::*;

use crate::program::{EventInfo, Field, InputInfo, KpiInfo, Program, StageInfo};
use crate::types::{FieldTy, Ty};

/// The type a declared type expression names; `Error` for an unknown name.
pub fn field_ty(t: &TypeExpr) -> FieldTy {
    let ty = match &t.kind {
        TypeKind::OneOf(vs) => Ty::Enum(vs.iter().map(|v| v.name.clone()).collect()),
        TypeKind::Named(n) => match n.name.as_str() {
            "number" => Ty::Number,
            "money" => Ty::Money,
            "percent" => Ty::Percent,
            "duration" => Ty::Duration,
            "date" => Ty::Date,
            "datetime" => Ty::DateTime,
            "text" => Ty::Text,
            "bool" => Ty::Bool,
            _ => Ty::Error,
        },
    };
    FieldTy {
        ty,
        optional: t.optional,
    }
}

fn fields(decls: &[FieldDecl]) -> Vec<Field> {
    decls
        .iter()
        .map(|f| Field {
            name: f.name.name.clone(),
            ty: field_ty(&f.ty),
            span: f.span,
        })
        .collect()
}

/// Build the program tables from the AST. KPI types start as `Number` and
/// KPIs in source order; the KPI checks refine both.
pub fn collect(ast: Playbook) -> Program {
    let mut p = Program {
        ast: Playbook {
            decls: Vec::new(),
            span: ast.span,
        },
        name: None,
        timezone: chrono_tz::Tz::UTC,
        currency: "USD".to_string(),
        lead_fields: Vec::new(),
        events: Vec::new(),
        stages: Vec::new(),
        scores: Vec::new(),
        inputs: Vec::new(),
        kpis: Vec::new(),
        calendars: Vec::new(),
        crons: Default::default(),
        rounds: Default::default(),
    };
    let mut kpi_index = 0;
    for d in &ast.decls {
        match d {
            Decl::Playbook(s, _) => p.name = Some(s.value.clone()),
            Decl::Timezone(s, _) => {
                if let Ok(tz) = s.value.parse::<chrono_tz::Tz>() {
                    p.timezone = tz;
                }
            }
            Decl::Currency(s, _) => p.currency = s.value.clone(),
            Decl::Lead(l) => p.lead_fields.extend(fields(&l.fields)),
            Decl::Event(e) => p.events.push(EventInfo {
                name: e.name.name.clone(),
                fields: fields(&e.fields),
                span: e.span,
            }),
            Decl::Funnel(f) => {
                for item in &f.items {
                    if let FunnelItem::Stage(s) = item {
                        p.stages.push(StageInfo {
                            name: s.name.name.clone(),
                            lost: s.lost,
                            span: s.span,
                        });
                    }
                }
            }
            Decl::Score(s) => p.scores.push(s.name.name.clone()),
            Decl::Input(i) => p.inputs.push(InputInfo {
                name: i.name.name.clone(),
                ty: field_ty(&i.ty),
                span: i.span,
            }),
            Decl::Kpi(k) => {
                p.kpis.push(KpiInfo {
                    name: k.name.name.clone(),
                    ty: Ty::Number,
                    decl_index: kpi_index,
                    span: k.span,
                });
                kpi_index += 1;
            }
            Decl::Calendar(_)
            | Decl::Nurture(_)
            | Decl::Limit(_)
            | Decl::Target(_)
            | Decl::Test(_) => {}
        }
    }
    p.ast = ast;
    p
}
