//! A writer producing what `pg_dump` (PostgreSQL 15, plain format) prints for a database.

use std::path::Path;

use super::escape::copy_escape_into;
use super::sink::{Progress, Sink};
use crate::SynthError;

const VERSION: &str = "15.6 (Debian 15.6-1.pgdg120+2)";

/// One field of a COPY row.
#[derive(Debug, Clone, Copy)]
pub enum Pg<'a> {
    Null,
    Int(i64),
    /// Pre-formatted value written as is (numerics, timestamps).
    Raw(&'a str),
    /// Text, COPY-escaped.
    Text(&'a str),
}

/// A table's definition: name, `(column, type)` list in order, its serial key column.
pub struct PgTable {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    pub key: &'static str,
}

/// A foreign key: (table, column, referenced table, referenced column).
pub type PgForeignKey = (&'static str, &'static str, &'static str, &'static str);

pub struct PgDump<'p> {
    sink: Sink<'p>,
    owner: String,
    row: String,
}

impl<'p> PgDump<'p> {
    /// Writes the header and the schema section (tables, their sequences, column defaults) for `tables`,
    /// which must be sorted by name as pg_dump sorts them.
    pub fn create(
        path: &Path,
        owner: &str,
        tables: &[PgTable],
        progress: &'p Progress<'p>,
    ) -> Result<Self, SynthError> {
        let mut sink = Sink::create(path, progress)?;
        let mut s = format!(
            "--\n-- PostgreSQL database dump\n--\n\n\
             -- Dumped from database version {VERSION}\n-- Dumped by pg_dump version {VERSION}\n\n\
             SET statement_timeout = 0;\nSET lock_timeout = 0;\n\
             SET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n\
             SET standard_conforming_strings = on;\n\
             SELECT pg_catalog.set_config('search_path', '', false);\n\
             SET check_function_bodies = false;\nSET xmloption = content;\n\
             SET client_min_messages = warning;\nSET row_security = off;\n\n\
             SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n"
        );
        for t in tables {
            let name = t.name;
            let columns: Vec<String> = t
                .columns
                .iter()
                .map(|(c, ty)| {
                    let not_null = if *c == t.key { " NOT NULL" } else { "" };
                    format!("    {c} {ty}{not_null}")
                })
                .collect();
            s.push_str(&format!(
                "\n--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: {owner}\n--\n\n\
                 CREATE TABLE public.{name} (\n{}\n);\n\n\n\
                 ALTER TABLE public.{name} OWNER TO {owner};\n",
                columns.join(",\n")
            ));
            let seq = format!("{name}_{}_seq", t.key);
            s.push_str(&format!(
                "\n--\n-- Name: {seq}; Type: SEQUENCE; Schema: public; Owner: {owner}\n--\n\n\
                 CREATE SEQUENCE public.{seq}\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n\
                 \x20   NO MAXVALUE\n    CACHE 1;\n\n\n\
                 ALTER TABLE public.{seq} OWNER TO {owner};\n\n\
                 --\n-- Name: {seq}; Type: SEQUENCE OWNED BY; Schema: public; Owner: {owner}\n--\n\n\
                 ALTER SEQUENCE public.{seq} OWNED BY public.{name}.{};\n\n",
                t.key
            ));
        }
        for t in tables {
            let (name, key) = (t.name, t.key);
            s.push_str(&format!(
                "\n--\n-- Name: {name} {key}; Type: DEFAULT; Schema: public; Owner: {owner}\n--\n\n\
                 ALTER TABLE ONLY public.{name} ALTER COLUMN {key} SET DEFAULT \
                 nextval('public.{name}_{key}_seq'::regclass);\n\n"
            ));
        }
        sink.put(&s)?;
        Ok(PgDump {
            sink,
            owner: owner.to_string(),
            row: String::new(),
        })
    }

    pub fn begin_copy(&mut self, table: &PgTable) -> Result<(), SynthError> {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        self.sink.put(&format!(
            "\n--\n-- Data for Name: {name}; Type: TABLE DATA; Schema: public; Owner: {owner}\n--\n\n\
             COPY public.{name} ({}) FROM stdin;\n",
            columns.join(", "),
            name = table.name,
            owner = self.owner,
        ))
    }

    pub fn row(&mut self, fields: &[Pg<'_>]) -> Result<(), SynthError> {
        self.row.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.row.push('\t');
            }
            match f {
                Pg::Null => self.row.push_str("\\N"),
                Pg::Int(n) => self.row.push_str(&n.to_string()),
                Pg::Raw(s) => self.row.push_str(s),
                Pg::Text(s) => copy_escape_into(&mut self.row, s),
            }
        }
        self.row.push('\n');
        let row = std::mem::take(&mut self.row);
        let result = self.sink.put(&row);
        self.row = row;
        result
    }

    pub fn end_copy(&mut self) -> Result<(), SynthError> {
        self.sink.put("\\.\n\n")
    }

    /// Writes sequence positions, primary keys, indexes, foreign keys and the trailer. `last_ids` pairs each
    /// table with its highest key (0 when empty). Returns the file size.
    pub fn finish(
        mut self,
        tables: &[PgTable],
        last_ids: &[u64],
        indexes: &[(&str, &str)],
        foreign_keys: &[PgForeignKey],
    ) -> Result<u64, SynthError> {
        let owner = self.owner.clone();
        let mut s = String::new();
        for (t, last) in tables.iter().zip(last_ids) {
            let seq = format!("{}_{}_seq", t.name, t.key);
            let (value, called) = if *last == 0 {
                (1, "false")
            } else {
                (*last, "true")
            };
            s.push_str(&format!(
                "\n--\n-- Name: {seq}; Type: SEQUENCE SET; Schema: public; Owner: {owner}\n--\n\n\
                 SELECT pg_catalog.setval('public.{seq}', {value}, {called});\n\n"
            ));
        }
        for t in tables {
            let (name, key) = (t.name, t.key);
            s.push_str(&format!(
                "\n--\n-- Name: {name} {name}_pkey; Type: CONSTRAINT; Schema: public; Owner: {owner}\n--\n\n\
                 ALTER TABLE ONLY public.{name}\n    ADD CONSTRAINT {name}_pkey PRIMARY KEY ({key});\n\n"
            ));
        }
        for (table, column) in indexes {
            let index = format!("{table}_{column}_idx");
            s.push_str(&format!(
                "\n--\n-- Name: {index}; Type: INDEX; Schema: public; Owner: {owner}\n--\n\n\
                 CREATE INDEX {index} ON public.{table} USING btree ({column});\n\n"
            ));
        }
        for (table, column, target, target_column) in foreign_keys {
            let fk = format!("{table}_{column}_fkey");
            s.push_str(&format!(
                "\n--\n-- Name: {table} {fk}; Type: FK CONSTRAINT; Schema: public; Owner: {owner}\n--\n\n\
                 ALTER TABLE ONLY public.{table}\n    ADD CONSTRAINT {fk} FOREIGN KEY ({column}) \
                 REFERENCES public.{target}({target_column});\n\n"
            ));
        }
        s.push_str("\n--\n-- PostgreSQL database dump complete\n--\n\n");
        self.sink.put(&s)?;
        self.sink.finish()
    }
}
