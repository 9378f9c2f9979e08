//! The fake's markets, prices, book and candles: what Binance's public endpoints serve.

use domain::market::Timeframe;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// One listed symbol with its filters.
#[derive(Clone, Debug)]
pub(crate) struct FakeMarket {
    pub(crate) name: &'static str,
    pub(crate) base: &'static str,
    pub(crate) quote: &'static str,
    pub(crate) tick: Decimal,
    pub(crate) step: Decimal,
    pub(crate) min_qty: Decimal,
    pub(crate) max_qty: Decimal,
    pub(crate) min_notional: Decimal,
    /// Last traded price.
    pub(crate) price: Decimal,
}

impl FakeMarket {
    /// BTCBRL and BTCUSDT with Binance's real filters.
    pub(crate) fn listed() -> Vec<FakeMarket> {
        let common = |name, quote, tick, min_notional, price| FakeMarket {
            name,
            base: "BTC",
            quote,
            tick,
            step: Decimal::new(1, 5),
            min_qty: Decimal::new(1, 5),
            max_qty: Decimal::from(9000),
            min_notional,
            price,
        };
        vec![
            common("BTCBRL", "BRL", Decimal::ONE, Decimal::from(10), Decimal::from(300_000)),
            common("BTCUSDT", "USDT", Decimal::new(1, 2), Decimal::from(5), Decimal::from(60_000)),
        ]
    }

    /// The best bid: one tenth of a percent below the price, on the tick.
    pub(crate) fn bid(&self) -> Decimal {
        ((self.price * Decimal::new(999, 3)) / self.tick).floor() * self.tick
    }

    /// The best ask: one tenth of a percent above the price, on the tick.
    pub(crate) fn ask(&self) -> Decimal {
        ((self.price * Decimal::new(1001, 3)) / self.tick).ceil() * self.tick
    }

    /// Binance's reason to refuse `quantity` at `price`, as a `-1013` message.
    pub(crate) fn filter_failure(&self, quantity: Decimal, price: Option<Decimal>) -> Option<&'static str> {
        if quantity < self.min_qty || quantity > self.max_qty || !(quantity % self.step).is_zero() {
            return Some("Filter failure: LOT_SIZE");
        }
        if let Some(p) = price {
            if p <= Decimal::ZERO || !(p % self.tick).is_zero() {
                return Some("Filter failure: PRICE_FILTER");
            }
        }
        (quantity * price.unwrap_or(self.price) < self.min_notional).then_some("Filter failure: NOTIONAL")
    }

    /// The symbol's entry in exchangeInfo.
    pub(crate) fn info(&self) -> Value {
        json!({
            "symbol": self.name, "status": "TRADING", "baseAsset": self.base, "baseAssetPrecision": 8,
            "quoteAsset": self.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"], "quoteOrderQtyMarketAllowed": true,
            "isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": self.tick.to_string(), "maxPrice": "10000000.00000000",
                 "tickSize": self.tick.to_string()},
                {"filterType": "LOT_SIZE", "minQty": self.min_qty.to_string(), "maxQty": self.max_qty.to_string(),
                 "stepSize": self.step.to_string()},
                {"filterType": "NOTIONAL", "minNotional": self.min_notional.to_string(), "applyMinToMarket": true,
                 "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200}
            ],
            "permissionSets": [["SPOT"]]
        })
    }

    /// `ticker/24hr`: the price with the bid and ask around it.
    pub(crate) fn ticker_24hr(&self, now_ms: i64) -> Value {
        json!({
            "symbol": self.name, "lastPrice": self.price.to_string(), "bidPrice": self.bid().to_string(),
            "bidQty": "1.00000000", "askPrice": self.ask().to_string(), "askQty": "1.00000000",
            "openPrice": self.price.to_string(), "highPrice": self.ask().to_string(),
            "lowPrice": self.bid().to_string(), "volume": "123.45000000", "quoteVolume": "0",
            "openTime": now_ms - 86_400_000, "closeTime": now_ms, "count": 1
        })
    }

    /// `depth`: `limit` levels a side, ten ticks apart.
    pub(crate) fn depth(&self, limit: usize) -> Value {
        let gap = self.tick * Decimal::TEN;
        let side = |best: Decimal, dir: Decimal| -> Vec<Value> {
            (0..limit).map(|i| json!([(best + dir * gap * Decimal::from(i)).to_string(), "0.50000000"])).collect()
        };
        json!({ "lastUpdateId": 1, "bids": side(self.bid(), -Decimal::ONE), "asks": side(self.ask(), Decimal::ONE) })
    }

    /// `klines`: up to `limit` candles of `interval`, the last one holding `end_ms` (now when
    /// absent), none before `start_ms`; prices swing around the current price.
    pub(crate) fn klines(&self, interval: Timeframe, limit: usize, start_ms: Option<i64>, end_ms: i64) -> Value {
        let len = interval.seconds() * 1000;
        let last_open = end_ms - end_ms.rem_euclid(len);
        let first = start_ms.map_or(0, |s| s + (len - s.rem_euclid(len)) % len);
        let opens: Vec<i64> =
            (0..limit as i64).rev().map(|k| last_open - k * len).filter(|&o| o >= first && o >= 0).collect();
        let rows: Vec<Value> = opens
            .into_iter()
            .map(|open_ms| {
                let swing = Decimal::from(open_ms / len % 7) * self.tick;
                let (open, close) = (self.price - swing, self.price + swing);
                json!([
                    open_ms,
                    open.to_string(),
                    (close + self.tick).to_string(),
                    (open - self.tick).to_string(),
                    close.to_string(),
                    "1.50000000",
                    open_ms + len - 1,
                    "0",
                    3,
                    "0.5",
                    "0",
                    "0"
                ])
            })
            .collect();
        Value::Array(rows)
    }
}
