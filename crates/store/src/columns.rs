//! Flat columns, and the cursor-style appender and reader that map one model struct to one table row.
//!
//! A table is a list of [`Column`]s; a row type writes and reads its fields in that same order (see
//! `tables.rs`). The round-trip tests of every table are what keep the two lists in step.

use arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, Float64Array, Float64Builder, StringArray,
    StringBuilder, TimestampSecondArray, TimestampSecondBuilder, UInt64Array, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::basic::Encoding;
use spector_model::{Provenance, RecordId};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Text,
    Float,
    /// Non-negative counts and offsets (provenance).
    Count,
    /// Unix seconds, shown as UTC timestamps in SQL.
    Time,
    Bool,
}

impl ColumnType {
    fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Float => DataType::Float64,
            ColumnType::Count => DataType::UInt64,
            ColumnType::Time => DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
            ColumnType::Bool => DataType::Boolean,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
    /// Values seldom repeat (ids, offsets, free text): Parquet stores them without a dictionary, which
    /// for such columns costs a hash per value only to be abandoned once the dictionary is full.
    pub distinct: bool,
    /// Free text (descriptions, messages, ciphertext): also without statistics, whose minimum and maximum
    /// of long texts no query prunes by, and which cost a comparison of every value.
    pub prose: bool,
    /// Text of random bytes, which Snappy shrinks by about a tenth at most: ciphertext in ASCII armour
    /// (PGP-encrypted shipping addresses: 625 to 549 MB on a 1.1 GB dump, for a fifth of the writing
    /// thread's compression time), txids in hex and addresses in base58 or bech32 (3–11% on a chain of
    /// 1M transactions). Stored uncompressed. Where such values repeat row after row (the txid of each
    /// input of a transaction), Snappy halves them, and the column is left compressed.
    pub incompressible: bool,
    /// Values of every kind in every row group: references to other records (an order's buyer), states,
    /// currencies, countries. Stored without statistics, whose minimum and maximum of such a column span
    /// nearly all its values in every row group, so no query prunes by them, and which cost two
    /// comparisons a value (a tenth of the writing time of an order table).
    pub scattered: bool,
    /// Values that mostly share a prefix with the value before or grow row by row (record ids, times,
    /// row numbers and offsets): stored delta-encoded and without Snappy (see [`Column::delta_encoding`]).
    pub delta: bool,
}

pub(crate) const fn required(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        distinct: false,
        prose: false,
        incompressible: false,
        scattered: false,
        delta: false,
    }
}

pub(crate) const fn optional(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        nullable: true,
        distinct: false,
        prose: false,
        incompressible: false,
        scattered: false,
        delta: false,
    }
}

impl Column {
    pub const fn distinct(self) -> Column {
        Column {
            distinct: true,
            ..self
        }
    }

    pub const fn prose(self) -> Column {
        Column {
            distinct: true,
            prose: true,
            ..self
        }
    }

    pub const fn delta(self) -> Column {
        Column {
            distinct: true,
            delta: true,
            ..self
        }
    }

    pub const fn scattered(self) -> Column {
        Column {
            scattered: true,
            ..self
        }
    }

    pub const fn incompressible(self) -> Column {
        Column {
            incompressible: true,
            ..self
        }
    }

    /// Ciphertext: long, incompressible free text.
    pub const fn ciphertext(self) -> Column {
        self.prose().incompressible()
    }

    /// How Parquet lays the column's values out, when not as its writer would by default.
    ///
    /// Record ids and references that seldom repeat (`abyss/order/1532577`) share most of their bytes
    /// with the value before them, and times, offsets and row numbers mostly grow: delta encodings store
    /// what changed without Snappy, smaller than Snappy made them and at a quarter of the CPU time (on the
    /// 1.1 GB benchmark dump, each column encoded alone: an order id column 0.164 s and 47.1 MB with
    /// Snappy, 0.042 s and 44.4 MB as `DELTA_BYTE_ARRAY`; `created_at` 0.045 s and 9.4 MB against 0.011 s
    /// and 1.3 MB as `DELTA_BINARY_PACKED`). Only for columns marked [`Column::delta`]: free text and
    /// random bytes share no prefixes, and the chain's tables keep the settings they were measured with.
    pub(crate) fn delta_encoding(&self) -> Option<Encoding> {
        if !self.delta {
            return None;
        }
        match self.ty {
            ColumnType::Text => Some(Encoding::DELTA_BYTE_ARRAY),
            ColumnType::Time | ColumnType::Count => Some(Encoding::DELTA_BINARY_PACKED),
            ColumnType::Float | ColumnType::Bool => None,
        }
    }
}

