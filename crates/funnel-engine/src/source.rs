//! Playbook source text as the engine quotes it in reasons and names: a
//! line without its trailing comment.

/// Source text without a trailing `# comment` (outside string literals).
pub fn strip_comment(s: &str) -> &str {
    let mut in_str = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => in_str = !in_str,
            '#' if !in_str => return s[..i].trim_end(),
            _ => {}
        }
    }
    s.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_stripped_from_reasons() {
        assert_eq!(strip_comment("at 50   # the card"), "at 50");
        assert_eq!(strip_comment("where a == \"#1\""), "where a == \"#1\"");
    }
}
