//! Text encodings of seized sources: turning the bytes of a value into text on purpose, and saying how.
//!
//! Seized dumps are not all UTF-8. Russian-language shops ran MySQL in `cp1251` or PostgreSQL in `WIN1251`,
//! western ones in MySQL's `latin1` (which is Windows-1252), and crawlers wrote CSV in whatever the
//! operating system used. Files are also *mixed*: a UTF-8 dump with rows pasted in from a cp1251 source, a
//! concatenation of two exports. So the decision is made **per value**, never per file:
//!
//! 1. bytes that are valid UTF-8 are UTF-8 and are kept as they are. Legacy text is almost never valid
//!    UTF-8 by chance: every byte ≥ 0x80 would have to fall into a correct lead/continuation pattern, which
//!    words with lower-case Cyrillic or accented letters never do. The exception is short strings of
//!    capitals each followed by a symbol (cp1251 `Я»` is the bytes of UTF-8 `\u{7FB}`); they read as UTF-8;
//! 2. else the encoding the source declares for the value's table or column (see [`SourceEncodings`]);
//! 3. else the profile's `encoding`;
//! 4. else a guess ([`chardetng`]) over a sample of the table's non-UTF-8 text gathered while scanning the
//!    source (one value alone is too short to guess from: `Иван` in cp1251 looks like Windows-1252), or over
//!    the value itself when the table was never scanned. Guesses are restricted to the single-byte encodings
//!    such sources plausibly use ([`PLAUSIBLE_GUESSES`]); a weak or implausible guess falls back to
//!    Windows-1252, which decodes every byte.
//!
//! Repairing *mojibake* (UTF-8 text that went through a latin1 connection and was stored double-encoded,
//! `Ð¿Ñ€Ð¸Ð²ÐµÑ‚` for `привет`) changes text that is valid UTF-8, so it is only done when a profile asks for
//! it (`repair_mojibake = true`), and only where the result is unmistakable ([`repair_mojibake`]).
//!
//! Every decision is counted by basis ([`DecodingStats`]) so an ingest can say what it did:
//! "1,204 values decoded as windows-1251 (declared)".

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chardetng::EncodingDetector;
use encoding_rs::{
    Encoding, IBM866, ISO_8859_2, ISO_8859_7, ISO_8859_13, KOI8_R, KOI8_U, UTF_8, WINDOWS_1250,
    WINDOWS_1251, WINDOWS_1252, WINDOWS_1253, WINDOWS_1254, WINDOWS_1257,
};

use crate::Value;

/// The encodings a guess may return. Others that [`chardetng`] can name (the CJK multi-byte encodings,
/// ISO-8859-5, Hebrew visual order, ...) are what it answers for short or noisy samples of these far more
/// often than they are right, and a wrong multi-byte guess garbles every value; a source really in one of
/// them needs the profile's `encoding`.
pub const PLAUSIBLE_GUESSES: &[&Encoding] = &[
    WINDOWS_1252,
    WINDOWS_1251,
    KOI8_R,
    KOI8_U,
    IBM866,
    WINDOWS_1250,
    ISO_8859_2,
    WINDOWS_1253,
    ISO_8859_7,
    WINDOWS_1254,
    WINDOWS_1257,
    ISO_8859_13,
];

/// A character set as a dump names it, resolved to what decodes its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 under any of its names (`utf8`, `utf8mb3`, `utf8mb4`, `UTF8`, `UNICODE`). Text in it is already
    /// valid UTF-8; bytes that are not, it cannot explain.
    Utf8,
    /// A legacy encoding that decodes any bytes (Windows-1251, Windows-1252 for MySQL's `latin1`, KOI8-R, ...).
    Legacy(&'static Encoding),
    /// MySQL `binary`, PostgreSQL `SQL_ASCII`: bytes pass through unconverted, so this says nothing about
    /// what they are.
    Raw,
}

