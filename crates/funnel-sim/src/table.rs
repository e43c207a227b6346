//! A scenario's categorical weights and `{n}` templates, prepared once per
//! run so that drawing a lead's value walks a small array and writes digits
//! into a reused buffer, instead of walking a `BTreeMap` and formatting a
//! new `String` per lead.
//!
//! Both give exactly what [`crate::draw::weighted`] and [`crate::draw::fill`]
//! give: the same floating-point steps in the same order, the same text.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;

use crate::draw;
use crate::scenario::NonNegative;

/// Categorical weights in the order [`draw::weighted`] walks them (the
/// keys' sorted order) and their total, summed the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    weights: Vec<f64>,
    total: f64,
}

impl Table {
    pub fn new(w: &BTreeMap<String, NonNegative>) -> Table {
        Table {
            weights: w.values().map(|x| x.0).collect(),
            total: w.values().map(|x| x.0).sum(),
        }
    }

    /// The position of the key picked by weight (`None` when no key has
    /// weight): one uniform draw, as [`draw::weighted_index`].
    pub fn pick(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        if self.total <= 0.0 {
            return None;
        }
        let mut x = draw::unit(rng) * self.total;
        let mut last = None;
        for (i, &w) in self.weights.iter().enumerate() {
            if w > 0.0 {
                last = Some(i);
                if x < w {
                    return last;
                }
                x -= w;
            }
        }
        last
    }
}

/// A text with `{n}` (the lead's number) in it, cut at each `{n}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<String>,
}

impl Template {
    /// `None` when `t` has no `{n}` (it is then its own value).
    pub fn new(t: &str) -> Option<Template> {
        t.contains("{n}").then(|| Template {
            pieces: t.split("{n}").map(str::to_string).collect(),
        })
    }

    /// Replace `out` with the text for lead `n`.
    pub fn write(&self, n: u64, out: &mut String) {
        out.clear();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                push_number(n, out);
            }
            out.push_str(piece);
        }
    }
}

/// Append `n` in decimal, as `{n}` formats it.
pub fn push_number(n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_picks_what_the_map_picks() {
        let mut w = BTreeMap::new();
        for (k, v) in [("b", 2.5), ("a", 0.0), ("c", 1.0), ("d", 0.1), ("e", 0.0)] {
            w.insert(k.to_string(), NonNegative(v));
        }
        let t = Table::new(&w);
        let (mut r1, mut r2) = (draw::stream(9, 1, 2, 3), draw::stream(9, 1, 2, 3));
        for _ in 0..10_000 {
            assert_eq!(t.pick(&mut r1), draw::weighted_index(&mut r2, &w));
        }
        let none = Table::new(&BTreeMap::from([("x".to_string(), NonNegative(0.0))]));
        assert_eq!(none.pick(&mut r1), None);
    }

    #[test]
    fn a_template_writes_what_fill_writes() {
        let mut out = String::from("stale");
        for (t, n) in [
            ("lead{n}@company{n}.com", 1_234u64),
            ("{n}", 0),
            ("{n}{n}x", u64::MAX),
            ("a{n}", 10),
        ] {
            let Some(tpl) = Template::new(t) else {
                unreachable!("`{t}` has {{n}}")
            };
            tpl.write(n, &mut out);
            assert_eq!(out, draw::fill(t, n));
        }
        assert_eq!(Template::new("plain"), None);
        let mut s = String::new();
        push_number(907, &mut s);
        assert_eq!(s, "907");
    }
}
