//! Playbook-wide settings and data declarations: `playbook`, `timezone`,
//! `currency`, `limit sends`, the types of lead, event and input fields, and
//! input defaults.

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::checker::Checker;
use crate::diagnostics as d;
use crate::suggest::did_you_mean;
use crate::types::{eq_compatible, Ty};

const TYPE_NAMES: [&str; 8] = [
    "text", "number", "money", "percent", "duration", "date", "datetime", "bool",
];

impl<'a> Checker<'a> {
    pub fn check_settings(&mut self) {
        let ast = self.ast;
        let mut playbook: Option<Span> = None;
        let mut timezone: Option<Span> = None;
        let mut currency: Option<Span> = None;
        let mut limit: Option<Span> = None;
        for decl in &ast.decls {
            match decl {
                Decl::Playbook(_, span) => once(self, "playbook", &mut playbook, *span),
                Decl::Timezone(name, span) => {
                    once(self, "timezone", &mut timezone, *span);
                    if name.value.parse::<chrono_tz::Tz>().is_err() {
                        let s = zone_for_abbreviation(&name.value).or_else(|| {
                            did_you_mean(
                                &name.value,
                                chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
                            )
                        });
                        self.report(d::invalid_timezone(&name.value, name.span, s));
                    }
                }
                Decl::Currency(code, span) => {
                    once(self, "currency", &mut currency, *span);
                    let v = &code.value;
                    if v.len() != 3 || !v.chars().all(|c| c.is_ascii_uppercase()) {
                        self.report(d::invalid_currency(v, code.span));
                    }
                }
                Decl::Limit(l) => {
                    once(self, "limit sends", &mut limit, l.span);
                    let n = l.count.value;
                    if n < 1.0 || n.fract() != 0.0 {
                        self.report(d::invalid_limit(
                            l.count.span,
                            "the send limit",
                            "a whole number of at least 1",
                        ));
                    }
                    self.duration(&l.window, "the window of `limit sends`");
                }
                Decl::Lead(l) => self.field_types(&l.fields),
                Decl::Event(e) => self.field_types(&e.fields),
                Decl::Input(i) => self.input_decl(i),
                _ => {}
            }
        }
        if playbook.is_none() {
            let at = ast.decls.first().map_or(Span::default(), |d| {
                let s = d.span();
                Span {
                    start: s.start,
                    end: s.start,
                }
            });
            self.report(d::missing_playbook(at));
        }
    }

    fn field_types(&mut self, fields: &[FieldDecl]) {
        for f in fields {
            self.type_expr(&f.ty);
        }
    }

    /// Report unknown type names and repeated enumeration values.
    fn type_expr(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeKind::Named(n) => {
                if !TYPE_NAMES.contains(&n.name.as_str()) {
                    let s = alias(&n.name).or_else(|| did_you_mean(&n.name, TYPE_NAMES));
                    self.report(d::unknown_type(&n.name, n.span, s));
                }
            }
            TypeKind::OneOf(values) => {
                for (i, v) in values.iter().enumerate() {
                    if let Some(first) = values[..i].iter().find(|x| x.name == v.name) {
                        self.report(d::duplicate_definition(
                            "enumeration value",
                            &v.name,
                            v.span,
                            first.span,
                        ));
                    }
                }
            }
        }
    }

    fn input_decl(&mut self, i: &InputDecl) {
        self.type_expr(&i.ty);
        let ty = crate::collect::field_ty(&i.ty).ty;
        if !ty.is_numeric() && ty != Ty::Error {
            self.report(d::type_mismatch(
                format!("input `{}` cannot be a {ty}", i.name.name),
                i.ty.span,
                "not usable in kpi formulas".to_string(),
                "inputs are `number`, `money`, `percent` or `duration`".to_string(),
            ));
            return;
        }
        if let Some(default) = &i.default {
            if let Some(vt) = self.literal_value(default) {
                self.value_fits(&ty, &vt, default.span, &format!("input `{}`", i.name.name));
            }
        }
    }

    /// The type of a literal value (a literal, possibly negated); reports and
    /// returns `None` for anything else.
    pub fn literal_value(&mut self, e: &Expr) -> Option<Ty> {
        match &e.kind {
            ExprKind::Lit(l) => Some(self.literal(l)),
            ExprKind::Neg(x) | ExprKind::Paren(x) => {
                let t = self.literal_value(x)?;
                if t.is_numeric() {
                    Some(t)
                } else {
                    self.report(d::expected_literal(e.span));
                    None
                }
            }
            _ => {
                self.report(d::expected_literal(e.span));
                None
            }
        }
    }

    /// Report when a literal of type `vt` cannot be a value of type `want`.
    /// A plain number is accepted for money and for a duration in days.
    pub fn value_fits(&mut self, want: &Ty, vt: &Ty, span: Span, what: &str) {
        if *want == Ty::Error || *vt == Ty::Error {
            return;
        }
        let ok = eq_compatible(want, vt) || (*want == Ty::Duration && *vt == Ty::Number);
        if !ok {
            let help = match (want, vt) {
                (Ty::Percent, Ty::Number) => "write a percentage such as `25%`".to_string(),
                _ => format!("give a value of type {want}"),
            };
            self.report(d::type_mismatch(
                format!("expected {want} for {what}, found {vt}"),
                span,
                format!("this is {vt}"),
                help,
            ));
        }
    }
}

/// The Funnel type for a name other languages use.
fn alias(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "string" | "str" => "text",
        "int" | "integer" | "float" | "decimal" | "numeric" => "number",
        "boolean" => "bool",
        "currency" => "money",
        "timestamp" | "time" => "datetime",
        _ => return None,
    })
}

/// Record the first declaration of a setting; report any later one.
fn once(cx: &mut Checker<'_>, what: &str, first: &mut Option<Span>, span: Span) {
    match first {
        Some(f) => cx.report(d::duplicate_setting(what, span, *f)),
        None => *first = Some(span),
    }
}

/// The IANA zone people usually mean by a zone abbreviation (`PST` is
/// `America/Los_Angeles`, not the nearest name `EST`): the zone that uses it
/// in summer and winter alike.
fn zone_for_abbreviation(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "PST" | "PDT" | "PT" | "PACIFIC" => "America/Los_Angeles",
        "MST" | "MDT" | "MT" | "MOUNTAIN" => "America/Denver",
        "CST" | "CDT" | "CT" | "CENTRAL" => "America/Chicago",
        "EST" | "EDT" | "ET" | "EASTERN" => "America/New_York",
        "AKST" | "AKDT" => "America/Anchorage",
        "HST" => "Pacific/Honolulu",
        "BST" | "GMT+1" => "Europe/London",
        "IST" => "Asia/Kolkata",
        "CET" | "CEST" => "Europe/Berlin",
        "EET" | "EEST" => "Europe/Athens",
        "WET" | "WEST" => "Europe/Lisbon",
        "JST" => "Asia/Tokyo",
        "KST" => "Asia/Seoul",
        "SGT" => "Asia/Singapore",
        "HKT" => "Asia/Hong_Kong",
        "AEST" | "AEDT" => "Australia/Sydney",
        "ACST" | "ACDT" => "Australia/Adelaide",
        "AWST" => "Australia/Perth",
        "NZST" | "NZDT" => "Pacific/Auckland",
        "BRT" => "America/Sao_Paulo",
        "MSK" => "Europe/Moscow",
        _ => return None,
    })
}
