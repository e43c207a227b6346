//! `funnel live init|status|dead-letters|retry|plan|backup --state FILE`:
//! create and inspect the state file of live mode, requeue dead letters,
//! plan a playbook change against the stored history, back the file up. Also the helpers
//! `funnel ingest` and `funnel serve` share: opening the state under a
//! playbook, and the delivery options.

use std::path::{Path, PathBuf};

use funnel_live::deliver::{dead_letters, retry, Policy, Target};
use funnel_live::{Live, LiveError, Playbook, Store};

/// The subcommands of `funnel live`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create a state file (or bring an existing one to this format).
    Init(StateArgs),
    /// What the state file holds: rows, as-of instant, timers, outbox.
    Status(StatusArgs),
    /// List the outbox entries that used up their delivery attempts.
    DeadLetters(StatusArgs),
    /// Make dead letters (all, or the given keys) pending again.
    Retry(RetryArgs),
    /// What putting PLAYBOOK in force would change in the stored history.
    Plan(PlanArgs),
    /// Copy the state file, consistent, while it is in use.
    Backup(BackupArgs),
}

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub state: StateArgs,
    /// The new file to write.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug)]
pub struct StateArgs {
    /// The state file.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
}

/// Human or JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub state: StateArgs,
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
}

#[derive(clap::Args, Debug)]
pub struct RetryArgs {
    #[command(flatten)]
    pub state: StateArgs,
    /// Keys to requeue (dead letters, or actions a playbook change skipped).
    pub keys: Vec<String>,
    /// Requeue every dead letter.
    #[arg(long, conflicts_with = "keys")]
    pub all: bool,
}

#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// The playbook that would be put in force.
    pub playbook: PathBuf,
    #[command(flatten)]
    pub state: StateArgs,
    /// A run-time input, `NAME=VALUE` (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
}

/// Delivery options of `funnel ingest` and `funnel serve`.
#[derive(clap::Args, Debug)]
pub struct DeliverArgs {
    /// Where actions go: `webhook=URL` (POST, signed) or `jsonl=FILE` (appended).
    #[arg(long, value_name = "SPEC")]
    pub deliver: Option<String>,
    /// The HMAC-SHA256 key for webhook signatures, in a file.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Attempts before an action becomes a dead letter.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_attempts: u32,
}

impl DeliverArgs {
    pub fn target(&self) -> Result<Option<(Target, Policy)>, u8> {
        let Some(spec) = &self.deliver else {
            return Ok(None);
        };
        let secret = match &self.secret_file {
            Some(p) => Some(read_secret(p, "--secret-file")?.into_bytes()),
            None => None,
        };
        let target = Target::parse(spec, secret).map_err(|e| fail(&e))?;
        if self.max_attempts == 0 {
            crate::diag::error(
                "funnel::cli::bad_flag",
                "`--max-attempts` must be at least 1",
                Some("pass `--max-attempts 1` or more".into()),
            );
            return Err(2);
        }
        let policy = Policy {
            max_attempts: self.max_attempts,
            ..Policy::default()
        };
        Ok(Some((target, policy)))
    }
}

/// A secret or token file's first line.
pub fn read_secret(path: &Path, flag: &str) -> Result<String, u8> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::diag::error(
            "funnel::cli::unreadable",
            format!(
                "cannot read `{}`: {}",
                path.display(),
                crate::diag::io_reason(&e)
            ),
            Some(format!(
                "`{flag}` names a file holding the value on its first line"
            )),
        );
        2u8
    })?;
    let first = text.lines().next().unwrap_or("").trim().to_string();
    if first.is_empty() {
        crate::diag::error(
            "funnel::cli::empty_file",
            format!("`{}` is empty", path.display()),
            Some("put the value on the file's first line".into()),
        );
        return Err(2);
    }
    Ok(first)
}

/// Print a live-mode error; the exit code for it.
pub fn fail(e: &LiveError) -> u8 {
    crate::diag::error("funnel::live::error", e.message.clone(), e.help.clone());
    2
}

/// Load and check `playbook` (diagnostics printed) with its inputs.
pub fn load_playbook(playbook: &Path, inputs: &[String]) -> Result<Playbook, u8> {
    let (source, _) = crate::load::load_playbook(playbook)?;
    Playbook::new(&source, inputs).map_err(|e| {
        fail(&e);
        1
    })
}

/// Open the state file under `playbook`, planning and (with `accept`)
/// rebuilding when the playbook changed; the change is reported on stderr.
pub fn open_live(
    playbook: &Path,
    state: &Path,
    inputs: &[String],
    accept: bool,
) -> Result<Live, u8> {
    let pb = load_playbook(playbook, inputs)?;
    let store = Store::open(state).map_err(|e| fail(&e))?;
    let (live, change) = Live::open(store, pb, accept).map_err(|e| fail(&e))?;
    if let Some(ch) = change {
        eprintln!(
            "the playbook changed; the state was rebuilt under `{}`",
            playbook.display()
        );
        for l in &ch.plan {
            eprintln!("  {l}");
        }
        let skipped = ch
            .report
            .changes
            .iter()
            .filter(|c| c.change == "skipped")
            .count();
        let retracted = ch
            .report
            .changes
            .iter()
            .filter(|c| c.change == "retracted")
            .count();
        eprintln!(
            "  {} leads replayed; {} new actions for the past recorded as skipped (not delivered), {} pending actions retracted",
            ch.report.replayed_leads, skipped, retracted
        );
    }
    Ok(live)
}

