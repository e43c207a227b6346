//! Deterministic keys: the idempotency key of a row that came without one
//! (a digest of its content), and the key of every action in the outbox
//! (a digest of lead, rule and instant). A re-sent row gets the same key
//! and is recognised; a replay that produces the same action gives it the
//! same key, so the outbox never holds it twice and a receiver can dedupe
//! by it.

use sha2::{Digest, Sha256};

use crate::input::Cells;

/// The first 128 bits of SHA-256, in hex.
fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex(&h.finalize()[..16])
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[usize::from(b >> 4)] as char);
        s.push(D[usize::from(b & 15)] as char);
    }
    s
}

/// The key of an event row without `_key`: its lead, type, instant and
/// field cells. Identical rows get the same key; the caller numbers
/// repeats within one submission (`#2`, `#3`, ...).
pub fn event_key(lead: &str, event: &str, at: i64, fields: &Cells) -> String {
    let at = at.to_string();
    let mut parts = vec!["event", lead, event, at.as_str()];
    for (k, v) in fields {
        parts.push(k);
        parts.push(v);
    }
    digest(&parts)
}

/// What identifies an action across replays and playbook versions: the
/// lead, the kind (`send`, `notify`, `set`, `stage`), the nurture (empty
/// for a stage change), the target (template, channel, field or stage
/// name), the instant, and its number among identical tuples (1 first).
/// Source lines are left out, so editing an unrelated line of the playbook
/// keeps every key.
pub fn action_key(
    lead: &str,
    kind: &str,
    nurture: &str,
    target: &str,
    at: i64,
    nth: usize,
) -> String {
    let (at, nth) = (at.to_string(), nth.to_string());
    digest(&["action", lead, kind, nurture, target, &at, &nth])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_digests_of_their_parts() {
        let mut f = Cells::new();
        f.insert("path".into(), "/x".into());
        let k = event_key("L1", "page_view", 1_767_225_600, &f);
        assert_eq!(k.len(), 32);
        assert_eq!(k, event_key("L1", "page_view", 1_767_225_600, &f.clone()));
        assert_ne!(k, event_key("L1", "page_view", 1_767_225_601, &f));
        assert_ne!(k, event_key("L2", "page_view", 1_767_225_600, &f));
        let a = action_key("L1", "send", "welcome", "hello", 10, 1);
        assert_ne!(a, action_key("L1", "send", "welcome", "hello", 10, 2));
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
