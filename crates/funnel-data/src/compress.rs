//! Compressed data files: gzip (`.gz`, through `flate2` on its pure-Rust
//! `miniz_oxide` backend) and Zstandard (`.zst`, through the `zstd` crate)
//! are read transparently. The content decides, not the name: a gzip file
//! starts with `1f 8b`, a Zstandard frame with `28 b5 2f fd`; a file named
//! `.gz` or `.zst` whose first bytes say otherwise is an error.
//!
//! Decompression runs on the thread that reads the file's chunks, while
//! the worker threads decode the chunks read before (`read/chunks.rs`), so
//! it overlaps with decoding already: a thread of its own for it measured
//! no faster on 2 cores (bench/RESULTS.md, "Compressed input").

#![allow(clippy::result_large_err)]

use std::io::{self, Read};

use crate::read::DataError;

/// How a data file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// What the first bytes of a file say.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// What a file name's last extension says.
    pub fn from_name(name: &str) -> Compression {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".gz") {
            Compression::Gzip
        } else if lower.ends_with(".zst") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "Zstandard",
        }
    }
}

/// A file name without its `.gz` or `.zst` extension (`events.csv.gz` is
/// `events.csv`), so that the extension before it tells the format.
pub fn strip_compression(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for ext in [".gz", ".zst"] {
        if lower.ends_with(ext) {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// The data of `input` decompressed (as it comes when not compressed).
/// `file` names it in messages.
pub fn decompress(
    mut input: impl Read + Send + 'static,
    file: &str,
) -> Result<(Box<dyn Read + Send>, Compression), DataError> {
    let io = |e: io::Error| {
        DataError::file(file, format!("cannot read the file: {e}"))
            .coded("funnel::data::unreadable")
    };
    let mut head = Vec::with_capacity(4);
    Read::take(&mut input, 4)
        .read_to_end(&mut head)
        .map_err(io)?;
    let found = Compression::sniff(&head);
    let named = Compression::from_name(file);
    if named != Compression::None && found != named {
        return Err(DataError::file(
            file,
            format!(
                "the file is named as {} data but its first bytes are not a {} header",
                named.name(),
                named.name()
            ),
        )
        .coded("funnel::data::compression")
        .help("rename the file to match its content, or compress it again"));
    }
    let whole = io::Cursor::new(head).chain(input);
    let reader: Box<dyn Read + Send> = match found {
        Compression::None => return Ok((Box::new(whole), found)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(whole)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(whole).map_err(io)?),
    };
    Ok((reader, found))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    fn text() -> Vec<u8> {
        // Several MB, more than one buffer of either decoder.
        (0..200_000)
            .map(|i| format!("L{i:05},pricing_view,2026-03-02 10:00\n"))
            .collect::<String>()
            .into_bytes()
    }

    fn all(r: (Box<dyn Read + Send>, Compression)) -> (Vec<u8>, Compression) {
        let (mut r, c) = r;
        let mut v = Vec::new();
        r.read_to_end(&mut v).unwrap();
        (v, c)
    }

    #[test]
    fn gzip_and_zstd_give_the_same_bytes() {
        let plain = text();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::stream::encode_all(&plain[..], 3).unwrap();
        assert_eq!(
            all(decompress(io::Cursor::new(gz), "e.csv.gz").unwrap()),
            (plain.clone(), Compression::Gzip)
        );
        assert_eq!(
            all(decompress(io::Cursor::new(zst), "e.csv.zst").unwrap()),
            (plain.clone(), Compression::Zstd)
        );
        // The content decides: a gzip file without the extension is read too.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"a\n").unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            all(decompress(io::Cursor::new(gz), "e.csv").unwrap()),
            (b"a\n".to_vec(), Compression::Gzip)
        );
        assert_eq!(
            all(decompress(io::Cursor::new(b"ab".to_vec()), "e.csv").unwrap()),
            (b"ab".to_vec(), Compression::None)
        );
    }

    #[test]
    fn a_misnamed_or_broken_file_is_an_error() {
        let e = decompress(io::Cursor::new(b"lead,event\n".to_vec()), "e.csv.gz")
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "e.csv.gz: the file is named as gzip data but its first bytes are not a gzip header\n  \
             help: rename the file to match its content, or compress it again"
        );
        // A gzip header then garbage: the error comes through the reader.
        let (mut r, _) = decompress(
            io::Cursor::new(vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff]),
            "e.csv.gz",
        )
        .unwrap();
        assert!(r.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn names_lose_their_compression_extension() {
        assert_eq!(strip_compression("data/events.csv.gz"), "data/events.csv");
        assert_eq!(strip_compression("events.JSONL.ZST"), "events.JSONL");
        assert_eq!(strip_compression("events.csv"), "events.csv");
    }
}
