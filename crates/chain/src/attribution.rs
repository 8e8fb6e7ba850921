//! Public attribution of addresses: GraphSense TagPacks (YAML) and sanctions lists (one address a line, one
//! file per coin), read into [`AddressTag`]s, each naming the file and position it came from.
//!
//! A TagPack is a header (`title`, `creator`, `description`, `lastmod`, and tag fields such as `label`,
//! `source`, `category`, `abuse`, `currency`, `confidence`, `actor`, `is_cluster_definer`) and a `tags:` list
//! of mappings with at least `address`. A header tag field applies to every tag that does not set its own; a
//! tag field that is null or blank counts as not set, so the header's applies. A tag without an address,
//! label, currency or source after that (GraphSense requires all four; a label without its source is no
//! evidence), a tag field of the wrong shape, a key given twice in a tag, or an invalid Bitcoin address is a
//! [`TagReject`] naming the tag's line and index: the rest of the pack is still read. A file that is not
//! YAML, not UTF-8 or not a TagPack at all is an [`AttributionError`] naming the file and, where there is
//! one, the line.
//!
//! GraphSense ActorPacks (`actors:` instead of `tags:`, e.g. `graphsense.actorpack.yaml`) describe actors,
//! not addresses: [`read_tagpack`] refuses them with [`AttributionError::ActorPack`] rather than reading an
//! empty pack, so that a directory sweep can tell them apart and skip them on purpose.
//!
//! Scalars are kept as the pack wrote them: `label: 01` is the label "01", not the number 1, and
//! `is_cluster_definer` takes YAML 1.1's spellings (`yes`, `on`, ...) as GraphSense's own tool (PyYAML)
//! does. Bitcoin addresses (currency BTC; XBT, the ISO-style ticker, means BTC) are validated for mainnet
//! and canonicalised by the `bitcoin` crate (bech32 in lower case), so that they compare equal to the
//! addresses of the chain; other currencies' addresses are kept as given, trimmed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use bitcoin::address::NetworkUnchecked;
use bitcoin::{Address, Network};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// Where a tag came from, for the analyst to open the file at the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagOrigin {
    pub file: Arc<Path>,
    /// 1-based line of the tag (a TagPack entry's first key; a sanctions list's line).
    pub line: u64,
    /// 1-based position of the tag among the pack's `tags` (or among the list's addresses), rejects counted.
    pub index: usize,
}

impl fmt::Display for TagOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line {} (tag {})",
            self.file.display(),
            self.line,
            self.index
        )
    }
}

/// Which kind of publication stated the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagKind {
    TagPack,
    SanctionsList,
}

/// One address attributed by a public source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressTag {
    /// Canonical for BTC (the `bitcoin` crate's encoding, bech32 lower case); as given, trimmed, otherwise.
    pub address: String,
    /// Upper-case ticker (`BTC`, `ETH`, ...); XBT is written BTC.
    pub currency: String,
    pub label: String,
    /// The tag's source as the pack states it (a URL or a text).
    pub source: String,
    /// GraphSense category (`exchange`, `market`, `mixing_service`, ...).
    pub category: Option<String>,
    /// GraphSense abuse type (`ransomware`, ...), which older packs give instead of a category.
    pub abuse: Option<String>,
    /// GraphSense actor id (`hydramarket`, `huobi`, ...).
    pub actor: Option<String>,
    /// GraphSense confidence name as given (`authority_data`, `service_data`, `forensic`, ...).
    pub confidence: Option<String>,
    /// The tag stands for the whole cluster of its address, not only for the address.
    pub is_cluster_definer: bool,
    /// `lastmod` of the tag or pack, as written.
    pub last_modified: Option<String>,
    pub kind: TagKind,
    pub origin: TagOrigin,
}

/// A tag that could not be read, and why; the rest of its file still was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReject {
    pub origin: TagOrigin,
    pub reason: RejectReason,
}

impl fmt::Display for TagReject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

