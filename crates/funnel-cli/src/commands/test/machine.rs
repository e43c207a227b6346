//! `funnel test` for machines: a versioned JSON document (every test, every
//! failure with its line, expected and actual value, and coverage when
//! asked), and JUnit XML for CI test reports (one `<testsuite>` per
//! playbook, one `<testcase>` per test, a `<failure>` for a failed test, an
//! `<error>` for a playbook that does not check).

use funnel_engine::display::fmt_time;
use funnel_engine::Compiled;
use funnel_testing::{Coverage, Failure, TestRun};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
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
        "percent": round1(funnel_testing::coverage::percent(cov.hit(), cov.total())),
        "missed": missed,
    })
}

/// The JUnit XML document, written by the `quick-junit` crate.
pub(super) fn junit(outcomes: &[FileOutcome], _s: &Summary) -> String {
    let mut report = Report::new("funnel test");
    for o in outcomes {
        let mut suite = TestSuite::new(o.path.as_str());
        match &o.result {
            FileResult::Error(why) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(why.as_str());
                let mut case = TestCase::new("check", status);
                case.set_classname(o.path.as_str());
                case.extra.insert("file".into(), o.path.as_str().into());
                suite.add_test_case(case);
            }
            FileResult::Ran {
                tests, compiled, ..
            } => {
                for t in tests {
                    suite.add_test_case(testcase(&o.path, compiled, t));
                }
            }
        }
        report.add_test_suite(suite);
    }
    // Serialising strings the crate built can only fail on a bug of its own;
    // say so in the document rather than panic.
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- junit report failed: {} -->\n", esc(&e.to_string())))
}

fn testcase(path: &str, c: &Compiled, t: &TestRun) -> TestCase {
    let status = if t.passed() {
        TestCaseStatus::success()
    } else {
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
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(message)
            .set_type("expectation")
            .set_description(body);
        status
    };
    let mut case = TestCase::new(t.name.as_str(), status);
    case.set_classname(path);
    case.extra.insert("file".into(), path.into());
    case.extra.insert("line".into(), t.line.to_string().into());
    case
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
