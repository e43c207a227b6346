//! The one error type of live mode: a message saying what went wrong and,
//! where there is one, what to do about it. SQLite's own errors are turned
//! into words here (a full disk, a read-only file, a locked file), so no
//! caller ever shows a bare SQLite code.

use std::fmt;

/// A live-mode failure. Every write happens in one transaction, so an
/// error leaves the state file as it was before the write began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveError {
    pub message: String,
    pub help: Option<String>,
}

impl LiveError {
    pub fn new(message: impl Into<String>) -> LiveError {
        LiveError {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> LiveError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LiveError {}

impl From<rusqlite::Error> for LiveError {
    fn from(e: rusqlite::Error) -> LiveError {
        use rusqlite::ErrorCode as C;
        let code = e.sqlite_error_code();
        match code {
            Some(C::DiskFull) => LiveError::new("the disk holding the state file is full")
                .help("free space and retry; nothing of this write was kept"),
            Some(C::ReadOnly) => LiveError::new("the state file is read-only").help(
                "give this user write access to the state file and its directory \
                 (SQLite writes `-wal` and `-shm` files beside it)",
            ),
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => {
                LiveError::new("another process is writing the state file")
                    .help("wait for it to finish, or stop the other `funnel serve`/`funnel ingest`")
            }
            Some(C::CannotOpen) => LiveError::new(format!("cannot open the state file: {e}"))
                .help("check that the directory exists and is writable"),
            Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => {
                LiveError::new(format!("the state file is not a funnel state file: {e}"))
                    .help("point `--state` at a file made by `funnel live init`")
            }
            _ => LiveError::new(format!("state file error: {e}")),
        }
    }
}

impl From<serde_json::Error> for LiveError {
    fn from(e: serde_json::Error) -> LiveError {
        LiveError::new(format!("a stored record does not read back: {e}"))
            .help("the state file was changed by something other than funnel")
    }
}

pub type Result<T, E = LiveError> = std::result::Result<T, E>;