/// Why a tag was set aside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    #[error("the tag is {found}, not a mapping of fields")]
    NotAMapping { found: &'static str },
    #[error("no {field}, neither in the tag nor in the pack's header")]
    Missing { field: &'static str },
    #[error("{field} is {found}, not a text{}", if *.in_header { " (in the pack's header)" } else { "" })]
    NotText {
        field: &'static str,
        found: &'static str,
        in_header: bool,
    },
    #[error("{key} is given twice in the tag")]
    KeyRepeated { key: String },
    #[error("{field} is {value:?}, neither true nor false")]
    NotABoolean { field: &'static str, value: String },
    #[error("{address:?} is not a valid Bitcoin mainnet address: {reason}")]
    InvalidBitcoinAddress { address: String, reason: String },
    #[error("the line is not UTF-8 text")]
    NotUtf8,
}

/// A file that could not be read as attribution at all.
#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: not UTF-8 text", path = .path.display())]
    NotUtf8 { path: PathBuf, line: u64 },
    #[error("{path}: line {line}, column {column}: not valid YAML: {message}", path = .path.display())]
    Yaml {
        path: PathBuf,
        /// 1-based; 0 where the parser names no position.
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "{path}: a GraphSense ActorPack (actors, not address tags); it attributes no address", path = .path.display()
    )]
    ActorPack { path: PathBuf },
    #[error("{path}: not a GraphSense TagPack: {reason}", path = .path.display())]
    NotATagPack { path: PathBuf, reason: String },
    #[error("{path}: line {line}: header field {key} is given twice", path = .path.display())]
    HeaderKeyRepeated {
        path: PathBuf,
        key: String,
        line: u64,
    },
    #[error(
        "{path}: not named sanctioned_addresses_<COIN>.txt, so its currency is unknown", path = .path.display()
    )]
    SanctionsFileName { path: PathBuf },
}

/// A TagPack's header and its tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPackRead {
    pub title: Option<String>,
    pub creator: Option<String>,
    pub description: Option<String>,
    pub last_modified: Option<String>,
    pub tags: Vec<AddressTag>,
    pub rejects: Vec<TagReject>,
}

/// A sanctions list's addresses (one coin per file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionsListRead {
    pub currency: String,
    pub tags: Vec<AddressTag>,
    pub rejects: Vec<TagReject>,
}

/// Reads one GraphSense TagPack file.
pub fn read_tagpack(path: &Path) -> Result<TagPackRead, AttributionError> {
    let bytes = std::fs::read(path).map_err(|source| AttributionError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_tagpack(path, &bytes)
}

/// Reads a TagPack from bytes; `file` names it in origins and errors.
pub fn parse_tagpack(file: &Path, bytes: &[u8]) -> Result<TagPackRead, AttributionError> {
    let text = std::str::from_utf8(bytes).map_err(|e| AttributionError::NotUtf8 {
        path: file.to_owned(),
        line: line_of_offset(bytes, e.valid_up_to()),
    })?;
    // A byte-order mark is no content; the spans below are offsets into the text without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document: RawDocument = serde_saphyr::from_str_with_options(text, yaml_options(text.len()))
        .map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            let message = e.without_snippet().to_string();
            // The message ends with the position the error names on its own.
            let message = message
                .strip_suffix(&format!(" at line {line}, column {column}"))
                .map_or_else(|| message.clone(), str::to_owned);
            AttributionError::Yaml {
                path: file.to_owned(),
                line,
                column,
                message,
            }
        })?;
    let not_a_tagpack = |reason: String| AttributionError::NotATagPack {
        path: file.to_owned(),
        reason,
    };
    let pack = match document {
        RawDocument::Mapping(pack) => pack,
        RawDocument::Other(found) => return Err(not_a_tagpack(format!("the file holds {found}"))),
    };
    let mut header = Header::with_capacity(pack.header.len());
    for (key, value) in pack.header {
        if header.contains_key(&key.value) {
            return Err(AttributionError::HeaderKeyRepeated {
                path: file.to_owned(),
                key: key.value,
                line: key.referenced.line(),
            });
        }
        header.insert(key.value, value);
    }
    let tags = match pack.tags {
        TagsField::Absent if pack.has_actors => {
            return Err(AttributionError::ActorPack {
                path: file.to_owned(),
            });
        }
        TagsField::Absent => return Err(not_a_tagpack("it has no `tags` list".into())),
        TagsField::Repeated(line) => {
            return Err(AttributionError::HeaderKeyRepeated {
                path: file.to_owned(),
                key: "tags".into(),
                line,
            });
        }
        TagsField::NotAList(found) => {
            return Err(not_a_tagpack(format!("`tags` is {found}, not a list")));
        }
        TagsField::Null => Vec::new(),
        TagsField::List(tags) => tags,
    };

    let file: Arc<Path> = Arc::from(file);
    let header_text = |key: &str| match header.get(key).map(|v| scalar_text(v, text)) {
        Some(ScalarText::Text(t)) => Some(t),
        _ => None,
    };
    let mut read = TagPackRead {
        title: header_text("title"),
        creator: header_text("creator"),
        description: header_text("description"),
        last_modified: header_text("lastmod"),
        tags: Vec::with_capacity(tags.len()),
        rejects: Vec::new(),
    };
    for (i, tag) in tags.into_iter().enumerate() {
        let origin = TagOrigin {
            file: Arc::clone(&file),
            line: tag.referenced.line(),
            index: i + 1,
        };
        match resolve_tag(tag.value, &header, text, &origin) {
            Ok(tag) => read.tags.push(tag),
            Err(reason) => read.rejects.push(TagReject { origin, reason }),
        }
    }
    Ok(read)
}

