//! A figure that may be unavailable, with the reason: analytics answer `null` and say why rather
//! than NaN, infinity or a panic.

use std::fmt;

/// Why a figure has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unavailable {
    /// No trade closed in the window.
    NoTrades,
    /// Fewer than two daily returns (the window spans fewer than three days of equity).
    TooFewDays,
    /// Every daily return is the same: the ratio would divide by zero.
    ZeroVariance,
    /// No return fell below the risk-free rate: the downside deviation is zero.
    NoDownside,
    /// No losing trade: gross loss is zero.
    NoLosses,
    /// Equity was zero or negative on a day a return starts from.
    NonPositiveEquity,
    /// A figure left the range of a `Decimal`.
    Overflow,
}

impl Unavailable {
    /// The stable wire name (`no_trades`, `too_few_days`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTrades => "no_trades",
            Self::TooFewDays => "too_few_days",
            Self::ZeroVariance => "zero_variance",
            Self::NoDownside => "no_downside",
            Self::NoLosses => "no_losses",
            Self::NonPositiveEquity => "non_positive_equity",
            Self::Overflow => "overflow",
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value, or the reason there is none.
pub type Figure<T> = Result<T, Unavailable>;
