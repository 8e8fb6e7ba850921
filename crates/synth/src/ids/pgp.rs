//! Real OpenPGP public keys generated from the world's seeded RNG: an elliptic-curve primary key of the
//! owner's habitual algorithm ([`KeyAlgorithm`]) with an ECDH encryption subkey. Elliptic curves only:
//! RSA key generation takes a good part of a second per key, far too slow for test worlds.
//!
//! rPGP's key builder stamps its self-signatures with the wall clock, which would make two runs differ,
//! so the signatures are made here with a creation time taken from the world's calendar.

use pgp::composed::{ArmorOptions, KeyType, SignedKeyDetails, SignedPublicKey, SignedPublicSubKey};
use pgp::crypto::{ecc_curve::ECCCurve, hash::HashAlgorithm, sym::SymmetricKeyAlgorithm};
use pgp::packet::{
    Features, KeyFlags, PubKeyInner, PublicKey, PublicSubkey, SecretKey, SecretSubkey,
    SignatureConfig, SignatureType, Subpacket, SubpacketData, UserId as PacketUserId,
};
use pgp::types::{
    CompressionAlgorithm, KeyDetails, KeyVersion, Password, SecretParams, Tag, Timestamp,
};
use rand::{CryptoRng, Rng};
use smallvec::smallvec;

use super::handles::Handle;

/// The primary key's algorithm and curve, as GnuPG offers them (`--full-gen-key --expert`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// EdDSA on Ed25519 (legacy v4 encoding) with a Curve25519 subkey: GnuPG's ECC default, and its default
    /// outright since 2.3.
    Ed25519Legacy,
    /// ECDSA on a NIST curve with an ECDH subkey on the same curve: `--expert` choices, smartcards.
    /// (P-521 is left out: the `p521` crate signs with fresh OS randomness, so its keys would differ
    /// between two runs of the same seed.)
    NistP256,
    NistP384,
    /// Ed25519 in RFC 9580's own encoding with an X25519 subkey: what Sequoia, OpenPGP.js 6 and
    /// GopenPGP 3 make.
    Ed25519,
    /// ECDSA on secp256k1 (Bitcoin's curve). GnuPG pairs it with an ECDH secp256k1 subkey, which rPGP cannot
    /// generate; the subkey here is Curve25519, a combination a user who adds subkeys also makes.
    Secp256k1,
}

impl KeyAlgorithm {
    /// Plausible shares among sellers who use elliptic-curve keys (percent; not a measurement): legacy
    /// Ed25519 is what GnuPG makes unless asked otherwise, the NIST curves need `--expert` or a smartcard,
    /// RFC 9580 Ed25519 comes from newer tools than GnuPG, secp256k1 from people who know Bitcoin's curve.
    pub const POPULATION: [(KeyAlgorithm, u32); 5] = [
        (KeyAlgorithm::Ed25519Legacy, 70),
        (KeyAlgorithm::NistP256, 10),
        (KeyAlgorithm::NistP384, 8),
        (KeyAlgorithm::Ed25519, 7),
        (KeyAlgorithm::Secp256k1, 5),
    ];

    /// One draw from [`KeyAlgorithm::POPULATION`].
    pub fn draw<R: Rng>(rng: &mut R) -> KeyAlgorithm {
        let total: u32 = Self::POPULATION.iter().map(|(_, w)| w).sum();
        let mut r = rng.gen_range(0..total);
        for (algorithm, weight) in Self::POPULATION {
            if r < weight {
                return algorithm;
            }
            r -= weight;
        }
        KeyAlgorithm::Ed25519Legacy
    }

    fn primary(self) -> KeyType {
        match self {
            KeyAlgorithm::Ed25519Legacy => KeyType::Ed25519Legacy,
            KeyAlgorithm::NistP256 => KeyType::ECDSA(ECCCurve::P256),
            KeyAlgorithm::NistP384 => KeyType::ECDSA(ECCCurve::P384),
            KeyAlgorithm::Ed25519 => KeyType::Ed25519,
            KeyAlgorithm::Secp256k1 => KeyType::ECDSA(ECCCurve::Secp256k1),
        }
    }

