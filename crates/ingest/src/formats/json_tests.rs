//! Property and streaming tests of the JSON reader: generated nested documents, written the ways scrapers
//! write them, read back to the rows an independent model of the flattening rules predicts, wherever the
//! input's chunk boundaries fall; the data-driven cases read the same in any chunking; a long array streams
//! in a small window; no input breaks the reader's invariants.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, BufReader, Read};
use std::path::Path;

use proptest::prelude::*;

use super::json::JsonReader;
use super::selfcheck;
use crate::source::{Format, ReadError, RowReader, Value};

#[derive(Debug, Clone)]
enum Scalar {
    Text(String),
    /// A number literal, written as is.
    Number(String),
    Bool(bool),
    Null,
    /// A `\uXXXX` escape of an unpaired surrogate.
    Lone(u16),
}

#[derive(Debug, Clone)]
enum Node {
    Scalar(Scalar),
    Object(Vec<(String, Node)>),
    /// At least one object: child rows.
    Objects(Vec<Vec<(String, Node)>>),
    /// Scalars only (possibly none): one column of JSON text.
    Scalars(Vec<Scalar>),
}

type Object = Vec<(String, Node)>;

fn nasty_string() -> impl Strategy<Value = String> {
    let specials = vec![
        '"', '\\', '\n', '\r', '\t', '\0', '\x1f', '\u{7f}', '{', '}', '[', ']', ',', ':', '/',
        ' ', 'é', '💊', '\u{2028}', '\u{feff}', '\u{fffd}',
    ];
    prop::collection::vec(
        prop_oneof![
            2 => any::<char>(),
            3 => prop::sample::select(specials),
            2 => prop::char::range('a', 'z'),
        ],
        0..12,
    )
    .prop_map(String::from_iter)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (any::<i32>(), 0u32..100_000_000).prop_map(|(a, b)| format!("{a}.{b:08}")),
        "-?[1-9][0-9]{20,40}",
        "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,6})?[eE][+-]?[0-9]{1,3}",
        Just("-0".to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        4 => nasty_string().prop_map(Scalar::Text),
        3 => number().prop_map(Scalar::Number),
        1 => any::<bool>().prop_map(Scalar::Bool),
        1 => Just(Scalar::Null),
        1 => (0xd800u16..=0xdfff).prop_map(Scalar::Lone),
    ]
}

/// Keys without `.`, so that flattened names cannot collide, and never `#` or `^.`-prefixed.
fn key() -> impl Strategy<Value = String> {
    nasty_string().prop_map(|s| s.replace(['.', '#', '^'], "_"))
}

fn dedup_keys(members: Vec<(String, Node)>) -> Object {
    let mut seen = std::collections::HashSet::new();
    members
        .into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect()
}

fn object() -> impl Strategy<Value = Object> {
    let leaf =
        prop::collection::vec((key(), scalar().prop_map(Node::Scalar)), 0..5).prop_map(dedup_keys);
    leaf.prop_recursive(4, 48, 5, |inner| {
        let node = prop_oneof![
            4 => scalar().prop_map(Node::Scalar),
            1 => inner.clone().prop_map(Node::Object),
            1 => prop::collection::vec(inner.clone(), 1..4).prop_map(Node::Objects),
            1 => prop::collection::vec(scalar(), 0..4).prop_map(Node::Scalars),
        ];
        prop::collection::vec((key(), node), 0..6).prop_map(dedup_keys)
    })
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    /// One document per line.
    Lines,
    /// `[doc,doc]` on one line.
    CompactArray,
    /// An indented array, as `json.dump(indent=2)` writes it.
    PrettyArray,
    /// Indented documents one after another.
    PrettyStream,
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Lines),
        Just(Layout::CompactArray),
        Just(Layout::PrettyArray),
        Just(Layout::PrettyStream),
    ]
}

fn write_scalar(out: &mut String, s: &Scalar) {
    match s {
        Scalar::Text(t) => out.push_str(&serde_json::to_string(t).expect("a string serialises")),
        Scalar::Number(n) => out.push_str(n),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Scalar::Null => out.push_str("null"),
        Scalar::Lone(u) => write!(out, "\"\\u{u:04x}\"").expect("write to a string"),
    }
}

