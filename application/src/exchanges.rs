//! The exchanges this server can reach: one gateway per (exchange, mode), picked at run time.
//! Live gateways are the real adapters (behind the resilience decorator and the shared market
//! data cache); paper gateways are the paper exchange simulating each exchange.

use std::collections::HashMap;
use std::sync::Arc;

use domain::contexts::ContextMode;
use domain::exchange::{ApiCredentials, ExchangeError, ExchangeGateway, ExchangeId};
use domain::shared::ids::UserId;
use domain::shared::secret::Secret;

use crate::AppError;

/// Gateways by exchange and mode.
#[derive(Clone, Default)]
pub struct ExchangeDirectory {
    gateways: HashMap<(ExchangeId, ContextMode), Arc<dyn ExchangeGateway>>,
}

impl std::fmt::Debug for ExchangeDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeDirectory").field("gateways", &self.gateways.keys().collect::<Vec<_>>()).finish()
    }
}

impl ExchangeDirectory {
    /// Adds `gateway` for `exchange` in `mode`.
    pub fn with(mut self, exchange: ExchangeId, mode: ContextMode, gateway: Arc<dyn ExchangeGateway>) -> Self {
        self.gateways.insert((exchange, mode), gateway);
        self
    }

    /// The gateway of `exchange` in `mode`. Errors: 503 `exchange_unavailable` when not set up.
    pub fn gateway(&self, exchange: ExchangeId, mode: ContextMode) -> Result<Arc<dyn ExchangeGateway>, AppError> {
        self.gateways.get(&(exchange, mode)).cloned().ok_or_else(|| AppError::Unavailable {
            code: "exchange_unavailable",
            detail: format!("{exchange} is not available in {} mode on this server", mode_name(mode)),
        })
    }

    /// The exchanges with a gateway in some mode.
    pub fn exchanges(&self) -> Vec<ExchangeId> {
        let mut all: Vec<ExchangeId> = self.gateways.keys().map(|(e, _)| *e).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// `live` or `paper`.
pub fn mode_name(mode: ContextMode) -> &'static str {
    match mode {
        ContextMode::Live => "live",
        ContextMode::Paper => "paper",
    }
}

/// The paper exchange account of `user` (the paper exchange keys accounts by the API key).
pub fn paper_credentials(user: UserId) -> ApiCredentials {
    ApiCredentials { api_key: Secret::new(format!("paper:{user}")), api_secret: Secret::new(""), testnet: false }
}

/// Maps an exchange failure to the API: unknown markets and timeframes are the caller's 422,
/// filters and balance 422, a refused key 409, everything else 503 (cause logged).
pub fn exchange_error(err: ExchangeError) -> AppError {
    match err {
        ExchangeError::UnknownSymbol(symbol) => {
            AppError::field("symbol", crate::FieldCode::UnknownPair, format!("{symbol} is not listed on this exchange"))
        }
        ExchangeError::UnsupportedTimeframe(tf) => AppError::field(
            "timeframe",
            crate::FieldCode::UnsupportedTimeframe,
            format!("{tf} is not offered by this exchange"),
        ),
        ExchangeError::Filter(violation) => {
            AppError::field("quantity", crate::FieldCode::MarketFilter, violation.to_string())
        }
        ExchangeError::InsufficientBalance => {
            AppError::field("quantity", crate::FieldCode::InsufficientBalance, "not enough free balance")
        }
        ExchangeError::OrderNotFound => AppError::NotFound { resource: "order" },
        ExchangeError::Unauthorized(_) => AppError::Conflict {
            code: "credential_rejected",
            detail: "the exchange refused the stored credential; validate or replace it".into(),
        },
        other => {
            tracing::warn!(error = ?other, "exchange call failed");
            AppError::Unavailable {
                code: "exchange_unavailable",
                detail: "the exchange could not be reached or refused the request; try again later".into(),
            }
        }
    }
}
