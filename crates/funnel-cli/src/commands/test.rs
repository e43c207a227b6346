//! `funnel test [PATH...]`: run the `test` blocks of playbooks on the engine
//! (the same replay as `funnel run`, one lead per test, a simulated clock)
//! and report like a test runner.
//!
//! Directories are searched recursively for `*.funnel` (hidden directories
//! skipped); files run in sorted path order, tests in source order, so output
//! is stable. `--filter TEXT` runs the tests whose name contains TEXT.
//! `--coverage` lists the rules, stage triggers, nurture steps and branches
//! no test exercised, with the percentage covered per file and overall;
//! `--coverage-min P` fails below P%.
//!
//! Output goes to stdout (`--format human|json|junit`); a playbook's check
//! diagnostics go to stderr. Exit codes: 0 every test passed, 1 a test failed
//! (or coverage is below `--coverage-min`), 2 a usage problem (a `--filter`
//! that matches no test), a path that cannot be read or holds no playbooks,
//! or a playbook with check errors. `--watch` runs again on every change.

pub(crate) mod human;
mod machine;
mod watch;

use std::path::{Path, PathBuf};

use funnel_engine::Compiled;
use funnel_testing::{self as testing, Coverage, TestRun};

use crate::report::{self, FileReport};

/// How results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// One line per test, failures with the lead's timeline, a summary.
    Human,
    /// One JSON document (`version` 1) with every test and failure.
    Json,
    /// JUnit XML, one `<testsuite>` per playbook, for CI test reports.
    Junit,
}

#[derive(clap::Args)]
pub struct Args {
    /// Playbook files or directories (searched recursively for `*.funnel`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Report what no test exercised: rules, stage triggers, nurture steps
    /// and branches, with the percentage covered.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when less than P percent is covered (implies `--coverage`).
    #[arg(long, value_name = "P")]
    pub coverage_min: Option<f64>,
    /// Run again whenever a playbook changes (checked twice a second);
    /// stop with Ctrl-C.
    #[arg(long)]
    pub watch: bool,
}

/// One playbook's results.
pub(crate) struct FileOutcome {
    pub path: String,
    pub result: FileResult,
}

pub(crate) enum FileResult {
    /// The playbook checked and its (selected) tests ran.
    Ran {
        tests: Vec<TestRun>,
        /// The compiled playbook (its zone formats instants).
        compiled: Box<Compiled>,
        coverage: Coverage,
    },
    /// The playbook could not be read, checked or compiled; why.
    Error(String),
}

/// Totals over every playbook.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub filtered: usize,
    pub errors: usize,
    /// Coverage over every playbook that ran: (covered, total).
    pub covered: usize,
    pub items: usize,
}

impl Summary {
    pub fn percent(&self) -> f64 {
        testing::coverage::percent(self.covered, self.items)
    }
}

pub fn run(args: Args) -> u8 {
    if let Some(p) = args.coverage_min {
        if !(0.0..=100.0).contains(&p) {
            crate::diag::error(
                "funnel::cli::bad_flag",
                format!("`--coverage-min {p}` is not a percentage"),
                Some("give a number from 0 to 100, e.g. `--coverage-min 90`".into()),
            );
            return 2;
        }
    }
    if args.watch {
        watch::watch(&args.paths, || run_once(&args))
    } else {
        run_once(&args)
    }
}

