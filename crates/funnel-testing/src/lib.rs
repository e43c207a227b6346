//! `test` blocks run on the engine: each test is one lead (its `lead { … }`
//! record, id `test` unless the record gives an `id`), a timeline of events
//! and inputs, replayed by the same [`run`](funnel_engine::run) as real data with a
//! simulated clock, and expectations judged against the outcome.
//!
//! A test ends at its last event: plain expectations judge the state then.
//! `expect at T …` judges the state at T, after every event and timer at or
//! before T (a separate replay up to T, so timers run on past the last event
//! when T is later). Pure code: the CLI hands in the checked program, the
//! compiled playbook and its text, and prints the [`TestRun`]s.

pub mod coverage;
mod judge;
pub mod values;

use std::collections::BTreeSet;

use funnel_check::Program;
use funnel_syntax::ast::{Decl, TestDecl, TestItem};
use funnel_syntax::{LineIndex, Span};

use funnel_engine::compile::Compiled;
use funnel_engine::data::{Dataset, EventRec};
use funnel_engine::value::Value;
use funnel_engine::{run, Outcome, RunOptions};

pub use coverage::Coverage;

/// The id of a test's lead when its record gives none.
pub const TEST_LEAD_ID: &str = "test";

/// An expectation that did not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Source line of the `expect`.
    pub line: u32,
    /// The `expect` line as written (comment and padding removed).
    pub source: String,
    /// What should hold: `stage == SQL`, `score engagement == 80`.
    pub expected: String,
    /// What the lead had instead: `MQL`, `75`, `never sent`.
    pub actual: String,
    /// The instant the state was judged at (`None`: the test has no events).
    pub at: Option<i64>,
    /// A hint about what to write instead, when there is one.
    pub note: Option<String>,
}

/// The lead's timeline up to an instant a failure was judged at.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub at: Option<i64>,
    /// True when `at` is the end of the test (its last event).
    pub end: bool,
    /// The `explain` view of the test lead.
    pub text: String,
}

/// The result of one test.
#[derive(Clone, Debug)]
pub struct TestRun {
    pub name: String,
    /// Source line of `test "…"`.
    pub line: u32,
    pub expectations: usize,
    /// Failed expectations, in source order.
    pub failures: Vec<Failure>,
    /// One timeline per instant some failure was judged at, in time order.
    pub timelines: Vec<Timeline>,
    /// What the test exercised (for [`Coverage`]).
    pub exercised: BTreeSet<coverage::Key>,
}

