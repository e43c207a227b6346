//! Reading a file in chunks that end at record boundaries and decoding
//! them on several threads: the calling thread reads chunks and merges the
//! decoded [`Part`]s in file order while worker threads decode. Everything
//! a merge does depends only on the order of the rows, so the dataset is
//! the same for any number of threads.

#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc;
use std::sync::Mutex;

use super::rows::Part;
use super::DataError;

/// Bytes per chunk (grown when one record is longer); small in unit tests,
/// so that they cross many chunk boundaries.
const CHUNK: usize = if cfg!(test) { 1 << 12 } else { 1 << 21 };

/// A file cut into chunks; each starts at a record boundary.
pub(crate) struct Chunks<R> {
    input: R,
    buf: Vec<u8>,
    eof: bool,
    /// Quotes protect newlines (CSV); otherwise every newline ends a record.
    quotes: bool,
    size: usize,
    /// The line the next chunk starts on.
    line: usize,
}

impl<R: Read> Chunks<R> {
    /// Chunks of `input`, whose first `start` bytes were already read
    /// (`start` is kept), starting on line `line`.
    pub fn new(input: R, start: Vec<u8>, line: usize, quotes: bool) -> Chunks<R> {
        Chunks {
            input,
            buf: start,
            eof: false,
            quotes,
            size: CHUNK,
            line,
        }
    }

    /// The same, with chunks of about `size` bytes (tests force small ones).
    #[cfg(test)]
    pub fn with_size(mut self, size: usize) -> Chunks<R> {
        self.size = size.max(1);
        self
    }

    /// Read until the buffer holds a chunk's worth (no zeroing: the bytes
    /// go into the spare capacity).
    fn fill(&mut self) -> std::io::Result<()> {
        while !self.eof && self.buf.len() < self.size {
            let want = (self.size - self.buf.len()) as u64;
            self.buf.reserve(want as usize);
            match (&mut self.input).take(want).read_to_end(&mut self.buf) {
                Ok(n) if (n as u64) < want => self.eof = true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Where the last complete record in the buffer ends.
    fn boundary(&self) -> Option<usize> {
        if !self.quotes || memchr::memchr(b'"', &self.buf).is_none() {
            return memchr::memrchr(b'\n', &self.buf).map(|i| i + 1);
        }
        scan_csv(&self.buf).boundary
    }

    /// The next chunk and the line it starts on; `None` at the end. `spare`
    /// is an emptied buffer to reuse (its allocation becomes the buffer).
    pub fn next_chunk(&mut self, spare: Vec<u8>) -> std::io::Result<Option<(Vec<u8>, usize)>> {
        loop {
            self.fill()?;
            if self.eof && self.buf.is_empty() {
                return Ok(None);
            }
            let end = if self.eof {
                Some(self.buf.len())
            } else {
                self.boundary()
            };
            let Some(end) = end else {
                // One record longer than a chunk: read more.
                self.size *= 2;
                continue;
            };
            let mut rest = spare;
            rest.clear();
            rest.extend_from_slice(&self.buf[end..]);
            let mut chunk = std::mem::replace(&mut self.buf, rest);
            chunk.truncate(end);
            let line = self.line;
            self.line += memchr::memchr_iter(b'\n', &chunk).count();
            return Ok(Some((chunk, line)));
        }
    }

    fn done(&self) -> bool {
        self.eof && self.buf.is_empty()
    }
}

/// Where a CSV text's records end, as the `csv` crate reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CsvScan {
    /// Just past the last line end outside a quoted cell.
    pub boundary: Option<usize>,
    /// The opening quote of a quoted cell still open at the end of the text.
    pub open: Option<usize>,
}

/// Scan CSV text that starts at a record boundary the way the `csv` crate
/// decodes it (so that chunks end where its records end): a quote opens a
/// quoted cell only as a cell's first byte (at the start, or after a comma
/// or a line end); inside one, `""` is a quote and a lone `"` closes it;
/// any other quote (`24" monitors`) is a plain character. On a 2 MiB chunk
/// with quoted cells it runs at about 2.1 GiB/s, three times `csv-core`'s
/// record reader on the same chunk (`cargo bench -p funnel-data --features
/// bench --bench data -- csv_boundary`), so it is kept.
pub(crate) fn scan_csv(buf: &[u8]) -> CsvScan {
    let mut open: Option<usize> = None;
    let mut boundary = None;
    // Quotes before this offset were consumed as the second of a `""`.
    let mut skip = 0;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if i < skip {
            continue;
        }
        let byte = buf[i];
        if open.is_some() {
            if byte == b'"' {
                if buf.get(i + 1) == Some(&b'"') {
                    skip = i + 2;
                } else {
                    open = None;
                }
            }
        } else if byte == b'\n' {
            boundary = Some(i + 1);
        } else if i == 0 || matches!(buf[i - 1], b',' | b'\n' | b'\r') {
            open = Some(i);
        }
    }
    CsvScan { boundary, open }
}

/// Decode every chunk with `decode` into a part (on `threads` threads) and
/// hand the parts to `merge` in file order; parts and chunk buffers are
/// emptied and used again, so memory is allocated (and touched) once.
/// Stops at the first error `merge` returns.
pub(crate) fn each_part<R: Read>(
    chunks: &mut Chunks<R>,
    file: &str,
    threads: usize,
    decode: &(dyn Fn(&[u8], usize, &mut Part) + Sync),
    merge: &mut dyn FnMut(&mut Part) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let io = |e: std::io::Error| {
        DataError::file(file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    };
    if threads <= 1 {
        let (mut part, mut spare) = (Part::default(), Vec::new());
        while let Some((chunk, line)) = chunks.next_chunk(spare).map_err(io)? {
            part.clear();
            decode(&chunk, line, &mut part);
            merge(&mut part)?;
            spare = chunk;
        }
        return Ok(());
    }
    type Job = (usize, Vec<u8>, usize, Part);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads);
    let (part_tx, part_rx) = mpsc::channel::<(usize, Part, Vec<u8>)>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (job_rx, part_tx) = (&job_rx, part_tx.clone());
            s.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((i, chunk, line, mut part)) = job else {
                    return;
                };
                part.clear();
                decode(&chunk, line, &mut part);
                if part_tx.send((i, part, chunk)).is_err() {
                    return;
                }
            });
        }
        drop(part_tx);
        let mut waiting: BTreeMap<usize, (Part, Vec<u8>)> = BTreeMap::new();
        let mut pool: Vec<(Part, Vec<u8>)> = Vec::new();
        let (mut sent, mut merged) = (0usize, 0usize);
        let mut result = Ok(());
        // Keep at most 2 chunks per thread in flight; merge as parts come.
        while result.is_ok() {
            if sent - merged < 2 * threads {
                let (part, spare) = pool.pop().unwrap_or_default();
                match chunks.next_chunk(spare) {
                    Ok(Some((chunk, line))) => {
                        if job_tx.send((sent, chunk, line, part)).is_err() {
                            break;
                        }
                        sent += 1;
                        continue;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        result = Err(io(e));
                        break;
                    }
                }
                if sent == merged {
                    break;
                }
            }
            let Ok((i, part, chunk)) = part_rx.recv() else {
                break;
            };
            waiting.insert(i, (part, chunk));
            while let Some((mut part, chunk)) = waiting.remove(&merged) {
                merged += 1;
                result = merge(&mut part);
                if result.is_err() {
                    break;
                }
                pool.push((part, chunk));
            }
            if chunks.done() && sent == merged {
                break;
            }
        }
        drop(job_tx);
        result
    })
}
