//! Volume-weighted indicators of candles: MFI and OBV (batch twins of `Mfi`, `Obv`).

use super::{period, reset, IndicatorError};
use crate::indicators::Columns;

/// MFI of the candles over `period` money flows; first value at index `period`. See [`mfi_into`].
pub fn mfi(columns: &Columns, period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut out = Vec::new();
    mfi_into(columns, period, &mut out)?;
    Ok(out)
}

/// MFI over `period >= 1` money flows into `out`, as [`Mfi`](crate::indicators::Mfi) (TA-Lib
/// `MFI`): flows `hlc × volume` ([`Columns::hlc`], three times the typical price, so ties are
/// exact), positive when `hlc` rose, negative when it fell; `100 × Σpos / (Σpos + Σneg)` over the
/// last `period` flows, 0 when that total is below 3 (TA-Lib's "below 1" on typical prices).
///
/// The window sums are not running sums: the flows are cut into blocks of `period`, and each
/// window is the suffix sum of one block plus the prefix sum of the next, so every sum adds at
/// most `period` non-negative terms and never subtracts (no drift, even after a huge flow leaves
/// the window). O(n); per call, one allocation for the flows and one of `period` block sums.
pub fn mfi_into(columns: &Columns, period: usize, out: &mut Vec<f64>) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    let (hlc, volume) = (columns.hlc(), columns.volume());
    let n = hlc.len();
    reset(out, n);
    if n <= p {
        return Ok(());
    }
    // The flows of candles 1.., as (positive, negative): one pass, kept for the block sums.
    let flows: Vec<(f64, f64)> = hlc[1..]
        .iter()
        .zip(hlc)
        .zip(&volume[1..])
        .map(|((&now, &prev), &v)| {
            let raw = now * v;
            (raw * f64::from(u8::from(now > prev)), raw * f64::from(u8::from(now < prev)))
        })
        .collect();
    // Blocks of `p` flows; a window ending in a block is the suffix of the block before it (its
    // sums from each offset to the block's end) plus the prefix of its own block.
    let mut suffix = vec![(0.0, 0.0); p];
    for (b, block) in flows.chunks(p).enumerate() {
        let start = b * p;
        if let Some(before) = start.checked_sub(p).and_then(|s| flows.get(s..start)) {
            let (mut pos, mut neg) = (0.0, 0.0);
            for (slot, &(fp, fneg)) in suffix.iter_mut().zip(before).rev() {
                pos += fp;
                neg += fneg;
                *slot = (pos, neg);
            }
        }
        let (mut pre_pos, mut pre_neg) = (0.0, 0.0);
        // flow j is candle j + 1; the window of candle j + 1 ends at flow j
        for (offset, &(fp, fneg)) in block.iter().enumerate() {
            pre_pos += fp;
            pre_neg += fneg;
            let j = start + offset;
            if j + 1 < p {
                continue;
            }
            let (pos, neg) = match suffix.get(offset + 1) {
                Some(&(sp, sn)) => (sp + pre_pos, sn + pre_neg),
                _ => (pre_pos, pre_neg),
            };
            let total = pos + neg;
            out[j + 1] = if total < 3.0 { 0.0 } else { 100.0 * pos / total };
        }
    }
    Ok(())
}

/// OBV of the candles; see [`obv_into`].
pub fn obv(columns: &Columns) -> Vec<f64> {
    let mut out = Vec::new();
    obv_into(columns, &mut out);
    out
}

/// OBV into `out`, as [`Obv`](crate::indicators::Obv) (TA-Lib `OBV`): the first candle's volume,
/// then plus the volume on an up close, minus it on a down close. No warm-up. A plain `f64`
/// running total, as TA-Lib's: over the 20,111 fixture candles it stays within 1e-12 of the
/// volume traded so far from the exact `Decimal` total.
pub fn obv_into(columns: &Columns, out: &mut Vec<f64>) {
    let (close, volume) = (columns.close(), columns.volume());
    out.clear();
    let Some(&first) = volume.first() else {
        return;
    };
    // Each output written once (pushed, not overwritten after a reset), from zipped slices whose
    // length the vector knows beforehand.
    out.reserve(close.len());
    out.push(first);
    let mut total = first;
    out.extend(close[1..].iter().zip(close).zip(&volume[1..]).map(|((&now, &prev), &v)| {
        let sign = f64::from(u8::from(now > prev)) - f64::from(u8::from(now < prev));
        total += sign * v;
        total
    }));
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;
    use time::OffsetDateTime;

    use super::*;
    use crate::market::Candle;

    fn columns(rows: &[(Decimal, Decimal)]) -> Columns {
        let candles: Vec<Candle> = rows
            .iter()
            .enumerate()
            .map(|(i, &(close, volume))| Candle {
                open_time: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(i as i64),
                open: close,
                high: close,
                low: close,
                close,
                volume,
                quote_volume: None,
            })
            .collect();
        Columns::from_candles(&candles)
    }

    #[test]
    fn obv_adds_on_up_closes_and_subtracts_on_down_closes() {
        let c = columns(&[(dec!(10), dec!(5)), (dec!(11), dec!(2)), (dec!(9), dec!(4)), (dec!(9), dec!(7))]);
        assert_eq!(obv(&c), [5.0, 7.0, 3.0, 3.0]);
        assert!(obv(&Columns::default()).is_empty());
    }

    #[test]
    fn mfi_is_the_positive_share_of_the_window_and_zero_below_the_guard() {
        // hlc = 3 × close: flows 3·11·2 = 66 up, 3·9·4 = 108 down, 3·12·1 = 36 up
        let c = columns(&[(dec!(10), dec!(5)), (dec!(11), dec!(2)), (dec!(9), dec!(4)), (dec!(12), dec!(1))]);
        let m = mfi(&c, 2).unwrap();
        assert!(m[0].is_nan() && m[1].is_nan());
        assert_eq!(m[2], 100.0 * 66.0 / 174.0);
        assert_eq!(m[3], 100.0 * 36.0 / 144.0);
        let quiet = columns(&[(dec!(10), dec!(0)), (dec!(11), dec!(0)), (dec!(9), dec!(0))]);
        assert_eq!(mfi(&quiet, 2).unwrap()[2], 0.0);
    }
}
