//! Putting the records of a lead-major replay back in time order.
//!
//! A plain replay processes the events and timers of all leads in one time
//! order, so its transitions, actions and breaches come out in that order.
//! A lead-major replay ([`crate::shard`]) replays one lead at a time, which
//! gives the same per-lead results (leads never influence each other) but
//! records in lead order. To restore the plain order, every processed item
//! gets the key it would sort by in the plain replay:
//!
//! - an event: `[at, 0, rank]`, its rank being its position among all
//!   events sorted by (instant, input order);
//! - a timer: `[at, 1, key of the item that created it…, n]`, n counting
//!   the timers that item created before it, since timers fire by (instant,
//!   creation order) and creation order is the order of the creating items.
//!
//! Events come before timers at the same instant, hence 0 and 1. Keys are
//! prefix-free (each part says how long it is), so comparing them as
//! sequences of integers compares them exactly as the plain replay orders
//! the items; records of one item keep the order they were made in.

use std::cmp::Ordering;

/// Where a record sorts: its item's key and its position among the records
/// that item made. The key's first two parts are kept here, so most
/// comparisons need nothing else: `k0` is the instant, `k1` orders events
/// (by rank) before timers (by their creator's instant). A timer's whole key
/// is in [`Keys::flat`] for the rare ties; an event's key is complete here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecKey {
    pub k0: i64,
    pub k1: u64,
    pub start: u32,
    pub len: u32,
    pub sub: u32,
}

/// `k1` of a timer: above every event rank, then by the creator's instant.
const TIMER: u64 = 1 << 62;

fn k1(key: &[i64]) -> u64 {
    match key {
        [_, 0, rank, ..] => (*rank).clamp(0, (TIMER - 1) as i64) as u64,
        [_, _, creator_at, ..] => TIMER | (creator_at.saturating_add(1 << 60) as u64 & (TIMER - 1)),
        _ => 0,
    }
}

/// A timer's key in the current lead's arena.
pub(crate) type Span = (u32, u32);

/// The ordering bookkeeping of a lead-major replay.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    /// Keys of the current lead's items (cleared for every lead).
    lead: Vec<i64>,
    /// The key of the item being processed, in `lead`.
    cur: Span,
    /// The same key copied to `flat`, once a record needed it.
    cur_flat: Option<Span>,
    /// Timers the current item created so far.
    pushed: i64,
    /// Records the current item made so far.
    sub: u32,
    /// Keys of every item that made a record.
    pub flat: Vec<i64>,
    pub transitions: Vec<RecKey>,
    pub actions: Vec<RecKey>,
    pub breaches: Vec<RecKey>,
}

fn span(start: usize, len: usize) -> Span {
    (
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(len).unwrap_or(u32::MAX),
    )
}

impl Keys {
    pub fn begin_lead(&mut self) {
        self.lead.clear();
    }

    /// An event of rank `rank` is processed next.
    pub fn begin_event(&mut self, at: i64, rank: usize) {
        let start = self.lead.len();
        self.lead
            .extend_from_slice(&[at, 0, i64::try_from(rank).unwrap_or(i64::MAX)]);
        self.begin(span(start, 3));
    }

    /// A timer with key `key` (from [`Keys::timer`]) fires next.
    pub fn begin_timer(&mut self, key: Span) {
        self.begin(key);
    }

    fn begin(&mut self, key: Span) {
        self.cur = key;
        self.cur_flat = None;
        self.pushed = 0;
        self.sub = 0;
    }

    /// The key of a timer due at `at` that the current item creates.
    pub fn timer(&mut self, at: i64) -> Span {
        let start = self.lead.len();
        let (s, l) = (self.cur.0 as usize, self.cur.1 as usize);
        self.lead.extend_from_slice(&[at, 1]);
        self.lead.extend_from_within(s..s + l);
        self.lead.push(self.pushed);
        self.pushed += 1;
        span(start, self.lead.len() - start)
    }

    /// The key of the next record the current item makes.
    fn record(&mut self) -> RecKey {
        let (s, l) = (self.cur.0 as usize, self.cur.1 as usize);
        let key = &self.lead[s..s + l];
        let (start, len) = match self.cur_flat {
            Some(k) => k,
            // An event's key is all in `k0` and `k1`.
            None if key.get(1) == Some(&0) => (0, 0),
            None => {
                let start = self.flat.len();
                self.flat.extend_from_slice(key);
                let k = span(start, l);
                self.cur_flat = Some(k);
                k
            }
        };
        let k = RecKey {
            k0: key.first().copied().unwrap_or(i64::MIN),
            k1: k1(key),
            start,
            len,
            sub: self.sub,
        };
        self.sub += 1;
        k
    }

