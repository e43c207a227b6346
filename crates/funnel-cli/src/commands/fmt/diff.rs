//! The unified diff `funnel fmt --check` prints, made by the `similar` crate
//! (Myers' diff, three lines of context). Lines are compared with their line
//! breaks, so a missing final newline or a `\r\n` counts as a change.

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The unified diff turning `old` into `new`; empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .missing_newline_hint(true)
        .header(old_name, new_name)
        .to_string()
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
        let new = old
            .replace("\n2\n", "\ntwo\n")
            .replace("\n19\n", "\nnineteen\n");
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
        let near = old
            .replace("\n5\n", "\nfive\n")
            .replace("\n9\n", "\nnine\n");
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
    }
}
