//! What the `candle_analysis` workflow analyses for every active context: its timeframe (1h by
//! default), its indicator set (the candle bots' standard set, volatility capped per timeframe)
//! and its window of closed candles. Pure policy; the workflow lives in the application crate.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::market::{Candle, Timeframe};
use crate::signals::IndicatorSpec;

/// The timeframe analysed unless configured otherwise: every supported exchange offers `1h`.
pub const DEFAULT_TIMEFRAME: Timeframe = Timeframe::H1;

/// Closed candles analysed per run: the last 200. A fixed number, because the EMA, RSI and ATR
/// remember the whole history they are given; 200 is far above the standard set's warm-up (22).
pub const WINDOW: usize = 200;

/// The volatility cap of hourly candles, in % per candle.
const HOURLY_CAP_PERCENT: f64 = 1.5;

/// The volatility filter's cap for `timeframe`: 1.5% per hourly candle, scaled by the square
/// root of the candle's length (volatility grows with √time), rounded to 2 places, at least
/// 0.01%. E.g. 15m 0.75%, 1h 1.5%, 4h 3%, 1d 7.35%.
pub fn volatility_cap(timeframe: Timeframe) -> Decimal {
    let hours = timeframe.seconds() as f64 / 3_600.0;
    let cap = Decimal::from_f64(HOURLY_CAP_PERCENT * hours.sqrt()).unwrap_or(Decimal::ONE).round_dp(2);
    cap.max(Decimal::new(1, 2))
}

/// The indicator set of context signals: the candle bots' standard set with its defaults (RSI 14
/// 30/70, SMA 9/21 cross, EMA 9/21 cross, Bollinger 20/2, volume spike 20/1.5) and the
/// volatility filter (20 returns) capped at [`volatility_cap`] for `timeframe`.
pub fn default_indicators(timeframe: Timeframe) -> Vec<IndicatorSpec> {
    IndicatorSpec::standard_set(volatility_cap(timeframe))
}

/// The candles to analyse at `now`: the last [`WINDOW`] of `candles` (oldest first) that are
/// closed at `now`; the forming candle, and any opening later, are left out.
pub fn closed_window(candles: &[Candle], timeframe: Timeframe, now: OffsetDateTime) -> &[Candle] {
    let end = candles.iter().rposition(|c| timeframe.close_of(c.open_time) <= now).map_or(0, |i| i + 1);
    &candles[end.saturating_sub(WINDOW)..end]
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use time::Duration;

    use super::*;
    use crate::signals::validate_specs;

    fn hourly(count: usize, first: OffsetDateTime) -> Vec<Candle> {
        (0..count)
            .map(|i| Candle {
                open_time: first + Duration::hours(i as i64),
                open: dec!(100),
                high: dec!(101),
                low: dec!(99),
                close: Decimal::from(100 + i as i64),
                volume: dec!(1),
                quote_volume: None,
            })
            .collect()
    }

    #[test]
    fn the_cap_grows_with_the_square_root_of_the_timeframe() {
        let caps: Vec<Decimal> =
            [Timeframe::M15, Timeframe::H1, Timeframe::H4, Timeframe::D1].into_iter().map(volatility_cap).collect();
        assert_eq!(caps, [dec!(0.75), dec!(1.5), dec!(3), dec!(7.35)]);
        assert!(Timeframe::ALL.into_iter().all(|tf| volatility_cap(tf) >= dec!(0.01)));
    }

    #[test]
    fn the_default_set_is_valid_for_every_timeframe() {
        for tf in Timeframe::ALL {
            let specs = default_indicators(tf);
            assert!(validate_specs(&specs).is_ok(), "{tf}");
            let names: Vec<&str> = specs.iter().map(IndicatorSpec::name).collect();
            assert_eq!(names, ["rsi", "sma_cross", "ema_cross", "bollinger", "volume", "volatility"]);
            assert!(specs.iter().map(IndicatorSpec::warm_up).max() < Some(WINDOW));
        }
    }

    #[test]
    fn the_forming_candle_is_left_out() {
        let first = datetime!(2025-03-01 00:00 UTC);
        let candles = hourly(5, first);
        let now = first + Duration::minutes(4 * 60 + 30);
        let window = closed_window(&candles, Timeframe::H1, now);
        assert_eq!(window.len(), 4);
        assert_eq!(window.last().map(|c| c.open_time), Some(first + Duration::hours(3)));
        // On the hour, the candle that just ended is closed.
        let window = closed_window(&candles, Timeframe::H1, first + Duration::hours(5));
        assert_eq!(window.len(), 5);
        assert!(closed_window(&candles, Timeframe::H1, first + Duration::minutes(59)).is_empty());
    }

    #[test]
    fn the_window_keeps_the_last_closed_candles() {
        let first = datetime!(2025-03-01 00:00 UTC);
        let candles = hourly(WINDOW + 30, first);
        let now = first + Duration::hours(WINDOW as i64 + 20) + Duration::seconds(1);
        let window = closed_window(&candles, Timeframe::H1, now);
        assert_eq!(window.len(), WINDOW);
        assert_eq!(window.last().map(|c| c.open_time), Some(first + Duration::hours(WINDOW as i64 + 19)));
        assert_eq!(window.first().map(|c| c.open_time), Some(first + Duration::hours(20)));
    }
}
