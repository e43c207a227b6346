//! The lead-major replay behind [`crate::run`] and [`crate::run_threads`].
//!
//! Leads never influence each other: every rule, trigger, nurture, send
//! limit and timer belongs to one lead. So instead of one replay of every
//! event and timer in time order, each lead is replayed on its own, its
//! events in (instant, input order) with its own timers, in a one-lead
//! window whose state stays in cache; the leads are split into contiguous
//! shards replayed on separate threads, each writing its leads' final
//! state straight into its part of the result arrays. The per-lead results
//! are the same as a plain replay's by construction. The records
//! (transitions, actions, breaches) come out lead by lead, each lead's in
//! time order; the shards' lists are joined in lead order and stably sorted
//! by instant, so records are in time order, at the same instant by lead
//! (the leads file's order) and then as made: the same whatever the number
//! of threads.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::compile::Compiled;
use crate::coverage;
use crate::data::{Dataset, EventRec};
use crate::eval::NO_STAGE;
use crate::replay::{Replay, RunOptions};
use crate::trace::{Action, Breach, TraceEntry, Transition};
use crate::value::Value;
use crate::Results;

/// Report progress about this often (events).
const PROGRESS_EVERY: usize = 65_536;

/// The records one shard of leads made, lead by lead.
pub(crate) struct Shard {
    transitions: Vec<Transition>,
    actions: Vec<Action>,
    breaches: Vec<Breach>,
    trace: Vec<TraceEntry>,
    covered: BTreeSet<coverage::Key>,
    timers_fired: usize,
    unsettled: Vec<crate::unsettled::Unsettled>,
}

/// A shard's leads' part of the result arrays (its leads' initial field
/// values in `vals`, replaced by their final ones).
struct Out<'a> {
    stage: &'a mut [u16],
    scores: &'a mut [f64],
    entered: &'a mut [i64],
    vals: &'a mut [Value],
}

/// The events of leads `from..to`: `idx[start[l - from]..start[l - from + 1]]`
/// are positions in the sorted events, in order.
struct ByLead {
    from: usize,
    start: Vec<u32>,
    idx: Vec<u32>,
}

fn by_lead(ds: &Dataset, replayed: usize, (from, to): (usize, usize)) -> ByLead {
    let recs = ds.events.recs.get(..replayed).unwrap_or_default();
    let mut start = vec![0u32; to - from + 1];
    for r in recs {
        let l = r.lead as usize;
        if (from..to).contains(&l) {
            start[l - from + 1] += 1;
        }
    }
    for l in 0..to - from {
        start[l + 1] += start[l];
    }
    let mut next: Vec<u32> = start[..to - from].to_vec();
    let mut idx = vec![0u32; start[to - from] as usize];
    for (i, r) in recs.iter().enumerate() {
        let l = r.lead as usize;
        if (from..to).contains(&l) {
            let slot = &mut next[l - from];
            idx[*slot as usize] = u32::try_from(i).unwrap_or(u32::MAX);
            *slot += 1;
        }
    }
    ByLead { from, start, idx }
}

/// Split `0..n` leads into `parts` contiguous ranges of about equal events.
fn split(ds: &Dataset, replayed: usize, parts: usize) -> Vec<(usize, usize)> {
    let n = ds.leads.len();
    if parts <= 1 || n == 0 {
        return vec![(0, n)];
    }
    // Events per block of leads, from a sample of the events.
    const BLOCKS: usize = 4_096;
    let per = n.div_ceil(BLOCKS);
    let mut weight = vec![0usize; n.div_ceil(per)];
    let recs = ds.events.recs.get(..replayed).unwrap_or_default();
    for r in recs.iter().step_by(16) {
        if let Some(w) = weight.get_mut(r.lead as usize / per) {
            *w += 1;
        }
    }
    let total: usize = weight.iter().sum::<usize>().max(1);
    let mut ranges = Vec::with_capacity(parts);
    let (mut from, mut seen, mut block) = (0, 0, 0);
    for p in 1..parts {
        let want = total * p / parts;
        while block < weight.len() && seen + weight[block] <= want {
            seen += weight[block];
            block += 1;
        }
        let to = (block * per).clamp(from, n);
        ranges.push((from, to));
        from = to;
    }
    ranges.push((from, n));
    ranges
}

