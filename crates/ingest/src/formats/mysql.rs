//! MySQL and MariaDB `mysqldump` output.
//!
//! A hand-written statement splitter (a general SQL parser is ~10x slower and rejects the `/*!40000 ... */`
//! lines every dump has). It reads:
//!
//! - column names from `CREATE TABLE` (backquoted names in order; KEY, PRIMARY KEY, CONSTRAINT, INDEX,
//!   UNIQUE, FULLTEXT, SPATIAL, FOREIGN KEY and CHECK lines are not columns);
//! - rows from `INSERT [IGNORE] INTO t [(cols)] VALUES (...),(...);` and `REPLACE INTO`, extended or one
//!   row per statement, rows spanning lines, `ON DUPLICATE KEY UPDATE` tails ignored;
//! - values: `NULL`; numbers as their literal text; `'...'` strings with every escape the server reads
//!   (`\0 \' \" \b \n \r \t \Z \\`, `''`; `\%` and `\_` keep their backslash as the server does outside
//!   LIKE); `_binary '...'` and hex (`0x..`, `X'..'`) and bit (`b'..'`, `0b..`) literals as
//!   [`Value::Bytes`]; `_utf8mb4'...'` and other introducers; strings that are not UTF-8 as bytes.
//!
//! Comments (`-- `, `#`, `/* */`), conditional comments (`/*! ... */;`), `DELIMITER` changes and every
//! other statement are passed over.
//!
//! - A table whose `CREATE TABLE` is not in the source, inserted without a column list, gets columns named
//!   `c1..cN` after the width of its first row.
//! - Tables are named without a database qualifier.
//! - Each tuple is one [`SourceRow`] whose `offset`/`len` cover `(` to `)`; `row` counts
//!   every tuple of the table, bad ones included, so it stays the tuple's ordinal in the file.
//! - A tuple that cannot be decoded or has the wrong number of values is a
//!   [`Row`](crate::ReadErrorKind::Row) error whose `offset`/`line` are those of the tuple and whose `raw`
//!   is its text; reading goes on with the next tuple. A file that ends inside a statement, string or
//!   comment is a [`Fatal`](crate::ReadErrorKind::Fatal) "truncated" error at the end of the file naming the
//!   line where the open statement began.

use std::io::BufRead;
use std::path::PathBuf;

use super::dump::{DumpReader, decode_row_bytes};
use super::sql::Dialect;
use crate::source::{ReadError, RowReader, SourceRow, Value};

/// Streams the rows of a `mysqldump` file.
pub struct MysqlDumpReader<R> {
    inner: DumpReader<R>,
}

impl<R: BufRead> MysqlDumpReader<R> {
    /// `file` names the source in errors; `input` is read from its first byte.
    pub fn new(file: impl Into<PathBuf>, input: R) -> Self {
        MysqlDumpReader {
            inner: DumpReader::new(Dialect::MySql, file.into(), input),
        }
    }

    #[cfg(test)]
    pub(crate) fn set_max_retained(&mut self, max: usize) {
        self.inner.set_max_retained(max);
    }

    #[cfg(test)]
    pub(crate) fn set_read_chunk(&mut self, chunk: usize) {
        self.inner.set_read_chunk(chunk);
    }
}

impl<R: BufRead> RowReader for MysqlDumpReader<R> {
    fn next_row(&mut self) -> Result<Option<SourceRow>, ReadError> {
        self.inner.next_row()
    }

    fn bytes_read(&self) -> u64 {
        self.inner.bytes_read()
    }

    fn recycle(&mut self, row: SourceRow) {
        self.inner.recycle(row);
    }
}

/// Decodes the bytes of one row (`(` to `)`), as a [`SourceRow`]'s offset and length locate them.
pub fn parse_row(bytes: &[u8]) -> Result<Vec<Value>, String> {
    decode_row_bytes(Dialect::MySql, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReadErrorKind;

    fn read_all(sql: &[u8]) -> Vec<Result<SourceRow, ReadError>> {
        let mut reader = MysqlDumpReader::new("t.sql", sql);
        let mut out = Vec::new();
        loop {
            match reader.next_row() {
                Ok(Some(row)) => out.push(Ok(row)),
                Ok(None) => return out,
                Err(e) => out.push(Err(e)),
            }
        }
    }

    #[test]
    fn reads_rows_with_declared_columns() {
        let sql = b"CREATE TABLE `t` (`a` int, `b` text, KEY `k` (`a`));\nINSERT INTO `t` VALUES (1,'x'),(2,NULL);\n";
        let rows = read_all(sql);
        let rows: Vec<_> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&*rows[1].columns, ["a", "b"]);
        assert_eq!(rows[1].values, [Value::Text("2".into()), Value::Null]);
        assert_eq!(rows[1].row, 2);
        let (start, end) = (
            rows[1].offset as usize,
            (rows[1].offset + rows[1].len) as usize,
        );
        assert_eq!(&sql[start..end], b"(2,NULL)");
    }

    #[test]
    fn a_row_larger_than_the_limit_is_fatal() {
        let mut sql = b"INSERT INTO `t` VALUES (1,'".to_vec();
        sql.extend(std::iter::repeat_n(b'x', 5000));
        sql.extend_from_slice(b"');\n");
        let mut reader = MysqlDumpReader::new("t.sql", &sql[..]);
        reader.set_max_retained(1000);
        let err = reader.next_row().unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::Fatal);
        assert!(err.message.contains("larger than"), "{}", err.message);
        assert_eq!(reader.next_row(), Ok(None));
    }
}
