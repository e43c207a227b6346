//! The index of lead ids: an open-addressing table (linear probing, at most
//! half full) of 12-byte slots that hold short ids inline, so looking a lead
//! up for each event costs one cache miss, not two (a `HashMap<Box<str>, _>`
//! reads the bucket, then the boxed key), and a million leads' table (2^21
//! slots, 24 MiB) fits in a server's last-level cache. Ids longer than
//! [`INLINE`] bytes (or holding a NUL byte) keep their hash in the slot and
//! their text and lead beside the table.

use crate::hash::hash_str;

/// Ids up to this many bytes are stored in the slot.
const INLINE: usize = 8;

/// A slot's `value` with this bit set points into [`LeadIndex::long`].
const LONG_BIT: u32 = 1 << 31;

/// The `value` of an empty slot.
const EMPTY_VALUE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// A short id, zero-padded; for a long one its hash.
    key: [u8; INLINE],
    /// The lead of a short id; `LONG_BIT | i` for the long id `long[i]`;
    /// [`EMPTY_VALUE`] for an empty slot.
    value: u32,
}

const EMPTY: Slot = Slot {
    key: [0; INLINE],
    value: EMPTY_VALUE,
};

/// A long id and its lead.
#[derive(Clone, Debug)]
struct Long {
    text: Box<str>,
    value: u32,
}

/// Lead id → lead index.
#[derive(Clone, Debug, Default)]
pub struct LeadIndex {
    slots: Vec<Slot>,
    long: Vec<Long>,
    len: usize,
}

/// Whether `k` is stored in the slot itself.
#[inline]
fn is_short(k: &str) -> bool {
    k.len() <= INLINE && !k.as_bytes().contains(&0)
}

#[inline]
fn padded(k: &str) -> [u8; INLINE] {
    let mut p = [0u8; INLINE];
    p[..k.len()].copy_from_slice(k.as_bytes());
    p
}

impl Slot {
    #[inline]
    fn is_empty(&self) -> bool {
        self.value == EMPTY_VALUE
    }

    #[inline]
    fn long(&self) -> Option<usize> {
        (self.value & LONG_BIT != 0).then_some((self.value & !LONG_BIT) as usize)
    }
}

impl LeadIndex {
    pub fn new() -> LeadIndex {
        LeadIndex::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn matches(&self, slot: &Slot, k: &str, hash: u64) -> bool {
        match slot.long() {
            // Keys are stored zero-padded: compare whole arrays (no memcmp).
            None => is_short(k) && slot.key == padded(k),
            Some(i) => {
                slot.key == hash.to_le_bytes() && self.long.get(i).is_some_and(|l| &*l.text == k)
            }
        }
    }

    /// The slot of `k`, or the empty slot where it would go.
    fn find(&self, k: &str, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let s = &self.slots[i];
            if s.is_empty() || self.matches(s, k, hash) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The lead a full slot maps to.
    fn value<'s>(&'s self, s: &'s Slot) -> Option<&'s u32> {
        match s.long() {
            None => Some(&s.value),
            Some(i) => self.long.get(i).map(|l| &l.value),
        }
    }

    /// Touch the slots where these ids would be, so that their cache misses
    /// overlap before the ids are looked up one by one (a prefetch without
    /// `unsafe`). Returns a value only to keep the loads.
    pub fn warm<'a>(&self, ids: impl Iterator<Item = &'a str>) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        let mask = self.slots.len() - 1;
        ids.fold(0, |acc, k| {
            acc ^ self.slots[(hash_str(k) as usize) & mask].value
        })
    }

