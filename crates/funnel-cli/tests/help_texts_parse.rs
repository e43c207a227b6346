//! Every piece of code a diagnostic suggests parses when pasted back in,
//! and syntax errors inside blocks point at the offending token (issue 14).
//!
//! The suggestions are the backticked snippets of every help text the
//! checker prints for the error corpus (`tests/check/err`). A snippet of
//! more than one word must parse in one of the places such code goes (a
//! declaration, a line of a `funnel`, `score`, `nurture`, `calendar`, `lead`
//! or `test` block, a rule modifier, an expression, a cron string), with
//! its placeholders (`EVENT`, `CONDITION`, `N`, `D`, `...`) filled in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;

/// Snippets that describe a shape or name a construct, not code to paste.
const DESCRIPTIONS: [&str; 5] = [
    "MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK", // the fields of a cron expression
    "else if",                                 // names the chain the nesting limit counts
    "expect kpi",                              // names the expectation
    "limit sends",                             // names the declaration
    "send within",                             // names the nurture setting
];

/// The snippet with its placeholders filled in.
fn fill(s: &str) -> String {
    let words: Vec<String> = s
        .split(' ')
        .map(|w| {
            match w {
                "EVENT" => "signup",
                "CONDITION" => "engagement >= 50",
                "N" => "50",
                "D" => "7 days",
                "X" | "A" => "Lead",
                "B" => "Customer",
                "NAME" => "spend",
                "VALUE" => "1",
                _ => w,
            }
            .to_string()
        })
        .collect();
    words
        .join(" ")
        .replace("(...)", "(a, b)")
        .replace("{ ... }", "{ }")
        .replace("= ...", "= 1")
        .replace(".FIELD", ".amount")
}

/// Where a snippet may go, as text around it.
const PLACES: [(&str, &str, &str); 13] = [
    ("a nurture line", "nurture n {\n  ", "\n}\n"),
    ("a calendar line", "calendar c {\n  ", "\n}\n"),
    ("a test line", "test \"t\" {\n  ", "\n}\n"),
    ("a score line", "score s {\n  ", "\n}\n"),
    ("a rule modifier", "score s {\n  +1 on signup ", "\n}\n"),
    ("a rule trigger", "score s {\n  +1 ", "\n}\n"),
    ("a lead field", "lead {\n  ", "\n}\n"),
    ("a funnel line", "funnel {\n  ", "\n}\n"),
    ("a declaration", "", "\n"),
    ("an expression", "kpi k = ", "\n"),
    ("a condition tail", "funnel {\n  Lead when source ", "\n}\n"),
    ("a days() argument", "kpi k = avg(days(", "))\n"),
    (
        "a cron string",
        "nurture n {\n  wait until cron \"",
        "\"\n}\n",
    ),
];

fn snippets(help: &str) -> Vec<String> {
    help.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_suggested_snippet_parses_where_it_goes() {
    let mut all = std::collections::BTreeSet::new();
    let dir = root().join("tests/check/err");
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for d in funnel_check::check_source(&text).diagnostics {
            if let Some(h) = &d.help {
                all.extend(snippets(h));
            }
        }
    }
    let mut report = String::new();
    let mut failed = Vec::new();
    for s in all.iter().filter(|s| s.contains(' ')) {
        if DESCRIPTIONS.contains(&s.as_str()) {
            report.push_str(&format!("`{s}`: a description\n"));
            continue;
        }
        let code = fill(s);
        let place = PLACES.iter().find(|(_, before, after)| {
            funnel_syntax::parse(&format!("{before}{code}{after}")).is_ok()
        });
        match place {
            Some((name, _, _)) => report.push_str(&format!("`{s}`: {name}\n")),
            None => failed.push(s.clone()),
        }
    }
    assert!(
        failed.is_empty(),
        "suggestions that do not parse: {failed:#?}"
    );
    insta::assert_snapshot!(report);
}

/// A syntax error's line:column and message, as `funnel check` prints them.
fn error_at(text: &str) -> String {
    let Err(d) = funnel_syntax::parse(text) else {
        panic!("a syntax error expected");
    };
    let at = funnel_syntax::LineIndex::new(text).line_col(text, d.primary_span().start as usize);
    format!(
        "{}:{}: {}\n  help: {}",
        at.line,
        at.column,
        d.message,
        d.help.unwrap_or_default()
    )
}

#[test]
fn errors_inside_blocks_point_at_the_token() {
    let calendar = |line: &str| {
        format!("playbook \"T\"\ncalendar office {{\n  days mon..fri\n  hours 09:00..17:00\n  {line}\n}}\n")
    };
    let cases = [
        ("a dash for a day range", calendar("days mon-fri")),
        (
            "a missing comma",
            calendar("holidays 2026-12-24 2026-12-25"),
        ),
        (
            "`per` for `every`",
            "playbook \"T\"\nevent a\nscore s {\n  +1 on a\n  decay 50% per 30 days\n}\n"
                .to_string(),
        ),
        (
            "a word where a stage trigger goes",
            "playbook \"T\"\nevent a\nfunnel {\n  Lead on a\n  MQL if a\n}\n".to_string(),
        ),
    ];
    let mut out = String::new();
    for (what, text) in cases {
        out.push_str(&format!("{what}:\n{}\n\n", error_at(&text)));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_one_line_calendar_parses_and_formats_to_lines() {
    let text = "playbook \"T\"\ncalendar office { days mon..fri  hours 09:00..17:00 }\n";
    assert!(funnel_syntax::parse(text).is_ok());
    let formatted = funnel_syntax::fmt::format(text).unwrap();
    assert_eq!(
        formatted,
        "playbook \"T\"\n\ncalendar office {\n  days mon..fri\n  hours 09:00..17:00\n}\n"
    );
}
