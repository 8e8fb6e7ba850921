//! Cryptocurrency addresses written in free text (profiles, messages, listing descriptions): Bitcoin,
//! Litecoin, Monero and Ethereum.
//!
//! A candidate is a whole token: a maximal run of alphanumeric characters (Unicode-aware, so an address
//! glued to other letters or digits is not one, and an address-shaped piece of a longer base58 run is
//! never cut out). Every candidate must pass its coin's checksum, because a linked payout address is
//! hard evidence and a lookalike with one wrong character links strangers.
//!
//! Labelling decisions, so an analyst can tell what a stored `coin`/`kind` means:
//! - A base58 `3...` address (version 0x05) is Bitcoin P2SH. Litecoin used the same version byte for
//!   P2SH before it introduced `M...` (0x32), so such an address may also be an old Litecoin one; it is
//!   stored as `btc`/`p2sh` and linking compares the address string, which is the same either way.
//! - Ethereum: an address written in mixed case must pass its EIP-55 checksum. All lower-case or all
//!   upper-case hex carries no checksum (EIP-55 leaves those valid); such addresses are taken, marked
//!   [`AddressChecksum::None`], because Ethereum addresses are most often written that way. The stored
//!   form is lower-case, so the same account links however it was written.
//! - Monero: mainnet, stagenet and testnet network bytes are recognised and recorded in
//!   [`FoundAddress::network`]; Bitcoin and Litecoin are mainnet only (test coins have no value to trace).

use bech32::primitives::hrp::{self, Hrp};
use sha3::{Digest, Keccak256};

/// An address found in text. `start..end` are byte offsets of the address as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAddress {
    /// Canonical form: base58 as written, bech32 and Ethereum hex lower-cased.
    pub address: String,
    /// btc, ltc, xmr or eth.
    pub coin: &'static str,
    pub kind: AddressKind,
    pub network: Network,
    /// What vouched for the address: which checksum it passed.
    pub checksum: AddressChecksum,
    pub start: usize,
    pub end: usize,
}

/// The script or address type; the same Bitcoin-style names serve Litecoin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// Pay to public key hash: Bitcoin `1...`, Litecoin `L...`.
    P2pkh,
    /// Pay to script hash: Bitcoin `3...`, Litecoin `M...`.
    P2sh,
    /// Segwit v0 with a 20-byte program (`bc1q...`, `ltc1q...`, 42/43 chars).
    P2wpkh,
    /// Segwit v0 with a 32-byte program (62/63 chars).
    P2wsh,
    /// Segwit v1 with a 32-byte program: taproot (`bc1p...`).
    P2tr,
    /// Any other witness version or program length BIP 141/350 allow: valid, not yet in use.
    SegwitFuture,
    /// Monero primary address (95 chars).
    XmrStandard,
    /// Monero address with an 8-byte payment id (106 chars).
    XmrIntegrated,
    /// Monero subaddress (95 chars).
    XmrSubaddress,
    /// Ethereum account (`0x` + 40 hex).
    Eth,
}

impl AddressKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::P2pkh => "p2pkh",
            AddressKind::P2sh => "p2sh",
            AddressKind::P2wpkh => "p2wpkh",
            AddressKind::P2wsh => "p2wsh",
            AddressKind::P2tr => "p2tr",
            AddressKind::SegwitFuture => "segwit-future",
            AddressKind::XmrStandard => "xmr-standard",
            AddressKind::XmrIntegrated => "xmr-integrated",
            AddressKind::XmrSubaddress => "xmr-subaddress",
            AddressKind::Eth => "eth",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    Mainnet,
    Testnet,
    Stagenet,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::Testnet => "testnet",
            Network::Stagenet => "stagenet",
        }
    }
}

