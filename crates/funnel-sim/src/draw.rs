//! Random draws from a seeded stream: the distributions a scenario names.
//!
//! Only `rand` + `rand_chacha` are used; the few distributions we need
//! (exponential, normal by Box–Muller, Poisson by Knuth or a normal
//! approximation for large means) are written here in a few lines each.
//! Streams are derived from (seed, run, lead, purpose) so a lead's draws are
//! the same whichever playbook it is replayed through (common random numbers)
//! and whichever thread runs it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scenario::{Delay, Draw, NonNegative};

/// A deterministic stream for one purpose of one lead of one run.
pub fn stream(seed: u64, run: u64, lead: u64, purpose: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(mix(seed, run), lead), purpose))
}

/// SplitMix64-style mixing of two words into one seed.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_add(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in [0, 1).
pub fn unit(rng: &mut ChaCha8Rng) -> f64 {
    rng.random::<f64>()
}

/// Exponential with the given mean.
pub fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - unit(rng)).ln()
}

/// Standard normal (Box–Muller).
pub fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - unit(rng);
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Poisson with the given mean.
pub fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = unit(rng);
        while p > limit {
            k += 1;
            p *= unit(rng);
        }
        k
    } else {
        let x = mean + mean.sqrt() * std_normal(rng);
        x.round().max(0.0) as u64
    }
}

/// A delay in seconds.
pub fn delay_seconds(rng: &mut ChaCha8Rng, d: &Delay) -> i64 {
    let days = match *d {
        Delay::None => 0.0,
        Delay::Fixed(x) => x,
        Delay::Uniform(a, b) => a + (b - a) * unit(rng),
        Delay::Exponential(m) => exponential(rng, m),
    };
    (days * 86_400.0).round() as i64
}

/// Pick a key by weight (keys in sorted order, so the draw is stable).
pub fn weighted<'a>(rng: &mut ChaCha8Rng, w: &'a BTreeMap<String, NonNegative>) -> Option<&'a str> {
    pick(rng, w).map(|(_, k)| k)
}

/// [`weighted`], as the key's position in sorted order.
pub fn weighted_index(rng: &mut ChaCha8Rng, w: &BTreeMap<String, NonNegative>) -> Option<usize> {
    pick(rng, w).map(|(i, _)| i)
}

/// The key picked by weight and its position, in one walk.
fn pick<'a>(
    rng: &mut ChaCha8Rng,
    w: &'a BTreeMap<String, NonNegative>,
) -> Option<(usize, &'a str)> {
    let total: f64 = w.values().map(|x| x.0).sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = unit(rng) * total;
    let mut last = None;
    for (i, (k, v)) in w.iter().enumerate() {
        if v.0 > 0.0 {
            last = Some((i, k.as_str()));
            if x < v.0 {
                return last;
            }
            x -= v.0;
        }
    }
    last
}

/// Whether a value with `missing: p` is missing this time (a draw only when
/// `missing` is given).
pub fn is_missing(rng: &mut ChaCha8Rng, d: &Draw) -> bool {
    d.missing.is_some_and(|m| unit(rng) < m.0)
}

/// Draw one value as text (the engine decodes it by the field's type);
/// `None` is a missing value. `n` is the lead's number for templates and
/// `sent` the template of the triggering send, if any.
pub fn value<'a>(
    rng: &mut ChaCha8Rng,
    d: &'a Draw,
    n: u64,
    sent: Option<&str>,
) -> Option<Cow<'a, str>> {
    if is_missing(rng, d) {
        return None;
    }
    let number = |x: f64| {
        Cow::Owned(if d.round {
            format!("{}", x.round())
        } else {
            format!("{:.2}", x)
        })
    };
    if let Some(w) = &d.weights {
        return weighted(rng, w).map(|v| fill(v, n));
    }
    if let Some(nd) = &d.normal {
        let mut x = nd.mean + nd.sd.0 * std_normal(rng);
        if let Some(lo) = nd.min {
            x = x.max(lo);
        }
        if let Some(hi) = nd.max {
            x = x.min(hi);
        }
        return Some(number(x));
    }
    if let Some(r) = &d.uniform {
        return Some(number(r.min + (r.max - r.min) * unit(rng)));
    }
    if let Some(c) = &d.constant {
        return Some(Cow::Borrowed(c));
    }
    if let Some(t) = &d.template {
        return Some(fill(t, n));
    }
    if d.from_trigger {
        return sent.map(|t| Cow::Owned(t.to_string()));
    }
    None
}

/// `t` with `{n}` replaced by the lead's number.
pub fn fill(t: &str, n: u64) -> Cow<'_, str> {
    if !t.contains("{n}") {
        return Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len() + 8);
    for (i, piece) in t.split("{n}").enumerate() {
        if i > 0 {
            // Writing to a String cannot fail.
            let _ = write!(out, "{n}");
        }
        out.push_str(piece);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..3).map(|_| stream(7, 1, 2, 3).random()).collect();
        assert_eq!(a[0], a[1]);
        let mut s1 = stream(7, 1, 2, 3);
        let mut s2 = stream(7, 1, 3, 3);
        assert_ne!(s1.random::<u64>(), s2.random::<u64>());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = stream(1, 0, 0, 0);
        for mean in [3.0, 40.0] {
            let n = 20_000;
            let total: u64 = (0..n).map(|_| poisson(&mut rng, mean)).sum();
            let m = total as f64 / n as f64;
            assert!((m - mean).abs() < mean * 0.03, "mean {mean}: got {m}");
        }
    }

    #[test]
    fn weighted_respects_weights() {
        let mut w = BTreeMap::new();
        w.insert("a".to_string(), NonNegative(3.0));
        w.insert("b".to_string(), NonNegative(1.0));
        w.insert("c".to_string(), NonNegative(0.0));
        let mut rng = stream(2, 0, 0, 0);
        let n = 40_000;
        let a = (0..n)
            .filter(|_| weighted(&mut rng, &w) == Some("a"))
            .count();
        let share = a as f64 / n as f64;
        assert!((share - 0.75).abs() < 0.01, "share of a: {share}");
    }
}
