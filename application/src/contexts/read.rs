//! Use cases: list, get and delete contexts (another user's id is not found), and read a
//! context's balances on its exchange.

use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::{ApiCredentials, Balance};
use domain::shared::ids::{ContextId, UserId};
use domain::{Page, PageRequest, RepoError};

use super::{ContextError, ContextService};
use crate::exchanges::{exchange_error, paper_credentials};

/// A context's base and quote balances on its exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextBalance {
    /// The context.
    pub context: TradingContext,
    /// Base asset, free and locked.
    pub base: Balance,
    /// Quote asset, free and locked.
    pub quote: Balance,
}

fn not_found(err: RepoError) -> ContextError {
    match err {
        RepoError::NotFound => ContextError::NotFound,
        other => other.into(),
    }
}

impl ContextService {
    /// The owner's contexts, oldest first.
    pub async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<TradingContext>, ContextError> {
        Ok(self.ports.contexts.list(owner, page).await?)
    }

    /// One of the owner's contexts.
    pub async fn get(&self, owner: UserId, id: ContextId) -> Result<TradingContext, ContextError> {
        self.ports.contexts.get(owner, id).await.map_err(not_found)
    }

    /// Deletes a context; refused (`InUse`) while a bot in it is running.
    pub async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), ContextError> {
        let context = self.get(owner, id).await?;
        let running = self.ports.bots.running_in(context.id).await?;
        if running > 0 {
            return Err(ContextError::InUse { running });
        }
        self.ports.contexts.delete(owner, id).await.map_err(not_found)
    }

    /// The credentials a context trades with: the paper account, or the decrypted live credential.
    pub async fn credentials_for(&self, context: &TradingContext) -> Result<ApiCredentials, ContextError> {
        if context.mode == ContextMode::Paper {
            return Ok(paper_credentials(context.user_id));
        }
        let credential = self
            .ports
            .credentials
            .find_for_exchange(context.user_id, context.exchange)
            .await?
            .ok_or(ContextError::CredentialRequired { exchange: context.exchange })?;
        Ok(crate::credentials::decrypt(&*self.ports.cipher, &credential)?)
    }

    /// The context's base and quote balances on its exchange (zero when the exchange lists none).
    pub async fn balance(&self, owner: UserId, id: ContextId) -> Result<ContextBalance, ContextError> {
        let context = self.get(owner, id).await?;
        let creds = self.credentials_for(&context).await?;
        let gateway = self.ports.exchanges.gateway(context.exchange, context.mode)?;
        let balances = gateway.balances(&creds).await.map_err(exchange_error)?;
        let of = |asset: &str| {
            balances.iter().find(|b| b.asset == asset).cloned().unwrap_or(Balance {
                asset: asset.to_owned(),
                free: rust_decimal::Decimal::ZERO,
                locked: rust_decimal::Decimal::ZERO,
            })
        };
        Ok(ContextBalance { base: of(context.base.as_str()), quote: of(context.quote.as_str()), context })
    }
}
