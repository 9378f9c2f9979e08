//! Use case: open a trading context. The checks run in the catalogue's order, each with its own
//! problem code: a usable credential (live mode), an active subscription, room under the plan's
//! context limit; then the pair must exist on the exchange.

use domain::contexts::{ContextMode, TradingContext};
use domain::credentials::CredentialStatus;
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::clock::to_millis;
use domain::shared::ids::UserId;
use domain::RepoError;

use super::ContextService;
use crate::exchanges::exchange_error;
use crate::{AppError, FieldError};

/// A context as requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateContextInput {
    /// `binance` or `mercado_bitcoin`.
    pub exchange: String,
    /// `BASE-QUOTE`, e.g. `BTC-BRL`.
    pub symbol: String,
    /// `live` or `paper`.
    pub mode: String,
}

fn parse(input: &CreateContextInput) -> Result<(ExchangeId, Symbol, ContextMode), AppError> {
    let mut errors = Vec::new();
    let exchange = input
        .exchange
        .parse::<ExchangeId>()
        .map_err(|e| errors.push(FieldError::new("exchange", crate::FieldCode::UnknownExchange, e.to_string())));
    let symbol = Symbol::parse(&input.symbol.to_ascii_uppercase())
        .map_err(|e| errors.push(FieldError::new("symbol", crate::FieldCode::InvalidSymbol, e.to_string())));
    let mode = input
        .mode
        .parse::<ContextMode>()
        .map_err(|e| errors.push(FieldError::new("mode", crate::FieldCode::Invalid, e.to_string())));
    match (exchange, symbol, mode) {
        (Ok(e), Ok(s), Ok(m)) => Ok((e, s, m)),
        _ => Err(AppError::Validation(errors)),
    }
}

impl ContextService {
    /// Opens a context. Errors: `Validation`; 409 `credential_required`; 403
    /// `subscription_inactive`; 402 `plan_limit_contexts`; 422 `unknown_pair`; 409 `context_exists`.
    pub async fn create(&self, owner: UserId, input: CreateContextInput) -> Result<TradingContext, AppError> {
        let (exchange, symbol, mode) = parse(&input)?;
        if mode == ContextMode::Live {
            let usable = self
                .ports
                .credentials
                .find_for_exchange(owner, exchange)
                .await?
                .is_some_and(|c| c.status != CredentialStatus::Invalid);
            if !usable {
                return Err(AppError::Conflict {
                    code: "credential_required",
                    detail: format!("a live context on {exchange} needs a {exchange} credential that is not invalid; add one or use paper mode"),
                });
            }
        }
        let access = self.ports.subscriptions.access(owner).await?;
        access.require_active()?;
        access.require_context_slot(self.ports.contexts.count(owner).await?)?;
        let gateway = self.ports.exchanges.gateway(exchange, mode)?;
        let market = gateway.market(&symbol).await.map_err(exchange_error)?;
        if !market.trading {
            return Err(AppError::field(
                "symbol",
                crate::FieldCode::MarketClosed,
                format!("{symbol} is not trading on {exchange}"),
            ));
        }
        let context = TradingContext::new(owner, exchange, &symbol, mode, to_millis(self.ports.clock.now()));
        self.ports.contexts.create(&context).await.map_err(|err| match err {
            RepoError::Duplicate { .. } => AppError::Conflict {
                code: "context_exists",
                detail: format!("you already have a {symbol} context on {exchange}"),
            },
            other => other.into(),
        })
    }
}
