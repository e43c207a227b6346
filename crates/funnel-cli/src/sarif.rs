//! SARIF 2.1.0 output of `funnel check --format sarif`, for code-scanning
//! uploaders: one run, one rule per diagnostic code that occurs, one result
//! per diagnostic with its primary region and the secondary labels as
//! related locations.

use std::collections::BTreeMap;

use funnel_check::render::{Locator, Position};
use serde_json::{json, Value};

use crate::report::FileReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn region(p: &Position) -> Value {
    json!({
        "startLine": p.line,
        "startColumn": p.column,
        "endLine": p.end_line,
        "endColumn": p.end_column,
    })
}

/// SARIF paths are URIs relative to the checkout: forward slashes, no `./`.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// The SARIF document for every file checked.
pub fn document(files: &[FileReport]) -> Value {
    // Rules: every code that occurs, sorted, with the first message seen as
    // its short description.
    let mut rules: BTreeMap<&'static str, String> = BTreeMap::new();
    for f in files {
        for d in &f.diagnostics {
            rules.entry(d.code).or_insert_with(|| d.message.clone());
        }
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut results = Vec::new();
    for f in files {
        let locator = Locator::new(&f.source);
        let artifact = json!({ "uri": uri(&f.path) });
        for d in &f.diagnostics {
            let loc = locator.locate(d);
            let text = match &loc.help {
                Some(h) => format!("{}; help: {}", loc.message, h),
                None => loc.message.clone(),
            };
            let related: Vec<Value> = loc
                .labels
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "message": { "text": l.text },
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": region(&l.position),
                        },
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": loc.code,
                "ruleIndex": index.get(loc.code).copied().unwrap_or(0),
                "level": if d.is_error() { "error" } else { "warning" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": region(&loc.position),
                    },
                }],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            results.push(result);
        }
    }
    let rules_json: Vec<Value> = rules
        .iter()
        .map(|(code, msg)| {
            json!({
                "id": code,
                "name": code.rsplit("::").next().unwrap_or(code),
                "shortDescription": { "text": msg },
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "funnel",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules_json,
                },
            },
            "results": results,
        }],
    })
}
