//! Candles converted once into `f64` columns: the input of the batch kernels ([`super::batch`]).

use time::OffsetDateTime;

use super::{f, hlc_sum};
use crate::market::Candle;

/// The candles of one market as parallel `f64` columns, oldest first, all of the same length.
///
/// Build it once per market with [`Columns::from_candles`] and share it (`&Columns`) with every
/// bot of that market: the `Decimal` to `f64` conversion then happens once per candle, not once
/// per candle per indicator per bot. Each value is converted exactly as the streaming indicators
/// convert it, so a batch kernel sees the same `f64` inputs as its streaming twin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    open_time: Vec<OffsetDateTime>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    hlc: Vec<f64>,
}

impl Columns {
    /// Converts `candles` (oldest first) into columns.
    pub fn from_candles(candles: &[Candle]) -> Self {
        let n = candles.len();
        let mut columns = Self {
            open_time: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
            hlc: Vec::with_capacity(n),
        };
        for c in candles {
            columns.open_time.push(c.open_time);
            columns.open.push(f(c.open));
            columns.high.push(f(c.high));
            columns.low.push(f(c.low));
            columns.close.push(f(c.close));
            columns.volume.push(f(c.volume));
            columns.hlc.push(f(hlc_sum(c)));
        }
        columns
    }

    /// The columns of the first `len` candles (all of them when `len` is larger): a copy of
    /// plain `f64`s, far cheaper than converting the candles again.
    pub fn prefix(&self, len: usize) -> Self {
        let len = len.min(self.len());
        Self {
            open_time: self.open_time[..len].to_vec(),
            open: self.open[..len].to_vec(),
            high: self.high[..len].to_vec(),
            low: self.low[..len].to_vec(),
            close: self.close[..len].to_vec(),
            volume: self.volume[..len].to_vec(),
            hlc: self.hlc[..len].to_vec(),
        }
    }

    /// Number of candles.
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// Whether there are no candles.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// Whether these columns were built from `candles`: same length, same open times, same last
    /// close. A cheap guard against pairing a market's columns with another window of candles.
    pub fn matches(&self, candles: &[Candle]) -> bool {
        self.len() == candles.len()
            && candles.iter().zip(&self.open_time).all(|(c, t)| c.open_time == *t)
            && candles.last().is_none_or(|c| self.close.last() == Some(&f(c.close)))
    }

    /// Open times.
    pub fn open_time(&self) -> &[OffsetDateTime] {
        &self.open_time
    }

    /// Opens.
    pub fn open(&self) -> &[f64] {
        &self.open
    }

    /// Highs.
    pub fn high(&self) -> &[f64] {
        &self.high
    }

    /// Lows.
    pub fn low(&self) -> &[f64] {
        &self.low
    }

    /// Closes.
    pub fn close(&self) -> &[f64] {
        &self.close
    }

    /// Base-asset volumes.
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }

    /// `high + low + close`, summed exactly in `Decimal` and then converted: three times the
    /// typical price. Equal typical prices stay equal, so MFI's ties are decided as in [`super::Mfi`].
    pub fn hlc(&self) -> &[f64] {
        &self.hlc
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;

    fn candle(hour: i64, open: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> Candle {
        let open_time = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(hour);
        Candle { open_time, open, high, low, close, volume, quote_volume: None }
    }

    #[test]
    fn converts_every_field_once_and_keeps_exact_typical_price_ties() {
        // 1.1 + 2.2 + 3.3 and 1.2 + 2.1 + 3.3 are both exactly 6.6, but not in f64 sums.
        let candles = [
            candle(0, dec!(1), dec!(1.1), dec!(2.2), dec!(3.3), dec!(5)),
            candle(1, dec!(1), dec!(1.2), dec!(2.1), dec!(3.3), dec!(0)),
        ];
        let columns = Columns::from_candles(&candles);
        assert_eq!(columns.len(), 2);
        assert_eq!(columns.high(), [1.1, 1.2]);
        assert_eq!(columns.volume(), [5.0, 0.0]);
        assert_eq!(columns.hlc()[0], columns.hlc()[1]);
        assert!(columns.matches(&candles));
        assert!(!columns.matches(&candles[..1]));
        assert!(Columns::from_candles(&[]).is_empty());
    }
}
