//! Running the `spector` binary as an analyst or a script does, for the CLI's test files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn spector(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spector"))
        .args(args)
        .env_remove("SPECTOR_CASE")
        .env_remove("RUST_LOG")
        .output()
        .expect("run spector")
}

/// Stdout of a run that must succeed.
pub fn ok(args: &[&str]) -> String {
    let out = spector(args);
    assert!(
        out.status.success(),
        "spector {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// The JSON printed by a run that must succeed.
pub fn json(args: &[&str]) -> serde_json::Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

/// The project's real data (`../shared/data` beside the project root, or `SPECTOR_SHARED_DATA`).
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SPECTOR_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join(relative);
    path.exists().then_some(path)
}
