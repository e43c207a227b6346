//! Runtime values and the text interner.
//!
//! A [`Value`] is small and `Copy`: text and enumeration values are interned
//! into [`Sym`]s so comparing them is comparing integers, and no value owns
//! heap memory. Percent values are fractions (`25%` is 0.25); instants and
//! durations are seconds.

use std::collections::HashMap;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// An interned piece of text: an index into the [`Interner`].
pub type Sym = u32;

/// A value a field, score, literal or expression can have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A `?` field with no value.
    Missing,
    /// A number, a score, or a percent as a fraction.
    Num(f64),
    /// Exact money.
    Money(Decimal),
    /// Text or an enumeration value.
    Text(Sym),
    Bool(bool),
    /// An instant: seconds since the Unix epoch.
    Time(i64),
    /// A length of time in seconds.
    Dur(i64),
}

impl Value {
    /// The value as a float, for arithmetic and ordering.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(n),
            Value::Money(d) => d.to_f64(),
            Value::Time(t) | Value::Dur(t) => Some(t as f64),
            _ => None,
        }
    }

    /// The value as an exact decimal (money, numbers), if it has one.
    pub fn as_decimal(self) -> Option<Decimal> {
        match self {
            Value::Money(d) => Some(d),
            Value::Num(n) => Decimal::from_f64(n),
            _ => None,
        }
    }

    pub fn truthy(self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// Interns text so values can hold a [`Sym`] instead of a `String`.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    map: HashMap<Box<str>, Sym>,
    strings: Vec<Box<str>>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The symbol for `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = Sym::try_from(self.strings.len()).unwrap_or(Sym::MAX);
        self.strings.push(s.into());
        self.map.insert(s.into(), id);
        id
    }

    /// The symbol for `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The text of a symbol (empty for an unknown one).
    pub fn resolve(&self, id: Sym) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Format a float the way people write numbers: at most two decimals,
/// trailing zeros dropped (`35`, `12.5`, `0.33`).
pub fn fmt_num(n: f64) -> String {
    if n.is_nan() {
        return "undefined".to_string();
    }
    let r = (n * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn interner_round_trips() {
        let mut i = Interner::new();
        let a = i.intern("a");
        let b = i.intern("b");
        assert_eq!(i.intern("a"), a);
        assert_ne!(a, b);
        assert_eq!(i.resolve(b), "b");
        assert_eq!(i.get("c"), None);
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(fmt_num(35.0), "35");
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(1.0 / 3.0), "0.33");
        assert_eq!(fmt_num(-0.001), "0");
    }
}
