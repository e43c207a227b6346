//! A code lens over each `test` block: it runs the test on the engine (the
//! same replay as `funnel test`) and shows `ok` or `FAIL` with how many
//! expectations failed; clicking it (the `funnel.runTest` command) runs the
//! test again and shows each failure with its line, expected and actual.

use std::collections::HashMap;

use lsp_types::{CodeLens, Command, ExecuteCommandParams, MessageType, ShowMessageParams, Uri};
use serde_json::{json, Value};

use funnel_syntax::ast::Decl;
use funnel_testing::{self as testing, TestRun};

use crate::document::Doc;
use crate::index::Kind;
use crate::refusal::Refusal;

/// The command a test's lens runs: arguments `[uri, test name]`.
pub const RUN_TEST: &str = "funnel.runTest";

pub fn lenses(doc: &Doc) -> Vec<CodeLens> {
    let a = doc.analysis();
    let tests: Vec<(String, funnel_syntax::Span)> = match &a.ast {
        Some(book) => book
            .decls
            .iter()
            .filter_map(|d| match d {
                Decl::Test(t) => Some((t.name.value.clone(), t.name.span)),
                _ => None,
            })
            .collect(),
        None => a
            .index
            .of_kind(Kind::Test)
            .map(|(_, s)| (s.name.clone(), s.def))
            .collect(),
    };
    let results = run_all(doc);
    tests
        .into_iter()
        .map(|(name, span)| {
            let title = match &results {
                Err(_) => "▶ run test (the playbook has errors)".to_string(),
                Ok(runs) => match runs.iter().find(|r| r.name == name) {
                    Some(r) if r.passed() => "✓ ok · run test".to_string(),
                    Some(r) => format!(
                        "✗ FAIL: {} of {} expectations · run test",
                        r.failures.len(),
                        r.expectations
                    ),
                    None => "▶ run test".to_string(),
                },
            };
            let line = doc.range(span).start.line;
            CodeLens {
                range: lsp_types::Range::new(
                    lsp_types::Position::new(line, 0),
                    lsp_types::Position::new(line, 0),
                ),
                command: Some(Command {
                    title,
                    command: RUN_TEST.to_string(),
                    arguments: Some(vec![json!(doc.uri.as_str()), json!(name)]),
                }),
                data: None,
            }
        })
        .collect()
}

/// Every test of the document, run; why not when it cannot run.
fn run_all(doc: &Doc) -> Result<Vec<TestRun>, String> {
    let Some(program) = doc.program() else {
        let errors = doc.diagnostics().iter().filter(|d| d.is_error()).count();
        let s = if errors == 1 { "" } else { "s" };
        return Err(format!(
            "the playbook has {errors} error{s}; fix them to run its tests"
        ));
    };
    let c = funnel_engine::compile(program, &doc.text);
    Ok(testing::tests(program)
        .into_iter()
        .map(|t| testing::run_test(&c, &doc.text, t))
        .collect())
}

/// What running a command gave: the answer and a message for the user.
pub struct Outcome {
    pub result: Value,
    pub message: ShowMessageParams,
}

pub fn execute(
    docs: &HashMap<Uri, Doc>,
    params: &ExecuteCommandParams,
) -> Result<Outcome, Refusal> {
    if params.command != RUN_TEST {
        return Err(Refusal::invalid(format!(
            "unknown command `{}`; funnel lsp runs `{RUN_TEST}`",
            params.command
        )));
    }
    let (uri, name) = match params.arguments.as_slice() {
        [Value::String(u), Value::String(n)] => (u.as_str(), n.as_str()),
        _ => {
            return Err(Refusal::invalid(format!(
                "`{RUN_TEST}` takes two arguments: the document's URI and the test's name"
            )))
        }
    };
    let doc = docs
        .iter()
        .find(|(u, _)| u.as_str() == uri)
        .map(|(_, d)| d)
        .ok_or_else(|| Refusal::invalid(format!("`{uri}` is not open")))?;
    let runs = match run_all(doc) {
        Ok(r) => r,
        Err(why) => {
            return Ok(Outcome {
                result: json!({ "name": name, "status": "error", "message": why }),
                message: ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("test \"{name}\" did not run: {why}"),
                },
            })
        }
    };
    let run = runs
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Refusal::invalid(format!("there is no test \"{name}\" in `{uri}`")))?;
    let failures: Vec<Value> = run
        .failures
        .iter()
        .map(|f| json!({ "line": f.line, "expectation": f.source, "expected": f.expected, "actual": f.actual }))
        .collect();
    let (status, typ) = if run.passed() {
        ("ok", MessageType::INFO)
    } else {
        ("FAIL", MessageType::ERROR)
    };
    let mut message = format!("{status}: test \"{name}\"");
    for f in &run.failures {
        message.push_str(&format!(
            "\nline {}: {} — expected {}, actual {}",
            f.line, f.source, f.expected, f.actual
        ));
    }
    Ok(Outcome {
        result: json!({ "name": name, "status": status, "expectations": run.expectations, "failures": failures }),
        message: ShowMessageParams { typ, message },
    })
}
