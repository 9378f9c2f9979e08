//! The dashboard's read models across every context of a user (docs/dashboard.md): the summary
//! and its per-user cache, the exchange accounts' balances beside what the bots hold of them, and
//! the user's operational health with its alerts; the PDF report (MAX).

mod accounts;
mod alerts;
mod balances;
mod health;
mod report;
mod report_document;
pub mod summary;
pub mod summary_book;
pub mod summary_figures;

pub use accounts::{AccountError, AccountRead, AccountsPorts, AccountsView};
pub use alerts::{Alert, AlertKind, Severity, TAKE_PROFIT_NEAR_PERCENT};
pub use balances::{AccountBalances, AssetBalance, Balances};
pub use health::{BotHealth, BreakerHealth, CredentialHealth, ExchangeHealth, Health, LastError, PlanUsage};
pub use report::{PdfReportError, PdfReportService};
pub use report_document::{book_label, report_document, ReportInput, UNAVAILABLE};
pub use summary::{DashboardService, SummaryError, SummaryPorts};
pub use summary::{SummaryCache, SUMMARY_TTL};
pub use summary_book::{MarketKey, STRATEGIES};
pub use summary_figures::{ContextSummary, CurrencySummary, Figures, MarketPrice, Summary, PRICE_SOURCE};
