//! What use cases share in their errors: [`FieldError`] for refused input, [`Unexpected`] for the
//! failures no use case handles itself, and [`AppError`], the engine's error. The `api` crate
//! gives each failure its code.

/// Declares [`FieldCode`] from rows of `Variant = "code";`, with `as_str` and `parse` from the
/// same rows.
macro_rules! field_codes {
    ($( $variant:ident = $code:literal; )+) => {
        /// Why one field was refused (`errors[].code` of a `validation_failed` problem); stable.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FieldCode {
            $(
                #[doc = concat!("`", $code, "`.")]
                $variant,
            )+
        }

        impl FieldCode {
            /// Every code.
            pub const ALL: &'static [FieldCode] = &[$(FieldCode::$variant),+];

            /// The code as sent.
            pub const fn as_str(self) -> &'static str {
                match self { $(FieldCode::$variant => $code,)+ }
            }

            /// The code named `code` (validator's and serde's codes included), if any.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(FieldCode::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

field_codes! {
    Required = "required";
    Invalid = "invalid";
    InvalidValue = "invalid_value";
    InvalidType = "invalid_type";
    InvalidLength = "invalid_length";
    UnknownField = "unknown_field";
    DuplicateField = "duplicate_field";
    UnknownVariant = "unknown_variant";
    Malformed = "malformed";
    Length = "length";
    Range = "range";
    Email = "email";
    Url = "url";
    Unresolvable = "unresolvable";
    Regex = "regex";
    MustMatch = "must_match";
    Contains = "contains";
    DoesNotContain = "does_not_contain";
    WeakPassword = "weak_password";
    Incorrect = "incorrect";
    MustAccept = "must_accept";
    NotAllowed = "not_allowed";
    NotPositive = "not_positive";
    NotPaid = "not_paid";
    UnknownExchange = "unknown_exchange";
    UnknownPair = "unknown_pair";
    InvalidAsset = "invalid_asset";
    InvalidSymbol = "invalid_symbol";
    InvalidTimeframe = "invalid_timeframe";
    UnsupportedTimeframe = "unsupported_timeframe";
    MarketClosed = "market_closed";
    MarketFilter = "market_filter";
    InsufficientBalance = "insufficient_balance";
    BelowMinQuantity = "below_min_quantity";
    AboveMaxQuantity = "above_max_quantity";
    BelowMinNotional = "below_min_notional";
    OffStep = "off_step";
    OffTick = "off_tick";
    WithdrawalEnabled = "withdrawal_enabled";
    AdvancedIndicatorUnavailable = "advanced_indicator_unavailable";
    AboveMaxEntryPrice = "above_max_entry_price";
    InsufficientBotFunds = "insufficient_bot_funds";
    InsufficientHoldings = "insufficient_holdings";
    PositionNotFound = "position_not_found";
}

impl std::fmt::Display for FieldCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for FieldCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One field that failed validation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's name as the client sent it (`email`, `config.take_profit_percent`).
    pub field: String,
    /// Why it was refused.
    pub code: FieldCode,
    /// A human explanation of what is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

/// A failure no use case expects or handles itself: the store broke (unreachable, a concurrent
/// change, a unique value taken), or an invariant did. Every use-case error enum has a variant
/// holding one, filled by `?` through [`unexpected_from!`](crate::unexpected_from).
#[derive(Debug, thiserror::Error)]
pub enum Unexpected {
    /// The store refused or could not be reached.
    #[error(transparent)]
    Store(#[from] domain::RepoError),
    /// A bug or an unexpected failure; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<anyhow::Error> for Unexpected {
    fn from(err: anyhow::Error) -> Self {
        Self::Internal(err)
    }
}

/// Implements `From<RepoError>`, `From<anyhow::Error>` and `From<Unexpected>` for use-case error
/// enums that have an `Unexpected(Unexpected)` variant, so `?` works on store calls.
#[macro_export]
macro_rules! unexpected_from {
    ($($error:ty),+ $(,)?) => {$(
        impl From<domain::RepoError> for $error {
            fn from(err: domain::RepoError) -> Self {
                Self::Unexpected(err.into())
            }
        }
        impl From<anyhow::Error> for $error {
            fn from(err: anyhow::Error) -> Self {
                Self::Unexpected(err.into())
            }
        }
        impl From<$crate::Unexpected> for $error {
            fn from(err: $crate::Unexpected) -> Self {
                Self::Unexpected(err)
            }
        }
    )+};
}

/// The engine's failures (see `docs/architecture.md`, "Errors"): domain failures only, no codes;
/// `api` gives each variant its code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input breaks a rule; one entry per bad field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No such resource for this user. Another user's resource is also "not found".
    #[error("{resource} not found")]
    NotFound {
        /// What was looked for (`credential`, `bot`).
        resource: &'static str,
    },
    /// The engine is acting on the bot (an evaluation, a sync, another instance) and did not
    /// let go within the wait; nothing was done, a retry goes through.
    #[error("{0}")]
    BotBusy(String),
    /// A store failure no use case handled: a concurrent change, a unique value taken, a store
    /// that cannot be reached (a missing record is [`AppError::NotFound`]).
    #[error(transparent)]
    Store(domain::RepoError),
    /// An order check refused (the engine shares the order use cases' checks).
    #[error(transparent)]
    Order(#[from] crate::orders::OrderError),
    /// A bot use case refused (the engine runs the bots' commands).
    #[error(transparent)]
    Bot(#[from] crate::bots::BotServiceError),
    /// A context read failed (the engine shares them).
    #[error(transparent)]
    Context(#[from] crate::contexts::ContextError),
    /// An exchange could not serve a call (the engine and market data call them).
    #[error(transparent)]
    Exchange(#[from] crate::exchanges::ExchangeFailure),
    /// A bug or an unexpected failure. The cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// An internal error from any cause.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// This error where a converted use case has no variant of its own for it: the store's
    /// failures keep their meaning (missing, changed concurrently, unreachable); anything else
    /// is an internal error naming `during`.
    pub(crate) fn into_unexpected(self, during: &'static str) -> Unexpected {
        use domain::RepoError;
        match self {
            AppError::NotFound { .. } => RepoError::NotFound.into(),
            AppError::Store(err) => err.into(),
            AppError::Internal(cause) => cause.into(),
            other => anyhow::Error::from(other).context(during).into(),
        }
    }
}

impl From<domain::RepoError> for AppError {
    /// Repository errors that reach a use case's caller unmapped: a missing record is
    /// `NotFound`; the rest keep their meaning as [`AppError::Store`].
    fn from(err: domain::RepoError) -> Self {
        match err {
            domain::RepoError::NotFound => AppError::NotFound { resource: "resource" },
            other => AppError::Store(other),
        }
    }
}

impl From<Unexpected> for AppError {
    fn from(err: Unexpected) -> Self {
        match err {
            Unexpected::Store(err) => err.into(),
            Unexpected::Internal(err) => AppError::Internal(err),
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
