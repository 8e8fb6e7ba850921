//! What three stages of an ingest cost on this machine, each alone on one core, with the libraries the
//! ingest uses: the SHA-256 of the dump (every record names the hash of its evidence), decoding the dump's
//! SQL into rows, and encoding the tables the ingest made as Parquet with the store's settings. Their sum,
//! held against 200 MB/s per core (issue 3's target), is what is left for mapping, enriching and
//! bookkeeping. `bench/ingest.sh` runs it on its dump and the case its last run made.
//!
//!   cargo run --release -p spector-pipeline --example ingest_floors -- DUMP CASE_DIR
//!
//! The Parquet stage reads every part of `CASE_DIR/tables` into memory, row group by row group, and writes
//! it again into nothing with the settings each column was written with (codec, dictionary, statistics: read
//! from the part's own metadata, with its delta encoding if it has one), one row group at a time as the store does. Prints one JSON object.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Encoding;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use sha2::Digest;
use spector_ingest::Format;
use spector_ingest::formats;

// The allocator the `spector` binary links.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sha256_seconds(dump: &Path) -> f64 {
    let bytes = std::fs::read(dump).expect("dump");
    let started = Instant::now();
    std::hint::black_box(sha2::Sha256::digest(&bytes));
    started.elapsed().as_secs_f64()
}

/// Decoding alone, rows handed back to the reader as the ingest does once it has mapped them.
fn decode_seconds(dump: &Path) -> (f64, u64) {
    let started = Instant::now();
    let (_, mut reader) = formats::open(dump, Some(Format::MysqlDump)).expect("dump");
    let mut rows = 0u64;
    while let Some(row) = reader.next_row().expect("a clean dump") {
        rows += 1;
        reader.recycle(row);
    }
    (started.elapsed().as_secs_f64(), rows)
}

fn parts(case: &Path) -> Vec<PathBuf> {
    let mut parts = Vec::new();
    for table in std::fs::read_dir(case.join("tables")).expect("CASE_DIR/tables") {
        let table = table.expect("table directory").path();
        for part in std::fs::read_dir(&table).expect("table directory") {
            let part = part.expect("part").path();
            if part.extension().is_some_and(|e| e == "parquet") {
                parts.push(part);
            }
        }
    }
    parts.sort();
    parts
}

/// Bytes written, and nowhere: the Parquet stage's output is counted, to show it is the part again.
#[derive(Default)]
struct Counted(u64);

impl std::io::Write for Counted {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The time to encode one part again, with the settings its columns were written with; its rows; the
/// bytes written.
fn encode_seconds(part: &Path) -> (f64, u64, u64) {
    let file = std::fs::File::open(part).expect("part");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet part");
    let metadata = builder.metadata().clone();
    let schema = builder.schema().clone();
    let largest_group = metadata
        .row_groups()
        .iter()
        .map(|g| g.num_rows() as usize)
        .max()
        .unwrap_or(1)
        .max(1);
    let batches: Vec<_> = builder
        .with_batch_size(largest_group)
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("row groups");
    let mut props = WriterProperties::builder().set_max_row_group_row_count(Some(largest_group));
    if let Some(group) = metadata.row_groups().first() {
        for column in group.columns() {
            let path = column.column_path().clone();
            let dictionary = column
                .encodings()
                .any(|e| matches!(e, Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY));
            let statistics = if column.statistics().is_some() {
                EnabledStatistics::Page
            } else {
                EnabledStatistics::None
            };
            let delta = column.encodings().find(|e| {
                matches!(
                    e,
                    Encoding::DELTA_BYTE_ARRAY | Encoding::DELTA_BINARY_PACKED
                )
            });
            if let Some(encoding) = delta {
                props = props.set_column_encoding(path.clone(), encoding);
            }
            props = props
                .set_column_compression(path.clone(), column.compression())
                .set_column_dictionary_enabled(path.clone(), dictionary)
                .set_column_statistics_enabled(path, statistics);
        }
    }
    let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
    let started = Instant::now();
    let mut writer =
        ArrowWriter::try_new(Counted::default(), Arc::clone(&schema), Some(props.build()))
            .expect("writer");
    for batch in &batches {
        writer.write(batch).expect("write");
        writer.flush().expect("flush");
    }
    let written = writer.into_inner().expect("close").0;
    (started.elapsed().as_secs_f64(), rows, written)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dump = PathBuf::from(args.next().expect("DUMP"));
    let case = PathBuf::from(args.next().expect("CASE_DIR"));
    let megabytes = std::fs::metadata(&dump).expect("dump").len() as f64 / 1e6;
    let sha256 = sha256_seconds(&dump);
    let (decode, rows) = decode_seconds(&dump);
    let (mut encode, mut records, mut written, mut on_disk) = (0.0, 0u64, 0u64, 0u64);
    for part in parts(&case) {
        let (seconds, rows, bytes) = encode_seconds(&part);
        encode += seconds;
        records += rows;
        written += bytes;
        on_disk += std::fs::metadata(&part).expect("part").len();
    }
    let budget = megabytes / 200.0;
    println!(
        "{{\"dump_mb\": {megabytes:.1}, \"rows\": {rows}, \"records\": {records}, \"sha256_seconds\": {sha256:.2}, \"decode_seconds\": {decode:.2}, \"parquet_seconds\": {encode:.2}, \"parquet_mb_written\": {:.1}, \"parquet_mb_on_disk\": {:.1}, \"sum_seconds\": {:.2}, \"budget_seconds_at_200_mb_s_per_core\": {budget:.2}, \"left_seconds\": {:.2}, \"left_ns_per_record\": {:.0}}}",
        written as f64 / 1e6,
        on_disk as f64 / 1e6,
        sha256 + decode + encode,
        budget - (sha256 + decode + encode),
        (budget - (sha256 + decode + encode)) * 1e9 / records.max(1) as f64
    );
}
