//! Lowering: pest pairs of `grammar/funnel.pest` into the owned AST.
//!
//! One `lower_<rule>` function per grammar rule, grouped by meaning in the
//! modules below (declarations, steps, tests, shared clauses, expressions,
//! literals; `pairs` holds what they share). The grammar has already accepted
//! the text, so the shape of each pair is known; where a pair is not what the
//! grammar promises (a grammar/lowering mismatch, i.e. our bug) the functions
//! return [`Bug`] instead of panicking, and the caller turns it into an
//! internal-error diagnostic.

mod clauses;
mod decls;
mod expr;
mod literals;
mod pairs;
mod steps;
mod test_decls;

use pest::iterators::Pair;

use crate::ast::Playbook;
use crate::grammar::Rule;

use decls::lower_declaration;
pub use pairs::Bug;
use pairs::{span, R};

pub fn lower_file(p: Pair<'_, Rule>) -> R<Playbook> {
    let sp = span(&p);
    let mut decls = Vec::new();
    for d in p.into_inner() {
        if d.as_rule() == Rule::EOI {
            continue;
        }
        decls.push(lower_declaration(d)?);
    }
    Ok(Playbook { decls, span: sp })
}
