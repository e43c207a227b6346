//! `funnel run PLAYBOOK --leads FILE --events FILE [--as-of T]
//! [--input NAME=VALUE]... [--out DIR] [--format human|json]
//! [--on-bad-row error|skip]`: replay the data through the playbook and
//! print a summary; with `--out`, write `leads.csv`, `transitions.csv`,
//! `actions.jsonl` and `kpis.json`. Exit 0, 1 on bad input (playbook or
//! data), 2 on usage or IO problems.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use funnel_engine::{output, Compiled, Dataset, Outcome, RunOptions};
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
        if let Err(code) = write_files(dir, c, ds, &outcome) {
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

/// A file of `--out`: its name and how to write it.
type Writer<'a> = (
    &'static str,
    Box<dyn Fn(&mut dyn Write) -> io::Result<()> + Sync + 'a>,
);

/// Write the output files, streamed, on two threads.
fn write_files(dir: &Path, c: &Compiled, ds: &Dataset, o: &Outcome) -> Result<(), u8> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        eprintln!("  help: check that `--out` names a directory you can write to");
        return Err(2);
    }
    let kpis = output::kpis_json(c, o);
    let one: Vec<Writer<'_>> = vec![
        (
            "transitions.csv",
            Box::new(|w| output::write_transitions_csv(w, c, ds, o)),
        ),
        ("kpis.json", Box::new(|w| w.write_all(kpis.as_bytes()))),
    ];
    let other: Vec<Writer<'_>> = vec![
        (
            "actions.jsonl",
            Box::new(|w| output::write_actions_jsonl(w, c, ds, o)),
        ),
        (
            "leads.csv",
            Box::new(|w| output::write_leads_csv(w, c, ds, o)),
        ),
    ];
    let write = |files: &[Writer<'_>]| -> Result<(), (PathBuf, io::Error)> {
        for (name, f) in files {
            let path = dir.join(name);
            let res = File::create(&path).and_then(|file| {
                let mut w = BufWriter::with_capacity(1 << 20, file);
                f(&mut w)?;
                w.flush()
            });
            res.map_err(|e| (path, e))?;
        }
        Ok(())
    };
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| write(&one));
        let b = write(&other);
        (h.join(), b)
    });
    let a = a.unwrap_or_else(|e| std::panic::resume_unwind(e));
    if let Err((path, e)) = a.and(b) {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        eprintln!("  help: check that `--out` names a directory you can write to");
        return Err(2);
    }
    Ok(())
}
