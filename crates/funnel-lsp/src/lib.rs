//! `funnel lsp`: a Language Server for Funnel playbooks, built on
//! `lsp-server` and `lsp-types` (as rust-analyzer is).
//!
//! Pipeline position: above `funnel-syntax` (tokens, AST, formatter),
//! `funnel-check` (diagnostics, the checked program) and `funnel-engine`
//! (running `test` blocks for code lenses). [`run`] serves one client over a
//! [`lsp_server::Connection`] the caller opened (stdio in the CLI, memory in
//! tests); this crate does no other IO.
//!
//! Code map: `server` runs the loop and dispatches; `document` holds an open
//! text and its cached analyses (`incremental` reparses only the changed
//! declarations, `shift` moves their spans into place); `lines` converts byte offsets to UTF-16
//! positions; `tokens` is a forgiving token scan; `analysis` parses (with
//! recovery) and builds the name `index` (`walk` from the AST, `fallback`
//! from tokens). Features: `diagnostics`, `hover` (+ `docs`, explanations
//! from docs/language.md), `navigate` (definition, references, rename),
//! `completion` (+ `context`), `symbols`, `format`, `folding`, `semantic`,
//! `actions` (quick fixes), `lens` (test code lenses); `capabilities` says
//! which the client may use.

// `lsp_types::Uri` hashes and compares by its text; the interior mutability
// clippy sees is fluent-uri's lazily filled cache, which changes neither.
// `WorkspaceEdit` itself is keyed by `Uri`.
#![allow(clippy::mutable_key_type)]

mod actions;
mod analysis;
mod capabilities;
mod completion;
mod context;
mod diagnostics;
mod docs;
mod document;
mod fallback;
mod folding;
mod format;
mod hover;
mod incremental;
pub mod index;
mod lens;
pub mod lines;
mod navigate;
mod refusal;
mod semantic;
mod server;
mod symbols;
pub mod tokens;
mod walk;

/// The generator of the bench playbook, for tests of big inputs.
#[cfg(test)]
#[path = "../../funnel-check/benches/support/big_playbook.rs"]
mod big_playbook;

pub use lens::RUN_TEST;
pub use server::{run, Options, ServerError};