/// What every shard reads.
struct Job<'a> {
    c: &'a Compiled,
    ds: &'a Dataset,
    opts: &'a RunOptions,
    replayed: usize,
    as_of: i64,
    /// Events replayed so far, over all shards.
    done: &'a AtomicUsize,
}

fn replay_shard(
    job: &Job<'_>,
    (from, to): (usize, usize),
    out: Out<'_>,
    tick: &mut dyn FnMut(),
) -> Shard {
    let Job {
        c,
        ds,
        opts,
        replayed,
        as_of,
        done,
    } = *job;
    let b = by_lead(ds, replayed, (from, to));
    let recs = &ds.events.recs;
    let ns = c.scores.len();
    let nst = c.stages.len();
    let nf = c.lead_fields.len();
    let mut r = Replay::one_lead(c, ds, opts);
    let mut since = 0usize;
    let mut mine: Vec<(EventRec, u32, u32)> = Vec::new();
    let mut vals: Vec<Value> = Vec::new();
    for lead in from..to {
        let k = lead - b.from;
        let evs = &b.idx[b.start[k] as usize..b.start[k + 1] as usize];
        if evs.is_empty() {
            continue; // Never replayed: the initial state is already there.
        }
        let id = u32::try_from(lead).unwrap_or(u32::MAX);
        r.begin_lead(id, &out.vals[k * nf..k * nf + nf]);
        // Gather the lead's events and their field values first: the loads
        // are independent, so their cache misses overlap (the events are
        // stored in time order, far apart).
        mine.clear();
        vals.clear();
        mine.extend(evs.iter().map(|&i| (recs[i as usize], 0, 0)));
        for m in &mut mine {
            let n = c
                .events
                .get(m.0.event as usize)
                .map_or(0, |d| d.fields.len());
            m.1 = vals.len() as u32;
            for k in 0..n {
                let v = ds.events.values.get(m.0.off as usize + k);
                vals.push(v.copied().unwrap_or(Value::Missing));
            }
            m.2 = vals.len() as u32;
        }
        for &(e, from, to) in &mine {
            r.fire_timers_before(e.at);
            let fields = &vals[from as usize..to as usize];
            r.event_with(e.lead, e.event, e.at, e.off, fields);
        }
        r.fire_timers_before(as_of.saturating_add(1));
        out.stage[k] = r.leads[0].stage;
        out.scores[k * ns..k * ns + ns].copy_from_slice(&r.scores);
        out.entered[k * nst..k * nst + nst].copy_from_slice(&r.entered);
        if !c.set_fields.is_empty() {
            out.vals[k * nf..k * nf + nf].copy_from_slice(&r.vals);
        }
        since += evs.len();
        if since >= PROGRESS_EVERY {
            done.fetch_add(since, Ordering::Relaxed);
            since = 0;
            tick();
        }
    }
    done.fetch_add(since, Ordering::Relaxed);
    drop(b);
    Shard {
        transitions: std::mem::take(&mut r.transitions),
        actions: std::mem::take(&mut r.actions),
        breaches: std::mem::take(&mut r.breaches),
        trace: std::mem::take(&mut r.trace),
        covered: r.covered.take().unwrap_or_default(),
        timers_fired: r.timers_fired,
        unsettled: std::mem::take(&mut r.unsettled),
    }
}

