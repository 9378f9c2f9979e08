//! The analysis of a candle bot: every indicator votes on the latest closed candle and the votes
//! become one signal with a confidence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::spec::{IndicatorSpec, Role};
use super::validate::validate_specs;
use super::vote::{Signal, Vote};
use super::{advanced, filters, rules};
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
pub fn analyze(specs: &[IndicatorSpec], candles: &[Candle]) -> Result<Analysis, SignalError> {
    validate_specs(specs).map_err(SignalError::InvalidSpecs)?;
    let needed = specs.iter().map(IndicatorSpec::warm_up).max().unwrap_or(1).max(1);
    if candles.len() < needed {
        return Err(SignalError::NotEnoughCandles { needed, got: candles.len() });
    }
    if let Some(i) = candles.windows(2).position(|w| w[1].open_time <= w[0].open_time) {
        return Err(SignalError::UnorderedCandles { index: i + 1 });
    }
    let Some(last) = candles.last() else {
        return Err(SignalError::NotEnoughCandles { needed, got: 0 });
    };
    let votes: Vec<Vote> = specs.iter().map(|spec| vote(spec, candles)).collect();
    let (signal, confidence) = decide(&votes);
    let mut values = BTreeMap::from([("close".to_string(), last.close)]);
    for v in &votes {
        values.extend(v.values.iter().map(|(k, x)| (k.clone(), *x)));
    }
    Ok(Analysis { signal, confidence, votes, values, candle_time: last.open_time })
}

/// One spec's vote on the last candle.
pub(super) fn vote(spec: &IndicatorSpec, candles: &[Candle]) -> Vote {
    match spec {
        IndicatorSpec::Rsi(s) => rules::rsi(s, candles),
        IndicatorSpec::SmaCross(s) => rules::sma_cross(s, candles),
        IndicatorSpec::EmaCross(s) => rules::ema_cross(s, candles),
        IndicatorSpec::Bollinger(s) => rules::bollinger(s, candles),
        IndicatorSpec::Volume(s) => rules::volume(s, candles),
        IndicatorSpec::Volatility(s) => filters::volatility(s, candles),
        IndicatorSpec::Vwap(s) => advanced::vwap(s, candles),
        IndicatorSpec::Mfi(s) => advanced::mfi(s, candles),
        IndicatorSpec::VolumeProfile(s) => advanced::volume_profile(s, candles),
        IndicatorSpec::Atr(s) => filters::atr(s, candles),
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
