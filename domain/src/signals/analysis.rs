//! The analysis of a candle bot: every indicator votes on the latest closed candle and the votes
//! become one signal with a confidence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::rules_readings::{BatchReadings, Readings};
use super::spec::{IndicatorSpec, Role};
use super::validate::validate_specs;
use super::vote::{Signal, Vote};
use super::{advanced, filters, rules};
use crate::indicators::Columns;
use crate::market::Candle;
use crate::shared::field::FieldIssue;

/// How strongly the direction votes agree. Ordered: `Low < Medium < High`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Confidence {
    /// Less than half of the direction votes agree.
    Low,
    /// At least half, less than three quarters.
    Medium,
    /// At least three quarters, or a filter's veto.
    High,
}

impl Confidence {
    /// `agreeing` of `total` votes: at least 75% HIGH, at least 50% MEDIUM, else LOW (and LOW
    /// when `total` is 0).
    pub fn from_share(agreeing: usize, total: usize) -> Self {
        if total == 0 {
            Self::Low
        } else if agreeing.saturating_mul(4) >= total.saturating_mul(3) {
            Self::High
        } else if agreeing.saturating_mul(2) >= total {
            Self::Medium
        } else {
            Self::Low
        }
    }
}

/// One analysis of the latest closed candle.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// The combined signal.
    pub signal: Signal,
    /// How many direction votes agree with it.
    pub confidence: Confidence,
    /// Every indicator's vote, in the order of the specs.
    pub votes: Vec<Vote>,
    /// Every vote's values merged by name, plus the candle's `close`.
    pub values: BTreeMap<String, Decimal>,
    /// Open time of the candle analysed (the last one given).
    #[serde(with = "time::serde::rfc3339")]
    pub candle_time: OffsetDateTime,
}

impl Analysis {
    /// Whether a filter vetoed (forced HOLD).
    pub fn is_vetoed(&self) -> bool {
        self.votes.iter().any(|v| v.veto)
    }

    /// The direction to act on when the signal is BUY or SELL at `min_confidence` or above.
    pub fn actionable(&self, min_confidence: Confidence) -> Option<Signal> {
        (self.signal != Signal::Hold && self.confidence >= min_confidence).then_some(self.signal)
    }
}

/// Why no analysis was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    /// The indicator settings are invalid; each error names its field.
    #[error("invalid indicators: {}", join(.0))]
    InvalidSpecs(Vec<FieldIssue>),
    /// Fewer closed candles than the slowest indicator's warm-up.
    #[error("not enough candles: the indicators need {needed} closed candles, got {got}")]
    NotEnoughCandles {
        /// Candles needed.
        needed: usize,
        /// Candles given.
        got: usize,
    },
    /// The columns given are not those of the candles given.
    #[error("the columns ({columns} candles) were not built from these {candles} candles")]
    ColumnsMismatch {
        /// Candles in the columns.
        columns: usize,
        /// Candles given.
        candles: usize,
    },
    /// The candles are not oldest first without repeats.
    #[error("candles must be oldest first without repeats: candle {index} does not open after the one before it")]
    UnorderedCandles {
        /// Index of the first candle out of order.
        index: usize,
    },
}

fn join(errors: &[FieldIssue]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        let sep = if i == 0 { "" } else { "; " };
        let _ = write!(out, "{sep}{}: {}", e.field, e.message);
    }
    out
}

/// Analyses the last of `candles` (closed candles, oldest first; drop the unfinished one).
///
/// Each spec votes ([`Vote`]); the signal is the direction with more direction votes than the
/// other (a tie, or no BUY or SELL vote, is HOLD), and any filter's veto makes it HOLD. The
/// confidence is [`Confidence::from_share`] of the direction votes equal to the signal out of
/// all direction votes (HOLD votes included); a veto gives HIGH.
///
/// The candles are converted once into [`Columns`] for all the specs, and the indicators run as
/// batch kernels over them. To analyse the same candles for many bots (every bot of a market at
/// the top of the hour), build the columns once and call [`analyze_columns`] for each bot.
pub fn analyze(specs: &[IndicatorSpec], candles: &[Candle]) -> Result<Analysis, SignalError> {
    let last = check(specs, candles)?;
    let columns = Columns::from_candles(candles);
    Ok(combine(specs, candles, last, &BatchReadings { candles, columns: &columns }))
}

