//! Why an account could not be deleted. Before the account is marked deleted (step 5 of
//! [`super::delete_account`]) it stays active: nothing is lost and a retry finishes the job.

use crate::bots::BotServiceError;
use crate::legal::ConsentError;
use crate::subscriptions::SubscriptionError;
use crate::{AppError, FieldError, Unexpected};

/// Why an account could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteAccountError {
    /// The password is not the account's.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The account does not exist (or is blocked: an operator's hold is not lifted this way).
    #[error("user not found")]
    UserNotFound,
    /// The account kept changing while it was being marked deleted.
    #[error("the account kept changing; retry")]
    Busy,
    /// A bot could not be stopped or its pending orders cancelled (the engine still holds it,
    /// its exchange failed or refused the credentials).
    #[error(transparent)]
    Bots(#[from] BotServiceError),
    /// An open manual order could not be cancelled through the engine.
    #[error(transparent)]
    Orders(AppError),
    /// The paid plan could not be cancelled at its provider.
    #[error(transparent)]
    Subscription(#[from] SubscriptionError),
    /// The consents could not be withdrawn.
    #[error(transparent)]
    Consent(#[from] ConsentError),
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(DeleteAccountError);
