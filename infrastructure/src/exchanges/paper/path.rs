//! The raw price path of one market: hourly bars from the replay (BTC) or the replay times a seeded
//! ETH/BTC ratio (ETH), converted by the quote's FX factor, and inside each hour 61 minute knots
//! joined by straight lines. The knots are a seeded Brownian bridge from the hour's open to its
//! close that touches the hour's high and low exactly once each and never leaves them, so candles
//! of every timeframe aggregate to the same hourly bars. Everything is integer-seeded decimal
//! arithmetic: the value at an instant depends only on (seed, base asset, quote FX, instant).

use rust_decimal::{Decimal, RoundingStrategy};

use super::replay::{HourBar, BTC_USD};
use super::rng::{mix, SplitMix};

/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;
/// Minute knots per hour (plus the closing knot).
const KNOTS: usize = 60;
/// Decimal places kept for raw prices and volumes.
const DP: u32 = 8;

/// What a market's prices are derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Underlying {
    /// The replayed BTC-USD series.
    Btc,
    /// The BTC series times a seeded, slowly wandering ETH/BTC ratio around 0.05.
    Eth,
}

/// One market's raw (unrounded, un-overridden) price path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PricePath {
    underlying: Underlying,
    /// Quote units per USD.
    fx: Decimal,
    /// Seed mixed with the base asset (so BTC-BRL is BTC-USDT times the FX factor).
    key: u64,
    /// The replay anchor, in unix hours.
    anchor_hour: i64,
}

impl PricePath {
    /// The path of `underlying` quoted at `fx` per USD, for `seed`, replay anchored at unix hour `anchor_hour`.
    pub fn new(underlying: Underlying, fx: Decimal, seed: u64, anchor_hour: i64) -> Self {
        let base: &[u8] = match underlying {
            Underlying::Btc => b"BTC",
            Underlying::Eth => b"ETH",
        };
        Self { underlying, fx, key: mix(seed ^ super::rng::fnv(base)), anchor_hour }
    }

    /// The bar of unix hour `hour` (hours since 1970).
    pub fn bar(&self, hour: i64) -> HourBar {
        let btc = BTC_USD.at_wall_hour(hour - self.anchor_hour);
        match self.underlying {
            Underlying::Btc => btc.scaled(self.fx),
            Underlying::Eth => {
                let ratio = self.eth_ratio(hour);
                let bar = btc.scaled(self.fx * ratio);
                HourBar { volume: (btc.volume / ratio).round_dp(DP), ..bar }
            }
        }
    }

    /// ETH/BTC in hour `hour`: 0.05 x (1 + 0.3 n720 + 0.05 n24), nX being value noise in [-1, 1]
    /// with knots every X hours.
    fn eth_ratio(&self, hour: i64) -> Decimal {
        let slow = self.noise(hour, 720) * Decimal::new(3, 1);
        let fast = self.noise(hour, 24) * Decimal::new(5, 2);
        (Decimal::new(5, 2) * (Decimal::ONE + slow + fast)).round_dp(6)
    }

    /// Value noise: seeded values in [-1, 1] every `period` hours, linearly interpolated.
    fn noise(&self, hour: i64, period: i64) -> Decimal {
        let at = |k: i64| {
            let h = mix(self.key ^ mix(period as u64) ^ mix(k as u64 ^ 0x9e37_79b9));
            Decimal::new((h % 20_001) as i64 - 10_000, 4)
        };
        let (k, f) = (hour.div_euclid(period), hour.rem_euclid(period));
        let (v0, v1) = (at(k), at(k + 1));
        v0 + (v1 - v0) * Decimal::from(f) / Decimal::from(period)
    }

