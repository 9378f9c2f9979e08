//! Pagination shared by every list port.

use serde::Serialize;

/// Which slice of a list to return. `limit` is clamped to `1..=MAX_LIMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    offset: u64,
    limit: u64,
}

impl PageRequest {
    /// The largest page a caller may ask for.
    pub const MAX_LIMIT: u64 = 200;
    /// The page size when none is asked for.
    pub const DEFAULT_LIMIT: u64 = 50;
    /// The deepest page a caller may ask for: every store skips that many items one by one, and
    /// beyond `i64::MAX` a store cannot even express it. Deeper lists are narrowed by filters.
    pub const MAX_OFFSET: u64 = 100_000_000;

    /// A page starting at `offset` with at most `limit` items (clamped to `1..=MAX_LIMIT`).
    pub fn new(offset: u64, limit: u64) -> Self {
        Self { offset, limit: limit.clamp(1, Self::MAX_LIMIT) }
    }

    /// The first page of the default size.
    pub fn first() -> Self {
        Self::new(0, Self::DEFAULT_LIMIT)
    }

    /// Items to skip.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Items to return at most.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first()
    }
}

/// One page of results and the total number of matches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items of this page, in the port's documented order.
    pub items: Vec<T>,
    /// How many items match the filter in all.
    pub total: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// The page size that was applied.
    pub limit: u64,
}

impl<T> Page<T> {
    /// Maps every item, keeping the paging figures.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        }
    }
}