/// Reads one sanctions list, `sanctioned_addresses_<COIN>.txt` (as in 0xB10C's extraction of the OFAC SDN
/// list): one address a line, blank lines and `#` comments skipped; the coin comes from the file name.
pub fn read_sanctions_list(path: &Path) -> Result<SanctionsListRead, AttributionError> {
    let bytes = std::fs::read(path).map_err(|source| AttributionError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_sanctions_list(path, &bytes)
}

/// Reads a sanctions list from bytes; `file` gives the coin (by its name) and names it in origins.
pub fn parse_sanctions_list(
    file: &Path,
    bytes: &[u8],
) -> Result<SanctionsListRead, AttributionError> {
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let currency =
        sanctions_list_currency(file_name).ok_or_else(|| AttributionError::SanctionsFileName {
            path: file.to_owned(),
        })?;
    // The files carry no entity names: the label says what the list is, the source which file held it.
    let label = "OFAC SDN list: sanctioned address".to_owned();
    let source = format!("OFAC Specially Designated Nationals (SDN) list, as held in {file_name}");
    let origin_file: Arc<Path> = Arc::from(file);
    let mut read = SanctionsListRead {
        currency: currency.clone(),
        tags: Vec::new(),
        rejects: Vec::new(),
    };
    let mut index = 0;
    for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        index += 1;
        let origin = TagOrigin {
            file: Arc::clone(&origin_file),
            line: n as u64 + 1,
            index,
        };
        let address = match std::str::from_utf8(trimmed) {
            Ok(text) => canonical_address(&currency, text),
            Err(_) => Err(RejectReason::NotUtf8),
        };
        match address {
            Ok(address) => read.tags.push(AddressTag {
                address,
                currency: currency.clone(),
                label: label.clone(),
                source: source.clone(),
                category: None,
                abuse: None,
                actor: None,
                // Not stated by the file: GraphSense's name for data published by an authority, which the
                // SDN list is (GraphSense's own Hydra pack from the same sanctions gives it too).
                confidence: Some("authority_data".to_owned()),
                is_cluster_definer: false,
                last_modified: None,
                kind: TagKind::SanctionsList,
                origin,
            }),
            Err(reason) => read.rejects.push(TagReject { origin, reason }),
        }
    }
    Ok(read)
}

/// The coin of a `sanctioned_addresses_<COIN>.txt` file name, as an upper-case ticker (XBT as BTC).
pub fn sanctions_list_currency(file_name: &str) -> Option<String> {
    let coin = file_name
        .strip_prefix("sanctioned_addresses_")?
        .strip_suffix(".txt")?;
    if coin.is_empty() || !coin.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(normalise_currency(coin))
}

