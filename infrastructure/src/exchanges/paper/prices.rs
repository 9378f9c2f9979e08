//! Market prices of one simulated exchange: each market's raw path, rounded to its tick, and the
//! manual overrides of `set_price`. An override pins the price at the instant it is set; from then
//! on the market follows the path's relative moves from that level (price = override x path(t) /
//! path(t0)), or holds still at it with `hold_set_prices`. Earlier instants keep their prices, so
//! history is never rewritten.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use domain::market::Symbol;
use rust_decimal::{Decimal, RoundingStrategy};

use super::config::PaperConfig;
use super::markets::{Listing, QuoteFx};
use super::path::{PricePath, HOUR};

/// One `set_price`: from `at` (unix seconds) prices are scaled by `price / raw`.
#[derive(Clone, Copy, Debug)]
struct Override {
    at: i64,
    price: Decimal,
    raw: Decimal,
}

impl Override {
    fn apply(self, raw: Decimal) -> Decimal {
        raw * self.price / self.raw
    }
}

#[derive(Debug)]
struct MarketPrices {
    path: PricePath,
    tick: Decimal,
}

/// Low and high of a stretch of time, on the tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extremes {
    /// Lowest price.
    pub low: Decimal,
    /// Highest price.
    pub high: Decimal,
    /// Base volume traded.
    pub volume: Decimal,
}

/// The prices of every market of one exchange.
#[derive(Debug)]
pub(crate) struct PriceEngine {
    markets: HashMap<Symbol, MarketPrices>,
    overrides: RwLock<HashMap<Symbol, Vec<Override>>>,
    /// A set price holds still instead of following the path (`PaperConfig::hold_set_prices`).
    hold: bool,
}

/// Rounds to the nearest multiple of `tick` (ties to even), never below one tick.
pub(crate) fn to_tick(price: Decimal, tick: Decimal) -> Decimal {
    if tick <= Decimal::ZERO {
        return price.normalize();
    }
    let ticks = (price / tick).round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    (ticks.max(Decimal::ONE) * tick).normalize()
}

impl PriceEngine {
    /// The engine for these listings.
    pub fn new(listings: &[Listing], config: &PaperConfig) -> Self {
        // The replayed series is parsed now, at start-up, not by the first request for a price.
        std::sync::LazyLock::force(&super::replay::BTC_USD);
        let anchor_hour = config.replay_anchor.unix_timestamp().div_euclid(HOUR);
        let markets = listings
            .iter()
            .map(|l| {
                let fx = match l.fx {
                    QuoteFx::Usd => Decimal::ONE,
                    QuoteFx::Brl => config.brl_per_usd,
                };
                let path = PricePath::new(l.underlying, fx, config.seed, anchor_hour);
                (l.market.symbol.clone(), MarketPrices { path, tick: l.market.filters.tick_size })
            })
            .collect();
        Self { markets, overrides: RwLock::new(HashMap::new()), hold: config.hold_set_prices }
    }

    fn overrides_of(&self, symbol: &Symbol) -> Vec<Override> {
        let all = self.overrides.read().unwrap_or_else(PoisonError::into_inner);
        all.get(symbol).cloned().unwrap_or_default()
    }

    /// The override in force at `t` (the latest one set at or before it).
    fn in_force(overrides: &[Override], t: i64) -> Option<Override> {
        overrides.iter().rev().find(|o| o.at <= t).copied()
    }

    fn scaled(&self, raw: Decimal, ov: Option<Override>, tick: Decimal) -> Decimal {
        let price = match ov {
            Some(o) if self.hold => o.price,
            Some(o) => o.apply(raw),
            None => raw,
        };
        to_tick(price, tick)
    }

    /// The price at unix second `t`; `None` for an unknown market.
    pub fn price(&self, symbol: &Symbol, t: i64) -> Option<Decimal> {
        let m = self.markets.get(symbol)?;
        let ov = Self::in_force(&self.overrides_of(symbol), t);
        Some(self.scaled(m.path.at(t), ov, m.tick))
    }

    /// The price just before unix second `t` (a finished candle's close).
    pub fn price_before(&self, symbol: &Symbol, t: i64) -> Option<Decimal> {
        let m = self.markets.get(symbol)?;
        let ov = Self::in_force(&self.overrides_of(symbol), t - 1);
        Some(self.scaled(m.path.before(t), ov, m.tick))
    }

