//! Funnel's live mode: a playbook put to work on a durable store.
//!
//! The state file (SQLite, WAL) is event-sourced: the leads and events
//! received are the source of truth, each with its received sequence number
//! and idempotency key; a lead's state is always recomputed by replaying
//! its stored history through the engine's lead-by-lead
//! [`Stepper`](funnel_engine::Stepper); every stage change and action the
//! engine makes goes to an outbox in the same transaction, keyed by (lead,
//! rule, instant), and is delivered from there at least once (a receiver
//! dedupes by the key: effectively once).
//!
//! Two front doors share the store: `funnel ingest` (files, for cron) and
//! `funnel serve` (HTTP, [`serve`]). Unlike the other library crates this
//! one does IO, since it is the runtime: the state file, the network and
//! delivery files. It reads the time only through a [`clock::Clock`].

pub mod apply;
pub mod clock;
pub mod decode;
pub mod deliver;
pub mod error;
pub mod input;
pub mod keys;
mod open;
pub mod playbook;
pub mod replay;
pub mod schema;
pub mod serve;
pub mod store;
pub mod whole;

pub use apply::{Live, Report};
pub use clock::{Clock, SimClock, SystemClock};
pub use error::LiveError;
pub use open::Changeover;
pub use playbook::Playbook;
pub use store::Store;
