//! SARIF 2.1.0 output of `funnel check --format sarif`, for code-scanning
//! uploaders: one run, one rule per diagnostic code that occurs, one result
//! per diagnostic with its primary region and the secondary labels as
//! related locations.
//!
//! The document is typed: the structs below (fields in alphabetical order,
//! the order the output has always had) are the subset of the SARIF
//! 2.1.0 schema Funnel emits, serialised by serde with SARIF's camelCase
//! names. (`serde-sarif` generates the whole schema from JSON in a build
//! script with `syn` and `prettyplease`, a heavy build for these few types.)

use std::collections::BTreeMap;

use funnel_check::render::{Locator, Position};
use serde::Serialize;

use crate::report::FileReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
pub struct Sarif {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: Vec<Run>,
    version: &'static str,
}

#[derive(Serialize)]
struct Run {
    results: Vec<SarifResult>,
    tool: Tool,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    rules: Vec<Rule>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Message,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    level: &'static str,
    locations: Vec<Location>,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    rule_id: &'static str,
    rule_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

fn region(p: &Position) -> Region {
    Region {
        start_line: p.line,
        start_column: p.column,
        end_line: p.end_line,
        end_column: p.end_column,
    }
}

/// SARIF paths are URIs relative to the checkout: forward slashes, no `./`.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// The SARIF document for every file checked.
pub fn document(files: &[FileReport]) -> Sarif {
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
        let artifact = ArtifactLocation { uri: uri(&f.path) };
        for d in &f.diagnostics {
            let loc = locator.locate(d);
            let text = match &loc.help {
                Some(h) => format!("{}; help: {}", loc.message, h),
                None => loc.message.clone(),
            };
            let related_locations = loc
                .labels
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, l)| Location {
                    id: Some(i),
                    message: Some(Message {
                        text: l.text.clone(),
                    }),
                    physical_location: PhysicalLocation {
                        artifact_location: artifact.clone(),
                        region: region(&l.position),
                    },
                })
                .collect();
            results.push(SarifResult {
                rule_id: d.code,
                rule_index: index.get(d.code).copied().unwrap_or(0),
                level: if d.is_error() { "error" } else { "warning" },
                message: Message { text },
                locations: vec![Location {
                    id: None,
                    message: None,
                    physical_location: PhysicalLocation {
                        artifact_location: artifact.clone(),
                        region: region(&loc.position),
                    },
                }],
                related_locations,
            });
        }
    }
    let rules = rules
        .into_iter()
        .map(|(code, msg)| Rule {
            id: code,
            name: code.rsplit("::").next().unwrap_or(code),
            short_description: Message { text: msg },
        })
        .collect();
    Sarif {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "funnel",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
        }],
    }
}
