//! `funnel run PLAYBOOK --leads FILE --events FILE [--as-of T]
//! [--input NAME=VALUE]... [--out DIR] [--format human|json]
//! [--on-bad-row error|skip]`: replay the data through the playbook and
//! print a summary; with `--out`, write `leads.csv`, `transitions.csv`,
//! `actions.jsonl` and `kpis.json`. Exit 0, 1 on bad input (playbook or
//! data), 2 on usage or IO problems.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use funnel_engine::{output, RunOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::load::{load, DataArgs};

/// Runs with at least this many events show a progress bar (on a terminal).
const PROGRESS_MIN_EVENTS: usize = 200_000;

/// How the summary is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The playbook to run.
    pub playbook: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Write leads.csv, transitions.csv, actions.jsonl and kpis.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
    /// Also list the scoring rules, stage triggers, nurture steps and
    /// branches that never acted on this data (to stderr).
    #[arg(long)]
    pub coverage: bool,
    /// Threads to replay on (default: one per core). The leads are split
    /// between them; the results are the same for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

pub fn run(args: Args) -> u8 {
    let loaded = match load(&args.playbook, &args.data) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let opts = RunOptions {
        coverage: args.coverage,
        as_of: loaded.as_of,
        trace: None,
        inputs: loaded.inputs.clone(),
    };
    let total = loaded.data.events.recs.len();
    let bar = if total >= PROGRESS_MIN_EVENTS && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} events {per_sec}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let outcome = funnel_engine::run_threads(
        &loaded.compiled,
        &loaded.data,
        &opts,
        threads.max(1),
        &mut |done, _| bar.set_position(done as u64),
    );
    bar.finish_and_clear();
    let c = &loaded.compiled;
    let ds = &loaded.data;
    if let Some(dir) = &args.out {
        let files = [
            ("leads.csv", output::leads_csv(c, ds, &outcome)),
            ("transitions.csv", output::transitions_csv(c, ds, &outcome)),
            ("actions.jsonl", output::actions_jsonl(c, ds, &outcome)),
            ("kpis.json", output::kpis_json(c, &outcome)),
        ];
        if let Err(code) = write_files(dir, &files) {
            return code;
        }
    }
    let summary = match args.format {
        SummaryFormat::Human => crate::output::human(c, ds, &outcome),
        SummaryFormat::Json => crate::output::json_summary(c, ds, &outcome),
    };
    print!("{summary}");
    if args.coverage {
        let mut cov = funnel_engine::testing::Coverage::new(c, &loaded.source);
        cov.add(&outcome.covered);
        let path = args.playbook.display().to_string();
        eprint!(
            "{}",
            crate::commands::test::human::file_coverage(&path, &cov)
        );
    }
    0
}

fn write_files(dir: &Path, files: &[(&str, String)]) -> Result<(), u8> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        eprintln!("  help: check that `--out` names a directory you can write to");
        return Err(2);
    }
    for (name, text) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            eprintln!("  help: check that `--out` names a directory you can write to");
            return Err(2);
        }
    }
    Ok(())
}
