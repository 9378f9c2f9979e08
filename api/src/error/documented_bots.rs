//! The documented error codes of the bot operations (see [`super::documented`]): what each
//! bot use case can answer, from [`BotServiceError`]'s codes.

use application::bots::BotServiceError;

use super::documented::pick;
use super::ErrorCode;

/// What a bot's start, resume and owner's buy check first: the legal texts, the subscription
/// and the plan.
const BOT_ENTITLEMENTS: &[ErrorCode] = &[
    ErrorCode::TermsNotAccepted,
    ErrorCode::PrivacyNotAccepted,
    ErrorCode::SubscriptionInactive,
    ErrorCode::PlanBotKind,
    ErrorCode::PlanLimitBots,
    ErrorCode::PlanAdvancedIndicators,
];

/// What reaching a bot's exchange can answer.
const BOT_EXCHANGE: &[ErrorCode] =
    &[ErrorCode::BotBusy, ErrorCode::CredentialRequired, ErrorCode::CredentialRejected, ErrorCode::ExchangeUnavailable];

/// The codes of a bot operation: `codes`, plus the entitlement checks and the exchange's.
fn bot(codes: &[ErrorCode], entitlements: bool, exchange: bool) -> Vec<ErrorCode> {
    let mut all = codes.to_vec();
    if entitlements {
        all.extend(BOT_ENTITLEMENTS);
    }
    if exchange {
        all.extend(BOT_EXCHANGE);
    }
    pick::<BotServiceError>(&all)
}

/// The codes of the bot operation `operation_id`, if it is one.
pub(super) fn codes_of(operation_id: &str) -> Option<Vec<ErrorCode>> {
    use ErrorCode as C;
    Some(match operation_id {
        "list_bots" => bot(&[C::ValidationFailed], false, false),
        "get_bot" | "circuit_breaker" | "reset_circuit_breaker" | "positions" => bot(&[C::NotFound], false, false),
        "create_bot" => bot(&[C::ValidationFailed, C::NotFound, C::ExchangeUnavailable], true, false),
        "update_bot" => bot(
            &[
                C::ValidationFailed,
                C::NotFound,
                C::BotRunning,
                C::KindChanged,
                C::PlanAdvancedIndicators,
                C::ExchangeUnavailable,
            ],
            false,
            false,
        ),
        "delete_bot" => bot(&[C::NotFound, C::BotRunning, C::OrdersPending], false, false),
        "start_bot" => bot(
            &[
                C::ValidationFailed,
                C::NotFound,
                C::InvalidBotStatus,
                C::ContextPaused,
                C::EmailUnverified,
                C::CredentialInvalid,
                C::InsufficientBalance,
            ],
            true,
            true,
        ),
        "pause_bot" => bot(&[C::NotFound, C::InvalidBotStatus], false, false),
        "resume_bot" => bot(
            &[
                C::ValidationFailed,
                C::NotFound,
                C::InvalidBotStatus,
                C::BotTripped,
                C::ContextPaused,
                C::ExchangeUnavailable,
            ],
            true,
            false,
        ),
        "stop_bot" | "emergency_sell" => bot(&[C::NotFound, C::InvalidBotStatus], false, true),
        "signals" | "executions" => bot(&[C::NotFound, C::NotForKind], false, false),
        "schedule_sell" => bot(&[C::ValidationFailed, C::NotFound, C::NotForKind], false, false),
        "buy" => bot(
            &[
                C::ValidationFailed,
                C::InvalidIdempotencyKey,
                C::NotFound,
                C::NotForKind,
                C::InvalidBotStatus,
                C::BotTripped,
                C::BuyingHalted,
                C::EntriesHeld,
                C::PriceNotSane,
                C::MaxOpenPositions,
                C::AboveMaxEntryPrice,
                C::ContextPaused,
                C::MarketClosed,
                C::IdempotencyKeyReused,
            ],
            true,
            true,
        ),
        "sell" => bot(
            &[
                C::ValidationFailed,
                C::InvalidIdempotencyKey,
                C::NotFound,
                C::NotForKind,
                C::InvalidBotStatus,
                C::PositionSelling,
                C::PositionDust,
                C::MarketClosed,
                C::IdempotencyKeyReused,
            ],
            false,
            true,
        ),
        _ => return None,
    })
}