    pub fn transition(&mut self) {
        let k = self.record();
        self.transitions.push(k);
    }

    pub fn action(&mut self) {
        let k = self.record();
        self.actions.push(k);
    }

    pub fn breach(&mut self) {
        let k = self.record();
        self.breaches.push(k);
    }

    fn slice(&self, k: &RecKey) -> &[i64] {
        let s = k.start as usize;
        self.flat.get(s..s + k.len as usize).unwrap_or_default()
    }

    /// Compare record `a` (keyed here) with record `b` (keyed in `other`).
    pub fn cmp(&self, a: &RecKey, other: &Keys, b: &RecKey) -> Ordering {
        a.k0.cmp(&b.k0)
            .then(a.k1.cmp(&b.k1))
            .then_with(|| self.slice(a).cmp(other.slice(b)))
            .then(a.sub.cmp(&b.sub))
    }
}

/// Sort `items` (keyed by `keys`, one key per item) into replay order.
pub(crate) fn sort<T>(items: Vec<T>, keys: &Keys, item_keys: &[RecKey]) -> Vec<(T, RecKey)> {
    let mut v: Vec<(T, RecKey)> = items.into_iter().zip(item_keys.iter().copied()).collect();
    v.sort_unstable_by(|(_, a), (_, b)| keys.cmp(a, keys, b));
    v
}

/// Merge sorted record lists of several shards into one list in replay order.
pub(crate) fn merge<T>(parts: Vec<(Vec<(T, RecKey)>, &Keys)>) -> Vec<T> {
    let total = parts.iter().map(|(v, _)| v.len()).sum();
    let mut out = Vec::with_capacity(total);
    let mut iters: Parts<'_, T> = parts
        .into_iter()
        .map(|(v, k)| (v.into_iter().peekable(), k))
        .collect();
    loop {
        let mut best: Option<usize> = None;
        for i in 0..iters.len() {
            if iters[i].0.peek().is_none() {
                continue;
            }
            best = match best {
                Some(j) if !less(&mut iters, i, j) => Some(j),
                _ => Some(i),
            };
        }
        let Some(i) = best else { break };
        if let Some((item, _)) = iters[i].0.next() {
            out.push(item);
        }
    }
    out
}

type Parts<'k, T> = Vec<(
    std::iter::Peekable<std::vec::IntoIter<(T, RecKey)>>,
    &'k Keys,
)>;

/// Does part `i`'s next record come before part `j`'s?
fn less<T>(iters: &mut Parts<'_, T>, i: usize, j: usize) -> bool {
    let (ki, kj) = (iters[i].1, iters[j].1);
    let a = iters[i].0.peek().map(|(_, k)| *k);
    let b = iters[j].0.peek().map(|(_, k)| *k);
    match (a, b) {
        (Some(a), Some(b)) => ki.cmp(&a, kj, &b) == Ordering::Less,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_sort_by_instant_then_by_their_creators() {
        // Lead A: an event of rank 5 at t=10 creates a timer due at 100.
        let mut a = Keys::default();
        a.begin_lead();
        a.begin_event(10, 5);
        let ta = a.timer(100);
        a.begin_timer(ta);
        a.transition();
        // Lead B: an event of rank 2 at t=10 creates two timers due at 100
        // and an event at t=100 records too.
        let mut b = Keys::default();
        b.begin_lead();
        b.begin_event(10, 2);
        let tb1 = b.timer(100);
        let tb2 = b.timer(100);
        b.begin_event(100, 9);
        b.transition();
        b.begin_timer(tb2);
        b.transition();
        b.begin_timer(tb1);
        b.transition();
        b.transition();
        let (ka, kb) = (a.transitions[0], &b.transitions);
        // The event at 100 comes before every timer at 100.
        assert_eq!(b.cmp(&kb[0], &a, &ka), Ordering::Less);
        // B's timers were created by rank 2, before A's (rank 5).
        assert_eq!(b.cmp(&kb[2], &a, &ka), Ordering::Less);
        assert_eq!(b.cmp(&kb[1], &a, &ka), Ordering::Less);
        // B's first timer before its second; records of one item in order.
        assert_eq!(b.cmp(&kb[2], &b, &kb[1]), Ordering::Less);
        assert_eq!(b.cmp(&kb[2], &b, &kb[3]), Ordering::Less);
        let merged = merge(vec![
            (sort(vec!["a"], &a, &a.transitions), &a),
            (sort(vec!["b0", "b1", "b2", "b3"], &b, &b.transitions), &b),
        ]);
        assert_eq!(merged, vec!["b0", "b2", "b3", "b1", "a"]);
    }
}