/// The provenance of a record, flattened so that SQL can filter on it without struct access.
pub(crate) const PROVENANCE: [Column; 5] = [
    required("src_sha256", ColumnType::Text),
    required("src_table", ColumnType::Text),
    required("src_row", ColumnType::Count).delta(),
    required("src_offset", ColumnType::Count).delta(),
    required("src_len", ColumnType::Count).delta(),
];

pub(crate) fn schema_of(columns: &[Column]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, c.ty.data_type(), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

enum Builder {
    Text(StringBuilder),
    Float(Float64Builder),
    Count(UInt64Builder),
    Time(TimestampSecondBuilder),
    Bool(BooleanBuilder),
}

/// Accumulates rows column by column until they are turned into a [`RecordBatch`].
pub(crate) struct RowWriter {
    schema: SchemaRef,
    types: Vec<ColumnType>,
    builders: Vec<Builder>,
    /// Rows and text bytes per column of the last batch taken out, to size the next one.
    last_batch: Option<(usize, Vec<usize>)>,
    /// Index of the column the next value goes to.
    cursor: usize,
    rows: usize,
    /// Rough size of the buffered values, so that a table of long texts flushes before it gets large.
    bytes: usize,
}

impl Builder {
    /// An empty builder for `rows` values (and `text_bytes` of text, for a text column).
    fn with_capacity(ty: ColumnType, rows: usize, text_bytes: usize) -> Self {
        match ty {
            ColumnType::Text => Builder::Text(StringBuilder::with_capacity(rows, text_bytes)),
            ColumnType::Float => Builder::Float(Float64Builder::with_capacity(rows)),
            ColumnType::Count => Builder::Count(UInt64Builder::with_capacity(rows)),
            ColumnType::Time => {
                Builder::Time(TimestampSecondBuilder::with_capacity(rows).with_timezone("UTC"))
            }
            ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(rows)),
        }
    }

    fn text_bytes(&self) -> usize {
        match self {
            Builder::Text(b) => b.values_slice().len(),
            _ => 0,
        }
    }
}

impl RowWriter {
    pub fn new(columns: &[Column]) -> Self {
        let builders = columns
            .iter()
            .map(|c| Builder::with_capacity(c.ty, 0, 0))
            .collect();
        RowWriter {
            schema: schema_of(columns),
            types: columns.iter().map(|c| c.ty).collect(),
            builders,
            last_batch: None,
            cursor: 0,
            rows: 0,
            bytes: 0,
        }
    }

