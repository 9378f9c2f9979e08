//! The circuit breaker of a bot: trips after N consecutive losing trades or when the realized loss
//! of the last 24 hours (a rolling window, independent of time zones) reaches X% of the allocated
//! capital. A tripped bot opens no new position; its protective exits keep working. Only an
//! explicit reset (through the API) re-arms it. The whole state is serialisable, so a restart
//! neither forgets a trip nor resets the count.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::config_tagged::tagged_deserialize;
use crate::shared::checked::{percent_of, sum};

/// The window of the daily loss limit.
pub const DAILY_WINDOW: Duration = Duration::hours(24);

/// Thresholds: consecutive losing trades and the 24-hour loss as a percentage of allocated capital.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerLimits {
    /// Trips after this many losing trades in a row (at least 1).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_consecutive_losses: u32,
    /// Trips when the 24-hour realized loss reaches this percentage of allocated capital (> 0).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub max_daily_loss_percent: Decimal,
}

/// The catalogue's presets, or custom limits.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "preset")]
pub enum BreakerPreset {
    /// 3 losses or 5% a day.
    Conservative,
    /// 5 losses or 10% a day (the default).
    #[default]
    Moderate,
    /// 8 losses or 15% a day.
    Aggressive,
    /// Custom limits.
    Custom(BreakerLimits),
    /// No breaker (SmartBots only): losing trades never stop the bot's entries; its stop losses
    /// still sell. The trades are still counted and shown.
    Off,
}

tagged_deserialize!(BreakerPreset, tag = "preset", {
    "conservative" => Conservative,
    "moderate" => Moderate,
    "aggressive" => Aggressive,
    "custom" => Custom(BreakerLimits),
    "off" => Off,
});

/// What an off breaker means for its bot, as the API shows it beside the breaker.
pub const BREAKER_OFF_CONSEQUENCE: &str = "the circuit breaker is off: losing trades and daily losses never pause \
     this bot's entries; only its stop losses limit a loss, so it keeps buying through a losing streak";

/// Custom limits out of range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BreakerConfigError {
    /// Zero consecutive losses.
    #[error("max_consecutive_losses must be at least 1")]
    NoLossesAllowed,
    /// A percentage outside (0, 100].
    #[error("max_daily_loss_percent must be above 0 and at most 100")]
    BadPercent,
}

impl BreakerLimits {
    /// The moderate preset's limits, the default.
    pub const MODERATE: BreakerLimits =
        BreakerLimits { max_consecutive_losses: 5, max_daily_loss_percent: Decimal::from_parts(10, 0, 0, false, 0) };

    /// The loss that trips the breaker for `allocated` capital: `max_daily_loss_percent` of it.
    /// `None` when it is beyond what a `Decimal` holds (then no loss can reach it).
    pub fn daily_loss_limit(&self, allocated: Decimal) -> Option<Decimal> {
        percent_of(allocated, self.max_daily_loss_percent)
    }
}

impl BreakerPreset {
    /// Whether the breaker is off.
    pub fn is_off(self) -> bool {
        self == BreakerPreset::Off
    }

    /// The limits the preset stands for, checked. An off breaker keeps the moderate limits for
    /// the record; they never trip it.
    pub fn limits(self) -> Result<BreakerLimits, BreakerConfigError> {
        let (losses, percent) = match self {
            BreakerPreset::Conservative => (3, Decimal::from(5)),
            BreakerPreset::Moderate | BreakerPreset::Off => (5, Decimal::from(10)),
            BreakerPreset::Aggressive => (8, Decimal::from(15)),
            BreakerPreset::Custom(l) => (l.max_consecutive_losses, l.max_daily_loss_percent),
        };
        if losses == 0 {
            return Err(BreakerConfigError::NoLossesAllowed);
        }
        if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(BreakerConfigError::BadPercent);
        }
        Ok(BreakerLimits { max_consecutive_losses: losses, max_daily_loss_percent: percent })
    }
}

/// Why a breaker tripped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "trigger")]
pub enum TripReason {
    /// Too many losing trades in a row.
    ConsecutiveLosses {
        /// Losing trades in a row.
        count: u32,
    },
    /// The 24-hour realized loss reached the limit.
    DailyLoss {
        /// The loss (positive, quote asset).
        loss: Decimal,
        /// The limit it reached (quote asset).
        limit: Decimal,
    },
}

