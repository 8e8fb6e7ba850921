//! Cryptocurrency addresses.
//!
//! Bitcoin addresses are valid encodings of random 20-byte hashes: base58check P2PKH (version 0x00,
//! `1...`) or bech32 P2WPKH (`bc1q...`). Nobody holds their keys; they only need to pass checksum
//! validation. Monero addresses are *not* valid: 95 base58 characters starting with `4` that look like
//! a standard address but carry no real keys or checksum (the pipeline only needs them as opaque strings).

use rand::Rng;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// `1...` legacy address.
pub fn p2pkh<R: Rng>(rng: &mut R) -> String {
    let hash: [u8; 20] = rng.r#gen();
    bs58::encode(hash).with_check_version(0x00).into_string()
}

/// `bc1q...` native segwit v0 key-hash address.
pub fn p2wpkh<R: Rng>(rng: &mut R) -> String {
    let hash: [u8; 20] = rng.r#gen();
    // A 20-byte program under the fixed "bc" prefix is always encodable.
    bech32::segwit::encode_v0(bech32::hrp::BC, &hash).unwrap_or_default()
}

/// A Bitcoin address of the mix seen in 2019–2021 (bech32 gaining on legacy).
pub fn btc<R: Rng>(rng: &mut R) -> String {
    if rng.gen_bool(0.45) {
        p2wpkh(rng)
    } else {
        p2pkh(rng)
    }
}

/// A random-looking 95-character Monero-style address (see module docs: not a valid address).
pub fn xmr<R: Rng>(rng: &mut R) -> String {
    let mut s = String::with_capacity(95);
    s.push('4');
    // Real standard addresses continue with a digit 1-9 or A/B.
    s.push(char::from(b"123456789AB"[rng.gen_range(0..11)]));
    for _ in 0..93 {
        s.push(char::from(BASE58[rng.gen_range(0..BASE58.len())]));
    }
    s
}

/// Is `s` a Bitcoin address this generator could have written (valid checksum)? Used by tests.
pub fn is_valid_btc(s: &str) -> bool {
    if s.starts_with("bc1") {
        return matches!(bech32::segwit::decode(s), Ok((hrp, version, program))
            if hrp == bech32::hrp::BC && version == bech32::segwit::VERSION_0 && program.len() == 20);
    }
    matches!(bs58::decode(s).with_check(Some(0x00)).into_vec(), Ok(v) if v.len() == 21)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn addresses_are_valid() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let a = p2pkh(&mut rng);
            assert!(a.starts_with('1') && is_valid_btc(&a), "{a}");
            let b = p2wpkh(&mut rng);
            assert!(
                b.starts_with("bc1q") && b.len() == 42 && is_valid_btc(&b),
                "{b}"
            );
            let x = xmr(&mut rng);
            assert_eq!(x.len(), 95);
            assert!(x.starts_with('4'));
        }
        // A flipped character breaks the checksum.
        let a = p2pkh(&mut rng);
        let mut broken: Vec<char> = a.chars().collect();
        let last = broken.len() - 1;
        broken[last] = if broken[last] == 'a' { 'b' } else { 'a' };
        assert!(!is_valid_btc(&broken.into_iter().collect::<String>()));
    }
}
