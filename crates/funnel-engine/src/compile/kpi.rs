//! Lowering the typed program's KPIs ([`funnel_check::hir::Kpi`]) into
//! [`KpiDef`]s: the formula trees as they are, and each KPI keeps the type the
//! checker reported and its target's decoded value with the target's text.

use super::Lowerer;
use crate::kpi::{KTy, KpiDef};

/// Every KPI of the program, in source order.
pub(crate) fn lower(l: &Lowerer<'_>) -> Vec<KpiDef> {
    l.hir
        .kpis
        .iter()
        .map(|k| KpiDef {
            name: k.name.clone(),
            expr: k.expr.clone(),
            by: k.by.clone(),
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
