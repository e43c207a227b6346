//! `funnel plan OLD NEW --leads FILE --events FILE [--as-of T]
//! [--input NAME=VALUE]... [--format human|json] [--out DIR] [--limit N]
//! [--detailed-exitcode] [--on-bad-row error|skip] [--report FILE.html]`:
//! replay the same data under two playbooks (nothing is sent; a run only
//! records actions) and report what the change does, in the manner of
//! `terraform plan`; `--report` also writes it as a page of charts.
//!
//! Each playbook reads the data files itself, then
//! [`funnel_plan::same_data`] checks both read the same rows before
//! anything is compared. With `--out`, `plan.json` (the JSON report) and
//! `changed_leads.csv` (every changed lead) are written.
//!
//! Exit codes: 0 success; with `--detailed-exitcode` 0 no change, 2 changes,
//! 1 any error; without it errors exit 1 (bad playbook or data) or 2 (usage
//! or IO), as `run` does.

mod human;
mod json;

use std::path::{Path, PathBuf};

use funnel_engine::{Compiled, Outcome, RunOptions};
use funnel_plan::{diff, same_data, DataSide, Side};
use funnel_syntax::ast::Decl;

use crate::load::{load_threads, DataArgs, Loaded};

/// How the plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The playbook in force now.
    pub old: PathBuf,
    /// The changed playbook.
    pub new: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Write plan.json and changed_leads.csv (every changed lead) here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with charts here (docs/report.md).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// How many changed leads the human output lists.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Exit 0 when nothing changes, 2 when something does, 1 on any error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// What the report says about the inputs, beside the plan itself.
pub struct Meta<'a> {
    pub old_file: String,
    pub new_file: String,
    /// The playbooks (names, currencies; the new one's zone dates the report).
    pub old: &'a Compiled,
    pub new: &'a Compiled,
    pub leads_file: String,
    pub events_file: String,
    pub events: usize,
    pub as_of: Option<i64>,
}

pub fn run(args: Args) -> u8 {
    let fail = |code: u8| if args.detailed_exitcode { 1 } else { code };
    let declared = [declared_inputs(&args.old), declared_inputs(&args.new)];
    if let Err(code) = check_inputs(&args, &declared) {
        return fail(code);
    }
    let old = match load_side(&args.old, "old", &args.data, &declared[0]) {
        Ok(l) => l,
        Err(code) => return fail(code),
    };
    let new = match load_side(&args.new, "new", &args.data, &declared[1]) {
        Ok(l) => l,
        Err(code) => return fail(code),
    };
    let (old_file, new_file) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let checked = same_data(
        DataSide {
            label: &old_file,
            c: &old.compiled,
            ds: &old.data,
        },
        DataSide {
            label: &new_file,
            c: &new.compiled,
            ds: &new.data,
        },
    );
    if let Err(m) = checked {
        crate::diag::error("funnel::plan::different_data", m.message, Some(m.help));
        return 1;
    }
    // One as-of instant for both: `--as-of` as the new playbook reads it.
    let as_of = new.as_of;
    let cores = crate::load::cores();
    let replay = |l: &Loaded| -> Outcome {
        let opts = RunOptions {
            coverage: false,
            as_of,
            trace: None,
            inputs: l.inputs.clone(),
        };
        // The leads are split between the cores; the outcome is the same.
        funnel_engine::run_threads(&l.compiled, &l.data, &opts, cores, &mut |_, _| {})
    };
    let (oo, on) = (replay(&old), replay(&new));
    // A KPI that cannot be computed under either playbook stops the plan, as
    // it stops `funnel run`: a before/after of an unknown value is no plan.
    for (file, o) in [(&old_file, &oo), (&new_file, &on)] {
        if let Some(k) = o.kpis.iter().find(|k| k.fault.is_some()) {
            let why = k.fault.map_or("", |f| f.message());
            crate::diag::kpi_overflow(Some(file), &k.name, why);
            return fail(1);
        }
    }
    let plan = diff(
        Side {
            c: &old.compiled,
            o: &oo,
            texts: &old.data.texts,
        },
        Side {
            c: &new.compiled,
            o: &on,
            texts: &new.data.texts,
        },
        &new.data.leads.ids,
    );
    let meta = Meta {
        old_file,
        new_file,
        old: &old.compiled,
        new: &new.compiled,
        leads_file: new.data.lead_report.file.clone(),
        events_file: new.data.event_report.file.clone(),
        events: new.data.events.recs.len(),
        as_of: on.as_of,
    };
    let report = json::plan_json(&plan, &meta);
    if let Some(dir) = &args.out {
        let files = [
            ("plan.json", report.clone()),
            ("changed_leads.csv", json::changed_leads_csv(&plan, &meta)),
        ];
        if let Err(code) = write_out(dir, &files) {
            return fail(code);
        }
    }
    if let Some(path) = &args.report {
        let files = funnel_report::plan::PlanFiles {
            old_file: &meta.old_file,
            new_file: &meta.new_file,
            old: meta.old,
            new: meta.new,
            leads_file: &meta.leads_file,
            events_file: &meta.events_file,
            as_of: meta.as_of,
        };
        let html = funnel_report::plan_html(&plan, &files, crate::html::VERSION);
        if let Err(code) = crate::html::write_report(path, &html) {
            return fail(code);
        }
    }
    match args.format {
        PlanFormat::Human => {
            crate::style::print_report(&human::render(&plan, &meta, args.limit));
        }
        PlanFormat::Json => print!("{report}"),
    }
    if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    }
}

