//! Reproducible random streams.
//!
//! Every random decision draws from a ChaCha8 stream keyed by (world seed, purpose, owner) and positioned by
//! an index, so any record can be regenerated on its own: an order is re-derived when its feedback, its
//! messages and its purchase row are written, instead of being kept in memory.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// A family of independent streams for one purpose (e.g. "order" on market 3), indexed by record number.
#[derive(Debug, Clone)]
pub struct StreamFamily {
    key: [u8; 32],
}

impl StreamFamily {
    pub fn new(seed: u64, purpose: &str, owner: u64) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"spector-synth/1\0");
        hasher.update(seed.to_le_bytes());
        hasher.update(purpose.as_bytes());
        hasher.update([0u8]);
        hasher.update(owner.to_le_bytes());
        StreamFamily {
            key: hasher.finalize().into(),
        }
    }

    /// The stream of record `index`.
    pub fn at(&self, index: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(index);
        rng
    }
}

/// Shorthand for a one-off stream.
pub fn stream(seed: u64, purpose: &str, owner: u64, index: u64) -> ChaCha8Rng {
    StreamFamily::new(seed, purpose, owner).at(index)
}
