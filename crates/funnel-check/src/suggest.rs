//! "Did you mean `x`?" suggestions: the nearest declared name by edit distance.

/// Levenshtein distance between two strings, counted in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo:
/// equal ignoring case, or within a third of the name's length (at least 1).
/// Ties go to the earliest candidate, so suggestions are deterministic.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &c.to_lowercase())
        };
        let better = match best {
            Some((bd, _)) => d < bd,
            None => true,
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A help sentence: "did you mean `x`?" or the fallback.
pub fn help_or(suggestion: Option<&str>, fallback: impl Into<String>) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("mql", "mql"), 0);
    }

    #[test]
    fn suggestions() {
        let names = ["engagement", "fit", "enrollment"];
        assert_eq!(did_you_mean("engagment", names), Some("engagement"));
        assert_eq!(did_you_mean("FIT", names), Some("fit"));
        assert_eq!(did_you_mean("revenue", names), None);
        assert_eq!(did_you_mean("fi", names), Some("fit"));
    }
}
