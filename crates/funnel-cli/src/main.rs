//! `funnel`: the command-line tool. The only crate that touches files, the
//! terminal, the environment or the clock; every command lives in
//! `src/commands/<verb>.rs` and turns library results into output and an exit code.

#[macro_use]
mod pipe;
mod commands;
mod diag;
mod html;
mod load;
mod output;
mod report;
mod sarif;
mod style;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// What `funnel --help` says before the commands.
const LONG_ABOUT: &str = "Rules-as-code for B2B revenue operations.

Write your lead scoring, lifecycle stages, nurture sequences, SLAs and KPIs in a
small playbook language; Funnel checks the playbook, replays your lead and event
history through it, and tells you which stage every lead is in and why, every
point change, every email a nurture would have sent, every SLA breach, and your
KPIs against their targets. Runs are deterministic and never touch your CRM.";

/// What `funnel --help` says after the commands.
const EXAMPLES: &str = "Examples:
  funnel init my-funnel                       # a commented playbook, data templates and a test
  funnel check playbooks                      # every error and warning, with line and column
  funnel test playbooks                       # run the playbooks' `test` blocks
  funnel sample playbooks/saas_inbound.funnel --count 400 --out data
  funnel run playbooks/saas_inbound.funnel --leads data/leads.csv --events data/events.csv
  funnel explain playbooks/saas_inbound.funnel L0042 --leads data/leads.csv --events data/events.csv
  funnel plan old.funnel new.funnel --leads data/leads.csv --events data/events.csv
  funnel completions bash > ~/.local/share/bash-completion/completions/funnel

A path of `-` reads standard input. `--color never` (or NO_COLOR=1) turns colour off;
`--error-format json` writes errors as JSON lines.
Docs: README.md, docs/language.md, docs/data.md.";

/// Rules-as-code for B2B revenue operations.
#[derive(Parser)]
#[command(
    name = "funnel",
    version,
    about,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true
)]
struct Cli {
    /// Colour reports: `auto` (on a terminal, unless NO_COLOR is set), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = style::ColorChoice::Auto, value_name = "WHEN")]
    color: style::ColorChoice,
    /// How errors are written to stderr: `human` (reports with the source
    /// line) or `json` (one object per line: file, line, column, code, message, help).
    #[arg(long, global = true, value_enum, default_value_t = diag::ErrorFormat::Human, value_name = "FORMAT")]
    error_format: diag::ErrorFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check playbooks for errors and report every problem found.
    Check(commands::check::Args),
    /// Replay lead data through a playbook: funnel, KPIs, actions.
    Run(commands::run::Args),
    /// Show one lead's timeline: why it is where it is.
    Explain(commands::explain::Args),
    /// Generate realistic sample leads and events for a playbook.
    Sample(commands::sample::Args),
    /// Rewrite playbooks in the canonical layout (`--check`: only report).
    Fmt(commands::fmt::Args),
    /// Compare two playbooks on the same data: what the change would do.
    Plan(commands::plan::Args),
    /// Monte Carlo dry run on synthetic leads from a YAML scenario.
    Simulate(commands::simulate::Args),
    /// Run the `test` blocks of playbooks (`--coverage`: what no test exercised).
    Test(commands::test::Args),
    /// Create a commented starter playbook, data templates and a test.
    Init(commands::init::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(commands::completions::Args),
    /// Run the language server (LSP over stdio) for editors.
    Lsp(commands::lsp::Args),
    /// Live mode: apply new lead and event files to a state file (cron).
    Ingest(commands::ingest::Args),
    /// Live mode: serve the HTTP API on a state file, firing timers and delivering actions.
    Serve(commands::serve::Args),
    /// Live mode: create and inspect state files, dead letters, plans.
    Live(commands::live::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(usage_exit_code(&e));
        }
    };
    style::set_choice(cli.color);
    diag::set_format(cli.error_format);
    // Every pass recurses over the playbook: run on a stack with room for
    // the deepest nesting the parser lets through.
    let code = funnel_syntax::on_big_stack(move || match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Plan(args) => commands::plan::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Completions(args) => commands::completions::run(args, Cli::command()),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Ingest(args) => commands::ingest::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Live(args) => commands::live::run(args),
    });
    ExitCode::from(code)
}

/// `--help` and `--version` succeed; a usage error exits 2, except under
/// `plan --detailed-exitcode`, where 2 means "changes", so it exits 1.
fn usage_exit_code(e: &clap::Error) -> u8 {
    if !e.use_stderr() {
        return 0;
    }
    let args: Vec<String> = std::env::args().collect();
    let detailed_plan =
        args.iter().any(|a| a == "plan") && args.iter().any(|a| a == "--detailed-exitcode");
    if detailed_plan {
        1
    } else {
        2
    }
}