fn write_scalars(out: &mut String, items: &[Scalar], pretty: bool) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if pretty { ", " } else { "," });
        }
        write_scalar(out, s);
    }
    out.push(']');
}

/// Writes an object; `indent` is None for one line.
fn write_object(out: &mut String, obj: &Object, indent: Option<usize>) {
    let newline = |out: &mut String, level: usize| {
        if indent.is_some() {
            out.push('\n');
            out.push_str(&" ".repeat(level));
        }
    };
    let level = indent.unwrap_or(0);
    let inner = indent.map(|n| n + 2);
    out.push('{');
    for (i, (k, node)) in obj.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, level + 2);
        out.push_str(&serde_json::to_string(k).expect("a key serialises"));
        out.push_str(if indent.is_some() { ": " } else { ":" });
        match node {
            Node::Scalar(s) => write_scalar(out, s),
            Node::Object(o) => write_object(out, o, inner),
            Node::Scalars(items) => write_scalars(out, items, indent.is_some()),
            Node::Objects(items) => {
                out.push('[');
                for (j, o) in items.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    newline(out, level + 4);
                    write_object(out, o, inner.map(|n| n + 2));
                }
                newline(out, level + 2);
                out.push(']');
            }
        }
    }
    if !obj.is_empty() {
        newline(out, level);
    }
    out.push('}');
}

fn write_file(docs: &[Object], layout: Layout) -> String {
    let mut out = String::new();
    match layout {
        Layout::Lines => {
            for d in docs {
                write_object(&mut out, d, None);
                out.push('\n');
            }
        }
        Layout::CompactArray => {
            out.push('[');
            for (i, d) in docs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_object(&mut out, d, None);
            }
            out.push(']');
        }
        Layout::PrettyArray => {
            out.push('[');
            for (i, d) in docs.iter().enumerate() {
                out.push_str(if i > 0 { ",\n  " } else { "\n  " });
                write_object(&mut out, d, Some(2));
            }
            out.push_str("\n]\n");
        }
        Layout::PrettyStream => {
            for d in docs {
                write_object(&mut out, d, Some(0));
                out.push('\n');
            }
        }
    }
    out
}

/// The model: how the module documentation says a scalar reads.
fn expected_scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Text(t) => Value::Text(t.clone()),
        Scalar::Number(n) => Value::Text(n.clone()),
        Scalar::Bool(b) => Value::Text(b.to_string()),
        Scalar::Null => Value::Null,
        // WTF-8: a surrogate encoded as if it were a character.
        Scalar::Lone(u) => Value::Bytes(vec![
            0xe0 | (u >> 12) as u8,
            0x80 | ((u >> 6) & 0x3f) as u8,
            0x80 | (u & 0x3f) as u8,
        ]),
    }
}

type Rows = Vec<(String, Vec<String>, Vec<Value>)>;

/// Own columns of an object, and its arrays of objects with their key paths.
fn own(
    obj: &Object,
    prefix: &str,
    cols: &mut Vec<(String, Value)>,
    kids: &mut Vec<(String, Vec<Object>)>,
) {
    for (k, node) in obj {
        let name = format!("{prefix}{k}");
        match node {
            Node::Scalar(s) => cols.push((name, expected_scalar(s))),
            Node::Object(o) => own(o, &format!("{name}."), cols, kids),
            Node::Scalars(items) => {
                let mut text = String::new();
                write_scalars(&mut text, items, false);
                cols.push((name, Value::Text(text)));
            }
            Node::Objects(items) => kids.push((name, items.clone())),
        }
    }
}

