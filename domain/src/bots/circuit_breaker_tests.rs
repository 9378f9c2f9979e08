//! Unit tests of the circuit breaker, including the catalogue's 8-trade sequence (section 3.1).

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const T0: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

fn moderate() -> CircuitBreaker {
    CircuitBreaker::new(BreakerPreset::default().limits().unwrap())
}

/// A trade of `stake` quote that closed `percent`% up or down.
fn pnl(stake: Decimal, percent: Decimal) -> Decimal {
    stake * percent / Decimal::ONE_HUNDRED
}

#[test]
fn the_catalogues_eight_trade_sequence_trips_on_the_eighth() {
    let mut breaker = moderate();
    let (allocated, stake) = (dec!(10000), dec!(1000));
    let trades = [dec!(-2), dec!(-1.5), dec!(1), dec!(-2), dec!(-1.8), dec!(-2.5), dec!(-1.2), dec!(-2)];
    let expected_count = [1, 2, 0, 1, 2, 3, 4, 5];
    for (n, (percent, count)) in trades.iter().zip(expected_count).enumerate() {
        let trip = breaker.record_trade(pnl(stake, *percent), allocated, T0 + Duration::minutes(n as i64 * 10));
        assert_eq!(breaker.consecutive_losses, count, "trade {}", n + 1);
        if n < 7 {
            assert!(trip.is_none() && breaker.allows_new_positions(), "trade {} must not trip", n + 1);
        } else {
            assert_eq!(trip.unwrap().reason, TripReason::ConsecutiveLosses { count: 5 });
        }
    }
    assert!(!breaker.allows_new_positions());
    assert!(breaker.allows_protective_exits(), "a tripped bot still guards its position");
}

#[test]
fn presets_match_the_catalogue_and_custom_limits_are_checked() {
    let limits = |p: BreakerPreset| p.limits().map(|l| (l.max_consecutive_losses, l.max_daily_loss_percent));
    assert_eq!(limits(BreakerPreset::Conservative), Ok((3, dec!(5))));
    assert_eq!(limits(BreakerPreset::Moderate), Ok((5, dec!(10))));
    assert_eq!(limits(BreakerPreset::Aggressive), Ok((8, dec!(15))));
    let custom = |n, p| BreakerPreset::Custom(BreakerLimits { max_consecutive_losses: n, max_daily_loss_percent: p });
    assert_eq!(limits(custom(2, dec!(3))), Ok((2, dec!(3))));
    assert_eq!(custom(0, dec!(3)).limits(), Err(BreakerConfigError::NoLossesAllowed));
    assert_eq!(custom(2, dec!(0)).limits(), Err(BreakerConfigError::BadPercent));
    assert_eq!(custom(2, dec!(101)).limits(), Err(BreakerConfigError::BadPercent));
}

#[test]
fn the_daily_loss_trips_at_the_limit_even_between_profits() {
    let mut breaker = moderate();
    let allocated = dec!(1000);
    assert!(breaker.record_trade(dec!(-60), allocated, T0).is_none());
    assert!(breaker.record_trade(dec!(5), allocated, T0 + Duration::hours(1)).is_none());
    let trip = breaker.record_trade(dec!(-45), allocated, T0 + Duration::hours(2)).unwrap();
    assert_eq!(trip.reason, TripReason::DailyLoss { loss: dec!(100), limit: dec!(100) });
}

#[test]
fn the_window_rolls_over_24_hours() {
    let mut breaker = moderate();
    let allocated = dec!(1000);
    breaker.record_trade(dec!(-90), allocated, T0);
    assert_eq!(breaker.daily_loss(T0 + Duration::hours(23)), dec!(90));
    assert!(breaker.record_trade(dec!(-20), allocated, T0 + Duration::hours(24)).is_none(), "yesterday's loss left");
    assert_eq!(breaker.daily_loss(T0 + Duration::hours(24)), dec!(20));
    assert_eq!(breaker.recent.len(), 1, "old trades are dropped from the stored state");
}

