//! The exchanges this server can reach: one gateway per (exchange, mode), picked at run time.
//! Live gateways are the real adapters (behind the resilience decorator and the shared market
//! data cache); paper gateways are the paper exchange simulating each exchange.

use std::collections::HashMap;
use std::sync::Arc;

use domain::contexts::ContextMode;
use domain::exchange::{ApiCredentials, ExchangeError, ExchangeGateway, ExchangeId};
use domain::shared::ids::UserId;
use domain::shared::secret::Secret;

use crate::{FieldCode, FieldError};

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

    /// The gateway of `exchange` in `mode`. Errors: `NotSetUp`.
    pub fn gateway(
        &self,
        exchange: ExchangeId,
        mode: ContextMode,
    ) -> Result<Arc<dyn ExchangeGateway>, ExchangeFailure> {
        self.gateways.get(&(exchange, mode)).cloned().ok_or(ExchangeFailure::NotSetUp { exchange, mode })
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

/// Why an exchange cannot serve a call, in the terms of the use cases that call it.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeFailure {
    /// The exchange refused a field of the request (a pair it does not list, a timeframe it
    /// does not offer, its filters, the balance), named.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The exchange does not know the order.
    #[error("order not found")]
    OrderNotFound,
    /// The exchange refused the stored credential.
    #[error("the exchange refused the stored credential; validate or replace it")]
    CredentialRejected,
    /// The exchange is not set up in this mode on this server.
    #[error("{exchange} is not available in {} mode on this server", mode_name(*mode))]
    NotSetUp {
        /// The exchange.
        exchange: ExchangeId,
        /// The mode.
        mode: ContextMode,
    },
    /// The exchange could not be reached or refused the request (the cause is logged).
    #[error("the exchange could not be reached or refused the request; try again later")]
    Unreachable,
}

fn field(name: &str, code: FieldCode, message: String) -> ExchangeFailure {
    ExchangeFailure::Invalid(vec![FieldError::new(name, code, message)])
}

/// An exchange's failure in the use cases' terms: unknown markets and timeframes, filters and
/// balance name the field; a refused key is `CredentialRejected`; anything else makes the
/// exchange `Unreachable` (cause logged).
pub fn exchange_error(err: ExchangeError) -> ExchangeFailure {
    match err {
        ExchangeError::UnknownSymbol(symbol) => {
            field("symbol", FieldCode::UnknownPair, format!("{symbol} is not listed on this exchange"))
        }
        ExchangeError::UnsupportedTimeframe(tf) => {
            field("timeframe", FieldCode::UnsupportedTimeframe, format!("{tf} is not offered by this exchange"))
        }
        ExchangeError::Filter(violation) => field("quantity", FieldCode::MarketFilter, violation.to_string()),
        ExchangeError::InsufficientBalance => {
            field("quantity", FieldCode::InsufficientBalance, "not enough free balance".to_owned())
        }
        ExchangeError::OrderNotFound => ExchangeFailure::OrderNotFound,
        ExchangeError::Unauthorized(_) => ExchangeFailure::CredentialRejected,
        other => {
            tracing::warn!(error = ?other, "exchange call failed");
            ExchangeFailure::Unreachable
        }
    }
}
