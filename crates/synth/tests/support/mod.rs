//! Deliberately small, independent readers for the formats the generator writes, so tests check the
//! output the way a consumer would see it rather than trusting the writers' own code.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use spector_synth::{Family, SynthConfig, SynthSummary};

/// A generated world, read fully into memory (the temporary directory is gone afterwards).
pub struct Generated {
    pub summary: SynthSummary,
    /// Relative path (`markets/abyss/abyss.sql`, `truth/counts.csv`) → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Parsed market tables, filled on first use.
    parsed: OnceLock<BTreeMap<String, BTreeMap<String, Table>>>,
}

impl Generated {
    pub fn text(&self, path: &str) -> &str {
        let bytes = self
            .files
            .get(path)
            .unwrap_or_else(|| panic!("missing {path}"));
        std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is not UTF-8: {e}"))
    }

    pub fn family(&self, market: &str) -> Family {
        self.summary
            .markets
            .iter()
            .find(|m| m.name == market)
            .map(|m| m.family)
            .unwrap_or_else(|| panic!("no market {market}"))
    }

    /// The market's tables by their native names (scrape: `vendors`, `listings`, `feedback`).
    pub fn tables(&self, market: &str) -> &BTreeMap<String, Table> {
        let parsed = self.parsed.get_or_init(|| {
            self.summary
                .markets
                .iter()
                .map(|m| (m.name.clone(), self.parse_market(&m.name)))
                .collect()
        });
        &parsed[market]
    }

    fn parse_market(&self, market: &str) -> BTreeMap<String, Table> {
        let dir = format!("markets/{market}");
        match self.family(market) {
            Family::Laravel => parse_mysqldump(self.text(&format!("{dir}/{market}.sql"))),
            Family::Pgmarket => parse_pgdump(self.text(&format!("{dir}/{market}.pgdump.sql"))),
            Family::Scrape => ["vendors", "listings", "feedback"]
                .into_iter()
                .map(|t| {
                    (
                        t.to_string(),
                        parse_csv(self.text(&format!("{dir}/{t}.csv"))),
                    )
                })
                .collect(),
        }
    }

    /// Records of a truth CSV, header excluded.
    pub fn truth(&self, name: &str) -> Vec<Vec<String>> {
        parse_csv(self.text(&format!("truth/{name}")))
            .rows
            .into_iter()
            .map(|r| r.into_iter().map(|v| v.unwrap_or_default()).collect())
            .collect()
    }
}

pub fn generate(seed: u64, scale: f64, markets: usize) -> Generated {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SynthConfig {
        seed,
        scale,
        markets,
    };
    let summary = spector_synth::generate(&config, dir.path(), &|_| {}).expect("generate");
    let mut files = BTreeMap::new();
    read_tree(dir.path(), dir.path(), &mut files);
    Generated {
        summary,
        files,
        parsed: OnceLock::new(),
    }
}

/// Like [`generate`], with the world's chain (`chain/`, `truth/chain_*.csv`, `attribution/`).
pub fn generate_with_chain(
    seed: u64,
    scale: f64,
    markets: usize,
) -> (Generated, spector_synth::ChainSummary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SynthConfig {
        seed,
        scale,
        markets,
    };
    let (summary, chain) =
        spector_synth::generate_with_chain(&config, dir.path(), &|_| {}).expect("generate");
    let mut files = BTreeMap::new();
    read_tree(dir.path(), dir.path(), &mut files);
    let generated = Generated {
        summary,
        files,
        parsed: OnceLock::new(),
    };
    (generated, chain)
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&path).expect("read file"));
        }
    }
}

/// Columns and rows; `None` is SQL NULL (CSV: never None).
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.columns))
    }

    /// Values of a column (NULL as None).
    pub fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = Option<&'a str>> + 'a {
        let i = self.col(name);
        self.rows.iter().map(move |r| r[i].as_deref())
    }

    pub fn get<'a>(&'a self, row: &'a [Option<String>], name: &str) -> Option<&'a str> {
        row[self.col(name)].as_deref()
    }
}

