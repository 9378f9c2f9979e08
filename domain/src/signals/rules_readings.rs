//! Where the voting rules read their indicators: the batch kernels over shared [`Columns`] (what
//! [`analyze`](super::analyze) and [`analyze_columns`](super::analyze_columns) use) or, as the
//! oracle of the tests, the streaming indicators candle by candle. Both give the same bits.

use crate::indicators::batch;
use crate::indicators::{Bands, Columns, Mfi};
use crate::market::Candle;

use super::vote::{latest, tail};

/// The latest readings of the indicators the rules need, over the candles analysed.
pub(super) trait Readings {
    /// RSI of the close on the last candle.
    fn rsi(&self, period: usize) -> Option<f64>;
    /// SMA of the close on the candle before the last and on the last.
    fn sma(&self, period: usize) -> (Option<f64>, Option<f64>);
    /// EMA of the close on the candle before the last and on the last.
    fn ema(&self, period: usize) -> (Option<f64>, Option<f64>);
    /// Bollinger Bands on the last candle.
    fn bollinger(&self, period: usize, k: f64) -> Option<Bands>;
    /// ATR on the last candle.
    fn atr(&self, period: usize) -> Option<f64>;
    /// MFI on the last candle.
    fn mfi(&self, period: usize) -> Option<f64>;
}

/// Readings from the batch kernels over columns built from exactly these candles.
#[derive(Debug, Clone, Copy)]
pub(super) struct BatchReadings<'a> {
    /// The candles analysed.
    pub candles: &'a [Candle],
    /// The same candles as columns.
    pub columns: &'a Columns,
}

/// The last value of a kernel's output, `None` during the warm-up (`NaN`) or on a bad parameter.
fn last(series: Result<Vec<f64>, crate::indicators::IndicatorError>) -> Option<f64> {
    series.ok()?.last().copied().filter(|x| !x.is_nan())
}

/// The last two values of a kernel's output: (previous, latest).
fn last_two(series: Result<Vec<f64>, crate::indicators::IndicatorError>) -> (Option<f64>, Option<f64>) {
    let Ok(series) = series else {
        return (None, None);
    };
    let at = |back: usize| series.len().checked_sub(back).and_then(|i| series.get(i)).copied().filter(|x| !x.is_nan());
    (at(2), at(1))
}

impl Readings for BatchReadings<'_> {
    fn rsi(&self, period: usize) -> Option<f64> {
        last(batch::rsi(self.columns.close(), period))
    }

    fn sma(&self, period: usize) -> (Option<f64>, Option<f64>) {
        last_two(batch::sma(self.columns.close(), period))
    }

    fn ema(&self, period: usize) -> (Option<f64>, Option<f64>) {
        last_two(batch::ema(self.columns.close(), period))
    }

    fn bollinger(&self, period: usize, k: f64) -> Option<Bands> {
        let bands = batch::bollinger(self.columns.close(), period, k).ok()?;
        let pick = |column: &[f64]| column.last().copied().filter(|x| !x.is_nan());
        Some(Bands { upper: pick(&bands.upper)?, middle: pick(&bands.middle)?, lower: pick(&bands.lower)? })
    }

    fn atr(&self, period: usize) -> Option<f64> {
        last(batch::atr(self.columns, period))
    }

    /// MFI looks back only `period + 1` candles, so its exact `Decimal` streaming form over that
    /// tail is both identical to the full series and cheaper than any pass over all candles (the
    /// `f64` batch kernel would differ from it in the last bits).
    fn mfi(&self, period: usize) -> Option<f64> {
        latest(Mfi::new(period).ok()?, tail(self.candles, period.saturating_add(1)))
    }
}

/// Readings from the streaming indicators over all the candles: the oracle of the tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub(super) struct StreamingReadings<'a>(pub &'a [Candle]);

#[cfg(test)]
impl Readings for StreamingReadings<'_> {
    fn rsi(&self, period: usize) -> Option<f64> {
        latest(crate::indicators::Rsi::new(period).ok()?, self.0)
    }

    fn sma(&self, period: usize) -> (Option<f64>, Option<f64>) {
        crate::indicators::Sma::new(period).map_or((None, None), |i| super::vote::last_two(i, self.0))
    }

    fn ema(&self, period: usize) -> (Option<f64>, Option<f64>) {
        crate::indicators::Ema::new(period).map_or((None, None), |i| super::vote::last_two(i, self.0))
    }

    fn bollinger(&self, period: usize, k: f64) -> Option<Bands> {
        latest(crate::indicators::BollingerBands::new(period, k).ok()?, self.0)
    }

    fn atr(&self, period: usize) -> Option<f64> {
        latest(crate::indicators::Atr::new(period).ok()?, self.0)
    }

    fn mfi(&self, period: usize) -> Option<f64> {
        latest(Mfi::new(period).ok()?, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::analysis::{analyze, analyze_columns, SignalError};
    use super::super::test_support::{from_closes, ints, wavy};
    use super::*;
    use crate::signals::IndicatorSpec;

    #[test]
    fn batch_readings_are_the_last_values_and_none_while_warming_up() {
        let candles = from_closes(&ints(&[1, 2, 3, 4]));
        let columns = Columns::from_candles(&candles);
        let readings = BatchReadings { candles: &candles, columns: &columns };
        assert_eq!(readings.sma(2), (Some(2.5), Some(3.5)));
        assert_eq!(readings.sma(4), (None, Some(2.5)));
        assert_eq!(readings.sma(5), (None, None));
        assert_eq!(readings.rsi(3), Some(100.0));
        assert_eq!(readings.rsi(4), None);
    }

    #[test]
    fn columns_of_other_candles_are_refused() {
        let candles = wavy(120);
        let specs: Vec<IndicatorSpec> = vec![serde_json::from_str(r#"{"indicator": "rsi"}"#).unwrap()];
        let shared = Columns::from_candles(&candles);
        assert_eq!(analyze_columns(&specs, &candles, &shared), analyze(&specs, &candles));
        let other = Columns::from_candles(&candles[1..]);
        assert_eq!(
            analyze_columns(&specs, &candles, &other),
            Err(SignalError::ColumnsMismatch { columns: 119, candles: 120 })
        );
    }
}
