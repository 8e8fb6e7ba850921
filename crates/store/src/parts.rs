//! Parquet parts: one file holding rows of one table, written a row group at a time.

use crate::columns::{Column, RowReader, RowWriter, check_schema};
use crate::error::{Result, StoreError, arrow_at, io_at, parquet_at};
use crate::tables::Row;
use crate::uncached::UncachedFile;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Rows buffered per table before they are written out as one row group.
pub(crate) const ROW_GROUP_ROWS: usize = 64 * 1024;
/// ... unless their text is large (messages, profiles): memory stays bounded either way, and no Arrow
/// string column comes near its 2 GiB offset limit.
pub(crate) const ROW_GROUP_BYTES: usize = 16 * 1024 * 1024;

/// Bytes of a part written at a time; a part being written holds this much.
const PART_WRITE_RUN: usize = 1024 * 1024;

/// Batches handed out when reading a part back.
const READ_BATCH_ROWS: usize = 8 * 1024;

/// A part in the making, in a staging directory.
pub(crate) struct PartWriter {
    table: &'static str,
    path: PathBuf,
    buffer: RowWriter,
    encoder: Encoder,
    rows: u64,
    /// Rows a row group gets: [`ROW_GROUP_ROWS`], or fewer once a row group of this table was cut short by
    /// [`ROW_GROUP_BYTES`]. Row groups of one length let [`crate::part_file`] reuse the encoding of a
    /// column that holds one value; cut by size, each would have a length of its own.
    rows_per_group: usize,
}

/// Writes past the page cache: a part is not read again during the ingest that writes it.
type PartFile = crate::part_file::PartFile<UncachedFile>;

/// Where a part's row groups are encoded as Parquet. On the thread that appends rows until the first row
/// group is full; from then on on a thread of the part's own, so that the rows are copied into the Arrow
/// builders by the thread that made them (while they are in its cache, and freed where they were
/// allocated) and the encoding, a third of an ingest's work, overlaps with making the next rows.
enum Encoder {
    Here(Box<PartFile>),
    Away {
        /// Holds one row group while the thread encodes the one before: with the one being built, at most
        /// three row groups of a table are in memory.
        row_groups: std::sync::mpsc::SyncSender<RecordBatch>,
        thread: std::thread::JoinHandle<Result<PartFile>>,
    },
    /// Only while changing from one to the other, or after the encoding thread failed.
    Gone,
}

/// A complete, durable part, not yet published.
#[derive(Debug)]
pub(crate) struct FinishedPart {
    pub table: &'static str,
    pub staged: PathBuf,
    pub rows: u64,
    pub bytes: u64,
}

