//! Private work areas of writers, and the sweep that removes those whose writer died.
//!
//! A live writer holds an exclusive OS lock on a file for as long as it runs. The lock dies with the
//! process, so "can I take the lock?" is exactly "is the writer gone?", with no clocks or pid guessing.
//! A sweep keeps the lock it took while it deletes, so a writer being born at that moment notices.

use crate::error::{Result, io_at};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const LOCK_SUFFIX: &str = ".lock";

/// A name no other writer, in this or another process, will pick.
pub(crate) fn unique_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}-{:x}-{n:x}", std::process::id())
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix seconds as RFC 3339 UTC (`2021-03-31T23:59:59Z`), the form timestamps leave the store in.
pub(crate) fn rfc3339(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0).map_or_else(
        || unix_seconds.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// Creates `path` (which must not exist) and locks it, retrying under a new name from `name` if a sweep
/// removed it between its creation and the lock.
pub(crate) fn create_locked(dir: &Path, name: impl Fn(&str) -> String) -> Result<(PathBuf, File)> {
    loop {
        let path = dir.join(name(&unique_token()));
        let file = File::create_new(&path).map_err(io_at(&path))?;
        file.lock().map_err(io_at(&path))?;
        if path.exists() {
            return Ok((path, file));
        }
    }
}

/// A directory `tables/.staging/<token>/` owned by one writer, whose lock is the file
/// `tables/.staging/<token>.lock`. Kept outside the directory so that the directory never exists without
/// a held lock: a directory without its lock file is an orphan, whatever moment its writer died at.
#[derive(Debug)]
pub(crate) struct StagingDir {
    path: PathBuf,
    token: String,
    lock_path: PathBuf,
    _lock: File,
}

impl StagingDir {
    pub fn create(staging_root: &Path) -> Result<Self> {
        fs::create_dir_all(staging_root).map_err(io_at(staging_root))?;
        let (lock_path, lock) =
            create_locked(staging_root, |token| format!("{token}{LOCK_SUFFIX}"))?;
        let token = lock_path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(LOCK_SUFFIX))
            .unwrap_or_default()
            .to_string();
        let path = staging_root.join(&token);
        fs::create_dir(&path).map_err(io_at(&path))?;
        Ok(StagingDir {
            path,
            token,
            lock_path,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Unique to this writer: names the parts it publishes.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        // Best effort, directory first and lock last (still held): whatever is left is swept on next open.
        let _ = fs::remove_dir_all(&self.path);
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Takes the lock on `lock_path` if no live writer holds it; `None` if one does or the file is gone.
fn claim(lock_path: &Path) -> Result<Option<File>> {
    let file = match OpenOptions::new().read(true).open(lock_path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(lock_path)(e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(io_at(lock_path)(e)),
    }
}

/// Removes the staging areas under `staging_root` whose writer is gone.
pub(crate) fn sweep_staging(staging_root: &Path) -> Result<()> {
    let entries = match fs::read_dir(staging_root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_at(staging_root)(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        paths.push(entry.map_err(io_at(staging_root))?.path());
    }
    // Locks first: a dead writer's directory goes with its lock.
    for lock_path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "lock"))
    {
        if let Some(_claimed) = claim(lock_path)? {
            remove_dir_if_present(&lock_path.with_extension(""))?;
            remove_file_if_present(lock_path)?;
        }
    }
    // A directory whose lock file is gone had a writer that died while removing it.
    for dir in paths.iter().filter(|p| p.is_dir()) {
        let mut lock_name = dir.file_name().unwrap_or_default().to_os_string();
        lock_name.push(LOCK_SUFFIX);
        if !dir.with_file_name(lock_name).exists() {
            remove_dir_if_present(dir)?;
        }
    }
    Ok(())
}

/// A file being written in place (evidence copy) locks itself; this removes those whose writer is gone.
pub(crate) fn sweep_locked_temp_files(dir: &Path, prefix: &str) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_at(dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(io_at(dir))?.path();
        let is_temp = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix));
        if is_temp && let Some(_claimed) = claim(&path)? {
            remove_file_if_present(&path)?;
        }
    }
    Ok(())
}

pub(crate) fn remove_file_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}

fn remove_dir_if_present(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}

/// Makes a rename or a new file in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_staging_dir_survives_a_sweep_and_a_dead_one_does_not() {
        let root = tempfile::tempdir().unwrap();
        let live = StagingDir::create(root.path()).unwrap();
        fs::write(live.path().join("orders.parquet"), b"being written").unwrap();
        // A writer that died mid-write: its lock file is there, but nobody holds it.
        let dead = root.path().join("dead-writer");
        fs::create_dir_all(&dead).unwrap();
        File::create(root.path().join("dead-writer.lock")).unwrap();
        fs::write(dead.join("orders.parquet"), b"half written").unwrap();
        // A writer that died while removing its directory, after its lock file was gone.
        let half_removed = root.path().join("half-removed");
        fs::create_dir_all(&half_removed).unwrap();

        sweep_staging(root.path()).unwrap();
        assert!(live.path().join("orders.parquet").exists());
        assert!(!dead.exists());
        assert!(!root.path().join("dead-writer.lock").exists());
        assert!(!half_removed.exists());

        drop(live);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn tokens_are_unique() {
        let a = unique_token();
        let b = unique_token();
        assert_ne!(a, b);
    }
}
