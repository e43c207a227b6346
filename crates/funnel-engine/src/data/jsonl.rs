//! JSON Lines input: one JSON object per line, keys naming the columns.
//! Scalars are handed on as text (`12.5`, `true`); `null` is an empty cell.

#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

use super::{unknown_column, DataError, RejectKind, RowSink};

pub(crate) fn read(input: impl Read, file: &str, sink: &mut dyn RowSink) -> Result<(), DataError> {
    let n_cols = sink.columns().len();
    let pos = vec![0usize; n_cols];
    let mut any = false;
    let mut buf = String::new();
    let mut reader = BufReader::new(input);
    let mut line = 0usize;
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf).map_err(|e| {
            DataError::file(file, format!("cannot read the file: {e}")).at(line + 1)
        })?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        any = true;
        let obj = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) => {
                let e = bad(file, line, None, "the line is not a JSON object".into());
                sink.bad_row(e)?;
                continue;
            }
            Err(err) => {
                let e = bad(
                    file,
                    line,
                    Some(err.column()),
                    format!("malformed JSON: {err}"),
                );
                sink.bad_row(e)?;
                continue;
            }
        };
        let mut owned: Vec<Option<Cow<'_, str>>> = vec![None; n_cols];
        let mut problem = None;
        for (k, v) in &obj {
            let Some(col) = sink.column(k) else {
                return Err(unknown_column(file, k, sink).at(line));
            };
            match scalar_text(v) {
                Ok(t) => owned[col] = t,
                Err(what) => problem = Some(format!("`{k}` is {what}, not a single value")),
            }
        }
        if let Some(msg) = problem {
            sink.bad_row(bad(file, line, None, msg))?;
            continue;
        }
        let cells: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
        sink.row(line, &cells, &pos)?;
    }
    if !any {
        return Err(
            DataError::file(file, "the file is empty").help("write one JSON object per line")
        );
    }
    Ok(())
}

/// The text of a JSON scalar; `Err` names what it is otherwise.
pub(crate) fn scalar_text(v: &serde_json::Value) -> Result<Option<Cow<'_, str>>, &'static str> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(Cow::Borrowed(s.as_str()))),
        serde_json::Value::Number(n) => Ok(Some(Cow::Owned(n.to_string()))),
        serde_json::Value::Bool(b) => Ok(Some(Cow::Borrowed(if *b { "true" } else { "false" }))),
        serde_json::Value::Array(_) => Err("a list"),
        serde_json::Value::Object(_) => Err("an object"),
    }
}

fn bad(file: &str, line: usize, column: Option<usize>, message: String) -> DataError {
    let mut e = DataError::file(file, message).at(line);
    e.column = column;
    e.kind = Some(RejectKind::BadValue);
    e
}
