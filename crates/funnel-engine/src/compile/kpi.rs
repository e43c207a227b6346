//! Lowering the typed program's KPIs ([`funnel_check::hir::Kpi`]) into
//! [`KpiDef`]s: ids become positions, and each KPI keeps the type the
//! checker reported and its target's decoded value with the target's text.

use funnel_check::hir::{ByKey as HBy, KCond as HCond, KExpr as HExpr, Source as HSource};

use super::Lowerer;
use crate::kpi::{ByKey, KCond, KExpr, KTy, KpiDef, Source};

/// Every KPI of the program, in source order.
pub(crate) fn lower(l: &Lowerer<'_>) -> Vec<KpiDef> {
    l.hir
        .kpis
        .iter()
        .map(|k| KpiDef {
            name: k.name.clone(),
            expr: kexpr(&k.expr),
            by: k.by.iter().map(by_key).collect(),
            by_names: k.by_names.clone(),
            ty: KTy::of(&k.ty),
            line: l.line(k.span),
            target: k.target.as_ref().map(|t| {
                let full = l.origin(t.span).text;
                let text = full
                    .strip_prefix("target")
                    .map(str::trim_start)
                    .and_then(|r| r.strip_prefix(k.name.as_str()))
                    .map_or(full.clone(), |r| r.trim().to_string());
                (t.op, t.value, text)
            }),
        })
        .collect()
}

fn by_key(k: &HBy) -> ByKey {
    match k {
        HBy::Period(p) => ByKey::Period(*p),
        HBy::LeadField(f) => ByKey::LeadField(f.0),
        HBy::EventField(name) => ByKey::EventField(name.clone()),
    }
}

fn kexpr(e: &HExpr) -> KExpr {
    let b = |x: &HExpr| Box::new(kexpr(x));
    match e {
        HExpr::Const(d) => KExpr::Const(*d),
        HExpr::Input(i) => KExpr::Input(i.0),
        HExpr::Kpi(k) => KExpr::Kpi(k.0),
        HExpr::Agg(f, s) => KExpr::Agg(*f, source(s)),
        HExpr::Neg(a) => KExpr::Neg(b(a)),
        HExpr::Arith(op, x, y) => KExpr::Arith(*op, b(x), b(y)),
        HExpr::Abs(a) => KExpr::Abs(b(a)),
        HExpr::Round(a, dp) => KExpr::Round(b(a), *dp),
        HExpr::Extreme(max, xs) => KExpr::Extreme(*max, xs.iter().map(kexpr).collect()),
        HExpr::Prev(a) => KExpr::Prev(b(a)),
        HExpr::CountGroups(keys, c) => {
            KExpr::CountGroups(keys.iter().map(by_key).collect(), Box::new(kcond(c)))
        }
        HExpr::Undefined => KExpr::Undefined,
    }
}

fn kcond(c: &HCond) -> KCond {
    match c {
        HCond::Compare(op, a, b) => KCond::Compare(*op, kexpr(a), kexpr(b)),
        HCond::And(a, b) => KCond::And(Box::new(kcond(a)), Box::new(kcond(b))),
        HCond::Or(a, b) => KCond::Or(Box::new(kcond(a)), Box::new(kcond(b))),
        HCond::Not(a) => KCond::Not(Box::new(kcond(a))),
    }
}

fn source(s: &HSource) -> Source {
    match s {
        HSource::Entered(x) => Source::Entered(x.0),
        HSource::Breached(x) => Source::Breached(x.0),
        HSource::Events { event, field } => Source::Events {
            event: event.0,
            field: field.map(|f| f.0),
        },
        HSource::Days { from, to } => Source::Days {
            from: from.0,
            to: to.0,
        },
        HSource::In { stage, edge } => Source::In {
            stage: stage.0,
            edge: *edge,
        },
    }
}
