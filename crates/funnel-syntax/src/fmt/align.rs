//! Column alignment of consecutive lines: the `on` column of score rules, the
//! trigger column of stages, the type column of fields, the `=` of KPIs.
//!
//! Lines align in groups. A group is a run of consecutive items of the same
//! class with no blank line between them in the source (comments on their own
//! lines do not end a group). Items that take no part are either skipped
//! (they neither align nor end the group) or end the group.

use super::source::Source;

/// How one item takes part in alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    /// Aligns with neighbours of the same class; `width` is its key's width.
    Item { class: u8, width: usize },
    /// Takes no part but does not end the group.
    Skip,
    /// Ends the group.
    Break,
}

/// For each item (`Align`, source start, source end), the width its key is
/// padded to (`0` for items that do not align).
pub(crate) fn widths(src: &Source<'_>, items: &[(Align, u32, u32)]) -> Vec<usize> {
    let mut out = vec![0; items.len()];
    let mut group: Vec<usize> = Vec::new();
    let mut class = None;
    let mut prev_end: Option<u32> = None;
    let close = |group: &mut Vec<usize>, out: &mut Vec<usize>| {
        let max = group
            .iter()
            .filter_map(|&i| match items[i].0 {
                Align::Item { width, .. } => Some(width),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for &i in group.iter() {
            out[i] = max;
        }
        group.clear();
    };
    for (i, &(align, start, end)) in items.iter().enumerate() {
        let blank = prev_end.is_some_and(|p| src.blank_between(p, start));
        prev_end = Some(end);
        match align {
            Align::Break => {
                close(&mut group, &mut out);
                class = None;
            }
            Align::Skip => {
                if blank {
                    close(&mut group, &mut out);
                    class = None;
                }
            }
            Align::Item { class: c, .. } => {
                if blank || class != Some(c) {
                    close(&mut group, &mut out);
                }
                class = Some(c);
                group.push(i);
            }
        }
    }
    close(&mut group, &mut out);
    out
}

/// `key` padded to `width`, then a space and `rest`; no trailing spaces.
pub(crate) fn pad(key: &str, width: usize, rest: &str) -> String {
    if rest.is_empty() {
        return key.to_string();
    }
    let n = width.saturating_sub(key.chars().count());
    format!("{key}{} {rest}", " ".repeat(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_and_breaks_end_groups() {
        let src = Source::new("aa\nb\n\nccc\nd\ne");
        let item = |w| Align::Item { class: 0, width: w };
        let items = [
            (item(2), 0, 2),
            (item(1), 3, 4),
            (item(3), 6, 9),
            (Align::Break, 10, 11),
            (item(1), 12, 13),
        ];
        assert_eq!(widths(&src, &items), vec![2, 2, 3, 0, 1]);
    }

    #[test]
    fn pad_never_leaves_trailing_spaces() {
        assert_eq!(pad("+5", 3, "on x"), "+5  on x");
        assert_eq!(pad("Lead", 9, ""), "Lead");
    }
}