/// Reads a mysqldump: column names from each CREATE TABLE, rows from its extended INSERTs.
pub fn parse_mysqldump(text: &str) -> BTreeMap<String, Table> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut creating: Option<String> = None;
    for line in text.split('\n') {
        if let Some(rest) = line.strip_prefix("CREATE TABLE `") {
            let name = rest.split('`').next().unwrap_or_default().to_string();
            tables.insert(name.clone(), Table::default());
            creating = Some(name);
            continue;
        }
        if let Some(name) = &creating {
            if line.starts_with(')') {
                creating = None;
            } else if let Some(rest) = line.strip_prefix("  `") {
                let column = rest.split('`').next().unwrap_or_default().to_string();
                if let Some(t) = tables.get_mut(name) {
                    t.columns.push(column);
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("INSERT INTO `") {
            let (name, values) = rest.split_once("` VALUES ").expect("VALUES");
            let table = tables.get_mut(name).expect("INSERT before CREATE TABLE");
            let body = values.strip_suffix(';').expect("statement ends with ;");
            for row in parse_tuples(body) {
                assert_eq!(row.len(), table.columns.len(), "tuple width in {name}");
                table.rows.push(row);
            }
        }
    }
    tables
}

/// `(1,'a\'b',NULL),(2,...)` → rows.
fn parse_tuples(body: &str) -> Vec<Vec<Option<String>>> {
    let chars: Vec<char> = body.chars().collect();
    let mut rows = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        assert_eq!(chars[i], '(', "tuple start at {i}");
        i += 1;
        let mut row = Vec::new();
        loop {
            if chars[i] == '\'' {
                i += 1;
                let mut s = String::new();
                loop {
                    match chars[i] {
                        '\\' => {
                            s.push(match chars[i + 1] {
                                '0' => '\0',
                                'n' => '\n',
                                'r' => '\r',
                                'Z' => '\u{1a}',
                                't' => '\t',
                                other => other,
                            });
                            i += 2;
                        }
                        '\'' => {
                            i += 1;
                            break;
                        }
                        c => {
                            assert!(c != '\n' && c != '\r', "raw line break inside a literal");
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                row.push(Some(s));
            } else {
                let start = i;
                while chars[i] != ',' && chars[i] != ')' {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                row.push(if raw == "NULL" { None } else { Some(raw) });
            }
            let sep = chars[i];
            i += 1;
            if sep == ')' {
                break;
            }
        }
        rows.push(row);
        if i < chars.len() {
            assert_eq!(chars[i], ',', "tuples separated by commas");
            i += 1;
        }
    }
    rows
}

/// Reads the COPY blocks of a plain pg_dump.
pub fn parse_pgdump(text: &str) -> BTreeMap<String, Table> {
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Table)> = None;
    for line in text.split('\n') {
        if let Some((name, mut table)) = current.take() {
            if line == "\\." {
                tables.insert(name, table);
            } else {
                let row: Vec<Option<String>> = line
                    .split('\t')
                    .map(|f| {
                        if f == "\\N" {
                            None
                        } else {
                            Some(copy_unescape(f))
                        }
                    })
                    .collect();
                assert_eq!(row.len(), table.columns.len(), "COPY row width in {name}");
                table.rows.push(row);
                current = Some((name, table));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("COPY public.") {
            let (name, rest) = rest.split_once(" (").expect("column list");
            let (columns, tail) = rest.split_once(") ").expect("column list end");
            assert_eq!(tail, "FROM stdin;");
            let table = Table {
                columns: columns.split(", ").map(str::to_string).collect(),
                rows: Vec::new(),
            };
            current = Some((name.to_string(), table));
        }
    }
    assert!(current.is_none(), "COPY block not terminated by \\.");
    tables
}

fn copy_unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(match chars.next().expect("dangling backslash") {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'v' => '\u{b}',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    out
}

/// RFC 4180: header row, CRLF record ends, quoted fields may hold commas, quotes ("") and line breaks.
pub fn parse_csv(text: &str) -> Table {
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(
                    chars.next(),
                    Some('\n'),
                    "CR not followed by LF outside quotes"
                );
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\n' => panic!("bare LF record end (RFC 4180 wants CRLF)"),
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "file does not end with CRLF"
    );
    let mut records = records.into_iter();
    let columns = records.next().expect("header row");
    let rows: Vec<Vec<Option<String>>> = records
        .map(|r| {
            assert_eq!(r.len(), columns.len(), "record width");
            r.into_iter().map(Some).collect()
        })
        .collect();
    Table { columns, rows }
}

/// A valid Bitcoin address (P2PKH base58check or bech32 P2WPKH), checked with the codec crates directly.
pub fn is_btc_address(token: &str) -> bool {
    if token.starts_with("bc1") {
        return matches!(bech32::segwit::decode(token), Ok((hrp, v, p))
            if hrp == bech32::hrp::BC && v == bech32::segwit::VERSION_0 && p.len() == 20);
    }
    token.starts_with('1')
        && matches!(bs58::decode(token).with_check(Some(0)).into_vec(), Ok(v) if v.len() == 21)
}

/// Bitcoin addresses written in free text.
pub fn btc_in_text(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || ",;()\"'".contains(c))
        .map(|t| t.trim_end_matches(['.', '!', '?', ':']))
        .filter(|t| is_btc_address(t))
        .map(str::to_string)
        .collect()
}

/// Contact handles written in free text, normalized as in `truth/identifiers.csv`.
pub fn handles_in_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens
            .get(i + 1)
            .map(|n| n.trim_end_matches([',', '.', ')']));
        match (t.to_ascii_lowercase().as_str(), next) {
            ("wickr:", Some(n)) => found.push(format!("wickr:{n}")),
            ("telegram:", Some(n)) if n.starts_with('@') => {
                found.push(format!("telegram:{}", &n[1..]))
            }
            ("session:", Some(n)) if n.starts_with("05") && n.len() == 66 => {
                found.push(format!("session:{n}"))
            }
            _ => {
                let t = t.trim_end_matches([',', '.', ')']);
                if let Some((local, domain)) = t.split_once('@')
                    && !local.is_empty()
                    && domain.contains('.')
                {
                    found.push(format!("email:{t}"));
                }
            }
        }
    }
    found
}

/// The user ids of an armored public key, as written.
pub fn key_user_ids(armor: &str) -> Vec<String> {
    use pgp::composed::{Deserializable, SignedPublicKey};
    let (key, _) = SignedPublicKey::from_string(armor).expect("armored key parses");
    key.details
        .users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

/// The e-mail addresses of a key's user ids (`Name <local@domain>`), normalized as `email:local@domain`.
pub fn key_emails(armor: &str) -> Vec<String> {
    key_user_ids(armor)
        .iter()
        .filter_map(|uid| {
            let address = uid.strip_suffix('>')?.rsplit_once('<')?.1;
            address
                .contains('@')
                .then(|| format!("email:{}", address.to_lowercase()))
        })
        .collect()
}
