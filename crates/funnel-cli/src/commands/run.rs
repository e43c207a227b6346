//! `funnel run PLAYBOOK --leads FILE --events FILE [--as-of T]
//! [--input NAME=VALUE]... [--out DIR] [--format human|json]
//! [--on-bad-row error|skip]`: replay the data through the playbook and
//! print a summary; with `--out`, write `leads.csv`, `transitions.csv`,
//! `actions.jsonl` and `kpis.json`; with `--report FILE.html`, a page of
//! charts (`funnel-report`). Exit 0, 1 on bad input (playbook or data), 2
//! on usage or IO problems.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use funnel_data::output;
use funnel_engine::{Compiled, Dataset, Outcome, RunOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::load::{load_threads, DataArgs};

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
    /// Also write a self-contained HTML report with charts here (docs/report.md).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Also list the scoring rules, stage triggers, nurture steps and
    /// branches that never acted on this data (to stderr).
    #[arg(long)]
    pub coverage: bool,
    /// Threads to read and replay on (default: one per core). The files and
    /// the leads are split between them; the results are the same for any
    /// number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print how long each phase took to stderr (for benchmarks).
    #[arg(long, hide = true)]
    pub timings: bool,
}

/// Threads beyond this many per core only cost memory (each holds chunks
/// and a stack); thousands could not even be started.
const THREADS_PER_CORE: usize = 4;

/// `--threads`, or one per core; at least 1 and at most
/// [`THREADS_PER_CORE`] per core (with a note saying so).
fn bound_threads(asked: Option<usize>, cores: usize) -> usize {
    let most = THREADS_PER_CORE * cores.max(1);
    match asked {
        None => cores.max(1),
        Some(n) if n > most => {
            eprintln!(
                "note: --threads {n} is more than {THREADS_PER_CORE} per core on this \
                 {cores}-core machine; using {most}"
            );
            most
        }
        Some(n) => n.max(1),
    }
}

/// Phase timings for `--timings`.
struct Clock {
    on: bool,
    last: Instant,
}

impl Clock {
    fn lap(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            eprintln!(
                "timing: {what:<8} {:>8.3} s",
                (now - self.last).as_secs_f64()
            );
            self.last = now;
        }
    }
}

pub fn run(args: Args) -> u8 {
    let cores = crate::load::cores();
    let threads = bound_threads(args.threads, cores);
    let mut clock = Clock {
        on: args.timings,
        last: Instant::now(),
    };
    // A run's outputs never show fields the playbook does not read.
    let mut loaded = match load_threads(&args.playbook, &args.data, threads, false) {
        Ok(l) => l,
        Err(code) => return code,
    };
    clock.lap("load");
    // A report also draws every ungrouped KPI by month: twins of those KPIs
    // are evaluated with the playbook's and split off after the run.
    let own_kpis = if args.report.is_some() {
        funnel_report::run_kpis::add_monthly_twins(&mut loaded.compiled)
    } else {
        loaded.compiled.kpis.len()
    };
    let opts = RunOptions {
        coverage: args.coverage,
        as_of: loaded.as_of,
        trace: None,
        inputs: loaded.inputs.clone(),
    };
    let total = loaded.data.events.recs.len();
    let first_event = loaded.data.events.recs.iter().map(|r| r.at).min();
    if let (Some(as_of), Some(first)) = (loaded.as_of, first_event) {
        if as_of < first {
            let tz = loaded.compiled.tz;
            crate::diag::warning(
                "funnel::run::as_of_before_data",
                format!(
                    "`--as-of {}` is before the first event ({}): nothing is replayed",
                    funnel_engine::display::fmt_time_short(as_of, tz),
                    funnel_engine::display::fmt_time_short(first, tz)
                ),
                Some("pass an `--as-of` on or after the first event, or leave it out to replay everything".into()),
            );
        }
    }
    let bar = if total >= PROGRESS_MIN_EVENTS && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} events {per_sec}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    // Nothing reads the events, the leads' field values or the lead index
    // from the dataset after the run: the values move into the outcome, the
    // events are dropped when the KPIs are done, the index now.
    loaded.data.leads.index = funnel_engine::data::LeadIndex::default();
    let outcome = funnel_engine::run_taking(
        &loaded.compiled,
        &mut loaded.data,
        &opts,
        threads,
        &mut |done, _| bar.set_position(done as u64),
    );
    bar.finish_and_clear();
    let mut outcome = outcome;
    let monthly = outcome.kpis.split_off(own_kpis.min(outcome.kpis.len()));
    loaded.compiled.kpis.truncate(own_kpis);
    clock.lap("replay");
    if let Some((u, n)) = funnel_engine::unsettled::first(&outcome.unsettled) {
        let path = args.playbook.display().to_string();
        let d = unsettled_error(&loaded.compiled, &loaded.data, &loaded.source, u, n);
        crate::diag::emit(&[d], &path, &loaded.source, 1);
        return 1;
    }
    if let Some(k) = outcome.kpis.iter().find(|k| k.fault.is_some()) {
        let why = k.fault.map_or("", |f| f.message());
        crate::diag::kpi_overflow(None, &k.name, why);
        return 1;
    }
    let c = &loaded.compiled;
    let ds = &loaded.data;
    if let Some(dir) = &args.out {
        if let Err(code) = write_files(dir, c, ds, &outcome, threads) {
            return code;
        }
        eprintln!(
            "wrote leads.csv, transitions.csv, actions.jsonl and kpis.json to {}",
            dir.display()
        );
    }
    if let Some(path) = &args.report {
        let files = funnel_report::run::RunFiles {
            playbook: &args.playbook.display().to_string(),
            monthly: &monthly,
        };
        let html = funnel_report::run_html(c, ds, &outcome, &files, crate::html::VERSION);
        if let Err(code) = crate::html::write_report(path, &html) {
            return code;
        }
    }
    clock.lap("write");
    let summary = match args.format {
        SummaryFormat::Human => crate::output::human(c, ds, &outcome, args.out.as_deref()),
        SummaryFormat::Json => crate::output::json_summary(c, ds, &outcome),
    };
    match args.format {
        SummaryFormat::Human => crate::style::print_report(&summary),
        SummaryFormat::Json => print!("{summary}"),
    }
    clock.lap("summary");
    if args.coverage {
        let mut cov = funnel_testing::Coverage::new(c, &loaded.source);
        cov.add(&outcome.covered);
        let path = args.playbook.display().to_string();
        eprint!(
            "{}",
            crate::commands::test::human::file_coverage(&path, &cov)
        );
    }
    0
}

