//! `funnel check [PATH...]`: parse and check playbooks, print diagnostics.

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Playbook files or directories (searched recursively for `*.funnel`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let mut errors = 0;
    for path in &args.paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("error: cannot read `{}`", path.display());
            return 2;
        };
        let checked = funnel_check::check_source(&text);
        for d in &checked.diagnostics {
            eprintln!("{}: {}", path.display(), d.message);
            errors += usize::from(d.is_error());
        }
    }
    u8::from(errors > 0)
}
