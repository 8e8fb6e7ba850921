//! Throughput of the format readers alone: writes a mysqldump-like, a pg_dump-like, a CSV, a JSON Lines file
//! of the same orders and a JSON array of nested vendor pages (listings holding feedback) of about `SIZE_MB`
//! (default 100) MB each to a temporary directory, then reads each with its reader and prints MB/s.
//!
//! ```text
//! cargo run --release -p spector-ingest --example read_speed [SIZE_MB] [mysql-dump|pg-dump|csv|json]
//! ```
//!
//! With `READ_SPEED_DIR` set, the files are kept there and reused by later runs (for profiling the readers
//! without the generator).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use spector_ingest::formats;
use spector_ingest::{Format, Value};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "fast",
    "stealth",
    "shipping",
    "vendor",
    "quality",
    "pills",
    "M30",
    "pressed",
    "escrow",
    "finalize",
    "tracking",
    "refund",
    "dispute",
    "great",
    "product",
    "again",
    "thanks",
    "10/10",
    "A+++",
    "legit",
    "recommend",
    "order",
];

/// One synthetic order: the columns of a `purchases` table.
struct Order {
    id: u64,
    uuid: String,
    buyer: u64,
    vendor: u64,
    quantity: u64,
    to_pay: String,
    state: &'static str,
    note: Option<String>,
    created: String,
}

fn order(rng: &mut XorShift, id: u64) -> Order {
    let mut note = String::new();
    for i in 0..rng.below(30) {
        if i > 0 {
            note.push(' ');
        }
        note.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        match rng.below(40) {
            0 => note.push_str("'s"),
            1 => note.push('\n'),
            2 => note.push_str(" \"quoted\""),
            3 => note.push_str(" \\ backslash"),
            4 => note.push_str(" café"),
            _ => {}
        }
    }
    Order {
        id,
        uuid: format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            rng.next() as u32,
            rng.below(1 << 16),
            rng.below(1 << 12),
            rng.below(1 << 12),
            rng.below(1 << 48)
        ),
        buyer: rng.below(100_000),
        vendor: rng.below(5_000),
        quantity: 1 + rng.below(20),
        to_pay: format!("0.{:08}", rng.below(100_000_000)),
        state: ["purchased", "sent", "delivered", "disputed", "canceled"][rng.below(5) as usize],
        note: (rng.below(5) != 0).then_some(note),
        created: format!(
            "2020-{:02}-{:02} {:02}:{:02}:{:02}",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
    }
}

fn mysql_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn copy_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Runs per file; the best is reported, as the machine may be shared.
const RUNS: usize = 5;

const COLUMNS: &str = "id, uuid, buyer_id, vendor_id, quantity, to_pay, state, note, created_at";