    /// Low, high and volume over `[a, e)` (prices at `a` and just before `e` included), plus the
    /// price at `e` itself when `with_end`. `None` for an unknown market.
    pub fn extremes(&self, symbol: &Symbol, a: i64, e: i64, with_end: bool) -> Option<Extremes> {
        let m = self.markets.get(symbol)?;
        let overrides = self.overrides_of(symbol);
        let e = e.max(a);
        // Pieces of constant override, split where an override starts.
        let mut cuts: Vec<i64> = overrides.iter().map(|o| o.at).filter(|at| *at > a && *at < e).collect();
        cuts.insert(0, a);
        cuts.push(e);
        let (mut low, mut high, mut volume) = (Decimal::MAX, Decimal::MIN, Decimal::ZERO);
        for piece in cuts.windows(2) {
            if piece[0] == piece[1] && piece[0] != a {
                continue;
            }
            let ov = Self::in_force(&overrides, piece[0]);
            let (lo, hi, vol) = m.path.range(piece[0], piece[1]);
            low = low.min(self.scaled(lo, ov, m.tick));
            high = high.max(self.scaled(hi, ov, m.tick));
            volume += vol;
        }
        if with_end {
            let end = self.scaled(m.path.at(e), Self::in_force(&overrides, e), m.tick);
            low = low.min(end);
            high = high.max(end);
        }
        Some(Extremes { low, high, volume })
    }

    /// Sets `symbol`'s price at unix second `t` to `price` (rounded to the tick); later prices
    /// follow the path's moves from there. Returns the price set, or `None` for an unknown market.
    pub fn set_price(&self, symbol: &Symbol, price: Decimal, t: i64) -> Option<Decimal> {
        let m = self.markets.get(symbol)?;
        let price = to_tick(price, m.tick);
        let raw = m.path.at(t);
        let mut all = self.overrides.write().unwrap_or_else(PoisonError::into_inner);
        let list = all.entry(symbol.clone()).or_default();
        list.retain(|o| o.at < t);
        list.push(Override { at: t, price, raw });
        Some(price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchanges::paper::markets::listings;
    use domain::exchange::ExchangeId;

    fn engine() -> PriceEngine {
        PriceEngine::new(&listings(ExchangeId::Binance), &PaperConfig::default())
    }

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap()
    }

    #[test]
    fn prices_sit_on_the_tick_and_brl_is_usd_times_fx() {
        let e = engine();
        let t = 1_750_000_000;
        let usdt = e.price(&sym("BTC-USDT"), t).unwrap();
        let brl = e.price(&sym("BTC-BRL"), t).unwrap();
        assert!(brl.fract().is_zero(), "BTC-BRL tick is 1: {brl}");
        assert!((brl - usdt * Decimal::from(5)).abs() <= Decimal::ONE, "{brl} vs {usdt}");
        assert_eq!(e.price(&sym("ETH-BRL"), t), None);
    }

    #[test]
    fn a_held_price_stays_until_the_next_one_and_the_past_is_kept() {
        let config = PaperConfig { hold_set_prices: true, ..PaperConfig::default() };
        let e = PriceEngine::new(&listings(ExchangeId::Binance), &config);
        let (s, t) = (sym("BTC-USDT"), 1_750_000_000);
        let before = e.price(&s, t - 600).unwrap();
        assert_ne!(before, e.price(&s, t - 1).unwrap(), "the path moves");
        e.set_price(&s, Decimal::from(250_000), t);
        for later in [t, t + 1, t + 59, t + 3_600, t + 86_400] {
            assert_eq!(e.price(&s, later), Some(Decimal::from(250_000)), "{later}");
        }
        assert_eq!(e.price(&s, t - 600), Some(before));
        let x = e.extremes(&s, t + 10, t + 7_200, true).unwrap();
        assert_eq!((x.low, x.high), (Decimal::from(250_000), Decimal::from(250_000)));
        e.set_price(&s, Decimal::from(240_000), t + 100);
        assert_eq!(e.price(&s, t + 99), Some(Decimal::from(250_000)));
        assert_eq!(e.price(&s, t + 5_000), Some(Decimal::from(240_000)));
    }

    #[test]
    fn an_override_pins_now_and_leaves_the_past_alone() {
        let e = engine();
        let (s, t) = (sym("BTC-USDT"), 1_750_000_000);
        let before = e.price(&s, t - 600).unwrap();
        assert_eq!(e.set_price(&s, Decimal::from(250_000), t), Some(Decimal::from(250_000)));
        assert_eq!(e.price(&s, t), Some(Decimal::from(250_000)));
        assert_eq!(e.price(&s, t - 600), Some(before));
        let later = e.price(&s, t + 600).unwrap();
        assert!(later > Decimal::from(200_000) && later < Decimal::from(300_000), "{later}");
        let x = e.extremes(&s, t - 600, t, true).unwrap();
        assert_eq!(x.high, Decimal::from(250_000));
        assert!(x.low <= before);
    }

    #[test]
    fn a_new_override_replaces_later_ones() {
        let e = engine();
        let (s, t) = (sym("BTC-USDT"), 1_750_000_000);
        e.set_price(&s, Decimal::from(100), t + 10);
        e.set_price(&s, Decimal::from(200), t);
        let p = e.price(&s, t + 10).unwrap();
        assert!(p > Decimal::from(150) && p < Decimal::from(250), "{p}");
    }

    #[test]
    fn ticks_round_to_nearest_and_never_to_zero() {
        assert_eq!(to_tick(Decimal::new(12_345, 3), Decimal::new(1, 2)), Decimal::new(1_234, 2));
        assert_eq!(to_tick(Decimal::new(4, 1), Decimal::ONE), Decimal::ONE);
    }
}
