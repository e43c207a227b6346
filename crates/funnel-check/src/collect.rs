//! The type a declared type expression names (`number`, `one of a | b`,
//! `text?`), for the symbol tables and the typed program alike.

use funnel_syntax::ast::*;

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
