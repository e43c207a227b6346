//! `funnel fmt [PATH...]`: rewrite playbooks in the canonical layout.
//!
//! Directories are searched recursively for `*.funnel` (hidden directories
//! skipped); files named directly are formatted whatever their extension.
//! Files are handled in sorted path order, so output is stable.
//!
//! Without `--check`, files that are not formatted are rewritten in place
//! (files already formatted are not touched). With `--check`, nothing is
//! written: a unified diff of each unformatted file goes to stdout.
//!
//! Exit codes: 0 all formatted (or rewritten), 1 `--check` found unformatted
//! files, 2 a file has a syntax error or cannot be read or written, or a path
//! holds no playbooks. The summary (`N files checked, M reformatted`) and all
//! errors go to stderr.

mod diff;

use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Playbook files or directories (searched recursively for `*.funnel`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; print a diff of what would change and exit 1 if any
    /// file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Reformatted,
    Failed,
}

pub fn run(args: Args) -> u8 {
    let (files, failed) = crate::report::playbooks(&args.paths);

    let (mut changed, mut errors) = (0usize, 0usize);
    for file in &files {
        match format_file(file, args.check) {
            Outcome::Unchanged => {}
            Outcome::Reformatted => changed += 1,
            Outcome::Failed => errors += 1,
        }
    }
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let mut summary = format!("{} checked, {changed} {verb}", plural(files.len(), "file"));
    if errors > 0 {
        summary.push_str(&format!(", {errors} with errors"));
    }
    eprintln!("{summary}");
    if failed || errors > 0 {
        2
    } else {
        u8::from(args.check && changed > 0)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn format_file(path: &Path, check: bool) -> Outcome {
    let source = match crate::load::read_source(path) {
        Ok(s) => s,
        Err(e) => {
            crate::diag::io_error(path, &e);
            return Outcome::Failed;
        }
    };
    let formatted = match funnel_syntax::fmt::format(&source) {
        Ok(f) => f,
        Err(d) => {
            crate::diag::emit(&[d], &path.display().to_string(), &source, 1);
            return Outcome::Failed;
        }
    };
    if crate::load::is_stdin(path) && !check {
        // `funnel fmt -`: a filter, standard input to standard output.
        print!("{formatted}");
        return if formatted == source {
            Outcome::Unchanged
        } else {
            Outcome::Reformatted
        };
    }
    if formatted == source {
        return Outcome::Unchanged;
    }
    let name = path.display().to_string();
    if check {
        // A closed pipe (`| head`) is not an error worth failing over.
        let diff = diff::unified(&source, &formatted, &name, &name);
        let _ = std::io::stdout().lock().write_all(diff.as_bytes());
        return Outcome::Reformatted;
    }
    match std::fs::write(path, &formatted) {
        Ok(()) => Outcome::Reformatted,
        Err(e) => {
            crate::diag::error(
                "funnel::cli::cannot_write",
                format!("cannot write `{name}`: {e}"),
                Some("check that the file is writable".into()),
            );
            Outcome::Failed
        }
    }
}
