//! Figures of the trades themselves: profit factor, expectancy, hold times, best and worst trade.

use rust_decimal::Decimal;

use super::{ClosedTrade, Figure, Unavailable};

/// Average and median time a trade was held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldTimes {
    /// Mean of `closed_at - opened_at`, in seconds (rounded half-even to 3 places).
    pub average_seconds: Decimal,
    /// Median (the mean of the two middle ones for an even count), in seconds.
    pub median_seconds: Decimal,
}

/// What the trades of a window add up to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeStats {
    /// How many.
    pub trades: usize,
    /// How many won (realized profit, net of fees, above zero).
    pub wins: usize,
    /// `wins / trades * 100`, rounded half-even to 2 places.
    pub win_rate: Figure<Decimal>,
    /// Sum of the winning trades' profit.
    pub gross_profit: Decimal,
    /// Sum of the losing trades' losses, as a positive amount.
    pub gross_loss: Decimal,
    /// `gross_profit / gross_loss`, rounded half-even to 8 places.
    pub profit_factor: Figure<Decimal>,
    /// Mean realized profit per trade, rounded half-even to 8 places.
    pub expectancy: Figure<Decimal>,
    /// Hold times.
    pub hold: Figure<HoldTimes>,
    /// The most profitable (the earliest closed, then the lowest id, on a tie).
    pub best: Figure<ClosedTrade>,
    /// The least profitable (same tie rule).
    pub worst: Figure<ClosedTrade>,
}

fn sum(values: impl Iterator<Item = Decimal>) -> Figure<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v).ok_or(Unavailable::Overflow))
}

/// `gross_profit / gross_loss` of `trades`. Errors: `NoTrades`, `NoLosses`.
pub fn profit_factor(trades: &[&ClosedTrade]) -> Figure<Decimal> {
    if trades.is_empty() {
        return Err(Unavailable::NoTrades);
    }
    let profit = sum(trades.iter().map(|t| t.realized_profit).filter(|p| *p > Decimal::ZERO))?;
    let loss = -sum(trades.iter().map(|t| t.realized_profit).filter(|p| *p < Decimal::ZERO))?;
    if loss.is_zero() {
        return Err(Unavailable::NoLosses);
    }
    Ok(profit.checked_div(loss).ok_or(Unavailable::Overflow)?.round_dp(8))
}

/// Average and median hold time of `trades`. Errors: `NoTrades`.
pub fn hold_times(trades: &[&ClosedTrade]) -> Figure<HoldTimes> {
    let mut held: Vec<Decimal> = trades
        .iter()
        .map(|t| Decimal::from((t.closed_at - t.opened_at).whole_milliseconds() as i64) / Decimal::ONE_THOUSAND)
        .collect();
    if held.is_empty() {
        return Err(Unavailable::NoTrades);
    }
    held.sort();
    let n = held.len();
    let median = if n % 2 == 1 { held[n / 2] } else { (held[n / 2 - 1] + held[n / 2]) / Decimal::TWO };
    let average = (sum(held.iter().copied())? / Decimal::from(n)).round_dp(3);
    Ok(HoldTimes { average_seconds: average, median_seconds: median.normalize() })
}

impl TradeStats {
    /// The figures of `trades` (in any order).
    pub fn of(trades: &[&ClosedTrade]) -> Self {
        let mut ordered: Vec<&ClosedTrade> = trades.to_vec();
        ordered.sort_by(|a, b| (a.closed_at, &a.id).cmp(&(b.closed_at, &b.id)));
        let pick = |better: fn(Decimal, Decimal) -> bool| {
            ordered
                .iter()
                .copied()
                .reduce(|kept, t| if better(t.realized_profit, kept.realized_profit) { t } else { kept })
                .cloned()
                .ok_or(Unavailable::NoTrades)
        };
        let gross_profit = sum(trades.iter().map(|t| t.realized_profit.max(Decimal::ZERO))).unwrap_or(Decimal::MAX);
        let gross_loss = sum(trades.iter().map(|t| (-t.realized_profit).max(Decimal::ZERO))).unwrap_or(Decimal::MAX);
        let expectancy = if trades.is_empty() {
            Err(Unavailable::NoTrades)
        } else {
            sum(trades.iter().map(|t| t.realized_profit)).map(|total| (total / Decimal::from(trades.len())).round_dp(8))
        };
        let wins = trades.iter().filter(|t| t.realized_profit > Decimal::ZERO).count();
        let win_rate = match trades.len() {
            0 => Err(Unavailable::NoTrades),
            n => {
                let mut rate = (Decimal::from(wins) * Decimal::ONE_HUNDRED / Decimal::from(n)).round_dp(2);
                rate.rescale(2);
                Ok(rate)
            }
        };
        Self {
            trades: trades.len(),
            wins,
            win_rate,
            gross_profit,
            gross_loss,
            profit_factor: profit_factor(trades),
            expectancy,
            hold: hold_times(trades),
            best: pick(|a, b| a > b),
            worst: pick(|a, b| a < b),
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use time::Duration;

    use super::*;

    fn trade(id: &str, hours: i64, pnl: Decimal) -> ClosedTrade {
        let opened_at = datetime!(2026-01-01 0:00 UTC);
        let closed_at = opened_at + Duration::hours(hours);
        ClosedTrade { id: id.into(), symbol: "BTC/USDT".into(), opened_at, closed_at, realized_profit: pnl }
    }

    /// The worked example of `docs/analytics.md`: +30, -10, +5, -20 over 1, 2, 3 and 10 hours.
    #[test]
    fn the_worked_example() {
        let trades =
            [trade("a", 1, dec!(30)), trade("b", 2, dec!(-10)), trade("c", 3, dec!(5)), trade("d", 10, dec!(-20))];
        let refs: Vec<&ClosedTrade> = trades.iter().collect();
        let stats = TradeStats::of(&refs);
        assert_eq!((stats.gross_profit, stats.gross_loss), (dec!(35), dec!(30)));
        assert_eq!(stats.profit_factor, Ok(dec!(1.16666667)));
        assert_eq!(stats.expectancy, Ok(dec!(1.25)));
        assert_eq!((stats.wins, stats.win_rate.map(|r| r.to_string())), (2, Ok("50.00".to_owned())));
        let hold = stats.hold.unwrap();
        assert_eq!((hold.average_seconds, hold.median_seconds), (dec!(14400), dec!(9000)));
        assert_eq!(stats.best.unwrap().id, "a");
        assert_eq!(stats.worst.unwrap().id, "d");
    }

    #[test]
    fn no_trades_and_no_losses_have_reasons() {
        let stats = TradeStats::of(&[]);
        assert_eq!((stats.profit_factor, stats.expectancy), (Err(Unavailable::NoTrades), Err(Unavailable::NoTrades)));
        assert_eq!(stats.best, Err(Unavailable::NoTrades));
        let win = trade("a", 1, dec!(3));
        assert_eq!(profit_factor(&[&win]), Err(Unavailable::NoLosses));
    }
}
