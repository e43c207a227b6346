//! Writing a `--report FILE.html` page (built by `funnel-report`) for
//! `run`, `simulate` and `plan`, with the same kind of error as `--out`.

use std::path::Path;

/// funnel's version, named in every report's footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Write `html` to `path`; an error is reported and exits 2.
pub fn write_report(path: &Path, html: &str) -> Result<(), u8> {
    if let Err(e) = std::fs::write(path, html) {
        crate::diag::error(
            "funnel::cli::cannot_write",
            format!("cannot write the report `{}`: {e}", path.display()),
            Some("check that `--report` names a file in a directory you can write to".into()),
        );
        return Err(2);
    }
    eprintln!(
        "wrote the report to {} ({} KB; open it in a browser)",
        path.display(),
        html.len().div_ceil(1024)
    );
    Ok(())
}
