//! `funnel simulate PLAYBOOK --scenario FILE [--runs N] [--seed S] [--vs OTHER]
//! [--report FILE.html]`: a Monte Carlo dry run on synthetic leads drawn
//! from a YAML scenario, replayed through the same engine as `funnel run`,
//! on all cores.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use funnel_engine::value::{Interner, Value};
use funnel_engine::Compiled;
use funnel_sim::estimate::{estimate, human_bytes, parse_bytes, MAX_LEAD_RUNS};
use funnel_sim::runs::{simulate_all, Subject};
use funnel_sim::Scenario;

use crate::load::load_playbook;

#[derive(clap::Args)]
pub struct Args {
    /// The playbook to simulate.
    pub playbook: PathBuf,
    /// The scenario: arrivals, attributes and behaviour (YAML; see docs/simulate.md).
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
    /// How many runs.
    #[arg(long, default_value_t = 100)]
    pub runs: u64,
    /// The seed: the same seed gives the same report, whatever the threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A second playbook simulated on the same draws; differences are reported.
    #[arg(long, value_name = "OTHER")]
    pub vs: Option<PathBuf>,
    /// A run-time input, `NAME=VALUE` (repeatable; given to each playbook that declares it).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// `human` tables or one `json` document.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write a self-contained HTML report with charts here (docs/report.md).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// The most memory the simulation may need (`4GB`, `512MB`, `16GiB`);
    /// a larger one is refused before it starts, with its estimate.
    #[arg(long, value_name = "SIZE", default_value = "4GB")]
    pub max_memory: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Load, check and compile a playbook; its inputs from `--input`.
fn subject(
    path: &Path,
    given: &[String],
) -> Result<(Compiled, Vec<Value>, String, funnel_check::Program), u8> {
    let (source, program) = load_playbook(path)?;
    let compiled = funnel_engine::compile(&program, &source);
    // Each playbook takes the inputs it declares.
    let mine: Vec<String> = given
        .iter()
        .filter(|g| {
            let name = g.split_once('=').map_or(g.as_str(), |(n, _)| n).trim();
            compiled.inputs.iter().any(|i| i.name == name)
        })
        .cloned()
        .collect();
    let inputs =
        funnel_data::inputs::resolve(&compiled, &mine, &mut Interner::new()).map_err(|e| {
            crate::diag::error(
                "funnel::input::invalid",
                format!("{e} ({})", path.display()),
                Some(e.help()),
            );
            2
        })?;
    let name = path.display().to_string();
    Ok((compiled, inputs, name, program))
}

pub fn run(args: Args) -> u8 {
    if args.runs == 0 {
        crate::diag::error(
            "funnel::cli::bad_flag",
            "`--runs` must be at least 1",
            Some("pass `--runs 1` or more".into()),
        );
        return 2;
    }
    let text = match std::fs::read_to_string(&args.scenario) {
        Ok(t) => t,
        Err(e) => {
            crate::diag::error(
                "funnel::scenario::unreadable",
                format!(
                    "cannot read the scenario `{}`: {}",
                    args.scenario.display(),
                    crate::diag::io_reason(&e)
                ),
                Some(
                    "check the path; `--scenario` names a YAML file (see docs/simulate.md)".into(),
                ),
            );
            return 2;
        }
    };
    let scenario_name = args.scenario.display().to_string();
    let scenario = match Scenario::from_yaml(&text) {
        Ok(s) => s,
        Err(e) => {
            crate::diag::scenario_error(&scenario_name, &text, &e);
            return 1;
        }
    };
    for g in &args.inputs {
        if !g.contains('=') {
            crate::diag::error(
                "funnel::input::invalid",
                format!("`{g}` is not NAME=VALUE"),
                Some("write `--input NAME=VALUE`, e.g. `--input marketing_spend=100000`".into()),
            );
            return 2;
        }
    }
    let (base_c, base_inputs, base_name, base_program) = match subject(&args.playbook, &args.inputs)
    {
        Ok(s) => s,
        Err(code) => return code,
    };
    let other = match &args.vs {
        None => None,
        Some(p) => match subject(p, &args.inputs) {
            Ok(s) => Some(s),
            Err(code) => return code,
        },
    };
    // Every `--input` must be declared by a playbook it is given to.
    for g in &args.inputs {
        let name = g.split_once('=').map_or(g.as_str(), |(n, _)| n).trim();
        let declared = |c: &Compiled| c.inputs.iter().any(|i| i.name == name);
        if !declared(&base_c) && !other.as_ref().is_some_and(|o| declared(&o.0)) {
            let names: Vec<&str> = base_c.inputs.iter().map(|i| i.name.as_str()).collect();
            crate::diag::error(
                "funnel::input::unknown",
                format!("unknown input `{name}`"),
                Some(format!(
                    "the playbook declares {}",
                    if names.is_empty() {
                        "no inputs".to_string()
                    } else {
                        names.join(", ")
                    }
                )),
            );
            return 2;
        }
    }
    // Validate the scenario against every playbook it drives.
    let programs = std::iter::once((&args.playbook, &base_program))
        .chain(args.vs.as_ref().zip(other.as_ref().map(|o| &o.3)));
    for (path, program) in programs {
        let errors = funnel_sim::validate(&scenario, &text, program);
        if !errors.is_empty() {
            for e in &errors {
                crate::diag::scenario_error(&scenario_name, &text, e);
            }
            crate::diag::note(
                "note",
                &format!("checked against the playbook `{}`", path.display()),
            );
            return 1;
        }
    }
    if let Err(code) = within_limits(&scenario, &args, other.is_some()) {
        return code;
    }
    let total = args.runs * if other.is_some() { 2 } else { 1 };
    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} runs {elapsed}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let base = Subject {
        name: base_name,
        compiled: &base_c,
        inputs: base_inputs,
    };
    let vs = other.as_ref().map(|(c, inputs, name, _)| Subject {
        name: name.clone(),
        compiled: c,
        inputs: inputs.clone(),
    });
    let tick = || bar.inc(1);
    let sim = match simulate_all(&scenario, &base, vs.as_ref(), args.seed, args.runs, &tick) {
        Ok(s) => s,
        Err(e) => {
            bar.finish_and_clear();
            crate::diag::error(
                "funnel::scenario::stopped",
                format!("the simulation stopped: {e}"),
                Some("check the scenario against the playbook's declarations".into()),
            );
            return 1;
        }
    };
    bar.finish_and_clear();
    if let Some(path) = &args.report {
        let files = funnel_report::simulate::SimFiles {
            scenario: &scenario_name,
            base: &base_c,
            vs: other.as_ref().map(|o| &o.0),
        };
        let html = funnel_report::simulate_html(&sim, &files, crate::html::VERSION);
        if let Err(code) = crate::html::write_report(path, &html) {
            return code;
        }
    }
    match args.format {
        Format::Human => crate::style::print_report(&funnel_sim::render::human_width(
            &sim,
            &scenario_name,
            crate::style::width(),
        )),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&funnel_sim::render::json(&sim)).unwrap_or_default()
        ),
    }
    0
}