impl TripReason {
    /// The reason in words.
    pub fn describe(&self) -> String {
        match self {
            TripReason::ConsecutiveLosses { count } => format!("{count} losing trades in a row"),
            TripReason::DailyLoss { loss, limit } => {
                format!("realized loss of {loss} in 24 hours reached the limit of {limit}")
            }
        }
    }
}

/// A trip: when and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trip {
    /// When (RFC 3339; records stored before read in the old tuple form too).
    #[serde(with = "crate::shared::rfc3339_or_tuple")]
    pub at: OffsetDateTime,
    /// Why.
    pub reason: TripReason,
}

/// One realized trade result inside the daily window.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeResult {
    /// When the trade closed (RFC 3339; records stored before read in the old tuple form too).
    #[serde(with = "crate::shared::rfc3339_or_tuple")]
    pub at: OffsetDateTime,
    /// Realized profit, net of fees (negative: a loss).
    pub pnl: Decimal,
}

/// A bot's breaker.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitBreaker {
    /// Thresholds.
    pub limits: BreakerLimits,
    /// Losing trades in a row since the last profitable one or reset.
    pub consecutive_losses: u32,
    /// Trades of the last 24 hours.
    pub recent: Vec<TradeResult>,
    /// The trip in force, if any.
    pub tripped: Option<Trip>,
    /// Whether it may trip (`false`: the bot's configuration turned it off; trades are still
    /// counted). Bots stored before the switch existed read as on.
    #[serde(default = "armed")]
    pub enabled: bool,
}

fn armed() -> bool {
    true
}

impl CircuitBreaker {
    /// An armed breaker.
    pub fn new(limits: BreakerLimits) -> Self {
        Self { limits, consecutive_losses: 0, recent: Vec::new(), tripped: None, enabled: true }
    }

    /// The breaker `preset` configures: armed with its limits, or off.
    pub fn configured(preset: BreakerPreset) -> Self {
        Self { enabled: !preset.is_off(), ..Self::new(preset.limits().unwrap_or(BreakerLimits::MODERATE)) }
    }

    /// Whether new positions may open (not tripped).
    pub fn allows_new_positions(&self) -> bool {
        self.tripped.is_none()
    }

    /// Protective exits (stop loss, trailing stop, emergency sell) always run, tripped or not, so a
    /// position is never left unguarded.
    pub fn allows_protective_exits(&self) -> bool {
        true
    }

    /// The realized loss (positive) of the 24 hours before `now`.
    /// A window whose sum overflows (only a corrupt record can hold such figures) counts as the
    /// largest loss, so the breaker errs on the side of stopping.
    pub fn daily_loss(&self, now: OffsetDateTime) -> Decimal {
        let net = sum(self.recent.iter().filter(|t| now - t.at < DAILY_WINDOW).map(|t| t.pnl)).unwrap_or(Decimal::MIN);
        (-net).max(Decimal::ZERO)
    }

    /// Records a closed trade (`pnl` net of fees) with the bot's `allocated` capital. Returns the
    /// trip when this trade trips the breaker (never when it is off). A profitable trade resets
    /// the consecutive count.
    pub fn record_trade(&mut self, pnl: Decimal, allocated: Decimal, at: OffsetDateTime) -> Option<Trip> {
        self.recent.retain(|t| at - t.at < DAILY_WINDOW);
        self.recent.push(TradeResult { at, pnl });
        if pnl < Decimal::ZERO {
            self.consecutive_losses = self.consecutive_losses.saturating_add(1);
        } else if pnl > Decimal::ZERO {
            self.consecutive_losses = 0;
        }
        if self.tripped.is_some() || !self.enabled {
            return None;
        }
        let limit = self.limits.daily_loss_limit(allocated);
        let loss = self.daily_loss(at);
        let reason = if self.consecutive_losses >= self.limits.max_consecutive_losses {
            TripReason::ConsecutiveLosses { count: self.consecutive_losses }
        } else if let Some(limit) = limit.filter(|limit| allocated > Decimal::ZERO && loss >= *limit) {
            TripReason::DailyLoss { loss, limit }
        } else {
            return None;
        };
        let trip = Trip { at, reason };
        self.tripped = Some(trip.clone());
        Some(trip)
    }

    /// Re-arms the breaker (the API's reset): clears the trip and the consecutive count. The
    /// trades of the window stay, so the daily limit still counts today's losses.
    pub fn reset(&mut self) {
        self.tripped = None;
        self.consecutive_losses = 0;
    }
}

#[cfg(test)]
#[path = "circuit_breaker_tests.rs"]
mod tests;
