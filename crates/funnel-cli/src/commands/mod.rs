//! One module per subcommand. Each exposes `Args` (clap) and `run(Args) -> u8`,
//! the process exit code: 0 success, 1 a failure the user asked us to find
//! (errors in a playbook, failed tests, bad data), 2 usage or IO problems.

pub mod check;
pub mod completions;
pub mod explain;
pub mod fmt;
pub mod ingest;
pub mod init;
pub mod live;
pub mod lsp;
pub mod plan;
pub mod run;
pub mod sample;
pub mod serve;
pub mod simulate;
pub mod test;
