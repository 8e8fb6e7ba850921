//! Facts about an ASCII-armored OpenPGP public key: the fingerprint that links accounts across markets,
//! and what the key says about its owner (user ids, e-mail addresses, creation time).
//!
//! Parsing is strict on purpose. A fingerprint read from damaged armor could join two accounts that
//! share nothing, so a block whose CRC24 does not match is rejected, although RFC 9580 lets readers skip
//! that check. Every failure becomes a [`PgpError`] with a reason an analyst can read; nothing panics.

use std::io::{BufRead, Read};

use ::pgp::armor::{ArmorCrc24Status, Dearmor, DearmorOptions};
use ::pgp::composed::{Deserializable, SignedPublicKey};
use ::pgp::crypto::public_key::PublicKeyAlgorithm;
use ::pgp::types::KeyDetails;

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
    /// Creation time the key claims, Unix seconds. The owner's clock, not proof of anything.
    pub created_at: i64,
    /// User ids as written (invalid UTF-8 replaced).
    pub user_ids: Vec<String>,
    /// Lower-case e-mail addresses found in the user ids, in order, without repeats.
    pub emails: Vec<String>,
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

const BEGIN: &str = "-----BEGIN PGP ";
const PUBLIC_LABEL: &str = "PUBLIC KEY BLOCK";
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
    // rPGP is not written against hostile input the way a seized database is; a panic in it must cost
    // one key, not the whole ingest.
    std::panic::catch_unwind(|| parse_block(block)).unwrap_or_else(|_| {
        Err(PgpError::Malformed(
            "the OpenPGP parser failed on this input".into(),
        ))
    })
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

fn parse_block(block: &str) -> Result<PgpInfo, PgpError> {
    // Markets and scrapers turn "\n" into "\r\n" and back; the armor grammar wants plain lines.
    let normalized;
    let block = if block.contains('\r') {
        normalized = block.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        block
    };
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
            if found.kind == HandleKind::Email && !emails.contains(&found.handle) {
                emails.push(found.handle);
            }
        }
    }
    PgpInfo {
        fingerprint: format!("{:X}", key.fingerprint()),
        key_id: upper_hex(key.legacy_key_id().as_ref()),
        algorithm: algorithm_name(key.algorithm()),
        created_at: i64::from(key.created_at().as_secs()),
        user_ids,
        emails,
    }
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
}
