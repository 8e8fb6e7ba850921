//! Facts about an ASCII-armored OpenPGP public key: the fingerprint that links accounts across markets,
//! and what the key says about its owner (user ids, e-mail addresses, creation time).
//!
//! Parsing is strict on purpose. A fingerprint read from damaged armor could join two accounts that
//! share nothing, so a block whose CRC24 does not match is rejected, although RFC 9580 lets readers skip
//! that check. Every failure becomes a [`PgpError`] with a reason an analyst can read; nothing panics.
//!
//! Keys pasted into profiles and messages reach us through scrapers and HTML: line breaks become
//! `<br>`, lines get indented, blank lines appear, or the whole block is flattened onto one line. A
//! block that does not parse as written is rebuilt from its body lines when that is unambiguous (see
//! [`ArmorRepair`]); the repair is recorded in [`PgpInfo::repairs`], and the CRC24, when present, still
//! has to match the rebuilt data, so a repair can never produce a key the text did not contain.

use std::io::{BufRead, Read};

use ::pgp::armor::{ArmorCrc24Status, Dearmor, DearmorOptions};
use ::pgp::composed::{Deserializable, SignedPublicKey};
use ::pgp::crypto::ecc_curve::ECCCurve;
use ::pgp::crypto::public_key::PublicKeyAlgorithm;
use ::pgp::packet::Signature;
use ::pgp::ser::Serialize;
use ::pgp::types::{
    EcdhPublicParams, EcdsaPublicParams, EddsaLegacyPublicParams, KeyDetails, PublicParams,
};

use crate::handles::{HandleKind, find_contact_handles};

/// What a public key tells about its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgpInfo {
    /// Upper-case hex fingerprint of the primary key (40 digits for v4, 64 for v6).
    pub fingerprint: String,
    /// Upper-case hex 64-bit key id (16 digits), what older tools and forum posts quote.
    pub key_id: String,
    /// Primary key algorithm: rsa, dsa, ecdsa, eddsa-legacy, ed25519 ...
    pub algorithm: String,
    /// Modulus (RSA) or prime (DSA, Elgamal) size in bits; `None` for elliptic-curve keys.
    pub bits: Option<u32>,
    /// Curve of an elliptic-curve key, in GnuPG's names: ed25519, cv25519, nistp256, secp256k1 ...
    pub curve: Option<String>,
    /// Creation time the key claims, Unix seconds. The owner's clock, not proof of anything.
    pub created_at: i64,
    /// Expiry the newest self-signature claims, Unix seconds; `None` when it sets none. Signatures are
    /// not verified, so this too is a claim.
    pub expires_at: Option<i64>,
    /// User ids as written (invalid UTF-8 replaced), in packet order.
    pub user_ids: Vec<String>,
    /// Lower-case e-mail addresses found in the user ids, in order, without repeats.
    pub emails: Vec<String>,
    /// Upper-case hex fingerprints of the subkeys, in packet order.
    pub subkey_fingerprints: Vec<String>,
    /// What had to be undone in the text before the armor could be read; empty when read as written.
    pub repairs: Vec<ArmorRepair>,
}

/// A change made to scraped armor before reading it. Each is applied only where the armor grammar
/// leaves one reading (base64 never contains `<`, `>`, `&`, `:` or spaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArmorRepair {
    /// HTML tags (`<br>`, `<p>`, `<div>` become line breaks, others are dropped) and the entities
    /// `&nbsp;`, `&#10;`, `&#13;` removed.
    HtmlMarkup,
    /// Spaces or tabs before or after armor lines removed.
    Whitespace,
    /// Blank lines inside the body removed, or the blank line after the headers restored.
    LineStructure,
    /// The block was flattened onto one line with spaces for line breaks; the body was split at the
    /// spaces and, when there were headers, where the CRC24 confirmed the body starts.
    SpacesForLineBreaks,
}

