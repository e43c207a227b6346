//! The checker's data-driven corpus: every `tests/check/ok/*.funnel` checks
//! with no diagnostic at all, and every `tests/check/err/*.funnel` has one
//! insta snapshot with its source and the rendered no-colour diagnostics.
//! Adding a case is adding a file (then `INSTA_UPDATE=always cargo test`
//! and review the new snapshot).

#![allow(clippy::unwrap_used)] // test helpers: a failed read is a failed test

use std::path::Path;

use funnel_check::render::render_human;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
}

fn display_name(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn ok_cases_check_clean() {
    let mut seen = 0;
    insta::glob!("../../../tests/check/ok", "*.funnel", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).unwrap();
        let checked = funnel_check::check_source(&text);
        let name = display_name(path);
        assert!(
            checked.diagnostics.is_empty(),
            "{name} should check clean:\n{}",
            render_human(&checked.diagnostics, &name, &text, false)
        );
        assert!(checked.program.is_some());
    });
    assert!(seen >= 8, "expected at least 8 ok cases, found {seen}");
}

#[test]
fn err_cases_match_snapshots() {
    let mut seen = 0;
    insta::glob!("../../../tests/check/err", "*.funnel", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.starts_with('#'),
            "{} must start with a comment saying what it tests",
            path.display()
        );
        let checked = funnel_check::check_source(&text);
        let name = display_name(path);
        assert!(
            !checked.diagnostics.is_empty(),
            "{name} should have diagnostics"
        );
        let rendered = render_human(&checked.diagnostics, &name, &text, false);
        insta::assert_snapshot!(format!("{text}\n----- diagnostics -----\n\n{rendered}"));
    });
    assert!(seen >= 45, "expected at least 45 error cases, found {seen}");
}