impl PartWriter {
    /// Starts `<dir>/<table>.parquet`.
    pub fn create<T: Row>(dir: &Path) -> Result<Self> {
        let path = dir.join(format!("{}.parquet", T::TABLE));
        let file = File::create_new(&path).map_err(io_at(&path))?;
        let for_writer = UncachedFile::new(file, PART_WRITE_RUN);
        let columns = T::columns();
        let buffer = RowWriter::new(&columns);
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("spector-store {}", env!("CARGO_PKG_VERSION")));
        for c in &columns {
            if let Some(encoding) = c.delta_encoding() {
                props = props
                    .set_column_dictionary_enabled(ColumnPath::from(c.name), false)
                    .set_column_encoding(ColumnPath::from(c.name), encoding)
                    .set_column_compression(ColumnPath::from(c.name), Compression::UNCOMPRESSED);
                continue;
            }
            if c.distinct {
                props = props.set_column_dictionary_enabled(ColumnPath::from(c.name), false);
            }
            if c.incompressible {
                props = props
                    .set_column_compression(ColumnPath::from(c.name), Compression::UNCOMPRESSED);
            }
            if c.prose || c.scattered {
                props = props.set_column_statistics_enabled(
                    ColumnPath::from(c.name),
                    EnabledStatistics::None,
                );
            }
        }
        let props = props.build();
        let writer =
            PartFile::try_new(for_writer, buffer.schema(), props).map_err(parquet_at(&path))?;
        Ok(PartWriter {
            table: T::TABLE,
            path,
            buffer,
            encoder: Encoder::Here(Box::new(writer)),
            rows: 0,
            rows_per_group: ROW_GROUP_ROWS,
        })
    }

    /// Appends a row; `T` must be the row type the part was created for.
    pub fn append<T: Row>(&mut self, row: &T) -> Result<()> {
        debug_assert_eq!(T::TABLE, self.table);
        row.write(&mut self.buffer);
        self.buffer.end_row();
        self.rows += 1;
        if self.buffer.rows() >= self.rows_per_group || self.buffer.bytes() >= ROW_GROUP_BYTES {
            if self.buffer.rows() < self.rows_per_group {
                // Aim below what fitted, so that the next row groups, their texts a little longer or
                // shorter, end at the row count rather than at the size.
                self.rows_per_group = (self.buffer.rows() / 8 * 7).max(1);
            }
            self.write_row_group()?;
            self.buffer.size_like_last_batch();
        }
        Ok(())
    }

    fn write_row_group(&mut self) -> Result<()> {
        if self.buffer.rows() == 0 {
            return Ok(());
        }
        let batch = self.buffer.finish_batch().map_err(arrow_at(&self.path))?;
        if matches!(self.encoder, Encoder::Here(_)) {
            let Encoder::Here(writer) = std::mem::replace(&mut self.encoder, Encoder::Gone) else {
                return Err(self.encoder_failed());
            };
            let (row_groups, arriving) = std::sync::mpsc::sync_channel(1);
            let path = self.path.clone();
            let thread = std::thread::Builder::new()
                .name(format!("parquet-{}", self.table))
                .spawn(move || encode_row_groups(*writer, &path, arriving))
                .map_err(io_at(&self.path))?;
            self.encoder = Encoder::Away { row_groups, thread };
        }
        let Encoder::Away { row_groups, .. } = &self.encoder else {
            // Gone: the thread failed, and an earlier call returned its error.
            return Err(self.encoder_failed());
        };
        if row_groups.send(batch).is_err() {
            // The thread stopped on an error; joining it tells which.
            return Err(self
                .stop_encoder()
                .err()
                .unwrap_or_else(|| self.encoder_failed()));
        }
        Ok(())
    }

    /// Closes the encoding thread's input and waits for it to encode what it holds.
    fn stop_encoder(&mut self) -> Result<PartFile> {
        match std::mem::replace(&mut self.encoder, Encoder::Gone) {
            Encoder::Here(writer) => Ok(*writer),
            Encoder::Away { row_groups, thread } => {
                drop(row_groups);
                // A panic of the encoder (a bug, never the data's doing) fails this ingest, not the process.
                thread.join().unwrap_or_else(|panic| {
                    Err(StoreError::Parquet {
                        path: self.path.clone(),
                        source: parquet::errors::ParquetError::General(format!(
                            "the encoding thread panicked: {}",
                            panic_cause(panic.as_ref())
                        )),
                    })
                })
            }
            Encoder::Gone => Err(self.encoder_failed()),
        }
    }

    /// The encoding thread's error, should it have stopped on one: it only stops early on an error, and
    /// would otherwise be heard of at the part's next full row group, which may never come.
    pub fn check(&mut self) -> Result<()> {
        match &self.encoder {
            Encoder::Away { thread, .. } if thread.is_finished() => Err(self
                .stop_encoder()
                .err()
                .unwrap_or_else(|| self.encoder_failed())),
            Encoder::Gone => Err(self.encoder_failed()),
            _ => Ok(()),
        }
    }

    fn encoder_failed(&self) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source: std::io::Error::other("the part's encoding stopped on an earlier error"),
        }
    }

    /// Writes the last row group and the footer, and makes the file durable.
    pub fn finish(mut self) -> Result<FinishedPart> {
        let writer = match self.encoder {
            // A part that never filled a row group is finished here, without a thread.
            Encoder::Here(_) => {
                let mut writer = self.stop_encoder()?;
                if self.buffer.rows() > 0 {
                    let batch = self.buffer.finish_batch().map_err(arrow_at(&self.path))?;
                    writer
                        .write_row_group(&batch)
                        .map_err(parquet_at(&self.path))?;
                }
                writer
            }
            _ => {
                self.write_row_group()?;
                self.stop_encoder()?
            }
        };
        let file = writer.into_inner().map_err(parquet_at(&self.path))?;
        let file = file.finish().map_err(io_at(&self.path))?;
        file.sync_all().map_err(io_at(&self.path))?;
        let bytes = file.metadata().map_err(io_at(&self.path))?.len();
        Ok(FinishedPart {
            table: self.table,
            staged: self.path.clone(),
            rows: self.rows,
            bytes,
        })
    }
}

