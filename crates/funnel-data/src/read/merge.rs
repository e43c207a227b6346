//! Merging decoded [`Part`]s into the dataset, in file order: texts are
//! re-interned in the dataset's interner (in the order the part met them, so
//! symbols are numbered by first appearance in the file, as if it had been
//! read in one piece), offsets and input order are shifted, counts and the
//! first problem of each kind are carried over. For leads, a repeated id is
//! found here, before any other problem of the same row, as it always was.

#![allow(clippy::result_large_err)]

use super::rows::Part;
use super::{BadRows, DataError};
use funnel_engine::data::{EventRec, Events, InputReport, Leads, RejectKind};
use funnel_engine::value::{Interner, Sym, Value};

/// The dataset's symbol of every symbol of `part`.
fn symbols(part: &Interner, into: &mut Interner) -> Vec<Sym> {
    (0..part.len())
        .map(|i| into.intern(part.resolve(Sym::try_from(i).unwrap_or(Sym::MAX))))
        .collect()
}

fn remap(v: Value, map: &[Sym]) -> Value {
    match v {
        Value::Text(s) => Value::Text(map.get(s as usize).copied().unwrap_or(s)),
        other => other,
    }
}

/// Count a rejected row under `--on-bad-row skip`; stop on it otherwise.
fn reject(report: &mut InputReport, policy: BadRows, e: DataError) -> Result<(), DataError> {
    match policy {
        BadRows::Error => Err(e),
        BadRows::Skip => {
            report.rejected += 1;
            let kind = e.kind.unwrap_or(RejectKind::BadValue);
            report
                .by_kind
                .entry(kind)
                .or_insert_with(|| (0, e.to_string()))
                .0 += 1;
            Ok(())
        }
    }
}

/// Add a part's counts to the file's.
pub(crate) fn absorb(report: &mut InputReport, part: &mut Part) {
    report.read += part.read;
    report.used += part.used;
    report.rejected += part.rejected;
    for (kind, (n, first)) in std::mem::take(&mut part.by_kind) {
        report.by_kind.entry(kind).or_insert((0, first)).0 += n;
    }
    for (what, n) in std::mem::take(&mut part.unmapped) {
        *report.unmapped.entry(what).or_insert(0) += n;
    }
}

/// Append a part of an events file.
pub(crate) fn events(
    into: &mut Events,
    texts: &mut Interner,
    report: &mut InputReport,
    part: &mut Part,
) -> Result<(), DataError> {
    let map = symbols(&part.texts, texts);
    let off = u32::try_from(into.values.len()).unwrap_or(u32::MAX);
    let seq = u32::try_from(into.recs.len()).unwrap_or(u32::MAX);
    into.values
        .extend(part.values.iter().map(|v| remap(*v, &map)));
    into.recs.extend(part.recs.iter().map(|r| EventRec {
        off: r.off.saturating_add(off),
        seq: r.seq.saturating_add(seq),
        ..*r
    }));
    absorb(report, part);
    match part.stop.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Append a part of a leads file: check ids are new, reject rows in order.
pub(crate) fn leads(
    into: &mut Leads,
    texts: &mut Interner,
    report: &mut InputReport,
    file: &str,
    policy: BadRows,
    part: &mut Part,
) -> Result<(), DataError> {
    let map = symbols(&part.texts, texts);
    absorb(report, part);
    let n = into.n_fields;
    for row in part.leads.drain(..) {
        let id = part.ids.get(row.id.0..row.id.1).unwrap_or("");
        let idx = u32::try_from(into.ids.len()).unwrap_or(u32::MAX);
        // A good row's id goes into the index at once (one probe); a bad
        // row's id is only looked up, as its duplicate is reported first.
        let twice = !id.is_empty()
            && match row.err {
                None => into.index.insert_new(id, idx).is_some(),
                Some(_) => into.index.contains_key(id),
            };
        if twice {
            let e = DataError {
                code: RejectKind::DuplicateLead.code(),
                file: file.to_string(),
                line: Some(row.line),
                column: (row.id_pos > 0).then_some(row.id_pos),
                field: Some("id".to_string()),
                message: format!("lead `{id}` appears twice"),
                help: None,
                kind: Some(RejectKind::DuplicateLead),
            };
            reject(report, policy, e)?;
            continue;
        }
        if let Some(e) = row.err {
            reject(report, policy, e)?;
            continue;
        }
        let values = part
            .values
            .get(row.values..row.values + n)
            .unwrap_or_default();
        into.values.extend(values.iter().map(|v| remap(*v, &map)));
        into.ids.push(id.into());
        report.used += 1;
    }
    match part.stop.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
