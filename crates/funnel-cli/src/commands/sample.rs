//! `funnel sample [--leads N] [--seed S] [--out DIR] [--playbook P]
//! [--format csv|jsonl] [--start DATE] [--days D]`: generate realistic
//! leads and events for a playbook, deterministically from the seed.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use funnel_engine::sample::{write_sample, SampleError, SampleOptions};

/// The format of the generated files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    Csv,
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many leads to generate.
    #[arg(long, default_value_t = 300)]
    pub leads: usize,
    /// The random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write `leads.<ext>` and `events.<ext>`.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// The playbook whose declarations the data follows.
    #[arg(long, default_value = "playbooks/saas_inbound.funnel")]
    pub playbook: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value_t = SampleFormat::Csv)]
    pub format: SampleFormat,
    /// First day of the period (in the playbook's zone).
    #[arg(long, default_value = "2026-01-05")]
    pub start: String,
    /// Length of the period in days.
    #[arg(long, default_value_t = 177)]
    pub days: i64,
}

pub fn run(args: Args) -> u8 {
    let text = match std::fs::read_to_string(&args.playbook) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.playbook.display());
            eprintln!("  help: pass `--playbook FILE` naming a readable playbook");
            return 2;
        }
    };
    let checked = funnel_check::check_source(&text);
    let Some(program) = checked.program else {
        eprintln!(
            "error: `{}` has errors; run `funnel check {}`",
            args.playbook.display(),
            args.playbook.display()
        );
        return 1;
    };
    let compiled = funnel_engine::compile(&program, &text);
    let start = match funnel_engine::data::decode::parse_instant(&args.start, compiled.tz) {
        Ok(t) => t,
        Err(reason) => {
            eprintln!("error: bad `--start`: {reason}");
            return 2;
        }
    };
    let opts = SampleOptions {
        leads: args.leads,
        seed: args.seed,
        start,
        days: args.days.max(1),
    };
    let (ext, format) = match args.format {
        SampleFormat::Csv => ("csv", funnel_engine::sample::SampleFormat::Csv),
        SampleFormat::Jsonl => ("jsonl", funnel_engine::sample::SampleFormat::Jsonl),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create `{}`: {e}", args.out.display());
        return 2;
    }
    let leads_path = args.out.join(format!("leads.{ext}"));
    let events_path = args.out.join(format!("events.{ext}"));
    let create = |path: &PathBuf| {
        File::create(path)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| eprintln!("error: cannot write `{}`: {e}", path.display()))
    };
    let (Ok(mut leads), Ok(mut events)) = (create(&leads_path), create(&events_path)) else {
        return 2;
    };
    match write_sample(&compiled, &opts, format, &mut leads, &mut events) {
        Ok(n) => {
            eprintln!(
                "wrote {} leads and {} events to {}",
                n.leads,
                n.events,
                args.out.display()
            );
            0
        }
        Err(e) => {
            let path = match e {
                SampleError::Leads(_) => &leads_path,
                SampleError::Events(_) => &events_path,
            };
            eprintln!("error: cannot write `{}`: {e}", path.display());
            2
        }
    }
}
