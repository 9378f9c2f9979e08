//! A fixed-length window of `f64` with running sums, for O(1) moving means and deviations.

use std::collections::VecDeque;

/// The last `len` values with their running sum and sum of squares.
///
/// Sums are kept of `x - anchor`, where the anchor is the first value ever pushed: prices of
/// thousands have variances of tens, and shifting them near zero keeps `E[x²] - E[x]²` from
/// cancelling away the significant digits. Once the window is full, a push adds `new - old` to
/// the sums (one addition on the chain from one sum to the next, which bounds a series' speed)
/// and the means multiply by `1 / len`; the batch kernels repeat these steps exactly.
#[derive(Debug, Clone)]
pub(super) struct Rolling {
    len: usize,
    values: VecDeque<f64>,
    inv_len: f64,
    anchor: Option<f64>,
    sum: f64,
    sum_sq: f64,
}

impl Rolling {
    /// An empty window of `len` values (`len >= 1`).
    pub(super) fn new(len: usize) -> Self {
        let inv_len = 1.0 / len as f64;
        Self { len, values: VecDeque::with_capacity(len + 1), inv_len, anchor: None, sum: 0.0, sum_sq: 0.0 }
    }

    /// Adds `x`, dropping the oldest value once the window is full; true when full.
    pub(super) fn push(&mut self, x: f64) -> bool {
        let anchor = *self.anchor.get_or_insert(x);
        let d = x - anchor;
        self.values.push_back(d);
        match self.values.len() > self.len {
            true => {
                let old = self.values.pop_front().unwrap_or(0.0);
                self.sum += d - old;
                self.sum_sq += d * d - old * old;
            }
            false => {
                self.sum += d;
                self.sum_sq += d * d;
            }
        }
        self.is_full()
    }

    /// Whether the window holds `len` values.
    pub(super) fn is_full(&self) -> bool {
        self.values.len() == self.len
    }

    /// Mean of the values in the window.
    pub(super) fn mean(&self) -> f64 {
        self.anchor.unwrap_or(0.0) + self.shifted_mean()
    }

    /// Mean of `x - anchor` over the window.
    fn shifted_mean(&self) -> f64 {
        match self.is_full() {
            true => self.sum * self.inv_len,
            false => self.sum / self.values.len() as f64,
        }
    }

    /// Population standard deviation of the values in the window.
    pub(super) fn std_dev(&self) -> f64 {
        let m = self.shifted_mean();
        let mean_sq = match self.is_full() {
            true => self.sum_sq * self.inv_len,
            false => self.sum_sq / self.values.len() as f64,
        };
        (mean_sq - m * m).max(0.0).sqrt()
    }
}