    fn subkey(self) -> KeyType {
        match self {
            KeyAlgorithm::NistP256 => KeyType::ECDH(ECCCurve::P256),
            KeyAlgorithm::NistP384 => KeyType::ECDH(ECCCurve::P384),
            KeyAlgorithm::Ed25519 => KeyType::X25519,
            KeyAlgorithm::Ed25519Legacy | KeyAlgorithm::Secp256k1 => {
                KeyType::ECDH(ECCCurve::Curve25519Legacy)
            }
        }
    }

    /// The hash GnuPG signs with for this key: one whose size matches the curve (ECDSA truncates longer
    /// digests, and P-521 wants SHA-512).
    fn hash(self) -> HashAlgorithm {
        match self {
            KeyAlgorithm::NistP256 | KeyAlgorithm::Secp256k1 => HashAlgorithm::Sha256,
            KeyAlgorithm::NistP384 => HashAlgorithm::Sha384,
            KeyAlgorithm::Ed25519Legacy | KeyAlgorithm::Ed25519 => HashAlgorithm::Sha512,
        }
    }
}

/// An armored public key block and its v4 fingerprint.
#[derive(Debug, Clone)]
pub struct ArmoredKey {
    /// `-----BEGIN PGP PUBLIC KEY BLOCK-----` ... with `\n` line ends, no trailing newline.
    pub armor: String,
    /// 40 upper-case hex digits.
    pub fingerprint: String,
    /// Key id of the encryption subkey: an encrypted message to this key names it.
    pub encryption_key_id: [u8; 8],
    pub algorithm: KeyAlgorithm,
    /// The e-mail address in the user id, when it has one: enrichment reads it as a contact handle.
    pub email: Option<Handle>,
}

#[derive(Debug, thiserror::Error)]
#[error("OpenPGP key generation failed: {0}")]
pub struct KeyGenError(String);

impl From<pgp::errors::Error> for KeyGenError {
    fn from(e: pgp::errors::Error) -> Self {
        KeyGenError(e.to_string())
    }
}

/// The user id of a key: a name, `name <email>` or `name (comment)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserId {
    Name(String),
    WithEmail(String, Handle),
    WithComment(String, String),
}

impl UserId {
    pub fn written(&self) -> String {
        match self {
            UserId::Name(name) => name.clone(),
            UserId::WithEmail(name, email) => format!("{name} <{}>", email.written()),
            UserId::WithComment(name, comment) => format!("{name} ({comment})"),
        }
    }
}

