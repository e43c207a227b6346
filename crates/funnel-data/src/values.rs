//! The one grammar of each typed value in a data file, whatever the format:
//! CSV cells, JSON Lines values and YAML scalars all reach these functions
//! as the text they were written as (see the table in `docs/data.md`).
//! Nothing is guessed: `1,50`, `1,0,0`, `--5000`, `$$$7`, `0x10`, `NaN` and
//! `inf days` are not values, and a value out of range is refused, never
//! read as 0.

use rust_decimal::Decimal;

/// Digits, optionally in thousands groups (`1,234,567`), then optionally a
/// point and digits: the text without its commas, or `None`.
fn unsigned(t: &str) -> Option<String> {
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(f) = frac {
        if !digits(f) {
            return None;
        }
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or_default();
    if !digits(first) {
        return None;
    }
    let mut out = first.to_string();
    let mut grouped = false;
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        grouped = true;
        out.push_str(g);
    }
    if grouped && (first.len() > 3 || first.starts_with('0')) {
        return None;
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// A number: an optional `-`, digits as above, an optional exponent
/// (`1.5e3`, as JSON writes large numbers); finite.
pub fn number(t: &str) -> Option<f64> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut text = unsigned(mantissa)?;
    if let Some(e) = exp {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.push('e');
        text.push_str(e);
    }
    let n: f64 = text.parse().ok()?;
    let n = if neg { -n } else { n };
    n.is_finite().then_some(n)
}

/// An amount of money: an optional `-`, an optional `$`, digits as above
/// (`-$10,000.50`), exact in a decimal (below about 7.9e28, at most 28
/// digits after the point).
pub fn money(t: &str) -> Option<Decimal> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() < 20 {
        // Plain digits (the usual cell): nothing to strip.
        return t.parse::<Decimal>().ok();
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let body = body.strip_prefix('$').unwrap_or(body);
    let text = unsigned(body)?;
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    if frac.len() > 28 || int.trim_start_matches('0').len() + frac.len() > 29 {
        return None;
    }
    let d = text.parse::<Decimal>().ok()?;
    Some(if neg { -d } else { d })
}

/// A percentage: a number and `%` (`25%` is 0.25), or a number alone, which
/// is already the fraction (`0.25`).
pub fn percent(t: &str) -> Option<f64> {
    match t.strip_suffix('%') {
        Some(n) => number(n.trim_end()).map(|n| n / 100.0),
        None => number(t),
    }
}

/// A duration in seconds: a number and a unit (`minute`, `hour`, `day`,
/// `week`, `month` = 30 days, singular or plural) or a number alone, which
/// is days. Lengths beyond the range of instants saturate.
pub fn duration(t: &str) -> Option<i64> {
    let mut parts = t.split_whitespace();
    let n = number(parts.next()?)?;
    let unit = match parts.next() {
        None | Some("day" | "days") => 86_400.0,
        Some("minute" | "minutes") => 60.0,
        Some("hour" | "hours") => 3_600.0,
        Some("week" | "weeks") => 7.0 * 86_400.0,
        Some("month" | "months") => 30.0 * 86_400.0,
        Some(_) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    // `as` saturates at the ends of i64 (and the number is finite).
    Some((n * unit).round() as i64)
}

/// `true`/`yes`/`1` or `false`/`no`/`0`, in any case.
pub fn boolean(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! One test per row of the table in `docs/data.md`.
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn numbers() {
        for (t, v) in [
            ("42", 42.0),
            ("-3.5", -3.5),
            ("1,234,567.25", 1_234_567.25),
            ("0.5", 0.5),
            ("1.5e3", 1500.0),
            ("2E-2", 0.02),
        ] {
            assert_eq!(number(t), Some(v), "{t}");
        }
        for t in [
            "", "1,50", "1,0,0", "1234,567", "--5", "+5", ".5", "5.", "NaN", "inf", "-inf", "0x10",
            "1e", "1e400", "1_000", " 5", "$5", "5%",
        ] {
            assert_eq!(number(t), None, "{t}");
        }
    }

    #[test]
    fn money_amounts() {
        for (t, v) in [
            ("10000", "10000"),
            ("$10,000.50", "10000.50"),
            ("-$5", "-5"),
            ("-3", "-3"),
            ("0.1", "0.1"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
        ] {
            assert_eq!(money(t), Some(dec(v)), "{t}");
        }
        for t in [
            "",
            "1,50",
            "1,0,0",
            "--5000",
            "$$$7",
            "$-5",
            "0x10",
            "1e5",
            "NaN",
            "5 USD",
            "79228162514264337593543950336",
            "100000000000000000000000000000",
            "0.12345678901234567890123456789",
            "1_000",
        ] {
            assert_eq!(money(t), None, "{t}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(percent("25%"), Some(0.25));
        assert_eq!(percent("0.25"), Some(0.25));
        assert_eq!(percent("12.5 %"), Some(0.125));
        for t in ["", "%", "25%%", "NaN%", "inf", "1,5%"] {
            assert_eq!(percent(t), None, "{t}");
        }
    }

    #[test]
    fn durations() {
        for (t, v) in [
            ("3 days", 3 * 86_400),
            ("1 day", 86_400),
            ("2", 2 * 86_400),
            ("90 minutes", 5_400),
            ("1.5 hours", 5_400),
            ("2 weeks", 14 * 86_400),
            ("1 month", 30 * 86_400),
            ("1e300 days", i64::MAX),
        ] {
            assert_eq!(duration(t), Some(v), "{t}");
        }
        for t in [
            "",
            "NaN",
            "inf days",
            "3 dayss",
            "3 fortnights",
            "3 days ago",
            "days",
        ] {
            assert_eq!(duration(t), None, "{t}");
        }
    }

    #[test]
    fn booleans() {
        for t in ["true", "TRUE", "yes", "1"] {
            assert_eq!(boolean(t), Some(true));
        }
        for t in ["false", "No", "0"] {
            assert_eq!(boolean(t), Some(false));
        }
        for t in ["", "y", "2", "on"] {
            assert_eq!(boolean(t), None);
        }
    }
}
