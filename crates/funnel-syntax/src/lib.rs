//! Funnel's syntax layer: the pest grammar binding, the spanned AST, and the
//! diagnostic type shared by every phase.
//!
//! Pipeline position: text → [`parse`] → [`ast::Playbook`] → `funnel-check`.
//! This crate does no IO; nothing outside it sees pest types.

pub mod ast;
pub mod chunks;
pub mod diagnostic;
pub mod fmt;
mod grammar;
mod lower;
mod nesting;
mod parser;
pub mod shift;
pub mod span;

pub use chunks::parse_parallel;
pub use diagnostic::{Diagnostic, Label, Rendered, Severity};
pub use nesting::{on_big_stack, MAX_NESTING, STACK_SIZE};
pub use parser::parse;
pub use span::{LineCol, LineIndex, Span};
