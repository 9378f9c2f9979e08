//! The dashboard's read models: what a user sees first after login (docs/dashboard.md).

pub mod summary;
pub mod summary_book;
pub mod summary_cache;
pub mod summary_figures;

pub use summary::{DashboardService, SummaryError, SummaryPorts};
pub use summary_book::{MarketKey, STRATEGIES};
pub use summary_cache::{SummaryCache, SUMMARY_TTL};
pub use summary_figures::{ContextSummary, CurrencySummary, Figures, MarketPrice, Summary, PRICE_SOURCE};
