//! Memory figures of this process: resident set now (`VmRSS`) and its peak so far (`VmHWM`), in
//! KiB, from `/proc/self/status` (Linux; elsewhere both read as zero and the report says so), and
//! the heap bytes live now, counted by the bench's allocator ([`ALLOCATOR`]).
//!
//! RSS shows what the process holds, freed memory the allocator keeps included; the live bytes
//! show what the data itself takes (the bytes asked for, without the allocator's own overhead).

use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// The bench's global allocator: the system's, counting what is allocated and freed.
#[global_allocator]
pub static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// One reading of the process's memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// Resident set size now, KiB.
    pub rss_kib: u64,
    /// Peak resident set size so far, KiB.
    pub hwm_kib: u64,
    /// Heap bytes allocated and not freed yet.
    pub live_bytes: i128,
}

impl Memory {
    /// Reads `/proc/self/status`; zeros when it cannot be read.
    pub fn now() -> Self {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        let heap = ALLOCATOR.stats();
        // A reallocation's growth or shrinkage is already counted in the allocated or freed bytes.
        let live_bytes = heap.bytes_allocated as i128 - heap.bytes_deallocated as i128;
        Self { rss_kib: field("VmRSS:"), hwm_kib: field("VmHWM:"), live_bytes }
    }

    /// Whether the readings are real (Linux).
    pub fn available(&self) -> bool {
        self.rss_kib > 0
    }

    /// Bytes per item of the resident growth from `before` to `self` over `items` items.
    pub fn per_item_since(&self, before: &Memory, items: usize) -> u64 {
        let grown = self.rss_kib.saturating_sub(before.rss_kib) * 1024;
        grown / items.max(1) as u64
    }

    /// Live heap bytes per item grown from `before` to `self` over `items` items.
    pub fn live_per_item_since(&self, before: &Memory, items: usize) -> i128 {
        (self.live_bytes - before.live_bytes) / items.max(1) as i128
    }
}

/// `kib` as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
