//! The advanced metrics of one book over a window (the MAX plan's): Sharpe and Sortino on the daily
//! equity series, maximum drawdown, and the trade figures.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{daily_returns, max_drawdown, sharpe, sortino, Book, Drawdown, Figure, Interval, SeriesSpec, TradeStats};

/// Settings of the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Annual risk-free rate as a fraction (0.05 = 5 %), subtracted from every daily return as
    /// `rate / 365`. Default 0.
    pub risk_free_rate: Decimal,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { risk_free_rate: Decimal::ZERO }
    }
}

/// Every advanced metric of a book over a window.
#[derive(Clone, Debug, PartialEq)]
pub struct AdvancedMetrics {
    /// The daily returns they were computed from.
    pub daily_returns: Figure<Vec<Decimal>>,
    /// Annualised Sharpe ratio.
    pub sharpe: Figure<f64>,
    /// Annualised Sortino ratio.
    pub sortino: Figure<f64>,
    /// Maximum drawdown of the daily equity.
    pub max_drawdown: Figure<Drawdown>,
    /// The window's trades.
    pub trades: TradeStats,
}

impl AdvancedMetrics {
    /// The metrics of `book` from `from` (`None`: its first trade) to `now`.
    pub fn compute(book: &Book, from: Option<OffsetDateTime>, now: OffsetDateTime, config: MetricsConfig) -> Self {
        let points = book.series(&SeriesSpec { from, now, interval: Interval::Day });
        let returns = daily_returns(&points);
        let rf = config.risk_free_rate;
        let ratio = |f: fn(&[Decimal], Decimal) -> Figure<f64>| returns.as_ref().map_err(|e| *e).and_then(|r| f(r, rf));
        let window_start = points.first().map(|p| p.at);
        // The trades the series' P&L counts: closed at or after its start, up to now included.
        let trades = book.trades_between(window_start, now + time::Duration::NANOSECOND);
        Self {
            sharpe: ratio(sharpe),
            sortino: ratio(sortino),
            max_drawdown: max_drawdown(&points),
            trades: TradeStats::of(&trades),
            daily_returns: returns,
        }
    }
}
