//! Candle-bot signal analysis: each configured indicator votes BUY, SELL or HOLD on the latest
//! closed candle, filters may veto, and [`analyze`] combines the votes into one [`Signal`] with a
//! [`Confidence`] and the values behind it. Pure and deterministic: the same specs and candles
//! always give the same [`Analysis`], live, on paper or in a backtest.
//!
//! Specs, voting rules, the confidence rule and a worked example: `docs/signals.md`.

mod advanced;
mod analysis;
mod filters;
mod params;
mod rules;
mod rules_readings;
mod spec;
mod validate;
mod vote;

pub use analysis::{analyze, analyze_columns, decide, Analysis, Confidence, SignalError};
pub use params::{
    AtrSpec, BollingerSpec, CrossSpec, MfiSpec, ObvSpec, RsiSpec, VolatilitySpec, VolumeProfileSpec, VolumeSpec,
    VwapSpec,
};
pub use spec::{IndicatorSpec, Role, MAX_PERIOD};
pub use validate::{validate_specs, MAX_BINS};
pub use vote::{Signal, Vote, VALUE_DECIMALS};

#[cfg(test)]
mod advanced_tests;
#[cfg(test)]
mod analysis_tests;
#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod spec_tests;
#[cfg(test)]
mod test_support;
