//! The modified z-score of the latest closed candle's volume, against figures computed with
//! Python's `statistics.median` and `decimal` (see each test), and the edges: too little history,
//! the unfinished candle, a flat window.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const T0: OffsetDateTime = datetime!(2026-03-02 00:00 UTC);

/// 15m candles with these volumes, from T0.
fn series(volumes: &[Decimal]) -> Vec<Candle> {
    volumes
        .iter()
        .enumerate()
        .map(|(i, v)| Candle {
            open_time: T0 + Duration::minutes(15 * i as i64),
            open: dec!(100),
            high: dec!(101),
            low: dec!(99),
            close: dec!(100),
            volume: *v,
            quote_volume: None,
        })
        .collect()
}

fn window() -> Vec<Decimal> {
    [12.5, 9.75, 11.0, 14.2, 10.1, 8.9, 13.3, 12.0, 9.4, 10.8, 11.7, 15.1]
        .iter()
        .map(|v| Decimal::try_from(*v).unwrap())
        .collect()
}

/// The moment the candle at `index` has closed.
fn after(index: usize) -> OffsetDateTime {
    T0 + Duration::minutes(15 * (index as i64 + 1))
}

#[test]
fn a_spike_scores_as_python_computes_it() {
    // Python: median 11.35, MAD 1.425, 0.6745 * (61.3 - 11.35) / 1.425 = 23.64.
    let mut volumes = window();
    volumes.push(dec!(61.3));
    let rule = VolumeRule { window: 12, ..VolumeRule::default() };
    let got = volume_reading(&series(&volumes), &rule, after(12)).unwrap();
    assert_eq!((got.median, got.mad, got.score), (dec!(11.35), dec!(1.425), Some(dec!(23.64))));
    assert!(got.is_anomalous(dec!(10)) && !got.is_anomalous(dec!(25)));
}

#[test]
fn a_drop_scores_negative_and_the_unfinished_candle_is_not_read() {
    // Python: 0.6745 * (2.1 - 11.35) / 1.425 = -4.38.
    let mut volumes = window();
    volumes.extend([dec!(2.1), dec!(500)]);
    let rule = VolumeRule { window: 12, ..VolumeRule::default() };
    let got = volume_reading(&series(&volumes), &rule, after(12)).unwrap();
    assert_eq!((got.volume, got.score), (dec!(2.1), Some(dec!(-4.38))), "the 500 candle is still open");
    assert!(!got.is_anomalous(VolumeRule::default().threshold));
}

#[test]
fn a_flat_window_falls_back_to_the_mean_absolute_deviation() {
    // Python: median 5, MAD 0, MeanAD 1/3, (9 - 5) / (1.253314 / 3) = 9.57.
    let mut volumes = vec![dec!(5); 9];
    volumes.extend([dec!(7), dec!(5), dec!(3), dec!(9)]);
    let rule = VolumeRule { window: 12, ..VolumeRule::default() };
    let got = volume_reading(&series(&volumes), &rule, after(12)).unwrap();
    assert_eq!((got.mad, got.score), (Decimal::ZERO, Some(dec!(9.57))));
    let mut still = vec![dec!(0); 12];
    still.push(dec!(0.5));
    let unbounded = volume_reading(&series(&still), &rule, after(12)).unwrap();
    assert_eq!(unbounded.score, None);
    assert!(unbounded.is_anomalous(dec!(1000)), "anything but nothing on a market that never traded");
    still[12] = Decimal::ZERO;
    assert_eq!(volume_reading(&series(&still), &rule, after(12)).unwrap().score, Some(Decimal::ZERO));
}

#[test]
fn too_little_history_reads_nothing() {
    let rule = VolumeRule::default();
    assert_eq!(rule.min_history(), 48);
    let volumes = vec![dec!(1); 48];
    assert!(volume_reading(&series(&volumes), &rule, after(47)).is_none(), "47 candles before the latest");
    assert!(volume_reading(&series(&volumes), &rule, after(48)).is_none(), "the 49th is not closed: still 47");
    let mut more = volumes.clone();
    more.push(dec!(1));
    assert!(volume_reading(&series(&more), &rule, after(48)).is_some());
}
