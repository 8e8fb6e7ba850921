//! Output scripts and the fake spends of them.
//!
//! The world's addresses are mainnet strings (`1...`, `3...`, `bc1q...`) while the chain is regtest. An
//! address is turned into the script a mainnet wallet would pay (`scriptPubKey`), and the chain pays that
//! script: regtest and mainnet scripts are the same bytes, only the spelling differs (`bcrt1q...`,
//! `m...`/`n...`, `2...`). Read the chain with mainnet spelling (spector-chain's
//! `Flattener::new(Network::Bitcoin)`) and its addresses are the dumps' strings; or match by script.

use bitcoin::hashes::Hash;
use bitcoin::script::{Builder, PushBytesBuf};
use bitcoin::{
    Address, Network, OutPoint, PubkeyHash, Script, ScriptBuf, ScriptHash, Sequence, TxIn,
    WPubkeyHash, Witness,
};

use crate::SynthError;

/// The kinds of output this chain pays (those of 2019–2021 wallets; Taproot came later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `1...`
    P2pkh,
    /// `bc1q...`
    P2wpkh,
    /// `3...`, spent as P2SH-wrapped P2WPKH.
    P2sh,
}

/// The script paying `hash` as `kind`.
pub fn script_of(kind: Kind, hash: [u8; 20]) -> ScriptBuf {
    match kind {
        Kind::P2pkh => ScriptBuf::new_p2pkh(&PubkeyHash::from_byte_array(hash)),
        Kind::P2wpkh => ScriptBuf::new_p2wpkh(&WPubkeyHash::from_byte_array(hash)),
        Kind::P2sh => ScriptBuf::new_p2sh(&ScriptHash::from_byte_array(hash)),
    }
}

/// The script of a mainnet address string of the world.
pub fn world_script(address: &str) -> Result<ScriptBuf, SynthError> {
    let parsed: Address<bitcoin::address::NetworkUnchecked> = address
        .parse()
        .map_err(|e| SynthError::Chain(format!("the world's address {address} is invalid: {e}")))?;
    let checked = parsed.require_network(Network::Bitcoin).map_err(|e| {
        SynthError::Chain(format!("the world's address {address} is not mainnet: {e}"))
    })?;
    Ok(checked.script_pubkey())
}

/// How `script` is spelled on `network` (empty for a script no address names).
pub fn spelled(script: &Script, network: Network) -> String {
    Address::from_script(script, network)
        .map(|a| a.to_string())
        .unwrap_or_default()
}

/// The 20 bytes a key-hash or script-hash output commits to.
fn hash_of(script: &Script) -> [u8; 20] {
    let bytes = script.as_bytes();
    let range = if script.is_p2pkh() {
        3..23
    } else if script.is_p2sh() || script.is_p2wpkh() {
        2..22
    } else {
        return [0; 20];
    };
    let mut out = [0u8; 20];
    if let Some(src) = bytes.get(range) {
        out.copy_from_slice(src);
    }
    out
}

/// An input spending `prev`, an output paying `script`, with the shape a real spend has (a 72-byte DER
/// signature and a 33-byte compressed key, in the script or the witness as the output kind demands).
/// The signature is not one: nothing holds the keys. The key is derived from the script, so that every
/// spend of one address shows the same key, as real reuse does.
pub fn spend(prev: OutPoint, script: &Script) -> TxIn {
    let hash = hash_of(script);
    let mut key = [0u8; 33];
    key[0] = 0x02 | (hash[19] & 1);
    key[1..21].copy_from_slice(&hash);
    key[21..].copy_from_slice(&hash[..12]);
    let mut sig = [0u8; 72];
    sig[..5].copy_from_slice(&[0x30, 0x45, 0x02, 0x21, 0x00]);
    sig[5..37].copy_from_slice(prev.txid.as_byte_array());
    sig[37..39].copy_from_slice(&[0x02, 0x20]);
    sig[39..71].copy_from_slice(&key[1..]);
    // r's top bit is forced set above (a 0x00 pad before it), s kept low like a normalized signature.
    sig[5] |= 0x80;
    sig[39] &= 0x7f;
    sig[71] = 0x01; // SIGHASH_ALL
    let (script_sig, witness) = if script.is_p2pkh() {
        (
            Builder::new().push_slice(sig).push_slice(key).into_script(),
            Witness::new(),
        )
    } else if script.is_p2sh() {
        // P2SH-P2WPKH: the redeem script (a v0 key-hash program) in the script, the rest in the witness.
        let mut redeem = vec![0x00, 0x14];
        redeem.extend_from_slice(&hash);
        let push = PushBytesBuf::try_from(redeem).unwrap_or_default();
        (
            Builder::new().push_slice(push).into_script(),
            Witness::from_slice(&[&sig[..], &key[..]]),
        )
    } else {
        (ScriptBuf::new(), Witness::from_slice(&[&sig[..], &key[..]]))
    };
    TxIn {
        previous_output: prev,
        script_sig,
        sequence: Sequence::MAX,
        witness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_addresses_keep_their_script_and_change_only_their_spelling() {
        // The first payment between people, to Hal Finney, and the BIP 173 example.
        for (mainnet, regtest_prefix) in [
            ("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", ['m', 'n']),
            ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", ['b', 'b']),
            ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", ['2', '2']),
        ] {
            let script = world_script(mainnet).unwrap();
            assert_eq!(spelled(&script, Network::Bitcoin), mainnet);
            let regtest = spelled(&script, Network::Regtest);
            assert!(
                regtest_prefix.contains(&regtest.chars().next().unwrap()),
                "{regtest}"
            );
            assert_ne!(regtest, mainnet);
        }
        // The regtest spelling carries the same program under the `bcrt` prefix (decoded independently).
        let regtest = spelled(
            &world_script("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").unwrap(),
            Network::Regtest,
        );
        let (hrp, _, program) = bech32::segwit::decode(&regtest).unwrap();
        let (_, _, mainnet_program) =
            bech32::segwit::decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4").unwrap();
        assert_eq!((hrp.as_str(), program), ("bcrt", mainnet_program));
        assert!(world_script("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx").is_err());
        assert!(world_script("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm4").is_err());
    }

    #[test]
    fn spends_have_the_shape_of_their_output_kind() {
        let prev = OutPoint::null();
        let p2pkh = spend(prev, &script_of(Kind::P2pkh, [7; 20]));
        assert_eq!(p2pkh.script_sig.len(), 1 + 72 + 1 + 33);
        assert!(p2pkh.witness.is_empty());
        let p2wpkh = spend(prev, &script_of(Kind::P2wpkh, [7; 20]));
        assert!(p2wpkh.script_sig.is_empty());
        assert_eq!(p2wpkh.witness.len(), 2);
        let p2sh = spend(prev, &script_of(Kind::P2sh, [7; 20]));
        assert_eq!(p2sh.script_sig.len(), 23);
        assert_eq!(p2sh.witness.len(), 2);
    }
}