impl TestRun {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The `test` blocks of a playbook, in source order.
pub fn tests(program: &Program) -> Vec<&TestDecl> {
    program
        .ast
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Test(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Where things are in the playbook's text.
pub(crate) struct Source<'a> {
    pub text: &'a str,
    index: LineIndex,
}

impl Source<'_> {
    pub fn line(&self, span: Span) -> u32 {
        u32::try_from(self.index.line_col(self.text, span.start as usize).line).unwrap_or(u32::MAX)
    }

    /// The first line of a span's text, comment removed, spaces collapsed.
    pub fn snippet(&self, span: Span) -> String {
        let t = self.text.get(span.range()).unwrap_or_default();
        let t = funnel_engine::source::strip_comment(t.lines().next().unwrap_or_default());
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Run one test of a playbook compiled as `c` from `text`.
pub fn run_test(c: &Compiled, text: &str, t: &TestDecl) -> TestRun {
    let src = Source {
        text,
        index: LineIndex::new(text),
    };
    let (ds, inputs) = dataset(c, t);
    let end = ds.events.recs.iter().map(|r| r.at).max();
    let judged = judge::plan(c, t, end);
    // One replay per instant judged; the latest one's trace covers them all.
    let mut outcomes: Vec<(Option<i64>, Outcome)> = Vec::new();
    for at in judged.instants() {
        let opts = RunOptions {
            coverage: false,
            as_of: at,
            trace: Some(0),
            inputs: inputs.clone(),
        };
        outcomes.push((at, run(c, &ds, &opts, &mut |_, _| {})));
    }
    let mut failures = Vec::new();
    let mut expectations = 0;
    for item in &t.items {
        let TestItem::Expect { at, what, span } = item else {
            continue;
        };
        expectations += 1;
        let when = judged.instant_of(c, at.as_ref());
        let Some((_, o)) = outcomes.iter().find(|(t, _)| *t == when) else {
            continue;
        };
        let cx = judge::Judge {
            c,
            ds: &ds,
            o,
            src: &src,
            end,
        };
        if let Some(mut f) = cx.check(what, *span, at.as_ref()) {
            f.at = when;
            failures.push(f);
        }
    }
    // A lead that did not settle has no trustworthy state: the test fails
    // at the first replay that shows it, whatever its expectations say.
    if let Some((at, u)) = outcomes
        .iter()
        .find_map(|(at, o)| o.unsettled.first().map(|u| (*at, u)))
    {
        failures.push(unsettled_failure(c, &src, t, u, at));
    }
    let mut timelines: Vec<Timeline> = Vec::new();
    let mut failed_at: Vec<Option<i64>> = failures.iter().map(|f| f.at).collect();
    failed_at.sort();
    failed_at.dedup();
    for at in failed_at {
        if let Some((_, o)) = outcomes.iter().find(|(t, _)| *t == at) {
            timelines.push(Timeline {
                at,
                end: at == end,
                text: funnel_engine::explain::timeline(c, &ds, o, 0),
            });
        }
    }
    let exercised = outcomes
        .iter()
        .max_by_key(|(t, _)| *t)
        .map(|(_, o)| coverage::exercised(&o.trace))
        .unwrap_or_default();
    TestRun {
        name: t.name.value.clone(),
        line: src.line(t.name.span),
        expectations,
        failures,
        timelines,
        exercised,
    }
}

/// The failure of a test whose lead reached a settle limit: located at the
/// first rule or step still changing (the test's line when none is known).
fn unsettled_failure(
    c: &Compiled,
    src: &Source<'_>,
    t: &TestDecl,
    u: &funnel_engine::unsettled::Unsettled,
    at: Option<i64>,
) -> Failure {
    let involved = coverage::involved(u, c, src.text);
    let (line, source) = match involved.first() {
        Some(i) => (i.line, i.text.clone()),
        None => (src.line(t.name.span), format!("test {:?}", t.name.value)),
    };
    let others: Vec<String> = involved
        .iter()
        .skip(1)
        .map(|i| format!("line {}: {}", i.line, i.text))
        .collect();
    let mut actual = format!(
        "still changing after {} at {}",
        u.limit.describe(),
        funnel_engine::display::fmt_time_short(u.at, c.tz)
    );
    if !others.is_empty() {
        actual.push_str(&format!(", with {}", others.join("; ")));
    }
    Failure {
        line,
        source,
        expected: "the rules settle after every change (docs/language.md, \"Settle limits\")"
            .to_string(),
        actual,
        at,
        note: Some(
            "rules that keep enabling each other have no result; make one of them depend on something the others do not change"
                .to_string(),
        ),
    }
}

/// The test's one lead and its events, and the inputs' values.
fn dataset(c: &Compiled, t: &TestDecl) -> (Dataset, Vec<Value>) {
    let mut ds = Dataset::new(c);
    let mut id = TEST_LEAD_ID.to_string();
    let mut lead = vec![Value::Missing; c.lead_fields.len()];
    let mut inputs: Vec<Value> = c
        .inputs
        .iter()
        .map(|i| i.default.unwrap_or(Value::Missing))
        .collect();
    let mut seq = 0u32;
    for item in &t.items {
        match item {
            TestItem::Lead(fields, _) => {
                for rf in fields {
                    let name = rf.name.name.as_str();
                    match c.lead_fields.iter().position(|f| f.name == name) {
                        Some(i) => {
                            let ty = &c.lead_fields[i].ty;
                            lead[i] = values::value(c, &mut ds.texts, ty, &rf.value);
                        }
                        None if name == "id" => {
                            if let funnel_syntax::ast::ExprKind::Lit(
                                funnel_syntax::ast::Literal::Str(s),
                            ) = &rf.value.kind
                            {
                                id = s.value.clone();
                            }
                        }
                        None => {}
                    }
                }
            }
            TestItem::Event {
                at, event, fields, ..
            } => {
                let (Some(e), Some(at)) = (c.event_index(&event.name), values::instant(c, at))
                else {
                    continue;
                };
                let def = &c.events[e];
                let off = u32::try_from(ds.events.values.len()).unwrap_or(u32::MAX);
                for f in &def.fields {
                    let v = fields
                        .iter()
                        .find(|rf| rf.name.name == f.name)
                        .map_or(Value::Missing, |rf| {
                            values::value(c, &mut ds.texts, &f.ty, &rf.value)
                        });
                    ds.events.values.push(v);
                }
                ds.events.recs.push(EventRec {
                    at,
                    lead: 0,
                    off,
                    seq,
                    event: u16::try_from(e).unwrap_or(u16::MAX),
                });
                seq += 1;
            }
            TestItem::Input(name, value, _) => {
                if let Some(i) = c.inputs.iter().position(|x| x.name == name.name) {
                    let ty = c.inputs[i].ty.ty.clone();
                    inputs[i] = values::value(c, &mut ds.texts, &ty, value);
                }
            }
            TestItem::Expect { .. } => {}
        }
    }
    ds.leads.ids.push(id.as_str().into());
    ds.leads.index.insert(id.as_str().into(), 0);
    ds.leads.values = lead;
    ds.events.sort();
    (ds, inputs)
}

#[cfg(test)]
mod tests;
