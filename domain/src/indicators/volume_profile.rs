//! Volume profile: volume per price bucket over a rolling window, and its point of control.

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{check_period, f, hlc_sum, Indicator, IndicatorError};
use crate::market::Candle;

/// One price bucket of a profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceBucket {
    /// Lowest price of the bucket (inclusive).
    pub low: f64,
    /// Highest price of the bucket (exclusive).
    pub high: f64,
    /// Volume traded in the window with a typical price in the bucket.
    pub volume: f64,
}

/// Volume profile over the last `window` candles on a fixed price grid of `bucket_width`.
///
/// Each candle's whole volume goes to the bucket `floor(tp / bucket_width)` holding its typical
/// price `tp = (high + low + close) / 3`. The output, from index `window - 1`, is the point of
/// control: the midpoint of the bucket with the most volume (the lowest such bucket on a tie).
/// Volumes are summed exactly in `Decimal`. An update costs O(log buckets) plus O(buckets) for
/// the point of control; [`profile`](VolumeProfile::profile) lists the buckets.
#[derive(Debug, Clone)]
pub struct VolumeProfile {
    window: usize,
    width: Decimal,
    candles: VecDeque<(i64, Decimal)>,
    buckets: BTreeMap<i64, (Decimal, usize)>,
}

impl VolumeProfile {
    /// Default window (one day of hourly candles).
    pub const DEFAULT_WINDOW: usize = 24;

    /// A profile over `window >= 1` candles with buckets `bucket_width > 0` wide.
    pub fn new(window: usize, bucket_width: Decimal) -> Result<Self, IndicatorError> {
        let window = check_period("window", window, 1)?;
        if bucket_width <= Decimal::ZERO {
            return Err(IndicatorError::NotPositive { name: "bucket_width" });
        }
        Ok(Self { window, width: bucket_width, candles: VecDeque::with_capacity(window + 1), buckets: BTreeMap::new() })
    }

    /// The buckets holding volume in the current window, lowest price first.
    pub fn profile(&self) -> Vec<PriceBucket> {
        self.buckets.iter().map(|(&key, &(volume, _))| self.bucket(key, volume)).collect()
    }

    fn bucket(&self, key: i64, volume: Decimal) -> PriceBucket {
        let low = Decimal::from(key) * self.width;
        PriceBucket { low: f(low), high: f(low + self.width), volume: f(volume) }
    }

    fn key(&self, candle: &Candle) -> i64 {
        (hlc_sum(candle) / (Decimal::from(3) * self.width)).floor().to_i64().unwrap_or(i64::MAX)
    }
}

impl Indicator for VolumeProfile {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let key = self.key(candle);
        self.candles.push_back((key, candle.volume));
        let entry = self.buckets.entry(key).or_insert((Decimal::ZERO, 0));
        entry.0 += candle.volume;
        entry.1 += 1;
        if self.candles.len() > self.window {
            if let Some((old_key, old_volume)) = self.candles.pop_front() {
                if let Some(old) = self.buckets.get_mut(&old_key) {
                    old.0 -= old_volume;
                    old.1 -= 1;
                    if old.1 == 0 {
                        self.buckets.remove(&old_key);
                    }
                }
            }
        }
        if self.candles.len() < self.window {
            return None;
        }
        let mut best: Option<(i64, Decimal)> = None;
        for (&k, &(volume, _)) in &self.buckets {
            if best.is_none_or(|(_, top)| volume > top) {
                best = Some((k, volume));
            }
        }
        let (k, volume) = best?;
        let b = self.bucket(k, volume);
        Some((b.low + b.high) / 2.0)
    }
}
