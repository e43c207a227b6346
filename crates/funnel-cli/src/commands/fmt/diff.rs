//! A small unified diff of two texts, line by line, for `funnel fmt --check`.
//!
//! Lines are compared with their line breaks, so a missing final newline or a
//! `\r\n` counts as a change. The edit script is a longest common subsequence
//! over the lines left after trimming the common head and tail; when that
//! middle is too large for the table, it is shown as replaced wholesale
//! (still a correct diff, only a longer one).

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Largest LCS table (cells) computed; beyond it the middle is replaced.
const MAX_CELLS: usize = 16_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Line `i` of old equals line `j` of new.
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The unified diff turning `old` into `new`; empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = script(&a, &b);
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for (lo, hi) in hunks(&ops) {
        let hunk = &ops[lo..hi];
        let old_count = hunk.iter().filter(|o| !matches!(o, Op::Insert(_))).count();
        let new_count = hunk.iter().filter(|o| !matches!(o, Op::Delete(_))).count();
        let (old_at, new_at) = first_lines(&ops, lo);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_at, old_count),
            range(new_at, new_count)
        ));
        for op in hunk {
            let (mark, line) = match *op {
                Op::Same(i, _) => (' ', a[i]),
                Op::Delete(i) => ('-', a[i]),
                Op::Insert(j) => ('+', b[j]),
            };
            out.push(mark);
            match line.strip_suffix('\n') {
                Some(l) => {
                    out.push_str(l);
                    out.push('\n');
                }
                None => {
                    out.push_str(line);
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// `start,count` in unified-diff form (1-based; a lone line drops `,1`; an
/// empty range names the line before it).
fn range(at: usize, count: usize) -> String {
    match count {
        0 => format!("{at},0"),
        1 => format!("{}", at + 1),
        n => format!("{},{n}", at + 1),
    }
}

/// The 0-based old and new line numbers where the op at `lo` starts.
fn first_lines(ops: &[Op], lo: usize) -> (usize, usize) {
    let before = &ops[..lo];
    let old = before
        .iter()
        .filter(|o| !matches!(o, Op::Insert(_)))
        .count();
    let new = before
        .iter()
        .filter(|o| !matches!(o, Op::Delete(_)))
        .count();
    (old, new)
}

/// Ranges of `ops` to print: every change with up to `CONTEXT` unchanged
/// lines around it, merging changes whose context would overlap.
fn hunks(ops: &[Op]) -> Vec<(usize, usize)> {
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Same(..)))
        .map(|(k, _)| k)
        .collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for k in changes {
        let lo = k.saturating_sub(CONTEXT);
        let hi = (k + 1 + CONTEXT).min(ops.len());
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = hi,
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The edit script from `a` to `b`.
fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut ops: Vec<Op> = (0..head).map(|k| Op::Same(k, k)).collect();
    if ma.len().saturating_mul(mb.len()) > MAX_CELLS {
        ops.extend((0..ma.len()).map(|i| Op::Delete(head + i)));
        ops.extend((0..mb.len()).map(|j| Op::Insert(head + j)));
    } else {
        ops.extend(lcs(ma, mb).into_iter().map(|op| match op {
            Op::Same(i, j) => Op::Same(head + i, head + j),
            Op::Delete(i) => Op::Delete(head + i),
            Op::Insert(j) => Op::Insert(head + j),
        }));
    }
    let (ta, tb) = (a.len() - tail, b.len() - tail);
    ops.extend((0..tail).map(|k| Op::Same(ta + k, tb + k)));
    ops
}

/// Longest-common-subsequence edit script; deletions before insertions
/// within a change.
fn lcs(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: LCS length of a[i..] and b[j..], flattened.
    let w = m + 1;
    let mut len = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i * w + j] = if a[i] == b[j] {
                len[(i + 1) * w + j + 1] + 1
            } else {
                len[(i + 1) * w + j].max(len[i * w + j + 1])
            };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if j == m || (i < n && len[(i + 1) * w + j] >= len[i * w + j + 1]) {
            ops.push(Op::Delete(i));
            i += 1;
        } else {
            ops.push(Op::Insert(j));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x", "x"), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "f", "f"),
            "--- f\n+++ f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_two_hunks_and_near_ones_merge() {
        let old: String = (1..=20).map(|k| format!("{k}\n")).collect();
        let swap = |from: &str, to: &str| -> String {
            old.lines()
                .map(|l| {
                    if l == from {
                        format!("{to}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect()
        };
        let new = swap("2", "two");
        let new = new.replace("\n19\n", "\nnineteen\n");
        let d = unified(&old, &new, "f", "f");
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(
            d.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"),
            "{d}"
        );
        assert!(
            d.contains("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"),
            "{d}"
        );
        let near = swap("5", "five").replace("\n9\n", "\nnine\n");
        assert_eq!(unified(&old, &near, "f", "f").matches("@@ -").count(), 1);
    }

    #[test]
    fn insertions_deletions_and_a_missing_final_newline() {
        assert_eq!(
            unified("a\nb", "a\nb\n", "f", "g"),
            "--- f\n+++ g\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
        assert_eq!(
            unified("a\nc\n", "a\nb\nc\n", "f", "f"),
            "--- f\n+++ f\n@@ -1,2 +1,3 @@\n a\n+b\n c\n"
        );
        assert_eq!(
            unified("", "a\n", "f", "f"),
            "--- f\n+++ f\n@@ -0,0 +1 @@\n+a\n"
        );
        assert_eq!(
            unified("a\n", "", "f", "f"),
            "--- f\n+++ f\n@@ -1 +0,0 @@\n-a\n"
        );
    }

    #[test]
    fn the_script_is_minimal() {
        let a = ["x\n", "a\n", "b\n", "c\n", "y\n"];
        let b = ["x\n", "b\n", "c\n", "d\n", "y\n"];
        let ops = script(&a, &b);
        let changes = ops.iter().filter(|o| !matches!(o, Op::Same(..))).count();
        assert_eq!(changes, 2);
    }
}
