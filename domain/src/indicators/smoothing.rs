//! Exponential smoothing shared by the streaming indicators and their batch twins (EMA, and
//! Wilder's smoothing in RSI and ATR), so both evaluate it with the very same operations.

/// `next = value × decay + x × weight`: EMA with `weight = k`, `decay = 1 - k`; Wilder with
/// `weight = 1 / period`, `decay = (period - 1) / period`.
///
/// Written as TA-Lib's formulas are (`(x - ema) × k + ema`, `(avg × (period - 1) + x) / period`)
/// the next value waits on a subtraction, a multiplication and an addition, or on a division:
/// those chains bound the speed of a whole series. This form leaves one multiplication and one
/// addition on the chain (`x × weight` does not wait on the previous value); it differs from
/// TA-Lib's by rounding only (about 1e-16 relative per step, and the smoothing does not let it
/// accumulate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Smoothing {
    decay: f64,
    weight: f64,
}

impl Smoothing {
    /// EMA's smoothing over `period >= 1`: `k = 2 / (period + 1)`.
    pub(crate) fn ema(period: usize) -> Self {
        let k = 2.0 / (period as f64 + 1.0);
        Self { decay: 1.0 - k, weight: k }
    }

    /// Wilder's smoothing over `period >= 1`.
    pub(crate) fn wilder(period: usize) -> Self {
        let p = period as f64;
        Self { decay: (p - 1.0) / p, weight: 1.0 / p }
    }

    /// The smoothed value after `x`.
    #[inline]
    pub(crate) fn next(self, value: f64, x: f64) -> f64 {
        value * self.decay + x * self.weight
    }
}

/// Steps in a block of [`BlockSmoothing`].
pub(crate) const BLOCK: usize = 4;

/// A smoothing taken [`BLOCK`] steps at a time, for the series whose chain bounds their speed
/// (ATR).
///
/// Within a block, `sum_k = sum_(k-1) × decay + x_k × weight` (from `sum_0 = 0`) depends on the
/// block's inputs only, and the `k`-th value is `anchor × decayᵏ + sum_k`, where the anchor is the
/// value before the block. The chain from one anchor to the next is then one multiplication and
/// one addition per block instead of per step; the sums and the other values are off it. The
/// values differ from stepping one at a time ([`Smoothing::next`]) by rounding only (about 1e-16
/// relative per step, and the smoothing does not let it accumulate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BlockSmoothing {
    step: Smoothing,
    /// `decay¹ ..= decayᴷ`.
    powers: [f64; BLOCK],
}

impl BlockSmoothing {
    /// `step` taken [`BLOCK`] at a time.
    pub(crate) fn new(step: Smoothing) -> Self {
        let mut powers = [step.decay; BLOCK];
        for k in 1..BLOCK {
            powers[k] = powers[k - 1] * step.decay;
        }
        Self { step, powers }
    }

    /// The block's running sum after `x`, from the sum before it (0 at the block's start).
    #[inline]
    pub(crate) fn sum(self, sum: f64, x: f64) -> f64 {
        sum * self.step.decay + x * self.step.weight
    }

    /// The value at offset `k < BLOCK` of a block (0 for its first step), from the anchor (the
    /// value before the block) and the block's sum up to that step.
    #[inline]
    pub(crate) fn value(self, anchor: f64, k: usize, sum: f64) -> f64 {
        anchor * self.powers[k] + sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_ta_lib_forms_to_rounding() {
        let (ema, wilder) = (Smoothing::ema(20), Smoothing::wilder(14));
        let (mut e, mut w) = (100.0, 100.0);
        let (mut e_ta, mut w_ta) = (100.0_f64, 100.0_f64);
        for i in 0..1000 {
            let x = 100.0 + f64::from(i % 17) * 3.25;
            e = ema.next(e, x);
            w = wilder.next(w, x);
            e_ta = (x - e_ta) * (2.0 / 21.0) + e_ta;
            w_ta = (w_ta * 13.0 + x) / 14.0;
            assert!((e - e_ta).abs() <= 1e-13 * e_ta && (w - w_ta).abs() <= 1e-13 * w_ta);
        }
        assert_eq!(Smoothing::wilder(1).next(5.0, 7.0), 7.0);
    }

    #[test]
    fn blocks_agree_with_single_steps_to_rounding() {
        let (single, block) = (Smoothing::wilder(14), BlockSmoothing::new(Smoothing::wilder(14)));
        let (mut s, mut anchor) = (100.0, 100.0);
        for i in 0..1000 {
            let mut sum = 0.0;
            for k in 0..BLOCK {
                let x = 100.0 + f64::from((i * 7 + k as u32) % 17) * 3.25;
                s = single.next(s, x);
                sum = block.sum(sum, x);
                let value = block.value(anchor, k, sum);
                assert!((value - s).abs() <= 1e-13 * s, "{value} against {s}");
                if k == 0 {
                    assert_eq!(value, single.next(anchor, x), "a block's first value is one step");
                }
                if k == BLOCK - 1 {
                    anchor = value;
                }
            }
        }
        let one = BlockSmoothing::new(Smoothing::wilder(1));
        assert_eq!(one.value(5.0, 2, one.sum(one.sum(0.0, 7.0), 9.0)), 9.0);
    }
}
