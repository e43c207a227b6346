//! `funnel test` for people: one line per test (`ok   FILE: "name"` or
//! `FAIL …`), under a failure each failed expectation with its line and what
//! the lead had instead, then the lead's timeline up to the instant it was
//! judged at (the `funnel explain` view); at the end coverage, when asked,
//! and the closing line `N passed, N failed`.

use funnel_engine::display::fmt_time_short;
use funnel_engine::Compiled;
use funnel_testing::{Coverage, TestRun, Timeline};

use super::{FileOutcome, FileResult, Summary};

/// A percentage with one decimal: `92.5%`.
pub(super) fn pct(p: f64) -> String {
    format!("{p:.1}%")
}

/// Every test of one playbook.
pub(super) fn file(o: &FileOutcome) -> String {
    let path = &o.path;
    match &o.result {
        FileResult::Error(why) => format!("ERR  {path}: {why}\n"),
        FileResult::Ran {
            tests, compiled, ..
        } => tests.iter().map(|t| test(path, compiled, t)).collect(),
    }
}

fn test(path: &str, c: &Compiled, t: &TestRun) -> String {
    if t.passed() {
        return format!("ok   {path}: \"{}\"\n", t.name);
    }
    let mut out = format!("FAIL {path}: \"{}\"\n", t.name);
    for tl in &t.timelines {
        for f in t.failures.iter().filter(|f| f.at == tl.at) {
            out.push_str(&format!("  {path}:{}: {}\n", f.line, f.source));
            out.push_str(&format!("    expected: {}\n", f.expected));
            out.push_str(&format!("    actual:   {}\n", f.actual));
            if let Some(n) = &f.note {
                out.push_str(&format!("    note:     {n}\n"));
            }
        }
        out.push_str(&format!("  {}:\n", timeline_title(c, tl)));
        for line in tl.text.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out.push('\n');
    }
    out
}

pub(super) fn timeline_title(c: &Compiled, tl: &Timeline) -> String {
    match tl.at {
        None => "timeline (the test has no events)".to_string(),
        Some(t) if tl.end => format!(
            "timeline up to {} (the end of the test)",
            fmt_time_short(t, c.tz)
        ),
        Some(t) => format!("timeline up to {}", fmt_time_short(t, c.tz)),
    }
}

/// Coverage (when asked), the filter and error counts, and the closing line.
pub(super) fn summary(
    outcomes: &[FileOutcome],
    s: &Summary,
    coverage: bool,
    filtered: bool,
    gap: bool,
) -> String {
    let mut out = String::new();
    if !gap {
        out.push('\n');
    }
    if coverage {
        for o in outcomes {
            if let FileResult::Ran { coverage, .. } = &o.result {
                out.push_str(&file_coverage(&o.path, coverage));
            }
        }
        out.push_str(&format!(
            "coverage: {} overall ({} of {})\n",
            pct(s.percent()),
            s.covered,
            s.items
        ));
        out.push('\n');
    }
    if filtered {
        out.push_str(&format!("{} filtered out\n", s.filtered));
    }
    if s.errors > 0 {
        let (n, what) = if s.errors == 1 {
            (1, "playbook has errors; its tests did not run")
        } else {
            (s.errors, "playbooks have errors; their tests did not run")
        };
        out.push_str(&format!("{n} {what}\n"));
    }
    out.push_str(&format!("{} passed, {} failed\n", s.passed, s.failed));
    out
}

/// One playbook's coverage: the percentage and every item not exercised.
pub(crate) fn file_coverage(path: &str, cov: &Coverage) -> String {
    let p = funnel_testing::coverage::percent(cov.hit(), cov.total());
    let mut out = format!(
        "coverage of {path}: {} ({} of {})\n",
        pct(p),
        cov.hit(),
        cov.total()
    );
    for item in cov.missed() {
        out.push_str(&format!("{path}:{}: {}\n", item.line, item.text));
    }
    out
}