/// The [`Charset`] of a MySQL or PostgreSQL character set name, or of a WHATWG encoding label; `None` for a
/// name spector does not know or cannot decode (`ucs2`, `utf16`, `EUC_TW`, `MULE_INTERNAL`, ...).
///
/// MySQL's `latin1` is Windows-1252 (MySQL maps 0x80–0x9F as Windows does), and so is PostgreSQL's `LATIN1`
/// here, as WHATWG and every browser treat ISO-8859-1: in real data the bytes 0x80–0x9F of "Latin-1" text
/// are Windows punctuation (`€`, `’`, `–`), not C1 control codes.
pub fn charset_by_name(name: &str) -> Option<Charset> {
    let name = name.trim().trim_matches(['\'', '"', '`']);
    let key: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let legacy = |e: &'static Encoding| Some(Charset::Legacy(e));
    match key.as_str() {
        "utf8" | "utf8mb3" | "utf8mb4" | "unicode" => Some(Charset::Utf8),
        "binary" | "sqlascii" => Some(Charset::Raw),
        // MySQL
        "latin1" | "ascii" | "win1252" => legacy(WINDOWS_1252),
        "cp1251" | "win1251" => legacy(WINDOWS_1251),
        "koi8r" | "koi8" => legacy(KOI8_R),
        "koi8u" => legacy(KOI8_U),
        "cp866" | "win866" | "alt" => legacy(IBM866),
        "cp1250" | "win1250" => legacy(WINDOWS_1250),
        "latin2" | "iso88592" => legacy(ISO_8859_2),
        "cp1256" | "win1256" => legacy(encoding_rs::WINDOWS_1256),
        "cp1257" | "win1257" => legacy(WINDOWS_1257),
        "win1253" | "cp1253" => legacy(WINDOWS_1253),
        "win1254" | "latin5" => legacy(WINDOWS_1254),
        "win1255" => legacy(encoding_rs::WINDOWS_1255),
        "win1258" => legacy(encoding_rs::WINDOWS_1258),
        "win874" | "tis620" => legacy(encoding_rs::WINDOWS_874),
        "greek" => legacy(ISO_8859_7),
        "hebrew" => legacy(encoding_rs::ISO_8859_8),
        "latin7" => legacy(ISO_8859_13),
        "latin3" => legacy(encoding_rs::ISO_8859_3),
        "latin4" => legacy(encoding_rs::ISO_8859_4),
        "latin6" => legacy(encoding_rs::ISO_8859_10),
        "latin8" => legacy(encoding_rs::ISO_8859_14),
        "latin9" => legacy(encoding_rs::ISO_8859_15),
        "latin10" => legacy(encoding_rs::ISO_8859_16),
        "macroman" => legacy(encoding_rs::MACINTOSH),
        "sjis" | "cp932" => legacy(encoding_rs::SHIFT_JIS),
        "ujis" | "eucjpms" | "eucjp" => legacy(encoding_rs::EUC_JP),
        "euckr" | "uhc" => legacy(encoding_rs::EUC_KR),
        "euccn" | "gb2312" | "gbk" => legacy(encoding_rs::GBK),
        "gb18030" => legacy(encoding_rs::GB18030),
        "big5" => legacy(encoding_rs::BIG5),
        // UTF-16/32 cannot be a dump's connection encoding and would read single bytes wrongly; other
        // spellings are WHATWG labels (`windows-1251`, `iso-8859-5`, `cp1252`, ...).
        "ucs2" | "utf16" | "utf16le" | "utf32" => None,
        // PostgreSQL's ISO_8859_5 ... ISO_8859_8.
        _ if key.starts_with("iso8859") => {
            Encoding::for_label(format!("iso-8859-{}", &key[7..]).as_bytes()).map(Charset::Legacy)
        }
        _ => match Encoding::for_label_no_replacement(name.as_bytes()) {
            Some(e) if e == UTF_8 => Some(Charset::Utf8),
            // UTF-16's output encoding is UTF-8: it is the one kind that is not its own.
            Some(e) if e.output_encoding() == e => legacy(e),
            _ => None,
        },
    }
}

/// The encoding a profile's `encoding` names: any WHATWG label except UTF-16 (whose values a byte-oriented
/// reader never yields) and `replacement`.
pub fn profile_encoding(label: &str) -> Result<&'static Encoding, String> {
    match Encoding::for_label_no_replacement(label.trim().as_bytes()) {
        Some(e) if e.output_encoding() == e => Ok(e),
        _ => Err(format!(
            "unknown encoding {label:?}: expected a WHATWG encoding label such as \"windows-1251\", \
             \"windows-1252\", \"koi8-r\", \"iso-8859-2\", \"ibm866\" or \"utf-8\""
        )),
    }
}

/// Where a source declares a character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeclaredBy {
    /// `SET NAMES x` / `SET CHARACTER SET x` (MySQL), `SET client_encoding = 'x'` (PostgreSQL): the encoding
    /// the server wrote the dump's text in.
    Connection,
    /// `DEFAULT CHARSET=x` on a MySQL table.
    Table,
    /// `CHARACTER SET x` on a MySQL column.
    Column,
}

/// One character set declaration found in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub charset: Charset,
    /// The name as the source wrote it (`cp1251`, `WIN1251`).
    pub name: String,
    pub by: DeclaredBy,
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.by {
            DeclaredBy::Connection => "connection",
            DeclaredBy::Table => "table",
            DeclaredBy::Column => "column",
        };
        write!(f, "{} ({how} charset {})", self.encoding_name(), self.name)
    }
}

impl Declaration {
    fn encoding_name(&self) -> &'static str {
        match self.charset {
            Charset::Utf8 => "UTF-8",
            Charset::Legacy(e) => e.name(),
            Charset::Raw => "unconverted bytes",
        }
    }
}

/// What a source says, and what a sample of it suggests, about one table's text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableEncodings {
    /// The connection charset in force where the table's data begins (the last `SET NAMES` or
    /// `client_encoding` before it).
    pub connection: Option<Declaration>,
    /// The table's `DEFAULT CHARSET`.
    pub table: Option<Declaration>,
    /// Columns declared with a `CHARACTER SET` of their own.
    pub columns: BTreeMap<String, Declaration>,
    /// A guess from the table's non-UTF-8 text, when the scan saw any.
    pub guess: Option<Guess>,
}

