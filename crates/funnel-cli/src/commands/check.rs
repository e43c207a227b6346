//! `funnel check [PATH...]`: parse and check playbooks, print every
//! diagnostic, and exit 0 (no errors), 1 (errors, or warnings with
//! `--deny-warnings`) or 2 (a path cannot be read or holds no playbooks).
//!
//! Directories are searched recursively for `*.funnel` (hidden directories
//! skipped); files are checked in sorted path order so output is stable.

use std::path::PathBuf;

use crate::report::{self, FileReport, Format};

#[derive(clap::Args)]
pub struct Args {
    /// Playbook files or directories (searched recursively for `*.funnel`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format: `human` (to stderr), `json`, `github` or `sarif` (to stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: Args) -> u8 {
    let (files, mut io_failed) = report::playbooks(&args.paths);

    let mut reports = Vec::new();
    for file in &files {
        match crate::load::read_source(file) {
            Ok(source) => {
                let checked = funnel_check::check_source_threads(&source, crate::load::cores());
                // Freeing a large playbook's program takes a while: do it
                // beside the next file's work (or not at all, if the process
                // ends first) instead of before it. A small one is freed
                // here: a thread would cost more than it saves.
                if let Some(program) = checked.program {
                    if source.len() >= funnel_syntax::chunks::PARALLEL_MIN_BYTES {
                        std::thread::spawn(move || drop(program));
                    }
                }
                reports.push(FileReport {
                    path: file.display().to_string(),
                    source,
                    diagnostics: checked.diagnostics,
                });
            }
            Err(e) => {
                crate::diag::io_error(file, &e);
                io_failed = true;
            }
        }
    }

    let errors: usize = reports.iter().map(FileReport::errors).sum();
    let warnings: usize = reports.iter().map(FileReport::warnings).sum();
    match args.format {
        // `--error-format json`: the same JSON lines on stderr as every
        // other command's errors (`--format json` is one document on stdout).
        Format::Human if crate::diag::format() == crate::diag::ErrorFormat::Json => {
            for r in &reports {
                crate::diag::emit(&r.diagnostics, &r.path, &r.source, 1);
            }
        }
        Format::Human => {
            let color = report::stderr_color();
            for r in &reports {
                eprint!("{}", report::human(r, color));
            }
            eprintln!(
                "checked {} {}: {} {}, {} {}",
                reports.len(),
                plural(reports.len(), "file", "files"),
                errors,
                plural(errors, "error", "errors"),
                warnings,
                plural(warnings, "warning", "warnings"),
            );
        }
        Format::Json => {
            let doc = report::json_document(&reports);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Github => {
            for r in &reports {
                print!("{}", report::github_lines(r));
            }
        }
        Format::Sarif => {
            let doc = crate::sarif::document(&reports);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if io_failed {
        2
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}