    /// Sizes the empty builders like the last batch taken out, so that the next one is appended without
    /// growing its buffers. Growing costs a copy at every doubling and, for buffers of megabytes, fresh
    /// pages from the kernel each time: 30% of the writing thread's time before this was done.
    /// Called once the last batch has been taken out (it may still be being encoded on another thread).
    pub fn size_like_last_batch(&mut self) {
        let Some((rows, text_bytes)) = self.last_batch.take() else {
            return;
        };
        if self.rows > 0 {
            return;
        }
        // An eighth more than the last batch: the next one may be a little larger (row groups end at a
        // row count or at a size, and texts vary), and growing the buffer would copy it whole. Never more
        // rows than a row group holds.
        let rows = (rows + rows / 8).min(crate::parts::ROW_GROUP_ROWS);
        for ((b, ty), bytes) in self.builders.iter_mut().zip(&self.types).zip(text_bytes) {
            *b = Builder::with_capacity(*ty, rows, bytes + bytes / 8);
        }
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn next(&mut self) -> &mut Builder {
        let i = self.cursor;
        self.cursor += 1;
        &mut self.builders[i]
    }

    pub fn opt_text(&mut self, value: Option<&str>) {
        self.bytes += value.map_or(0, str::len) + 4;
        match self.next() {
            Builder::Text(b) => b.append_option(value),
            _ => column_mismatch("text"),
        }
    }

    pub fn text(&mut self, value: &str) {
        self.opt_text(Some(value));
    }

    pub fn id(&mut self, value: &RecordId) {
        self.text(value.as_str());
    }

    pub fn opt_id(&mut self, value: Option<&RecordId>) {
        self.opt_text(value.map(RecordId::as_str));
    }

    pub fn float(&mut self, value: Option<f64>) {
        self.bytes += 8;
        match self.next() {
            Builder::Float(b) => b.append_option(value),
            _ => column_mismatch("float"),
        }
    }

    pub fn required_float(&mut self, value: f64) {
        self.float(Some(value));
    }

    pub fn count(&mut self, value: u64) {
        self.opt_count(Some(value));
    }

    pub fn opt_count(&mut self, value: Option<u64>) {
        self.bytes += 8;
        match self.next() {
            Builder::Count(b) => b.append_option(value),
            _ => column_mismatch("count"),
        }
    }

    pub fn time(&mut self, value: Option<i64>) {
        self.bytes += 8;
        match self.next() {
            Builder::Time(b) => b.append_option(value),
            _ => column_mismatch("time"),
        }
    }

    pub fn boolean(&mut self, value: bool) {
        self.bytes += 1;
        match self.next() {
            Builder::Bool(b) => b.append_value(value),
            _ => column_mismatch("bool"),
        }
    }

    pub fn provenance(&mut self, p: &Provenance) {
        self.text(&p.src_sha256);
        self.text(&p.src_table);
        self.count(p.src_row);
        self.count(p.src_offset);
        self.count(p.src_len);
    }

    /// Closes the current row; every column must have received exactly one value.
    pub fn end_row(&mut self) {
        if self.cursor != self.builders.len() {
            column_mismatch("a full row");
        }
        self.cursor = 0;
        self.rows += 1;
    }

    /// Takes the buffered rows out as a batch, leaving the writer empty.
    pub fn finish_batch(&mut self) -> Result<RecordBatch, arrow::error::ArrowError> {
        self.last_batch = Some((
            self.rows,
            self.builders.iter().map(Builder::text_bytes).collect(),
        ));
        let arrays: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::Text(b) => Arc::new(b.finish()),
                    Builder::Float(b) => Arc::new(b.finish()),
                    Builder::Count(b) => Arc::new(b.finish()),
                    Builder::Time(b) => Arc::new(b.finish()),
                    Builder::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        self.bytes = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

/// A row type wrote its fields in an order that differs from its column list: a bug in `tables.rs`
/// that the round-trip tests catch, never something data can cause.
#[cold]
fn column_mismatch(expected: &str) -> ! {
    panic!("spector-store: row writer out of step with the table's columns (expected {expected})")
}

enum ColumnView<'a> {
    Text(&'a StringArray),
    Float(&'a Float64Array),
    Count(&'a UInt64Array),
    Time(&'a TimestampSecondArray),
    Bool(&'a BooleanArray),
}

/// Reads the rows of one batch field by field, in column order, checking types and nulls as it goes:
/// a file that decodes but holds something else becomes an error, never a panic.
pub(crate) struct RowReader<'a> {
    columns: &'a [Column],
    views: Vec<ColumnView<'a>>,
    row: usize,
    cursor: usize,
}

impl<'a> RowReader<'a> {
    /// Checks that `batch` has exactly `columns`, by name and type.
    pub fn new(batch: &'a RecordBatch, columns: &'a [Column]) -> Result<Self, String> {
        check_schema(&batch.schema(), columns)?;
        let views = columns
            .iter()
            .zip(batch.columns())
            .map(|(c, array)| {
                let any = array.as_any();
                let view = match c.ty {
                    ColumnType::Text => any.downcast_ref().map(ColumnView::Text),
                    ColumnType::Float => any.downcast_ref().map(ColumnView::Float),
                    ColumnType::Count => any.downcast_ref().map(ColumnView::Count),
                    ColumnType::Time => any.downcast_ref().map(ColumnView::Time),
                    ColumnType::Bool => any.downcast_ref().map(ColumnView::Bool),
                };
                view.ok_or_else(|| format!("column {} is not of type {:?}", c.name, c.ty))
            })
            .collect::<Result<_, _>>()?;
        Ok(RowReader {
            columns,
            views,
            row: 0,
            cursor: 0,
        })
    }

    /// Moves to row `row` of the batch.
    pub fn seek(&mut self, row: usize) {
        self.row = row;
        self.cursor = 0;
    }

    /// Back to the first column of the same row: a reader may look at a field before reading the row.
    pub fn rewind(&mut self) {
        self.cursor = 0;
    }

    fn next(&mut self) -> Result<(&'a Column, &ColumnView<'a>), String> {
        let i = self.cursor;
        self.cursor += 1;
        match (self.columns.get(i), self.views.get(i)) {
            (Some(c), Some(v)) => Ok((c, v)),
            _ => Err("row type reads more columns than the table has".to_string()),
        }
    }

    pub fn opt_text(&mut self) -> Result<Option<String>, String> {
        Ok(self.opt_str()?.map(str::to_string))
    }

    /// The text borrowed from the batch: no allocation for a reader that only looks at it.
    pub fn opt_str(&mut self) -> Result<Option<&'a str>, String> {
        let row = self.row;
        let (c, v) = self.next()?;
        match *v {
            ColumnView::Text(a) if a.is_null(row) => Ok(None),
            ColumnView::Text(a) => Ok(Some(a.value(row))),
            _ => Err(format!("column {} is not text", c.name)),
        }
    }

    pub fn str(&mut self) -> Result<&'a str, String> {
        let name = self.current_name();
        self.opt_str()?
            .ok_or_else(|| format!("null in required column {name}"))
    }

    pub fn text(&mut self) -> Result<String, String> {
        let name = self.current_name();
        self.opt_text()?
            .ok_or_else(|| format!("null in required column {name}"))
    }

    pub fn id(&mut self) -> Result<RecordId, String> {
        self.text().map(RecordId::from_stored)
    }

    pub fn opt_id(&mut self) -> Result<Option<RecordId>, String> {
        Ok(self.opt_text()?.map(RecordId::from_stored))
    }

    /// A text column holding one of an enum's lower-case names.
    pub fn parsed<T>(&mut self, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, String> {
        let name = self.current_name();
        let s = self.text()?;
        parse(&s).ok_or_else(|| format!("unknown value '{s}' in column {name}"))
    }

    pub fn float(&mut self) -> Result<Option<f64>, String> {
        let row = self.row;
        let (c, v) = self.next()?;
        match v {
            ColumnView::Float(a) if a.is_null(row) => Ok(None),
            ColumnView::Float(a) => Ok(Some(a.value(row))),
            _ => Err(format!("column {} is not a float", c.name)),
        }
    }

    pub fn required_float(&mut self) -> Result<f64, String> {
        let name = self.current_name();
        self.float()?
            .ok_or_else(|| format!("null in required column {name}"))
    }

    pub fn boolean(&mut self) -> Result<bool, String> {
        let row = self.row;
        let (c, v) = self.next()?;
        match v {
            ColumnView::Bool(a) if !a.is_null(row) => Ok(a.value(row)),
            ColumnView::Bool(_) => Err(format!("null in required column {}", c.name)),
            _ => Err(format!("column {} is not a boolean", c.name)),
        }
    }

    pub fn count(&mut self) -> Result<u64, String> {
        let name = self.current_name();
        self.opt_count()?
            .ok_or_else(|| format!("null in required column {name}"))
    }

    pub fn opt_count(&mut self) -> Result<Option<u64>, String> {
        let row = self.row;
        let (c, v) = self.next()?;
        match v {
            ColumnView::Count(a) if a.is_null(row) => Ok(None),
            ColumnView::Count(a) => Ok(Some(a.value(row))),
            _ => Err(format!("column {} is not a count", c.name)),
        }
    }

    pub fn time(&mut self) -> Result<Option<i64>, String> {
        let row = self.row;
        let (c, v) = self.next()?;
        match v {
            ColumnView::Time(a) if a.is_null(row) => Ok(None),
            ColumnView::Time(a) => Ok(Some(a.value(row))),
            _ => Err(format!("column {} is not a timestamp", c.name)),
        }
    }

    pub fn provenance(&mut self) -> Result<Provenance, String> {
        Ok(Provenance {
            src_sha256: self.text()?.into(),
            src_table: self.text()?.into(),
            src_row: self.count()?,
            src_offset: self.count()?,
            src_len: self.count()?,
        })
    }

    fn current_name(&self) -> &'static str {
        self.columns.get(self.cursor).map_or("?", |c| c.name)
    }
}

pub(crate) fn check_schema(schema: &Schema, columns: &[Column]) -> Result<(), String> {
    let found: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let expected: Vec<&str> = columns.iter().map(|c| c.name).collect();
    if found != expected {
        return Err(format!(
            "columns are [{}], expected [{}]",
            found.join(", "),
            expected.join(", ")
        ));
    }
    for (field, c) in schema.fields().iter().zip(columns) {
        if field.data_type() != &c.ty.data_type() {
            return Err(format!(
                "column {} has type {}, expected {}",
                c.name,
                field.data_type(),
                c.ty.data_type()
            ));
        }
    }
    Ok(())
}
