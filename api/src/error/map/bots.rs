//! Bot failures -> problem codes: the bot's own refusals by their domain reason.

use application::bots::BotServiceError;
use domain::bots::{BotError, ManualRefused};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

/// The code of a refusal by the bot's own rules.
fn rule_code(err: &BotError) -> ErrorCode {
    match err {
        BotError::Transition(_) => ErrorCode::InvalidBotStatus,
        BotError::Running(_) => ErrorCode::BotRunning,
        BotError::KindChanged => ErrorCode::KindChanged,
        BotError::NoPosition(_) => ErrorCode::NotFound,
        BotError::NotForKind(_) => ErrorCode::NotForKind,
        BotError::Funds(_) => ErrorCode::InsufficientBotFunds,
        BotError::UnknownOrder(_) => ErrorCode::UnknownOrder,
    }
}

/// The code of the bot's state refusing its owner's buy or sell (`None`: a refusal of the
/// request's fields, which the application reports as `Invalid` instead).
fn manual_code(err: &ManualRefused) -> Option<ErrorCode> {
    Some(match err {
        ManualRefused::NotForKind(_) => ErrorCode::NotForKind,
        ManualRefused::Status { status: "tripped", .. } => ErrorCode::BotTripped,
        ManualRefused::Status { .. } => ErrorCode::InvalidBotStatus,
        ManualRefused::BuyingHalted => ErrorCode::BuyingHalted,
        ManualRefused::EntriesHeld(_) => ErrorCode::EntriesHeld,
        ManualRefused::InsanePrice { .. } => ErrorCode::PriceNotSane,
        ManualRefused::MaxOpenPositions(_) => ErrorCode::MaxOpenPositions,
        ManualRefused::AboveMaxEntryPrice { .. } => ErrorCode::AboveMaxEntryPrice,
        ManualRefused::PositionSelling(_) => ErrorCode::PositionSelling,
        ManualRefused::Dust { .. } => ErrorCode::PositionDust,
        ManualRefused::InsufficientFunds { .. }
        | ManualRefused::InsufficientHoldings { .. }
        | ManualRefused::NoPosition(_)
        | ManualRefused::LimitSaleNeedsPosition
        | ManualRefused::TooLarge
        | ManualRefused::Size(_) => return None,
    })
}

impl From<BotServiceError> for ApiError {
    fn from(err: BotServiceError) -> Self {
        let detail = err.to_string();
        let code = match err {
            BotServiceError::Invalid(errors) => return ApiError::validation(errors),
            BotServiceError::Unexpected(err) => return err.into(),
            BotServiceError::Order(err) => return err.into(),
            BotServiceError::Access(err) => return err.into(),
            BotServiceError::Consent(err) => return err.into(),
            BotServiceError::Refused(ref rule) => rule_code(rule),
            BotServiceError::Manual(ref refusal) => match manual_code(refusal) {
                Some(code) => code,
                None => return ApiError::internal(anyhow::anyhow!("a field refusal left unnamed: {detail}")),
            },
            BotServiceError::NotFound | BotServiceError::PositionNotFound | BotServiceError::ContextNotFound => {
                ErrorCode::NotFound
            }
            BotServiceError::NeverStarted => ErrorCode::InvalidBotStatus,
            BotServiceError::Tripped => ErrorCode::BotTripped,
            BotServiceError::Running { .. } => ErrorCode::BotRunning,
            BotServiceError::OrdersPending => ErrorCode::OrdersPending,
            BotServiceError::NotForKind { .. } => ErrorCode::NotForKind,
            BotServiceError::ContextPaused { .. } => ErrorCode::ContextPaused,
            BotServiceError::EmailUnverified => ErrorCode::EmailUnverified,
            BotServiceError::CredentialRequired(_) => ErrorCode::CredentialRequired,
            BotServiceError::CredentialInvalid { .. } => ErrorCode::CredentialInvalid,
            BotServiceError::CredentialRejected => ErrorCode::CredentialRejected,
            BotServiceError::InsufficientBalance(_) => ErrorCode::InsufficientBalance,
            BotServiceError::Busy(_) => ErrorCode::BotBusy,
            BotServiceError::ExchangeUnavailable(_) => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for BotServiceError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::NotFound,
        ErrorCode::PlanLimitBots,
        ErrorCode::PlanBotKind,
        ErrorCode::PlanAdvancedIndicators,
        ErrorCode::SubscriptionInactive,
        ErrorCode::TermsNotAccepted,
        ErrorCode::PrivacyNotAccepted,
        ErrorCode::EmailUnverified,
        ErrorCode::InvalidBotStatus,
        ErrorCode::BotRunning,
        ErrorCode::KindChanged,
        ErrorCode::NotForKind,
        ErrorCode::InsufficientBotFunds,
        ErrorCode::UnknownOrder,
        ErrorCode::BotTripped,
        ErrorCode::BuyingHalted,
        ErrorCode::EntriesHeld,
        ErrorCode::PriceNotSane,
        ErrorCode::MaxOpenPositions,
        ErrorCode::AboveMaxEntryPrice,
        ErrorCode::PositionSelling,
        ErrorCode::PositionDust,
        ErrorCode::OrdersPending,
        ErrorCode::ContextPaused,
        ErrorCode::CredentialRequired,
        ErrorCode::CredentialInvalid,
        ErrorCode::CredentialRejected,
        ErrorCode::InsufficientBalance,
        ErrorCode::BotBusy,
        ErrorCode::MarketClosed,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::ExchangeUnavailable,
    ];
}