pub fn run(args: Args) -> u8 {
    match args.command {
        Command::Init(a) => init(&a),
        Command::Status(a) => status(&a),
        Command::DeadLetters(a) => dead(&a),
        Command::Retry(a) => requeue(&a),
        Command::Plan(a) => plan(&a),
        Command::Backup(a) => backup(&a),
    }
}

fn backup(a: &BackupArgs) -> u8 {
    let store = match Store::open(&a.state.state) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    match store.backup(&a.to) {
        Ok(()) => {
            println!(
                "backed up `{}` to `{}`",
                a.state.state.display(),
                a.to.display()
            );
            0
        }
        Err(e) => fail(&e),
    }
}

fn init(a: &StateArgs) -> u8 {
    let now = funnel_live::Clock::now(&funnel_live::SystemClock);
    match Store::create(&a.state, now) {
        Ok(s) => {
            let v = funnel_live::schema::version(&s.conn).unwrap_or(0);
            println!(
                "state file `{}` is ready (format version {v})",
                a.state.display()
            );
            0
        }
        Err(e) => fail(&e),
    }
}

/// The stored playbook's zone, for printing instants.
fn zone(store: &Store) -> chrono_tz::Tz {
    let src = store
        .meta(funnel_live::store::meta::PLAYBOOK)
        .ok()
        .flatten();
    src.and_then(|s| Playbook::new(&s, &[]).ok())
        .map_or(chrono_tz::UTC, |p| p.compiled.tz)
}

fn status(a: &StatusArgs) -> u8 {
    let store = match Store::open(&a.state.state) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let s = match store.status() {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if a.format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        return 0;
    }
    let tz = zone(&store);
    let time =
        |t: Option<i64>| t.map_or("-".to_string(), |t| funnel_engine::display::fmt_time(t, tz));
    println!("state      {} (format version {})", store.path, s.version);
    println!(
        "playbook   {}",
        s.playbook.as_deref().unwrap_or("(none yet)")
    );
    println!("as of      {}", time(s.as_of));
    println!("leads      {}", s.leads);
    println!("events     {}", s.events);
    println!(
        "waiting    {} leads with a timer or a future event; next due {}",
        s.leads_waiting,
        time(s.next_due)
    );
    let outbox: Vec<String> = s.outbox.iter().map(|(st, n)| format!("{n} {st}")).collect();
    println!(
        "outbox     {}",
        if outbox.is_empty() {
            "empty".to_string()
        } else {
            outbox.join(", ")
        }
    );
    0
}

fn dead(a: &StatusArgs) -> u8 {
    let store = match Store::open(&a.state.state) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let list = match dead_letters(&store.conn) {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    if a.format == OutFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return 0;
    }
    if list.is_empty() {
        println!("no dead letters");
        return 0;
    }
    let tz = zone(&store);
    for d in &list {
        println!(
            "{}  {} {} at {}  {} attempts: {}",
            d.key,
            d.lead,
            d.kind,
            funnel_engine::display::fmt_time(d.at, tz),
            d.attempts,
            d.error
        );
    }
    println!(
        "{} dead letters; requeue with `funnel live retry --state {} --all` (or KEY...)",
        list.len(),
        a.state.state.display()
    );
    0
}

fn requeue(a: &RetryArgs) -> u8 {
    if !a.all && a.keys.is_empty() {
        crate::diag::error(
            "funnel::cli::bad_flag",
            "nothing to retry",
            Some("name the keys (`funnel live dead-letters` lists them) or pass `--all`".into()),
        );
        return 2;
    }
    let mut store = match Store::open(&a.state.state) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    match retry(&mut store.conn, &a.keys) {
        Ok(n) => {
            println!("{n} actions pending delivery again");
            0
        }
        Err(e) => fail(&e),
    }
}

fn plan(a: &PlanArgs) -> u8 {
    let new = match load_playbook(&a.playbook, &a.inputs) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let store = match Store::open(&a.state.state) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let run = || -> Result<Vec<String>, LiveError> {
        let src = store.meta(funnel_live::store::meta::PLAYBOOK)?;
        let inputs: Vec<String> = match store.meta(funnel_live::store::meta::INPUTS)? {
            Some(s) => serde_json::from_str(&s)?,
            None => Vec::new(),
        };
        let (Some(src), Some(as_of)) = (src, store.as_of()?) else {
            return Ok(vec![
                "nothing is stored yet: the playbook would simply be put in force".into(),
            ]);
        };
        let old = Playbook::new(&src, &inputs)?;
        let p = funnel_live::whole::plan(&store.conn, &old, &new, as_of)?;
        if !p.has_changes() {
            return Ok(vec![
                "no changes: the stored history replays the same under both playbooks".into(),
            ]);
        }
        Ok(funnel_live::whole::plan_summary(&p))
    };
    match run() {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            0
        }
        Err(e) => fail(&e),
    }
}
