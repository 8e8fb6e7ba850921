//! The Parquet file of a part, written a row group at a time, with columns that hold one value all along
//! encoded once and copied after that.
//!
//! Every record of an ingest carries its source's hash, table and market (`src_sha256`, `src_table`,
//! `market`): in a row group of 65,536 orders, one value 65,536 times. Parquet's dictionary encoder hashes
//! and compares each of them, and its statistics compare each twice more: 12–16 ns a value, on the 1.1 GB
//! benchmark dump about a fifth of the time its parts took to encode. Such a column chunk is the same
//! bytes in every full row group, so it is encoded once (by Parquet, with the column's own settings and
//! statistics) and its bytes spliced into the row groups after that. Finding that a column holds one
//! value costs a pass over its bytes; a column that holds more stops at the first byte that differs.

use arrow::array::{Array, ArrayRef, StringArray};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowRowGroupWriterFactory, compute_leaves};
use parquet::column::writer::{ColumnCloseResult, ColumnWriter, get_column_writer};
use parquet::data_type::ByteArray;
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;
use std::io::Write;

pub(crate) struct PartFile<W: Write + Send> {
    file: SerializedFileWriter<W>,
    columns: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The file writer's, kept apart so that constant chunks are encoded while a row group is open.
    leaves: Vec<ColumnDescPtr>,
    props: WriterPropertiesPtr,
    row_groups: usize,
    /// By column: the chunk last encoded for a column that held one value.
    constant: Vec<Option<ConstantChunk>>,
    /// Constant chunks spliced in without being encoded again.
    #[cfg(test)]
    reused: usize,
}

/// A column chunk of `rows` copies of `value`, encoded.
struct ConstantChunk {
    value: Box<str>,
    rows: usize,
    bytes: Bytes,
    close: ColumnCloseResult,
}

impl<W: Write + Send> PartFile<W> {
    pub fn try_new(sink: W, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        let (file, columns) =
            ArrowWriter::try_new(sink, schema.clone(), Some(props))?.into_serialized_writer()?;
        Ok(PartFile {
            leaves: file.schema_descr().columns().to_vec(),
            props: file.properties().clone(),
            file,
            columns,
            constant: (0..schema.fields().len()).map(|_| None).collect(),
            schema,
            row_groups: 0,
            #[cfg(test)]
            reused: 0,
        })
    }

    /// Writes `batch` as one row group.
    pub fn write_row_group(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.schema().fields() != self.schema.fields() {
            return Err(ParquetError::General(
                "a row group's columns differ from its part's".to_string(),
            ));
        }
        let writers = self.columns.create_column_writers(self.row_groups)?;
        let mut row_group = self.file.next_row_group()?;
        // One leaf a column: the store's tables are flat.
        for (i, (mut writer, array)) in writers.into_iter().zip(batch.columns()).enumerate() {
            if let Some(value) = one_value(array) {
                let cached = &mut self.constant[i];
                let reusable = cached
                    .as_ref()
                    .is_some_and(|c| *c.value == *value && c.rows == array.len());
                #[cfg(test)]
                {
                    self.reused += usize::from(reusable);
                }
                let chunk = match cached {
                    Some(chunk) if reusable => chunk,
                    _ => {
                        let descr = self.leaves.get(i).cloned().ok_or_else(|| {
                            ParquetError::General(format!("column {i} is not in the part's schema"))
                        })?;
                        let chunk = encode_constant(descr, self.props.clone(), value, array.len())?;
                        cached.insert(chunk)
                    }
                };
                row_group.append_column(&chunk.bytes, chunk.close.clone())?;
                continue;
            }
            for leaf in compute_leaves(self.schema.field(i), array)? {
                writer.write(&leaf)?;
            }
            writer.close()?.append_to_row_group(&mut row_group)?;
        }
        row_group.close()?;
        self.row_groups += 1;
        Ok(())
    }

    /// Writes the footer; returns the sink.
    pub fn into_inner(self) -> Result<W> {
        self.file.into_inner()
    }
}