    /// The lead with id `k` (a `&str`, or anything that is one, as with a
    /// `HashMap<Box<str>, u32>`).
    pub fn get<Q: AsRef<str> + ?Sized>(&self, k: &Q) -> Option<&u32> {
        let k = k.as_ref();
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.find(k, hash_str(k))];
        if s.is_empty() {
            return None;
        }
        self.value(s)
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, k: &Q) -> bool {
        self.get(k).is_some()
    }

    /// Map `k` to `v`; the previous value, if `k` was there.
    pub fn insert(&mut self, k: Box<str>, v: u32) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = hash_str(&k);
        let i = self.find(&k, hash);
        let s = self.slots[i];
        if s.is_empty() {
            self.put(i, &k, hash, v);
            return None;
        }
        let old = self.value(&s).copied();
        match s.long() {
            Some(l) => {
                if let Some(e) = self.long.get_mut(l) {
                    e.value = v;
                }
            }
            None if v & LONG_BIT == 0 => self.slots[i].value = v,
            None => {
                // Too large to sit in the slot: the id moves beside the table.
                self.len -= 1;
                self.put(i, &k, hash, v);
            }
        }
        old
    }

    /// Map `k` to `v` unless `k` is there already: then its value, and
    /// nothing changes. One probe, no allocation for a short id.
    pub fn insert_new(&mut self, k: &str, v: u32) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = hash_str(k);
        let i = self.find(k, hash);
        let s = self.slots[i];
        if !s.is_empty() {
            return self.value(&s).copied();
        }
        self.put(i, k, hash, v);
        None
    }

    /// Fill slot `i` with `k` → `v`.
    fn put(&mut self, i: usize, k: &str, hash: u64, v: u32) {
        let long = u32::try_from(self.long.len())
            .ok()
            .filter(|l| l | LONG_BIT != EMPTY_VALUE);
        self.slots[i] = match long {
            _ if is_short(k) && v & LONG_BIT == 0 => Slot {
                key: padded(k),
                value: v,
            },
            Some(l) => {
                self.long.push(Long {
                    text: k.into(),
                    value: v,
                });
                Slot {
                    key: hash.to_le_bytes(),
                    value: LONG_BIT | l,
                }
            }
            // Over two billion long ids: no room to say where (unreachable
            // with u32 lead numbers); the id is not indexed.
            None => return,
        };
        self.len += 1;
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| !s.is_empty()) {
            let hash = match s.long() {
                Some(_) => u64::from_le_bytes(s.key),
                None => {
                    let n = s.key.iter().position(|b| *b == 0).unwrap_or(INLINE);
                    std::str::from_utf8(&s.key[..n]).map_or(0, hash_str)
                }
            };
            let mut i = (hash as usize) & mask;
            while !self.slots[i].is_empty() {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_ids_are_found_after_growing() {
        let mut ix = LeadIndex::new();
        let ids: Vec<String> = (0..3_000)
            .map(|i| {
                if i % 3 == 0 {
                    format!("a-rather-long-lead-identifier-{i}")
                } else {
                    format!("L{i}")
                }
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.insert(id.as_str().into(), i as u32), None);
        }
        assert_eq!(ix.len(), 3_000);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.get(id), Some(&(i as u32)));
        }
        assert!(!ix.contains_key("L3000"));
        assert!(!ix.contains_key("a-rather-long-lead-identifier-1"));
        assert!(!ix.contains_key(""));
        assert_eq!(ix.insert("L5".into(), 9), Some(5));
        assert_eq!(ix.get("L5"), Some(&9));
        assert_eq!(ix.insert("".into(), 7), None);
        assert_eq!(ix.get(""), Some(&7));
    }

    #[test]
    fn ids_at_the_inline_limit_nul_bytes_and_huge_values() {
        let mut ix = LeadIndex::new();
        // 8 bytes sit in the slot, 9 go beside it; a NUL byte is never
        // confused with the padding.
        assert_eq!(ix.insert_new("L0000001", 1), None);
        assert_eq!(ix.insert_new("L00000012", 2), None);
        assert_eq!(ix.insert_new("L\0", 3), None);
        assert_eq!(ix.insert_new("L", 4), None);
        assert_eq!(ix.insert_new("L0000001", 9), Some(1));
        assert_eq!(ix.get("L0000001"), Some(&1));
        assert_eq!(ix.get("L00000012"), Some(&2));
        assert_eq!(ix.get("L\0"), Some(&3));
        assert_eq!(ix.get("L"), Some(&4));
        assert_eq!(ix.get("L0000001\0"), None);
        // A value too large for a slot moves the id beside the table.
        assert_eq!(ix.insert("L".into(), u32::MAX - 1), Some(4));
        assert_eq!(ix.get("L"), Some(&(u32::MAX - 1)));
        assert_eq!(ix.insert_new("Q", u32::MAX), None);
        assert_eq!(ix.get("Q"), Some(&u32::MAX));
        assert_eq!(ix.len(), 5);
        for i in 0..200u32 {
            ix.insert_new(&format!("x{i}"), i);
        }
        assert_eq!(ix.get("L"), Some(&(u32::MAX - 1)));
        assert_eq!(ix.get("Q"), Some(&u32::MAX));
        assert_eq!(ix.get("L\0"), Some(&3));
        assert_eq!(ix.get("x199"), Some(&199));
        assert_eq!(ix.len(), 205);
    }

    #[test]
    fn slots_are_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 12);
    }
}
