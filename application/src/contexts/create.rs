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

use super::{ContextService, CreateContextError};
use crate::FieldError;

/// A context as requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateContextInput {
    /// Its exchange.
    pub exchange: ExchangeId,
    /// Its market.
    pub symbol: Symbol,
    /// Live or paper.
    pub mode: ContextMode,
}

impl ContextService {
    /// Opens a context. Errors, in this order: `EmailUnverified` (live), `CredentialRequired`, `Access`
    /// (inactive subscription, context limit), `Invalid` for a pair not listed or not trading,
    /// `Exists`.
    pub async fn create(&self, owner: UserId, input: CreateContextInput) -> Result<TradingContext, CreateContextError> {
        let CreateContextInput { exchange, symbol, mode } = input;
        if mode == ContextMode::Live {
            // 403 `email_unverified` where e-mail verification is on; paper mode never asks.
            self.ports.email_gate.require(owner).await?;
            let usable = self
                .ports
                .credentials
                .find_for_exchange(owner, exchange)
                .await?
                .is_some_and(|c| c.status != CredentialStatus::Invalid);
            if !usable {
                return Err(CreateContextError::CredentialRequired { exchange });
            }
        }
        let access = self.ports.subscriptions.access(owner).await?;
        access.require_active()?;
        let slot = access.require_context_slot(self.ports.contexts.count(owner).await?);
        self.ports.subscriptions.told(owner, slot).await?;
        let gateway = self.ports.exchanges.gateway(exchange, mode)?;
        let market = gateway.market(&symbol).await.map_err(crate::exchanges::exchange_error)?;
        if !market.trading {
            let message = format!("{symbol} is not trading on {exchange}");
            return Err(CreateContextError::Invalid(vec![FieldError::new(
                "symbol",
                crate::FieldCode::MarketClosed,
                message,
            )]));
        }
        let context = TradingContext::new(owner, exchange, &symbol, mode, to_millis(self.ports.clock.now()));
        self.ports.contexts.create(&context).await.map_err(|err| match err {
            RepoError::Duplicate { .. } => CreateContextError::Exists { exchange, symbol: symbol.to_string() },
            other => other.into(),
        })
    }
}
