//! What the benchmark's examples share: the blk files of a Bitcoin Core blocks directory.

use std::path::{Path, PathBuf};

use spector_chain::assemble::BlockFile;
use spector_chain::{Framing, read_xor_key};

/// The directory's `blk?????.dat` files in name order (Core's), with the directory's obfuscation key.
pub fn blk_files(dir: &Path) -> Vec<BlockFile> {
    let key = read_xor_key(dir).expect("xor.dat");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("blocks directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("blk") && name.ends_with(".dat")
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| BlockFile {
            path,
            framing: Framing::Blk,
            xor_key: key,
        })
        .collect()
}