/// The outcome of guessing from a sample of text that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    /// What [`chardetng`] answered.
    pub detected: &'static Encoding,
    /// The answer scored above at least one other candidate and is among [`PLAUSIBLE_GUESSES`]; when not,
    /// values are decoded as Windows-1252.
    pub usable: bool,
    /// Bytes of non-UTF-8 words the guess was made from.
    pub sampled_bytes: u64,
}

impl Guess {
    /// The encoding to decode with, and whether it is the guess or the fallback.
    fn choice(&self) -> (&'static Encoding, Basis) {
        if self.usable {
            (self.detected, Basis::Guessed)
        } else {
            (WINDOWS_1252, Basis::Fallback)
        }
    }
}

/// The character sets a source declares, and the guesses made from it, per table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceEncodings {
    pub tables: BTreeMap<String, TableEncodings>,
    /// Character set names declared somewhere in the source that spector cannot decode, so that an ingest
    /// can say it fell back for them.
    pub unknown: BTreeSet<String>,
}

impl SourceEncodings {
    /// The declared encoding of the bytes of `column` in `table`, if the source declares one that decodes
    /// bytes that are not UTF-8.
    ///
    /// The connection charset comes first: a dump holds its text in the connection charset, the server
    /// having converted each column into it, so `SET NAMES cp1251` makes every text cp1251 whatever its
    /// table says. Only where the connection is UTF-8, `binary` or not declared (hand-made or very old
    /// dumps; binary columns, which the server never converts) can bytes that are not UTF-8 be in the
    /// column's own charset, else the table's: the first of those that is declared decides.
    pub fn declared(&self, table: &str, column: &str) -> Option<(&'static Encoding, &Declaration)> {
        let t = self.tables.get(table)?;
        if let Some(d) = &t.connection
            && let Charset::Legacy(e) = d.charset
        {
            return Some((e, d));
        }
        match t.columns.get(column).or(t.table.as_ref()) {
            Some(d) => match d.charset {
                Charset::Legacy(e) => Some((e, d)),
                Charset::Utf8 | Charset::Raw => None,
            },
            None => None,
        }
    }

    /// One line per table with a declaration or a guess, for logs.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, t) in &self.tables {
            let mut parts: Vec<String> = [&t.connection, &t.table]
                .into_iter()
                .flatten()
                .map(ToString::to_string)
                .collect();
            parts.extend(t.columns.iter().map(|(c, d)| format!("column {c}: {d}")));
            if let Some(g) = &t.guess {
                let (e, basis) = g.choice();
                parts.push(format!(
                    "{} {basis} from {} bytes of non-UTF-8 text",
                    e.name(),
                    g.sampled_bytes
                ));
            }
            if !parts.is_empty() {
                out.push(format!("table {name}: {}", parts.join("; ")));
            }
        }
        if !self.unknown.is_empty() {
            out.push(format!(
                "declared character sets spector cannot decode: {}",
                self.unknown.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        out
    }
}

/// Why a value was decoded as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// The source declares the encoding for the value's table or column.
    Declared,
    /// The profile's `encoding`.
    Profile,
    /// Guessed from the text.
    Guessed,
    /// The guess was weak or implausible: Windows-1252, which decodes every byte.
    Fallback,
    /// Valid UTF-8 that was double-encoded mojibake, repaired (`repair_mojibake`).
    Repaired,
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Basis::Declared => "declared",
            Basis::Profile => "profile",
            Basis::Guessed => "guessed",
            Basis::Fallback => "fallback",
            Basis::Repaired => "mojibake repaired",
        })
    }
}

/// A value's text, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// `None` for text that was valid UTF-8 and is kept as it is.
    pub how: Option<(&'static Encoding, Basis)>,
    /// Some bytes have no character in the encoding and became U+FFFD.
    pub replaced: bool,
}

/// Counts of the decisions a [`TextDecoder`] made, one per field value it turned into text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodingStats {
    /// Values that were valid UTF-8 and kept as they are.
    pub utf8: u64,
    /// Values decoded from another encoding or repaired, by encoding name and basis.
    pub decoded: BTreeMap<(&'static str, Basis), u64>,
    /// Of the decoded values, those with bytes their encoding has no character for (each became U+FFFD).
    pub with_replacements: u64,
}

impl DecodingStats {
    /// One line per encoding and basis, e.g. `1,204 values decoded as windows-1251 (declared)`.
    pub fn summary(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .decoded
            .iter()
            .map(|((name, basis), n)| {
                let verb = if *basis == Basis::Repaired {
                    "re-read as UTF-8 from"
                } else {
                    "decoded as"
                };
                format!("{} values {verb} {name} ({basis})", thousands(*n))
            })
            .collect();
        if self.with_replacements > 0 {
            out.push(format!(
                "{} decoded values hold bytes their encoding has no character for (shown as U+FFFD)",
                thousands(self.with_replacements)
            ));
        }
        out
    }

