//! `funnel test` for machines: a versioned JSON document (every test, every
//! failure with its line, expected and actual value, and coverage when
//! asked), and JUnit XML for CI test reports (one `<testsuite>` per
//! playbook, one `<testcase>` per test, a `<failure>` for a failed test, an
//! `<error>` for a playbook that does not check).

use funnel_engine::output::fmt_time;
use funnel_engine::testing::{Coverage, Failure, TestRun};
use funnel_engine::Compiled;
use serde_json::{json, Value};

use super::{FileOutcome, FileResult, Summary};

/// The JSON document.
pub(super) fn json(outcomes: &[FileOutcome], s: &Summary, coverage: bool) -> Value {
    let files: Vec<Value> = outcomes
        .iter()
        .map(|o| match &o.result {
            FileResult::Error(why) => json!({
                "path": o.path,
                "status": "error",
                "error": why,
                "tests": [],
            }),
            FileResult::Ran {
                tests,
                compiled,
                coverage: cov,
            } => {
                let mut f = json!({
                    "path": o.path,
                    "status": "ok",
                    "tests": tests.iter().map(|t| test_json(compiled, t)).collect::<Vec<_>>(),
                });
                if coverage {
                    f["coverage"] = coverage_json(cov);
                }
                f
            }
        })
        .collect();
    let mut summary = json!({
        "passed": s.passed,
        "failed": s.failed,
        "filtered_out": s.filtered,
        "errors": s.errors,
    });
    if coverage {
        summary["coverage"] = json!({
            "items": s.items,
            "covered": s.covered,
            "percent": round1(s.percent()),
        });
    }
    json!({ "version": 1, "files": files, "summary": summary })
}

fn round1(p: f64) -> f64 {
    (p * 10.0).round() / 10.0
}

fn test_json(c: &Compiled, t: &TestRun) -> Value {
    let failures: Vec<Value> = t
        .failures
        .iter()
        .map(|f| {
            let timeline = t.timelines.iter().find(|tl| tl.at == f.at);
            json!({
                "line": f.line,
                "expectation": f.source,
                "expected": f.expected,
                "actual": f.actual,
                "at": f.at.map(|at| fmt_time(at, c.tz)),
                "note": f.note,
                "timeline": timeline.map(|tl| tl.text.as_str()),
            })
        })
        .collect();
    json!({
        "name": t.name,
        "line": t.line,
        "status": if t.passed() { "passed" } else { "failed" },
        "expectations": t.expectations,
        "failures": failures,
    })
}

fn coverage_json(cov: &Coverage) -> Value {
    let missed: Vec<Value> = cov
        .missed()
        .map(|i| json!({ "line": i.line, "item": i.text }))
        .collect();
    json!({
        "items": cov.total(),
        "covered": cov.hit(),
        "percent": round1(funnel_engine::testing::coverage::percent(cov.hit(), cov.total())),
        "missed": missed,
    })
}

/// The JUnit XML document.
pub(super) fn junit(outcomes: &[FileOutcome], s: &Summary) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"funnel test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        s.passed + s.failed + s.errors,
        s.failed,
        s.errors
    ));
    for o in outcomes {
        let path = esc(&o.path);
        match &o.result {
            FileResult::Error(why) => {
                out.push_str(&format!(
                    "  <testsuite name=\"{path}\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                ));
                out.push_str(&format!(
                    "    <testcase name=\"check\" classname=\"{path}\" file=\"{path}\">\n"
                ));
                out.push_str(&format!("      <error message=\"{}\"/>\n", esc(why)));
                out.push_str("    </testcase>\n  </testsuite>\n");
            }
            FileResult::Ran {
                tests, compiled, ..
            } => {
                let failed = tests.iter().filter(|t| !t.passed()).count();
                out.push_str(&format!(
                    "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">\n",
                    tests.len()
                ));
                for t in tests {
                    out.push_str(&testcase(&path, compiled, t));
                }
                out.push_str("  </testsuite>\n");
            }
        }
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(path: &str, c: &Compiled, t: &TestRun) -> String {
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\" line=\"{}\"",
        esc(&t.name),
        t.line
    );
    if t.passed() {
        return format!("{open}/>\n");
    }
    let mut body = String::new();
    for tl in &t.timelines {
        for f in t.failures.iter().filter(|f| f.at == tl.at) {
            body.push_str(&failure_text(f));
        }
        body.push_str(&format!(
            "{}:\n{}\n",
            super::human::timeline_title(c, tl),
            tl.text
        ));
    }
    let mut message = t.failures.first().map(summary_line).unwrap_or_default();
    if t.failures.len() > 1 {
        message.push_str(&format!(" (and {} more)", t.failures.len() - 1));
    }
    format!(
        "{open}>\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>\n",
        esc(&message),
        esc(&body)
    )
}

fn summary_line(f: &Failure) -> String {
    format!("line {}: {}: actual {}", f.line, f.source, f.actual)
}

fn failure_text(f: &Failure) -> String {
    let mut s = format!(
        "line {}: {}\n  expected: {}\n  actual:   {}\n",
        f.line, f.source, f.expected, f.actual
    );
    if let Some(n) = &f.note {
        s.push_str(&format!("  note:     {n}\n"));
    }
    s
}

/// Escape text for XML content and attribute values; characters XML 1.0
/// cannot hold are dropped.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            esc("a < b && \"c\" > 'd'\u{1}"),
            "a &lt; b &amp;&amp; &quot;c&quot; &gt; &apos;d&apos;"
        );
        assert_eq!(esc("line\none"), "line\none");
    }
}