/// Generates a key for `user_id` created at `created_unix` (seconds). Same RNG state, same key, byte for byte.
pub fn generate_key<R: Rng + CryptoRng>(
    rng: &mut R,
    algorithm: KeyAlgorithm,
    user_id: &UserId,
    created_unix: u32,
) -> Result<ArmoredKey, KeyGenError> {
    let created = Timestamp::from_secs(created_unix);
    let primary = new_primary(rng, algorithm, created)?;
    let subkey = new_encryption_subkey(rng, algorithm, created)?;
    let primary_public = primary.public_key().clone();
    let password = Password::empty();

    let uid = PacketUserId::from_str(Default::default(), user_id.written())?;
    let mut cert = SignatureConfig::v4(
        SignatureType::CertPositive,
        primary.algorithm(),
        algorithm.hash(),
    );
    let mut certify_sign = KeyFlags::default();
    certify_sign.set_certify(true);
    certify_sign.set_sign(true);
    let mut features = Features::default();
    features.set_seipd_v1(true);
    cert.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(created))?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(primary.fingerprint()))?,
        Subpacket::regular(SubpacketData::KeyFlags(certify_sign))?,
        Subpacket::regular(SubpacketData::PreferredSymmetricAlgorithms(smallvec![
            SymmetricKeyAlgorithm::AES256,
            SymmetricKeyAlgorithm::AES192,
            SymmetricKeyAlgorithm::AES128,
        ]))?,
        Subpacket::regular(SubpacketData::PreferredHashAlgorithms(smallvec![
            HashAlgorithm::Sha512,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha256,
        ]))?,
        Subpacket::regular(SubpacketData::PreferredCompressionAlgorithms(smallvec![
            CompressionAlgorithm::ZLIB,
            CompressionAlgorithm::BZip2,
            CompressionAlgorithm::ZIP,
        ]))?,
        Subpacket::regular(SubpacketData::Features(features))?,
        Subpacket::regular(SubpacketData::IsPrimary(true))?,
    ];
    cert.unhashed_subpackets = vec![Subpacket::regular(SubpacketData::IssuerKeyId(
        primary.legacy_key_id(),
    ))?];
    let uid_sig =
        cert.sign_certification(&primary, &primary_public, &password, Tag::UserId, &uid)?;

    let mut binding = SignatureConfig::v4(
        SignatureType::SubkeyBinding,
        primary.algorithm(),
        algorithm.hash(),
    );
    let mut encrypt = KeyFlags::default();
    encrypt.set_encrypt_comms(true);
    encrypt.set_encrypt_storage(true);
    binding.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(created))?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(primary.fingerprint()))?,
        Subpacket::regular(SubpacketData::KeyFlags(encrypt))?,
    ];
    binding.unhashed_subpackets = vec![Subpacket::regular(SubpacketData::IssuerKeyId(
        primary.legacy_key_id(),
    ))?];
    let subkey_public = subkey.public_key().clone();
    let binding_sig =
        binding.sign_subkey_binding(&primary, &primary_public, &password, &subkey_public)?;

    let details = SignedKeyDetails::new(vec![], vec![], vec![uid.into_signed(uid_sig)], vec![]);
    let mut encryption_key_id = [0u8; 8];
    encryption_key_id.copy_from_slice(subkey_public.legacy_key_id().as_ref());
    let signed = SignedPublicKey::new(
        primary_public,
        details,
        vec![SignedPublicSubKey::new(subkey_public, vec![binding_sig])],
    );
    let armor = signed.to_armored_string(ArmorOptions::default())?;
    Ok(ArmoredKey {
        armor: armor.trim_end().to_string(),
        fingerprint: hex::encode_upper(signed.fingerprint().as_bytes()),
        encryption_key_id,
        algorithm,
        email: match user_id {
            UserId::WithEmail(_, email) => Some(email.clone()),
            _ => None,
        },
    })
}

fn new_primary<R: Rng + CryptoRng>(
    rng: &mut R,
    algorithm: KeyAlgorithm,
    created: Timestamp,
) -> Result<SecretKey, KeyGenError> {
    let kind = algorithm.primary();
    let (public_params, secret_params) = kind.generate(rng)?;
    let inner = PubKeyInner::new(KeyVersion::V4, kind.to_alg(), created, None, public_params)?;
    Ok(SecretKey::new(
        PublicKey::from_inner(inner)?,
        secret_params,
    )?)
}

fn new_encryption_subkey<R: Rng + CryptoRng>(
    rng: &mut R,
    algorithm: KeyAlgorithm,
    created: Timestamp,
) -> Result<SecretSubkey, KeyGenError> {
    let kind = algorithm.subkey();
    let (public_params, secret_params): (_, SecretParams) = kind.generate(rng)?;
    let inner = PubKeyInner::new(KeyVersion::V4, kind.to_alg(), created, None, public_params)?;
    Ok(SecretSubkey::new(
        PublicSubkey::from_inner(inner)?,
        secret_params,
    )?)
}

/// Raw OpenPGP packets, armored by rPGP's own armor writer.
struct RawPackets(Vec<u8>);

impl pgp::ser::Serialize for RawPackets {
    fn to_writer<W: std::io::Write>(&self, writer: &mut W) -> pgp::errors::Result<()> {
        writer.write_all(&self.0)?;
        Ok(())
    }

    fn write_len(&self) -> usize {
        self.0.len()
    }
}

