//! Identifiers planted in the world: crypto addresses, PGP keys, contact handles, UUIDs.

pub mod addresses;
pub mod handles;
pub mod pgp;

use rand::Rng;

/// A random (version 4) UUID in its usual spelling, as Laravel's `Str::uuid()` stores it.
pub fn uuid<R: Rng>(rng: &mut R) -> String {
    let mut b: [u8; 16] = rng.r#gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
