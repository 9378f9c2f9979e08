//! Volume anomalies: the latest closed candle's volume far outside the distribution of the
//! candles before it. The statistic is the modified z-score of Iglewicz and Hoaglin, robust to
//! the heavy tails of trading volume: `0.6745 * (v - median) / MAD`, where MAD is the median
//! absolute deviation of the window from its median. When more than half of the window has the
//! same volume (MAD 0, e.g. a quiet market with many empty candles) the mean absolute deviation
//! stands in, `(v - median) / (1.253314 * MeanAD)`; when that is 0 too, any other volume is
//! unbounded. A candle is anomalous when `|score|` exceeds the rule's threshold.

use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;

use super::{Candle, Timeframe};

/// Iglewicz and Hoaglin's consistency constant (the 0.75 quantile of the standard normal).
const MAD_SCALE: Decimal = Decimal::from_parts(6745, 0, 0, false, 4);
/// The mean absolute deviation of a normal distribution times this is its standard deviation.
const MEAN_AD_SCALE: Decimal = Decimal::from_parts(1253314, 0, 0, false, 6);

/// Which candles are read and when a volume is anomalous.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeRule {
    /// The candles compared (default 15m, which both exchanges serve natively).
    pub timeframe: Timeframe,
    /// How many closed candles before the latest form its distribution (default 96: a day of 15m).
    pub window: usize,
    /// The `|modified z-score|` above which the volume is anomalous (default 10; Iglewicz and
    /// Hoaglin flag outliers from 3.5, and trading volume is spiky, so "far outside" starts later).
    pub threshold: Decimal,
}

impl Default for VolumeRule {
    fn default() -> Self {
        Self { timeframe: Timeframe::M15, window: 96, threshold: Decimal::TEN }
    }
}

impl VolumeRule {
    /// The fewest candles before the latest that make a distribution worth comparing with.
    pub fn min_history(&self) -> usize {
        (self.window / 2).max(10)
    }
}

/// The latest closed candle's volume against its window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VolumeReading {
    /// When the candle opened.
    #[serde(with = "time::serde::rfc3339")]
    pub open_time: OffsetDateTime,
    /// Its volume (base asset).
    pub volume: Decimal,
    /// The window's median volume.
    pub median: Decimal,
    /// The window's median absolute deviation.
    pub mad: Decimal,
    /// The modified z-score, rounded to 2 places; `None` when unbounded (a flat window).
    pub score: Option<Decimal>,
}

impl VolumeReading {
    /// Whether the volume is anomalous under `threshold`.
    pub fn is_anomalous(&self, threshold: Decimal) -> bool {
        match self.score {
            Some(score) => score.abs() > threshold,
            None => self.volume != self.median,
        }
    }
}

fn median(sorted: &[Decimal]) -> Decimal {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO
    }
}

/// Reads the latest closed candle of `candles` (oldest first; those closing after `now` are
/// unfinished and skipped) against the `rule.window` closed candles before it; `None` with fewer
/// than [`VolumeRule::min_history`] of them.
pub fn volume_reading(candles: &[Candle], rule: &VolumeRule, now: OffsetDateTime) -> Option<VolumeReading> {
    let closed: Vec<&Candle> = candles.iter().filter(|c| rule.timeframe.close_of(c.open_time) <= now).collect();
    let (latest, before) = closed.split_last()?;
    let history = &before[before.len().saturating_sub(rule.window)..];
    if history.len() < rule.min_history() {
        return None;
    }
    let mut volumes: Vec<Decimal> = history.iter().map(|c| c.volume).collect();
    volumes.sort();
    let med = median(&volumes);
    let mut deviations: Vec<Decimal> = volumes.iter().map(|v| (*v - med).abs()).collect();
    deviations.sort();
    let mad = median(&deviations);
    let distance = latest.volume - med;
    let score = if mad > Decimal::ZERO {
        Some(MAD_SCALE * distance / mad)
    } else {
        let mean_ad = deviations.iter().sum::<Decimal>() / Decimal::from(deviations.len());
        (mean_ad > Decimal::ZERO).then(|| distance / (MEAN_AD_SCALE * mean_ad))
    };
    let score = match score {
        None if distance.is_zero() => Some(Decimal::ZERO),
        other => other.map(|s| s.round_dp(2)),
    };
    Some(VolumeReading { open_time: latest.open_time, volume: latest.volume, median: med, mad, score })
}

#[cfg(test)]
#[path = "volume_anomaly_tests.rs"]
mod tests;
