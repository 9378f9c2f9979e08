//! The dashboard's alerts, derived from what is stored and read now, never stored themselves: an
//! alert lasts exactly as long as its condition. Pure functions of a bot, a price, the plan's
//! usage, a credential and an account read.

use domain::bots::{Bot, BotStatus};
use domain::credentials::{CredentialStatus, ExchangeCredential};
use domain::shared::ids::{BotId, ContextId};
use domain::subscriptions::Limit;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::engine::SHORTFALL_REASON;

/// How close (%) the price must be to an open position's take-profit price for `take_profit_near`:
/// the price is at or above `target × (1 − 1/100)`.
pub const TAKE_PROFIT_NEAR_PERCENT: Decimal = Decimal::ONE;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A bot's circuit breaker tripped: it opens nothing until reset.
    BreakerTripped,
    /// A bot's soft stop loss fired: it stopped buying.
    SoftStopHit,
    /// An open position is within [`TAKE_PROFIT_NEAR_PERCENT`] of its take-profit price.
    TakeProfitNear,
    /// The plan's limit of bots or contexts is reached, or exceeded after a downgrade.
    PlanLimitReached,
    /// `sync_withdrawals` paused a bot: the exchange holds less than the bots need.
    FundsWithdrawn,
    /// The engine holds a bot's entries: its market shows an anomaly.
    EntriesHeld,
    /// The exchange refused a stored credential (or it may withdraw funds).
    CredentialInvalid,
    /// An exchange account could not be read now.
    ExchangeUnreachable,
}

/// How urgent an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Something stopped or is at risk; look soon.
    Warning,
    /// Trading stopped until the user acts.
    Critical,
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// What about.
    pub kind: AlertKind,
    /// How urgent.
    pub severity: Severity,
    /// The bot concerned, if one.
    pub bot_id: Option<BotId>,
    /// The context concerned, if one.
    pub context_id: Option<ContextId>,
    /// What is going on, in words.
    pub message: String,
    /// Since when the condition holds, as far as it is recorded.
    pub since: Option<OffsetDateTime>,
}

impl Alert {
    fn of_bot(bot: &Bot, kind: AlertKind, severity: Severity, message: String, since: Option<OffsetDateTime>) -> Self {
        Self { kind, severity, bot_id: Some(bot.id), context_id: Some(bot.context_id), message, since }
    }
}

/// When `bot` last entered its current status (its creation when it never changed).
pub(super) fn status_since(bot: &Bot) -> OffsetDateTime {
    bot.history.iter().rev().find(|c| c.to == bot.status).map_or(bot.created_at, |c| c.at)
}

/// The take-profit price of each held position of `bot` that `price` is near, with the position's
/// entry price: the target is `entry × (1 + take_profit_percent / 100)` (the configured target;
/// adaptive sell may move the one the engine applies), near when `price ≥ target × 0.99`.
pub fn take_profit_near(bot: &Bot, price: Decimal) -> Vec<(Decimal, Decimal)> {
    let Some(percent) = bot.config.risk().take_profit_percent else { return Vec::new() };
    let factor = Decimal::ONE + percent / Decimal::ONE_HUNDRED;
    let near = Decimal::ONE - TAKE_PROFIT_NEAR_PERCENT / Decimal::ONE_HUNDRED;
    bot.positions
        .iter()
        .filter(|p| p.is_held())
        .filter_map(|p| p.entry_price())
        .filter_map(|entry| entry.checked_mul(factor).map(|target| (entry, target)))
        .filter(|(_, target)| price >= *target * near)
        .collect()
}

/// The alerts of `bot` at `price` (read at `priced_at`); `soft_stop_at` and `held_at` are when the
/// soft stop and the entry hold were recorded, if they were.
pub fn bot_alerts(
    bot: &Bot,
    price: Option<(Decimal, OffsetDateTime)>,
    soft_stop_at: Option<OffsetDateTime>,
    held_at: Option<OffsetDateTime>,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if let Some(trip) = &bot.breaker.tripped {
        let message = format!("circuit breaker tripped: {}; reset it to trade again", trip.reason.describe());
        alerts.push(Alert::of_bot(bot, AlertKind::BreakerTripped, Severity::Critical, message, Some(trip.at)));
    }
    if bot.buying_halted {
        let message = "soft stop loss hit: the bot stopped buying until its positions recover".to_owned();
        alerts.push(Alert::of_bot(bot, AlertKind::SoftStopHit, Severity::Warning, message, soft_stop_at));
    }
    if bot.status == BotStatus::Paused && bot.status_reason.as_deref().is_some_and(|r| r.starts_with(SHORTFALL_REASON))
    {
        let message = bot.status_reason.clone().unwrap_or_default();
        alerts.push(Alert::of_bot(bot, AlertKind::FundsWithdrawn, Severity::Warning, message, Some(status_since(bot))));
    }
    if let Some(reason) = &bot.entry_hold {
        let message = format!("entries held: {reason}");
        alerts.push(Alert::of_bot(bot, AlertKind::EntriesHeld, Severity::Warning, message, held_at));
    }
    if let Some((price, at)) = price {
        for (entry, target) in take_profit_near(bot, price) {
            let message = format!(
                "take profit near: the price {} is within {TAKE_PROFIT_NEAR_PERCENT}% of the take-profit price {} (entry {})",
                price.normalize(),
                target.round_dp(8).normalize(),
                entry.round_dp(8).normalize()
            );
            alerts.push(Alert::of_bot(bot, AlertKind::TakeProfitNear, Severity::Info, message, Some(at)));
        }
    }
    alerts
}

/// The plan-limit alert of `what` (`bots`, `contexts`): `used` of `limit`; reached (info), or over
/// it after a downgrade (warning: the newest are paused), `since` the change that got there.
pub fn plan_alert(what: &str, used: u64, limit: Limit, since: Option<OffsetDateTime>) -> Option<Alert> {
    let max = u64::from(limit.max()?);
    let (severity, message) = match used.cmp(&max) {
        std::cmp::Ordering::Less => return None,
        std::cmp::Ordering::Equal => {
            (Severity::Info, format!("plan limit reached: {used} of {max} {what}; upgrade to add more"))
        }
        std::cmp::Ordering::Greater => (
            Severity::Warning,
            format!("over the plan limit: {used} {what} for a limit of {max}; the newest are paused until you upgrade or remove {}", used - max),
        ),
    };
    Some(Alert { kind: AlertKind::PlanLimitReached, severity, bot_id: None, context_id: None, message, since })
}

/// The alert of a credential the exchange refused.
pub fn credential_alert(credential: &ExchangeCredential) -> Option<Alert> {
    (credential.status == CredentialStatus::Invalid).then(|| Alert {
        kind: AlertKind::CredentialInvalid,
        severity: Severity::Critical,
        bot_id: None,
        context_id: None,
        message: format!(
            "the {} credential is invalid: {}",
            credential.exchange,
            credential.status_reason.as_deref().unwrap_or("the exchange refused it")
        ),
        since: credential.validated_at,
    })
}

/// The alert of an account of `context` that could not be read.
pub fn exchange_alert(exchange: &super::ExchangeHealth, context: Option<ContextId>) -> Option<Alert> {
    let error = exchange.error.as_ref()?;
    Some(Alert {
        kind: AlertKind::ExchangeUnreachable,
        severity: Severity::Warning,
        bot_id: None,
        context_id: context,
        message: format!(
            "the {} {} account could not be read: {}",
            exchange.exchange,
            crate::exchanges::mode_name(exchange.mode),
            error.message
        ),
        since: Some(exchange.checked_at),
    })
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