/// One run over every playbook: the exit code.
fn run_once(args: &Args) -> u8 {
    let coverage = args.coverage || args.coverage_min.is_some();
    let (files, mut usage_failed) = report::playbooks(&args.paths);
    let mut outcomes = Vec::new();
    let mut summary = Summary::default();
    // Whether the human output so far ends with a blank line.
    let mut gap = false;
    for file in &files {
        let outcome = test_file(file, args.filter.as_deref(), &mut summary);
        if let (TestFormat::Human, Some(o)) = (args.format, &outcome) {
            let text = human::file(o);
            if !text.is_empty() {
                gap = text.ends_with("\n\n");
            }
            crate::style::print_report(&text);
        }
        match outcome {
            Some(o) => outcomes.push(o),
            None => usage_failed = true,
        }
    }
    match args.format {
        TestFormat::Human => crate::style::print_report(&human::summary(
            &outcomes,
            &summary,
            coverage,
            args.filter.is_some(),
            gap,
        )),
        TestFormat::Json => {
            let doc = machine::json(&outcomes, &summary, coverage);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        TestFormat::Junit => print!("{}", machine::junit(&outcomes, &summary)),
    }
    let ran_none = summary.passed + summary.failed == 0 && summary.errors == 0 && !usage_failed;
    if let (true, Some(f)) = (ran_none && summary.filtered > 0, &args.filter) {
        let names = test_names(&files);
        crate::diag::error(
            "funnel::test::no_match",
            format!("no test name contains `{f}`"),
            Some(format!(
                "the tests are: {}",
                names
                    .iter()
                    .take(12)
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return 2;
    }
    if ran_none {
        eprintln!("note: no tests ran");
    }
    let below = args
        .coverage_min
        .filter(|min| summary.percent() + 1e-9 < *min);
    if let Some(min) = below {
        crate::diag::error(
            "funnel::test::coverage_below_minimum",
            format!(
                "coverage {} is below the minimum of {}%",
                human::pct(summary.percent()),
                funnel_engine::value::fmt_num(min)
            ),
            Some("add tests that exercise the items listed by `funnel test --coverage`".into()),
        );
    }
    if usage_failed || summary.errors > 0 {
        2
    } else if summary.failed > 0 || below.is_some() {
        1
    } else {
        0
    }
}

/// Every test name of the playbooks that check, in file and source order.
fn test_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| crate::load::read_source(f).ok())
        .filter_map(|src| funnel_check::check_source(&src).program)
        .flat_map(|p| {
            testing::tests(&p)
                .into_iter()
                .map(|t| t.name.value.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Check, compile and run one playbook's tests; `None` when it cannot be read.
fn test_file(file: &Path, filter: Option<&str>, summary: &mut Summary) -> Option<FileOutcome> {
    let path = file.display().to_string();
    let source = match crate::load::read_source(file) {
        Ok(s) => s,
        Err(e) => {
            crate::diag::io_error(file, &e);
            return None;
        }
    };
    let checked = funnel_check::check_source_threads(&source, crate::load::cores());
    let errors = checked.errors();
    let program = checked.program;
    let report = FileReport {
        path: path.clone(),
        source,
        diagnostics: checked.diagnostics,
    };
    crate::diag::emit(&report.diagnostics, &report.path, &report.source, 1);
    let error = |summary: &mut Summary, why: String| {
        summary.errors += 1;
        Some(FileOutcome {
            path: path.clone(),
            result: FileResult::Error(why),
        })
    };
    let Some(program) = program else {
        let s = if errors == 1 { "" } else { "s" };
        return error(
            summary,
            format!("{errors} check error{s}; its tests did not run"),
        );
    };
    let c = funnel_engine::compile(&program, &report.source);
    let mut coverage = Coverage::new(&c, &report.source);
    let mut tests = Vec::new();
    for t in testing::tests(&program) {
        if filter.is_some_and(|f| !t.name.value.contains(f)) {
            summary.filtered += 1;
            continue;
        }
        let r = testing::run_test(&c, &report.source, t);
        coverage.add(&r.exercised);
        if r.passed() {
            summary.passed += 1;
        } else {
            summary.failed += 1;
        }
        tests.push(r);
    }
    summary.covered += coverage.hit();
    summary.items += coverage.total();
    Some(FileOutcome {
        path,
        result: FileResult::Ran {
            tests,
            compiled: Box::new(c),
            coverage,
        },
    })
}
