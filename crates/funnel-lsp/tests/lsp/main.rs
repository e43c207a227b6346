//! Language server tests: every feature driven over an in-memory connection
//! with real JSON-RPC messages (`support.rs`), answers snapshotted with insta.
//! Broken files, UTF-16 positions on lines with non-ASCII text, and renames
//! that must leave the playbook checking are all covered.

// Test helpers: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod completion;
mod diagnostics;
mod features;
mod hover;
mod navigate;
mod rename;
mod support;
