//! Cryptocurrency addresses written in free text (profiles, messages, listing descriptions).
//!
//! A candidate is a whole token: a maximal run of alphanumeric characters (Unicode-aware, so an address
//! glued to other letters or digits is not one). Every candidate must pass its coin's checksum, because
//! a linked payout address is hard evidence and a lookalike with one wrong character links strangers.

use bech32::primitives::hrp;

/// An address found in text. `start..end` are byte offsets of the address as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAddress {
    /// Canonical form: base58 as written, bech32 lower-cased.
    pub address: String,
    /// btc (later: xmr, eth, ltc).
    pub coin: &'static str,
    pub start: usize,
    pub end: usize,
}

/// One way to write an address of one coin. `recognise` gets a whole token and returns the canonical
/// address when the token is a valid address of this scheme.
struct AddressScheme {
    coin: &'static str,
    recognise: fn(&str) -> Option<String>,
}

/// Extension point: Monero (base58 in 8-byte blocks with a Keccak checksum, 95/106 chars), Ethereum
/// (0x + 40 hex, EIP-55 mixed-case checksum) and Litecoin (L/M base58, ltc1 bech32) each add one entry
/// here. Tokens are tried against the schemes in order and the first that recognises one wins.
const SCHEMES: &[AddressScheme] = &[
    AddressScheme {
        coin: "btc",
        recognise: bitcoin_base58,
    },
    AddressScheme {
        coin: "btc",
        recognise: bitcoin_segwit,
    },
];

/// Shortest and longest token any scheme accepts; skips the validation work for ordinary words.
const MIN_TOKEN: usize = 14;
const MAX_TOKEN: usize = 90;

/// Every valid address in `text`, in order of appearance, one entry per occurrence.
pub fn find_crypto_addresses(text: &str) -> Vec<FoundAddress> {
    let mut found = Vec::new();
    for (start, token) in alphanumeric_runs(text) {
        if token.len() < MIN_TOKEN || token.len() > MAX_TOKEN || !token.is_ascii() {
            continue;
        }
        if let Some((coin, address)) = SCHEMES
            .iter()
            .find_map(|s| (s.recognise)(token).map(|a| (s.coin, a)))
        {
            found.push(FoundAddress {
                address,
                coin,
                start,
                end: start + token.len(),
            });
        }
    }
    found
}

/// Maximal runs of alphanumeric characters with their byte offsets. ASCII bytes are judged as bytes,
/// which is most text and several times faster than decoding every character.
fn alphanumeric_runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        at = skip_while_alphanumeric(text, at, false);
        if at >= text.len() {
            return None;
        }
        let start = at;
        at = skip_while_alphanumeric(text, at, true);
        Some((start, &text[start..at]))
    })
}

/// The first byte offset from `at` whose character's alphanumericness differs from `alphanumeric`.
fn skip_while_alphanumeric(text: &str, mut at: usize, alphanumeric: bool) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        let (is_alphanumeric, width) = if bytes[at].is_ascii() {
            (bytes[at].is_ascii_alphanumeric(), 1)
        } else {
            let c = text[at..].chars().next().expect("at is a char boundary");
            (c.is_alphanumeric(), c.len_utf8())
        };
        if is_alphanumeric != alphanumeric {
            break;
        }
        at += width;
    }
    at
}

const P2PKH_VERSION: u8 = 0x00;
const P2SH_VERSION: u8 = 0x05;

/// Legacy P2PKH (`1...`) and P2SH (`3...`) addresses: base58check of a version byte and a 20-byte hash.
fn bitcoin_base58(token: &str) -> Option<String> {
    if !(26..=35).contains(&token.len()) || !token.starts_with(['1', '3']) {
        return None;
    }
    let payload = bs58::decode(token).with_check(None).into_vec().ok()?;
    let valid = payload.len() == 21 && matches!(payload[0], P2PKH_VERSION | P2SH_VERSION);
    valid.then(|| token.to_string())
}

