//! A candle bot's indicator settings: which indicator, its parameters with their defaults, and
//! how many candles it needs before it can vote.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::bots::config_tagged::tagged_deserialize;

use super::params::{
    AtrSpec, BollingerSpec, CrossSpec, MfiSpec, ObvSpec, RsiSpec, VolatilitySpec, VolumeProfileSpec, VolumeSpec,
    VwapSpec,
};

/// One indicator of a candle bot with its parameters, as stored in the bot's config.
///
/// JSON is tagged by `"indicator"`, and omitted parameters take their defaults, e.g.
/// `{"indicator": "rsi", "oversold": 25}` is RSI 14 with bounds 25/70. Unknown parameters are
/// refused. Run [`IndicatorSpec::validate`] (or [`validate_specs`](super::validate_specs)) on
/// user input; [`analyze`](super::analyze) refuses invalid specs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "indicator", rename_all = "snake_case")]
pub enum IndicatorSpec {
    /// Relative strength index against oversold/overbought bounds.
    Rsi(RsiSpec),
    /// A fast simple moving average crossing a slow one.
    SmaCross(CrossSpec),
    /// A fast exponential moving average crossing a slow one.
    EmaCross(CrossSpec),
    /// The close against Bollinger Bands.
    Bollinger(BollingerSpec),
    /// A volume spike confirming the candle's direction.
    Volume(VolumeSpec),
    /// A filter: too much volatility forces HOLD.
    Volatility(VolatilitySpec),
    /// Advanced: the close against the rolling volume-weighted average price.
    Vwap(VwapSpec),
    /// Advanced: money flow index against oversold/overbought bounds.
    Mfi(MfiSpec),
    /// Advanced: the close against the volume profile's point of control.
    VolumeProfile(VolumeProfileSpec),
    /// Advanced: a filter reporting stop distances; optionally forces HOLD above a maximum ATR.
    Atr(AtrSpec),
    /// Advanced: on-balance volume diverging from the price.
    Obv(ObvSpec),
}

tagged_deserialize!(IndicatorSpec, tag = "indicator", {
    "rsi" => Rsi(RsiSpec),
    "sma_cross" => SmaCross(CrossSpec),
    "ema_cross" => EmaCross(CrossSpec),
    "bollinger" => Bollinger(BollingerSpec),
    "volume" => Volume(VolumeSpec),
    "volatility" => Volatility(VolatilitySpec),
    "vwap" => Vwap(VwapSpec),
    "mfi" => Mfi(MfiSpec),
    "volume_profile" => VolumeProfile(VolumeProfileSpec),
    "atr" => Atr(AtrSpec),
    "obv" => Obv(ObvSpec),
});

/// Whether an indicator votes a direction or only filters.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Votes BUY, SELL or HOLD; counted by the majority and the confidence.
    Direction,
    /// Never votes a direction; may veto (force HOLD). Not counted.
    Filter,
}

impl IndicatorSpec {
    /// The wire name, as in the `"indicator"` tag (`"sma_cross"`, `"volume_profile"` ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Rsi(_) => "rsi",
            Self::SmaCross(_) => "sma_cross",
            Self::EmaCross(_) => "ema_cross",
            Self::Bollinger(_) => "bollinger",
            Self::Volume(_) => "volume",
            Self::Volatility(_) => "volatility",
            Self::Vwap(_) => "vwap",
            Self::Mfi(_) => "mfi",
            Self::VolumeProfile(_) => "volume_profile",
            Self::Atr(_) => "atr",
            Self::Obv(_) => "obv",
        }
    }

    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV) need a plan that allows them.
    pub fn is_advanced(&self) -> bool {
        matches!(self, Self::Vwap(_) | Self::Mfi(_) | Self::VolumeProfile(_) | Self::Atr(_) | Self::Obv(_))
    }

    /// Whether it votes a direction or only filters (volatility, ATR).
    pub fn role(&self) -> Role {
        match self {
            Self::Volatility(_) | Self::Atr(_) => Role::Filter,
            _ => Role::Direction,
        }
    }

    /// How many closed candles it needs to vote on the latest one (TA-Lib warm-ups, plus one
    /// candle where the rule compares with the previous value).
    pub fn warm_up(&self) -> usize {
        match self {
            // First value at index `period`.
            Self::Rsi(RsiSpec { period, .. })
            | Self::Mfi(MfiSpec { period, .. })
            | Self::Volatility(VolatilitySpec { period, .. })
            | Self::Atr(AtrSpec { period, .. }) => period.saturating_add(1),
            // Moving averages start at `slow - 1`; a crossing needs the value before too.
            Self::SmaCross(CrossSpec { slow, .. }) | Self::EmaCross(CrossSpec { slow, .. }) => slow.saturating_add(1),
            // A window of `period` candles.
            Self::Bollinger(BollingerSpec { period, .. })
            | Self::Volume(VolumeSpec { period, .. })
            | Self::Vwap(VwapSpec { period })
            | Self::VolumeProfile(VolumeProfileSpec { period, .. }) => *period,
            // The change over `period` candles.
            Self::Obv(ObvSpec { period }) => period.saturating_add(1),
        }
    }

    /// The standard indicators with their defaults, volatility capped at `max_volatility_percent`
    /// per candle: the set a new candle bot starts from.
    pub fn standard_set(max_volatility_percent: Decimal) -> Vec<IndicatorSpec> {
        vec![
            Self::Rsi(RsiSpec::default()),
            Self::SmaCross(CrossSpec::default()),
            Self::EmaCross(CrossSpec::default()),
            Self::Bollinger(BollingerSpec::default()),
            Self::Volume(VolumeSpec::default()),
            Self::Volatility(VolatilitySpec::new(max_volatility_percent)),
        ]
    }

    /// Every advanced indicator with its defaults.
    pub fn advanced_set() -> Vec<IndicatorSpec> {
        vec![
            Self::Vwap(VwapSpec::default()),
            Self::Mfi(MfiSpec::default()),
            Self::VolumeProfile(VolumeProfileSpec::default()),
            Self::Atr(AtrSpec::default()),
            Self::Obv(ObvSpec::default()),
        ]
    }
}

/// The most candles any period or window may span (Binance serves at most 1000 candles a call).
pub const MAX_PERIOD: usize = 1000;
