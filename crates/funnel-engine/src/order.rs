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
/// that item made. The key's first part, the instant, is the record's own
/// ([`Stamped`]); the second, `k1`, orders events (by rank) before timers
/// (by their creator's instant), so most comparisons need nothing else. A
/// timer's whole key is in [`Keys::flat`] at `start` (after its length) for
/// the rare ties; an event's key is complete without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecKey {
    pub k1: u64,
    pub start: u32,
    pub sub: u32,
}

/// No key in the arena (an event's).
const NONE: u32 = u32::MAX;

/// A record with the instant of the item that made it.
pub(crate) trait Stamped {
    fn at(&self) -> i64;
}

impl Stamped for crate::trace::Transition {
    fn at(&self) -> i64 {
        self.at
    }
}

impl Stamped for crate::trace::Action {
    fn at(&self) -> i64 {
        self.at
    }
}

impl Stamped for crate::trace::Breach {
    fn at(&self) -> i64 {
        self.at
    }
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
    /// Free the per-record keys once the records carry them
    /// ([`sort`]); only `flat`, which comparisons read, stays.
    pub fn keep_only_flat(&mut self) {
        for v in [&mut self.transitions, &mut self.actions, &mut self.breaches] {
            *v = Vec::new();
        }
        self.lead = Vec::new();
        self.flat.shrink_to_fit();
    }

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
        let start = match self.cur_flat {
            Some((start, _)) => start,
            // An event's key is all in the instant and `k1`.
            None if key.get(1) == Some(&0) => NONE,
            None => {
                let start = self.flat.len();
                self.flat.push(l as i64);
                self.flat.extend_from_slice(key);
                let k = span(start, l);
                self.cur_flat = Some(k);
                k.0
            }
        };
        let k = RecKey {
            k1: k1(key),
            start,
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
        if k.start == NONE {
            return &[];
        }
        let s = k.start as usize;
        let len = self.flat.get(s).copied().unwrap_or(0) as usize;
        self.flat.get(s + 1..s + 1 + len).unwrap_or_default()
    }

    /// Compare record `a` at instant `at_a` (keyed here) with record `b`
    /// at `at_b` (keyed in `other`).
    pub fn cmp(&self, at_a: i64, a: &RecKey, other: &Keys, at_b: i64, b: &RecKey) -> Ordering {
        at_a.cmp(&at_b)
            .then(a.k1.cmp(&b.k1))
            .then_with(|| self.slice(a).cmp(other.slice(b)))
            .then(a.sub.cmp(&b.sub))
    }
}

/// Sort `items` (keyed by `keys`, one key per item) into replay order.
pub(crate) fn sort<T: Stamped>(
    items: Vec<T>,
    keys: &Keys,
    item_keys: &[RecKey],
) -> Vec<(T, RecKey)> {
    let mut v: Vec<(T, RecKey)> = items.into_iter().zip(item_keys.iter().copied()).collect();
    v.sort_unstable_by(|(x, a), (y, b)| keys.cmp(x.at(), a, keys, y.at(), b));
    v
}

/// Merge sorted record lists of several shards into one list in replay order.
pub(crate) fn merge<T: Stamped>(parts: Vec<(Vec<(T, RecKey)>, &Keys)>) -> Vec<T> {
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
fn less<T: Stamped>(iters: &mut Parts<'_, T>, i: usize, j: usize) -> bool {
    let (ki, kj) = (iters[i].1, iters[j].1);
    let a = iters[i].0.peek().map(|(t, k)| (t.at(), *k));
    let b = iters[j].0.peek().map(|(t, k)| (t.at(), *k));
    match (a, b) {
        (Some((x, a)), Some((y, b))) => ki.cmp(x, &a, kj, y, &b) == Ordering::Less,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record: a name at an instant.
    #[derive(Debug, PartialEq)]
    struct R(&'static str, i64);

    impl Stamped for R {
        fn at(&self) -> i64 {
            self.1
        }
    }

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
        assert_eq!(b.cmp(100, &kb[0], &a, 100, &ka), Ordering::Less);
        // B's timers were created by rank 2, before A's (rank 5).
        assert_eq!(b.cmp(100, &kb[2], &a, 100, &ka), Ordering::Less);
        assert_eq!(b.cmp(100, &kb[1], &a, 100, &ka), Ordering::Less);
        // B's first timer before its second; records of one item in order.
        assert_eq!(b.cmp(100, &kb[2], &b, 100, &kb[1]), Ordering::Less);
        assert_eq!(b.cmp(100, &kb[2], &b, 100, &kb[3]), Ordering::Less);
        // A timer created at the same instant by an item of the same kind:
        // the whole keys decide (the event of rank 2 created B's timers).
        let recs = |names: &[&'static str]| names.iter().map(|n| R(n, 100)).collect::<Vec<_>>();
        let merged = merge(vec![
            (sort(recs(&["a"]), &a, &a.transitions), &a),
            (
                sort(recs(&["b0", "b1", "b2", "b3"]), &b, &b.transitions),
                &b,
            ),
        ]);
        let names: Vec<&str> = merged.iter().map(|r| r.0).collect();
        assert_eq!(names, vec!["b0", "b2", "b3", "b1", "a"]);
    }
}
