//! Wilder-smoothed indicators: RSI of a series and ATR of candles (batch twins of `Rsi`, `Atr`).

use super::{period, reset, IndicatorError};
use crate::indicators::atr::true_range;
use crate::indicators::smoothing::{BlockSmoothing, Smoothing, BLOCK};
use crate::indicators::Columns;

/// RSI of `x` over `period` changes; first value at index `period`. See [`rsi_into`].
pub fn rsi(x: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut out = Vec::new();
    rsi_into(x, period, &mut out)?;
    Ok(out)
}

/// RSI of `x` over `period >= 1` changes into `out`, bit-for-bit as [`Rsi`](crate::indicators::Rsi)
/// (TA-Lib `RSI`): the first average gain and loss are the means of the first `period` changes,
/// then `avg = (avg * (period - 1) + x) / period` (as `avg × decay + x × weight`);
/// `100 * gain / (gain + loss)`, 0 when both are 0.
pub fn rsi_into(x: &[f64], period: usize, out: &mut Vec<f64>) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    reset(out, x.len());
    if x.len() <= p {
        return Ok(());
    }
    let len = p as f64;
    // Branch-free gain and loss: an up or down close is a coin flip the predictor cannot learn.
    let mut changes = x[1..].iter().zip(x).map(|(&now, &prev)| {
        let c = now - prev;
        (c.max(0.0), (-c).max(0.0))
    });
    let value = |gain: f64, loss: f64| {
        let total = gain + loss;
        if total == 0.0 {
            0.0
        } else {
            100.0 * gain / total
        }
    };
    let (mut gain, mut loss) = (0.0, 0.0);
    for (g, l) in changes.by_ref().take(p) {
        gain += g;
        loss += l;
    }
    gain /= len;
    loss /= len;
    out[p] = value(gain, loss);
    let smoothing = Smoothing::wilder(p);
    for (o, (g, l)) in out[p + 1..].iter_mut().zip(changes) {
        gain = smoothing.next(gain, g);
        loss = smoothing.next(loss, l);
        *o = value(gain, loss);
    }
    Ok(())
}

/// ATR of the candles over `period` true ranges; first value at index `period`. See [`atr_into`].
pub fn atr(columns: &Columns, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut out = Vec::new();
    atr_into(columns, period, &mut out)?;
    Ok(out)
}

/// ATR over `period >= 1` true ranges into `out`, bit-for-bit as [`Atr`](crate::indicators::Atr)
/// (TA-Lib `ATR`): `TR[i] = max(high - low, |high - close[i-1]|, |low - close[i-1]|)` from index
/// 1, the first ATR the mean of `TR[1..=period]`, then `atr = (atr * (period - 1) + TR) / period`
/// (as `atr × decay + TR × weight`, in blocks of four steps: see `BlockSmoothing`, whose short
/// chain is what bounds the speed; the true ranges are off it).
pub fn atr_into(columns: &Columns, period: usize, out: &mut Vec<f64>) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    let (high, low, close) = (columns.high(), columns.low(), columns.close());
    out.clear();
    if close.len() <= p {
        out.resize(close.len(), f64::NAN);
        return Ok(());
    }
    out.reserve(close.len());
    out.resize(p, f64::NAN);
    // TR[i] for i >= 1, from (high[i], low[i], close[i - 1]); slices and chunks spare the bounds checks.
    let mut anchor = 0.0;
    for ((&h, &l), &prev) in high[1..=p].iter().zip(&low[1..=p]).zip(close) {
        anchor += true_range(h, l, prev);
    }
    anchor /= p as f64;
    out.push(anchor);
    let smoothing = BlockSmoothing::new(Smoothing::wilder(p));
    // Block by block, each output written once: the block's highs and lows, and the closes from
    // the one before the block to its last. Spelled out for four steps (a loop or `from_fn` here
    // costs 2.5 to 3.5 times as much: the compiler keeps the block's values in memory).
    const _: () = assert!(BLOCK == 4);
    let start = p + 1;
    let (highs, lows) = (high[start..].chunks_exact(BLOCK), low[start..].chunks_exact(BLOCK));
    let prevs = close[start - 1..].windows(BLOCK + 1).step_by(BLOCK);
    for ((h, l), c) in highs.zip(lows).zip(prevs) {
        let s0 = smoothing.sum(0.0, true_range(h[0], l[0], c[0]));
        let s1 = smoothing.sum(s0, true_range(h[1], l[1], c[1]));
        let s2 = smoothing.sum(s1, true_range(h[2], l[2], c[2]));
        let s3 = smoothing.sum(s2, true_range(h[3], l[3], c[3]));
        let values = [
            smoothing.value(anchor, 0, s0),
            smoothing.value(anchor, 1, s1),
            smoothing.value(anchor, 2, s2),
            smoothing.value(anchor, 3, s3),
        ];
        anchor = values[3];
        out.extend_from_slice(&values);
    }
    // The last, partial block.
    let mut sum = 0.0;
    for (k, i) in (out.len()..close.len()).enumerate() {
        sum = smoothing.sum(sum, true_range(high[i], low[i], close[i - 1]));
        out.push(smoothing.value(anchor, k, sum));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsi_is_the_share_of_gains_after_the_seed() {
        // changes +1, -1, +2: seed over 2 changes gives gain 0.5, loss 0.5 -> 50;
        // then gain (0.5 + 2) / 2 = 1.25, loss 0.25 -> 100 * 1.25 / 1.5
        let r = rsi(&[1.0, 2.0, 1.0, 3.0], 2).unwrap();
        assert!(r[0].is_nan() && r[1].is_nan());
        assert_eq!(r[2], 50.0);
        assert_eq!(r[3], 100.0 * 1.25 / 1.5);
    }

    #[test]
    fn flat_prices_give_rsi_zero_and_short_input_only_warm_up() {
        assert_eq!(&rsi(&[5.0; 4], 2).unwrap()[2..], [0.0, 0.0]);
        assert!(rsi(&[1.0, 2.0], 2).unwrap().iter().all(|v| v.is_nan()));
        assert!(matches!(rsi(&[1.0], 0), Err(IndicatorError::PeriodTooShort { .. })));
    }
}
