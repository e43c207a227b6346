//! Rows as received: a request body or a file cut into rows of text cells
//! keyed by column, before anything is checked against the playbook.
//!
//! JSON (one object, or an array of objects), NDJSON (one object per line),
//! CSV (a header, then rows) and YAML (a list of mappings). Scalars become
//! their text (`12.5`, `true`), `null` and blank cells are absent, as the
//! engine's readers treat them. A line that cannot be read is a [`RowError`]
//! for that row alone; the other rows are still returned.

use std::collections::BTreeMap;

use crate::error::LiveError;

/// One row's cells: column name -> text. Blank cells are left out.
pub type Cells = BTreeMap<String, String>;

/// A row as received, with its 1-based position: the line of an NDJSON,
/// CSV or YAML file, the index in a JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    pub row: usize,
    pub cells: Cells,
}

/// A row that was refused, and why: its position, the field at fault if
/// one is, the message and what to do.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl RowError {
    pub fn new(row: usize, field: Option<&str>, message: impl Into<String>) -> RowError {
        RowError {
            row,
            field: field.map(str::to_string),
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, h: impl Into<String>) -> RowError {
        self.help = Some(h.into());
        self
    }
}

/// The shape of a body or file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object or an array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    Csv,
    Yaml,
}

impl InputFormat {
    /// The format a file name's extension implies.
    pub fn from_path(name: &str) -> Option<InputFormat> {
        let lower = name.to_ascii_lowercase();
        match lower.rsplit('.').next().unwrap_or_default() {
            "csv" => Some(InputFormat::Csv),
            "jsonl" | "ndjson" => Some(InputFormat::Ndjson),
            "json" => Some(InputFormat::Json),
            "yaml" | "yml" => Some(InputFormat::Yaml),
            _ => None,
        }
    }
}

/// Cut `bytes` into rows. A problem with the whole input (not UTF-8, a
/// JSON document that does not parse, a CSV without a header) is an error;
/// a problem with one row is that row's [`RowError`].
pub fn parse(
    bytes: &[u8],
    format: InputFormat,
) -> Result<Vec<Result<RawRow, RowError>>, LiveError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        LiveError::new(format!("the input is not UTF-8 text: {e}"))
            .help("send UTF-8 encoded JSON, NDJSON, CSV or YAML")
    })?;
    match format {
        InputFormat::Ndjson => Ok(ndjson(text)),
        InputFormat::Json => json(text),
        InputFormat::Csv => csv_rows(text),
        InputFormat::Yaml => yaml(text),
    }
}

fn ndjson(text: &str) -> Vec<Result<RawRow, RowError>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let row = i + 1;
        out.push(match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => object(row, &v),
            Err(e) => Err(RowError::new(row, None, format!("malformed JSON: {e}"))
                .help("write one JSON object per line")),
        });
    }
    out
}

fn json(text: &str) -> Result<Vec<Result<RawRow, RowError>>, LiveError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        LiveError::new(format!("malformed JSON: {e}"))
            .help("send one JSON object, an array of objects, or NDJSON (one object per line)")
    })?;
    Ok(match &v {
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| object(i + 1, item))
            .collect(),
        _ => vec![object(1, &v)],
    })
}

/// A JSON object's scalars as text.
fn object(row: usize, v: &serde_json::Value) -> Result<RawRow, RowError> {
    let serde_json::Value::Object(map) = v else {
        return Err(RowError::new(row, None, "the row is not a JSON object")
            .help("write each row as an object such as {\"lead\": \"L1\", \"event\": \"page_view\", \"at\": \"2026-03-02T09:00:00Z\"}"));
    };
    let mut cells = Cells::new();
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(RowError::new(
                    row,
                    Some(k),
                    format!("`{k}` is a list or an object, not a single value"),
                ))
            }
        };
        if !text.trim().is_empty() {
            cells.insert(k.clone(), text);
        }
    }
    Ok(RawRow { row, cells })
}

fn csv_rows(text: &str) -> Result<Vec<Result<RawRow, RowError>>, LiveError> {
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| LiveError::new(format!("cannot read the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| p.line() as usize);
                out.push(Err(RowError::new(row, None, format!("malformed CSV: {e}"))));
                continue;
            }
        };
        let row = rec.position().map_or(0, |p| p.line() as usize);
        if rec.len() != header.len() {
            out.push(Err(RowError::new(
                row,
                None,
                format!("{} cells for {} columns", rec.len(), header.len()),
            )
            .help("give every row as many cells as the header has columns")));
            continue;
        }
        let cells = header
            .iter()
            .zip(rec.iter())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        out.push(Ok(RawRow { row, cells }));
    }
    Ok(out)
}