/// The check an address passed, from strongest to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressChecksum {
    /// 4 bytes of double SHA-256 (Bitcoin, Litecoin legacy).
    Base58Check,
    /// BIP 173 checksum (witness v0).
    Bech32,
    /// BIP 350 checksum (witness v1+).
    Bech32m,
    /// 4 bytes of Keccak-256 (Monero).
    Keccak256,
    /// EIP-55 mixed-case checksum (Ethereum).
    Eip55,
    /// Nothing checked the address: Ethereum written in one case.
    None,
}

impl AddressChecksum {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressChecksum::Base58Check => "base58check",
            AddressChecksum::Bech32 => "bech32",
            AddressChecksum::Bech32m => "bech32m",
            AddressChecksum::Keccak256 => "keccak256",
            AddressChecksum::Eip55 => "eip55",
            AddressChecksum::None => "none",
        }
    }
}

/// What a scheme recognised in one token.
struct Recognised {
    address: String,
    coin: &'static str,
    kind: AddressKind,
    network: Network,
    checksum: AddressChecksum,
}

/// Shortest and longest token any scheme accepts (BIP 350's 14-char v16 address, Monero's 106-char
/// integrated one); skips the validation work for ordinary words.
const MIN_TOKEN: usize = 14;
const MAX_TOKEN: usize = 106;

/// Every valid address in `text`, in order of appearance, one entry per occurrence.
pub fn find_crypto_addresses(text: &str) -> Vec<FoundAddress> {
    if !text.is_ascii() {
        return addresses_in_runs(alphanumeric_runs(text));
    }
    // Nearly every text is ASCII, and most hold no run of letters and digits long enough to be an
    // address, which one pass without branches tells: a branch at the end of every word, mispredicted,
    // cost more than the rest of a message body's enrichment. The others' runs are found a byte at a
    // time, with no character to decode at either end.
    let bytes = text.as_bytes();
    if longest_alphanumeric_run(bytes) < MIN_TOKEN {
        return Vec::new();
    }
    let mut at = 0;
    let runs = std::iter::from_fn(|| {
        at += bytes[at..].iter().position(u8::is_ascii_alphanumeric)?;
        let start = at;
        at += bytes[at..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(bytes.len() - at);
        Some((start, &text[start..at]))
    });
    addresses_in_runs(runs)
}

/// The addresses among `runs`, the maximal runs of alphanumeric characters of a text with their offsets.
fn addresses_in_runs<'t>(runs: impl Iterator<Item = (usize, &'t str)>) -> Vec<FoundAddress> {
    let mut found = Vec::new();
    for (start, token) in runs {
        if token.len() < MIN_TOKEN || token.len() > MAX_TOKEN || !token.is_ascii() {
            continue;
        }
        if let Some(r) = recognise(token) {
            found.push(FoundAddress {
                address: r.address,
                coin: r.coin,
                kind: r.kind,
                network: r.network,
                checksum: r.checksum,
                start,
                end: start + token.len(),
            });
        }
    }
    found
}

/// The length of the longest run of ASCII letters and digits in `bytes`.
fn longest_alphanumeric_run(bytes: &[u8]) -> usize {
    let (mut run, mut longest) = (0usize, 0usize);
    for &b in bytes {
        run = (run + 1) * usize::from(b.is_ascii_alphanumeric());
        longest = longest.max(run);
    }
    longest
}

