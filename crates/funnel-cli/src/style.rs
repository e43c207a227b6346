//! Colour and width for reports on a terminal.
//!
//! `--color auto|always|never` (every command) decides once, in `main`:
//! `auto` colours a stream that is a terminal unless `NO_COLOR` is set to
//! something non-empty (<https://no-color.org>). Reports are laid out
//! without colour and painted afterwards ([`paint`]), so the tables'
//! columns line up the same either way and snapshots need no colour.
//!
//! Tables fit the terminal: `COLUMNS`, when set to a number, is the width;
//! otherwise comfy-table asks the terminal when stdout is one.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Record the `--color` choice (once, from `main`).
pub fn set_choice(c: ColorChoice) {
    let _ = CHOICE.set(c);
}

fn no_color_set() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn decide(terminal: bool) -> bool {
    match CHOICE.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color_set(),
    }
}

/// Whether to colour what goes to stdout.
pub fn stdout_color() -> bool {
    decide(std::io::stdout().is_terminal())
}

/// Whether to colour what goes to stderr.
pub fn stderr_color() -> bool {
    decide(std::io::stderr().is_terminal())
}

/// The width tables must fit: `COLUMNS` when it is a number of at least 40.
pub fn columns() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|w| *w >= 40)
}

/// The width reports must fit: `COLUMNS`, or the terminal's when stdout is one.
pub fn width() -> Option<u16> {
    columns().or_else(|| comfy_table::Table::new().width())
}

/// Print a human report to stdout, painted when colour is on.
pub fn print_report(text: &str) {
    if stdout_color() {
        print!("{}", paint(text));
    } else {
        print!("{text}");
    }
}

/// Make a table fit the terminal (or `COLUMNS`), wrapping long cells.
pub fn fit(t: &mut comfy_table::Table) {
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if let Some(w) = columns() {
        t.set_width(w);
    }
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const BOLD_RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Colour a rendered report: `ok`/`met` green, `FAIL`/`missed` red,
/// `undefined` yellow, signed changes (`+4.85 pp`, `-$1,200`) green or red,
/// and the closing `N passed, N failed` green or red. Only whole words are painted; the text is unchanged
/// otherwise.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        paint_line(line, &mut out);
    }
    out
}

fn paint_line(line: &str, out: &mut String) {
    // The closing line of `funnel test`: green when nothing failed.
    if let Some((passed, rest)) = line.split_once(" passed, ") {
        if passed.chars().all(|c| c.is_ascii_digit()) && !passed.is_empty() {
            let body = line.trim_end_matches('\n');
            let colour = if rest.starts_with("0 failed") {
                GREEN
            } else {
                BOLD_RED
            };
            out.push_str(colour);
            out.push_str(body);
            out.push_str(RESET);
            out.push_str(&line[body.len()..]);
            return;
        }
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    let boundary = |j: usize| {
        j == 0 || j >= bytes.len() || !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_')
    };
    while i < line.len() {
        let rest = &line[i..];
        let at_start = i == 0 || boundary(i - 1);
        let mut done = false;
        if at_start {
            for (word, colour) in [
                ("FAIL", BOLD_RED),
                ("ok", GREEN),
                ("met", GREEN),
                ("missed", RED),
                ("undefined", YELLOW),
            ] {
                if rest.starts_with(word) && boundary(i + word.len()) {
                    // `ok` only as the first word of a test line.
                    if word == "ok" && line[..i].trim() != "" {
                        continue;
                    }
                    out.push_str(colour);
                    out.push_str(word);
                    out.push_str(RESET);
                    i += word.len();
                    done = true;
                    break;
                }
            }
            if !done {
                if let Some(n) = signed_len(rest) {
                    let colour = if rest.starts_with('+') { GREEN } else { RED };
                    out.push_str(colour);
                    out.push_str(&rest[..n]);
                    out.push_str(RESET);
                    i += n;
                    done = true;
                }
            }
        }
        if !done {
            let ch = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..ch]);
            i += ch;
        }
    }
}

/// The length of a signed change at the start of `s` (`+4.85 pp`, `-$1,200`,
/// `+2`, `-3%`); `None` when there is none.
fn signed_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 2 || !(b[0] == b'+' || b[0] == b'-') {
        return None;
    }
    let money = b[1] == b'$';
    let start = if money { 2 } else { 1 };
    let mut j = start;
    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.' || b[j] == b',') {
        j += 1;
    }
    if j == start || !b[start].is_ascii_digit() {
        return None;
    }
    if !money {
        if s[j..].starts_with(" pp") {
            j += 3;
        } else if s[j..].starts_with('%') {
            j += 1;
        }
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::paint;

    #[test]
    fn paints_whole_words_and_signed_changes_only() {
        assert_eq!(
            paint("ok   a.funnel: \"x\"\nFAIL b\n"),
            "\x1b[32mok\x1b[0m   a.funnel: \"x\"\n\x1b[1;31mFAIL\x1b[0m b\n"
        );
        assert_eq!(
            paint("| win_rate | met | +4.85 pp | -$1,200 | token |"),
            "| win_rate | \x1b[32mmet\x1b[0m | \x1b[32m+4.85 pp\x1b[0m | \x1b[31m-$1,200\x1b[0m | token |"
        );
        // Not inside words, not `ok` mid-line, not a bare dash or a date.
        assert_eq!(
            paint("unmet booked - x 2026-03-02"),
            "unmet booked - x 2026-03-02"
        );
        assert_eq!(paint("leads ok"), "leads ok");
        assert_eq!(
            paint("2 passed, 0 failed\n"),
            "\x1b[32m2 passed, 0 failed\x1b[0m\n"
        );
        assert_eq!(
            paint("1 passed, 1 failed\n"),
            "\x1b[1;31m1 passed, 1 failed\x1b[0m\n"
        );
    }
}
