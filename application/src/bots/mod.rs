//! Bot use cases: create (config validated per kind, plan entitlements), list and read, update
//! while not running, delete, the life-cycle commands with the start checks, emergency sell,
//! circuit-breaker reset, scheduled channel sales, manual buys and sells, and the records (signals, executions,
//! positions). One use case per file; what needs the exchange goes through [`BotExecutor`]. Every
//! change stored to a user's bots is told to the activity listeners (the dashboard's caches).

pub(crate) mod allowance;
mod command;
mod create;
mod enforce;
mod errors;
mod lifecycle;
mod read;
mod teardown;
mod update;

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{Bot, BotRecordRepository, BotRepository};
use domain::credentials::CredentialRepository;
use domain::shared::ids::UserId;
use domain::{Clock, RepoError};

pub(crate) use allowance::OwnerVerdicts;
pub use command::{manual_refused, BotCommand, BotCommandInput, Commanded};
pub use create::{check_name, CreateBotInput};
pub use enforce::BotLimitEnforcer;
pub use errors::BotServiceError;
pub use read::{BotListQuery, PositionView};
pub use teardown::BotsStopped;
pub use update::UpdateBotInput;

use crate::contexts::ContextService;
use crate::engine::ActivityListener;
use crate::exchanges::ExchangeDirectory;
use crate::subscriptions::SubscriptionService;
use crate::AppError;

/// What acting on the exchange for one bot takes (the engine implements it).
#[async_trait]
pub trait BotExecutor: Send + Sync {
    /// Cancels every pending order of `bot` and applies the outcome; returns the bot as saved.
    async fn cancel_pending(&self, bot: Bot) -> Result<Bot, AppError>;
    /// Finishes the stop of `bot`, stored stopped: waits (a bounded time) until nothing acts on
    /// it any more (an evaluation in flight, a sync), then cancels its pending orders under its
    /// lease; returns the bot as saved. 409 `bot_busy` when the wait runs out.
    async fn settle_stop(&self, bot: Bot) -> Result<Bot, AppError>;
    /// Cancels every pending order, sells everything held at market and stops the bot.
    async fn emergency_sell(&self, bot: Bot) -> Result<Bot, AppError>;
    /// Carries out its owner's `command` through `bot` under the bot's lease: the bot's rules,
    /// the market's filters, then the placement protocol. A `client_order_id` that already
    /// placed an order answers it (replayed) when it is the same command, else 409
    /// `idempotency_key_reused`.
    async fn command(&self, bot: Bot, command: BotCommand) -> Result<Commanded, AppError>;
}

/// The ports bot use cases need.
#[derive(Clone)]
pub struct BotPorts {
    /// Bots.
    pub bots: Arc<dyn BotRepository>,
    /// Bot records.
    pub records: Arc<dyn BotRecordRepository>,
    /// Contexts (ownership, credentials, balances).
    pub contexts: Arc<ContextService>,
    /// Credentials (their status at start).
    pub credentials: Arc<dyn CredentialRepository>,
    /// Plans and entitlements.
    pub subscriptions: Arc<SubscriptionService>,
    /// Exchanges.
    pub exchanges: Arc<ExchangeDirectory>,
    /// Exchange actions.
    pub executor: Arc<dyn BotExecutor>,
    /// The legal texts in force and the user's consents (checked at start).
    pub legal: Arc<crate::legal::LegalService>,
    /// Live trading needs a verified e-mail (when verification is on).
    pub email_gate: Arc<crate::identity::VerifiedEmailGate>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BotPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotPorts").finish_non_exhaustive()
    }
}

/// Users' bots.
#[derive(Debug)]
pub struct BotService {
    ports: BotPorts,
    /// Told after a bot of a user is created, changed or deleted (the dashboard's caches).
    activity: Vec<Arc<dyn ActivityListener>>,
}

impl BotService {
    /// A service over `ports`.
    pub fn new(ports: BotPorts) -> Self {
        Self { ports, activity: Vec::new() }
    }

    /// The same service also telling `listener` when it stores a change to a user's bots
    /// (created, renamed or reconfigured, started, paused, stopped, deleted), so a read model
    /// that shows bots (the dashboard's summary and series) drops what it cached for the user.
    pub fn with_activity_listener(mut self, listener: Arc<dyn ActivityListener>) -> Self {
        self.activity.push(listener);
        self
    }

    /// Tells every listener that `owner`'s bots changed; called after the change is stored.
    pub(crate) fn touched(&self, owner: UserId) {
        self.activity.iter().for_each(|listener| listener.changed(owner));
    }
}

/// `NotFound` as a missing bot.
pub(crate) fn bot_not_found(err: RepoError) -> BotServiceError {
    match err {
        RepoError::NotFound => BotServiceError::NotFound,
        other => other.into(),
    }
}

/// A domain refusal (a missing position is not found).
pub(crate) fn refused(err: domain::bots::BotError) -> BotServiceError {
    err.into()
}

/// A config's field issues, each named.
pub fn invalid_fields(issues: Vec<domain::shared::field::FieldIssue>) -> Vec<crate::FieldError> {
    issues.into_iter().map(|i| crate::FieldError::new(i.field, crate::FieldCode::Invalid, i.message)).collect()
}

/// A config's field issues as a refusal.
pub(crate) fn invalid(issues: Vec<domain::shared::field::FieldIssue>) -> BotServiceError {
    BotServiceError::Invalid(invalid_fields(issues))
}
