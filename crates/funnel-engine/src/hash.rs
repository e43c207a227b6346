//! The hash for the engine's own tables (lead ids, interned texts): the
//! `rustc-hash` crate's FxHash, the fast non-cryptographic hash of rustc.
//! Inputs come from the user's own files, so resistance to crafted
//! collisions is not needed, and speed is: every event looks up its lead by
//! id. [`hash_str`] adds a final mix, because the open-addressing tables
//! here index by the low bits and keep the top bits as a tag.

use std::hash::Hasher;

pub use rustc_hash::FxHashMap;
use rustc_hash::FxHasher;

/// The hash of a string, as the tables here compute it: every bit depends
/// on every input bit.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    let h = h.finish();
    let h = h ^ (h >> 33);
    let h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_hash_equal_and_tails_count() {
        assert_eq!(hash_str("L0042"), hash_str("L0042"));
        assert_ne!(hash_str("L0042"), hash_str("L0043"));
        assert_ne!(hash_str("abcdefgh1"), hash_str("abcdefgh2"));
        let mut m: FxHashMap<Box<str>, u32> = FxHashMap::default();
        m.insert("a".into(), 1);
        assert_eq!(m.get("a"), Some(&1));
    }
}