impl Drop for PartWriter {
    /// An abandoned part's thread is waited for, so that nothing writes into a staging directory that is
    /// being removed.
    fn drop(&mut self) {
        if let Encoder::Away { row_groups, thread } =
            std::mem::replace(&mut self.encoder, Encoder::Gone)
        {
            drop(row_groups);
            // Its error or panic is moot: the part is being thrown away.
            let _ = thread.join();
        }
    }
}

/// The encoding thread: each row group as it arrives, closed at once so that the writer does not keep its
/// encoded pages in memory.
fn encode_row_groups(
    mut writer: PartFile,
    path: &Path,
    row_groups: std::sync::mpsc::Receiver<RecordBatch>,
) -> Result<PartFile> {
    #[cfg(test)]
    if path
        .components()
        .any(|c| c.as_os_str() == FAIL_ENCODING_UNDER)
    {
        return Err(StoreError::Injected("the encoding thread failed"));
    }
    for batch in row_groups {
        writer.write_row_group(&batch).map_err(parquet_at(path))?;
    }
    Ok(writer)
}

/// Parts staged under a directory of this name fail on their encoding thread, as a full disk would make
/// them: how the appending thread learns of it is tested.
#[cfg(test)]
pub(crate) const FAIL_ENCODING_UNDER: &str = "fail-encoding";

/// Writes `rows` as a finished part of their table in `dir`, or nothing when there are none.
pub(crate) fn write_part<T: Row>(dir: &Path, rows: &[T]) -> Result<Option<FinishedPart>> {
    if rows.is_empty() {
        return Ok(None);
    }
    let mut part = PartWriter::create::<T>(dir)?;
    for row in rows {
        part.append(row)?;
    }
    part.finish().map(Some)
}

/// Appends the rows of the part at `path` to `out`; returns how many it held.
#[cfg(test)]
pub(crate) fn read_part<T: Row>(path: &Path, out: &mut Vec<T>) -> Result<u64> {
    visit_part(path, None, &mut |row| {
        out.push(row);
        Ok(())
    })
}

/// Hands every row of the part at `path` to `visit`, in order; returns how many it held. Stops at the first
/// error `visit` returns.
pub(crate) fn visit_part<T: Row>(
    path: &Path,
    limit: Option<usize>,
    visit: &mut dyn FnMut(T) -> Result<()>,
) -> Result<u64> {
    guarded(path, || decode_part(path, limit, visit))
}

/// Runs a decoding of the part at `path`. The Parquet decoder asserts on some malformed inputs rather than
/// returning an error (parquet 59, e.g. a damaged bit width). A damaged part must be an error naming it,
/// not the end of the process.
fn guarded(path: &Path, decode: impl FnOnce() -> Result<u64>) -> Result<u64> {
    match panic::catch_unwind(AssertUnwindSafe(decode)) {
        Ok(result) => result,
        Err(panic) => Err(StoreError::CorruptPart {
            path: path.to_path_buf(),
            message: format!(
                "the Parquet decoder failed on damaged data: {}",
                panic_cause(panic.as_ref())
            ),
        }),
    }
}

