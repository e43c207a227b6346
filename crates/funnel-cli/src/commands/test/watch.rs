//! `funnel test --watch`: run, then look at the playbooks twice a second and
//! run again when one changes, is added or is removed. Polling needs no
//! platform file-watching library; comparing the files' contents (not their
//! modification times, which may be as coarse as a second) is cheap for the
//! few small files a playbook directory holds.

use std::path::PathBuf;
use std::time::Duration;

/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(500);

/// What the paths hold now: every playbook with its contents.
fn snapshot(paths: &[PathBuf]) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut files: Vec<(PathBuf, Option<Vec<u8>>)> = paths
        .iter()
        .flat_map(|p| crate::report::playbook_files(p).unwrap_or_default())
        .map(|f| {
            let text = std::fs::read(&f).ok();
            (f, text)
        })
        .collect();
    files.sort();
    files
}

/// Run `once`, then again after every change, forever (until interrupted).
pub fn watch(paths: &[PathBuf], mut once: impl FnMut() -> u8) -> u8 {
    if paths.iter().any(|p| crate::load::is_stdin(p)) {
        crate::diag::error(
            "funnel::cli::bad_flag",
            "`--watch` cannot watch standard input",
            Some("name playbook files or directories".into()),
        );
        return 2;
    }
    let mut seen = snapshot(paths);
    once();
    eprintln!("watching for changes (Ctrl-C to stop)");
    loop {
        std::thread::sleep(POLL);
        let now = snapshot(paths);
        if now != seen {
            seen = now;
            println!("\n── a playbook changed: running the tests again ──\n");
            once();
            eprintln!("watching for changes (Ctrl-C to stop)");
        }
    }
}
