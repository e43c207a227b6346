//! CSV input: a header row naming the columns, then one row per record.
//! Records are read into one reused buffer, so reading allocates per file,
//! not per row.

#![allow(clippy::result_large_err)]

use std::io::Read;

use super::{unknown_column, DataError, RejectKind, RowSink};

pub(crate) fn read(input: impl Read, file: &str, sink: &mut dyn RowSink) -> Result<(), DataError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let got = rdr
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(file, &e))?;
    if !got || rec.iter().all(|c| c.is_empty()) && rec.len() <= 1 {
        return Err(DataError::file(file, "the file is empty")
            .help("the first line must be a header naming the columns"));
    }
    let n_cols = sink.columns().len();
    // File column -> sink column.
    let mut map: Vec<usize> = Vec::with_capacity(rec.len());
    let mut present = vec![false; n_cols];
    let mut pos = vec![0usize; n_cols];
    for (i, raw) in rec.iter().enumerate() {
        let name = std::str::from_utf8(raw).unwrap_or("").trim();
        let name = name.trim_start_matches('\u{feff}');
        let Some(col) = sink.column(name) else {
            let mut e = unknown_column(file, name, sink).at(1);
            e.column = Some(i + 1);
            return Err(e);
        };
        if present[col] {
            let mut e = DataError::file(file, format!("column `{name}` appears twice")).at(1);
            e.column = Some(i + 1);
            return Err(e.help("keep one column per name"));
        }
        present[col] = true;
        pos[col] = i + 1;
        map.push(col);
    }
    if let Err(missing) = sink.check_header(&present) {
        return Err(
            DataError::file(file, format!("the header has no `{missing}` column"))
                .at(1)
                .help(format!("add a `{missing}` column")),
        );
    }
    let width = map.len();
    let mut spare: Vec<Option<&'static str>> = Vec::with_capacity(n_cols);
    let mut row = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e)),
        }
        let line = row.position().map_or(0, |p| p.line() as usize);
        if row.len() == 1 && row.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        if row.len() != width {
            let mut e = DataError::file(
                file,
                format!("the row has {} cells but the header has {width}", row.len()),
            )
            .at(line)
            .help("quote cells that contain commas; every row needs one cell per column");
            e.kind = Some(RejectKind::BadValue);
            sink.bad_row(e)?;
            continue;
        }
        let mut cells = recycle(std::mem::take(&mut spare));
        cells.resize(n_cols, None);
        let mut bad_utf8 = None;
        for (i, raw) in row.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => cells[map[i]] = Some(s),
                Err(_) => bad_utf8 = Some(i + 1),
            }
        }
        if let Some(col) = bad_utf8 {
            let mut e = DataError::file(file, "the cell is not valid UTF-8").at(line);
            e.column = Some(col);
            e.kind = Some(RejectKind::BadValue);
            spare = recycle(cells);
            sink.bad_row(e)?;
            continue;
        }
        let r = sink.row(line, &cells, &pos);
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

fn csv_error(file: &str, e: &csv::Error) -> DataError {
    let line = e.position().map(|p| p.line() as usize);
    let mut d = DataError::file(file, format!("malformed CSV: {e}"));
    d.line = line;
    d
}
