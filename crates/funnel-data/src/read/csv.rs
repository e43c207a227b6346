//! CSV input: a header row naming the columns, then one row per record.
//!
//! The header is read with the `csv` crate. The rows are cut into chunks at
//! the record boundaries the `csv` crate would find ([`super::chunks`]) and
//! decoded in parallel. A chunk without quotes, carriage returns or invalid
//! UTF-8 (the usual case) is split on newlines and commas directly,
//! borrowing every cell from the chunk; any other chunk goes through the
//! `csv` crate. Line numbers count line feeds before a record's first byte
//! (blank lines and CRLF included), not the crate's own numbering. A quote
//! still open at the end of the file is an error naming the line it opened on.

#![allow(clippy::result_large_err)]

use std::io::Read;

use super::chunks::{each_part, scan_csv, Chunks};
use super::rows::{Part, Schema};
use super::{unknown_column, DataError};
use funnel_engine::data::RejectKind;

/// The schema column of a file column nothing reads.
const IGNORED: usize = usize::MAX;

/// The header's column mapping.
struct Header {
    /// File column → schema column.
    map: Vec<usize>,
    /// Schema column → 1-based file column (0 when absent).
    pos: Vec<usize>,
    n_cols: usize,
}

/// Read the header from the start of the file; `None` at the end of input.
fn read_header(
    input: &mut impl Read,
    start: &mut Vec<u8>,
) -> std::io::Result<Option<(csv::ByteRecord, usize, usize)>> {
    let mut want = 1 << 16;
    loop {
        let have = start.len();
        start.resize(want, 0);
        let n = input.read(&mut start[have..])?;
        start.truncate(have + n);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&start[..]);
        let mut rec = csv::ByteRecord::new();
        let got = rdr.read_byte_record(&mut rec).unwrap_or(false);
        let end = rdr.position().byte() as usize;
        // The header is complete when the reader stopped before the end of
        // what was read (it saw the line end), or at the end of the input.
        if n == 0 || (got && end < start.len()) {
            return Ok(got.then(|| (rec, end, rdr.position().line() as usize)));
        }
        want = start.len().max(want) * 2;
    }
}

fn header(file: &str, rec: &csv::ByteRecord, schema: &dyn Schema) -> Result<Header, DataError> {
    let n_cols = schema.columns().len();
    let mut map: Vec<usize> = Vec::with_capacity(rec.len());
    let mut present = vec![false; n_cols];
    let mut pos = vec![0usize; n_cols];
    for (i, raw) in rec.iter().enumerate() {
        let name = std::str::from_utf8(raw).unwrap_or("").trim();
        let name = name.trim_start_matches('\u{feff}');
        let Some(col) = schema.column(name) else {
            if schema.ignore(name) {
                map.push(IGNORED);
                continue;
            }
            let mut e = unknown_column(file, name, schema).at(1);
            e.column = Some(i + 1);
            return Err(e);
        };
        if present[col] {
            let mut e = DataError::file(file, format!("column `{name}` appears twice"))
                .coded("funnel::data::duplicate_column")
                .at(1);
            e.column = Some(i + 1);
            return Err(e.help("keep one column per name"));
        }
        present[col] = true;
        pos[col] = i + 1;
        map.push(col);
    }
    let names: Vec<&str> = rec
        .iter()
        .map(|raw| std::str::from_utf8(raw).unwrap_or("").trim())
        .map(|n| n.trim_start_matches('\u{feff}'))
        .collect();
    schema.check_names(file, &names)?;
    if let Err(missing) = schema.check_header(&present) {
        return Err(
            DataError::file(file, format!("the header has no `{missing}` column"))
                .coded("funnel::data::missing_column")
                .at(1)
                .help(format!("add a `{missing}` column")),
        );
    }
    Ok(Header { map, pos, n_cols })
}

