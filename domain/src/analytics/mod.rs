//! Performance analytics, pure: the equity and cumulative P&L series of one book (one mode and one
//! quote currency) and the advanced metrics (Sharpe, Sortino, maximum drawdown, profit factor, hold
//! times, expectancy, best and worst trade). Money is `Decimal`; `f64` appears only where a square
//! root forces it (Sharpe and Sortino). Definitions and worked examples: `docs/analytics.md`.

mod benchmark;
mod drawdown;
mod metrics;
mod ratios;
mod series;
mod trades;

#[cfg(test)]
mod props;

pub use benchmark::{buy_and_hold, HoldPoint};
pub use drawdown::{max_drawdown, Drawdown};
pub use metrics::{AdvancedMetrics, MetricsConfig};
pub use ratios::{daily_returns, sharpe, sortino, DAYS_PER_YEAR};
pub use series::{EquityPoint, Interval, SeriesSpec, HOURLY_UP_TO_DAYS, MAX_HOURLY_DAYS};
pub use trades::{hold_times, profit_factor, HoldTimes, TradeStats};

use std::fmt;

use rust_decimal::Decimal;
use time::OffsetDateTime;

/// One trade: a closed position (the bot record `position_closed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedTrade {
    /// The position's id (as the record shows it).
    pub id: String,
    /// The market, e.g. `BTC/USDT`.
    pub symbol: String,
    /// Opened.
    pub opened_at: OffsetDateTime,
    /// Closed.
    pub closed_at: OffsetDateTime,
    /// Realized profit, net of every fee (negative: a loss).
    pub realized_profit: Decimal,
}

/// One book: what a user's bots of one mode (live or paper) trading against one quote currency
/// hold and did. Never mixes quote currencies nor modes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Book {
    /// Quote capital given to the bots (the sum of their `funds.allocated`).
    pub capital: Decimal,
    /// Realized profit to date, net of fees (the sum of the bots' `funds.realized_profit`): every
    /// trade's, and what partial sales of positions still open realized.
    pub realized: Decimal,
    /// Trades, in any order: at least every one closed in the window of interest (older ones are
    /// part of `realized` and need not be read).
    pub trades: Vec<ClosedTrade>,
    /// Unrealized P&L of the open positions, marked at a price now (value - cost).
    pub unrealized: Decimal,
}

impl Book {
    /// Realized profit to date, less the trades closed at or after `at`: the realized profit at
    /// `at`, for any `at` from which on every trade is in `trades`.
    pub fn realized_before(&self, at: OffsetDateTime) -> Decimal {
        self.realized - self.trades.iter().filter(|t| t.closed_at >= at).map(|t| t.realized_profit).sum::<Decimal>()
    }

    /// The trades closed in `[from, to)` (`from` `None`: from the beginning).
    pub fn trades_between(&self, from: Option<OffsetDateTime>, to: OffsetDateTime) -> Vec<&ClosedTrade> {
        self.trades.iter().filter(|t| from.is_none_or(|f| t.closed_at >= f) && t.closed_at < to).collect()
    }
}

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
