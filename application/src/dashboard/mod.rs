//! The dashboard's reads across every context of a user: the exchange accounts' balances beside
//! what the bots hold of them, and the user's operational health with its alerts; the PDF report (MAX).

mod accounts;
mod alerts;
mod balances;
mod health;
mod report;
mod report_document;

pub use accounts::{AccountError, AccountRead, AccountsPorts, AccountsView};
pub use alerts::{Alert, AlertKind, Severity, TAKE_PROFIT_NEAR_PERCENT};
pub use balances::{AccountBalances, AssetBalance, Balances};
pub use health::{BotHealth, BreakerHealth, CredentialHealth, ExchangeHealth, Health, LastError, PlanUsage};
pub use report::{ReportError, ReportService};
pub use report_document::{book_label, report_document, ReportInput, UNAVAILABLE};