fn write_files(dir: &Path, size: u64) -> std::io::Result<()> {
    let mut mysql = BufWriter::new(File::create(dir.join("market.sql"))?);
    let mut pg = BufWriter::new(File::create(dir.join("market.pgdump.sql"))?);
    let mut csv = BufWriter::new(File::create(dir.join("purchases.csv"))?);
    let mut jsonl = BufWriter::new(File::create(dir.join("purchases.jsonl"))?);
    writeln!(
        mysql,
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n/*!40101 SET NAMES utf8mb4 */;"
    )?;
    writeln!(
        mysql,
        "CREATE TABLE `purchases` (\n  `id` bigint NOT NULL,\n  `uuid` char(36),\n  `buyer_id` bigint,\n  \
         `vendor_id` bigint,\n  `quantity` int,\n  `to_pay` decimal(24,8),\n  `state` varchar(16),\n  \
         `note` text,\n  `created_at` timestamp,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nLOCK TABLES `purchases` WRITE;"
    )?;
    writeln!(
        pg,
        "--\n-- PostgreSQL database dump\n--\nCOPY public.purchases ({COLUMNS}) FROM stdin;"
    )?;
    writeln!(csv, "{}", COLUMNS.replace(", ", ","))?;
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut mysql_len, mut pg_len, mut csv_len, mut jsonl_len) = (0u64, 0u64, 0u64, 0u64);
    let mut statement = String::new();
    let mut line = String::new();
    let mut id = 0;
    while mysql_len < size || pg_len < size || csv_len < size || jsonl_len < size {
        id += 1;
        let o = order(&mut rng, id);
        if mysql_len < size {
            if statement.is_empty() {
                statement.push_str("INSERT INTO `purchases` VALUES ");
            } else {
                statement.push(',');
            }
            let note = o.note.as_deref().map_or("NULL".to_string(), mysql_escaped);
            write!(
                statement,
                "({},'{}',{},{},{},{},'{}',{},'{}')",
                o.id, o.uuid, o.buyer, o.vendor, o.quantity, o.to_pay, o.state, note, o.created
            )
            .ok();
            // mysqldump's default net buffer keeps statements near 1 MB.
            if statement.len() > 1_000_000 {
                statement.push_str(";\n");
                mysql.write_all(statement.as_bytes())?;
                mysql_len += statement.len() as u64;
                statement.clear();
            }
        }
        if pg_len < size {
            line.clear();
            let note = o.note.as_deref().map_or("\\N".to_string(), copy_escaped);
            writeln!(
                line,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}+00",
                o.id, o.uuid, o.buyer, o.vendor, o.quantity, o.to_pay, o.state, note, o.created
            )
            .ok();
            pg.write_all(line.as_bytes())?;
            pg_len += line.len() as u64;
        }
        if csv_len < size {
            line.clear();
            let note = o.note.as_deref().map_or(String::new(), csv_field);
            writeln!(
                line,
                "{},{},{},{},{},{},{},{},{}",
                o.id, o.uuid, o.buyer, o.vendor, o.quantity, o.to_pay, o.state, note, o.created
            )
            .ok();
            csv.write_all(line.as_bytes())?;
            csv_len += line.len() as u64;
        }
        if jsonl_len < size {
            line.clear();
            let note = o.note.as_deref().map_or("null".to_string(), json_string);
            writeln!(
                line,
                "{{\"id\": {}, \"uuid\": \"{}\", \"buyer_id\": {}, \"vendor_id\": {}, \"quantity\": {}, \
                 \"to_pay\": {}, \"state\": \"{}\", \"note\": {note}, \"created_at\": \"{}\"}}",
                o.id, o.uuid, o.buyer, o.vendor, o.quantity, o.to_pay, o.state, o.created
            )
            .ok();
            jsonl.write_all(line.as_bytes())?;
            jsonl_len += line.len() as u64;
        }
    }
    jsonl.flush()?;
    write_vendor_pages(dir, size, &mut rng)?;
    if !statement.is_empty() {
        statement.push_str(";\n");
        mysql.write_all(statement.as_bytes())?;
    }
    writeln!(mysql, "UNLOCK TABLES;")?;
    writeln!(pg, "\\.")?;
    mysql.flush()?;
    pg.flush()?;
    csv.flush()
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A crawler's vendor pages: one JSON array, each vendor holding its listings holding their feedback.
fn write_vendor_pages(dir: &Path, size: u64, rng: &mut XorShift) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(dir.join("vendors.json"))?);
    out.write_all(b"[\n")?;
    let mut written = 2u64;
    let mut page = String::new();
    let mut vendor = 0;
    while written < size {
        vendor += 1;
        page.clear();
        if vendor > 1 {
            page.push_str(",\n");
        }
        write!(
            page,
            "  {{\"vendor\": \"v{vendor}\", \"crawled_at\": \"2021-06-01T12:00:00Z\", \
             \"profile\": {{\"joined\": \"2019-01-05\", \"level\": {}}}, \"ships_to\": [\"US\", \"UK\"], \
             \"listings\": [",
            rng.below(10)
        )
        .ok();
        for l in 0..1 + rng.below(20) {
            let o = order(rng, l);
            if l > 0 {
                page.push(',');
            }
            write!(
                page,
                "\n    {{\"id\": \"{}\", \"title\": {}, \"price\": {}, \"feedback\": [",
                o.uuid,
                json_string(o.note.as_deref().unwrap_or("untitled")),
                o.to_pay
            )
            .ok();
            for f in 0..rng.below(8) {
                let fb = order(rng, f);
                if f > 0 {
                    page.push(',');
                }
                write!(
                    page,
                    "\n      {{\"rating\": {}, \"comment\": {}, \"when\": \"{} days ago\"}}",
                    1 + rng.below(5),
                    json_string(fb.note.as_deref().unwrap_or("")),
                    rng.below(60)
                )
                .ok();
            }
            page.push_str("]}");
        }
        page.push_str("]}");
        out.write_all(page.as_bytes())?;
        written += page.len() as u64;
    }
    out.write_all(b"\n]\n")?;
    out.flush()
}

/// CPU time of this thread in seconds, where Linux tells it: other processes on a shared machine then do
/// not count against the reader.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn measure(path: &Path, format: Format) -> Result<(), Box<dyn std::error::Error>> {
    let size = std::fs::metadata(path)?.len();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let (mut rows, mut errors, mut text_bytes) = (0u64, 0u64, 0u64);
    for _ in 0..RUNS {
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let (_, mut reader) = formats::open(path, Some(format))?;
        (rows, errors, text_bytes) = (0, 0, 0);
        loop {
            match reader.next_row() {
                Ok(Some(row)) => {
                    rows += 1;
                    // Touch the values so that nothing is optimised away.
                    text_bytes += row
                        .values
                        .iter()
                        .map(|v| match v {
                            Value::Text(s) => s.len() as u64,
                            _ => 0,
                        })
                        .sum::<u64>();
                }
                Ok(None) => break,
                Err(_) => errors += 1,
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(from), Some(to)) = (cpu_start, cpu_seconds()) {
            best_cpu = best_cpu.min(to - from);
        }
    }
    let mb = size as f64 / 1e6;
    println!(
        "{:10} {mb:6.1} MB {rows:8} rows {errors} errors | best of {RUNS}: wall {best:6.3} s = {:6.1} MB/s, cpu {best_cpu:6.3} s = {:6.1} MB/s",
        format.as_str(),
        mb / best,
        mb / best_cpu,
    );
    let _ = text_bytes;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size_mb: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100);
    let temp = tempfile::tempdir()?;
    let dir =
        std::env::var_os("READ_SPEED_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    if !dir.join("vendors.json").exists() {
        let started = Instant::now();
        std::fs::create_dir_all(&dir)?;
        write_files(&dir, size_mb * 1_000_000)?;
        println!(
            "wrote test files in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let only = std::env::args().nth(2);
    let files = [
        ("market.sql", Format::MysqlDump),
        ("market.pgdump.sql", Format::PgDump),
        ("purchases.csv", Format::Csv),
        ("purchases.jsonl", Format::Json),
        ("vendors.json", Format::Json),
    ];
    for (name, format) in files {
        if only.as_deref().is_none_or(|f| f == format.as_str()) {
            measure(&dir.join(name), format)?;
        }
    }
    Ok(())
}
