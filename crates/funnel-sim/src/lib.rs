//! Funnel's dry-run simulation: synthetic leads drawn from a YAML scenario
//! and replayed through the same engine as `funnel run`, many times over.
//!
//! Pipeline position: scenario YAML + `funnel-check` Program → synthetic
//! leads and behaviour → `funnel-engine` replay → percentiles across runs.
//! This crate does no IO and never reads the clock; every draw comes from a
//! seeded ChaCha stream, so a seed fixes the result whatever the threads.

pub mod draw;
pub mod driver;
pub mod estimate;
pub mod population;
pub mod render;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod table;
pub mod validate;

pub use scenario::{Scenario, ScenarioError};
pub use validate::validate;
