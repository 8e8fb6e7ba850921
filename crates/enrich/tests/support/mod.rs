//! What the tests that read the real datasets share.

use std::path::{Path, PathBuf};

/// `relative` inside the real datasets: `$SPECTOR_SHARED_DATA`, else `shared/data` beside the project (or
/// beside an ancestor folder of it, as for git worktrees). `None` when it is not there, for the test to skip.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPECTOR_SHARED_DATA") {
        return Some(PathBuf::from(dir).join(relative)).filter(|p| p.exists());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/data").join(relative))
        .find(|p| p.exists())
}
