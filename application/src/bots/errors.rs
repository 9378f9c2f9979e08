//! The failures of the bot use cases (create, read, update, delete, the life-cycle commands,
//! its owner's buys and sells), in their own terms. `api` maps each variant to its problem code
//! in one place (`api/src/error/map`).

use domain::bots::{BotError, BotKind, ManualRefused};
use domain::exchange::ExchangeId;

use crate::contexts::ContextError;
use crate::legal::ConsentError;
use crate::orders::OrderError;
use crate::subscriptions::AccessDenied;
use crate::{AppError, FieldError, Unexpected};

/// Why a bot use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BotServiceError {
    /// Fields break the rules, each named (the config at any depth, filters, a command's size).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The owner has no such bot (also another user's, or a malformed id).
    #[error("bot not found")]
    NotFound,
    /// The bot has no such position.
    #[error("position not found")]
    PositionNotFound,
    /// The owner has no such context.
    #[error("context not found")]
    ContextNotFound,
    /// The bot's own rules refuse the change (its status, its kind, its funds).
    #[error(transparent)]
    Refused(BotError),
    /// The bot's state refuses its owner's buy or sell (a refusal of the request's fields is
    /// `Invalid` instead; see [`manual_refused`](super::manual_refused)).
    #[error(transparent)]
    Manual(ManualRefused),
    /// An emergency sale of a bot that never started.
    #[error("the bot never started")]
    NeverStarted,
    /// The circuit breaker tripped; only a breaker reset resumes the bot.
    #[error("the circuit breaker tripped; investigate, then POST circuit-breaker/reset to resume")]
    Tripped,
    /// The bot must be stopped first.
    #[error("the bot is {status}; stop it before deleting it")]
    Running {
        /// Its status now.
        status: &'static str,
    },
    /// The bot still has pending orders.
    #[error("the bot still has pending orders; they are being cancelled, retry shortly")]
    OrdersPending,
    /// The list exists only for another kind of bot.
    #[error("only {kind} bots have this list")]
    NotForKind {
        /// The kind that has it.
        kind: BotKind,
    },
    /// The bot's context is paused.
    #[error("the context is paused: {reason}")]
    ContextPaused {
        /// Why it was paused.
        reason: String,
    },
    /// A live bot needs a credential for its exchange.
    #[error("{0}")]
    CredentialRequired(String),
    /// The live bot's credential failed validation.
    #[error("the {exchange} credential is invalid; replace it or validate it again")]
    CredentialInvalid {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// The exchange refused the stored credential.
    #[error("the exchange refused the stored credential; validate or replace it")]
    CredentialRejected,
    /// Not enough free quote on the exchange for what the bot may spend.
    #[error("{0}")]
    InsufficientBalance(String),
    /// The engine is acting on the bot, or the bot kept changing; retry.
    #[error("{0}")]
    Busy(String),
    /// The exchange is not set up here, or cannot be reached now.
    #[error("{0}")]
    ExchangeUnavailable(String),
    /// The order the bot was to place was refused (market filters and status, idempotency).
    #[error(transparent)]
    Order(OrderError),
    /// The subscription does not allow it.
    #[error(transparent)]
    Access(#[from] AccessDenied),
    /// The legal texts in force are not accepted.
    #[error(transparent)]
    Consent(#[from] ConsentError),
    /// Live trading needs a verified e-mail address.
    #[error("live trading needs a verified e-mail address; follow the link we sent, or ask for a new one")]
    EmailUnverified,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(BotServiceError);

impl From<crate::identity::EmailGateError> for BotServiceError {
    fn from(err: crate::identity::EmailGateError) -> Self {
        match err {
            crate::identity::EmailGateError::Unverified => Self::EmailUnverified,
            crate::identity::EmailGateError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

impl From<BotError> for BotServiceError {
    /// A domain refusal; a missing position is not found.
    fn from(err: BotError) -> Self {
        match err {
            BotError::NoPosition(_) => BotServiceError::PositionNotFound,
            other => BotServiceError::Refused(other),
        }
    }
}

impl From<OrderError> for BotServiceError {
    /// The order checks' refusal; its bad fields are the command's.
    fn from(err: OrderError) -> Self {
        match err {
            OrderError::Invalid(errors) => BotServiceError::Invalid(errors),
            OrderError::Unexpected(err) => BotServiceError::Unexpected(err),
            other => BotServiceError::Order(other),
        }
    }
}

impl From<ContextError> for BotServiceError {
    /// The context reads' failures, in bot terms.
    fn from(err: ContextError) -> Self {
        match err {
            ContextError::NotFound => BotServiceError::ContextNotFound,
            ContextError::Invalid(errors) => BotServiceError::Invalid(errors),
            ContextError::CredentialRequired { .. } => BotServiceError::CredentialRequired(err.to_string()),
            ContextError::CredentialRejected => BotServiceError::CredentialRejected,
            ContextError::ExchangeUnavailable(detail) => BotServiceError::ExchangeUnavailable(detail),
            ContextError::Unexpected(err) => BotServiceError::Unexpected(err),
            ContextError::InUse { .. } => anyhow::Error::from(err).context("a bot use case").into(),
        }
    }
}

impl From<crate::exchanges::ExchangeFailure> for BotServiceError {
    /// An exchange's failure while checking or acting for the bot.
    fn from(err: crate::exchanges::ExchangeFailure) -> Self {
        use crate::exchanges::ExchangeFailure as F;
        match err {
            F::Invalid(errors) => BotServiceError::Invalid(errors),
            F::OrderNotFound => BotServiceError::Order(OrderError::NotFound),
            F::CredentialRejected => BotServiceError::CredentialRejected,
            other => BotServiceError::ExchangeUnavailable(other.to_string()),
        }
    }
}

impl From<AppError> for BotServiceError {
    /// The refusals of the services bots call that still answer `AppError` (context reads, the
    /// exchange directory, the engine), in bot terms.
    fn from(err: AppError) -> Self {
        match err {
            AppError::Bot(err) => err,
            AppError::Order(err) => err.into(),
            AppError::Context(err) => err.into(),
            AppError::Exchange(err) => err.into(),
            AppError::Validation(errors) => BotServiceError::Invalid(errors),
            AppError::NotFound { resource: "bot" } => BotServiceError::NotFound,
            AppError::NotFound { resource: "context" } => BotServiceError::ContextNotFound,
            AppError::NotFound { resource: "position" } => BotServiceError::PositionNotFound,
            AppError::NotFound { resource: "order" } => BotServiceError::Order(OrderError::NotFound),
            AppError::BotBusy(detail) => BotServiceError::Busy(detail),
            other => other.into_unexpected("a bot use case").into(),
        }
    }
}