/// Read every row into parts handed to `merge`, decoding on `threads` threads.
pub(crate) fn read<S: Schema>(
    mut input: impl Read,
    file: &str,
    schema: &S,
    threads: usize,
    merge: &mut dyn FnMut(&mut Part) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let io = |e: std::io::Error| {
        DataError::file(file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    };
    let mut start = Vec::new();
    let found = read_header(&mut input, &mut start).map_err(io)?;
    let empty = || {
        DataError::file(file, "the file is empty")
            .coded("funnel::data::empty_file")
            .help("the first line must be a header naming the columns")
    };
    let Some((rec, end, _)) = found else {
        return Err(empty());
    };
    if rec.iter().all(|c| c.is_empty()) && rec.len() <= 1 {
        return Err(empty());
    }
    let h = header(file, &rec, schema)?;
    let line = line_after(&start[..end], 1);
    let rest = start.split_off(end);
    let mut chunks = Chunks::new(input, rest, line, true);
    let decode = |bytes: &[u8], line: usize, p: &mut Part| {
        let done = if fast_ok(bytes) {
            fast_rows(bytes, line, file, schema, &h, p)
        } else {
            slow_chunk(bytes, line, file, schema, &h, p)
        };
        if let Err(e) = done {
            p.stop = Some(e);
        }
    };
    each_part(&mut chunks, file, threads, &decode, merge)
}

/// The line a text that starts on line `line` ends on.
fn line_after(bytes: &[u8], line: usize) -> usize {
    line + memchr::memchr_iter(b'\n', bytes).count()
}

/// A chunk with quotes or carriage returns: its rows through the `csv`
/// crate, then, if a quoted cell is still open at its end (only the last
/// chunk can end so), an error naming where that quote opened.
fn slow_chunk<S: Schema>(
    bytes: &[u8],
    line: usize,
    file: &str,
    schema: &S,
    h: &Header,
    p: &mut Part,
) -> Result<(), DataError> {
    let scan = scan_csv(bytes);
    let Some(quote) = scan.open else {
        return slow_rows(bytes, file, schema, h, line, p);
    };
    let start = scan.boundary.unwrap_or(0);
    slow_rows(&bytes[..start], file, schema, h, line, p)?;
    let at = line_after(&bytes[..quote], line);
    // The cell the quote opens: the cells of its record before it, plus one.
    let before = &bytes[start..quote];
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(before);
    let mut rec = csv::ByteRecord::new();
    let cell = match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec.len(),
        _ => 1,
    };
    let mut e = DataError::file(
        file,
        format!("malformed CSV: the quote opened on line {at} is never closed"),
    )
    .coded("funnel::data::malformed")
    .at(at)
    .help("end the quoted cell with `\"`; write a quote inside a quoted cell as `\"\"`");
    e.column = Some(cell);
    Err(e)
}

/// Can the chunk be split on newlines and commas?
fn fast_ok(bytes: &[u8]) -> bool {
    memchr::memchr2(b'"', b'\r', bytes).is_none() && std::str::from_utf8(bytes).is_ok()
}

fn width_error(file: &str, line: usize, got: usize, width: usize) -> DataError {
    let mut e = DataError::file(
        file,
        format!("the row has {got} cells but the header has {width}"),
    )
    .coded("funnel::data::row_width")
    .at(line)
    .help("quote cells that contain commas; every row needs one cell per column");
    e.kind = Some(RejectKind::BadValue);
    e
}

/// Rows decoded together: the lead index is warmed for all of them first.
const BATCH: usize = 64;