impl ArmorRepair {
    pub fn as_str(self) -> &'static str {
        match self {
            ArmorRepair::HtmlMarkup => "html-markup",
            ArmorRepair::Whitespace => "whitespace",
            ArmorRepair::LineStructure => "line-structure",
            ArmorRepair::SpacesForLineBreaks => "spaces-for-line-breaks",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgpError {
    #[error("empty key text")]
    Empty,
    #[error("no '-----BEGIN PGP PUBLIC KEY BLOCK-----' line")]
    NotArmored,
    #[error("a PGP private key block, not a public key (its owner published their secret key)")]
    PrivateKey,
    #[error("a '{0}' block, not a public key")]
    WrongBlock(String),
    #[error("truncated: no '-----END PGP PUBLIC KEY BLOCK-----' line")]
    Truncated,
    #[error("armor checksum (CRC24) does not match the data: the text was altered or damaged")]
    Checksum,
    #[error("bad armor: {0}")]
    BadArmor(String),
    #[error("not a valid public key: {0}")]
    Malformed(String),
}

impl PgpError {
    /// A stable short name of the kind of failure, for counting and for test expectations.
    pub fn code(&self) -> &'static str {
        match self {
            PgpError::Empty => "empty",
            PgpError::NotArmored => "not-armored",
            PgpError::PrivateKey => "private-key",
            PgpError::WrongBlock(_) => "wrong-block",
            PgpError::Truncated => "truncated",
            PgpError::Checksum => "checksum",
            PgpError::BadArmor(_) => "bad-armor",
            PgpError::Malformed(_) => "malformed",
        }
    }
}

/// A key block found in free text. `start..end` are the byte offsets of the block, BEGIN line through
/// END line; for a block without END line, through its last line that still looks like armor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundKey {
    pub start: usize,
    pub end: usize,
    pub result: Result<PgpInfo, PgpError>,
}

const BEGIN: &str = "-----BEGIN PGP ";

/// [`BEGIN`] searched for in every profile, message and description as it is ingested: a searcher built
/// once, where `str::find` builds one for each text: the key search over a 106 MB dump's texts took
/// 55.8M instructions with `str::find`, 10.5M with this.
static BEGIN_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(BEGIN));

fn find_begin(text: &str) -> Option<usize> {
    BEGIN_FINDER.find(text.as_bytes())
}
const PUBLIC_LABEL: &str = "PUBLIC KEY BLOCK";
const PUBLIC_BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const PUBLIC_END: &str = "-----END PGP PUBLIC KEY BLOCK-----";
/// Far above any real key with photos; bounds memory on hostile input.
const MAX_ARMOR_BYTES: usize = 8 * 1024 * 1024;

/// Parses the first key of the first public key block in `armored`. Text before the BEGIN line and after the END line
/// is ignored, since key columns often carry a line of prose around the block.
pub fn parse_public_key(armored: &str) -> Result<PgpInfo, PgpError> {
    if armored.trim().is_empty() {
        return Err(PgpError::Empty);
    }
    let block = locate_public_block(armored)?;
    parse_block_guarded(block)
}

/// Every public key block in `text` (a profile, message or listing description), in order, each with
/// its position and what it holds or why it cannot be read. Private key blocks are reported too, as
/// [`PgpError::PrivateKey`]; other PGP blocks (messages, signatures) are not keys and are skipped.
pub fn find_public_keys(text: &str) -> Vec<FoundKey> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(relative) = text.get(from..).and_then(find_begin) {
        let start = from + relative;
        let after_marker = start + BEGIN.len();
        let label = text[after_marker..]
            .split("-----")
            .next()
            .unwrap_or_default();
        let end_marker = match label.trim() {
            PUBLIC_LABEL => PUBLIC_END,
            "PRIVATE KEY BLOCK" => "-----END PGP PRIVATE KEY BLOCK-----",
            "SECRET KEY BLOCK" => "-----END PGP SECRET KEY BLOCK-----",
            _ => {
                from = after_marker;
                continue;
            }
        };
        // The block ends at its END line, unless another block begins first: then it was cut off.
        let next_begin = find_begin(&text[after_marker..]).map(|i| after_marker + i);
        let end_line = text[after_marker..]
            .find(end_marker)
            .map(|i| after_marker + i + end_marker.len())
            .filter(|&end| next_begin.is_none_or(|next| end <= next));
        let (end, result) = match end_line {
            Some(end) if end_marker == PUBLIC_END => (end, parse_block_guarded(&text[start..end])),
            Some(end) => (end, Err(PgpError::PrivateKey)),
            None => {
                let limit = next_begin.unwrap_or(text.len());
                let end = armor_run_end(text, after_marker, limit);
                let error = if end_marker == PUBLIC_END {
                    PgpError::Truncated
                } else {
                    PgpError::PrivateKey
                };
                (end, Err(error))
            }
        };
        found.push(FoundKey { start, end, result });
        from = end.max(after_marker);
    }
    found
}

