//! The index of lead ids: an open-addressing table (linear probing, at most
//! half full) whose slots hold short ids inline, so looking a lead up for
//! each event costs one cache miss, not two (a `HashMap<Box<str>, _>` reads
//! the bucket, then the boxed key). Ids longer than [`INLINE`] bytes keep
//! their hash in the slot and the text beside the table.

use crate::hash::hash_str;

/// Ids up to this many bytes are stored in the slot.
const INLINE: usize = 15;

/// The length byte of a slot holding a long id.
const LONG: u8 = u8::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The id, or for a long id: its hash (8 bytes) and its place in `long`.
    key: [u8; INLINE],
    len: u8,
    /// The lead; `u32::MAX` for an empty slot.
    value: u32,
}

const EMPTY: Slot = Slot {
    key: [0; INLINE],
    len: 0,
    value: u32::MAX,
};

/// Lead id → lead index.
#[derive(Clone, Debug, Default)]
pub struct LeadIndex {
    slots: Vec<Slot>,
    long: Vec<Box<str>>,
    len: usize,
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

    fn matches(&self, slot: &Slot, k: &str, hash: u64) -> bool {
        if k.len() <= INLINE {
            // Keys are stored zero-padded: compare whole arrays (no memcmp).
            let mut padded = [0u8; INLINE];
            padded[..k.len()].copy_from_slice(k.as_bytes());
            usize::from(slot.len) == k.len() && slot.key == padded
        } else {
            slot.len == LONG
                && slot.key[..8] == hash.to_le_bytes()
                && self.long.get(long_index(slot)).is_some_and(|l| &**l == k)
        }
    }

    /// The slot of `k`, or the empty slot where it would go.
    fn find(&self, k: &str, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let s = &self.slots[i];
            if s.value == u32::MAX || self.matches(s, k, hash) {
                return i;
            }
            i = (i + 1) & mask;
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
        (s.value != u32::MAX).then_some(&s.value)
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, k: &Q) -> bool {
        self.get(k).is_some()
    }

    /// Map `k` to `v`; the previous value, if `k` was there.
    pub fn insert(&mut self, k: Box<str>, v: u32) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(&k, hash_str(&k));
        if self.slots[i].value != u32::MAX {
            return Some(std::mem::replace(&mut self.slots[i].value, v));
        }
        self.put(i, &k, v);
        None
    }

    /// Map `k` to `v` unless `k` is there already: then its value, and
    /// nothing changes. One probe, no allocation for a short id.
    pub fn insert_new(&mut self, k: &str, v: u32) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(k, hash_str(k));
        if self.slots[i].value != u32::MAX {
            return Some(self.slots[i].value);
        }
        self.put(i, k, v);
        None
    }

    /// Fill the empty slot `i` with `k` → `v`.
    fn put(&mut self, i: usize, k: &str, v: u32) {
        let hash = hash_str(k);
        let mut slot = Slot {
            key: [0; INLINE],
            len: 0,
            value: v,
        };
        if k.len() <= INLINE {
            slot.key[..k.len()].copy_from_slice(k.as_bytes());
            slot.len = k.len() as u8;
        } else {
            slot.key[..8].copy_from_slice(&hash.to_le_bytes());
            let at = u32::try_from(self.long.len()).unwrap_or(u32::MAX);
            slot.key[8..12].copy_from_slice(&at.to_le_bytes());
            slot.len = LONG;
            self.long.push(k.into());
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| s.value != u32::MAX) {
            let hash = if s.len == LONG {
                let mut h = [0u8; 8];
                h.copy_from_slice(&s.key[..8]);
                u64::from_le_bytes(h)
            } else {
                std::str::from_utf8(&s.key[..usize::from(s.len)]).map_or(0, hash_str)
            };
            let mut i = (hash as usize) & mask;
            while self.slots[i].value != u32::MAX {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

fn long_index(s: &Slot) -> usize {
    let mut b = [0u8; 4];
    b.copy_from_slice(&s.key[8..12]);
    u32::from_le_bytes(b) as usize
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
}
