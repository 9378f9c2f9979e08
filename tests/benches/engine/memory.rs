//! Memory figures of this process from `/proc/self/status` (Linux): resident set now (`VmRSS`)
//! and its peak so far (`VmHWM`), in KiB. Elsewhere both read as zero and the report says so.

/// One reading of the process's memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// Resident set size now, KiB.
    pub rss_kib: u64,
    /// Peak resident set size so far, KiB.
    pub hwm_kib: u64,
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
        Self { rss_kib: field("VmRSS:"), hwm_kib: field("VmHWM:") }
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
}

/// `kib` as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