/// The end of the last line from `from` (up to `limit`) that still looks like armor, for a block
/// whose END line is missing: the span should cover what is left of the key, not the prose after it.
fn armor_run_end(text: &str, from: usize, limit: usize) -> usize {
    let region = &text[from..limit];
    // The rest of the BEGIN line belongs to the block whatever it holds.
    let first_break = region.find('\n').unwrap_or(region.len());
    let mut end = from + first_break;
    let mut at = first_break;
    while at < region.len() {
        let line_start = at + 1;
        let line_end = region[line_start.min(region.len())..]
            .find('\n')
            .map_or(region.len(), |i| line_start + i);
        let line = region.get(line_start..line_end).unwrap_or_default();
        let bare = strip_markup(line);
        let bare = bare.trim();
        let looks_like_armor =
            bare.is_empty() || is_header(bare) || bare.bytes().all(|b| is_base64(b) || b == b' ');
        if !looks_like_armor {
            break;
        }
        if !bare.is_empty() {
            end = from + line_end.min(region.len());
        }
        at = line_end;
    }
    end
}

/// Slices the armored public key block (BEGIN line through END line) out of `text`.
fn locate_public_block(text: &str) -> Result<&str, PgpError> {
    let begin = text.find(BEGIN).ok_or(PgpError::NotArmored)?;
    let after_begin = &text[begin + BEGIN.len()..];
    let label = after_begin.split("-----").next().unwrap_or_default().trim();
    if label != PUBLIC_LABEL {
        if label == "PRIVATE KEY BLOCK" || label == "SECRET KEY BLOCK" {
            return Err(PgpError::PrivateKey);
        }
        let shown: String = label.chars().take(40).collect();
        return Err(PgpError::WrongBlock(format!("PGP {shown}")));
    }
    let end_rel = after_begin.find(PUBLIC_END).ok_or(PgpError::Truncated)?;
    let end = begin + BEGIN.len() + end_rel + PUBLIC_END.len();
    Ok(&text[begin..end])
}

/// rPGP is not written against hostile input the way a seized database is; a panic in it must cost
/// one key, not the whole ingest.
fn parse_block_guarded(block: &str) -> Result<PgpInfo, PgpError> {
    std::panic::catch_unwind(|| parse_block(block)).unwrap_or_else(|_| {
        Err(PgpError::Malformed(
            "the OpenPGP parser failed on this input".into(),
        ))
    })
}

/// Reads a block as written; when that fails and the block can be rebuilt unambiguously, reads the
/// rebuilt block instead and records the repairs (its error then names the real problem).
fn parse_block(block: &str) -> Result<PgpInfo, PgpError> {
    // Markets and scrapers turn "\n" into "\r\n" and back; the armor grammar wants plain lines.
    let normalized;
    let block = if block.contains('\r') {
        normalized = block.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        block
    };
    let as_written = parse_armor(block);
    if as_written.is_ok() {
        return as_written;
    }
    let Some(inner) = block
        .strip_prefix(PUBLIC_BEGIN)
        .and_then(|rest| rest.strip_suffix(PUBLIC_END))
    else {
        return as_written;
    };
    let Some(candidates) = rebuild(inner) else {
        return as_written;
    };
    let mut last = as_written;
    for (armor, repairs) in candidates {
        match parse_armor(&armor) {
            Ok(mut info) => {
                info.repairs = repairs;
                return Ok(info);
            }
            Err(err) => last = Err(err),
        }
    }
    last
}

fn parse_armor(block: &str) -> Result<PgpInfo, PgpError> {
    let packets = dearmor(block.as_bytes())?;
    let key = SignedPublicKey::from_bytes(packets.as_slice())
        .map_err(|e| PgpError::Malformed(e.to_string()))?;
    Ok(describe(&key))
}