    /// Values decoded from anything but UTF-8 (repairs included).
    pub fn decoded_total(&self) -> u64 {
        self.decoded.values().sum()
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Turns values into text by the policy of this module, and counts what it did.
///
/// Counting uses cells so that decoding works through a shared reference (the mapper's field readers take
/// `&self`); a decoder is not meant to be shared between threads.
#[derive(Debug, Default)]
pub struct TextDecoder {
    profile: Option<&'static Encoding>,
    repair: bool,
    source: SourceEncodings,
    utf8: Cell<u64>,
    stats: RefCell<DecodingStats>,
}

impl TextDecoder {
    /// A decoder with the profile's `encoding` (if any) and `repair_mojibake` choice, knowing nothing of the
    /// source yet.
    pub fn new(profile_encoding: Option<&'static Encoding>, repair_mojibake: bool) -> Self {
        TextDecoder {
            profile: profile_encoding,
            repair: repair_mojibake,
            ..TextDecoder::default()
        }
    }

    /// Adds what a scan of the source found ([`crate::detect::scan_source`]).
    pub fn with_source(mut self, source: SourceEncodings) -> Self {
        self.source = source;
        self
    }

    pub fn source(&self) -> &SourceEncodings {
        &self.source
    }

    /// The text of a value of `column` in `table` (`None` for NULL), counted in [`Self::stats`].
    #[inline]
    pub fn text<'v>(&self, table: &str, column: &str, value: &'v Value) -> Option<Cow<'v, str>> {
        // The common case, inlined into the mapping: UTF-8 kept as it is. Out of line, handing the
        // `Cow` back through memory stalled on every value (the profile put the stall at 4% of the
        // reading thread; the gain measured end to end is within the noise).
        match value {
            Value::Text(s) if !self.repair => {
                self.utf8.set(self.utf8.get() + 1);
                Some(Cow::Borrowed(s))
            }
            _ => self.text_decoded(table, column, value),
        }
    }

    /// The text of a value that is UTF-8 kept as it is, counted like [`Self::text`]; `None` for any other
    /// value, which [`Self::text`] then turns into text.
    #[inline]
    pub fn utf8_text<'v>(&self, value: &'v Value) -> Option<&'v str> {
        match value {
            Value::Text(s) if !self.repair => {
                self.utf8.set(self.utf8.get() + 1);
                Some(s)
            }
            _ => None,
        }
    }

    fn text_decoded<'v>(
        &self,
        table: &str,
        column: &str,
        value: &'v Value,
    ) -> Option<Cow<'v, str>> {
        let decoded = match value {
            Value::Null => return None,
            Value::Text(s) => self.decode_str(s),
            Value::Bytes(b) => self.decode_bytes(table, column, b),
        };
        self.count(&decoded);
        Some(decoded.text)
    }

    /// Decodes text that is valid UTF-8: kept as it is, unless mojibake repair is on and applies. Not counted.
    pub fn decode_str<'a>(&self, s: &'a str) -> Decoded<'a> {
        if self.repair
            && let Some(repaired) = repair_mojibake(s)
        {
            return Decoded {
                text: Cow::Owned(repaired),
                how: Some((WINDOWS_1252, Basis::Repaired)),
                replaced: false,
            };
        }
        Decoded {
            text: Cow::Borrowed(s),
            how: None,
            replaced: false,
        }
    }

    /// Decodes the bytes of a value of `column` in `table` by the policy of this module. Not counted.
    pub fn decode_bytes<'a>(&self, table: &str, column: &str, bytes: &'a [u8]) -> Decoded<'a> {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return self.decode_str(s);
        }
        let (encoding, basis) = self.choose(table, column, bytes);
        let (text, replaced) = encoding.decode_without_bom_handling(bytes);
        Decoded {
            text,
            how: Some((encoding, basis)),
            replaced,
        }
    }

    /// The encoding for bytes that are not UTF-8.
    fn choose(&self, table: &str, column: &str, bytes: &[u8]) -> (&'static Encoding, Basis) {
        if let Some((e, _)) = self.source.declared(table, column) {
            return (e, Basis::Declared);
        }
        if let Some(e) = self.profile {
            return (e, Basis::Profile);
        }
        if let Some(guess) = self.source.tables.get(table).and_then(|t| t.guess) {
            return guess.choice();
        }
        let mut sampler = Sampler::default();
        sampler.feed_words(bytes, usize::MAX);
        match sampler.finish() {
            Some(guess) => guess.choice(),
            None => (WINDOWS_1252, Basis::Fallback),
        }
    }

    fn count(&self, decoded: &Decoded<'_>) {
        match decoded.how {
            None => self.utf8.set(self.utf8.get() + 1),
            Some((encoding, basis)) => {
                let mut stats = self.stats.borrow_mut();
                *stats.decoded.entry((encoding.name(), basis)).or_default() += 1;
                if decoded.replaced {
                    stats.with_replacements += 1;
                }
            }
        }
    }

    /// What this decoder has done so far.
    pub fn stats(&self) -> DecodingStats {
        let mut stats = self.stats.borrow().clone();
        stats.utf8 = self.utf8.get();
        stats
    }
}