/// Mainnet segwit addresses (`bc1...`): bech32 for witness v0, bech32m for v1+ (taproot), with the
/// program lengths BIP 141/341 allow; the bech32 crate checks all of that.
fn bitcoin_segwit(token: &str) -> Option<String> {
    if !token.get(..3)?.eq_ignore_ascii_case("bc1") {
        return None;
    }
    let (found_hrp, _version, _program) = bech32::segwit::decode(token).ok()?;
    (found_hrp == hrp::BC).then(|| token.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p2pkh(hash: [u8; 20]) -> String {
        let mut payload = vec![P2PKH_VERSION];
        payload.extend_from_slice(&hash);
        bs58::encode(payload).with_check().into_string()
    }

    fn addresses(text: &str) -> Vec<String> {
        find_crypto_addresses(text)
            .into_iter()
            .map(|f| f.address)
            .collect()
    }

    /// Replaces the character at `i` by another of the same alphabet, so only the checksum can tell.
    fn corrupt(address: &str, i: usize, alphabet: &str) -> String {
        let old = address.as_bytes()[i] as char;
        let new = alphabet.chars().find(|&c| c != old).unwrap();
        let mut s = address.to_string();
        s.replace_range(i..=i, &new.to_string());
        s
    }

    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    // Published test vectors: the genesis block reward address, the BIP 173 and BIP 350 examples,
    // and the P2SH example from BIP 13/16 documentation.
    const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    const P2SH: &str = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy";
    const P2WPKH: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    const P2TR: &str = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";

    #[test]
    fn finds_each_kind_of_bitcoin_address_with_offsets() {
        let text = format!("send to {GENESIS}, or {P2SH}; segwit: {P2WPKH} / taproot {P2TR}.");
        let found = find_crypto_addresses(&text);
        assert_eq!(addresses(&text), [GENESIS, P2SH, P2WPKH, P2TR]);
        for f in &found {
            assert_eq!(&text[f.start..f.end], f.address);
            assert_eq!(f.coin, "btc");
        }
    }

    #[test]
    fn every_occurrence_counts() {
        let text = format!("{GENESIS} {GENESIS}\n{GENESIS}");
        assert_eq!(find_crypto_addresses(&text).len(), 3);
    }

    #[test]
    fn generated_addresses_are_found() {
        for seed in 0u8..50 {
            let address = p2pkh([seed; 20]);
            assert_eq!(
                addresses(&format!("payout: {address}")),
                vec![address.clone()],
                "{address}"
            );
        }
    }

    #[test]
    fn one_changed_character_breaks_the_checksum() {
        for i in 1..GENESIS.len() {
            let fake = corrupt(GENESIS, i, BASE58);
            assert!(addresses(&fake).is_empty(), "{fake}");
        }
        for i in 4..P2WPKH.len() {
            let fake = corrupt(P2WPKH, i, BECH32);
            assert!(addresses(&fake).is_empty(), "{fake}");
        }
    }

    #[test]
    fn addresses_glued_to_other_text_are_not_tokens() {
        for text in [
            format!("x{GENESIS}"),
            format!("{GENESIS}0"),
            format!("é{P2WPKH}"),
            format!("{P2WPKH}q"),
        ] {
            assert!(addresses(&text).is_empty(), "{text}");
        }
        // Punctuation and markup are boundaries.
        assert_eq!(addresses(&format!("({GENESIS})")), [GENESIS]);
        assert_eq!(addresses(&format!("\"{P2SH}\"")), [P2SH]);
        assert_eq!(addresses(&format!("addr:{P2WPKH}<br>")), [P2WPKH]);
    }

    #[test]
    fn upper_case_bech32_is_valid_and_stored_lower_case() {
        let upper = P2WPKH.to_ascii_uppercase();
        let found = find_crypto_addresses(&upper);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address, P2WPKH);
        let mixed = format!("bc1Q{}", &P2WPKH[4..]);
        assert!(addresses(&mixed).is_empty(), "BIP 173 forbids mixed case");
    }

    #[test]
    fn other_networks_and_versions_are_not_bitcoin_mainnet() {
        // Testnet bech32 (BIP 173 vector) and a testnet P2PKH (version 0x6f).
        let testnet_segwit = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";
        let mut payload = vec![0x6f];
        payload.extend_from_slice(&[7; 20]);
        let testnet_p2pkh = bs58::encode(payload).with_check().into_string();
        assert!(addresses(&format!("{testnet_segwit} {testnet_p2pkh}")).is_empty());
        // A witness v1 program with the old bech32 checksum is invalid since BIP 350.
        let v1_with_bech32 =
            "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx";
        assert!(addresses(v1_with_bech32).is_empty());
    }

    #[test]
    fn prose_and_hashes_are_not_addresses() {
        let text = "1000 pills 3x cheaper, tx 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b \
                    fingerprint 0123456789ABCDEF0123456789ABCDEF01234567 and 1111111111111111111111111111";
        assert!(addresses(text).is_empty());
    }
}