    /// The 61 minute knots of unix hour `hour`: knot 0 is the open, knot 60 the close.
    pub fn knots(&self, hour: i64, bar: &HourBar) -> [Decimal; KNOTS + 1] {
        let mut rng = SplitMix::new(self.key ^ mix(hour as u64));
        let first = 1 + rng.below(59) as usize;
        let mut second = 1 + rng.below(58) as usize;
        if second >= first {
            second += 1;
        }
        let (i_a, i_b) = (first.min(second), first.max(second));
        let (v_a, v_b) = if rng.below(2) == 0 { (bar.high, bar.low) } else { (bar.low, bar.high) };
        let amp = (bar.high - bar.low) / Decimal::from(6_000);
        let mut knots = [bar.open; KNOTS + 1];
        let anchors = [(0, bar.open), (i_a, v_a), (i_b, v_b), (KNOTS, bar.close)];
        for pair in anchors.windows(2) {
            let ((j0, v0), (j1, v1)) = (pair[0], pair[1]);
            let n = (j1 - j0) as i64;
            let mut walk = vec![0i64; j1 - j0 + 1];
            for j in 1..walk.len() {
                walk[j] = walk[j - 1] + rng.below(2_001) as i64 - 1_000;
            }
            knots[j0] = v0;
            knots[j1] = v1;
            for j in 1..(j1 - j0) {
                let jj = j as i64;
                let line = v0 + (v1 - v0) * Decimal::from(jj) / Decimal::from(n);
                let bridge = Decimal::from(walk[j] * n - walk[walk.len() - 1] * jj) / Decimal::from(n);
                let value = (line + bridge * amp).round_dp(DP);
                knots[j0 + j] = value.clamp(bar.low, bar.high);
            }
        }
        knots
    }

    /// The price `offset` seconds (0..=3600) into an hour with these knots; 3600 is the close.
    fn within(knots: &[Decimal; KNOTS + 1], offset: i64) -> Decimal {
        let (j, r) = ((offset / 60) as usize, offset % 60);
        if j >= KNOTS {
            return knots[KNOTS];
        }
        let (k0, k1) = (knots[j], knots[j + 1]);
        (k0 + (k1 - k0) * Decimal::from(r) / Decimal::from(60)).round_dp_with_strategy(DP, RoundingStrategy::ToZero)
    }

    /// The price at unix second `t` (right-continuous: at a whole hour, the new hour's open).
    pub fn at(&self, t: i64) -> Decimal {
        let hour = t.div_euclid(HOUR);
        self.point(hour, t - hour * HOUR)
    }

    /// The price just before unix second `t` (at a whole hour, the previous hour's close).
    pub fn before(&self, t: i64) -> Decimal {
        let hour = (t - 1).div_euclid(HOUR);
        self.point(hour, t - hour * HOUR)
    }

    /// The price `offset` seconds into `hour`. On the hour's edges (a candle's open, a finished
    /// candle's close: every price an hourly or daily candle reads besides its range) the knots are
    /// the bar's open and close, so the bridge (60 decimal divisions) is not drawn for them.
    fn point(&self, hour: i64, offset: i64) -> Decimal {
        let bar = self.bar(hour);
        match offset {
            0 => Self::edge(bar.open),
            HOUR => Self::edge(bar.close),
            _ => Self::within(&self.knots(hour, &bar), offset),
        }
    }

    /// A knot read exactly on it, as [`Self::within`] gives it.
    fn edge(knot: Decimal) -> Decimal {
        knot.round_dp_with_strategy(DP, RoundingStrategy::ToZero)
    }