/// Repairs double-encoded UTF-8 ("mojibake"): text whose every character is a Windows-1252 one and whose
/// Windows-1252 bytes are valid UTF-8 of text that cannot have come about by chance. That is how UTF-8 that
/// an application sent over a `latin1` connection comes out of a `mysqldump` (`Ð¿Ñ€Ð¸Ð²ÐµÑ‚` for `привет`).
///
/// "Cannot have come about by chance" means the repaired text holds a letter of a non-Latin script
/// (Cyrillic, Greek, Arabic, Hebrew, CJK, ...) or a character of three or more UTF-8 bytes (`â€™` for `’`):
/// genuine Western text never spells those as runs of Latin-1 characters. Repairs that would yield only
/// Latin characters are refused, because genuine text can produce them: `JOSÉ’S` re-read as UTF-8 is
/// `JOSɒS`. Returns `None` when the text is left as it is.
pub fn repair_mojibake(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let repaired = String::from_utf8(bytes.into_owned()).ok()?;
    repaired
        .chars()
        .any(|c| is_non_latin_letter(c) || c.len_utf8() >= 3)
        .then_some(repaired)
}

/// A letter of a script other than Latin, below U+0800 (above it, [`repair_mojibake`] needs no script test).
fn is_non_latin_letter(c: char) -> bool {
    matches!(c,
        '\u{0370}'..='\u{03FF}'   // Greek and Coptic
        | '\u{0400}'..='\u{052F}' // Cyrillic and its supplement
        | '\u{0530}'..='\u{058F}' // Armenian
        | '\u{0590}'..='\u{05FF}' // Hebrew
        | '\u{0600}'..='\u{06FF}' // Arabic
        | '\u{0700}'..='\u{07FF}' // Syriac, Thaana, NKo ...
    ) && c.is_alphabetic()
}

/// Bytes fed to a guess per table at most: enough for [`chardetng`] to be sure, small enough to be quick.
pub const SAMPLE_LIMIT: usize = 256 * 1024;

/// Gathers the words of a text that are not UTF-8 and guesses their encoding.
///
/// Only words (runs of bytes between ASCII spaces and punctuation) that hold bytes ≥ 0x80 and are not valid
/// UTF-8 are fed: in a mixed file, the UTF-8 rows would otherwise look like noise in every single-byte
/// encoding, and ASCII says nothing.
#[derive(Default)]
pub struct Sampler {
    detector: Option<EncodingDetector>,
    fed: usize,
}

impl fmt::Debug for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampler").field("fed", &self.fed).finish()
    }
}

impl Sampler {
    /// Bytes fed so far.
    pub fn fed(&self) -> usize {
        self.fed
    }

    /// Feeds the non-UTF-8 words of `text`, until `limit` bytes have been fed in all.
    pub fn feed_words(&mut self, text: &[u8], limit: usize) {
        for word in text.split(|b| b.is_ascii() && !b.is_ascii_alphanumeric()) {
            if self.fed >= limit {
                return;
            }
            if word.is_ascii() || std::str::from_utf8(word).is_ok() {
                continue;
            }
            let detector = self.detector.get_or_insert_with(EncodingDetector::new);
            detector.feed(word, false);
            detector.feed(b" ", false);
            self.fed += word.len() + 1;
        }
    }

