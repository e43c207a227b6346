//! `funnel test`: the `tests/test/*.funnel` corpus and the repository's own
//! playbooks.
//!
//! Each corpus file is one case: `funnel test tests/test/NAME.funnel` run
//! from the repository root (so paths in the output are relative), with the
//! extra arguments of a `# args: …` line at the top of the file. The exit
//! code, stdout and stderr are snapshotted (twice-run, byte-identical).
//! Adding a case is adding a file (then `INSTA_UPDATE=always cargo test -p
//! funnel-cli --test test_corpus` and review the new snapshot).
//!
//! Beside the corpus: every test in `playbooks/` and `examples/` passes,
//! `--coverage` reports at least 90% of `playbooks/` covered, and the JSON and
//! JUnit outputs parse and carry the right counts.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{funnel, root};

/// The `# args: …` of a corpus file, split on spaces.
fn header_args(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# args:"))
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

#[test]
fn corpus() {
    let mut seen = 0;
    insta::glob!("../../../tests/test", "*.funnel", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).unwrap();
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let mut args = vec!["test".to_string(), rel.clone()];
        args.extend(header_args(&text));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let first = funnel(&args);
        let second = funnel(&args);
        assert_eq!(first, second, "{rel}: two runs differ");
        let (code, stdout, stderr) = first;
        insta::assert_snapshot!(format!(
            "$ funnel {}\nexit: {code}\n----- stdout\n{stdout}----- stderr\n{stderr}",
            args.join(" ")
        ));
    });
    assert!(seen >= 6, "expected at least 6 corpus files, found {seen}");
}

/// The closing lines of the human output: `N passed, N failed` last.
fn closing(stdout: &str) -> &str {
    stdout.lines().last().unwrap_or_default()
}