/// [`analyze`] with the candles already converted: `columns` must be
/// [`Columns::from_candles`]`(candles)`, shared by every analysis of these candles. The result is
/// the same as [`analyze`]'s, to the bit; `ColumnsMismatch` when the columns are of other candles.
pub fn analyze_columns(
    specs: &[IndicatorSpec],
    candles: &[Candle],
    columns: &Columns,
) -> Result<Analysis, SignalError> {
    let last = check(specs, candles)?;
    if !columns.matches(candles) {
        return Err(SignalError::ColumnsMismatch { columns: columns.len(), candles: candles.len() });
    }
    Ok(combine(specs, candles, last, &BatchReadings { candles, columns }))
}

/// The analysis through the streaming indicators, candle by candle: the oracle the batch path is
/// tested against.
#[cfg(test)]
pub(super) fn analyze_streaming(specs: &[IndicatorSpec], candles: &[Candle]) -> Result<Analysis, SignalError> {
    let last = check(specs, candles)?;
    Ok(combine(specs, candles, last, &super::rules_readings::StreamingReadings(candles)))
}

/// Refuses invalid specs, too few candles and unordered candles; returns the last candle.
fn check<'a>(specs: &[IndicatorSpec], candles: &'a [Candle]) -> Result<&'a Candle, SignalError> {
    validate_specs(specs).map_err(SignalError::InvalidSpecs)?;
    let needed = specs.iter().map(IndicatorSpec::warm_up).max().unwrap_or(1).max(1);
    if candles.len() < needed {
        return Err(SignalError::NotEnoughCandles { needed, got: candles.len() });
    }
    if let Some(i) = candles.windows(2).position(|w| w[1].open_time <= w[0].open_time) {
        return Err(SignalError::UnorderedCandles { index: i + 1 });
    }
    candles.last().ok_or(SignalError::NotEnoughCandles { needed, got: 0 })
}

/// Every spec's vote, combined.
fn combine(specs: &[IndicatorSpec], candles: &[Candle], last: &Candle, readings: &dyn Readings) -> Analysis {
    let votes: Vec<Vote> = specs.iter().map(|spec| vote_with(spec, candles, readings)).collect();
    let (signal, confidence) = decide(&votes);
    let mut values = BTreeMap::from([("close".to_string(), last.close)]);
    for v in &votes {
        values.extend(v.values.iter().map(|(k, x)| (k.clone(), *x)));
    }
    Analysis { signal, confidence, votes, values, candle_time: last.open_time }
}

/// One spec's vote on the last candle, as [`analyze`] makes it.
#[cfg(test)]
pub(super) fn vote(spec: &IndicatorSpec, candles: &[Candle]) -> Vote {
    vote_with(spec, candles, &BatchReadings { candles, columns: &Columns::from_candles(candles) })
}

/// One spec's vote on the last candle, the rules reading their indicators from `readings`.
fn vote_with(spec: &IndicatorSpec, candles: &[Candle], readings: &dyn Readings) -> Vote {
    match spec {
        IndicatorSpec::Rsi(s) => rules::rsi(s, readings),
        IndicatorSpec::SmaCross(s) => rules::sma_cross(s, readings),
        IndicatorSpec::EmaCross(s) => rules::ema_cross(s, readings),
        IndicatorSpec::Bollinger(s) => rules::bollinger(s, candles, readings),
        IndicatorSpec::Volume(s) => rules::volume(s, candles),
        IndicatorSpec::Volatility(s) => filters::volatility(s, candles),
        IndicatorSpec::Vwap(s) => advanced::vwap(s, candles),
        IndicatorSpec::Mfi(s) => advanced::mfi(s, readings.mfi(s.period)),
        IndicatorSpec::VolumeProfile(s) => advanced::volume_profile(s, candles),
        IndicatorSpec::Atr(s) => filters::atr(s, candles, readings.atr(s.period)),
        IndicatorSpec::Obv(s) => advanced::obv(s, candles),
    }
}

/// The signal and confidence the votes make (the rule documented on [`analyze`]).
pub fn decide(votes: &[Vote]) -> (Signal, Confidence) {
    if votes.iter().any(|v| v.veto) {
        return (Signal::Hold, Confidence::High);
    }
    let directions: Vec<Signal> = votes.iter().filter(|v| v.role == Role::Direction).map(|v| v.signal).collect();
    let count = |s: Signal| directions.iter().filter(|&&d| d == s).count();
    let (buys, sells) = (count(Signal::Buy), count(Signal::Sell));
    let signal = match buys.cmp(&sells) {
        std::cmp::Ordering::Greater => Signal::Buy,
        std::cmp::Ordering::Less => Signal::Sell,
        std::cmp::Ordering::Equal => Signal::Hold,
    };
    (signal, Confidence::from_share(count(signal), directions.len()))
}