/// Sends a token to the one scheme its shape allows, so each token costs at most one decode.
fn recognise(token: &str) -> Option<Recognised> {
    let bytes = token.as_bytes();
    match (token.len(), bytes.first()?) {
        (42, b'0') if bytes.get(1) == Some(&b'x') => ethereum(token),
        (95 | 106, _) => monero(token),
        (26..=35, b'1' | b'3' | b'L' | b'M') => base58check(token),
        _ => segwit(token),
    }
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

const BTC_P2PKH_VERSION: u8 = 0x00;
const BTC_P2SH_VERSION: u8 = 0x05;
const LTC_P2PKH_VERSION: u8 = 0x30;
const LTC_P2SH_VERSION: u8 = 0x32;

/// Legacy addresses: base58check of a version byte and a 20-byte hash. Bitcoin `1...`/`3...`,
/// Litecoin `L...`/`M...`.
fn base58check(token: &str) -> Option<Recognised> {
    let payload = bs58::decode(token).with_check(None).into_vec().ok()?;
    if payload.len() != 21 {
        return None;
    }
    let (coin, kind) = match payload[0] {
        BTC_P2PKH_VERSION => ("btc", AddressKind::P2pkh),
        BTC_P2SH_VERSION => ("btc", AddressKind::P2sh),
        LTC_P2PKH_VERSION => ("ltc", AddressKind::P2pkh),
        LTC_P2SH_VERSION => ("ltc", AddressKind::P2sh),
        _ => return None,
    };
    Some(Recognised {
        address: token.to_string(),
        coin,
        kind,
        network: Network::Mainnet,
        checksum: AddressChecksum::Base58Check,
    })
}

const LTC: Hrp = Hrp::parse_unchecked("ltc");

/// Mainnet segwit addresses (`bc1...`, `ltc1...`): bech32 for witness v0, bech32m for v1+ (taproot),
/// with the program lengths BIP 141/341 allow; the bech32 crate checks all of that.
fn segwit(token: &str) -> Option<Recognised> {
    let coin = if token.get(..3)?.eq_ignore_ascii_case("bc1") {
        "btc"
    } else if token.get(..4)?.eq_ignore_ascii_case("ltc1") {
        "ltc"
    } else {
        return None;
    };
    let (found_hrp, version, program) = bech32::segwit::decode(token).ok()?;
    let expected = if coin == "btc" { hrp::BC } else { LTC };
    if found_hrp != expected {
        return None;
    }
    let kind = match (version.to_u8(), program.len()) {
        (0, 20) => AddressKind::P2wpkh,
        (0, 32) => AddressKind::P2wsh,
        (1, 32) => AddressKind::P2tr,
        _ => AddressKind::SegwitFuture,
    };
    let checksum = if version.to_u8() == 0 {
        AddressChecksum::Bech32
    } else {
        AddressChecksum::Bech32m
    };
    Some(Recognised {
        address: token.to_ascii_lowercase(),
        coin,
        kind,
        network: Network::Mainnet,
        checksum,
    })
}

/// Monero network bytes (cryptonote_config.h); all below 0x80, so each is a one-byte varint.
const MONERO_PREFIXES: &[(u8, Network, AddressKind)] = &[
    (18, Network::Mainnet, AddressKind::XmrStandard),
    (19, Network::Mainnet, AddressKind::XmrIntegrated),
    (42, Network::Mainnet, AddressKind::XmrSubaddress),
    (53, Network::Testnet, AddressKind::XmrStandard),
    (54, Network::Testnet, AddressKind::XmrIntegrated),
    (63, Network::Testnet, AddressKind::XmrSubaddress),
    (24, Network::Stagenet, AddressKind::XmrStandard),
    (25, Network::Stagenet, AddressKind::XmrIntegrated),
    (36, Network::Stagenet, AddressKind::XmrSubaddress),
];

/// Network byte, spend key, view key, checksum; integrated addresses add an 8-byte payment id.
const MONERO_LEN: usize = 1 + 32 + 32 + 4;
const MONERO_INTEGRATED_LEN: usize = MONERO_LEN + 8;

/// Monero addresses: Monero's own base58 (8-byte blocks), a network byte, two keys, an optional
/// payment id, and the first 4 bytes of the Keccak-256 of everything before them.
fn monero(token: &str) -> Option<Recognised> {
    let data = monero_base58_decode(token)?;
    let &(_, network, kind) = MONERO_PREFIXES
        .iter()
        .find(|(prefix, ..)| Some(prefix) == data.first())?;
    let expected_len = if kind == AddressKind::XmrIntegrated {
        MONERO_INTEGRATED_LEN
    } else {
        MONERO_LEN
    };
    if data.len() != expected_len {
        return None;
    }
    let (body, checksum) = data.split_at(expected_len - 4);
    if Keccak256::digest(body)[..4] != *checksum {
        return None;
    }
    Some(Recognised {
        address: token.to_string(),
        coin: "xmr",
        kind,
        network,
        checksum: AddressChecksum::Keccak256,
    })
}

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Characters that encode a block of 0..=8 bytes in Monero's base58.
const MONERO_ENCODED_BLOCK_SIZES: [usize; 9] = [0, 2, 3, 5, 6, 7, 9, 10, 11];

/// Monero's base58: each 8-byte block is encoded on its own as 11 characters, the last partial block
/// in fewer. A block whose value overflows its byte size is rejected, so no two strings decode to the
/// same bytes and a changed character cannot slip past the checksum that way.
fn monero_base58_decode(text: &str) -> Option<Vec<u8>> {
    let encoded = text.as_bytes();
    let last_chars = encoded.len() % 11;
    let last_bytes = MONERO_ENCODED_BLOCK_SIZES
        .iter()
        .position(|&n| n == last_chars)?;
    let mut out = Vec::with_capacity(encoded.len() / 11 * 8 + last_bytes);
    for block in encoded.chunks(11) {
        let size = if block.len() == 11 { 8 } else { last_bytes };
        let mut value: u64 = 0;
        for &c in block {
            let digit = BASE58_ALPHABET.iter().position(|&a| a == c)?;
            value = value.checked_mul(58)?.checked_add(digit as u64)?;
        }
        if size < 8 && value >> (8 * size) != 0 {
            return None;
        }
        out.extend_from_slice(&value.to_be_bytes()[8 - size..]);
    }
    Some(out)
}

/// Ethereum: `0x` and 40 hex digits. Mixed case must be the EIP-55 casing: letter i is upper case
/// exactly when nibble i of Keccak-256(lower-case hex) is 8 or more.
fn ethereum(token: &str) -> Option<Recognised> {
    let hex = token.strip_prefix("0x")?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let lower = hex.to_ascii_lowercase();
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let checksum = if has_upper && has_lower {
        let hash = Keccak256::digest(lower.as_bytes());
        let cased = hex.bytes().enumerate().all(|(i, b)| {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            !b.is_ascii_alphabetic() || b.is_ascii_uppercase() == (nibble >= 8)
        });
        if !cased {
            return None;
        }
        AddressChecksum::Eip55
    } else {
        AddressChecksum::None
    };
    Some(Recognised {
        address: format!("0x{lower}"),
        coin: "eth",
        kind: AddressKind::Eth,
        network: Network::Mainnet,
        checksum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p2pkh(hash: [u8; 20]) -> String {
        let mut payload = vec![BTC_P2PKH_VERSION];
        payload.extend_from_slice(&hash);
        bs58::encode(payload).with_check().into_string()
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// The ASCII way agrees with the general one (every character decoded) on texts of words,
        /// punctuation and addresses, valid and damaged, of every coin.
        #[test]
        fn ascii_texts_are_read_as_the_general_way_reads_them(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9]{0,20}",
                    "[ ,.:;/@()!?-]{1,3}",
                    proptest::sample::select(vec![
                        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                        "0x52908400098527886E0F7030069857D2E4169EE7",
                        "LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1",
                        "1BoatSLRHtKNngkdXEeobR76b53LETtpyU",
                        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdqx",
                    ]).prop_map(|s: &str| s.to_string()),
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            let general = addresses_in_runs(alphanumeric_runs(&text));
            let found = find_crypto_addresses(&text);
            let spans = |f: &[FoundAddress]| {
                f.iter().map(|a| (a.start, a.end, a.address.clone())).collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(spans(&found), spans(&general));
        }
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

    /// Monero's base58 written out independently of the decoder: 8-byte blocks, big-endian, each
    /// block padded with leading '1's to its encoded size.
    fn monero_encode(data: &[u8]) -> String {
        let mut out = String::new();
        for block in data.chunks(8) {
            let mut value = block.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
            let mut chars = vec![b'1'; MONERO_ENCODED_BLOCK_SIZES[block.len()]];
            for slot in chars.iter_mut().rev() {
                *slot = BASE58_ALPHABET[(value % 58) as usize];
                value /= 58;
            }
            out.push_str(std::str::from_utf8(&chars).unwrap());
        }
        out
    }

    fn monero_address(prefix: u8, keys: [u8; 64], payment_id: Option<[u8; 8]>) -> String {
        let mut data = vec![prefix];
        data.extend_from_slice(&keys);
        if let Some(id) = payment_id {
            data.extend_from_slice(&id);
        }
        let hash = Keccak256::digest(&data);
        data.extend_from_slice(&hash[..4]);
        monero_encode(&data)
    }

    // monero-rs src/util/address.rs tests (mainnet standard, integrated, subaddress).
    const XMR_STANDARD: &str = "4ADT1BtbxqEWeMKp9GgPr2NeyJXXtNxvoDawpyA4WpzFcGcoHUvXeijE66DNfohE9r1bQYaBiQjEtKE7CtkTdLwiDznFzra";
    const XMR_INTEGRATED: &str = "4Byr22j9M2878Mtyb3fEPcBNwBZf5EXqn1Yi6VzR46618SFBrYysab2Cs1474CVDbsh94AJq7vuV3Z2DRq4zLcY3LHzo1Nbv3d8J6VhvCV";
    const XMR_SUBADDRESS: &str = "8AW7SotwFrqfAKnibspuuhfowW4g3asvpQvdrTmPcpNr2GmXPtBBSxUPZQATAt8Vw2hiX9GDyxB4tMNgHjwt8qYsCeFDVvn";

    fn kinds(text: &str) -> Vec<(&'static str, &'static str, &'static str)> {
        find_crypto_addresses(text)
            .into_iter()
            .map(|f| (f.coin, f.kind.as_str(), f.network.as_str()))
            .collect()
    }

    #[test]
    fn monero_addresses_of_each_type_and_network() {
        let text =
            format!("xmr: {XMR_STANDARD}\nintegrated {XMR_INTEGRATED}, sub {XMR_SUBADDRESS}");
        assert_eq!(
            kinds(&text),
            [
                ("xmr", "xmr-standard", "mainnet"),
                ("xmr", "xmr-integrated", "mainnet"),
                ("xmr", "xmr-subaddress", "mainnet"),
            ]
        );
        let keys = [7u8; 64];
        for (prefix, kind, network) in [
            (24, "xmr-standard", "stagenet"),
            (36, "xmr-subaddress", "stagenet"),
            (53, "xmr-standard", "testnet"),
            (63, "xmr-subaddress", "testnet"),
        ] {
            let address = monero_address(prefix, keys, None);
            assert_eq!(address.len(), 95);
            assert_eq!(kinds(&address), [("xmr", kind, network)], "{address}");
        }
        let integrated = monero_address(25, keys, Some([1; 8]));
        assert_eq!(integrated.len(), 106);
        assert_eq!(kinds(&integrated), [("xmr", "xmr-integrated", "stagenet")]);
    }

    #[test]
    fn the_independent_encoder_reproduces_the_published_monero_address() {
        let data = monero_base58_decode(XMR_STANDARD).unwrap();
        assert_eq!(monero_encode(&data), XMR_STANDARD);
    }

    #[test]
    fn monero_lookalikes_are_rejected() {
        for address in [XMR_STANDARD, XMR_INTEGRATED, XMR_SUBADDRESS] {
            for i in 1..address.len() {
                let fake = corrupt(address, i, BASE58);
                assert!(addresses(&fake).is_empty(), "{fake}");
            }
        }
        // A payment id length on a standard network byte, and an unknown network byte.
        assert!(addresses(&monero_address(18, [3; 64], Some([2; 8]))).is_empty());
        assert!(addresses(&monero_address(17, [3; 64], None)).is_empty());
        // A block value above 2^64 ("zzzzzzzzzzz" is 58^11 - 1) is not a block.
        let overflow = format!("{}{}", "z".repeat(11), &XMR_STANDARD[11..]);
        assert!(monero_base58_decode(&overflow).is_none());
    }

    // EIP-55's own test vectors: mixed case, all caps, all lower.
    const ETH_VECTORS: &[&str] = &[
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn ethereum_eip55_and_one_case_addresses() {
        for address in ETH_VECTORS {
            let found = find_crypto_addresses(&format!("eth {address}."));
            assert_eq!(found.len(), 1, "{address}");
            assert_eq!(found[0].address, address.to_ascii_lowercase());
            assert_eq!(found[0].checksum, AddressChecksum::Eip55);
        }
        for address in [
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0xde709f2102306220921060314715629080e2fb77",
        ] {
            let found = find_crypto_addresses(address);
            assert_eq!(found.len(), 1, "{address}");
            assert_eq!(found[0].checksum, AddressChecksum::None);
        }
    }

    #[test]
    fn ethereum_with_a_flipped_case_is_rejected() {
        for address in ETH_VECTORS {
            for i in 2..address.len() {
                let c = address.as_bytes()[i] as char;
                let fake = if c.is_ascii_alphabetic() {
                    let flipped = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                    let mut s = address.to_string();
                    s.replace_range(i..=i, &flipped.to_string());
                    s
                } else {
                    continue;
                };
                assert!(addresses(&fake).is_empty(), "{fake}");
            }
        }
        // Longer hex runs (transaction hashes) and a missing digit are not addresses.
        assert!(addresses(&format!("{}0", ETH_VECTORS[0])).is_empty());
        assert!(addresses(&ETH_VECTORS[0][..41]).is_empty());
    }

    // Litecoin Core src/test/data/key_io_valid.json (mainnet entries).
    const LTC_P2PKH: &str = "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA";
    const LTC_P2SH: &str = "MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2";

    #[test]
    fn litecoin_legacy_and_segwit() {
        let ltc1 = bech32::segwit::encode_v0(LTC, &[9; 20]).unwrap();
        let ltc1_taproot = bech32::segwit::encode_v1(LTC, &[9; 32]).unwrap();
        let text = format!("{LTC_P2PKH} {LTC_P2SH} {ltc1} {ltc1_taproot} {P2SH}");
        assert_eq!(
            kinds(&text),
            [
                ("ltc", "p2pkh", "mainnet"),
                ("ltc", "p2sh", "mainnet"),
                ("ltc", "p2wpkh", "mainnet"),
                ("ltc", "p2tr", "mainnet"),
                ("btc", "p2sh", "mainnet"),
            ]
        );
        for i in 1..LTC_P2PKH.len() {
            assert!(addresses(&corrupt(LTC_P2PKH, i, BASE58)).is_empty());
        }
        for i in 5..ltc1.len() {
            assert!(addresses(&corrupt(&ltc1, i, BECH32)).is_empty());
        }
        // Testnet Litecoin (tltc1) is not taken.
        let testnet = bech32::segwit::encode_v0(Hrp::parse("tltc").unwrap(), &[9; 20]).unwrap();
        assert!(addresses(&testnet).is_empty());
    }

    #[test]
    fn an_address_inside_a_longer_base58_run_is_not_cut_out() {
        for address in [GENESIS, LTC_P2SH, XMR_STANDARD] {
            assert!(addresses(&format!("{address}z")).is_empty());
            assert!(addresses(&format!("z{address}")).is_empty());
        }
    }
}