/// An address as tags of `currency` are compared: a BTC address checked for mainnet and written the
/// `bitcoin` crate's way (bech32 in lower case); any other, trimmed.
pub fn canonical_address(currency: &str, address: &str) -> Result<String, RejectReason> {
    let address = address.trim();
    if currency != "BTC" {
        return Ok(address.to_owned());
    }
    let invalid = |reason: String| RejectReason::InvalidBitcoinAddress {
        address: address.to_owned(),
        reason,
    };
    let unchecked =
        Address::<NetworkUnchecked>::from_str(address).map_err(|e| invalid(error_chain(&e)))?;
    if !unchecked.is_valid_for_network(Network::Bitcoin) {
        return Err(invalid("an address of a test network".into()));
    }
    Ok(unchecked.assume_checked().to_string())
}

fn normalise_currency(ticker: &str) -> String {
    let upper = ticker.trim().to_uppercase();
    if upper == "XBT" {
        "BTC".to_owned()
    } else {
        upper
    }
}

/// The `bitcoin` crate's errors print only their outer layer ("base58 error"); the cause is in the chain.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

fn yaml_options(input_len: usize) -> serde_saphyr::Options {
    // The defaults (250,000 nodes, 1,000,000 events) are for configuration files and stop the 2 MB packs
    // of real exchanges and CoinJoin coordinators; every node costs at least a byte of input, so limits
    // in proportion to the input stop nothing real while the depth, alias and anchor limits still hold
    // against hostile input.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(input_len.saturating_mul(2));
    budget.max_events = budget.max_events.max(input_len.saturating_mul(4));
    serde_saphyr::options! {
        budget: Some(budget),
        // A repeated key in a tag is a reject of that tag, not an error of the file: they reach the visitors.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        // `.nan` as a label is text like any other; its source text is recovered from the span.
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

/// Tag fields that a header gives to every tag (the GraphSense TagPack schema's tag fields).
const TAG_FIELDS: [&str; 9] = [
    "label",
    "source",
    "category",
    "abuse",
    "currency",
    "confidence",
    "actor",
    "is_cluster_definer",
    "lastmod",
];

/// The header's fields by name (a hostile pack may have many: no linear look-ups per tag).
type Header = HashMap<String, Spanned<RawValue>>;

fn resolve_tag(
    tag: RawTag,
    header: &Header,
    text: &str,
    origin: &TagOrigin,
) -> Result<AddressTag, RejectReason> {
    let entries = match tag {
        RawTag::Mapping(entries) => entries,
        RawTag::Other(found) => return Err(RejectReason::NotAMapping { found }),
    };
    let mut keys = HashSet::with_capacity(entries.len());
    if let Some((key, _)) = entries.iter().find(|(k, _)| !keys.insert(k.as_str())) {
        return Err(RejectReason::KeyRepeated { key: key.clone() });
    }
    // The tag's own value if it sets one, else the header's (not for `address`, which is each tag's own).
    let field = |name: &'static str| -> Result<Option<String>, RejectReason> {
        let own = entries.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let inherited = TAG_FIELDS
            .contains(&name)
            .then(|| header.get(name))
            .flatten();
        for (value, in_header) in [(own, false), (inherited, true)] {
            match value.map(|v| scalar_text(v, text)) {
                Some(ScalarText::Text(t)) => return Ok(Some(t)),
                Some(ScalarText::NotScalar(found)) => {
                    return Err(RejectReason::NotText {
                        field: name,
                        found,
                        in_header,
                    });
                }
                Some(ScalarText::Unset) | None => {}
            }
        }
        Ok(None)
    };
    let required = |name: &'static str| field(name)?.ok_or(RejectReason::Missing { field: name });
    let address = required("address")?;
    let currency = normalise_currency(&required("currency")?);
    let address = canonical_address(&currency, &address)?;
    let is_cluster_definer = match field("is_cluster_definer")? {
        None => false,
        Some(value) => yaml11_bool(&value).ok_or(RejectReason::NotABoolean {
            field: "is_cluster_definer",
            value,
        })?,
    };
    Ok(AddressTag {
        address,
        currency,
        label: required("label")?,
        source: required("source")?,
        category: field("category")?,
        abuse: field("abuse")?,
        actor: field("actor")?,
        confidence: field("confidence")?,
        is_cluster_definer,
        last_modified: field("lastmod")?,
        kind: TagKind::TagPack,
        origin: origin.clone(),
    })
}

/// YAML 1.1's booleans as PyYAML (GraphSense's own reader) resolves them (not `y`/`n`, which it leaves text).
fn yaml11_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

enum ScalarText {
    Text(String),
    /// Null, or blank: the field counts as not set.
    Unset,
    NotScalar(&'static str),
}

/// A field's text as written: strings as parsed (quotes and escapes resolved), numbers and booleans as
/// their source text (`01` stays `01`), trimmed.
fn scalar_text(value: &Spanned<RawValue>, text: &str) -> ScalarText {
    let raw = match &value.value {
        RawValue::Text(t) => t.trim().to_owned(),
        RawValue::Plain(fallback) => {
            let span = value.defined.span();
            let source = span.byte_offset().zip(span.byte_len()).and_then(|(o, l)| {
                let start = usize::try_from(o).ok()?;
                text.get(start..start.checked_add(usize::try_from(l).ok()?)?)
            });
            source.unwrap_or(fallback).trim().to_owned()
        }
        RawValue::Null => String::new(),
        RawValue::Sequence => return ScalarText::NotScalar("a list"),
        RawValue::Mapping => return ScalarText::NotScalar("a mapping"),
    };
    if raw.is_empty() {
        ScalarText::Unset
    } else {
        ScalarText::Text(raw)
    }
}

// What the YAML holds, read with serde visitors that accept any shape, so that a wrong shape becomes a
// reject of one tag rather than an error of the whole file.

enum RawDocument {
    Mapping(RawPack),
    Other(&'static str),
}

struct RawPack {
    header: Vec<(Spanned<String>, Spanned<RawValue>)>,
    tags: TagsField,
    has_actors: bool,
}

enum TagsField {
    Absent,
    Null,
    List(Vec<Spanned<RawTag>>),
    NotAList(&'static str),
    /// The line of the second `tags` key.
    Repeated(u64),
}

enum RawTag {
    Mapping(Vec<(String, Spanned<RawValue>)>),
    Other(&'static str),
}

enum RawValue {
    /// A string scalar, as parsed.
    Text(String),
    /// A number or boolean, whose source text the span gives; the parsed value printed, should it not.
    Plain(String),
    Null,
    Sequence,
    Mapping,
}

/// Implements the visits of every scalar as `$other(kind)`, and of a null as `$null`.
macro_rules! visit_scalars_as {
    ($value:ty, $other:expr, $null:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($other("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($other("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($other("a number"))
        }
        fn visit_i128<E: de::Error>(self, _: i128) -> Result<$value, E> {
            Ok($other("a number"))
        }
        fn visit_u128<E: de::Error>(self, _: u128) -> Result<$value, E> {
            Ok($other("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($other("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$value, E> {
            Ok($other("a text"))
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<$value, E> {
            Ok($other("binary data"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($null)
        }
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok($null)
        }
    };
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de> Deserialize<'de> for RawDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DocumentVisitor;
        impl<'de> Visitor<'de> for DocumentVisitor {
            type Value = RawDocument;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TagPack (a mapping with a `tags` list)")
            }
            visit_scalars_as!(
                RawDocument,
                RawDocument::Other,
                RawDocument::Other("nothing")
            );
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawDocument, A::Error> {
                skip_seq(seq)?;
                Ok(RawDocument::Other("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDocument, A::Error> {
                let mut pack = RawPack {
                    header: Vec::new(),
                    tags: TagsField::Absent,
                    has_actors: false,
                };
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    match key.value.as_str() {
                        "tags" => {
                            let tags = map.next_value::<TagsField>()?;
                            pack.tags = match pack.tags {
                                TagsField::Absent => tags,
                                TagsField::Repeated(line) => TagsField::Repeated(line),
                                _ => TagsField::Repeated(key.referenced.line()),
                            };
                        }
                        "actors" => {
                            map.next_value::<IgnoredAny>()?;
                            pack.has_actors = true;
                        }
                        _ => {
                            let value = map.next_value::<Spanned<RawValue>>()?;
                            pack.header.push((key, value));
                        }
                    }
                }
                Ok(RawDocument::Mapping(pack))
            }
        }
        deserializer.deserialize_any(DocumentVisitor)
    }
}

impl<'de> Deserialize<'de> for TagsField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagsVisitor;
        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = TagsField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of tags")
            }
            visit_scalars_as!(TagsField, TagsField::NotAList, TagsField::Null);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TagsField, A::Error> {
                let mut tags = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(tag) = seq.next_element::<Spanned<RawTag>>()? {
                    tags.push(tag);
                }
                Ok(TagsField::List(tags))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TagsField, A::Error> {
                skip_map(map)?;
                Ok(TagsField::NotAList("a mapping"))
            }
        }
        deserializer.deserialize_any(TagsVisitor)
    }
}

impl<'de> Deserialize<'de> for RawTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagVisitor;
        impl<'de> Visitor<'de> for TagVisitor {
            type Value = RawTag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tag (a mapping with an address)")
            }
            visit_scalars_as!(RawTag, RawTag::Other, RawTag::Other("empty (null)"));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawTag, A::Error> {
                skip_seq(seq)?;
                Ok(RawTag::Other("a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTag, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Spanned<RawValue>>()?;
                    entries.push((key, value));
                }
                Ok(RawTag::Mapping(entries))
            }
        }
        deserializer.deserialize_any(TagVisitor)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field's value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawValue, E> {
                Ok(RawValue::Plain(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Text(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawValue, E> {
                Ok(RawValue::Text(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
                RawValue::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawValue, A::Error> {
                skip_seq(seq)?;
                Ok(RawValue::Sequence)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawValue, A::Error> {
                skip_map(map)?;
                Ok(RawValue::Mapping)
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(yaml: &str) -> TagPackRead {
        parse_tagpack(Path::new("inline.yaml"), yaml.as_bytes()).unwrap()
    }

    const HEADER: &str = "title: Test pack\ncreator: Someone\nlabel: Pack label\nsource: https://example.org/pack\ncategory: market\ncurrency: BTC\nconfidence: forensic\nactor: someactor\nis_cluster_definer: true\nlastmod: 2023-05-10\n";

    #[test]
    fn header_fields_apply_to_every_tag() {
        let read = pack(&format!(
            "{HEADER}tags:\n- address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\n"
        ));
        assert_eq!(read.title.as_deref(), Some("Test pack"));
        assert_eq!(read.creator.as_deref(), Some("Someone"));
        assert_eq!(read.last_modified.as_deref(), Some("2023-05-10"));
        assert!(read.rejects.is_empty(), "{:?}", read.rejects);
        let tag = &read.tags[0];
        assert_eq!(tag.address, "1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA");
        assert_eq!(tag.currency, "BTC");
        assert_eq!(tag.label, "Pack label");
        assert_eq!(tag.source, "https://example.org/pack");
        assert_eq!(tag.category.as_deref(), Some("market"));
        assert_eq!(tag.actor.as_deref(), Some("someactor"));
        assert_eq!(tag.confidence.as_deref(), Some("forensic"));
        assert!(tag.is_cluster_definer);
        assert_eq!(tag.last_modified.as_deref(), Some("2023-05-10"));
        assert_eq!(tag.kind, TagKind::TagPack);
        assert_eq!((tag.origin.line, tag.origin.index), (12, 1));
    }

    #[test]
    fn a_tag_overrides_the_header() {
        let read = pack(&format!(
            "{HEADER}tags:\n- address: '0xD7f0E24Bd353404752F61c16EFed0847998B1205'\n  currency: eth\n  label: Own label\n  source: own source text\n  category: exchange\n  actor: other\n  confidence: service_data\n  is_cluster_definer: no\n  lastmod: 2024-01-01\n"
        ));
        let tag = &read.tags[0];
        assert_eq!(tag.address, "0xD7f0E24Bd353404752F61c16EFed0847998B1205");
        assert_eq!(tag.currency, "ETH");
        assert_eq!(tag.label, "Own label");
        assert_eq!(tag.source, "own source text");
        assert_eq!(tag.category.as_deref(), Some("exchange"));
        assert_eq!(tag.actor.as_deref(), Some("other"));
        assert_eq!(tag.confidence.as_deref(), Some("service_data"));
        assert!(!tag.is_cluster_definer);
        assert_eq!(tag.last_modified.as_deref(), Some("2024-01-01"));
    }

    #[test]
    fn null_or_blank_tag_fields_inherit_and_scalars_keep_their_text() {
        let read = pack(&format!(
            "{HEADER}tags:\n- address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\n  label:\n  actor: '  '\n- address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: 01\n  category: .nan\n  actor: true\n"
        ));
        assert!(read.rejects.is_empty(), "{:?}", read.rejects);
        assert_eq!(read.tags[0].label, "Pack label");
        assert_eq!(read.tags[0].actor.as_deref(), Some("someactor"));
        assert_eq!(read.tags[1].label, "01");
        assert_eq!(read.tags[1].category.as_deref(), Some(".nan"));
        assert_eq!(read.tags[1].actor.as_deref(), Some("true"));
    }

    #[test]
    fn aliased_scalars_keep_the_text_of_their_anchor() {
        let read = pack(&format!(
            "{HEADER}tags:\n- address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\n  label: &l 007\n- address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: *l\n"
        ));
        assert!(read.rejects.is_empty(), "{:?}", read.rejects);
        assert_eq!(read.tags[0].label, "007");
        assert_eq!(read.tags[1].label, "007");
    }

    #[test]
    fn bitcoin_addresses_are_canonical_and_xbt_is_btc() {
        let read = pack(
            "source: s\nlabel: l\ntags:\n- address: BC1QJ6J6P0JDEFL6PVDZX3KX8245YY5MZ6Q4LUHZES\n  currency: XBT\n- address: ' 3KvBX3jo69Qn8jHy44M33RYoeYcf8DdRBD '\n  currency: btc\n",
        );
        assert!(read.rejects.is_empty(), "{:?}", read.rejects);
        assert_eq!(
            read.tags[0].address,
            "bc1qj6j6p0jdefl6pvdzx3kx8245yy5mz6q4luhzes"
        );
        assert_eq!(read.tags[0].currency, "BTC");
        assert_eq!(read.tags[1].address, "3KvBX3jo69Qn8jHy44M33RYoeYcf8DdRBD");
    }

    #[test]
    fn rejects_name_the_tag_and_the_reason_and_the_rest_is_read() {
        let read = pack(
            "title: t\nsource: s\ncurrency: BTC\ntags:\n\
             - address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\n  label: good\n\
             - label: no address\n\
             - address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n\
             - address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbB\n  label: bad checksum\n\
             - address: tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx\n  label: testnet\n\
             - just text\n\
             - address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: [a, b]\n\
             - address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: x\n  label: y\n\
             - address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: x\n  is_cluster_definer: maybe\n\
             - address: 1MQBDeRWsiJBf7K1VGjJ7PWEL6GJXMfmLg\n  label: last good\n",
        );
        let labels: Vec<&str> = read.tags.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["good", "last good"]);
        assert_eq!(read.tags[1].origin.index, 10);
        assert_eq!(read.tags[1].origin.line, 22);
        let rejects: Vec<(u64, usize, &RejectReason)> = read
            .rejects
            .iter()
            .map(|r| (r.origin.line, r.origin.index, &r.reason))
            .collect();
        assert_eq!(rejects.len(), 8);
        assert_eq!(rejects[0].0, 7);
        assert_eq!(rejects[0].1, 2);
        assert_eq!(rejects[0].2, &RejectReason::Missing { field: "address" });
        assert_eq!(rejects[1].2, &RejectReason::Missing { field: "label" });
        assert!(matches!(
            rejects[2].2,
            RejectReason::InvalidBitcoinAddress { reason, .. } if reason.contains("checksum")
        ));
        assert!(matches!(
            rejects[3].2,
            RejectReason::InvalidBitcoinAddress { reason, .. } if reason.contains("test network")
        ));
        assert_eq!(rejects[4].2, &RejectReason::NotAMapping { found: "a text" });
        assert_eq!(
            rejects[5].2,
            &RejectReason::NotText {
                field: "label",
                found: "a list",
                in_header: false
            }
        );
        assert_eq!(
            rejects[6].2,
            &RejectReason::KeyRepeated {
                key: "label".into()
            }
        );
        assert_eq!(
            rejects[7].2,
            &RejectReason::NotABoolean {
                field: "is_cluster_definer",
                value: "maybe".into()
            }
        );
        assert_eq!(
            read.rejects[0].to_string(),
            "inline.yaml: line 7 (tag 2): no address, neither in the tag nor in the pack's header"
        );
    }

    #[test]
    fn files_that_are_no_tagpack_are_errors_naming_file_and_line() {
        let error = |yaml: &[u8]| parse_tagpack(Path::new("p.yaml"), yaml).unwrap_err();
        match error(b"title: x\ntags: [\n") {
            AttributionError::Yaml { line, path, .. } => {
                assert_eq!(line, 2);
                assert_eq!(path, Path::new("p.yaml"));
            }
            other => panic!("{other}"),
        }
        assert!(matches!(
            error(b"title: x\nactors:\n- id: a\n"),
            AttributionError::ActorPack { .. }
        ));
        assert!(matches!(
            error(b"title: x\n"),
            AttributionError::NotATagPack { .. }
        ));
        assert!(matches!(
            error(b"- a\n- b\n"),
            AttributionError::NotATagPack { .. }
        ));
        assert!(matches!(
            error(b"tags: 5\n"),
            AttributionError::NotATagPack { .. }
        ));
        assert!(matches!(
            error(b"label: a\nlabel: b\ntags: []\n"),
            AttributionError::HeaderKeyRepeated { line: 2, .. }
        ));
        assert!(matches!(
            error(b"title: x\n\ntitle: \xff\n"),
            AttributionError::NotUtf8 { line: 3, .. }
        ));
        let message = error(b"title: x\ntags: [\n").to_string();
        assert!(message.starts_with("p.yaml: line 2, column"), "{message}");
    }

    #[test]
    fn sanctions_lists_take_the_coin_from_the_file_name() {
        assert_eq!(
            sanctions_list_currency("sanctioned_addresses_XBT.txt").as_deref(),
            Some("BTC")
        );
        assert_eq!(
            sanctions_list_currency("sanctioned_addresses_ETH.txt").as_deref(),
            Some("ETH")
        );
        assert_eq!(sanctions_list_currency("sanctioned_addresses_.txt"), None);
        assert_eq!(sanctions_list_currency("addresses.txt"), None);

        let read = parse_sanctions_list(
            Path::new("lists/sanctioned_addresses_XBT.txt"),
            b"# comment\n\n1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\r\n  not-an-address  \nBC1QJ6J6P0JDEFL6PVDZX3KX8245YY5MZ6Q4LUHZES",
        )
        .unwrap();
        assert_eq!(read.currency, "BTC");
        let addresses: Vec<(&str, u64, usize)> = read
            .tags
            .iter()
            .map(|t| (t.address.as_str(), t.origin.line, t.origin.index))
            .collect();
        assert_eq!(
            addresses,
            [
                ("1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA", 3, 1),
                ("bc1qj6j6p0jdefl6pvdzx3kx8245yy5mz6q4luhzes", 5, 3)
            ]
        );
        assert_eq!(
            (read.rejects[0].origin.line, read.rejects[0].origin.index),
            (4, 2)
        );
        assert!(read.tags[0].source.contains("sanctioned_addresses_XBT.txt"));
        assert_eq!(read.tags[0].kind, TagKind::SanctionsList);
        assert!(matches!(
            parse_sanctions_list(Path::new("list.txt"), b""),
            Err(AttributionError::SanctionsFileName { .. })
        ));
    }
}