/// An armored `PGP MESSAGE` shaped like a buyer's shipping address encrypted to `recipient` (the id of
/// the encryption subkey of a key of `algorithm`): a public-key encrypted session key packet naming that key,
/// then an integrity protected data packet. The ciphertext is random bytes, not an encryption of anything
/// (real encryption per order would dominate generation time), so the packets parse but never decrypt.
pub fn shipping_message<R: Rng>(
    rng: &mut R,
    recipient: &[u8; 8],
    algorithm: KeyAlgorithm,
    plaintext_len: usize,
) -> String {
    let mut packets = Vec::with_capacity(plaintext_len + 240);
    let mut pkesk = vec![3u8];
    pkesk.extend_from_slice(recipient);
    let mut random = |n: usize, out: &mut Vec<u8>| out.extend((0..n).map(|_| rng.r#gen::<u8>()));
    // PKESK v3. ECDH: the ephemeral point as an MPI (Curve25519 `0x40` + 32 bytes, NIST `0x04` + X + Y),
    // then the wrapped key. X25519 (RFC 9580): the 32-byte ephemeral key, then the size of what follows,
    // the cipher (AES-256) and the wrapped key.
    let ecdh_point = |bits: u16, prefix: u8| {
        let mut head = bits.to_be_bytes().to_vec();
        head.push(prefix);
        head
    };
    match algorithm.subkey() {
        KeyType::X25519 => {
            pkesk.push(25);
            random(32, &mut pkesk);
            pkesk.extend_from_slice(&[41, 9]);
            random(40, &mut pkesk);
        }
        KeyType::ECDH(curve) => {
            let (head, len) = match curve {
                ECCCurve::P256 => (ecdh_point(515, 0x04), 64),
                ECCCurve::P384 => (ecdh_point(771, 0x04), 96),
                _ => (ecdh_point(263, 0x40), 32),
            };
            pkesk.push(18);
            pkesk.extend_from_slice(&head);
            random(len, &mut pkesk);
            pkesk.push(48);
            random(48, &mut pkesk);
        }
        _ => {}
    }
    push_packet(&mut packets, 1, &pkesk);
    // SEIPD v1: 16-byte prefix + 2 check bytes + literal packet + 22-byte MDC packet.
    let mut seipd = vec![1u8];
    let body = 16 + 2 + (6 + plaintext_len) + 22;
    seipd.extend((0..body).map(|_| rng.r#gen::<u8>()));
    push_packet(&mut packets, 18, &seipd);
    let mut out = Vec::new();
    match pgp::armor::write(
        &RawPackets(packets),
        pgp::armor::BlockType::Message,
        &mut out,
        None,
        true,
    ) {
        Ok(()) => String::from_utf8_lossy(&out).trim_end().to_string(),
        Err(_) => String::new(),
    }
}

/// New-format packet header (one- or two-octet length) + body.
fn push_packet(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(0xC0 | tag);
    let len = body.len();
    if len < 192 {
        out.push(len as u8);
    } else {
        let l = len - 192;
        out.push(((l >> 8) + 192) as u8);
        out.push((l & 0xff) as u8);
    }
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgp::composed::Deserializable;
    use rand::SeedableRng;

    fn name(n: &str) -> UserId {
        UserId::Name(n.to_string())
    }

    #[test]
    fn keys_parse_verify_and_repeat() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let alg = KeyAlgorithm::Ed25519Legacy;
        let k1 = generate_key(&mut a, alg, &name("GhostPharma"), 1_560_000_000).unwrap();
        let k2 = generate_key(&mut b, alg, &name("GhostPharma"), 1_560_000_000).unwrap();
        assert_eq!(k1.armor, k2.armor);
        assert!(k1.armor.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert_eq!(k1.fingerprint.len(), 40);
        let (parsed, _) = SignedPublicKey::from_string(&k1.armor).unwrap();
        parsed.verify_bindings().unwrap();
        assert_eq!(
            hex::encode_upper(parsed.fingerprint().as_bytes()),
            k1.fingerprint
        );
        let k3 = generate_key(&mut a, alg, &name("GhostPharma"), 1_560_000_000).unwrap();
        assert_ne!(k3.fingerprint, k1.fingerprint);
    }

    #[test]
    fn every_algorithm_makes_a_key_that_verifies_with_its_curve_time_and_user_id() {
        let email = Handle::Email {
            local: "ghost4711".into(),
            domain: "dnmx.org".into(),
        };
        let uids = [
            name("GhostPharma"),
            UserId::WithEmail("GhostPharma".into(), email.clone()),
            UserId::WithComment("GhostPharma".into(), "vendor key".into()),
        ];
        for (i, (alg, _)) in KeyAlgorithm::POPULATION.into_iter().enumerate() {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(i as u64);
            let uid = &uids[i % uids.len()];
            let key = generate_key(&mut rng, alg, uid, 1_500_000_000 + i as u32).unwrap();
            let mut again = rand_chacha::ChaCha8Rng::seed_from_u64(i as u64);
            let same = generate_key(&mut again, alg, uid, 1_500_000_000 + i as u32).unwrap();
            assert_eq!(key.armor, same.armor, "{alg:?} keys repeat byte for byte");
            let (parsed, _) = SignedPublicKey::from_string(&key.armor).unwrap();
            parsed.verify_bindings().unwrap();
            assert_eq!(parsed.created_at().as_secs(), 1_500_000_000 + i as u32);
            assert_eq!(parsed.algorithm(), alg.primary().to_alg(), "{alg:?}");
            let curve = match parsed.public_params() {
                pgp::types::PublicParams::ECDSA(p) => format!("{:?}", p.curve()),
                pgp::types::PublicParams::EdDSALegacy(_) => "Ed25519Legacy".to_string(),
                pgp::types::PublicParams::Ed25519(_) => "Ed25519".to_string(),
                other => panic!("{alg:?}: {other:?}"),
            };
            let expected = match alg {
                KeyAlgorithm::NistP256 => "P256",
                KeyAlgorithm::NistP384 => "P384",
                other => &format!("{other:?}"),
            };
            assert_eq!(curve, expected);
            let written = String::from_utf8_lossy(parsed.details.users[0].id.id()).into_owned();
            assert_eq!(written, uid.written());
            assert_eq!(key.email.is_some(), matches!(uid, UserId::WithEmail(..)));
            assert_eq!(key.algorithm, alg);
        }
        assert_eq!(
            uids[1].written(),
            "GhostPharma <ghost4711@dnmx.org>",
            "the user id names the mailbox as GnuPG writes it"
        );
    }

    #[test]
    fn population_draws_follow_the_shares() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 20_000;
        let ed = (0..n)
            .filter(|_| KeyAlgorithm::draw(&mut rng) == KeyAlgorithm::Ed25519Legacy)
            .count();
        let share = ed as f64 / n as f64;
        assert!((share - 0.70).abs() < 0.02, "{share}");
    }

    #[test]
    fn shipping_messages_parse_as_session_keys_for_each_kind_of_subkey() {
        for (alg, _) in KeyAlgorithm::POPULATION {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
            let m = shipping_message(&mut rng, &[1, 2, 3, 4, 5, 6, 7, 8], alg, 80);
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(
                &mut pgp::armor::Dearmor::new(std::io::Cursor::new(m.as_bytes())),
                &mut bytes,
            )
            .unwrap();
            let first = pgp::packet::PacketParser::new(std::io::Cursor::new(bytes))
                .next()
                .expect("a packet")
                .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            let pgp::packet::Packet::PublicKeyEncryptedSessionKey(pkesk) = first else {
                panic!("{alg:?}: {first:?}");
            };
            assert_eq!(pkesk.id().unwrap().as_ref(), &[1, 2, 3, 4, 5, 6, 7, 8]);
            assert_eq!(pkesk.algorithm().unwrap(), alg.subkey().to_alg(), "{alg:?}");
        }
    }

    #[test]
    fn shipping_message_is_armored_packets() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let m = shipping_message(
            &mut rng,
            &[1, 2, 3, 4, 5, 6, 7, 8],
            KeyAlgorithm::Ed25519Legacy,
            80,
        );
        assert!(m.starts_with("-----BEGIN PGP MESSAGE-----"));
        assert!(m.ends_with("-----END PGP MESSAGE-----"));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut pgp::armor::Dearmor::new(std::io::Cursor::new(m.as_bytes())),
            &mut bytes,
        )
        .unwrap();
        assert_eq!(bytes[0], 0xC1);
    }
}
