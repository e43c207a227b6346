//! `funnel ingest PLAYBOOK --state FILE [--leads FILE] [--events FILE]
//! [--as-of T]`: apply what is new in lead and event files to the state
//! file, for cron or Airflow. Rows already stored (by key) change nothing;
//! the files go in in transactions of `--chunk` rows, then every touched or
//! due lead is stepped to the as-of instant (default: now) in one last
//! transaction, so a run killed midway loses nothing and a rerun finishes
//! the job. With `--deliver`, due actions are then delivered once each
//! (failures wait for their backoff and the next run).
//!
//! Exit codes: 0 done, 1 some rows were refused (the others were applied),
//! 2 usage, IO or state problems.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use funnel_data::decode::parse_instant;
use funnel_live::apply::{Change, Rejected, Report};
use funnel_live::deliver::{Counters, Deliverer};
use funnel_live::input::{self, InputFormat, RawRow, RowError};
use funnel_live::Store;

use super::live::{fail, open_live, DeliverArgs, OutFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The playbook in force.
    pub playbook: PathBuf,
    /// The state file (`funnel live init` makes one).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// New leads: an `id` column and the lead fields (optional `_key`).
    #[arg(long, value_name = "FILE")]
    pub leads: Option<PathBuf>,
    /// New events: `lead`, `event`, `at` and the events' fields (optional `_key`).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Step timers up to this instant (RFC 3339, or `2026-06-30 17:00` in
    /// the playbook's zone); default: now.
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
    /// A run-time input, `NAME=VALUE` (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Put a changed playbook in force even though its plan shows changes.
    #[arg(long)]
    pub accept_plan: bool,
    /// Rows per transaction while appending.
    #[arg(long, value_name = "N", default_value_t = 10_000, hide = true)]
    pub chunk: usize,
    #[command(flatten)]
    pub deliver: DeliverArgs,
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
}

fn read_rows(path: &PathBuf) -> Result<Vec<Result<RawRow, RowError>>, u8> {
    let name = path.display().to_string();
    let Some(format) = InputFormat::from_path(&name) else {
        crate::diag::error(
            "funnel::data::unknown_format",
            format!("cannot tell the format of `{name}` from its extension"),
            Some("name it `.csv`, `.jsonl`, `.ndjson`, `.json` or `.yaml`".into()),
        );
        return Err(2);
    };
    let bytes = std::fs::read(path).map_err(|e| {
        crate::diag::error(
            "funnel::data::unreadable",
            format!("cannot read `{name}`: {}", crate::diag::io_reason(&e)),
            Some("check the path; it must name a readable data file".into()),
        );
        2u8
    })?;
    input::parse(&bytes, format).map_err(|e| {
        crate::diag::error(
            "funnel::data::malformed",
            format!("{name}: {}", e.message),
            e.help.clone(),
        );
        1
    })
}

/// Sum of the reports of one ingest.
#[derive(Default, serde::Serialize)]
struct Total {
    #[serde(flatten)]
    report: Report,
    delivered: u64,
    delivery_failures: u64,
    dead_letters: u64,
}

fn add(total: &mut Report, r: Report, files: (&str, &str)) {
    let sum = |a: &mut funnel_live::apply::Counts, b: funnel_live::apply::Counts| {
        a.received += b.received;
        a.added += b.added;
        a.duplicate += b.duplicate;
        a.rejected += b.rejected;
    };
    sum(&mut total.leads, r.leads);
    sum(&mut total.events, r.events);
    total
        .rejected
        .extend(r.rejected.into_iter().map(|x| Rejected {
            input: if x.input == "leads" { files.0 } else { files.1 }.to_string(),
            error: x.error,
        }));
    total.late_events += r.late_events;
    total.replayed_leads += r.replayed_leads;
    total.actions += r.actions;
    total.changes.extend(r.changes);
    total.as_of = r.as_of;
}