fn dearmor(input: impl BufRead) -> Result<Vec<u8>, PgpError> {
    // rPGP 0.21's own opt-in CRC24 check (`enable_crc24_check`) updates a copy of its hasher and so
    // rejects every key that has a checksum; the footer is therefore read unchecked and verified here.
    let options = DearmorOptions::new().set_limit(MAX_ARMOR_BYTES);
    let mut reader = Dearmor::with_options(input, options);
    let mut packets = Vec::new();
    reader
        .read_to_end(&mut packets)
        .map_err(|err| PgpError::BadArmor(err.to_string()))?;
    if let ArmorCrc24Status::Unchecked { footer_crc } = reader.crc24_status()
        && crc24::hash_raw(&packets) != footer_crc
    {
        return Err(PgpError::Checksum);
    }
    if packets.is_empty() {
        return Err(PgpError::Malformed("the armor holds no data".into()));
    }
    Ok(packets)
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// An armor header line ("Version: GnuPG v2", "Comment: https://...").
fn is_header(line: &str) -> bool {
    line.split_once(':').is_some_and(|(key, _)| {
        !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// The CRC24 line: `=` and four base64 characters.
fn is_checksum_line(line: &str) -> bool {
    line.len() == 5 && line.starts_with('=') && line.bytes().skip(1).all(is_base64)
}

/// Tags that stand for a line break in scraped HTML.
const LINE_BREAK_TAGS: &[&str] = &["br", "p", "div", "li", "pre", "tr"];

/// `line` with HTML tags and the entities scrapes leave in armor replaced: line-break tags by `\n`,
/// other tags by nothing, `&nbsp;` by a space. A `<` without its `>` is kept (the caller then sees a
/// line that is not armor).
fn strip_markup(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains(['<', '&']) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('<') {
            let Some(close) = tail.find('>').filter(|&c| c <= 64) else {
                out.push_str(tail);
                return std::borrow::Cow::Owned(out);
            };
            let name = tail[1..close]
                .trim_start_matches('/')
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            rest = &tail[close + 1..];
            // "<br>\n" in HTML source is one line break, not two.
            let newline_follows = rest.trim_start_matches([' ', '\t']).starts_with('\n');
            if LINE_BREAK_TAGS.contains(&name.as_str()) && !newline_follows {
                out.push('\n');
            }
        } else {
            let (entity, replacement) = [("&nbsp;", " "), ("&#10;", "\n"), ("&#13;", "")]
                .into_iter()
                .find(|(e, _)| tail.starts_with(e))
                .unwrap_or(("&", "&"));
            out.push_str(replacement);
            rest = &tail[entity.len()..];
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Canonical armor blocks to try for the text between a BEGIN and END line, each with the repairs it
/// took, or `None` when the text holds something that is neither armor nor a known scrape artefact.
/// Headers are dropped: they carry nothing the key facts depend on.
fn rebuild(inner: &str) -> Option<Vec<(String, Vec<ArmorRepair>)>> {
    let mut repairs = Vec::new();
    let stripped = strip_markup(inner);
    if stripped != inner {
        repairs.push(ArmorRepair::HtmlMarkup);
    }
    let content_lines: Vec<&str> = stripped
        .split('\n')
        .map(|l| l.trim_matches([' ', '\t']))
        .filter(|l| !l.is_empty())
        .collect();
    if content_lines.len() == 1 && content_lines[0].contains([' ', '\t']) {
        return rebuild_flattened(content_lines[0], repairs);
    }
    let mut headers_done = false;
    let mut body: Vec<&str> = Vec::new();
    let mut checksum = None;
    let mut blank_after_headers = false;
    let mut had_headers = false;
    for raw_line in stripped.split('\n') {
        let line = raw_line.trim_matches([' ', '\t']);
        if line != raw_line && !line.is_empty() && !repairs.contains(&ArmorRepair::Whitespace) {
            repairs.push(ArmorRepair::Whitespace);
        }
        if line.is_empty() {
            if had_headers && !headers_done {
                blank_after_headers = true;
                headers_done = true;
            } else if !body.is_empty() && checksum.is_none() {
                push_once(&mut repairs, ArmorRepair::LineStructure);
            }
            continue;
        }
        if checksum.is_some() {
            return None;
        }
        if !headers_done && body.is_empty() && is_header(line) {
            had_headers = true;
            continue;
        }
        headers_done = true;
        if is_checksum_line(line) {
            checksum = Some(line);
        } else if line.bytes().all(is_base64) {
            body.push(line);
        } else {
            return None;
        }
    }
    if had_headers && !blank_after_headers {
        push_once(&mut repairs, ArmorRepair::LineStructure);
    }
    if repairs.is_empty() || body.is_empty() {
        return None;
    }
    Some(vec![(canonical_armor(&body, checksum), repairs)])
}

/// A block flattened onto one line: `[headers] body tokens [=CRC]`. Header values are free text, so
/// where the body starts is known only when no token holds a `:`, or else by trying each start after
/// the last header token and keeping those the CRC24 confirms (the parse checks it).
fn rebuild_flattened(
    line: &str,
    mut repairs: Vec<ArmorRepair>,
) -> Option<Vec<(String, Vec<ArmorRepair>)>> {
    push_once(&mut repairs, ArmorRepair::SpacesForLineBreaks);
    let mut tokens: Vec<&str> = line.split_whitespace().collect();
    let checksum = tokens
        .last()
        .copied()
        .filter(|t| is_checksum_line(t))
        .inspect(|_| {
            tokens.pop();
        });
    let header_end = tokens.iter().rposition(|t| t.contains(':')).map(|i| i + 1);
    let starts: Vec<usize> = match (header_end, checksum) {
        (None, _) => vec![0],
        // Without a CRC nothing could confirm where free-text header values end.
        (Some(_), None) => return None,
        // Header values are short; a few tokens of them are tried at most.
        (Some(first), Some(_)) => (first..tokens.len().min(first + 8)).collect(),
    };
    let candidates: Vec<(String, Vec<ArmorRepair>)> = starts
        .into_iter()
        .filter_map(|start| {
            let body = tokens.get(start..)?;
            (!body.is_empty() && body.iter().all(|t| t.bytes().all(is_base64)))
                .then(|| (canonical_armor(body, checksum), repairs.clone()))
        })
        .collect();
    (!candidates.is_empty()).then_some(candidates)
}

fn push_once(repairs: &mut Vec<ArmorRepair>, repair: ArmorRepair) {
    if !repairs.contains(&repair) {
        repairs.push(repair);
    }
}

fn canonical_armor(body: &[&str], checksum: Option<&str>) -> String {
    let mut armor = String::with_capacity(body.iter().map(|l| l.len() + 1).sum::<usize>() + 100);
    armor.push_str(PUBLIC_BEGIN);
    armor.push_str("\n\n");
    for line in body {
        armor.push_str(line);
        armor.push('\n');
    }
    if let Some(crc) = checksum {
        armor.push_str(crc);
        armor.push('\n');
    }
    armor.push_str(PUBLIC_END);
    armor.push('\n');
    armor
}

fn describe(key: &SignedPublicKey) -> PgpInfo {
    let user_ids: Vec<String> = key
        .details
        .users
        .iter()
        .map(|user| String::from_utf8_lossy(user.id.id()).into_owned())
        .collect();
    let mut emails: Vec<String> = Vec::new();
    for uid in &user_ids {
        for found in find_contact_handles(uid) {
            // A Jabber ID in a user id is an address of the same shape; keys name mailboxes.
            let mailbox = matches!(found.kind, HandleKind::Email | HandleKind::Xmpp)
                && found.handle.contains('@');
            if mailbox && !emails.contains(&found.handle) {
                emails.push(found.handle);
            }
        }
    }
    let created_at = i64::from(key.created_at().as_secs());
    let (bits, curve) = size_and_curve(key.public_params());
    PgpInfo {
        fingerprint: format!("{:X}", key.fingerprint()),
        key_id: upper_hex(key.legacy_key_id().as_ref()),
        algorithm: algorithm_name(key.algorithm()),
        bits,
        curve,
        created_at,
        expires_at: expiry(key, created_at),
        user_ids,
        emails,
        subkey_fingerprints: key
            .public_subkeys
            .iter()
            .map(|sub| format!("{:X}", sub.key.fingerprint()))
            .collect(),
        repairs: Vec::new(),
    }
}

/// The key expiry of the newest self-signature (direct-key or on a user id), as RFC 9580 5.2.3.3 has
/// the newest self-signature win. A zero duration means "does not expire".
fn expiry(key: &SignedPublicKey, created_at: i64) -> Option<i64> {
    let key_id = key.legacy_key_id();
    let fingerprint = key.fingerprint();
    let by_self = |sig: &&Signature| {
        sig.issuer_key_id().iter().any(|id| **id == key_id)
            || sig
                .issuer_fingerprint()
                .iter()
                .any(|fp| **fp == fingerprint)
    };
    let newest = key
        .details
        .direct_signatures
        .iter()
        .chain(key.details.users.iter().flat_map(|u| u.signatures.iter()))
        .filter(by_self)
        .max_by_key(|sig| sig.created().map(|t| t.as_secs()))?;
    let seconds = newest.key_expiration_time()?.as_secs();
    (seconds > 0).then(|| created_at + i64::from(seconds))
}

/// Key size for the integer-based algorithms (the bit count of the first MPI, n or p, as the packet
/// states it) and the curve for elliptic-curve ones.
fn size_and_curve(params: &PublicParams) -> (Option<u32>, Option<String>) {
    let curve = |name: &str| (None, Some(name.to_string()));
    match params {
        PublicParams::RSA(_) | PublicParams::DSA(_) | PublicParams::Elgamal(_) => {
            let bits = params
                .to_bytes()
                .ok()
                .and_then(|b| Some(u32::from(u16::from_be_bytes([*b.first()?, *b.get(1)?]))));
            (bits, None)
        }
        PublicParams::EdDSALegacy(EddsaLegacyPublicParams::Ed25519 { .. })
        | PublicParams::Ed25519(_) => curve("ed25519"),
        PublicParams::EdDSALegacy(EddsaLegacyPublicParams::Unsupported { curve: c, .. }) => {
            curve(&curve_name(c))
        }
        PublicParams::Ed448(_) => curve("ed448"),
        PublicParams::X25519(_) => curve("x25519"),
        PublicParams::X448(_) => curve("x448"),
        PublicParams::ECDH(ecdh) => match ecdh {
            EcdhPublicParams::Curve25519Legacy { .. } => curve("cv25519"),
            EcdhPublicParams::P256 { .. } => curve("nistp256"),
            EcdhPublicParams::P384 { .. } => curve("nistp384"),
            EcdhPublicParams::P521 { .. } => curve("nistp521"),
            EcdhPublicParams::Brainpool256 { .. } => curve("brainpoolP256r1"),
            EcdhPublicParams::Brainpool384 { .. } => curve("brainpoolP384r1"),
            EcdhPublicParams::Brainpool512 { .. } => curve("brainpoolP512r1"),
            EcdhPublicParams::Unsupported { curve: c, .. } => curve(&curve_name(c)),
        },
        PublicParams::ECDSA(ecdsa) => match ecdsa {
            EcdsaPublicParams::P256 { .. } => curve("nistp256"),
            EcdsaPublicParams::P384 { .. } => curve("nistp384"),
            EcdsaPublicParams::P521 { .. } => curve("nistp521"),
            EcdsaPublicParams::Secp256k1 { .. } => curve("secp256k1"),
            EcdsaPublicParams::Unsupported { curve: c, .. } => curve(&curve_name(c)),
        },
        #[allow(unreachable_patterns)]
        _ => (None, None),
    }
}

fn curve_name(curve: &ECCCurve) -> String {
    curve.name().to_lowercase()
}

fn upper_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// Stable lower-case names, so stored values do not change when rPGP renames a variant.
fn algorithm_name(alg: PublicKeyAlgorithm) -> String {
    let name = match alg {
        PublicKeyAlgorithm::RSA => "rsa",
        PublicKeyAlgorithm::RSAEncrypt => "rsa-encrypt",
        PublicKeyAlgorithm::RSASign => "rsa-sign",
        PublicKeyAlgorithm::ElgamalEncrypt | PublicKeyAlgorithm::Elgamal => "elgamal",
        PublicKeyAlgorithm::DSA => "dsa",
        PublicKeyAlgorithm::ECDH => "ecdh",
        PublicKeyAlgorithm::ECDSA => "ecdsa",
        PublicKeyAlgorithm::EdDSALegacy => "eddsa-legacy",
        PublicKeyAlgorithm::X25519 => "x25519",
        PublicKeyAlgorithm::X448 => "x448",
        PublicKeyAlgorithm::Ed25519 => "ed25519",
        PublicKeyAlgorithm::Ed448 => "ed448",
        other => return format!("{other:?}").to_lowercase(),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_a_block_is_not_armored() {
        assert_eq!(parse_public_key("   \n"), Err(PgpError::Empty));
        assert_eq!(
            parse_public_key("my key is on the market page"),
            Err(PgpError::NotArmored)
        );
    }

    #[test]
    fn other_block_types_are_named_in_the_error() {
        let msg = "-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n";
        assert_eq!(
            parse_public_key(msg),
            Err(PgpError::WrongBlock("PGP MESSAGE".into()))
        );
        let private =
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ\n-----END PGP PRIVATE KEY BLOCK-----";
        assert_eq!(parse_public_key(private), Err(PgpError::PrivateKey));
    }

    #[test]
    fn a_block_without_end_line_is_truncated() {
        let cut = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ";
        assert_eq!(parse_public_key(cut), Err(PgpError::Truncated));
    }

    #[test]
    fn garbage_inside_a_block_is_an_error_not_a_panic() {
        for body in [
            "",
            "!!!!",
            "mQINBF",
            "AAAAAAAAAAAAAAAAAAAAAAAA\n=AAAA",
            "\u{0}\u{1}",
        ] {
            let text = format!(
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----\n"
            );
            assert!(parse_public_key(&text).is_err(), "{body:?}");
        }
    }

    const ED25519_KEY: &str = include_str!("../tests/data/keys/ed25519_cv25519.asc");
    const ED25519_FINGERPRINT: &str = "5BD76AC306DBC0432BAF803AA961A49E8F69023E";

    fn fingerprints(text: &str) -> Vec<Result<(String, Vec<ArmorRepair>), &'static str>> {
        find_public_keys(text)
            .into_iter()
            .map(|k| {
                k.result
                    .map(|i| (i.fingerprint, i.repairs))
                    .map_err(|e| e.code())
            })
            .collect()
    }

    #[test]
    fn a_key_joined_by_br_tags_without_newlines_is_repaired() {
        let joined = ED25519_KEY.trim_end().replace('\n', "<br>");
        let text = format!("<p>my key: {joined}</p>");
        assert_eq!(
            fingerprints(&text),
            [Ok((
                ED25519_FINGERPRINT.to_string(),
                vec![ArmorRepair::HtmlMarkup]
            ))]
        );
        // parse_public_key reads the same block the same way.
        let info = parse_public_key(&text).unwrap();
        assert_eq!(info.repairs, [ArmorRepair::HtmlMarkup]);
    }

    #[test]
    fn a_key_as_written_needs_no_repair() {
        assert_eq!(
            fingerprints(ED25519_KEY),
            [Ok((ED25519_FINGERPRINT.to_string(), vec![]))]
        );
    }

    #[test]
    fn markup_that_is_not_a_scrape_artefact_is_not_repaired() {
        // Prose inside the block: no reading of it is a key.
        let lines: Vec<&str> = ED25519_KEY.lines().collect();
        let mut damaged = lines.clone();
        damaged.insert(4, "please verify before ordering");
        let found = fingerprints(&damaged.join("\n"));
        assert_eq!(found.len(), 1);
        assert!(found[0].is_err(), "{found:?}");
        // Indented prose is not whitespace to strip either.
        assert!(rebuild("\n\n  mDMEZ\n  not armor\n").is_none());
    }

    #[test]
    fn private_and_cut_blocks_in_text_are_reported_and_messages_skipped() {
        let text = format!(
            "-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n\
             -----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ\n-----END PGP PRIVATE KEY BLOCK-----\n\
             -----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n\
             {ED25519_KEY}"
        );
        assert_eq!(
            fingerprints(&text),
            [
                Err("private-key"),
                Err("truncated"),
                Ok((ED25519_FINGERPRINT.to_string(), vec![]))
            ]
        );
    }
}
