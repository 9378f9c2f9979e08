//! One indicator's vote on the latest closed candle, and the helpers the rules share to read
//! indicators and report their values.

use std::collections::BTreeMap;

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::spec::Role;
use crate::indicators::Indicator;
use crate::market::Candle;

/// A trading direction, or none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Signal {
    /// Open (or add to) a position.
    Buy,
    /// Close the position.
    Sell,
    /// Do nothing.
    Hold,
}

/// What one indicator says about the latest closed candle, with the values behind it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// The spec's name (`"rsi"`, `"sma_cross"` ...).
    pub indicator: String,
    /// Whether this vote counts towards the direction or is a filter.
    pub role: Role,
    /// The direction voted; always HOLD for a filter.
    pub signal: Signal,
    /// A filter forcing the analysis to HOLD; always false for a direction vote.
    pub veto: bool,
    /// The readings behind the vote by name (`rsi`, `sma_fast`, `bb_upper` ...), rounded to
    /// [`VALUE_DECIMALS`] places; empty when the indicator had no reading.
    pub values: BTreeMap<String, Decimal>,
}

/// Decimal places the reported values are rounded to; rules decide on the rounded values, so a
/// vote can always be checked against the values it shows.
pub const VALUE_DECIMALS: u32 = 8;

impl Vote {
    /// A direction vote.
    pub(super) fn direction(indicator: &str, signal: Signal, values: Values) -> Self {
        Self { indicator: indicator.into(), role: Role::Direction, signal, veto: false, values: values.0 }
    }

    /// A filter's vote: HOLD, vetoing or not.
    pub(super) fn filter(indicator: &str, veto: bool, values: Values) -> Self {
        Self { indicator: indicator.into(), role: Role::Filter, signal: Signal::Hold, veto, values: values.0 }
    }
}

/// The named values of one vote, built up by a rule.
#[derive(Debug, Default)]
pub(super) struct Values(BTreeMap<String, Decimal>);

impl Values {
    /// Adds a value (without trailing zeros).
    pub(super) fn with(mut self, name: &str, value: Decimal) -> Self {
        self.0.insert(name.into(), value.normalize());
        self
    }
}

/// An indicator output as a reported value: `None` when not finite or out of `Decimal`'s range.
pub(super) fn dec(x: f64) -> Option<Decimal> {
    Decimal::from_f64(x).map(|d| d.round_dp(VALUE_DECIMALS))
}

/// Runs `indicator` over `candles` and returns its last two outputs: (previous, latest).
pub(super) fn last_two<I: Indicator>(mut indicator: I, candles: &[Candle]) -> (Option<I::Output>, Option<I::Output>)
where
    I::Output: Copy,
{
    let mut previous = None;
    let mut latest = None;
    for candle in candles {
        previous = latest;
        latest = indicator.update(candle);
    }
    (previous, latest)
}

/// Runs `indicator` over `candles` and returns its latest output.
pub(super) fn latest<I: Indicator>(indicator: I, candles: &[Candle]) -> Option<I::Output>
where
    I::Output: Copy,
{
    last_two(indicator, candles).1
}

/// The last `n` candles (all of them when fewer).
pub(super) fn tail(candles: &[Candle], n: usize) -> &[Candle] {
    &candles[candles.len().saturating_sub(n)..]
}

/// BUY below `low`, SELL above `high`, HOLD otherwise (bounds excluded).
pub(super) fn band(value: Decimal, low: Decimal, high: Decimal) -> Signal {
    if value < low {
        Signal::Buy
    } else if value > high {
        Signal::Sell
    } else {
        Signal::Hold
    }
}