    /// The guess, if any word was fed.
    pub fn finish(self) -> Option<Guess> {
        let mut detector = self.detector?;
        detector.feed(b"", true);
        let (detected, confident) = detector.guess_assess(None, false);
        Some(Guess {
            detected,
            usable: confident && PLAUSIBLE_GUESSES.contains(&detected),
            sampled_bytes: self.fed as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(s: &str, e: &'static Encoding) -> Vec<u8> {
        let (b, _, unmappable) = e.encode(s);
        assert!(!unmappable, "{s:?} is not in {}", e.name());
        b.into_owned()
    }

    #[test]
    fn charset_names_of_mysql_and_postgres() {
        let legacy = |n: &str| match charset_by_name(n) {
            Some(Charset::Legacy(e)) => e.name(),
            other => panic!("{n}: {other:?}"),
        };
        for n in ["utf8", "utf8mb3", "utf8mb4", "UTF8", "'utf8mb4'", "UNICODE"] {
            assert_eq!(charset_by_name(n), Some(Charset::Utf8), "{n}");
        }
        assert_eq!(charset_by_name("binary"), Some(Charset::Raw));
        assert_eq!(charset_by_name("SQL_ASCII"), Some(Charset::Raw));
        assert_eq!(legacy("latin1"), "windows-1252");
        assert_eq!(legacy("LATIN1"), "windows-1252");
        assert_eq!(legacy("cp1251"), "windows-1251");
        assert_eq!(legacy("'WIN1251'"), "windows-1251");
        assert_eq!(legacy("koi8r"), "KOI8-R");
        assert_eq!(legacy("KOI8R"), "KOI8-R");
        assert_eq!(legacy("koi8u"), "KOI8-U");
        assert_eq!(legacy("cp1250"), "windows-1250");
        assert_eq!(legacy("latin2"), "ISO-8859-2");
        assert_eq!(legacy("WIN866"), "IBM866");
        assert_eq!(legacy("LATIN9"), "ISO-8859-15");
        assert_eq!(legacy("ISO_8859_5"), "ISO-8859-5");
        assert_eq!(legacy("sjis"), "Shift_JIS");
        assert_eq!(legacy("windows-1251"), "windows-1251");
        for n in [
            "ucs2",
            "utf16",
            "utf32",
            "EUC_TW",
            "MULE_INTERNAL",
            "nonsense",
            "",
        ] {
            assert_eq!(charset_by_name(n), None, "{n}");
        }
    }

    #[test]
    fn profile_encodings_are_whatwg_labels() {
        assert_eq!(profile_encoding("windows-1251"), Ok(WINDOWS_1251));
        assert_eq!(profile_encoding("cp1251"), Ok(WINDOWS_1251));
        assert_eq!(profile_encoding("latin1"), Ok(WINDOWS_1252));
        assert_eq!(profile_encoding("KOI8-R"), Ok(KOI8_R));
        assert_eq!(profile_encoding("utf-8"), Ok(UTF_8));
        for bad in ["utf-16", "utf-16be", "replacement", "klingon", ""] {
            let err = profile_encoding(bad).unwrap_err();
            assert!(err.contains("windows-1251") && err.contains(bad), "{err}");
        }
    }

    #[test]
    fn connection_charset_outranks_table_and_column() {
        let decl = |name: &str, by| Declaration {
            charset: charset_by_name(name).unwrap(),
            name: name.to_string(),
            by,
        };
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "a".into(),
            TableEncodings {
                connection: Some(decl("cp1251", DeclaredBy::Connection)),
                table: Some(decl("latin1", DeclaredBy::Table)),
                ..TableEncodings::default()
            },
        );
        src.tables.insert(
            "b".into(),
            TableEncodings {
                connection: Some(decl("utf8mb4", DeclaredBy::Connection)),
                table: Some(decl("latin1", DeclaredBy::Table)),
                columns: BTreeMap::from([
                    ("ru".to_string(), decl("cp1251", DeclaredBy::Column)),
                    ("u".to_string(), decl("utf8", DeclaredBy::Column)),
                ]),
                guess: None,
            },
        );
        src.tables.insert(
            "c".into(),
            TableEncodings {
                connection: Some(decl("binary", DeclaredBy::Connection)),
                ..TableEncodings::default()
            },
        );
        let name = |t: &str, c: &str| src.declared(t, c).map(|(e, _)| e.name());
        assert_eq!(name("a", "x"), Some("windows-1251"));
        assert_eq!(name("b", "x"), Some("windows-1252"));
        assert_eq!(name("b", "ru"), Some("windows-1251"));
        assert_eq!(name("b", "u"), None, "a UTF-8 column explains no bytes");
        assert_eq!(name("c", "x"), None);
        assert_eq!(name("nope", "x"), None);
    }

    #[test]
    fn policy_order_declared_profile_guess_fallback() {
        let ru = cp("Мефедрон 1г", WINDOWS_1251);
        let value = Value::Bytes(ru.clone());
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "koi".into(),
            TableEncodings {
                connection: Some(Declaration {
                    charset: Charset::Legacy(KOI8_R),
                    name: "koi8r".into(),
                    by: DeclaredBy::Connection,
                }),
                ..TableEncodings::default()
            },
        );
        // Declared beats the profile, even when the declaration is wrong for the bytes: it is what the
        // source says, and the count shows it.
        let d = TextDecoder::new(Some(WINDOWS_1251), false).with_source(src);
        assert_eq!(
            d.text("koi", "c", &value).as_deref(),
            Some(KOI8_R.decode_without_bom_handling(&ru).0.as_ref())
        );
        assert_eq!(d.text("other", "c", &value).as_deref(), Some("Мефедрон 1г"));
        // No declaration, no profile: guessed from the value itself.
        let g = TextDecoder::new(None, false);
        assert_eq!(g.text("t", "c", &value).as_deref(), Some("Мефедрон 1г"));
        // UTF-8, text or bytes, is never touched.
        assert_eq!(
            d.text("koi", "c", &Value::Bytes("привет".into()))
                .as_deref(),
            Some("привет")
        );
        assert_eq!(d.text("koi", "c", &Value::Null), None);
        let stats = d.stats();
        assert_eq!(stats.utf8, 1);
        assert_eq!(
            stats.decoded,
            BTreeMap::from([
                (("KOI8-R", Basis::Declared), 1),
                (("windows-1251", Basis::Profile), 1)
            ])
        );
        assert_eq!(
            g.stats().summary(),
            ["1 values decoded as windows-1251 (guessed)"]
        );
    }

    #[test]
    fn valid_utf8_wins_even_in_a_declared_table() {
        // The known price of deciding per value (module docs): cp1251 `Я»` is DF BB, valid UTF-8.
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "t".into(),
            TableEncodings {
                connection: Some(Declaration {
                    charset: Charset::Legacy(WINDOWS_1251),
                    name: "cp1251".into(),
                    by: DeclaredBy::Connection,
                }),
                ..TableEncodings::default()
            },
        );
        let d = TextDecoder::new(None, false).with_source(src);
        assert_eq!(
            d.decode_bytes("t", "c", &cp("Я»", WINDOWS_1251)).text,
            "\u{7fb}"
        );
        assert_eq!(
            d.decode_bytes("t", "c", &cp("Я» 1г", WINDOWS_1251)).text,
            "Я» 1г"
        );
    }

