//! The one error type of reading data and maps: where (file, line,
//! column, field), what, what to do, and a stable code.

use std::fmt;

use funnel_engine::data::RejectKind;

/// An input problem: a whole-file problem, or a bad row under [`BadRows::Error`](crate::BadRows::Error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// Stable code, e.g. `funnel::data::missing_column` (docs/data.md lists them).
    pub code: &'static str,
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// 1-based column (CSV field number), when known.
    pub column: Option<usize>,
    /// The column or key name, when the problem is in one.
    pub field: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// For row problems: the kind, as counted under `--on-bad-row skip`.
    pub kind: Option<RejectKind>,
}

impl DataError {
    pub(crate) fn file(file: &str, message: impl Into<String>) -> DataError {
        DataError {
            code: "funnel::data::invalid_file",
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            help: None,
            kind: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> DataError {
        self.help = Some(help.into());
        self
    }

    /// The error's stable code.
    pub(crate) fn coded(mut self, code: &'static str) -> DataError {
        self.code = code;
        self
    }

    pub(crate) fn at(mut self, line: usize) -> DataError {
        self.line = Some(line);
        self
    }

    /// `file:line:column`, as far as known.
    pub fn location(&self) -> String {
        let mut s = self.file.clone();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        s
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DataError {}
