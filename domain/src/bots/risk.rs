//! Risk rules a bot may enable, each optional and configured per bot: take profit, soft and hard
//! stop loss, trailing stop, adaptive sell (take profit widened or narrowed by volatility), the
//! sanity check on ticks, emergency sell and the auto-cancel of far pending orders. Pure: given
//! a position, the price and the rule state, they say what to do.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::shared::checked::mul_div;

/// A percentage above zero (e.g. `5` for 5%).
fn fraction(percent: Decimal) -> Decimal {
    percent / Decimal::ONE_HUNDRED
}

/// The per-bot risk settings; `None` turns a rule off.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskConfig {
    /// Sell when the price is this % above the average entry.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub take_profit_percent: Option<Decimal>,
    /// Soft stop: stop buying and alert when the price is this % below the entry.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub stop_loss_soft_percent: Option<Decimal>,
    /// Hard stop: sell when the price is this % below the entry.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub stop_loss_hard_percent: Option<Decimal>,
    /// Trailing stop: once the price is `activation` % above the entry, sell when it falls
    /// `distance` % from its peak.
    pub trailing_stop: Option<TrailingStop>,
    /// Adaptive sell: the take-profit target scales with recent volatility, within bounds.
    pub adaptive_sell: Option<AdaptiveSell>,
    /// Ignore a tick whose move from the previous one exceeds this %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub sanity_max_move_percent: Option<Decimal>,
    /// Cancel pending orders further than this % from the price.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub auto_cancel_distance_percent: Option<Decimal>,
}

/// Trailing stop settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailingStop {
    /// Gain over the entry that arms it, %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub activation_percent: Decimal,
    /// Fall from the peak that sells, %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub distance_percent: Decimal,
}

/// Adaptive sell settings: target = base target × (volatility / reference), clamped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdaptiveSell {
    /// The volatility (%, e.g. standard deviation of returns) at which the target is unchanged.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub reference_volatility_percent: Decimal,
    /// The lowest target, %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub min_target_percent: Decimal,
    /// The highest target, %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub max_target_percent: Decimal,
}

/// What the rules say about a position now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskAction {
    /// Nothing to do.
    Hold,
    /// Stop buying and alert (soft stop loss).
    StopBuying,
    /// Sell the position: take profit.
    TakeProfit,
    /// Sell the position: hard stop loss.
    StopLoss,
    /// Sell the position: trailing stop.
    TrailingStop,
}

impl RiskAction {
    /// Whether it sells.
    pub fn sells(self) -> bool {
        matches!(self, RiskAction::TakeProfit | RiskAction::StopLoss | RiskAction::TrailingStop)
    }

    /// Whether it protects against loss (runs even when the circuit breaker is tripped).
    pub fn is_protective(self) -> bool {
        matches!(self, RiskAction::StopLoss | RiskAction::TrailingStop)
    }
}

/// The trailing stop's memory: the peak since activation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailingState {
    /// The highest price since the stop armed; `None` until it arms.
    pub peak: Option<Decimal>,
}

impl RiskConfig {
    /// The take-profit target, %, adapted to `volatility_percent` when adaptive sell is on.
    pub fn take_profit_target(&self, volatility_percent: Option<Decimal>) -> Option<Decimal> {
        let base = self.take_profit_percent?;
        match (self.adaptive_sell, volatility_percent) {
            (Some(a), Some(vol)) if a.reference_volatility_percent > Decimal::ZERO => {
                // A target too large for a Decimal is above any maximum.
                let scaled = mul_div(base, vol, a.reference_volatility_percent).unwrap_or(Decimal::MAX);
                Some(scaled.clamp(a.min_target_percent, a.max_target_percent.max(a.min_target_percent)))
            }
            _ => Some(base),
        }
    }

    /// Evaluates a position bought at `entry` (average, fees included) at `price`. Hard exits win
    /// over take profit; the trailing state is updated.
    pub fn evaluate(
        &self,
        entry: Decimal,
        price: Decimal,
        volatility_percent: Option<Decimal>,
        trailing: &mut TrailingState,
    ) -> RiskAction {
        if entry <= Decimal::ZERO || price <= Decimal::ZERO {
            return RiskAction::Hold;
        }
        // Both are positive, so the difference fits; a rise too large for a Decimal is the largest.
        let change = (price - entry).checked_div(entry).unwrap_or(Decimal::MAX);
        if let Some(hard) = self.stop_loss_hard_percent {
            if change <= -fraction(hard) {
                return RiskAction::StopLoss;
            }
        }
        if let Some(t) = self.trailing_stop {
            if trailing.peak.is_none() && change >= fraction(t.activation_percent) {
                trailing.peak = Some(price);
            }
            if let Some(peak) = trailing.peak {
                let peak = peak.max(price);
                trailing.peak = Some(peak);
                if price <= peak * (Decimal::ONE - fraction(t.distance_percent)) {
                    return RiskAction::TrailingStop;
                }
            }
        }
        if let Some(target) = self.take_profit_target(volatility_percent) {
            if change >= fraction(target) {
                return RiskAction::TakeProfit;
            }
        }
        if let Some(soft) = self.stop_loss_soft_percent {
            if change <= -fraction(soft) {
                return RiskAction::StopBuying;
            }
        }
        RiskAction::Hold
    }

    /// The sanity check: whether a tick moving from `previous` to `price` is believable.
    pub fn is_sane_tick(&self, previous: Option<Decimal>, price: Decimal) -> bool {
        match (self.sanity_max_move_percent, previous) {
            (Some(max), Some(prev)) if prev > Decimal::ZERO => {
                price.checked_sub(prev).and_then(|d| d.checked_div(prev)).is_some_and(|m| m.abs() <= fraction(max))
            }
            _ => price > Decimal::ZERO,
        }
    }

    /// Whether a pending order at `order_price` is too far from `price` and should be cancelled.
    pub fn should_auto_cancel(&self, order_price: Decimal, price: Decimal) -> bool {
        match self.auto_cancel_distance_percent {
            Some(max) if price > Decimal::ZERO => order_price
                .checked_sub(price)
                .and_then(|d| d.checked_div(price))
                .is_none_or(|m| m.abs() > fraction(max)),
            _ => false,
        }
    }
}

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
