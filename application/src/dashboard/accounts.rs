//! [`AccountsView`]: the dashboard's reads of a user's exchange accounts. The contexts of one user
//! on one exchange and mode share one account (the credential, or the paper account), so each
//! account is read once per request however many contexts use it, all accounts at once; an
//! account whose exchange cannot be reached answers its error and the others still answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::bots::{Bot, BotFilter, BotRecordRepository, BotRepository};
use domain::contexts::{ContextMode, ContextRepository, TradingContext};
use domain::credentials::CredentialRepository;
use domain::exchange::{Balance, ExchangeId};
use domain::shared::ids::UserId;
use domain::{Clock, Page, PageRequest, RepoError};
use time::OffsetDateTime;

use crate::contexts::{ContextError, ContextService};
use crate::exchanges::{exchange_error, ExchangeDirectory, ExchangeFailure};
use crate::subscriptions::SubscriptionService;
use crate::Unexpected;

/// The ports the dashboard's account reads need.
#[derive(Clone)]
pub struct AccountsPorts {
    /// Bots (their books and state).
    pub bots: Arc<dyn BotRepository>,
    /// Bot records (when a soft stop or an entry hold was recorded).
    pub records: Arc<dyn BotRecordRepository>,
    /// Contexts, listed.
    pub contexts: Arc<dyn ContextRepository>,
    /// The credentials a context trades with (decrypted only to call the exchange).
    pub context_service: Arc<ContextService>,
    /// Credentials (their stored validation state).
    pub credentials: Arc<dyn CredentialRepository>,
    /// Plans and their limits.
    pub subscriptions: Arc<SubscriptionService>,
    /// Exchanges, through the same gateways the engine uses.
    pub exchanges: Arc<ExchangeDirectory>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AccountsPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountsPorts").field("exchanges", &self.exchanges).finish_non_exhaustive()
    }
}

/// Balances and health of a user's accounts.
#[derive(Debug)]
pub struct AccountsView {
    pub(super) ports: AccountsPorts,
}

/// Why one exchange account could not be read: a stable code and a message, never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountError {
    /// `exchange_unavailable`, `credential_required`, `credential_rejected` or `internal_error`.
    pub code: &'static str,
    /// What happened, in words.
    pub message: String,
}

impl AccountError {
    fn of_context(err: ContextError) -> Self {
        let code = match &err {
            ContextError::CredentialRequired { .. } => "credential_required",
            ContextError::CredentialRejected => "credential_rejected",
            ContextError::Unexpected(cause) => {
                tracing::warn!(error = %cause, "cannot read the credential of an exchange account");
                return Self { code: "internal_error", message: "the credential could not be read".to_owned() };
            }
            _ => "exchange_unavailable",
        };
        Self { code, message: err.to_string() }
    }

    fn of_exchange(err: ExchangeFailure) -> Self {
        let code = match err {
            ExchangeFailure::CredentialRejected => "credential_rejected",
            _ => "exchange_unavailable",
        };
        Self { code, message: err.to_string() }
    }
}

/// One account as read now: its balances, or why they could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRead {
    /// The exchange.
    pub exchange: ExchangeId,
    /// Live or paper.
    pub mode: ContextMode,
    /// When the read ended.
    pub read_at: OffsetDateTime,
    /// Every asset the exchange reported, or the failure.
    pub balances: Result<Vec<Balance>, AccountError>,
}

/// Every item of a paged list, page by page.
pub(super) async fn all<T, F, Fut>(mut page: F) -> Result<Vec<T>, RepoError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, RepoError>>,
{
    let mut items = Vec::new();
    loop {
        let got = page(PageRequest::new(items.len() as u64, PageRequest::MAX_LIMIT)).await?;
        let done = got.items.is_empty() || items.len() as u64 + got.items.len() as u64 >= got.total;
        items.extend(got.items);
        if done {
            return Ok(items);
        }
    }
}

impl AccountsView {
    /// A view over `ports`.
    pub fn new(ports: AccountsPorts) -> Self {
        Self { ports }
    }

    /// Every context of `owner`, oldest first.
    pub(super) async fn contexts(&self, owner: UserId) -> Result<Vec<TradingContext>, Unexpected> {
        Ok(all(|page| self.ports.contexts.list(owner, page)).await?)
    }

    /// Every bot of `owner`, oldest first.
    pub(super) async fn bots(&self, owner: UserId) -> Result<Vec<Bot>, Unexpected> {
        let filter = BotFilter::default();
        Ok(all(|page| self.ports.bots.list(owner, &filter, page)).await?)
    }

    /// Reads each account the `contexts` use once, concurrently, in (exchange, mode) order.
    pub(super) async fn read_accounts(&self, contexts: &[TradingContext]) -> Vec<AccountRead> {
        let mut accounts: BTreeMap<(ExchangeId, ContextMode), &TradingContext> = BTreeMap::new();
        for context in contexts {
            accounts.entry((context.exchange, context.mode)).or_insert(context);
        }
        let reads = accounts.into_values().map(|context| self.read_account(context));
        futures::future::join_all(reads).await
    }

    async fn read_account(&self, context: &TradingContext) -> AccountRead {
        let balances = async {
            let creds = self.ports.context_service.credentials_for(context).await.map_err(AccountError::of_context)?;
            let gateway =
                self.ports.exchanges.gateway(context.exchange, context.mode).map_err(AccountError::of_exchange)?;
            gateway.balances(&creds).await.map_err(|e| AccountError::of_exchange(exchange_error(e)))
        }
        .await;
        AccountRead { exchange: context.exchange, mode: context.mode, read_at: self.ports.clock.now(), balances }
    }
}