fn fast_rows<S: Schema>(
    bytes: &[u8],
    first_line: usize,
    file: &str,
    schema: &S,
    h: &Header,
    p: &mut Part,
) -> Result<(), DataError> {
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let width = h.map.len();
    // The file column holding the key the schema looks up first (the lead id).
    let key_col = h.map.iter().position(|&c| c == 0);
    let mut cells: Vec<Option<&str>> = vec![None; h.n_cols];
    let mut rows: Vec<&str> = Vec::with_capacity(BATCH);
    let mut line = first_line;
    let mut from = 0;
    while from < text.len() {
        rows.clear();
        while rows.len() < BATCH && from < text.len() {
            let end = memchr::memchr(b'\n', &bytes[from..]).map_or(text.len(), |i| from + i);
            rows.push(text.get(from..end).unwrap_or_default());
            from = end + 1;
        }
        if let Some(k) = key_col {
            let keys = rows.iter().map(|r| nth_cell(r, k).trim());
            std::hint::black_box(schema.warm(keys));
        }
        for row in &rows {
            let here = line;
            line += 1;
            if row.is_empty() {
                continue; // a blank line
            }
            cells.iter_mut().for_each(|c| *c = None);
            let mut n = 0;
            let mut start = 0;
            for end in memchr::memchr_iter(b',', row.as_bytes()).chain(std::iter::once(row.len())) {
                if let Some(cell) = h.map.get(n).and_then(|&col| cells.get_mut(col)) {
                    *cell = row.get(start..end);
                }
                n += 1;
                start = end + 1;
            }
            if n != width {
                schema.bad_row(p, width_error(file, here, n, width))?;
                continue;
            }
            schema.row(p, here, &cells, &h.pos)?;
        }
    }
    Ok(())
}

/// The `k`-th comma-separated cell of a row (empty when there are fewer).
fn nth_cell(row: &str, k: usize) -> &str {
    let mut start = 0;
    for (n, end) in memchr::memchr_iter(b',', row.as_bytes())
        .chain(std::iter::once(row.len()))
        .enumerate()
    {
        if n == k {
            return row.get(start..end).unwrap_or_default();
        }
        start = end + 1;
    }
    ""
}

/// Rows through the `csv` crate; the first byte of `bytes` is on line
/// `first_line`, and a record's line is that of its first byte.
fn slow_rows<S: Schema>(
    bytes: &[u8],
    file: &str,
    schema: &S,
    h: &Header,
    first_line: usize,
    p: &mut Part,
) -> Result<(), DataError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let width = h.map.len();
    let mut row = csv::ByteRecord::new();
    let mut spare: Vec<Option<&'static str>> = Vec::with_capacity(h.n_cols);
    let (mut seen, mut line) = (0usize, first_line);
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e, line)),
        }
        // The crate places a record after blank lines at the first of them:
        // skip the line ends to its first byte.
        let mut at = row.position().map_or(seen, |p| p.byte() as usize).max(seen);
        while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let at = at.min(bytes.len());
        line = line_after(&bytes[seen..at], line);
        seen = at;
        if row.len() == 1 && row.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        if row.len() != width {
            schema.bad_row(p, width_error(file, line, row.len(), width))?;
            continue;
        }
        let mut cells = recycle(std::mem::take(&mut spare));
        cells.resize(h.n_cols, None);
        let mut bad_utf8 = None;
        for (i, raw) in row.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => {
                    if let Some(cell) = cells.get_mut(h.map[i]) {
                        *cell = Some(s);
                    }
                }
                Err(_) => bad_utf8 = Some(i + 1),
            }
        }
        if let Some(col) = bad_utf8 {
            let mut e = DataError::file(file, "the cell is not valid UTF-8")
                .coded(RejectKind::BadValue.code())
                .at(line);
            e.column = Some(col);
            e.kind = Some(RejectKind::BadValue);
            spare = recycle(cells);
            schema.bad_row(p, e)?;
            continue;
        }
        let r = schema.row(p, line, &cells, &h.pos);
        spare = recycle(cells);
        r?;
    }
    Ok(())
}

/// Reuse a cell buffer's allocation for borrows of another row (the
/// in-place `collect` keeps the allocation; the buffer is emptied first).
fn recycle<'b>(mut v: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
}

/// The crate reads bytes from memory, so this is the rare case of a record
/// it cannot read at all; the line is that of the last record read.
fn csv_error(file: &str, e: &csv::Error, line: usize) -> DataError {
    DataError::file(file, format!("malformed CSV: {e}"))
        .coded("funnel::data::malformed")
        .at(line)
}
