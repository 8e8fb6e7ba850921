//! Output formats: mysqldump, pg_dump, RFC 4180 CSV.

pub mod escape;
pub mod mysqldump;
pub mod pgdump;
pub mod sink;

use std::path::Path;

use sink::{Progress, Sink};

use crate::SynthError;

/// An RFC 4180 CSV file: comma-separated, CRLF record ends, fields quoted only when they hold a comma, a
/// quote or a line break (quotes doubled). Line breaks inside quoted fields are kept as they are.
pub struct CsvFile<'p> {
    writer: csv::Writer<Sink<'p>>,
    path: std::path::PathBuf,
}

impl<'p> CsvFile<'p> {
    pub fn create(
        path: &Path,
        header: &[&str],
        progress: &'p Progress<'p>,
    ) -> Result<Self, SynthError> {
        let sink = Sink::create(path, progress)?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(sink);
        let mut file = CsvFile {
            writer,
            path: path.to_path_buf(),
        };
        file.record(header)?;
        Ok(file)
    }

    pub fn record<I, F>(&mut self, fields: I) -> Result<(), SynthError>
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        self.writer
            .write_record(fields)
            .map_err(SynthError::csv(self.path.clone()))
    }

    /// Flushes and closes; returns the file size.
    pub fn finish(self) -> Result<u64, SynthError> {
        let path = self.path;
        let sink = self.writer.into_inner().map_err(|e| SynthError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        sink.finish()
    }
}
