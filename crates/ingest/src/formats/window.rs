//! A sliding window over a byte stream that knows the file offset and line of every byte it holds.
//!
//! The SQL readers parse straight out of this buffer. A parser that runs out of bytes asks for more, naming
//! the first byte it still needs (`keep_from`); everything before it is dropped, so memory stays bounded by
//! the largest single row rather than the file.

use std::io::{self, Read};

/// Bytes asked of the input per refill. Large enough that a refill is rare relative to rows, small
/// enough that the bytes copied in are still in the core's cache when the parse reaches them: on the
/// 1.1 GB benchmark dump, 256 KiB took 4.7% less CPU time than 1 MiB (medians of 5 alternating runs;
/// 128 KiB took more again).
pub(crate) const READ_CHUNK: usize = 256 << 10;

/// The most a reader may need to hold at once (one row, or one statement it must parse whole).
pub const MAX_RETAINED_BYTES: usize = 256 << 20;

#[derive(Debug)]
pub(crate) enum FillError {
    Io(io::Error),
    /// Holding on to `keep_from..` and reading more would exceed the retention limit.
    TooLarge,
}

pub(crate) struct Window<R> {
    input: R,
    /// The bytes held are `buf[..end]`; the next read lands in `buf[end..]`. The whole of `buf` stays
    /// initialised, so that reads land in memory zeroed once, when it grew: `read_to_end` into a vector's
    /// spare capacity zeroes it first on every call for a reader without `read_buf` (every reader but
    /// std's own), which was a memset of every byte of a dump.
    buf: Vec<u8>,
    end: usize,
    /// The parse position, an index into `buf`.
    pub(crate) pos: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// Newlines in the file before `buf[0]`.
    lines_before: u64,
    /// Cache so that asking for lines at increasing positions costs linear time overall.
    counted_to: usize,
    counted_lines: u64,
    eof: bool,
    /// An input error that came after some bytes (a compressed stream that breaks): those bytes are parsed
    /// first, and the error is the next fill's answer.
    pending: Option<io::Error>,
    max_retained: usize,
    /// Least bytes asked of the input per refill (small in tests, to put chunk boundaries everywhere).
    chunk: usize,
}

impl<R: Read> Window<R> {
    pub(crate) fn new(input: R) -> Self {
        Window {
            input,
            buf: Vec::new(),
            end: 0,
            pos: 0,
            base: 0,
            lines_before: 0,
            counted_to: 0,
            counted_lines: 0,
            eof: false,
            pending: None,
            max_retained: MAX_RETAINED_BYTES,
            chunk: READ_CHUNK,
        }
    }

    #[cfg(test)]
    pub(crate) fn set_read_chunk(&mut self, chunk: usize) {
        self.chunk = chunk.max(1);
    }

    #[cfg(test)]
    pub(crate) fn set_max_retained(&mut self, max: usize) {
        self.max_retained = max;
    }

    /// All bytes held, from the oldest kept one.
    pub(crate) fn held(&self) -> &[u8] {
        &self.buf[..self.end]
    }

    /// The bytes from the parse position on.
    pub(crate) fn rest(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// The number of bytes held (the index just past the last one).
    pub(crate) fn filled(&self) -> usize {
        self.end
    }

    /// True once the input is exhausted: what is held is all there will ever be.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    pub(crate) fn offset_of(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    /// Bytes taken from the input so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.base + self.end as u64
    }

    /// The 1-based line of the byte at `index`.
    pub(crate) fn line_of(&mut self, index: usize) -> u64 {
        let index = index.min(self.end);
        if index >= self.counted_to {
            self.counted_lines += count_newlines(&self.buf[self.counted_to..index]);
        } else {
            self.counted_lines = count_newlines(&self.buf[..index]);
        }
        self.counted_to = index;
        self.lines_before + self.counted_lines + 1
    }

    /// Drops the bytes before `keep_from` (clamped to the parse position) and reads more. Returns false when
    /// the input was already exhausted and nothing was added.
    pub(crate) fn fill(&mut self, keep_from: usize) -> Result<bool, FillError> {
        let keep_from = keep_from.min(self.pos);
        if keep_from > 0 {
            self.line_of(keep_from);
            self.lines_before += self.counted_lines;
            self.counted_to = 0;
            self.counted_lines = 0;
            self.buf.copy_within(keep_from..self.end, 0);
            self.end -= keep_from;
            self.pos -= keep_from;
            self.base += keep_from as u64;
        }
        if self.eof {
            return Ok(false);
        }
        if let Some(e) = self.pending.take() {
            return Err(FillError::Io(e));
        }
        let held = self.end;
        if held >= self.max_retained {
            return Err(FillError::TooLarge);
        }
        // Grow geometrically while one huge row is held, so re-parsing it from its start after each refill
        // stays linear in its size.
        let want = self.chunk.max(held).min(self.max_retained - held);
        if self.buf.len() < held + want {
            self.buf.resize(held + want, 0);
        }
        // Reads until `want` bytes or the end of the input, as `read_to_end` over `take(want)` would.
        while self.end < held + want {
            match self.input.read(&mut self.buf[self.end..held + want]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // What was read before the error is parsed first.
                Err(e) if self.end > held => {
                    self.pending = Some(e);
                    return Ok(true);
                }
                Err(e) => return Err(FillError::Io(e)),
            }
        }
        Ok(self.end > held)
    }
}

pub(crate) fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, as a pipe might.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn keeps_offsets_and_lines_across_refills() {
        let data = b"a\nbb\nccc\ndddd\n";
        let mut w = Window::new(Trickle { data, step: 3 });
        assert!(w.fill(0).unwrap());
        assert_eq!(w.held(), data);
        w.pos = 5;
        assert_eq!(w.line_of(5), 3);
        assert!(!w.fill(5).unwrap());
        assert_eq!(w.offset_of(0), 5);
        assert_eq!(w.rest(), b"ccc\ndddd\n");
        assert_eq!(w.line_of(0), 3);
        assert_eq!(w.line_of(4), 4);
        assert_eq!(w.line_of(2), 3);
        assert_eq!(w.bytes_read(), data.len() as u64);
    }

    /// Gives its bytes, then fails.
    struct Breaks<'a>(&'a [u8]);
    impl Read for Breaks<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("broken"));
            }
            let n = out.len().min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn bytes_before_an_input_error_come_before_it() {
        let mut w = Window::new(Breaks(
            b"abc
def",
        ));
        assert!(w.fill(0).unwrap());
        assert_eq!(
            w.held(),
            b"abc
def"
        );
        assert!(matches!(w.fill(0), Err(FillError::Io(_))));
        assert!(matches!(w.fill(0), Err(FillError::Io(_))));
    }

    #[test]
    fn refuses_to_hold_more_than_the_limit() {
        let data = [b'x'; 100];
        let mut w = Window::new(&data[..]);
        w.set_max_retained(40);
        assert!(w.fill(0).unwrap());
        assert_eq!(w.filled(), 40);
        assert!(matches!(w.fill(0), Err(FillError::TooLarge)));
    }
}