    /// Lowest and highest price and the traded volume over `[a, e)`, including the prices at `a`
    /// and just before `e`; for `a == e` the price at `a` and no volume.
    pub fn range(&self, a: i64, e: i64) -> (Decimal, Decimal, Decimal) {
        if e <= a {
            let p = self.at(a);
            return (p, p, Decimal::ZERO);
        }
        let (mut low, mut high, mut volume) = (Decimal::MAX, Decimal::MIN, Decimal::ZERO);
        for hour in a.div_euclid(HOUR)..=(e - 1).div_euclid(HOUR) {
            let start = hour * HOUR;
            let (s0, s1) = (a.max(start) - start, e.min(start + HOUR) - start);
            let bar = self.bar(hour);
            if s0 == 0 && s1 == HOUR {
                low = low.min(bar.low);
                high = high.max(bar.high);
                volume += bar.volume;
                continue;
            }
            let knots = self.knots(hour, &bar);
            let inner = (0..=KNOTS).filter(|j| (*j as i64 * 60) > s0 && (*j as i64 * 60) < s1).map(|j| knots[j]);
            for p in [Self::within(&knots, s0), Self::within(&knots, s1)].into_iter().chain(inner) {
                low = low.min(p);
                high = high.max(p);
            }
            volume += bar.volume * Decimal::from(s1 - s0) / Decimal::from(HOUR);
        }
        (low, high, volume.round_dp(DP))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> PricePath {
        PricePath::new(Underlying::Btc, Decimal::ONE, 7, 0)
    }

    #[test]
    fn an_instant_on_the_hour_is_read_without_the_knots_exactly_as_with_them() {
        for path in [btc(), PricePath::new(Underlying::Eth, Decimal::new(512, 2), 11, 3)] {
            for hour in (-50..400).chain([20_110, 20_111, 90_000]) {
                let bar = path.bar(hour);
                let knots = path.knots(hour, &bar);
                let (open, close) = (PricePath::within(&knots, 0), PricePath::within(&knots, HOUR));
                let t = hour * HOUR;
                assert_eq!(path.at(t).to_string(), open.to_string(), "open of hour {hour}");
                assert_eq!(path.before(t + HOUR).to_string(), close.to_string(), "close of hour {hour}");
                assert_eq!(path.at(t + 1), PricePath::within(&knots, 1), "inside the hour: the knots");
            }
        }
    }

    #[test]
    fn knots_start_at_open_end_at_close_and_touch_high_and_low() {
        let path = btc();
        for hour in [0, 1, 500, 20_110, 20_111, -3] {
            let bar = path.bar(hour);
            let k = path.knots(hour, &bar);
            assert_eq!(k[0], bar.open);
            assert_eq!(k[60], bar.close);
            assert_eq!(k.iter().max().copied(), Some(bar.high));
            assert_eq!(k.iter().min().copied(), Some(bar.low));
        }
    }

    #[test]
    fn a_whole_hour_range_is_the_real_bar() {
        let path = btc();
        let bar = path.bar(10);
        assert_eq!(path.range(10 * HOUR, 11 * HOUR), (bar.low, bar.high, bar.volume));
        assert_eq!(path.at(10 * HOUR), bar.open);
        assert_eq!(path.before(11 * HOUR), bar.close);
    }

    #[test]
    fn minute_ranges_cover_the_hour() {
        let path = btc();
        let bar = path.bar(42);
        let minutes: Vec<_> = (0..60).map(|m| path.range(42 * HOUR + m * 60, 42 * HOUR + (m + 1) * 60)).collect();
        assert_eq!(minutes.iter().map(|m| m.0).min(), Some(bar.low));
        assert_eq!(minutes.iter().map(|m| m.1).max(), Some(bar.high));
    }

    #[test]
    fn same_seed_same_path_other_seed_other_path() {
        let t = 1_700_000_123;
        assert_eq!(btc().at(t), btc().at(t));
        assert_ne!(btc().at(t), PricePath::new(Underlying::Btc, Decimal::ONE, 8, 0).at(t));
        let brl = PricePath::new(Underlying::Btc, Decimal::from(5), 7, 0);
        assert_eq!(brl.bar(77).close, btc().bar(77).close * Decimal::from(5));
    }

    #[test]
    fn eth_trades_around_a_twentieth_of_btc() {
        let (btc, eth) = (btc(), PricePath::new(Underlying::Eth, Decimal::ONE, 7, 0));
        for hour in (0..40_000).step_by(997) {
            let ratio = eth.bar(hour).close / btc.bar(hour).close;
            assert!(ratio > Decimal::new(3, 2) && ratio < Decimal::new(7, 2), "ratio {ratio} at {hour}");
        }
    }
}
