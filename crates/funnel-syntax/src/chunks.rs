//! Parsing a large playbook on several threads. Funnel is line-oriented:
//! outside `{ }` and `( )` a newline ends a declaration, so the text cuts
//! into top-level chunks ([`split`]: a chunk starts at each line that begins
//! outside every bracket) that parse exactly as the whole text does. The
//! chunks are grouped into one contiguous run per thread, each run is parsed
//! on its own and its spans are moved to their place in the file
//! ([`Shift`]). Any run that does not parse sends the whole text to the
//! one-thread parser, so a syntax error reads exactly as it always does.

use crate::ast::Playbook;
use crate::diagnostic::Diagnostic;
use crate::nesting::STACK_SIZE;
use crate::parser::parse;
use crate::shift::Shift;
use crate::span::Span;

/// Below this size a playbook is parsed on one thread: starting threads
/// would cost more than they save.
pub const PARALLEL_MIN_BYTES: usize = 128 * 1024;

/// [`parse`] on up to `threads` threads: the same playbook, span for span,
/// and the same diagnostic for a text that does not parse.
pub fn parse_parallel(text: &str, threads: usize) -> Result<Playbook, Diagnostic> {
    if threads < 2 || text.len() < PARALLEL_MIN_BYTES {
        return parse(text);
    }
    let runs = runs(text, threads);
    if runs.len() < 2 {
        return parse(text);
    }
    // The first run is parsed on this thread (with the stack every parse
    // here has), the others on threads of their own, each shifting its
    // declarations into place.
    let parse_at = |a: usize, b: usize| -> Option<Playbook> {
        let by = u32::try_from(a).ok()?;
        let mut p = parse(&text[a..b]).ok()?;
        p.decls.iter_mut().for_each(|d| d.shift(by));
        p.span.shift(by);
        Some(p)
    };
    let parsed: Vec<Option<Playbook>> = std::thread::scope(|s| {
        let handles: Vec<_> = runs[1..]
            .iter()
            .map(|&(a, b)| {
                std::thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(s, move || parse_at(a, b))
            })
            .collect();
        let first = parse_at(runs[0].0, runs[0].1);
        std::iter::once(first)
            .chain(
                handles
                    .into_iter()
                    .map(|h| h.ok().and_then(|h| h.join().ok().flatten())),
            )
            .collect()
    });
    let mut decls = Vec::new();
    let mut end = 0;
    for p in parsed {
        let Some(p) = p else {
            return parse(text);
        };
        end = p.span.end as usize;
        decls.extend(p.decls);
    }
    Ok(Playbook {
        decls,
        span: Span::new(0, end),
    })
}

/// `threads` contiguous runs of whole chunks of about equal size.
fn runs(text: &str, threads: usize) -> Vec<(usize, usize)> {
    let chunks = split(text);
    let mut cuts = vec![0];
    for k in 1..threads {
        let target = text.len() * k / threads;
        if let Some(&(start, _)) = chunks.iter().find(|(s, _)| *s >= target) {
            if start > *cuts.last().unwrap_or(&0) {
                cuts.push(start);
            }
        }
    }
    cuts.push(text.len());
    cuts.windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| a < b)
        .collect()
}

/// The byte ranges of the chunks, in order, covering the whole text.
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut depth: i64 = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start {
            line_start = false;
            let first = bytes[i..]
                .iter()
                .position(|c| *c != b' ' && *c != b'\t' && *c != b'\r')
                .map(|p| bytes[i + p]);
            let code = !matches!(first, None | Some(b'\n' | b'#'));
            if depth <= 0 && code && i > 0 {
                starts.push(i);
                depth = 0;
            }
        }
        match b {
            b'\n' => line_start = true,
            b'#' => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                        i += 1;
                    }
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b'\n' {
                    line_start = true;
                }
            }
            b'{' | b'(' => depth += 1,
            b'}' | b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    starts.dedup();
    let mut out: Vec<(usize, usize)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
    if let Some(&last) = starts.last() {
        out.push((last, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_lines() {
        let text = "event a  # x {\nfunnel {\n  Lead on a\n}\n\n# note\nkpi k = count(\n  a)\n";
        let starts: Vec<usize> = split(text).iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, vec![0, 15, 46]);
    }

    /// A playbook over the parallel threshold: `n` copies of a score and a
    /// nurture, each with its own names.
    fn big(n: usize) -> String {
        let mut t = String::from("playbook \"big\"\nevent signup { plan: text }\n");
        for i in 0..n {
            t.push_str(&format!(
                "score s{i} {{\n  +10 on signup where plan == \"pro\"  # note {{\n  decay 50% every 30 days inactive\n}}\n\
                 nurture n{i} {{\n  enroll on signup\n  send \"t{i}\"\n  wait 2 days\n  if (s{i} >= 10) {{\n    send \"u{i}\"\n  }}\n}}\n\n"
            ));
        }
        t
    }

    #[test]
    fn the_threads_parse_exactly_as_one() {
        let text = big(2_000);
        assert!(text.len() > PARALLEL_MIN_BYTES);
        let one = parse(&text).unwrap();
        for threads in [2, 3, 8] {
            let many = parse_parallel(&text, threads).unwrap();
            assert_eq!(many.decls.len(), one.decls.len());
            for (a, b) in many.decls.iter().zip(&one.decls) {
                assert_eq!(a, b);
            }
            assert_eq!(many.span, one.span);
        }
    }

    #[test]
    fn a_syntax_error_reads_as_on_one_thread() {
        let mut text = big(2_000);
        text.push_str("score broken {\n  +10 on\n}\n");
        let one = parse(&text).unwrap_err();
        let many = parse_parallel(&text, 2).unwrap_err();
        assert_eq!(many.code, one.code);
        assert_eq!(many.message, one.message);
        assert_eq!(many.labels[0].span, one.labels[0].span);
    }
}