/// Replay every lead up to `as_of` on `threads` threads (at least one);
/// `vals` holds every lead's field values and becomes the final ones. The
/// records stay per shard until [`gather`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn replay(
    c: &Compiled,
    ds: &Dataset,
    opts: &RunOptions,
    replayed: usize,
    as_of: i64,
    threads: usize,
    vals: Vec<Value>,
    progress: &mut dyn FnMut(usize, usize),
) -> (Results, Vec<Shard>) {
    let n = ds.leads.len();
    let (ns, nst, nf) = (c.scores.len(), c.stages.len(), c.lead_fields.len());
    let init: Vec<f64> = c.scores.iter().map(|s| s.initial()).collect();
    let mut res = Results {
        stage: vec![NO_STAGE; n],
        scores: init.iter().copied().cycle().take(n * ns).collect(),
        entered: vec![i64::MIN; n * nst],
        vals,
        ..Results::default()
    };
    res.vals.resize(n * nf, Value::Missing);
    let ranges = split(ds, replayed, threads.max(1));
    // Cut the result arrays at the shards' boundaries.
    let mut outs = Vec::with_capacity(ranges.len());
    {
        let (mut st, mut sc, mut en, mut va) = (
            &mut res.stage[..],
            &mut res.scores[..],
            &mut res.entered[..],
            &mut res.vals[..],
        );
        for &(from, to) in &ranges {
            let k = to - from;
            let (a, rest) = st.split_at_mut(k);
            st = rest;
            let (b, rest) = sc.split_at_mut(k * ns);
            sc = rest;
            let (e, rest) = en.split_at_mut(k * nst);
            en = rest;
            let (v, rest) = va.split_at_mut(k * nf);
            va = rest;
            outs.push(Out {
                stage: a,
                scores: b,
                entered: e,
                vals: v,
            });
        }
    }
    let total = ds.events.recs.len();
    let done = AtomicUsize::new(0);
    let job = Job {
        c,
        ds,
        opts,
        replayed,
        as_of,
        done: &done,
    };
    let shards: Vec<Shard> = std::thread::scope(|scope| {
        let mut work = ranges.into_iter().zip(outs);
        let first = work.next();
        let handles: Vec<_> = work
            .map(|(range, out)| {
                let job = &job;
                scope.spawn(move || replay_shard(job, range, out, &mut || {}))
            })
            .collect();
        let mut tick = || progress(done.load(Ordering::Relaxed), total);
        let mut shards = Vec::with_capacity(handles.len() + 1);
        if let Some((range, out)) = first {
            shards.push(replay_shard(&job, range, out, &mut tick));
        }
        for h in handles {
            match h.join() {
                Ok(s) => shards.push(s),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        shards
    });
    (res, shards)
}

/// Every breach of every shard (in no particular order).
pub(crate) fn breaches(shards: &[Shard]) -> Vec<Breach> {
    shards
        .iter()
        .flat_map(|s| s.breaches.iter().copied())
        .collect()
}

/// Join the shards' records into `res` in time order: at the same instant
/// by lead (shards hold consecutive leads, in order), then as made. The
/// transitions are sorted on one thread, the actions and breaches on another.
pub(crate) fn gather(mut shards: Vec<Shard>, res: &mut Results) {
    let total = |f: fn(&Shard) -> usize| shards.iter().map(f).sum::<usize>();
    let mut transitions = Vec::with_capacity(total(|s| s.transitions.len()));
    let mut actions = Vec::with_capacity(total(|s| s.actions.len()));
    let mut breaches = Vec::with_capacity(total(|s| s.breaches.len()));
    for s in &mut shards {
        res.trace.append(&mut s.trace);
        res.covered.append(&mut s.covered);
        res.timers_fired += s.timers_fired;
        res.unsettled.append(&mut s.unsettled);
        transitions.append(&mut s.transitions);
        actions.append(&mut s.actions);
        breaches.append(&mut s.breaches);
    }
    drop(shards);
    res.unsettled.sort_by_key(|u| (u.at, u.lead));
    std::thread::scope(|scope| {
        let t = scope.spawn(move || {
            transitions.sort_by_key(|t| t.at);
            transitions
        });
        actions.sort_by_key(|a| a.at);
        breaches.sort_by_key(|b| b.at);
        res.actions = actions;
        res.breaches = breaches;
        match t.join() {
            Ok(t) => res.transitions = t,
            Err(e) => std::panic::resume_unwind(e),
        }
    });
}