/// The one value of a text column that holds the same non-null text in every row, if it does.
fn one_value(array: &ArrayRef) -> Option<&str> {
    if array.data_type() != &DataType::Utf8 || array.is_empty() || array.null_count() > 0 {
        return None;
    }
    let texts = array.as_any().downcast_ref::<StringArray>()?;
    // Compared as bytes, not value by value (a call a value was a sixth of what splicing saved): the
    // values are all one length, and their bytes repeat with that period, each value the one before.
    let offsets = texts.value_offsets();
    let len = offsets[1] - offsets[0];
    if !offsets.windows(2).all(|pair| pair[1] - pair[0] == len) {
        return None;
    }
    let (start, end, len) = (
        usize::try_from(offsets[0]).ok()?,
        usize::try_from(offsets[offsets.len() - 1]).ok()?,
        usize::try_from(len).ok()?,
    );
    let bytes = texts.value_data().get(start..end)?;
    (bytes.get(len..)? == bytes.get(..bytes.len() - len)?).then(|| texts.value(0))
}

/// `rows` copies of `value` as a column chunk of the column `descr`, with the writer's settings for it.
fn encode_constant(
    descr: ColumnDescPtr,
    props: WriterPropertiesPtr,
    value: &str,
    rows: usize,
) -> Result<ConstantChunk> {
    let mut sink = TrackedWrite::new(Vec::new());
    let defined = descr.max_def_level() > 0;
    let close = {
        let mut writer =
            get_column_writer(descr, props, Box::new(SerializedPageWriter::new(&mut sink)));
        let ColumnWriter::ByteArrayColumnWriter(typed) = &mut writer else {
            return Err(ParquetError::General(
                "a text column is not stored as byte arrays".to_string(),
            ));
        };
        let values = vec![ByteArray::from(value.as_bytes().to_vec()); rows];
        let levels = defined.then(|| vec![1i16; rows]);
        typed.write_batch(&values, levels.as_deref(), None)?;
        writer.close()?
    };
    Ok(ConstantChunk {
        value: value.into(),
        rows,
        bytes: Bytes::from(sink.into_inner()?),
        close,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::UInt64Array;
    use arrow::datatypes::{Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::metadata::ParquetMetaData;
    use std::sync::Arc;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("source", DataType::Utf8, false),
            Field::new("state", DataType::Utf8, true),
            Field::new("row", DataType::UInt64, false),
        ]))
    }

    fn batch(source: &str, states: &[Option<&str>], first_row: u64) -> RecordBatch {
        let n = states.len();
        RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(StringArray::from(vec![source; n])),
                Arc::new(StringArray::from(states.to_vec())),
                Arc::new(UInt64Array::from_iter_values(
                    first_row..first_row + n as u64,
                )),
            ],
        )
        .unwrap()
    }

    /// Row groups a store would write: a value all along, the same again (the chunk reused), another
    /// length (encoded anew), a column of several values, one with a NULL, another source.
    fn row_groups() -> Vec<RecordBatch> {
        let paid = vec![Some("paid"); 1000];
        let mut mixed = paid.clone();
        mixed[999] = Some("shipped");
        let mut with_null = paid.clone();
        with_null[0] = None;
        vec![
            batch("sha-a", &paid, 0),
            batch("sha-a", &paid, 1000),
            batch("sha-a", &paid[..7], 2000),
            batch("sha-a", &mixed, 2007),
            batch("sha-a", &with_null, 3007),
            batch("sha-b", &paid, 4007),
        ]
    }

    fn props() -> WriterProperties {
        WriterProperties::builder().build()
    }

    fn written_by_part_file() -> Bytes {
        let mut part = PartFile::try_new(Vec::new(), schema(), props()).unwrap();
        for b in row_groups() {
            part.write_row_group(&b).unwrap();
        }
        // Both columns of the second row group, and the source of the fifth (1000 rows of sha-a again);
        // the state of the sixth was last constant in a row group of another length.
        assert_eq!(part.reused, 3);
        Bytes::from(part.into_inner().unwrap())
    }

    fn written_by_arrow_writer() -> Bytes {
        let mut w = ArrowWriter::try_new(Vec::new(), schema(), Some(props())).unwrap();
        for b in row_groups() {
            w.write(&b).unwrap();
            w.flush().unwrap();
        }
        Bytes::from(w.into_inner().unwrap())
    }

    fn read(file: Bytes) -> (Vec<RecordBatch>, Arc<ParquetMetaData>) {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let metadata = builder.metadata().clone();
        let batches = builder
            .with_batch_size(1000)
            .build()
            .unwrap()
            .collect::<std::result::Result<Vec<_>, _>>()
            .unwrap();
        (batches, metadata)
    }

    #[test]
    fn a_part_file_is_the_bytes_arrow_writer_writes() {
        assert_eq!(written_by_part_file(), written_by_arrow_writer());
    }

    #[test]
    fn constant_columns_spliced_in_read_back_as_arrow_writer_wrote_them() {
        let (ours, our_metadata) = read(written_by_part_file());
        let (theirs, their_metadata) = read(written_by_arrow_writer());
        assert_eq!(ours, theirs);
        let concat =
            |batches: &[RecordBatch]| arrow::compute::concat_batches(&schema(), batches).unwrap();
        assert_eq!(concat(&ours), concat(&row_groups()));
        // Statistics, encodings and sizes of every chunk as the Arrow writer made them: a query prunes
        // by the spliced chunks' statistics as by any other.
        assert_eq!(our_metadata.num_row_groups(), 6);
        for (g, (a, b)) in our_metadata
            .row_groups()
            .iter()
            .zip(their_metadata.row_groups())
            .enumerate()
        {
            assert_eq!(a.num_rows(), b.num_rows(), "row group {g}");
            for (c, (x, y)) in a.columns().iter().zip(b.columns()).enumerate() {
                assert_eq!(x.statistics(), y.statistics(), "row group {g} column {c}");
                assert_eq!(
                    x.encodings_mask(),
                    y.encodings_mask(),
                    "row group {g} column {c}"
                );
                assert_eq!(
                    x.compressed_size(),
                    y.compressed_size(),
                    "row group {g} column {c}"
                );
                assert_eq!(x.num_values(), y.num_values(), "row group {g} column {c}");
            }
        }
        assert!(our_metadata.column_index().is_some() == their_metadata.column_index().is_some());
    }

    #[test]
    fn one_value_is_found_only_in_a_text_column_without_nulls_that_never_changes() {
        let texts = |v: Vec<Option<&str>>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        assert_eq!(one_value(&texts(vec![Some("a"), Some("a")])), Some("a"));
        assert_eq!(one_value(&texts(vec![Some("a"), Some("b")])), None);
        assert_eq!(one_value(&texts(vec![Some("a"), None])), None);
        assert_eq!(one_value(&texts(vec![])), None);
        // A value that another one begins with is another value.
        assert_eq!(one_value(&texts(vec![Some("ab"), Some("a")])), None);
        assert_eq!(one_value(&texts(vec![Some("a"), Some("ab")])), None);
        // Of one length, differing only in the last value, or only in the first.
        assert_eq!(
            one_value(&texts(vec![Some("ab"), Some("ab"), Some("ac")])),
            None
        );
        assert_eq!(
            one_value(&texts(vec![Some("ac"), Some("ab"), Some("ab")])),
            None
        );
        // Bytes that repeat with another period than the values' length.
        assert_eq!(
            one_value(&texts(vec![Some("aa"), Some("aa"), Some("ab")])),
            None
        );
        assert_eq!(one_value(&texts(vec![Some(""), Some("")])), Some(""));
        assert_eq!(one_value(&texts(vec![Some("x")])), Some("x"));
        // A slice of a larger array: its offsets do not start at 0.
        let sliced = texts(vec![Some("b"), Some("a"), Some("a"), Some("c")]).slice(1, 2);
        assert_eq!(one_value(&sliced), Some("a"));
        let numbers: ArrayRef = Arc::new(UInt64Array::from(vec![1, 1]));
        assert_eq!(one_value(&numbers), None);
    }

    proptest::proptest! {
        #[test]
        fn one_value_agrees_with_comparing_every_value(
            values in proptest::collection::vec("[ab]{0,3}", 1..8),
            skip in 0usize..3,
        ) {
            let array: ArrayRef = Arc::new(StringArray::from(values.clone()));
            let skip = skip.min(values.len() - 1);
            let array = array.slice(skip, values.len() - skip);
            let kept = &values[skip..];
            let expected = kept.iter().all(|v| *v == kept[0]).then(|| kept[0].as_str());
            proptest::prop_assert_eq!(one_value(&array), expected);
        }
    }

    #[test]
    fn a_row_group_of_other_columns_is_refused() {
        let mut part = PartFile::try_new(Vec::new(), schema(), props()).unwrap();
        let other = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("x", DataType::UInt64, false)])),
            vec![Arc::new(UInt64Array::from(vec![1]))],
        )
        .unwrap();
        assert!(part.write_row_group(&other).is_err());
    }
}
