//! Rendering diagnostics for people on pathological sources (issue 12,
//! findings 10 and 13): a label past column 65,535 made miette panic, and
//! every report scanned the file from its start. Reports read a window of
//! lines, so they are the same as a whole-file read gives; a label too far
//! right is named by line and column instead of drawn.

#![allow(clippy::unwrap_used)]

use funnel_check::check_source;
use funnel_check::render::render_human;

#[test]
fn a_label_past_column_65535_is_named_not_drawn() {
    let text = format!(
        "playbook \"X\"\nevent signup\nfunnel {{\n  Lead on signup\n}}\nkpi a = count(signup){}+ count(nope)\n",
        " ".repeat(70_000)
    );
    let checked = check_source(&text);
    assert_eq!(checked.diagnostics.len(), 1);
    let out = render_human(&checked.diagnostics, "long.funnel", &text, false);
    assert!(out.contains("funnel::check::unknown_event"), "{out}");
    assert!(
        out.contains("(at long.funnel:6:70030; the line is too long to show)"),
        "{out}"
    );
    assert!(out.len() < 2_000, "the long line is not printed");
}

#[test]
fn windowed_reports_match_whole_file_reports_far_into_a_file() {
    // 3,000 unused events: a warning each, the last ones near the end.
    let mut text = String::from("playbook \"X\"\nevent signup\nfunnel {\n  Lead on signup\n}\n");
    for i in 0..3_000 {
        text.push_str(&format!("event unused_{i}\n"));
    }
    let checked = check_source(&text);
    assert_eq!(checked.diagnostics.len(), 3_000);
    let out = render_human(&checked.diagnostics, "many.funnel", &text, false);
    let last = out.rsplit("funnel::check::").next().unwrap();
    assert!(last.contains("many.funnel:3005:7]"), "{last}");
    assert!(last.contains("3005 │ event unused_2999"), "{last}");
    assert!(last.contains("3004 │ event unused_2998"), "{last}");
}