fn expected_rows(
    table: &str,
    obj: &Object,
    index: Option<usize>,
    parent: Option<&(Vec<String>, Vec<Value>)>,
    out: &mut Rows,
) {
    let mut cols = Vec::new();
    let mut kids = Vec::new();
    own(obj, "", &mut cols, &mut kids);
    let (mut names, mut values): (Vec<String>, Vec<Value>) = cols.into_iter().unzip();
    if let Some(i) = index {
        names.push("#".to_string());
        values.push(Value::Text(i.to_string()));
    }
    if let Some((pn, pv)) = parent {
        names.extend(pn.iter().map(|c| format!("^.{c}")));
        values.extend(pv.iter().cloned());
    }
    out.push((table.to_string(), names.clone(), values.clone()));
    let full = (names, values);
    for (key, items) in kids {
        for (i, item) in items.iter().enumerate() {
            expected_rows(&format!("{table}.{key}"), item, Some(i), Some(&full), out);
        }
    }
}

/// Hands out at most `step` bytes per read, as a pipe might.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn reader<'a>(name: &str, data: &'a [u8], step: usize) -> JsonReader<BufReader<Trickle<'a>>> {
    let mut r = JsonReader::new(name, BufReader::with_capacity(step, Trickle { data, step }));
    r.set_read_chunk(step);
    r
}

fn drain(reader: &mut dyn RowReader) -> Result<Rows, ReadError> {
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row()? {
        assert!(row.sparse, "JSON rows are sparse");
        rows.push((row.table.to_string(), row.columns.to_vec(), row.values));
    }
    Ok(rows)
}

