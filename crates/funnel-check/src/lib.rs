//! Funnel's checker: resolves names, infers and checks types, lints, and
//! produces every diagnostic of a playbook in one run, plus the checked
//! [`Program`] that the engine executes when there are no errors.
//!
//! Pipeline position: `funnel-syntax` AST → [`check`] → [`Program`] (the
//! AST and its typed program, [`hir::Hir`]) → `funnel-engine`, which lowers
//! only the typed program.
//! Architecture invariant: the checker never stops at the first error, and
//! one mistake gives one diagnostic (types become `Ty::Error` after an error).
//!
//! Code map: `scope` builds the symbol tables (duplicates); `settings`,
//! `calendar`, `stages`, `scores`, `nurtures`, `kpis` (and `kpi_funcs`) and
//! `tests_decl` check one kind of declaration each; `schedule` is the one cron
//! implementation; `infer` types conditions (`compare` their comparisons;
//! `oriented` reads comparisons from their named side); `lints` warns about
//! unused declarations; `diagnostics` holds every diagnostic constructor;
//! `render` turns diagnostics into text for people and positions for tools;
//! `hir` is the typed program assembled after a playbook checks cleanly.

mod calendar;
mod checker;
mod collect;
mod compare;
mod diagnostics;
pub mod hir;
mod infer;
mod kpi_funcs;
mod kpis;
mod lints;
mod nurtures;
mod oriented;
pub mod program;
pub mod render;
pub mod schedule;
mod scope;
mod scores;
mod settings;
mod stages;
pub mod suggest;
mod tests_decl;
pub mod types;

pub use hir::{CalendarInfo, EventInfo, Field, Hir, InputInfo, StageInfo};
pub use program::Program;
pub use schedule::Cron;
pub use types::{FieldTy, Ty};

use funnel_syntax::Diagnostic;

/// The outcome of checking one playbook.
#[derive(Debug)]
pub struct Checked {
    /// Every diagnostic, errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The checked program; `None` when any diagnostic is an error.
    pub program: Option<Program>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Parse and check a playbook's text.
pub fn check_source(text: &str) -> Checked {
    check_source_threads(text, 1)
}

/// [`check_source`], parsing a large text on up to `threads` threads (the
/// result is the same for any number; see `funnel_syntax::chunks`).
pub fn check_source_threads(text: &str, threads: usize) -> Checked {
    match funnel_syntax::parse_parallel(text, threads) {
        Ok(ast) => check(ast),
        Err(d) => Checked {
            diagnostics: vec![d],
            program: None,
        },
    }
}

/// Check a parsed playbook.
pub fn check(ast: funnel_syntax::ast::Playbook) -> Checked {
    let (mut diagnostics, facts, calendars, crons, rounds, resolved, types) = {
        let mut cx = checker::Checker::new(&ast);
        cx.check_settings();
        let calendars = cx.check_calendars();
        cx.check_stages();
        cx.check_scores();
        cx.check_nurtures();
        let facts = cx.check_kpis();
        cx.check_tests(&facts.types);
        cx.lint_unused();
        (
            cx.diags,
            facts,
            calendars,
            cx.crons,
            cx.rounds,
            cx.resolved,
            cx.types,
        )
    };
    sort_diagnostics(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked {
            diagnostics,
            program: None,
        };
    }
    let hir = hir::assemble(
        &ast,
        hir::Parts {
            calendars,
            crons,
            rounds,
            kpi_order: facts.order,
            kpi_types: facts.types,
            resolved,
            types,
        },
    );
    let program = Program { ast, hir };
    Checked {
        diagnostics,
        program: Some(program),
    }
}

/// Source order (by primary span), then code; exact repeats removed.
fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        let (sa, sb) = (a.primary_span(), b.primary_span());
        (sa.start, sa.end, a.code, &a.message).cmp(&(sb.start, sb.end, b.code, &b.message))
    });
    diags.dedup();
}
