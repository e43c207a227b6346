//! Funnel's data files: everything between the engine and the bytes of a
//! file. Leads and events are read from CSV, JSON Lines or YAML into the
//! engine's [`Dataset`](funnel_engine::Dataset) ([`read`], cells decoded by
//! [`decode`] under the rules of [`values`]); run-time inputs are decoded
//! from `NAME=VALUE` ([`inputs`]); a run's results are written as
//! `leads.csv`, `transitions.csv`, `actions.jsonl` and `kpis.json`
//! ([`output`]); and [`sample`] generates realistic data for any playbook.
//!
//! Pure code: readers take `impl Read`, writers `impl Write`, and the CLI
//! opens the files.

pub mod compress;
pub mod decode;
pub mod error;
pub mod inputs;
pub mod map;
pub mod output;
pub mod read;
pub mod sample;
pub mod values;

pub use read::{
    csv_record_boundary, yaml_too_deep, BadRows, DataError, Format, Links, Mapped, ReadData,
    YAML_MAX_DEPTH,
};