/// The inputs a playbook declares, when it parses (otherwise loading it
/// reports the syntax error).
fn declared_inputs(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let ast = funnel_syntax::parse(&text).ok()?;
    Some(
        ast.decls
            .iter()
            .filter_map(|d| match d {
                Decl::Input(i) => Some(i.name.name.clone()),
                _ => None,
            })
            .collect(),
    )
}

fn input_name(given: &str) -> Option<&str> {
    given.split_once('=').map(|(n, _)| n.trim())
}

/// An `--input` neither playbook declares is an error; one only one
/// playbook declares goes to that playbook only.
fn check_inputs(args: &Args, declared: &[Option<Vec<String>>; 2]) -> Result<(), u8> {
    let [Some(a), Some(b)] = declared else {
        return Ok(());
    };
    for g in &args.data.inputs {
        let Some(name) = input_name(g) else {
            continue;
        };
        if !a.iter().chain(b).any(|n| n == name) {
            let mut all: Vec<&String> = a.iter().chain(b).collect();
            all.sort();
            all.dedup();
            let help = if all.is_empty() {
                format!("neither playbook declares inputs; remove `--input {g}`")
            } else {
                let list: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
                format!("the playbooks declare: {}", list.join(", "))
            };
            crate::diag::error(
                "funnel::input::unknown",
                format!("unknown input `{name}`"),
                Some(help),
            );
            return Err(2);
        }
    }
    Ok(())
}

fn load_side(
    path: &Path,
    which: &str,
    data: &DataArgs,
    declared: &Option<Vec<String>>,
) -> Result<Loaded, u8> {
    let inputs = data
        .inputs
        .iter()
        .filter(|g| match (declared, input_name(g)) {
            (Some(names), Some(n)) => names.iter().any(|x| x == n),
            _ => true,
        })
        .cloned()
        .collect();
    let args = DataArgs {
        leads: data.leads.clone(),
        events: data.events.clone(),
        data_format: data.data_format,
        on_bad_row: data.on_bad_row,
        as_of: data.as_of.clone(),
        inputs,
        map: data.map.clone(),
        strict: data.strict,
    };
    load_threads(path, &args, crate::load::cores(), true).inspect_err(|_| {
        crate::diag::note(
            "note",
            &format!(
                "the plan stopped while loading the {which} playbook `{}` with the data",
                path.display()
            ),
        );
    })
}

fn write_out(dir: &Path, files: &[(&str, String)]) -> Result<(), u8> {
    let help = || Some("check that `--out` names a directory you can write to".to_string());
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::diag::error(
            "funnel::cli::cannot_write",
            format!("cannot create `{}`: {e}", dir.display()),
            help(),
        );
        2
    })?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| {
            crate::diag::error(
                "funnel::cli::cannot_write",
                format!("cannot write `{}`: {e}", path.display()),
                help(),
            );
            2
        })?;
    }
    Ok(())
}