    #[test]
    fn weak_or_implausible_guesses_fall_back_to_windows_1252() {
        // Lone bytes that chardetng cannot place.
        let d = TextDecoder::new(None, false);
        let Decoded { text, how, .. } = d.decode_bytes("t", "c", &[b'x', 0x81, 0x8d]);
        assert_eq!(how, Some((WINDOWS_1252, Basis::Fallback)));
        assert_eq!(text, "x\u{81}\u{8d}");
        // A table guess that is not usable decodes as windows-1252 too.
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "t".into(),
            TableEncodings {
                guess: Some(Guess {
                    detected: encoding_rs::GBK,
                    usable: false,
                    sampled_bytes: 4,
                }),
                ..TableEncodings::default()
            },
        );
        let d = TextDecoder::new(None, false).with_source(src);
        assert_eq!(
            d.decode_bytes("t", "c", b"caf\xe9").how,
            Some((WINDOWS_1252, Basis::Fallback))
        );
    }

    #[test]
    fn short_values_guess_from_the_table_sample_not_alone() {
        // Alone, `Иван` in cp1251 reads as Windows-1252 ("Èâàí"); with the rest of its table it does not.
        let alone = TextDecoder::new(None, false);
        let ivan = cp("Иван", WINDOWS_1251);
        assert_eq!(alone.decode_bytes("users", "name", &ivan).text, "Èâàí");
        let mut sampler = Sampler::default();
        for name in ["Иван", "Лёша", "admin_Вася", "Шишки"] {
            sampler.feed_words(&cp(name, WINDOWS_1251), SAMPLE_LIMIT);
        }
        let guess = sampler.finish().unwrap();
        assert_eq!(guess.detected, WINDOWS_1251);
        assert!(guess.usable);
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "users".into(),
            TableEncodings {
                guess: Some(guess),
                ..TableEncodings::default()
            },
        );
        let d = TextDecoder::new(None, false).with_source(src);
        assert_eq!(d.decode_bytes("users", "name", &ivan).text, "Иван");
    }

    #[test]
    fn sampler_skips_ascii_and_utf8_words_and_stops_at_the_limit() {
        let mut s = Sampler::default();
        s.feed_words("plain ascii, привет ☃".as_bytes(), SAMPLE_LIMIT);
        assert_eq!(s.fed(), 0);
        assert!(s.finish().is_none());
        let mut s = Sampler::default();
        s.feed_words(b"caf\xe9 'na\xefve' x", SAMPLE_LIMIT);
        assert_eq!(s.fed(), "caf\u{e9} na\u{ef}ve ".len() - 2);
        let mut s = Sampler::default();
        s.feed_words(b"\xe9\xe9 \xe9\xe9 \xe9\xe9", 3);
        assert_eq!(s.fed(), 3);
    }

    #[test]
    fn mojibake_repair() {
        assert_eq!(repair_mojibake("Ð¿Ñ€Ð¸Ð²ÐµÑ‚").as_deref(), Some("привет"));
        // `Ё` is D0 81, and MySQL's latin1 (like WHATWG's windows-1252) reads 0x81 as U+0081.
        assert_eq!(repair_mojibake("Ð\u{81}Ð¶").as_deref(), Some("Ёж"));
        assert_eq!(repair_mojibake("donâ€™t").as_deref(), Some("don’t"));
        assert_eq!(repair_mojibake("Î±Î²Î³").as_deref(), Some("αβγ"));
        // Genuine text, and mojibake whose repair would only give Latin letters, stay.
        for s in [
            "plain",
            "café",
            "JOSÉ’S",
            "cafÃ©",
            "привет",
            "Ð¿ and € ∑",
            "Ð",
        ] {
            assert_eq!(repair_mojibake(s), None, "{s}");
        }
        let d = TextDecoder::new(None, true);
        assert_eq!(
            d.text("t", "c", &Value::Text("Ð¿Ñ€Ð¸Ð²ÐµÑ‚".into()))
                .as_deref(),
            Some("привет")
        );
        let off = TextDecoder::new(None, false);
        assert_eq!(
            off.text("t", "c", &Value::Text("Ð¿Ñ€Ð¸Ð²ÐµÑ‚".into()))
                .as_deref(),
            Some("Ð¿Ñ€Ð¸Ð²ÐµÑ‚")
        );
        assert_eq!(
            d.stats().summary(),
            ["1 values re-read as UTF-8 from windows-1252 (mojibake repaired)"]
        );
    }

    #[test]
    fn replacement_characters_are_counted() {
        // 0xAA has no character in windows-1253.
        let d = TextDecoder::new(Some(WINDOWS_1253), false);
        let mut bytes = cp("ηρωίνη", WINDOWS_1253);
        bytes.push(0xaa);
        let value = Value::Bytes(bytes);
        assert_eq!(d.text("t", "c", &value).as_deref(), Some("ηρωίνη\u{fffd}"));
        assert_eq!(d.stats().with_replacements, 1);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// The characters an encoding has a byte for, beyond ASCII.
    fn repertoire(e: &'static Encoding) -> Vec<char> {
        (0x80u8..=0xff)
            .filter_map(|b| {
                let byte = [b];
                let (s, bad) = e.decode_without_bom_handling(&byte);
                if bad { None } else { s.chars().next() }
            })
            .collect()
    }

    const LEGACY: [&Encoding; 4] = [WINDOWS_1251, KOI8_R, WINDOWS_1252, WINDOWS_1250];

    /// An encoding and a string of its repertoire, mostly non-ASCII.
    fn legacy_text() -> impl Strategy<Value = (&'static Encoding, String)> {
        (0..LEGACY.len()).prop_flat_map(|i| {
            let e = LEGACY[i];
            let high = repertoire(e);
            let ch = prop_oneof![
                3 => proptest::sample::select(high),
                1 => proptest::char::range(' ', '~'),
            ];
            (Just(e), proptest::collection::vec(ch, 0..40))
                .prop_map(|(e, cs)| (e, cs.into_iter().collect()))
        })
    }

    fn declared(e: &'static Encoding) -> SourceEncodings {
        let mut src = SourceEncodings::default();
        src.tables.insert(
            "t".into(),
            TableEncodings {
                connection: Some(Declaration {
                    charset: Charset::Legacy(e),
                    name: e.name().into(),
                    by: DeclaredBy::Connection,
                }),
                ..TableEncodings::default()
            },
        );
        src
    }

    proptest! {
        /// Text encoded in a declared legacy encoding decodes back exactly, unless its bytes happen to be
        /// valid UTF-8: those are read as UTF-8, per value, by design (module docs).
        #[test]
        fn declared_legacy_text_decodes_back((e, s) in legacy_text()) {
            let (bytes, _, unmappable) = e.encode(&s);
            prop_assert!(!unmappable);
            let d = TextDecoder::new(None, false).with_source(declared(e));
            let value = Value::Bytes(bytes.to_vec());
            let got = d.text("t", "c", &value);
            match std::str::from_utf8(&bytes) {
                Ok(utf8) => prop_assert_eq!(got.as_deref(), Some(utf8)),
                Err(_) => prop_assert_eq!(got.as_deref(), Some(s.as_str())),
            }
        }

        /// Without repair, valid UTF-8 comes out as it went in, whatever the declarations and profile say.
        #[test]
        fn utf8_is_never_altered_without_repair(s in any::<String>(), which in 0..4usize) {
            let d = match which {
                0 => TextDecoder::new(None, false),
                1 => TextDecoder::new(Some(WINDOWS_1251), false),
                2 => TextDecoder::new(None, false).with_source(declared(KOI8_R)),
                _ => TextDecoder::new(Some(WINDOWS_1252), false).with_source(declared(WINDOWS_1251)),
            };
            let text = Value::Text(s.clone());
            let got = d.text("t", "c", &text);
            prop_assert_eq!(got.as_deref(), Some(s.as_str()));
            let bytes = Value::Bytes(s.clone().into_bytes());
            let got = d.text("t", "c", &bytes);
            prop_assert_eq!(got.as_deref(), Some(s.as_str()));
            prop_assert_eq!(d.stats().decoded_total(), 0);
        }

        /// Whatever the bytes, decoding yields text and never panics; bytes that are not UTF-8 are counted.
        #[test]
        fn any_bytes_decode(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let d = TextDecoder::new(None, true);
            let _ = d.text("t", "c", &Value::Bytes(bytes.clone()));
            let stats = d.stats();
            prop_assert_eq!(stats.utf8 + stats.decoded_total(), 1);
        }

        /// A repair only ever undoes a Windows-1252 reading of UTF-8 bytes.
        #[test]
        fn a_repair_is_the_utf8_reading_of_the_windows_1252_bytes(
            cs in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(repertoire(WINDOWS_1252)),
                    proptest::char::range(' ', '~'),
                ],
                0..24,
            )
        ) {
            let s: String = cs.into_iter().collect();
            if let Some(t) = repair_mojibake(&s) {
                let (bytes, _, _) = WINDOWS_1252.encode(&s);
                prop_assert_eq!(t.as_bytes(), &*bytes);
            }
        }

        /// Double-encoded Cyrillic or Greek is always repaired to the original.
        #[test]
        fn double_encoded_non_latin_text_is_repaired(
            s in "[а-яА-ЯёЁα-ω0-9 ,.!?-]{0,30}"
        ) {
            let (mojibake, _) = WINDOWS_1252.decode_without_bom_handling(s.as_bytes());
            let expected = (!s.is_ascii()).then(|| s.clone());
            prop_assert_eq!(repair_mojibake(&mojibake), expected);
        }
    }
}
