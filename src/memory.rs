//! The process's memory: mimalloc as the allocator, and handing freed memory back to the system.
//!
//! mimalloc rather than glibc's malloc: a request allocates on one worker thread and is often freed
//! on the other, and glibc's arena locks made that a fifth of a cold request's CPU (README,
//! "Benchmarks"). It is built without transparent huge pages (the `no_thp` feature): with them,
//! each arena touched whole 2 MiB pages, 8 MiB more resident memory at start.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    // Defined by mimalloc, which the `mimalloc` crate builds and links.
    fn mi_collect(force: bool);
}

/// Returns the free memory whose purge is due to the system. mimalloc purges freed pages a second
/// after they are freed, but only checks during later allocations: a gateway that goes idle after a
/// burst kept its peak memory (30 MiB instead of 19 after the cold-path benchmark). The device
/// cache's idle sweeper calls this once a second. Purging at once instead (no delay) cost 2% of a
/// cold request's CPU in `madvise` calls and page faults.
pub(crate) fn release_free_memory() {
    // SAFETY: mi_collect only walks mimalloc's own structures, from any thread, at any time.
    unsafe { mi_collect(false) }
}
