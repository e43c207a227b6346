//! "Did you mean `x`?" suggestions: the nearest declared name by edit distance.

/// Edit distance between two strings, counted in characters: insertions,
/// deletions, substitutions and swaps of two neighbours (`emial`/`email`)
/// each cost 1 (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut m = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in m.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        m[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (m[(i - 1) * w + j - 1] + cost)
                .min(m[(i - 1) * w + j] + 1)
                .min(m[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(m[(i - 2) * w + j - 2] + 1);
            }
            m[i * w + j] = v;
        }
    }
    m[a.len() * w + b.len()]
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
        assert_eq!(edit_distance("emial", "email"), 1);
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
