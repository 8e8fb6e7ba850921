//! Transparent decompression of gzip and zstd sources, told by their magic bytes (never by file name).
//!
//! Seized dumps often arrive as `.sql.gz` or `.sql.zst`, far larger than memory once decompressed. The text
//! readers read the decompressed stream as it is produced, so memory stays bounded: 64 KiB buffers on
//! either side of the decoder, plus the decoder's own window (32 KiB for gzip; for zstd the frame's window,
//! which the decoder refuses beyond 128 MiB — `zstd --long=31` output must be decompressed first).
//!
//! - gzip: every member of a multi-member file is read (`pigz`, `cat a.gz b.gz`, log rotation), and each
//!   member's CRC and length are checked.
//! - zstd: every frame, skippable frames included (`pzstd` starts with one); a frame's checksum, when it
//!   has one, is checked.
//! - Positions: a row's `offset`/`len` and an error's `line`/`offset` are positions in the *decompressed*
//!   stream, which is what the readers parse; `bytes_read` counts the *compressed* bytes taken from the
//!   file, so a progress bar sized by the evidence file ends at its size.
//! - A corrupt or truncated stream is an I/O error out of the decoder, which every reader turns into a
//!   [`Fatal`](crate::ReadErrorKind::Fatal) error naming the file, the decompressed line and offset where
//!   the reader stood, and (in the message) how many bytes were decompressed before the stream broke.
//!   Rows read before that point were already returned: a fatal error means the source as a whole is bad.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Buffer on each side of a decoder.
const BUFFER: usize = 64 * 1024;

/// How a source's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression of a stream whose first bytes are `head`.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            // A skippable frame, as `pzstd` writes before the data frames.
            [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    pub fn is_compressed(self) -> bool {
        self != Compression::None
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bytes taken from the (compressed) input so far, shared between the input and whoever reports progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct Consumed(Arc<AtomicU64>);

impl Consumed {
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct Counting<R> {
    inner: R,
    consumed: Consumed,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A decoder whose errors say which codec failed and how far it had got; the first error is returned again
/// on every later read, so that no decoder is asked to go on from a state it did not expect.
struct Decoding<D> {
    inner: D,
    compression: Compression,
    produced: u64,
    consumed: Consumed,
    failed: Option<(io::ErrorKind, String)>,
}

impl<D: Read> Read for Decoding<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        match self.inner.read(buf) {
            Ok(n) => {
                self.produced += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let message = format!(
                    "{} data is corrupt or truncated: {e} (after {} decompressed bytes, about {} bytes \
                     into the compressed file)",
                    self.compression,
                    self.produced,
                    self.consumed.get()
                );
                let kind = e.kind();
                self.failed = Some((kind, message.clone()));
                Err(io::Error::new(kind, message))
            }
        }
    }
}

/// The decompressed bytes of a source.
pub(crate) struct Decompressed {
    pub(crate) compression: Compression,
    pub(crate) reader: Box<dyn BufRead + Send>,
    /// Bytes taken from `input` (compressed, when it is).
    pub(crate) consumed: Consumed,
}

/// Wraps `input` in the decoder its first bytes call for (none for plain text). Nothing is consumed but the
/// bytes needed to tell.
pub(crate) fn decompress<R: Read + Send + 'static>(input: R) -> io::Result<Decompressed> {
    let consumed = Consumed::default();
    let mut input = BufReader::with_capacity(
        BUFFER,
        Counting {
            inner: input,
            consumed: consumed.clone(),
        },
    );
    let magic = peek(&mut input, 4)?;
    let compression = Compression::sniff(&magic);
    let input = io::Cursor::new(magic).chain(input);
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER,
            decoding(
                flate2::bufread::MultiGzDecoder::new(input),
                compression,
                &consumed,
            ),
        )),
        Compression::Zstd => {
            // The default window limit (128 MiB) is kept: it is what bounds the decoder's memory.
            let decoder = zstd::stream::read::Decoder::with_buffer(input)?;
            Box::new(BufReader::with_capacity(
                BUFFER,
                decoding(decoder, compression, &consumed),
            ))
        }
    };
    Ok(Decompressed {
        compression,
        reader,
        consumed,
    })
}

fn decoding<D>(inner: D, compression: Compression, consumed: &Consumed) -> Decoding<D> {
    Decoding {
        inner,
        compression,
        produced: 0,
        consumed: consumed.clone(),
        failed: None,
    }
}

/// Reads up to `n` bytes (fewer only at the end of the input); they must be put back in front by the
/// caller.
fn peek(input: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    input.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// As much of the start of a compressed `head` as decompresses, up to `limit` bytes: `head` is usually a
/// prefix of a file, whose truncation is no error here. A zstd decoder gives nothing before it has a whole
/// block (up to 128 KiB decompressed), so a short head may give nothing.
pub(crate) fn decompress_prefix(head: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut take = |reader: &mut dyn Read| {
        let mut chunk = [0u8; 4096];
        while out.len() < limit {
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&chunk[..n.min(limit - out.len())]),
            }
        }
    };
    match Compression::sniff(head) {
        Compression::None => out.extend_from_slice(&head[..head.len().min(limit)]),
        Compression::Gzip => take(&mut flate2::bufread::MultiGzDecoder::new(head)),
        Compression::Zstd => {
            if let Ok(mut decoder) = zstd::stream::read::Decoder::with_buffer(head) {
                take(&mut decoder);
            }
        }
    }
    out
}

