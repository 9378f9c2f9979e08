//! What an exchange adapter reports.

use time::OffsetDateTime;

use crate::market::{FilterViolation, Symbol, Timeframe};

/// An exchange call's failure, normalised across exchanges.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The exchange does not list that market.
    #[error("unknown symbol {0}")]
    UnknownSymbol(Symbol),
    /// The exchange has no candles of that timeframe.
    #[error("timeframe {0} is not supported by this exchange")]
    UnsupportedTimeframe(Timeframe),
    /// The order breaks the market's filters (caught before sending, or reported by the exchange).
    #[error("order refused by market filters: {0}")]
    Filter(#[from] FilterViolation),
    /// Not enough free balance.
    #[error("insufficient balance")]
    InsufficientBalance,
    /// No such order.
    #[error("order not found")]
    OrderNotFound,
    /// The exchange refused the key (bad key, signature, IP or permission).
    #[error("credentials rejected: {0}")]
    Unauthorized(String),
    /// Rate limited; retry after the given time.
    #[error("rate limited; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The outgoing IP is banned until the given instant; no call may be made before it.
    #[error("banned by the exchange until {until}")]
    Banned {
        /// End of the ban.
        until: OffsetDateTime,
    },
    /// The exchange rejected the request for another reason; `code` is the exchange's own.
    #[error("rejected by the exchange ({code}): {message}")]
    Rejected {
        /// The exchange's error code.
        code: String,
        /// The exchange's message.
        message: String,
    },
    /// The request may or may not have taken effect (time-out or 5xx after sending). For an
    /// order, resolve it by its client order id before doing anything else.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// The exchange could not be reached or failed before acting (safe to retry later).
    #[error("exchange unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl ExchangeError {
    /// Wraps a transport or decoding failure.
    pub fn unavailable(err: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(err.into())
    }

    /// Whether repeating the same idempotent call later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_) | Self::OutcomeUnknown(_))
    }
}