fn panic_cause(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string())
}

/// Hands every row of the part at `path` to `visit` as a reader over the columns named in `wanted` alone
/// (in the table's column order), so that a reader needing a few columns of a large table decodes only
/// those, and borrows their text instead of copying it. Returns how many rows the part held; an error
/// `visit` returns (a value it could not read) names the part and the row.
pub(crate) fn visit_part_columns<T: Row>(
    path: &Path,
    wanted: &[&str],
    visit: &mut dyn FnMut(&mut RowReader<'_>) -> std::result::Result<(), String>,
) -> Result<u64> {
    let columns = T::columns();
    let (indices, projected): (Vec<usize>, Vec<Column>) = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| wanted.contains(&c.name))
        .map(|(i, c)| (i, *c))
        .unzip();
    // Asking for a column the table lacks is a bug of ours, not damage to the part.
    assert_eq!(
        projected.len(),
        wanted.len(),
        "spector-store: {} lacks a column of {wanted:?}",
        T::TABLE
    );
    guarded(path, || {
        decode_columns::<T>(path, &columns, indices, &projected, visit)
    })
}

fn decode_columns<T: Row>(
    path: &Path,
    columns: &[Column],
    indices: Vec<usize>,
    projected: &[Column],
    visit: &mut dyn FnMut(&mut RowReader<'_>) -> std::result::Result<(), String>,
) -> Result<u64> {
    let corrupt = corrupt_at(path);
    let builder = open_checked::<T>(path, columns)?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(READ_BATCH_ROWS)
        .build()
        .map_err(parquet_at(path))?;
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch.map_err(arrow_at(path))?;
        let mut cursor = RowReader::new(&batch, projected).map_err(&corrupt)?;
        for i in 0..batch.num_rows() {
            cursor.seek(i);
            visit(&mut cursor).map_err(|m| corrupt(format!("row {}: {m}", rows + 1)))?;
            rows += 1;
        }
    }
    Ok(rows)
}

fn corrupt_at(path: &Path) -> impl Fn(String) -> StoreError + '_ {
    move |message| StoreError::CorruptPart {
        path: path.to_path_buf(),
        message,
    }
}

/// Opens the part at `path` for reading, checking it holds `T`'s table (`columns`).
fn open_checked<T: Row>(
    path: &Path,
    columns: &[Column],
) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    let file = File::open(path).map_err(io_at(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_at(path))?;
    check_schema(builder.schema(), columns)
        .map_err(|m| corrupt_at(path)(format!("not a {} part: {m}", T::TABLE)))?;
    Ok(builder)
}

/// Hands the part's rows to `visit`, the first `limit` of them when given.
fn decode_part<T: Row>(
    path: &Path,
    limit: Option<usize>,
    visit: &mut dyn FnMut(T) -> Result<()>,
) -> Result<u64> {
    let corrupt = corrupt_at(path);
    let columns = T::columns();
    let builder = open_checked::<T>(path, &columns)?;
    let builder = match limit {
        Some(n) => builder.with_limit(n),
        None => builder,
    };
    let reader = builder
        .with_batch_size(READ_BATCH_ROWS.min(limit.unwrap_or(READ_BATCH_ROWS)).max(1))
        .build()
        .map_err(parquet_at(path))?;
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch.map_err(arrow_at(path))?;
        let mut cursor = RowReader::new(&batch, &columns).map_err(&corrupt)?;
        for i in 0..batch.num_rows() {
            cursor.seek(i);
            let row =
                T::read(&mut cursor).map_err(|m| corrupt(format!("row {}: {m}", rows + 1)))?;
            visit(row)?;
            rows += 1;
        }
    }
    Ok(rows)
}