pub fn run(args: Args) -> u8 {
    let mut live = match open_live(&args.playbook, &args.state, &args.inputs, args.accept_plan) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let target = match args.deliver.target() {
        Ok(t) => t,
        Err(code) => return code,
    };
    let tz = live.pb.compiled.tz;
    let now = funnel_live::Clock::now(&funnel_live::SystemClock);
    let as_of = match &args.as_of {
        None => now,
        Some(t) => match parse_instant(t.trim(), tz) {
            Ok(t) => t,
            Err(reason) => {
                crate::diag::bad_instant("--as-of", &reason);
                return 2;
            }
        },
    };
    match live.store.as_of() {
        Ok(Some(prev)) if prev > as_of => {
            let f = |t| funnel_engine::display::fmt_time(t, tz);
            crate::diag::error(
                "funnel::live::as_of_backwards",
                format!(
                    "`--as-of {}` is before the state's as-of instant {}",
                    f(as_of),
                    f(prev)
                ),
                Some(format!(
                    "the state only moves forward; pass `--as-of` at or after {}",
                    f(prev)
                )),
            );
            return 2;
        }
        Ok(_) => {}
        Err(e) => return fail(&e),
    }
    let leads = match args.leads.as_ref().map(read_rows).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(code) => return code,
    };
    let events = match args.events.as_ref().map(read_rows).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(code) => return code,
    };
    let names = (
        args.leads
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        args.events
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    let files = (names.0.as_str(), names.1.as_str());
    let mut total = Report::default();
    let chunk = args.chunk.max(1);
    for part in leads.chunks(chunk) {
        match live.write(part, &[], None, now) {
            Ok(r) => add(&mut total, r, files),
            Err(e) => return fail(&e),
        }
    }
    for part in events.chunks(chunk) {
        match live.write(&[], part, None, now) {
            Ok(r) => add(&mut total, r, files),
            Err(e) => return fail(&e),
        }
    }
    match live.advance(as_of, now) {
        Ok(r) => add(&mut total, r, files),
        Err(e) => return fail(&e),
    }
    let mut out = Total {
        report: total,
        ..Total::default()
    };
    if let Some((target, policy)) = target {
        let counters = Counters::default();
        let mut d = Deliverer::new(target, policy, now.unsigned_abs());
        let conn = match Store::open(&args.state) {
            Ok(s) => s.conn,
            Err(e) => return fail(&e),
        };
        loop {
            match d.run_once(
                &conn,
                funnel_live::Clock::now(&funnel_live::SystemClock),
                500,
                &counters,
            ) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return fail(&e),
            }
        }
        out.delivered = counters.delivered.load(Ordering::Relaxed);
        out.delivery_failures = counters.retries.load(Ordering::Relaxed);
        out.dead_letters = counters.dead.load(Ordering::Relaxed);
    }
    match args.format {
        OutFormat::Json => println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default()),
        OutFormat::Human => print_human(&out, tz, args.deliver.deliver.is_some()),
    }
    let pending = live
        .store
        .status()
        .map(|s| s.outbox_count("pending"))
        .unwrap_or(0);
    if args.format == OutFormat::Human {
        println!("outbox: {pending} actions pending delivery");
    }
    if out.report.rejected.is_empty() {
        0
    } else {
        1
    }
}

fn print_human(t: &Total, tz: chrono_tz::Tz, delivering: bool) {
    let r = &t.report;
    let c = |n: &str, x: &funnel_live::apply::Counts| {
        println!(
            "{n}: {} received, {} new, {} already stored, {} refused",
            x.received, x.added, x.duplicate, x.rejected
        );
    };
    c("leads", &r.leads);
    c("events", &r.events);
    println!(
        "stepped {} leads to {}; {} late events; {} new actions",
        r.replayed_leads,
        funnel_engine::display::fmt_time(r.as_of, tz),
        r.late_events,
        r.actions
    );
    print_changes(&r.changes);
    if delivering {
        println!(
            "delivered {}; {} failed attempts will be retried; {} dead letters",
            t.delivered, t.delivery_failures, t.dead_letters
        );
    }
    for x in r.rejected.iter().take(20) {
        let e = funnel_data::DataError {
            code: "funnel::data::refused_row",
            file: x.input.clone(),
            line: Some(x.error.row),
            column: None,
            field: x.error.field.clone(),
            message: x.error.message.clone(),
            help: x.error.help.clone(),
            kind: None,
        };
        let format = funnel_data::Format::from_path(&x.input).unwrap_or(funnel_data::Format::Csv);
        crate::diag::data_error(&e, format);
    }
    if r.rejected.len() > 20 {
        eprintln!("... and {} more refused rows", r.rejected.len() - 20);
    }
}

fn print_changes(changes: &[Change]) {
    if changes.is_empty() {
        return;
    }
    println!("{} actions changed by late events:", changes.len());
    for c in changes.iter().take(20) {
        println!(
            "  {} {} {} at {} ({})",
            c.change, c.lead, c.kind, c.at, c.key
        );
    }
    if changes.len() > 20 {
        println!("  ... and {} more", changes.len() - 20);
    }
}