#[test]
fn a_trip_lasts_until_reset_and_survives_serialisation() {
    let mut breaker = CircuitBreaker::new(BreakerPreset::Conservative.limits().unwrap());
    for n in 0..3 {
        breaker.record_trade(dec!(-1), dec!(10000), T0 + Duration::minutes(n));
    }
    assert!(!breaker.allows_new_positions());
    assert!(breaker.record_trade(dec!(50), dec!(10000), T0 + Duration::minutes(5)).is_none());
    assert!(!breaker.allows_new_positions(), "a profit does not re-arm a tripped breaker");

    let stored = serde_json::to_string(&breaker).unwrap();
    let mut restored: CircuitBreaker = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored, breaker, "a restart neither forgets the trip nor the count");
    restored.reset();
    assert!(restored.allows_new_positions());
    assert_eq!(restored.consecutive_losses, 0);
}

#[test]
fn an_off_breaker_counts_the_losses_but_never_trips() {
    let mut breaker = CircuitBreaker::configured(BreakerPreset::Off);
    assert!(!breaker.enabled);
    // Ten losing trades of 2% of 1000 on 1000 allocated: 10 in a row and 20% in a day, both far
    // beyond the moderate limits (5 in a row, 10%) it keeps for the record.
    for n in 0..10 {
        let trip = breaker.record_trade(dec!(-20), dec!(1000), T0 + Duration::minutes(n));
        assert!(trip.is_none(), "trade {} must not trip an off breaker", n + 1);
    }
    assert_eq!((breaker.consecutive_losses, breaker.daily_loss(T0 + Duration::minutes(10))), (10, dec!(200)));
    assert!(breaker.allows_new_positions() && breaker.tripped.is_none());
    let armed = CircuitBreaker::configured(BreakerPreset::Moderate);
    assert!(armed.enabled && armed.limits == BreakerLimits::MODERATE);
}

#[test]
fn a_breaker_stored_before_the_switch_reads_as_armed() {
    let stored = serde_json::json!({"limits": {"max_consecutive_losses": 5, "max_daily_loss_percent": "10"},
        "consecutive_losses": 0, "recent": [], "tripped": null});
    let breaker: CircuitBreaker = serde_json::from_value(stored).unwrap();
    assert!(breaker.enabled);
}

#[test]
fn a_breaker_stored_with_tuple_timestamps_reads_and_is_written_back_as_rfc3339() {
    // A tripped breaker as stored before its timestamps were RFC 3339 strings.
    let stored = serde_json::json!({"limits": {"max_consecutive_losses": 2, "max_daily_loss_percent": "10"},
        "consecutive_losses": 2, "enabled": true,
        "recent": [{"at": [2026, 61, 9, 0, 0, 0, 0, 0, 0], "pnl": "-1"}, {"at": [2026, 61, 9, 5, 0, 0, 0, 0, 0], "pnl": "-2"}],
        "tripped": {"at": [2026, 61, 9, 5, 0, 0, 0, 0, 0], "reason": {"trigger": "consecutive_losses", "count": 2}}});
    let breaker: CircuitBreaker = serde_json::from_value(stored).unwrap();
    assert_eq!(breaker.tripped.as_ref().map(|t| t.at), Some(T0 + Duration::minutes(5)));
    assert_eq!(breaker.recent[0].at, T0);
    assert_eq!(breaker.daily_loss(T0 + Duration::hours(1)), dec!(3));

    let written = serde_json::to_value(&breaker).unwrap();
    assert_eq!(written["tripped"]["at"], "2026-03-02T09:05:00Z");
    assert_eq!(written["recent"][1]["at"], "2026-03-02T09:05:00Z");
    assert_eq!(serde_json::from_value::<CircuitBreaker>(written).unwrap(), breaker);
}
