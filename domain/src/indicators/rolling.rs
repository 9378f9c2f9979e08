//! A fixed-length window of `f64` with running sums, for O(1) moving means and deviations.

use std::collections::VecDeque;

/// The last `len` values with their running sum and sum of squares.
///
/// Sums are kept of `x - anchor`, where the anchor is the first value ever pushed: prices of
/// thousands have variances of tens, and shifting them near zero keeps `E[x²] - E[x]²` from
/// cancelling away the significant digits.
#[derive(Debug, Clone)]
pub(super) struct Rolling {
    len: usize,
    values: VecDeque<f64>,
    anchor: Option<f64>,
    sum: f64,
    sum_sq: f64,
}

impl Rolling {
    /// An empty window of `len` values (`len >= 1`).
    pub(super) fn new(len: usize) -> Self {
        Self { len, values: VecDeque::with_capacity(len + 1), anchor: None, sum: 0.0, sum_sq: 0.0 }
    }

    /// Adds `x`, dropping the oldest value once the window is full; true when full.
    pub(super) fn push(&mut self, x: f64) -> bool {
        let anchor = *self.anchor.get_or_insert(x);
        let d = x - anchor;
        self.values.push_back(d);
        self.sum += d;
        self.sum_sq += d * d;
        if self.values.len() > self.len {
            if let Some(old) = self.values.pop_front() {
                self.sum -= old;
                self.sum_sq -= old * old;
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
        self.anchor.unwrap_or(0.0) + self.sum / self.values.len() as f64
    }

    /// Population standard deviation of the values in the window.
    pub(super) fn std_dev(&self) -> f64 {
        let n = self.values.len() as f64;
        let m = self.sum / n;
        (self.sum_sq / n - m * m).max(0.0).sqrt()
    }
}
