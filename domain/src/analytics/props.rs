//! Property tests of the analytics: the series reconciles with the trades, the drawdown stays
//! within 0 to 100 % while equity stays positive, and no input makes a metric NaN or panic.

use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:34:56 UTC);

fn arb_trade() -> impl Strategy<Value = ClosedTrade> {
    (0i64..60 * 24 * 60, 1i64..5 * 24 * 60, -50_000i64..50_000).prop_map(|(closed_ago, held, cents)| {
        let closed_at = NOW - Duration::minutes(closed_ago);
        ClosedTrade {
            id: format!("t{closed_ago}-{held}"),
            symbol: "BTC/USDT".into(),
            opened_at: closed_at - Duration::minutes(held),
            closed_at,
            realized_profit: Decimal::new(cents, 2),
        }
    })
}

fn arb_book() -> impl Strategy<Value = Book> {
    (proptest::collection::vec(arb_trade(), 0..40), 0i64..100_000, -10_000i64..10_000, -10_000i64..10_000).prop_map(
        |(trades, capital, unrealized, partial)| {
            // Realized to date: the trades', and what partial sales of open positions realized.
            let realized = trades.iter().map(|t| t.realized_profit).sum::<Decimal>() + Decimal::new(partial, 2);
            // Enough capital that no loss takes equity below zero.
            let capital = Decimal::from(capital) + Decimal::from(20_101);
            Book { capital, realized, trades, unrealized: Decimal::new(unrealized, 2) }
        },
    )
}

proptest! {
    #[test]
    fn the_series_reconciles_with_the_trades(book in arb_book(), days in 1i64..90, hourly in any::<bool>()) {
        let from = NOW - Duration::days(days);
        let interval = if hourly && days <= MAX_HOURLY_DAYS { Interval::Hour } else { Interval::Day };
        let points = book.series(&SeriesSpec { from: Some(from), now: NOW, interval });
        prop_assert_eq!(points.first().map(|p| p.at), Some(from));
        prop_assert_eq!(points.last().map(|p| p.at), Some(NOW));
        prop_assert!(points.windows(2).all(|w| w[0].at < w[1].at));
        let in_window: Decimal = book.trades_between(Some(from), NOW + Duration::NANOSECOND)
            .iter().map(|t| t.realized_profit).sum();
        let last = points.last().unwrap();
        prop_assert_eq!(last.cumulative_pnl, in_window + book.unrealized);
        prop_assert_eq!(last.equity, book.capital + book.realized + book.unrealized);
        for p in &points[..points.len() - 1] {
            let before: Decimal = book.trades.iter().filter(|t| t.closed_at < p.at).map(|t| t.realized_profit).sum();
            let partial = book.realized - book.trades.iter().map(|t| t.realized_profit).sum::<Decimal>();
            prop_assert_eq!(p.equity, book.capital + partial + before);
        }
    }

    #[test]
    fn metrics_are_finite_and_drawdown_is_a_share_of_the_peak(book in arb_book(), days in prop::option::of(1i64..90)) {
        let from = days.map(|d| NOW - Duration::days(d));
        let metrics = AdvancedMetrics::compute(&book, from, NOW, MetricsConfig::default());
        if let Ok(dd) = metrics.max_drawdown {
            prop_assert!(dd.percent >= Decimal::ZERO && dd.percent <= Decimal::ONE_HUNDRED);
            prop_assert!(dd.amount >= Decimal::ZERO && dd.peak_at <= dd.trough_at);
        } else {
            prop_assert!(false, "equity stays positive, so the drawdown exists");
        }
        for ratio in [metrics.sharpe, metrics.sortino].into_iter().flatten() {
            prop_assert!(ratio.is_finite());
        }
        let stats = &metrics.trades;
        if let (Ok(best), Ok(worst)) = (&stats.best, &stats.worst) {
            prop_assert!(best.realized_profit >= worst.realized_profit);
        }
        if let Ok(hold) = stats.hold {
            prop_assert!(hold.average_seconds > Decimal::ZERO && hold.median_seconds > Decimal::ZERO);
        }
    }
}
