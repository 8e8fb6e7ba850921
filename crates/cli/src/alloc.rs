//! Allocator tuning for the ingest.
//!
//! Memory is freed on other threads than the one that allocated it, batch after batch: each row group's
//! Arrow buffers are allocated where rows are appended and freed on the part's encoding thread (until
//! 2026-11-27, whole records crossed threads). By default mimalloc hands freed pages back to the kernel
//! after a delay (1 s in v3, 10 ms in v2) and faults them in again for later batches: measured on a 78 MB
//! dump when records crossed threads, 0.64 s of system time against 1.22 s of user time. Keeping freed memory
//! costs a few MB of peak RSS (the pipeline's memory is bounded by its batches anyway) and takes system
//! time down to 0.13 s.
//!
//! Without transparent huge pages, see [`keep_freed_memory`].

// mimalloc exposes its options as an enum of the C header, not as Rust constants. These two indices are the
// same in mimalloc v2 and v3; `option_indices_are_what_we_think` checks them against the documented defaults
// so an upgrade that renumbers them fails a test instead of silently tuning something else.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Never purge freed memory back to the OS; commit arena memory up front; no transparent huge pages.
pub fn keep_freed_memory() {
    // SAFETY: called at the start of `main`, before any other thread exists (the options are not
    // thread-safe); both are plain integer options.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 1);
    }
    // A huge page must be found (and, once the page cache has filled memory with a large dump, compacted
    // together) and zeroed at its first touch: measured on a 1.1 GB dump after other ingests, 1.0–1.5 s more
    // system time and 0.5 s more wall time than plain pages. By the process, not by a mimalloc option,
    // whose number differs between mimalloc versions.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_indices_are_what_we_think() {
        // SAFETY: reads of integer options; the test sets none.
        let (purge, eager) = unsafe {
            (
                libmimalloc_sys::mi_option_get(PURGE_DELAY),
                libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT),
            )
        };
        // The defaults: purge after 1000 ms (v3) or 10 ms (v2); eager arena commit only on overcommit
        // systems (2).
        assert!(
            purge == 1000 || purge == 10,
            "mi_option_purge_delay moved: {purge}"
        );
        assert_eq!(eager, 2, "mi_option_arena_eager_commit moved");
    }
}
