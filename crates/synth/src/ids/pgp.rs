//! Real OpenPGP public keys (Ed25519 primary, Curve25519 encryption subkey: what `gpg --quick-gen-key`
//! makes by default) generated from the world's seeded RNG.
//!
//! rPGP's key builder stamps its self-signatures with the wall clock, which would make two runs differ,
//! so the signatures are made here with a creation time taken from the world's calendar.

use pgp::composed::{ArmorOptions, KeyType, SignedKeyDetails, SignedPublicKey, SignedPublicSubKey};
use pgp::crypto::{ecc_curve::ECCCurve, hash::HashAlgorithm, sym::SymmetricKeyAlgorithm};
use pgp::packet::{
    Features, KeyFlags, PubKeyInner, PublicKey, PublicSubkey, SecretKey, SecretSubkey,
    SignatureConfig, SignatureType, Subpacket, SubpacketData, UserId,
};
use pgp::types::{
    CompressionAlgorithm, KeyDetails, KeyVersion, Password, SecretParams, Tag, Timestamp,
};
use rand::{CryptoRng, Rng};
use smallvec::smallvec;

/// An armored public key block and its v4 fingerprint.
#[derive(Debug, Clone)]
pub struct ArmoredKey {
    /// `-----BEGIN PGP PUBLIC KEY BLOCK-----` ... with `\n` line ends, no trailing newline.
    pub armor: String,
    /// 40 upper-case hex digits.
    pub fingerprint: String,
    /// Key id of the encryption subkey: an encrypted message to this key names it.
    pub encryption_key_id: [u8; 8],
}

#[derive(Debug, thiserror::Error)]
#[error("OpenPGP key generation failed: {0}")]
pub struct KeyGenError(String);

impl From<pgp::errors::Error> for KeyGenError {
    fn from(e: pgp::errors::Error) -> Self {
        KeyGenError(e.to_string())
    }
}

/// Generates a key for `user_id` created at `created_unix` (seconds). Same RNG state, same key, byte for byte.
pub fn generate_key<R: Rng + CryptoRng>(
    rng: &mut R,
    user_id: &str,
    created_unix: u32,
) -> Result<ArmoredKey, KeyGenError> {
    let created = Timestamp::from_secs(created_unix);
    let primary = new_primary(rng, created)?;
    let subkey = new_encryption_subkey(rng, created)?;
    let primary_public = primary.public_key().clone();
    let password = Password::empty();

    let uid = UserId::from_str(Default::default(), user_id)?;
    let mut cert = SignatureConfig::v4(
        SignatureType::CertPositive,
        primary.algorithm(),
        HashAlgorithm::Sha512,
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
        HashAlgorithm::Sha512,
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
    })
}

fn new_primary<R: Rng + CryptoRng>(
    rng: &mut R,
    created: Timestamp,
) -> Result<SecretKey, KeyGenError> {
    let (public_params, secret_params) = KeyType::Ed25519Legacy.generate(rng)?;
    let inner = PubKeyInner::new(
        KeyVersion::V4,
        KeyType::Ed25519Legacy.to_alg(),
        created,
        None,
        public_params,
    )?;
    Ok(SecretKey::new(
        PublicKey::from_inner(inner)?,
        secret_params,
    )?)
}

fn new_encryption_subkey<R: Rng + CryptoRng>(
    rng: &mut R,
    created: Timestamp,
) -> Result<SecretSubkey, KeyGenError> {
    let kind = KeyType::ECDH(ECCCurve::Curve25519Legacy);
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

/// An armored `PGP MESSAGE` shaped like a buyer's shipping address encrypted to `recipient` (an ECDH
/// Curve25519 subkey id): a public-key encrypted session key packet naming that key, then an integrity
/// protected data packet. The ciphertext is random bytes, not an encryption of anything (real encryption
/// per order would dominate generation time), so the packets parse but never decrypt.
pub fn shipping_message<R: Rng>(rng: &mut R, recipient: &[u8; 8], plaintext_len: usize) -> String {
    let mut packets = Vec::with_capacity(plaintext_len + 160);
    // PKESK v3, ECDH: ephemeral point as a 263-bit MPI (0x40 prefix + 32 bytes), then the wrapped key.
    let mut pkesk = vec![3u8];
    pkesk.extend_from_slice(recipient);
    pkesk.push(18);
    pkesk.extend_from_slice(&[0x01, 0x07, 0x40]);
    pkesk.extend((0..32).map(|_| rng.r#gen::<u8>()));
    pkesk.push(48);
    pkesk.extend((0..48).map(|_| rng.r#gen::<u8>()));
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

    #[test]
    fn keys_parse_verify_and_repeat() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let k1 = generate_key(&mut a, "GhostPharma", 1_560_000_000).unwrap();
        let k2 = generate_key(&mut b, "GhostPharma", 1_560_000_000).unwrap();
        assert_eq!(k1.armor, k2.armor);
        assert!(k1.armor.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert_eq!(k1.fingerprint.len(), 40);
        let (parsed, _) = SignedPublicKey::from_string(&k1.armor).unwrap();
        parsed.verify_bindings().unwrap();
        assert_eq!(
            hex::encode_upper(parsed.fingerprint().as_bytes()),
            k1.fingerprint
        );
        let k3 = generate_key(&mut a, "GhostPharma", 1_560_000_000).unwrap();
        assert_ne!(k3.fingerprint, k1.fingerprint);
    }

    #[test]
    fn shipping_message_is_armored_packets() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let m = shipping_message(&mut rng, &[1, 2, 3, 4, 5, 6, 7, 8], 80);
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
