//! The project's real data for the tests of this crate: `../shared/data` beside the project root, or
//! `SPECTOR_SHARED_DATA`. Tests that need it skip with one line when it is absent.

use std::path::{Path, PathBuf};

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
