//! A writer producing what `mysqldump` (MariaDB 10.6, client 10.19) prints for a database.

use std::path::Path;

use super::escape::mysql_escape_into;
use super::sink::{Progress, Sink};
use crate::{SynthError, clock};

/// mysqldump's default `net_buffer_length` (1 MiB − 1025): an extended INSERT is cut before it grows past it.
pub const NET_BUFFER_LENGTH: usize = 1024 * 1024 - 1025;

const CLIENT: &str = "10.19  Distrib 10.6.12-MariaDB, for debian-linux-gnu (x86_64)";
const SERVER: &str = "10.6.12-MariaDB-0ubuntu0.22.04.1";

/// One value of an INSERT tuple.
#[derive(Debug, Clone, Copy)]
pub enum Sql<'a> {
    Null,
    Int(i64),
    /// A number already formatted (decimals such as `0.00123000`), written bare.
    Num(&'a str),
    /// A string, quoted and escaped.
    Str(&'a str),
}

/// A dump in progress. Tables must be written in the order mysqldump uses (alphabetical).
pub struct MysqlDump<'p> {
    sink: Sink<'p>,
    table: String,
    /// Length of the open INSERT statement, 0 when none is open.
    statement_len: usize,
    row: String,
}

impl<'p> MysqlDump<'p> {
    pub fn create(
        path: &Path,
        database: &str,
        progress: &'p Progress<'p>,
    ) -> Result<Self, SynthError> {
        let mut sink = Sink::create(path, progress)?;
        sink.put(&format!(
            "-- MariaDB dump {CLIENT}\n--\n-- Host: localhost    Database: {database}\n\
             -- ------------------------------------------------------\n-- Server version\t{SERVER}\n\n\
             /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n\
             /*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;\n\
             /*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;\n\
             /*!40101 SET NAMES utf8mb4 */;\n\
             /*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n\
             /*!40103 SET TIME_ZONE='+00:00' */;\n\
             /*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n\
             /*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n\
             /*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\
             /*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;\n"
        ))?;
        Ok(MysqlDump {
            sink,
            table: String::new(),
            statement_len: 0,
            row: String::new(),
        })
    }

    /// Writes the table's structure section and opens its data section. `columns_ddl` is the body of the
    /// CREATE TABLE (column and key lines, already indented, comma-separated); `table_options` the part after
    /// the closing parenthesis (`ENGINE=InnoDB ...`).
    pub fn begin_table(
        &mut self,
        name: &str,
        columns_ddl: &str,
        table_options: &str,
    ) -> Result<(), SynthError> {
        self.table = name.to_string();
        self.sink.put(&format!(
            "\n--\n-- Table structure for table `{name}`\n--\n\n\
             DROP TABLE IF EXISTS `{name}`;\n\
             /*!40101 SET @saved_cs_client     = @@character_set_client */;\n\
             /*!40101 SET character_set_client = utf8 */;\n\
             CREATE TABLE `{name}` (\n{columns_ddl}\n) {table_options};\n\
             /*!40101 SET character_set_client = @saved_cs_client */;\n\n\
             --\n-- Dumping data for table `{name}`\n--\n\n\
             LOCK TABLES `{name}` WRITE;\n\
             /*!40000 ALTER TABLE `{name}` DISABLE KEYS */;\n"
        ))
    }

    /// Adds one tuple to the current extended INSERT, starting a new statement when the current one would
    /// pass [`NET_BUFFER_LENGTH`] (as mysqldump does).
    pub fn row(&mut self, values: &[Sql<'_>]) -> Result<(), SynthError> {
        self.row.clear();
        self.row.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.row.push(',');
            }
            match v {
                Sql::Null => self.row.push_str("NULL"),
                Sql::Int(n) => self.row.push_str(&n.to_string()),
                Sql::Num(s) => self.row.push_str(s),
                Sql::Str(s) => {
                    self.row.push('\'');
                    mysql_escape_into(&mut self.row, s);
                    self.row.push('\'');
                }
            }
        }
        self.row.push(')');
        let row_len = self.row.len() + 1;
        if self.statement_len > 0 && self.statement_len + row_len < NET_BUFFER_LENGTH {
            self.statement_len += row_len;
            self.sink.put(",")?;
        } else {
            if self.statement_len > 0 {
                self.sink.put(";\n")?;
            }
            let head = format!("INSERT INTO `{}` VALUES ", self.table);
            self.statement_len = head.len() + row_len;
            self.sink.put(&head)?;
        }
        let row = std::mem::take(&mut self.row);
        let result = self.sink.put(&row);
        self.row = row;
        result
    }

    /// Closes the current table's data section.
    pub fn end_table(&mut self) -> Result<(), SynthError> {
        if self.statement_len > 0 {
            self.sink.put(";\n")?;
            self.statement_len = 0;
        }
        let name = std::mem::take(&mut self.table);
        self.sink.put(&format!(
            "/*!40000 ALTER TABLE `{name}` ENABLE KEYS */;\nUNLOCK TABLES;\n"
        ))
    }

    /// Writes the trailer; `completed_at` is the "Dump completed on" time. Returns the file size.
    pub fn finish(mut self, completed_at: i64) -> Result<u64, SynthError> {
        self.sink.put(&format!(
            "/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n\n\
             /*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n\
             /*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n\
             /*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;\n\
             /*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n\
             /*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;\n\
             /*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;\n\
             /*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n\n\
             -- Dump completed on {}\n",
            clock::sql(completed_at)
        ))?;
        self.sink.finish()
    }
}