/// The error for a lead that reached a settle limit: which lead, when, and
/// the rules and steps still changing, with their lines.
pub(crate) fn unsettled_error(
    c: &Compiled,
    ds: &Dataset,
    source: &str,
    u: &funnel_engine::unsettled::Unsettled,
    leads: usize,
) -> funnel_syntax::Diagnostic {
    let id = ds.leads.ids.get(u.lead as usize).map_or("?", |s| &**s);
    let more = match leads {
        0 | 1 => String::new(),
        2 => " (1 more lead did not settle)".to_string(),
        n => format!(" ({} more leads did not settle)", n - 1),
    };
    let mut d = funnel_syntax::Diagnostic::error(
        "funnel::run::unsettled",
        format!(
            "lead `{id}` did not settle at {}: its rules were still changing each other after {}{more}",
            funnel_engine::display::fmt_time_short(u.at, c.tz),
            u.limit.describe()
        ),
    )
    .help(
        "rules that keep enabling each other have no result; make one of them \
         depend on something the others do not change (docs/language.md, \"Settle limits\")",
    );
    let index = funnel_syntax::LineIndex::new(source);
    for i in funnel_testing::coverage::involved(u, c, source) {
        let Some(start) = index.line_start((i.line as usize).saturating_sub(1)) else {
            continue;
        };
        let line = source[start..].lines().next().unwrap_or("");
        let indent = line.len() - line.trim_start().len();
        let a = start + indent;
        let b = start + line.trim_end().len();
        d = d.label(funnel_syntax::Span::new(a, b), i.text);
    }
    d
}

/// Write the output files, each formatted on `threads` threads and streamed.
fn write_files(
    dir: &Path,
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    threads: usize,
) -> Result<(), u8> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        crate::diag::error(
            "funnel::cli::cannot_write",
            format!("cannot create `{}`: {e}", dir.display()),
            Some("check that `--out` names a directory you can write to".into()),
        );
        return Err(2);
    }
    type Writer<'a> = Box<dyn Fn(&mut dyn Write) -> io::Result<()> + 'a>;
    let kpis = output::kpis_json(c, o);
    let files: [(&str, Writer<'_>); 4] = [
        (
            "leads.csv",
            Box::new(|w| output::write_leads_csv(w, c, ds, o, threads)),
        ),
        (
            "transitions.csv",
            Box::new(|w| output::write_transitions_csv(w, c, ds, o, threads)),
        ),
        (
            "actions.jsonl",
            Box::new(|w| output::write_actions_jsonl(w, c, ds, o, threads)),
        ),
        ("kpis.json", Box::new(|w| w.write_all(kpis.as_bytes()))),
    ];
    for (name, f) in files {
        let path = dir.join(name);
        let res = File::create(&path).and_then(|file| {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            f(&mut w)?;
            w.flush()
        });
        if let Err(e) = res {
            crate::diag::error(
                "funnel::cli::cannot_write",
                format!("cannot write `{}`: {e}", path.display()),
                Some("check that `--out` names a directory you can write to".into()),
            );
            return Err(2);
        }
    }
    Ok(())
}