/// Refuse a simulation too large to finish: more simulated leads than
/// [`MAX_LEAD_RUNS`], or more memory than `--max-memory`, with the estimate
/// and what to change.
fn within_limits(scenario: &Scenario, args: &Args, vs: bool) -> Result<(), u8> {
    let Some(max) = parse_bytes(&args.max_memory) else {
        crate::diag::error(
            "funnel::cli::bad_flag",
            format!("`--max-memory {}` is not a size", args.max_memory),
            Some("write a size such as `4GB`, `512MB` or `16GiB`".into()),
        );
        return Err(2);
    };
    let threads = crate::load::cores();
    let e = estimate(scenario, args.runs, if vs { 2 } else { 1 }, threads);
    let leads = |x: f64| {
        if x < 1e15 {
            format!("{x:.0}")
        } else {
            format!("{x:.1e}")
        }
    };
    if e.lead_runs().is_nan() || e.lead_runs() > MAX_LEAD_RUNS {
        crate::diag::error(
            "funnel::scenario::too_large",
            format!(
                "the simulation would draw about {} leads ({} runs of {} leads), \
                 more than the {} a simulation may draw",
                leads(e.lead_runs()),
                leads(e.runs),
                leads(e.leads_per_run),
                leads(MAX_LEAD_RUNS)
            ),
            Some("lower `--runs`, or `arrivals.rate` or `horizon_days` in the scenario".into()),
        );
        return Err(2);
    }
    if e.bytes.is_nan() || e.bytes > max {
        crate::diag::error(
            "funnel::scenario::too_large",
            format!(
                "the simulation would need about {} of memory ({} leads a run, {} runs at a time), \
                 more than --max-memory {}",
                human_bytes(e.bytes),
                leads(e.leads_per_run),
                e.concurrent,
                human_bytes(max)
            ),
            Some(
                "lower `arrivals.rate` or `horizon_days` in the scenario, or raise \
                 `--max-memory` if the machine has the memory"
                    .into(),
            ),
        );
        return Err(2);
    }
    Ok(())
}