/// `vendors.csv.gz` → `vendors.csv`: the name a compressed file's content would have had. Known compression
/// suffixes are dropped whatever the bytes hold: the name only names things.
pub(crate) fn strip_suffix(name: &std::path::Path) -> &std::path::Path {
    let compressed = name.extension().is_some_and(|e| {
        ["gz", "gzip", "zst", "zstd"]
            .iter()
            .any(|s| e.eq_ignore_ascii_case(s))
    });
    match name.file_stem() {
        Some(stem) if compressed => std::path::Path::new(stem),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(input: Vec<u8>) -> (Compression, io::Result<Vec<u8>>, u64) {
        let mut d = decompress(io::Cursor::new(input)).unwrap();
        let mut out = Vec::new();
        let result = d.reader.read_to_end(&mut out).map(|_| out);
        (d.compression, result, d.consumed.get())
    }

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Compression::sniff(b"\x1f\x8b\x08"), Compression::Gzip);
        assert_eq!(Compression::sniff(b"\x28\xb5\x2f\xfd"), Compression::Zstd);
        assert_eq!(Compression::sniff(b"\x50\x2a\x4d\x18"), Compression::Zstd);
        assert_eq!(Compression::sniff(b"\x28\xb5\x2f"), Compression::None);
        assert_eq!(Compression::sniff(b"\x1f"), Compression::None);
        assert_eq!(Compression::sniff(b"-- MySQL dump"), Compression::None);
    }

    #[test]
    fn plain_gzip_multi_member_and_zstd_give_the_same_bytes() {
        let text = b"line one\nline two\n".repeat(1000);
        let (c, out, consumed) = read_all(text.clone());
        assert_eq!((c, out.unwrap()), (Compression::None, text.clone()));
        assert_eq!(consumed, text.len() as u64);

        let gz = gzip(&text);
        let (c, out, consumed) = read_all(gz.clone());
        assert_eq!((c, out.unwrap()), (Compression::Gzip, text.clone()));
        assert_eq!(consumed, gz.len() as u64, "compressed bytes are counted");

        let mut members = gzip(&text[..100]);
        members.extend(gzip(&text[100..5000]));
        members.extend(gzip(&text[5000..]));
        assert_eq!(read_all(members).1.unwrap(), text);

        let zst = zstd::encode_all(&text[..], 3).unwrap();
        let (c, out, _) = read_all(zst);
        assert_eq!((c, out.unwrap()), (Compression::Zstd, text.clone()));

        let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        skippable.extend(zstd::encode_all(&text[..], 3).unwrap());
        let (c, out, _) = read_all(skippable);
        assert_eq!((c, out.unwrap()), (Compression::Zstd, text));
    }

    #[test]
    fn truncated_streams_are_errors_that_say_so() {
        let text = b"0123456789abcdef\n".repeat(10_000);
        let gz = gzip(&text);
        for cut in [gz.len() - 1, gz.len() - 8, gz.len() / 2, 11] {
            let err = read_all(gz[..cut].to_vec()).1.unwrap_err().to_string();
            assert!(
                err.starts_with("gzip data is corrupt or truncated"),
                "{err}"
            );
        }
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        for cut in [zst.len() - 1, zst.len() / 2, 5] {
            let err = read_all(zst[..cut].to_vec()).1.unwrap_err().to_string();
            assert!(
                err.starts_with("zstd data is corrupt or truncated"),
                "{err}"
            );
        }
        // Bytes after the last member that are not another member.
        let mut trailing = gz.clone();
        trailing.extend_from_slice(b"garbage");
        assert!(read_all(trailing).1.is_err());
    }

    #[test]
    fn a_prefix_decompresses_as_far_as_it_goes() {
        let text = b"-- MySQL dump 10.13\nCREATE TABLE `t` (`a` int);\n".repeat(100);
        let gz = gzip(&text);
        // Without its trailer the stream is broken, but all of its data is there.
        let cut = &gz[..gz.len() - 8];
        assert_eq!(decompress_prefix(cut, 50), &text[..50]);
        assert_eq!(decompress_prefix(cut, usize::MAX), text);
        assert_eq!(decompress_prefix(b"plain", 3), b"pla");
    }

    #[test]
    fn compression_suffixes_are_dropped_from_names() {
        use std::path::Path;
        assert_eq!(
            strip_suffix(Path::new("/x/vendors.csv.gz")),
            Path::new("vendors.csv")
        );
        assert_eq!(strip_suffix(Path::new("a.sql.ZST")), Path::new("a.sql"));
        assert_eq!(
            strip_suffix(Path::new("/x/vendors.csv")),
            Path::new("/x/vendors.csv")
        );
    }
}