/// Everything a reader says, rows and errors, as text (for comparing two readings).
fn transcript(reader: &mut dyn RowReader) -> String {
    let mut out = String::new();
    for _ in 0..100_000 {
        match reader.next_row() {
            Ok(None) => return out,
            Ok(Some(r)) => writeln!(
                out,
                "{}#{} @{}+{} {:?} {:?}",
                r.table, r.row, r.offset, r.len, r.columns, r.values
            ),
            Err(e) => writeln!(out, "{e} {:?} {:?}", e.kind, e.raw),
        }
        .expect("write to a string");
    }
    panic!("the reader did not end");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn nested_documents_read_back_as_the_model_says(
        docs in prop::collection::vec(object(), 0..5),
        layout in layout(),
        step in 1usize..64,
    ) {
        let file = write_file(&docs, layout);
        let mut want = Rows::new();
        for d in &docs {
            expected_rows("pages", d, None, None, &mut want);
        }
        let mut r = reader("pages.json", file.as_bytes(), step);
        let got = drain(&mut r).map_err(|e| TestCaseError::fail(format!("{e}\n{file}")))?;
        prop_assert_eq!(got, want, "{}", file);
        prop_assert_eq!(r.bytes_read(), file.len() as u64);
        let checked = selfcheck::drain_checked(Format::Json, file.as_bytes()).map_err(TestCaseError::fail)?;
        prop_assert_eq!(checked.row_errors, 0);
        prop_assert!(!checked.fatal);
    }

    #[test]
    fn arbitrary_bytes_keep_the_invariants(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        selfcheck::drain_checked(Format::Json, &bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn json_like_noise_keeps_the_invariants(
        parts in prop::collection::vec(prop::sample::select(vec![
            "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "\n", "\r\n", "\"a\":", "\"b\": [", "1", "-2.5e3",
            "true", "null", "NaN", "\"x\\\"y\"", "\\u00e9", "\\ud800", "{\"k\": [{\"c\": 1}, {\"c\": 2}]}",
            "\u{feff}", "\u{fffd}", "é", "\t", "  ", "{\"#\": 1}", "[{\"a\": {\"b\": [1, 2]}}]",
        ]), 0..60),
    ) {
        let input = parts.concat();
        selfcheck::drain_checked(Format::Json, input.as_bytes()).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn every_case_reads_the_same_in_any_chunking() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/json");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).expect("the json cases") {
        let path = entry.expect("a directory entry").path();
        if !path
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl")
        {
            continue;
        }
        let data = std::fs::read(&path).expect("a case file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("x");
        let whole = transcript(&mut JsonReader::new(name, &data[..]));
        for step in [1, 2, 3, 5, 8, 13, 64] {
            let chunked = transcript(&mut reader(name, &data, step));
            assert_eq!(
                chunked,
                whole,
                "{} read {step} bytes at a time",
                path.display()
            );
        }
        cases += 1;
    }
    assert!(cases >= 15, "only {cases} cases");
}

#[test]
fn a_long_array_streams_in_a_small_window() {
    let docs = 200_000;
    let mut file = String::from("[\n");
    for i in 0..docs {
        if i > 0 {
            file.push_str(",\n");
        }
        write!(file, "  {{\"id\": {i}, \"items\": [{{\"n\": {i}}}]}}").expect("write");
    }
    file.push_str("\n]\n");
    let mut r = reader("big.json", file.as_bytes(), 4096);
    // Much less than the file (about 7 MB): the reader must let go of what it has read.
    r.set_max_retained(16 * 1024);
    let mut rows = 0u64;
    let mut per_table: HashMap<String, u64> = HashMap::new();
    while let Some(row) = r.next_row().expect("no error") {
        rows += 1;
        *per_table.entry(row.table.to_string()).or_default() += 1;
        if row.table.as_ref() == "big" {
            assert_eq!(
                row.row,
                row.values[0].as_text().unwrap().parse::<u64>().unwrap() + 1
            );
        }
    }
    assert_eq!(rows, 2 * docs);
    assert_eq!(per_table["big.items"], docs);
    assert_eq!(r.bytes_read(), file.len() as u64);
}

#[test]
fn line_mode_is_told_from_the_first_lines() {
    let read = |text: &str| transcript(&mut JsonReader::new("t.json", text.as_bytes()));
    // A pretty-printed document with a broken string is one error up to where its brackets balance.
    let pretty = read("{\n  \"a\": \"x\n\"\n}\n{\"b\": 1}\n");
    assert!(
        pretty.starts_with("t.json:1: (byte 0) invalid JSON"),
        "{pretty}"
    );
    assert!(pretty.contains("t#2 @16+8"), "{pretty}");
    // The same text as JSON Lines breaks at the first line end.
    let lines = read("{\"a\": 1}\n{\"a\": \"x\n\"}\n{\"b\": 1}\n");
    assert!(
        lines.contains("t.json:2: (byte 9) the document is not complete"),
        "{lines}"
    );
    assert!(
        lines.contains("t.json:3: (byte 18) text that is not JSON"),
        "{lines}"
    );
    assert!(lines.contains("t#3 @21+8"), "{lines}");
}

#[test]
fn the_schema_of_a_json_source_picks_its_profile() {
    use crate::detect::{recognise, scan_schema};
    use crate::profile::Profile;

    let dir = tempfile::tempdir().expect("a temporary directory");
    let copy = dir.path().join("0a1b2c");
    // Keys differ between documents: the schema is their union.
    std::fs::write(
        &copy,
        "{\"vendor\": \"a\", \"listings\": [{\"id\": 1, \"feedback\": [{\"stars\": 5}]}]}\n\
         {\"vendor\": \"b\", \"pgp\": \"k\", \"listings\": [{\"id\": 2, \"title\": \"t\"}]}\n",
    )
    .expect("write");
    let name = Path::new("/evidence/vendors.jsonl");
    let schema = scan_schema(&copy, name, Format::Json).expect("a schema");
    assert_eq!(schema["vendors"], ["vendor", "pgp"]);
    assert_eq!(
        schema["vendors.listings"],
        ["id", "#", "^.vendor", "title", "^.pgp"]
    );
    assert_eq!(
        schema["vendors.listings.feedback"],
        ["stars", "#", "^.id", "^.#", "^.^.vendor"]
    );
    let profiles = [
        Profile::from_toml(
            "j",
            r#"name = "j"
format = "json"
[[entity]]
kind = "feedback"
table = "vendors.listings.feedback"
fields = { native_key = "^.id", vendor = "^.^.vendor", rating = "stars" }
"#,
        )
        .expect("a profile"),
        Profile::from_toml(
            "c",
            r#"name = "c"
format = "csv"
[[entity]]
kind = "account"
table = "vendors"
fields = { native_key = "vendor", name = "vendor" }
"#,
        )
        .expect("a profile"),
    ];
    let found = recognise(name, Format::Json, &schema, &profiles).expect("a match");
    assert_eq!(found.profile.name, "j");
}
