//! The failures of the analytics use cases, in their own terms. `api` maps each variant to its
//! problem code in one place (`api/src/error/map`).

use domain::subscriptions::Plan;

use crate::subscriptions::AccessDenied;
use crate::Unexpected;

/// Why performance or metrics cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// A query parameter is not acceptable (named).
    #[error("invalid query parameter `{parameter}`: {message}")]
    InvalidQuery {
        /// The parameter.
        parameter: &'static str,
        /// What is wrong, without repeating the value.
        message: String,
    },
    /// The plan does not include it (metrics: MAX only).
    #[error(transparent)]
    Access(#[from] AccessDenied),
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(AnalyticsError);

/// Why a response has no market comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComparisonUnavailable {
    /// The plan does not include it; `upgrade_to` does.
    NotInPlan {
        /// The cheapest plan that includes it.
        upgrade_to: Option<Plan>,
    },
    /// The exchange's candles could not be read now (the series are still answered).
    Exchange(String),
    /// The exchange lists no BTC market against this quote currency.
    NoMarket,
}

impl ComparisonUnavailable {
    /// The stable reason (`plan`, `exchange_unavailable`, `no_market`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotInPlan { .. } => "plan",
            Self::Exchange(_) => "exchange_unavailable",
            Self::NoMarket => "no_market",
        }
    }
}
