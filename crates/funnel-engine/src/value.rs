//! Runtime values and the text interner.
//!
//! A [`Value`] is small and `Copy`: text and enumeration values are interned
//! into [`Sym`]s so comparing them is comparing integers, and no value owns
//! heap memory. Percent values are fractions (`25%` is 0.25); instants and
//! durations are seconds.

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

/// Interns text so values can hold a [`Sym`] instead of a `String`. Each
/// text is stored once; an open-addressing table (linear probing, at most
/// half full) finds it again by its hash. A slot holds the hash's high half
/// beside the symbol, so a probe only reads a stored text when they match.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    /// Per slot: `hash >> 32` in the high half, `sym + 1` in the low half;
    /// 0 for an empty slot. The length is a power of two.
    slots: Vec<u64>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The slot holding `s`, or the empty slot where it would go.
    #[inline]
    fn find(&self, s: &str, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let tag = hash >> 32;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return i;
            }
            if slot >> 32 == tag {
                let id = (slot & 0xffff_ffff) as usize - 1;
                if &*self.strings[id] == s {
                    return i;
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        self.slots = vec![0; cap];
        let mask = cap - 1;
        for (id, s) in self.strings.iter().enumerate() {
            let hash = crate::hash::hash_str(s);
            let mut i = (hash as usize) & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (hash >> 32) << 32 | (id as u64 + 1);
        }
    }

    /// The symbol for `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if (self.strings.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = crate::hash::hash_str(s);
        let i = self.find(s, hash);
        match self.slots[i] {
            0 => {
                let id = Sym::try_from(self.strings.len()).unwrap_or(Sym::MAX);
                self.strings.push(s.into());
                self.slots[i] = (hash >> 32) << 32 | (u64::from(id) + 1);
                id
            }
            slot => (slot & 0xffff_ffff) as Sym - 1,
        }
    }

    /// The symbol for `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.find(s, crate::hash::hash_str(s))] {
            0 => None,
            slot => Some((slot & 0xffff_ffff) as Sym - 1),
        }
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
        // Past many growths every text keeps its symbol.
        let syms: Vec<Sym> = (0..5_000).map(|k| i.intern(&format!("t{k}"))).collect();
        for (k, s) in syms.iter().enumerate() {
            assert_eq!(i.get(&format!("t{k}")), Some(*s));
            assert_eq!(i.resolve(*s), format!("t{k}"));
        }
        assert_eq!(i.intern("a"), a);
        assert_eq!(i.len(), 5_002);
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(fmt_num(35.0), "35");
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(1.0 / 3.0), "0.33");
        assert_eq!(fmt_num(-0.001), "0");
    }
}
