//! The project's real data for the tests of this crate: `../shared/data` beside the project root, or
//! `SPECTOR_SHARED_DATA`. Tests that need it skip with one line when it is absent. And the comparison of
//! the in-place block reader with `bitcoin`'s decoder, which both the real blocks and generated ones face.
// Each test file uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use spector_chain::bitcoin::Block;
use spector_chain::{BlockView, RawBlock, decode};

pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SPECTOR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join(relative);
    path.exists().then_some(path)
}

/// The path of `relative` under the shared data, or a skip of the calling test.
#[macro_export]
macro_rules! data_or_skip {
    ($relative:expr) => {
        match support::shared_data($relative) {
            Some(p) => p,
            None => {
                eprintln!("skipped: ../shared/data/{} is absent", $relative);
                return;
            }
        }
    };
}

/// The in-place reader finds what `bitcoin`'s decoder finds in the same bytes, and the block passes both
/// readers' checks.
pub fn assert_view_agrees_with_decoder(raw: &RawBlock) {
    let block: Block = decode(raw).unwrap();
    let view = BlockView::check(raw.clone()).unwrap();
    assert_eq!(view.disagreements_with(&block), Vec::<String>::new());
    assert!(!view.txs.is_empty());
}
