//! The formatter's corpus and properties.
//!
//! - `tests/fmt/*.funnel` (repository root) are unformatted inputs; each has
//!   one insta snapshot of its formatted output. Adding a case is adding a file.
//! - Every playbook the repository holds (`playbooks/`, `examples/`,
//!   `tests/fmt/`, `tests/check/ok/`) must format idempotently, to the same
//!   program (the AST spans aside), with every comment kept in order.
//! - Re-spacing a playbook (more spaces between tokens, deeper indentation)
//!   never changes its formatted output.

use std::path::{Path, PathBuf};

use funnel_syntax::fmt::{comments, format, same_meaning};
use proptest::prelude::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.funnel` under `dir`, recursively, sorted.
fn funnel_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            funnel_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "funnel") {
            out.push(p);
        }
    }
}

fn corpus_inputs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    funnel_files(&repo_root().join("tests/fmt"), &mut files);
    files
}

fn all_playbooks() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["playbooks", "examples", "tests/fmt", "tests/check/ok"] {
        funnel_files(&root.join(dir), &mut files);
    }
    files
}

#[test]
fn corpus_snapshots() {
    insta::glob!("../../../tests/fmt", "*.funnel", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let out = format(&src).unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message));
        insta::assert_snapshot!(out);
    });
}

#[test]
fn corpus_has_the_cases_it_promises() {
    assert!(
        corpus_inputs().len() >= 8,
        "tests/fmt needs at least 8 inputs"
    );
    // Every input is unformatted: the corpus tests rewriting, not copying.
    for path in corpus_inputs() {
        let src = std::fs::read_to_string(&path).unwrap();
        assert_ne!(
            format(&src).unwrap(),
            src,
            "{} is already formatted",
            path.display()
        );
    }
}

/// Idempotence, same program, comments kept in order: for every playbook.
#[test]
fn every_playbook_formats_idempotently_to_the_same_program() {
    let files = all_playbooks();
    assert!(!files.is_empty());
    for path in files {
        let name = path.display();
        let src = std::fs::read_to_string(&path).unwrap();
        let Ok(before) = funnel_syntax::parse(&src) else {
            // A playbook with a syntax error cannot be formatted; the
            // corpora for syntax errors live elsewhere.
            assert!(format(&src).is_err(), "{name}");
            continue;
        };
        let once = format(&src).unwrap_or_else(|d| panic!("{name}: {}", d.message));
        let twice = format(&once).unwrap_or_else(|d| panic!("{name} (again): {}", d.message));
        assert_eq!(once, twice, "{name}: formatting is not idempotent");
        let after = funnel_syntax::parse(&once).unwrap();
        assert!(same_meaning(&before, &after), "{name}: meaning changed");
        assert_eq!(comments(&src), comments(&once), "{name}: comments changed");
        assert!(!once.contains(" \n"), "{name}: trailing spaces");
        assert!(once.is_empty() || once.ends_with('\n') && !once.ends_with("\n\n"));
        assert!(!once.contains("\n\n\n"), "{name}: two blank lines in a row");
    }
}

#[test]
fn small_cases_exactly() {
    assert_eq!(format("").unwrap(), "");
    assert_eq!(format("\n\n").unwrap(), "");
    assert_eq!(
        format("# only\n\n\n# comments").unwrap(),
        "# only\n\n# comments\n"
    );
    assert_eq!(format("kpi a=1\n").unwrap(), "kpi a = 1\n");
    // Windows line endings come out as `\n`.
    assert_eq!(
        format("playbook \"x\"\r\n\r\n# c\r\nkpi a = 2 # d\r\n").unwrap(),
        "playbook \"x\"\n\n# c\nkpi a = 2  # d\n"
    );
    // Units follow their amount; `per 1 day` reads `per day`.
    assert_eq!(
        format("limit sends 1 per 1 days\n").unwrap(),
        "limit sends 1 per day\n"
    );
    assert_eq!(
        format("funnel {\nA on x\nsla A -> B within 1 business days\n}").unwrap(),
        "funnel {\n  A  on x\n  sla A -> B within 1 business day\n}\n"
    );
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let err = format("kpi = 1\n").unwrap_err();
    assert_eq!(err.code, "funnel::syntax::unexpected");
    assert_eq!(err.primary_span().start, 4);
}

#[test]
fn long_operator_chains_format_and_absurd_ones_are_refused() {
    let chain = |n: usize| format!("kpi a = {}\n", vec!["x"; n].join(" + "));
    let ok = chain(1000);
    assert_eq!(format(&ok).unwrap(), ok);
    // The parser refuses a chain past 1,000 operands before the formatter sees it.
    let err = format(&chain(1001)).unwrap_err();
    assert_eq!(err.code, "funnel::syntax::too_long");
    assert_eq!(err.primary_span().start, 8);
    let nots = format!("kpi b = {}y\n", "not ".repeat(900));
    assert_eq!(format(&nots).unwrap(), nots);
}

/// `src` with every space between tokens widened and every line indented
/// further, as chosen by `noise`; strings and comments are left alone.
fn respace(src: &str, noise: &[u8]) -> String {
    let mut out = String::new();
    let mut k = 0;
    let mut next = || {
        k += 1;
        noise.get(k % noise.len().max(1)).copied().unwrap_or(0)
    };
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    let mut line_start = true;
    for ch in src.chars() {
        if line_start && !in_comment && ch != '\n' {
            out.push_str(&" ".repeat(usize::from(next() % 3)));
        }
        line_start = ch == '\n';
        match ch {
            '\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    in_string = false;
                }
            }
            '"' => in_string = true,
            '#' => in_comment = true,
            ' ' => {
                out.push_str(&" ".repeat(usize::from(next() % 4)));
            }
            _ => {}
        }
        out.push(ch);
    }
    out
}

#[test]
fn respace_widens_spaces_outside_strings_and_comments() {
    assert_eq!(respace("a b", &[1, 3]), "a  b");
    assert_eq!(
        respace("x \"a b\" # c d\n", &[7]),
        " x    \"a b\"    # c d\n"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn respacing_never_changes_the_output(
        which in 0usize..64,
        noise in proptest::collection::vec(any::<u8>(), 1..32),
    ) {
        let files = corpus_inputs();
        let path = &files[which % files.len()];
        let src = std::fs::read_to_string(path).unwrap();
        let messy = respace(&src, &noise);
        let expected = format(&src).unwrap();
        let got = format(&messy);
        prop_assert!(got.is_ok(), "{}: {:?}\n{messy}", path.display(), got.err());
        prop_assert_eq!(got.unwrap(), expected);
    }

    /// Comments in random places (after any line, or on their own line
    /// anywhere) and dropped or doubled lines: whenever the result parses,
    /// it formats (the formatter verifies the program and the comments
    /// itself) and formatting is idempotent.
    #[test]
    fn comments_anywhere_and_shuffled_lines_format_idempotently(
        which in 0usize..64,
        edits in proptest::collection::vec((any::<u16>(), 0u8..4), 1..12),
    ) {
        let files = corpus_inputs();
        let path = &files[which % files.len()];
        let src = std::fs::read_to_string(path).unwrap();
        let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
        for (n, (at, kind)) in edits.iter().enumerate() {
            if lines.is_empty() {
                break;
            }
            let i = usize::from(*at) % lines.len();
            match kind {
                0 => lines[i].push_str(&format!(" # t{n}")),
                1 => lines.insert(i, format!("  # o{n}")),
                2 => {
                    lines.remove(i);
                }
                _ => {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
            }
        }
        let messy = lines.join("\n");
        prop_assume!(funnel_syntax::parse(&messy).is_ok());
        let once = format(&messy);
        prop_assert!(once.is_ok(), "{}: {:?}\n{messy}", path.display(), once.err());
        let once = once.unwrap();
        let twice = format(&once).unwrap();
        prop_assert_eq!(&once, &twice, "not idempotent for\n{}", messy);
    }
}
