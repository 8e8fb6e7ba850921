//! Buffered output files that count their bytes and report progress.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{ProgressEvent, SynthError};

/// Report bytes at most this often, so a progress bar costs nothing per row.
const BYTES_REPORT_STEP: u64 = 4 << 20;
const ORDERS_REPORT_STEP: u64 = 10_000;

/// Running totals shared by every file of a run.
pub struct Progress<'a> {
    callback: &'a dyn Fn(ProgressEvent),
    bytes: Cell<u64>,
    bytes_reported: Cell<u64>,
    orders: Cell<u64>,
}

impl<'a> Progress<'a> {
    pub fn new(callback: &'a dyn Fn(ProgressEvent)) -> Self {
        Progress {
            callback,
            bytes: Cell::new(0),
            bytes_reported: Cell::new(0),
            orders: Cell::new(0),
        }
    }

    pub fn emit(&self, event: ProgressEvent) {
        (self.callback)(event);
    }

    pub(crate) fn add_bytes(&self, n: u64) {
        let total = self.bytes.get() + n;
        self.bytes.set(total);
        if total - self.bytes_reported.get() >= BYTES_REPORT_STEP {
            self.bytes_reported.set(total);
            self.emit(ProgressEvent::BytesWritten { total });
        }
    }

    /// Counts one order row written.
    pub fn order_written(&self) {
        let total = self.orders.get() + 1;
        self.orders.set(total);
        if total.is_multiple_of(ORDERS_REPORT_STEP) {
            self.emit(ProgressEvent::OrdersWritten { total });
        }
    }

    /// Emits the exact totals (at the end of a market).
    pub fn flush_totals(&self) {
        self.bytes_reported.set(self.bytes.get());
        self.emit(ProgressEvent::BytesWritten {
            total: self.bytes.get(),
        });
        self.emit(ProgressEvent::OrdersWritten {
            total: self.orders.get(),
        });
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.get()
    }
}

/// A file being written.
pub struct Sink<'p> {
    out: BufWriter<File>,
    path: PathBuf,
    written: u64,
    progress: &'p Progress<'p>,
}

impl<'p> Sink<'p> {
    pub fn create(path: &Path, progress: &'p Progress<'p>) -> Result<Self, SynthError> {
        let file = File::create(path).map_err(SynthError::io(path))?;
        Ok(Sink {
            out: BufWriter::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            written: 0,
            progress,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn put(&mut self, s: &str) -> Result<(), SynthError> {
        self.write_all(s.as_bytes())
            .map_err(SynthError::io(self.path.clone()))
    }

    /// Flushes and closes; returns the file's size.
    pub fn finish(mut self) -> Result<u64, SynthError> {
        self.out
            .flush()
            .map_err(SynthError::io(self.path.clone()))?;
        Ok(self.written)
    }
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        self.progress.add_bytes(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