#[test]
fn playbooks_and_examples_pass() {
    let (code, stdout, stderr) = funnel(&["test", "playbooks", "examples"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let ok = stdout.lines().filter(|l| l.starts_with("ok   ")).count();
    assert!(
        ok >= 33,
        "expected at least 33 tests, found {ok}:\n{stdout}"
    );
    assert_eq!(closing(&stdout), format!("{ok} passed, 0 failed"));
    assert!(!stdout.contains("FAIL"));
}

#[test]
fn playbooks_are_at_least_90_percent_covered() {
    let (code, stdout, stderr) = funnel(&["test", "playbooks", "--coverage-min", "90"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("coverage: ") && l.contains(" overall "))
        .unwrap_or_else(|| panic!("no overall coverage line:\n{stdout}"));
    let pct: f64 = line["coverage: ".len()..]
        .split('%')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("cannot read `{line}`"));
    assert!(pct >= 90.0, "{line}");
    // Every playbook has a per-file line.
    for name in ["enterprise_outbound", "saas_inbound", "webinar_nurture"] {
        assert!(
            stdout.contains(&format!("coverage of playbooks/{name}.funnel: ")),
            "{name}:\n{stdout}"
        );
    }
}

#[test]
fn coverage_min_fails_below_the_minimum() {
    let (code, stdout, stderr) = funnel(&[
        "test",
        "tests/test/coverage.funnel",
        "--coverage-min",
        "40.1",
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("coverage: 40.0% overall (10 of 25)\n"));
    assert_eq!(
        stderr,
        "funnel::test::coverage_below_minimum\n\n  \
         × coverage 40.0% is below the minimum of 40.1%\n  \
         help: add tests that exercise the items listed by `funnel test --coverage`\n\n"
    );
    let (code, _, _) = funnel(&["test", "tests/test/coverage.funnel", "--coverage-min", "40"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = funnel(&[
        "test",
        "tests/test/coverage.funnel",
        "--coverage-min",
        "140",
    ]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn usage_problems_exit_2() {
    let (code, stdout, stderr) = funnel(&["test", "tests/test/no-such-file.funnel"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "\n0 passed, 0 failed\n");
    assert!(stderr.starts_with(
        "funnel::cli::unreadable\n\n  × cannot read `tests/test/no-such-file.funnel`: no such file or directory\n"
    ));
    let (code, _, stderr) = funnel(&["test", "grammar"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("funnel::cli::no_playbooks\n\n  × no `.funnel` files in `grammar`\n"),
        "{stderr}"
    );
    // A check error wins over a failing test.
    let (code, stdout, _) = funnel(&[
        "test",
        "tests/test/failing.funnel",
        "tests/test/check_error.funnel",
    ]);
    assert_eq!(code, 2);
    assert_eq!(closing(&stdout), "1 passed, 2 failed");
}

#[test]
fn json_output_parses_with_the_right_counts() {
    let (code, stdout, _) = funnel(&[
        "test",
        "--format",
        "json",
        "--coverage",
        "tests/test/failing.funnel",
        "tests/test/passing.funnel",
        "tests/test/check_error.funnel",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    let s = &doc["summary"];
    assert_eq!(
        (&s["passed"], &s["failed"], &s["errors"], &s["filtered_out"]),
        (&5.into(), &2.into(), &1.into(), &0.into())
    );
    let files = doc["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "tests/test/check_error.funnel",
            "tests/test/failing.funnel",
            "tests/test/passing.funnel"
        ]
    );
    assert_eq!(files[0]["status"], "error");
    let failing = files[1]["tests"].as_array().unwrap();
    assert_eq!(failing.len(), 3);
    assert_eq!(failing[1]["status"], "failed");
    let failures = failing[1]["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 11);
    let f = &failures[0];
    assert_eq!(f["line"], 58);
    assert_eq!(f["expectation"], "expect at 2026-03-02 09:30 stage == MQL");
    assert_eq!(f["expected"], "stage == MQL");
    assert_eq!(f["actual"], "Lead");
    assert_eq!(f["at"], "2026-03-02T09:30:00-05:00");
    assert!(f["timeline"].as_str().unwrap().starts_with("lead test\n"));
    assert_eq!(files[2]["coverage"]["percent"], 100.0);
}

/// A minimal XML well-formedness check: tags balance, attribute values are
/// quoted, and text holds no raw `<` or stray `&`. Returns the element
/// names in document order.
fn xml_elements(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().expect("tag name").to_string();
            check_attributes(&tag[name.len()..]);
            names.push(name.clone());
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    names
}

fn check_text(text: &str) {
    assert!(
        !text.contains('<') && !text.contains('>'),
        "raw bracket in {text:?}"
    );
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
            "stray & in {text:?}"
        );
    }
}

fn check_attributes(attrs: &str) {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest.find("=\"").expect("attribute without a quoted value");
        let end = rest[eq + 2..].find('"').expect("unterminated attribute") + eq + 2;
        check_text(&rest[eq + 2..end]);
        rest = rest[end + 1..].trim_start();
    }
}

fn attr<'x>(xml: &'x str, element: &str, name: &str) -> Vec<&'x str> {
    xml.match_indices(&format!("<{element} "))
        .filter_map(|(i, _)| {
            let tag = &xml[i..i + xml[i..].find('>')?];
            let key = format!(" {name}=\"");
            let start = tag.find(&key)? + key.len();
            Some(&tag[start..start + tag[start..].find('"')?])
        })
        .collect()
}

#[test]
fn junit_output_is_well_formed_with_the_right_counts() {
    let (code, xml, _) = funnel(&[
        "test",
        "--format",
        "junit",
        "tests/test/failing.funnel",
        "tests/test/junit.funnel",
        "tests/test/check_error.funnel",
    ]);
    assert_eq!(code, 2);
    let names = xml_elements(&xml);
    let count = |n: &str| names.iter().filter(|x| *x == n).count();
    assert_eq!(count("testsuites"), 1);
    assert_eq!(count("testsuite"), 3);
    assert_eq!(count("testcase"), 3 + 2 + 1);
    assert_eq!(count("failure"), 3);
    assert_eq!(count("error"), 1);
    assert_eq!(attr(&xml, "testsuites", "tests"), ["6"]);
    assert_eq!(attr(&xml, "testsuites", "failures"), ["3"]);
    assert_eq!(attr(&xml, "testsuites", "errors"), ["1"]);
    assert_eq!(attr(&xml, "testsuite", "tests"), ["1", "3", "2"]);
    assert_eq!(attr(&xml, "testsuite", "failures"), ["0", "2", "1"]);
    assert_eq!(
        attr(&xml, "failure", "message")[0],
        "line 58: expect at 2026-03-02 09:30 stage == MQL: actual Lead (and 10 more)"
    );
}

#[test]
fn filter_counts_what_it_leaves_out() {
    let (code, stdout, _) = funnel(&["test", "playbooks", "--filter", "SDR"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "ok   playbooks/webinar_nurture.funnel: \
         \"an attendee who clicks the follow-up is handed to an SDR\"\n\
         \n13 filtered out\n1 passed, 0 failed\n"
    );
    // A filter that matches nothing is a mistake: exit 2, with the names.
    let (code, stdout, stderr) = funnel(&["test", "playbooks", "--filter", "no such test"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "\n14 filtered out\n0 passed, 0 failed\n");
    assert!(
        stderr.starts_with(
            "funnel::test::no_match\n\n  × no test name contains `no such test`\n  help: the tests are: \"an outbound deal closes in 84 days\""
        ),
        "{stderr}"
    );
}