fn yaml(text: &str) -> Result<Vec<Result<RawRow, RowError>>, LiveError> {
    let v: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        LiveError::new(format!("malformed YAML: {e}")).help("write a list of mappings")
    })?;
    let serde_yaml::Value::Sequence(items) = v else {
        return Err(LiveError::new("the YAML file is not a list").help("write a list of mappings"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let row = i + 1;
        let serde_yaml::Value::Mapping(map) = item else {
            out.push(Err(RowError::new(row, None, "the item is not a mapping")));
            continue;
        };
        let mut cells = Cells::new();
        let mut bad = None;
        for (k, v) in map {
            let key = match k {
                serde_yaml::Value::String(s) => s.clone(),
                _ => {
                    bad = Some(RowError::new(row, None, "a key is not text"));
                    break;
                }
            };
            let text = match v {
                serde_yaml::Value::Null => continue,
                serde_yaml::Value::String(s) => s.clone(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                serde_yaml::Value::Number(n) => n.to_string(),
                _ => {
                    bad = Some(RowError::new(
                        row,
                        Some(&key),
                        format!("`{key}` is a list or a mapping, not a single value"),
                    ));
                    break;
                }
            };
            if !text.trim().is_empty() {
                cells.insert(key, text);
            }
        }
        out.push(match bad {
            Some(e) => Err(e),
            None => Ok(RawRow { row, cells }),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(pairs: &[(&str, &str)]) -> Cells {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ndjson_keeps_good_rows_beside_a_malformed_one() {
        let body = b"{\"lead\":\"L1\",\"n\":12.5,\"x\":null}\n\n{oops\n{\"lead\":\"L2\",\"b\":true}\n[1]\n";
        let rows = parse(body, InputFormat::Ndjson).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[0],
            Ok(RawRow {
                row: 1,
                cells: cells(&[("lead", "L1"), ("n", "12.5")])
            })
        );
        let e = rows[1].clone().unwrap_err();
        assert_eq!(e.row, 3);
        assert!(e
            .message
            .starts_with("malformed JSON: key must be a string"));
        assert_eq!(
            rows[2].clone().unwrap().cells,
            cells(&[("b", "true"), ("lead", "L2")])
        );
        assert_eq!(
            rows[3].clone().unwrap_err().message,
            "the row is not a JSON object"
        );
    }

    #[test]
    fn csv_rows_are_numbered_by_line_and_blank_cells_are_absent() {
        let body = b"lead,event,at,path\nL1,page_view,2026-01-05 12:25,/x\nL2,pricing_view,2026-01-06,\nL3,oops\n";
        let rows = parse(body, InputFormat::Csv).unwrap();
        assert_eq!(rows[0].clone().unwrap().row, 2);
        assert_eq!(
            rows[1].clone().unwrap().cells,
            cells(&[
                ("at", "2026-01-06"),
                ("event", "pricing_view"),
                ("lead", "L2")
            ])
        );
        assert_eq!(
            rows[2].clone().unwrap_err(),
            RowError::new(4, None, "2 cells for 4 columns")
                .help("give every row as many cells as the header has columns")
        );
    }

    #[test]
    fn a_json_array_and_yaml_list_give_rows_in_order() {
        let rows = parse(br#"[{"id":"L1"},{"id":"L2","size":3}]"#, InputFormat::Json).unwrap();
        assert_eq!(
            rows[1].clone().unwrap().cells,
            cells(&[("id", "L2"), ("size", "3")])
        );
        let rows = parse(
            b"- id: L1\n  size: 4\n- id: L2\n  tags: [a]\n",
            InputFormat::Yaml,
        )
        .unwrap();
        assert_eq!(
            rows[0].clone().unwrap().cells,
            cells(&[("id", "L1"), ("size", "4")])
        );
        assert_eq!(rows[1].clone().unwrap_err().field.as_deref(), Some("tags"));
        assert!(parse(b"{not json", InputFormat::Json).is_err());
    }
}
