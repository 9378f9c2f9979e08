//! The parameters of each indicator spec and their defaults (applied when a field is omitted).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// RSI settings. Defaults: period 14, oversold 30, overbought 70.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RsiSpec {
    /// Changes averaged (Wilder).
    pub period: usize,
    /// BUY below this RSI.
    pub oversold: Decimal,
    /// SELL above this RSI.
    pub overbought: Decimal,
}

impl Default for RsiSpec {
    fn default() -> Self {
        Self { period: 14, oversold: Decimal::from(30), overbought: Decimal::from(70) }
    }
}

/// Moving-average crossover settings (SMA or EMA). Defaults: fast 9, slow 21.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrossSpec {
    /// Period of the fast average.
    pub fast: usize,
    /// Period of the slow average (greater than `fast`).
    pub slow: usize,
}

impl Default for CrossSpec {
    fn default() -> Self {
        Self { fast: 9, slow: 21 }
    }
}

/// Bollinger Bands settings. Defaults: period 20, std_dev 2.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BollingerSpec {
    /// Closes in the window.
    pub period: usize,
    /// Band width in population standard deviations.
    pub std_dev: Decimal,
}

impl Default for BollingerSpec {
    fn default() -> Self {
        Self { period: 20, std_dev: Decimal::from(2) }
    }
}

/// Volume spike settings. Defaults: period 20, spike_ratio 1.5.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolumeSpec {
    /// Candles in the volume average (the current one included).
    pub period: usize,
    /// A spike is a volume at least this many times its average (at least 1).
    pub spike_ratio: Decimal,
}

impl Default for VolumeSpec {
    fn default() -> Self {
        Self { period: 20, spike_ratio: Decimal::new(15, 1) }
    }
}

/// Volatility filter settings. Default period 20; `max_percent` has no default (it depends on
/// the timeframe) and must be given.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolatilitySpec {
    /// Log returns in the window (at least 2).
    #[serde(default = "VolatilitySpec::default_period")]
    pub period: usize,
    /// HOLD when the standard deviation of the returns, in % per candle, is above this.
    pub max_percent: Decimal,
}

impl VolatilitySpec {
    /// The default period with the given cap.
    pub fn new(max_percent: Decimal) -> Self {
        Self { period: Self::default_period(), max_percent }
    }

    fn default_period() -> usize {
        20
    }
}

/// Rolling VWAP settings. Default period 24 (a day of hourly candles).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VwapSpec {
    /// Candles in the window.
    pub period: usize,
}

impl Default for VwapSpec {
    fn default() -> Self {
        Self { period: 24 }
    }
}

/// MFI settings. Defaults: period 14, oversold 20, overbought 80.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfiSpec {
    /// Money flows in the window.
    pub period: usize,
    /// BUY below this MFI.
    pub oversold: Decimal,
    /// SELL above this MFI.
    pub overbought: Decimal,
}

impl Default for MfiSpec {
    fn default() -> Self {
        Self { period: 14, oversold: Decimal::from(20), overbought: Decimal::from(80) }
    }
}

/// Volume profile settings. Defaults: period 24, bins 12.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolumeProfileSpec {
    /// Candles in the window.
    pub period: usize,
    /// The window's price range (lowest low to highest high) is cut into this many bins.
    pub bins: usize,
}

impl Default for VolumeProfileSpec {
    fn default() -> Self {
        Self { period: 24, bins: 12 }
    }
}

/// ATR filter settings. Defaults: period 14, stop_multiplier 2, no max_percent (never vetoes).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AtrSpec {
    /// True ranges averaged (Wilder).
    pub period: usize,
    /// Stop distance = ATR × this.
    pub stop_multiplier: Decimal,
    /// When set, HOLD while ATR as a % of the close is above this.
    pub max_percent: Option<Decimal>,
}

impl Default for AtrSpec {
    fn default() -> Self {
        Self { period: 14, stop_multiplier: Decimal::from(2), max_percent: None }
    }
}

/// OBV settings. Default period 20.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObvSpec {
    /// Candles over which the OBV and price changes are compared.
    pub period: usize,
}

impl Default for ObvSpec {
    fn default() -> Self {
        Self { period: 20 }
    }
}
