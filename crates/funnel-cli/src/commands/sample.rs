//! `funnel sample PLAYBOOK [--count N] [--seed S] [--out DIR] [--force]
//! [--format csv|jsonl] [--start DATE] [--days D]`: generate realistic
//! leads and events for a playbook, deterministically from the seed.
//!
//! The old spellings `--playbook P` and `--leads N` still work and print a
//! deprecation note; with no playbook at all, `playbooks/saas_inbound.funnel`
//! is used when it exists (the old default), also with a note. Existing
//! files are never overwritten without `--force`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use funnel_data::sample::{write_sample, SampleError, SampleOptions};

/// The playbook used when none is named (deprecated).
const OLD_DEFAULT: &str = "playbooks/saas_inbound.funnel";

/// The format of the generated files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    Csv,
    Jsonl,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  funnel sample playbooks/saas_inbound.funnel --out data
  funnel sample my.funnel --count 5000 --seed 7 --format jsonl --out data
  funnel run my.funnel --leads data/leads.csv --events data/events.csv")]
pub struct Args {
    /// The playbook whose declarations and funnel the data follows.
    #[arg(value_name = "PLAYBOOK")]
    pub playbook: Option<PathBuf>,
    /// How many leads to generate [default: 300].
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// The random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write `leads.<ext>` and `events.<ext>`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Overwrite `leads.<ext>` and `events.<ext>` if they exist.
    #[arg(long)]
    pub force: bool,
    /// File format.
    #[arg(long, value_enum, default_value_t = SampleFormat::Csv)]
    pub format: SampleFormat,
    /// First day of the period (in the playbook's zone).
    #[arg(long, default_value = "2026-01-05")]
    pub start: String,
    /// Length of the period in days.
    #[arg(long, default_value_t = 177)]
    pub days: i64,
    /// Deprecated: name the playbook as the first argument.
    #[arg(long = "playbook", value_name = "FILE", hide = true)]
    pub old_playbook: Option<PathBuf>,
    /// Deprecated: use `--count N`.
    #[arg(long = "leads", value_name = "N", hide = true)]
    pub old_leads: Option<usize>,
}

/// The playbook and lead count after the deprecated spellings; notes on stderr.
fn resolve(args: &Args) -> Result<(PathBuf, usize), u8> {
    let playbook = match (&args.playbook, &args.old_playbook) {
        (Some(_), Some(_)) => {
            crate::diag::error(
                "funnel::cli::bad_flag",
                "the playbook is given twice (as an argument and with `--playbook`)",
                Some("drop `--playbook`: `funnel sample PLAYBOOK`".into()),
            );
            return Err(2);
        }
        (Some(p), None) => p.clone(),
        (None, Some(p)) => {
            eprintln!(
                "note: `--playbook` is deprecated; write `funnel sample {}`",
                p.display()
            );
            p.clone()
        }
        (None, None) if Path::new(OLD_DEFAULT).is_file() => {
            eprintln!(
                "note: naming no playbook is deprecated; write `funnel sample {OLD_DEFAULT}`"
            );
            PathBuf::from(OLD_DEFAULT)
        }
        (None, None) => {
            crate::diag::error(
                "funnel::cli::bad_flag",
                "name the playbook the data is for",
                Some("`funnel sample PLAYBOOK [--count N] [--out DIR]`".into()),
            );
            return Err(2);
        }
    };
    let count = match (args.count, args.old_leads) {
        (Some(_), Some(_)) => {
            crate::diag::error(
                "funnel::cli::bad_flag",
                "the lead count is given twice (`--count` and `--leads`)",
                Some("drop `--leads`; it is the old spelling of `--count`".into()),
            );
            return Err(2);
        }
        (Some(n), None) => n,
        (None, Some(n)) => {
            eprintln!("note: `sample --leads N` is deprecated; write `--count {n}`");
            n
        }
        (None, None) => 300,
    };
    Ok((playbook, count))
}

pub fn run(args: Args) -> u8 {
    let (playbook, count) = match resolve(&args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (text, program) = match crate::load::load_playbook(&playbook) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let compiled = funnel_engine::compile(&program, &text);
    let start = match funnel_data::decode::parse_instant(&args.start, compiled.tz) {
        Ok(t) => t,
        Err(reason) => {
            crate::diag::bad_instant("--start", &reason);
            return 2;
        }
    };
    let opts = SampleOptions {
        leads: count,
        seed: args.seed,
        start,
        days: args.days.max(1),
    };
    let (ext, format) = match args.format {
        SampleFormat::Csv => ("csv", funnel_data::sample::SampleFormat::Csv),
        SampleFormat::Jsonl => ("jsonl", funnel_data::sample::SampleFormat::Jsonl),
    };
    let leads_path = args.out.join(format!("leads.{ext}"));
    let events_path = args.out.join(format!("events.{ext}"));
    if !args.force {
        let existing: Vec<String> = [&leads_path, &events_path]
            .iter()
            .filter(|p| p.exists())
            .map(|p| format!("`{}`", p.display()))
            .collect();
        if !existing.is_empty() {
            crate::diag::error(
                "funnel::cli::already_exists",
                format!("{} already exist(s)", existing.join(" and ")),
                Some("pass `--force` to overwrite, or `--out DIR` to write elsewhere".into()),
            );
            return 2;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        crate::diag::error(
            "funnel::cli::cannot_write",
            format!("cannot create `{}`: {e}", args.out.display()),
            Some("check that `--out` names a directory you can write to".into()),
        );
        return 2;
    }
    let create = |path: &PathBuf| {
        File::create(path)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| {
                crate::diag::error(
                    "funnel::cli::cannot_write",
                    format!("cannot write `{}`: {e}", path.display()),
                    Some("check that `--out` names a directory you can write to".into()),
                )
            })
    };
    let (Ok(mut leads), Ok(mut events)) = (create(&leads_path), create(&events_path)) else {
        return 2;
    };
    match write_sample(&compiled, &opts, format, &mut leads, &mut events) {
        Ok(n) => {
            eprintln!(
                "wrote {} leads to {} and {} events to {}",
                n.leads,
                leads_path.display(),
                n.events,
                events_path.display()
            );
            eprintln!(
                "next: funnel run {} --leads {} --events {}",
                playbook.display(),
                leads_path.display(),
                events_path.display()
            );
            0
        }
        Err(e) => {
            let path = match e {
                SampleError::Leads(_) => &leads_path,
                SampleError::Events(_) => &events_path,
            };
            crate::diag::error(
                "funnel::cli::cannot_write",
                format!("cannot write `{}`: {e}", path.display()),
                Some("check that `--out` names a directory you can write to".into()),
            );
            2
        }
    }
}
