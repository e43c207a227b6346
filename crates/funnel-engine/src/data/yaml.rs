//! YAML input: a list of mappings, one per record. YAML values carry no
//! positions, so each record's line is found by scanning for the `- ` that
//! starts it at the left margin.

#![allow(clippy::result_large_err)]

use std::io::Read;

use super::rows::{Part, Schema};
use super::{unknown_column, DataError, RejectKind};

/// Read every record into `p`.
pub(crate) fn read<S: Schema>(
    mut input: impl Read,
    file: &str,
    sink: &S,
    p: &mut Part,
) -> Result<(), DataError> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| DataError::file(file, format!("cannot read the file: {e}")))?;
    if text.trim().is_empty() {
        return Err(
            DataError::file(file, "the file is empty").help("write a list of records (`- id: …`)")
        );
    }
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        let mut d = DataError::file(file, format!("malformed YAML: {e}"));
        if let Some(l) = e.location() {
            d.line = Some(l.line());
            d.column = Some(l.column());
        }
        d
    })?;
    let serde_yaml::Value::Sequence(items) = doc else {
        return Err(DataError::file(file, "the file is not a list of records")
            .help("write each record as `- key: value` at the left margin"));
    };
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect();
    let n_cols = sink.columns().len();
    let pos = vec![0usize; n_cols];
    for (i, item) in items.iter().enumerate() {
        let line = if starts.len() == items.len() {
            starts[i]
        } else {
            i + 1
        };
        let serde_yaml::Value::Mapping(m) = item else {
            let mut e = DataError::file(file, "the record is not a mapping").at(line);
            e.kind = Some(RejectKind::BadValue);
            sink.bad_row(p, e)?;
            continue;
        };
        let mut owned: Vec<Option<String>> = vec![None; n_cols];
        let mut problem = None;
        for (k, v) in m {
            let key = match k {
                serde_yaml::Value::String(s) => s.clone(),
                other => scalar(other).unwrap_or_default(),
            };
            let Some(col) = sink.column(&key) else {
                return Err(unknown_column(file, &key, sink).at(line));
            };
            match v {
                serde_yaml::Value::Null => {}
                serde_yaml::Value::Sequence(_) | serde_yaml::Value::Mapping(_) => {
                    problem = Some(format!("`{key}` is not a single value"));
                }
                other => owned[col] = scalar(other),
            }
        }
        if let Some(msg) = problem {
            let mut e = DataError::file(file, msg).at(line);
            e.kind = Some(RejectKind::BadValue);
            sink.bad_row(p, e)?;
            continue;
        }
        let cells: Vec<Option<&str>> = owned.iter().map(|c| c.as_deref()).collect();
        sink.row(p, line, &cells, &pos)?;
    }
    Ok(())
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}
